#pragma once
// Frequentist statistics for conversion-rate A/B experiments: sample size and its inverses
// (power, minimum detectable effect, duration), the two-proportion z-test with absolute and
// relative confidence intervals, sample-ratio mismatch and the Holm-Bonferroni correction.
//
// Units: rates and probabilities are fractions in [0, 1] (0.05 = 5 %), never percentages.
// Counts are users (the randomisation unit) and converting users. Every function is pure
// and thread-safe. Invalid input returns an Error naming the field and the accepted range;
// no function returns NaN or infinity in a successful result.
//
// Distributions (normal quantiles, chi-square tails) come from Boost.Math.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "recdeck/common/result.h"

namespace recdeck::experiments {

// Users and converting users of one arm. conversions <= users.
struct ArmCounts {
    std::uint64_t users = 0;
    std::uint64_t conversions = 0;
};

// ---------------------------------------------------------------------------------------
// Sample size for a two-proportion test, and its inverses.
//
//   n = (z_{1-a/2} + z_{power})^2 * 2 pbar (1 - pbar) / (p2 - p1)^2,   pbar = (p1 + p2) / 2
//
// n is the number of users per variant (equal allocation), a the two-sided significance
// level, z_q the standard normal quantile. It is the classic pooled-variance normal
// approximation: it assumes independent Bernoulli users, equal group sizes, n large enough
// for the normal approximation (n p and n (1 - p) >= ~10), and it ignores the far rejection
// tail (the chance of a significant result in the wrong direction), which is negligible at
// useful powers. The integer answer truncates n (as the seed's calculator did), so the
// power at perVariant is a hair below the requested power; perVariantExact keeps the
// unrounded value.
// ---------------------------------------------------------------------------------------

// How the minimum detectable effect is expressed.
enum class EffectScale {
    Relative,  // p2 = p1 * (1 + mde): 0.1 means a 10 % lift over the baseline
    Absolute,  // p2 = p1 + mde: 0.005 means +0.5 percentage points
};

struct SampleSizeRequest {
    double baseline = 0.0;  // p1, control conversion rate, in (0, 1)
    double mde = 0.0;       // minimum detectable effect, != 0 (negative = detect a drop)
    EffectScale scale = EffectScale::Relative;
    double alpha = 0.05;  // two-sided significance level, in (0, 1)
    double power = 0.8;   // 1 - beta, in (alpha / 2, 1)
};

struct SampleSize {
    std::int64_t perVariant = 0;   // floor(perVariantExact)
    double perVariantExact = 0.0;  // n from the formula, unrounded
    double baseline = 0.0;         // p1
    double treatmentRate = 0.0;    // p2, in (0, 1)
    double absoluteEffect = 0.0;   // p2 - p1 (exactly the request's mde when Absolute)
    double relativeEffect = 0.0;   // p2 / p1 - 1 (exactly the request's mde when Relative)
    double zAlpha = 0.0;           // z_{1-a/2}
    double zPower = 0.0;           // z_{power}
};

// n per variant for the request. Errors: baseline, alpha or power out of range, mde == 0,
// p2 outside (0, 1), or an effect so small that n exceeds 1e15.
Result<SampleSize> sampleSize(const SampleSizeRequest& request);

// Users per variant for an experiment with `treatments` treatment arms, each compared with
// the control under the Holm correction the readout applies (experiment_results.h): the
// formula above at the Bonferroni level alpha / treatments, Holm's strictest step, so every
// comparison keeps at least the requested power for the planned effect (Holm rejects
// whatever Bonferroni rejects). treatments = 1 is sampleSize(request). Errors: those of
// sampleSize, and treatments < 1.
Result<SampleSize> plannedSampleSize(SampleSizeRequest request, int treatments);

// Power for n users per variant, from the same formula solved for z_{power}:
//   power = Phi( |p2 - p1| * sqrt(n / (2 pbar (1 - pbar))) - z_{1-a/2} )
// request.power is ignored. n > 0 (fractional n is allowed, so power(sampleSize(r)
// .perVariantExact) returns r.power up to rounding). Same input errors as sampleSize.
Result<double> power(const SampleSizeRequest& request, double usersPerVariant);

// Direction of the effect an MDE is solved for.
enum class EffectDirection { Increase, Decrease };

struct MinimumDetectableEffect {
    double absolute = 0.0;       // p2 - p1 (negative for a decrease)
    double relative = 0.0;       // p2 / p1 - 1
    double treatmentRate = 0.0;  // p2
};

// Smallest effect detectable with the given power at n users per variant: the p2 that
// makes the sample-size formula return exactly n. The formula's n falls monotonically as
// |p2 - p1| grows, so the root is unique; it is found with Boost's TOMS 748 bracketing
// solver on log n(p2) - log n to full double precision. Errors: inputs out of range, or n
// too small for any p2 inside (0, 1) (the message gives the smallest usable n).
Result<MinimumDetectableEffect> minimumDetectableEffect(double baseline, double usersPerVariant, double alpha = 0.05,
                                                        double power = 0.8,
                                                        EffectDirection direction = EffectDirection::Increase);

// Calendar days to collect perVariant users in each of `variants` equally weighted arms
// when `dailyEligibleUsers` new users are eligible per day and a fraction `coverage` of
// them enters the experiment:
//   days = perVariant * variants / (dailyEligibleUsers * coverage)
// Assumes every eligible user is new (returning users do not count twice) and equal
// weights. days is fractional; wholeDays rounds it up.
struct Duration {
    double days = 0.0;
    std::int64_t wholeDays = 0;
};
Result<Duration> experimentDuration(double perVariant, int variants, double dailyEligibleUsers, double coverage = 1.0);

// ---------------------------------------------------------------------------------------
// Two-proportion z-test, control (c) against treatment (t).
//
//   p_c = X_c / N_c, p_t = X_t / N_t, diff = p_t - p_c
//   z = diff / sqrt( p (1 - p) (1/N_c + 1/N_t) ),  p = (X_c + X_t) / (N_c + N_t)   (pooled)
//   p-value = 2 * (1 - Phi(|z|))                                                     (two-sided)
//   Wald interval at 1 - a:  diff -+ z_{1-a/2} * sqrt( p_c(1-p_c)/N_c + p_t(1-p_t)/N_t )
//   relative lift = p_t / p_c - 1
//   relative interval (delta method on the log of the ratio of proportions):
//       log(p_t / p_c) -+ z_{1-a/2} * sqrt( 1/X_t - 1/N_t + 1/X_c - 1/N_c ),
//       exponentiated, minus 1 (Katz et al. 1978); it needs X_c > 0 and X_t > 0.
//
// Assumptions: independent users, normal approximation (roughly >= 10 conversions and
// non-conversions per arm). The pooled p-value (variance under "no difference") and the
// unpooled interval (variance at the observed rates) are the textbook pair; at the edge
// they can disagree (p just under a while the interval touches 0). When every user of
// both arms converted or none did, the pooled variance is 0 and so is the difference:
// z = 0 and p-value = 1. The Wald interval collapses to a point when each arm is at 0 or
// 1; treat such arms as "too few conversions to say".
// ---------------------------------------------------------------------------------------

struct ZTest {
    double controlRate = 0.0;
    double treatmentRate = 0.0;
    double diff = 0.0;  // p_t - p_c
    double z = 0.0;
    double pValue = 1.0;  // two-sided
    double ciLow = 0.0;   // Wald interval for diff at confidenceLevel
    double ciHigh = 0.0;
    double confidenceLevel = 0.95;        // 1 - alpha
    std::optional<double> relativeLift;   // absent when p_c = 0
    std::optional<double> relativeCiLow;  // absent when X_c = 0 or X_t = 0
    std::optional<double> relativeCiHigh;
};

// Errors: an arm with 0 users, conversions > users, alpha outside (0, 1).
Result<ZTest> zTest(ArmCounts control, ArmCounts treatment, double alpha = 0.05);

// One plain-language sentence for a product manager, e.g.
//   "Treatment converts better than control: +12.0% relative lift (95% CI +0.4% to +24.9%),
//    p = 0.041 < 0.05, significant."
// The verdict follows the p-value: significant when p < alpha = 1 - result.confidenceLevel.
// The effect is quoted as relative lift with its interval, or in percentage points when
// the control rate is 0 or an arm has no conversions.
std::string verdict(const ZTest& result);

// ---------------------------------------------------------------------------------------
// Sample-ratio mismatch: Pearson chi-square goodness of fit of the observed users per arm
// against the configured weights (normalised to sum to 1):
//   E_i = total * w_i / sum(w),  chi2 = sum (O_i - E_i)^2 / E_i,  df = k - 1,
//   p-value = P(Chi2_df >= chi2)
// A mismatch (p < threshold, 0.001 by default) means assignment or logging is broken and
// the experiment's results should not be trusted until it is explained.
// ---------------------------------------------------------------------------------------

struct SampleRatioCheck {
    double chiSquare = 0.0;
    int degreesOfFreedom = 0;
    double pValue = 1.0;
    bool mismatch = false;
    std::vector<double> expected;  // E_i, same order as the input
};

// Errors: fewer than 2 arms, sizes differ, a weight <= 0 or not finite, no users at all.
Result<SampleRatioCheck> sampleRatioMismatch(std::span<const std::uint64_t> observed, std::span<const double> weights,
                                             double threshold = 0.001);

// ---------------------------------------------------------------------------------------
// Holm-Bonferroni step-down adjustment for m simultaneous tests (each treatment arm against
// control). With p-values sorted ascending p_(1) <= ... <= p_(m):
//   adj_(i) = max_{j <= i} min(1, (m - j + 1) * p_(j))
// Rejecting every hypothesis with adj <= a controls the family-wise error rate at a under
// any dependence between the tests. Returned in the input order.
// Errors: a p-value outside [0, 1] or not finite.
// ---------------------------------------------------------------------------------------
Result<std::vector<double>> holmAdjust(std::span<const double> pValues);

}  // namespace recdeck::experiments

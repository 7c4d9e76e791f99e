#include "recdeck/experiments/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <utility>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include "checks.h"

namespace recdeck::experiments {

namespace {

using detail::number;

// Beyond this n the effect is too small to be a meaningful design (and n leaves the range
// where doubles count users exactly).
constexpr double kMaxUsersPerVariant = 1e15;

double normalQuantile(double p) {
    return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

double normalCdf(double z) {
    return boost::math::cdf(boost::math::normal_distribution<double>(), z);
}

// P(Z > z) without cancellation for large z.
double normalUpperTail(double z) {
    return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z));
}

// The formula's n for rates p1, p2 and zSum = z_{1-a/2} + z_{power}.
double usersPerVariant(double p1, double p2, double zSum) {
    const double pbar = 0.5 * (p1 + p2);
    const double diff = p2 - p1;
    return zSum * zSum * 2.0 * pbar * (1.0 - pbar) / (diff * diff);
}

// p2 from a baseline and an effect, validating both.
Result<double> treatmentRate(double baseline, double mde, EffectScale scale) {
    if (auto error = detail::checkOpenUnit("baseline", baseline, "a conversion rate")) return *error;
    if (!std::isfinite(mde) || mde == 0.0)
        return Error{"mde must be a non-zero finite effect (relative to the baseline unless absolute), got " +
                     number(mde)};
    const double p2 = scale == EffectScale::Relative ? baseline * (1.0 + mde) : baseline + mde;
    if (!detail::inOpenUnitInterval(p2))
        return Error{"baseline " + number(baseline) + " with " +
                     (scale == EffectScale::Relative ? "relative" : "absolute") + " mde " + number(mde) +
                     " gives a treatment rate of " + number(p2) + "; it must be strictly between 0 and 1"};
    return p2;
}

std::optional<Error> checkAlpha(double alpha) {
    return detail::checkOpenUnit("alpha", alpha, "a significance level");
}

std::optional<Error> checkPower(double alpha, double requestedPower) {
    if (auto error = detail::checkOpenUnit("power", requestedPower, "a probability")) return error;
    // Below a/2 the z-sum is negative and the formula answers a different question.
    if (requestedPower <= 0.5 * alpha)
        return Error{"power must exceed alpha / 2 (" + number(0.5 * alpha) + "), got " + number(requestedPower)};
    return std::nullopt;
}

std::string percent(double fraction, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%+.*f%%", decimals, 100.0 * fraction);
    return buffer;
}

std::string percentagePoints(double fraction) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%+.2f pp", 100.0 * fraction);
    return buffer;
}

std::string pValueText(double p) {
    if (p < 0.001) return "p < 0.001";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "p = %.3g", p);
    return buffer;
}

}  // namespace

Result<SampleSize> sampleSize(const SampleSizeRequest& request) {
    auto p2 = treatmentRate(request.baseline, request.mde, request.scale);
    if (!p2) return p2.error();
    if (auto error = checkAlpha(request.alpha)) return *error;
    if (auto error = checkPower(request.alpha, request.power)) return *error;

    SampleSize out;
    out.baseline = request.baseline;
    out.treatmentRate = *p2;
    // The effect as requested stays exact (0.1, not 0.10000000000000009); the other scale
    // is derived from p2.
    const bool relative = request.scale == EffectScale::Relative;
    out.absoluteEffect = relative ? *p2 - request.baseline : request.mde;
    out.relativeEffect = relative ? request.mde : (*p2 - request.baseline) / request.baseline;
    out.zAlpha = normalQuantile(1.0 - 0.5 * request.alpha);
    out.zPower = normalQuantile(request.power);
    out.perVariantExact = usersPerVariant(request.baseline, *p2, out.zAlpha + out.zPower);
    if (!(out.perVariantExact <= kMaxUsersPerVariant))
        return Error{"mde " + number(request.mde) + " is too small: it needs " + number(out.perVariantExact) +
                     " users per variant (more than " + number(kMaxUsersPerVariant) + ")"};
    out.perVariant = static_cast<std::int64_t>(std::floor(out.perVariantExact));
    return out;
}

Result<SampleSize> plannedSampleSize(SampleSizeRequest request, int treatments) {
    if (treatments < 1) return Error{"treatments: at least 1 treatment arm, got " + std::to_string(treatments)};
    if (auto error = checkAlpha(request.alpha)) return *error;
    request.alpha /= static_cast<double>(treatments);
    return sampleSize(request);
}

Result<double> power(const SampleSizeRequest& request, double users) {
    auto p2 = treatmentRate(request.baseline, request.mde, request.scale);
    if (!p2) return p2.error();
    if (auto error = checkAlpha(request.alpha)) return *error;
    if (!std::isfinite(users) || users <= 0.0)
        return Error{"n (users per variant) must be positive, got " + number(users)};
    const double pbar = 0.5 * (request.baseline + *p2);
    const double zPower = std::abs(*p2 - request.baseline) * std::sqrt(users / (2.0 * pbar * (1.0 - pbar))) -
                          normalQuantile(1.0 - 0.5 * request.alpha);
    return normalCdf(zPower);
}

Result<MinimumDetectableEffect> minimumDetectableEffect(double baseline, double users, double alpha,
                                                        double requestedPower, EffectDirection direction) {
    if (auto error = detail::checkOpenUnit("baseline", baseline, "a conversion rate")) return *error;
    if (auto error = checkAlpha(alpha)) return *error;
    if (auto error = checkPower(alpha, requestedPower)) return *error;
    if (!std::isfinite(users) || users <= 0.0 || users > kMaxUsersPerVariant)
        return Error{"n (users per variant) must be in (0, " + number(kMaxUsersPerVariant) + "], got " + number(users)};

    const double zSum = normalQuantile(1.0 - 0.5 * alpha) + normalQuantile(requestedPower);
    const double sign = direction == EffectDirection::Increase ? 1.0 : -1.0;
    // Room for the effect: p2 stays strictly inside (0, 1).
    const double room = direction == EffectDirection::Increase ? 1.0 - baseline : baseline;
    const auto logExcess = [&](double delta) {
        return std::log(usersPerVariant(baseline, baseline + sign * delta, zSum)) - std::log(users);
    };
    // n(delta) falls monotonically from +infinity (delta -> 0) to its value at the edge.
    const double low = room * 1e-12;
    const double high = room * (1.0 - 1e-12);
    const double fLow = logExcess(low);
    const double fHigh = logExcess(high);
    if (fHigh > 0.0)
        return Error{"n = " + number(users) + " users per variant is too small to detect any " +
                     (direction == EffectDirection::Increase ? "increase" : "decrease") + " from baseline " +
                     number(baseline) + " at this alpha and power; it needs at least " +
                     number(usersPerVariant(baseline, baseline + sign * high, zSum))};
    if (fLow <= 0.0)
        return Error{"n = " + number(users) + " users per variant is too large for baseline " + number(baseline)};

    std::uintmax_t iterations = 200;
    const auto bracket = boost::math::tools::toms748_solve(
        logExcess, low, high, fLow, fHigh,
        boost::math::tools::eps_tolerance<double>(std::numeric_limits<double>::digits - 3), iterations);
    const double delta = 0.5 * (bracket.first + bracket.second);

    MinimumDetectableEffect out;
    out.treatmentRate = baseline + sign * delta;
    out.absolute = sign * delta;
    out.relative = out.absolute / baseline;
    return out;
}

Result<Duration> experimentDuration(double perVariant, int variants, double dailyEligibleUsers, double coverage) {
    if (!std::isfinite(perVariant) || perVariant <= 0.0)
        return Error{"users per variant must be positive, got " + number(perVariant)};
    if (variants < 1) return Error{"variants must be at least 1, got " + std::to_string(variants)};
    if (!std::isfinite(dailyEligibleUsers) || dailyEligibleUsers <= 0.0)
        return Error{"daily eligible users must be positive, got " + number(dailyEligibleUsers)};
    if (!std::isfinite(coverage) || coverage <= 0.0 || coverage > 1.0)
        return Error{"coverage must be a traffic fraction in (0, 1], got " + number(coverage)};
    Duration out;
    out.days = perVariant * static_cast<double>(variants) / (dailyEligibleUsers * coverage);
    out.wholeDays = static_cast<std::int64_t>(std::ceil(out.days));
    return out;
}

Result<ZTest> zTest(ArmCounts control, ArmCounts treatment, double alpha) {
    if (auto error = detail::checkArm("control", control, true)) return *error;
    if (auto error = detail::checkArm("treatment", treatment, true)) return *error;
    if (auto error = checkAlpha(alpha)) return *error;

    const double nc = static_cast<double>(control.users);
    const double xc = static_cast<double>(control.conversions);
    const double nt = static_cast<double>(treatment.users);
    const double xt = static_cast<double>(treatment.conversions);

    ZTest out;
    out.confidenceLevel = 1.0 - alpha;
    out.controlRate = xc / nc;
    out.treatmentRate = xt / nt;
    out.diff = out.treatmentRate - out.controlRate;

    const double pooled = (xc + xt) / (nc + nt);
    const double pooledSe = std::sqrt(pooled * (1.0 - pooled) * (1.0 / nc + 1.0 / nt));
    // pooled is 0 or 1 only when both arms sit at the same rate, so diff is 0 too.
    out.z = pooledSe > 0.0 ? out.diff / pooledSe : 0.0;
    out.pValue = std::min(1.0, 2.0 * normalUpperTail(std::abs(out.z)));

    const double q = normalQuantile(1.0 - 0.5 * alpha);
    const double waldSe =
        std::sqrt(out.controlRate * (1.0 - out.controlRate) / nc + out.treatmentRate * (1.0 - out.treatmentRate) / nt);
    out.ciLow = out.diff - q * waldSe;
    out.ciHigh = out.diff + q * waldSe;

    if (control.conversions > 0) {
        out.relativeLift = out.diff / out.controlRate;
        if (treatment.conversions > 0) {
            const double logRatio = std::log(out.treatmentRate) - std::log(out.controlRate);
            const double logSe = std::sqrt((1.0 / xt - 1.0 / nt) + (1.0 / xc - 1.0 / nc));
            out.relativeCiLow = std::expm1(logRatio - q * logSe);
            out.relativeCiHigh = std::expm1(logRatio + q * logSe);
        }
    }
    return out;
}

std::string verdict(const ZTest& result) {
    const double alpha = 1.0 - result.confidenceLevel;
    char level[32];
    std::snprintf(level, sizeof level, "%.10g%%", 100.0 * result.confidenceLevel);
    char alphaText[32];
    std::snprintf(alphaText, sizeof alphaText, "%.10g", alpha);

    std::string effect;
    if (result.relativeLift && result.relativeCiLow && result.relativeCiHigh) {
        effect = percent(*result.relativeLift, 1) + " relative lift (" + level + " CI " +
                 percent(*result.relativeCiLow, 1) + " to " + percent(*result.relativeCiHigh, 1) + ")";
    } else {
        effect = percentagePoints(result.diff) + " absolute difference (" + level + " CI " +
                 percentagePoints(result.ciLow) + " to " + percentagePoints(result.ciHigh) + ")";
    }
    const std::string p = pValueText(result.pValue);
    if (result.pValue < alpha) {
        const char* direction = result.diff > 0.0 ? "better" : "worse";
        return std::string("Treatment converts ") + direction + " than control: " + effect + ", " + p +
               ", significant at " + alphaText + ".";
    }
    return "No significant difference at " + std::string(alphaText) + " (" + p + "): " + effect +
           "; the data are consistent with no effect.";
}

Result<SampleRatioCheck> sampleRatioMismatch(std::span<const std::uint64_t> observed, std::span<const double> weights,
                                             double threshold) {
    if (observed.size() < 2)
        return Error{"sample-ratio check needs at least 2 arms, got " + std::to_string(observed.size())};
    if (observed.size() != weights.size())
        return Error{"observed counts (" + std::to_string(observed.size()) + ") and weights (" +
                     std::to_string(weights.size()) + ") must have the same number of arms"};
    if (auto error = detail::checkOpenUnit("threshold", threshold, "a p-value threshold")) return *error;
    double weightSum = 0.0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (!std::isfinite(weights[i]) || weights[i] <= 0.0)
            return Error{"weight " + std::to_string(i + 1) + " must be positive, got " + number(weights[i])};
        weightSum += weights[i];
    }
    double total = 0.0;
    for (const std::uint64_t count : observed) total += static_cast<double>(count);
    if (total <= 0.0) return Error{"sample-ratio check needs at least one observed user"};

    SampleRatioCheck out;
    out.degreesOfFreedom = static_cast<int>(observed.size()) - 1;
    out.expected.reserve(observed.size());
    for (std::size_t i = 0; i < observed.size(); ++i) {
        const double expected = total * weights[i] / weightSum;
        const double residual = static_cast<double>(observed[i]) - expected;
        out.chiSquare += residual * residual / expected;
        out.expected.push_back(expected);
    }
    out.pValue = out.chiSquare > 0.0
                     ? boost::math::cdf(boost::math::complement(
                           boost::math::chi_squared_distribution<double>(out.degreesOfFreedom), out.chiSquare))
                     : 1.0;
    out.mismatch = out.pValue < threshold;
    return out;
}

Result<std::vector<double>> holmAdjust(std::span<const double> pValues) {
    for (std::size_t i = 0; i < pValues.size(); ++i)
        if (!std::isfinite(pValues[i]) || pValues[i] < 0.0 || pValues[i] > 1.0)
            return Error{"p-value " + std::to_string(i + 1) + " must be in [0, 1], got " + number(pValues[i])};
    const std::size_t m = pValues.size();
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pValues[a] < pValues[b]; });
    std::vector<double> adjusted(m, 1.0);
    double running = 0.0;
    for (std::size_t rank = 0; rank < m; ++rank) {
        const double scaled = std::min(1.0, static_cast<double>(m - rank) * pValues[order[rank]]);
        running = std::max(running, scaled);
        adjusted[order[rank]] = running;
    }
    return adjusted;
}

}  // namespace recdeck::experiments

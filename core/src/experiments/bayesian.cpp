#include "recdeck/experiments/bayesian.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "checks.h"

namespace recdeck::experiments {

namespace {

using BetaDistribution = boost::math::beta_distribution<double>;

// Grid for the quadrature: every arm contributes points mean + k kGridStep sd for
// |k kGridStep| <= kGridSpan.
constexpr int kGridSpan = 40;
constexpr int kGridStep = 2;
// Panels whose integrand stays below this fraction of the peak are dropped.
constexpr double kNegligible = 1e-18;
constexpr double kPanelTolerance = 1e-11;
constexpr unsigned kPanelMaxDepth = 8;

bool isWhole(double x) {
    return x >= 1.0 && x < 0x1.0p52 && std::floor(x) == x;
}

// log P(p_B > p_A) by Evan Miller's sum; requires aB whole. See BayesMethod::ClosedForm.
// Runs in long double: log T_0 is a difference of log-gammas of size ~N log N, and the
// product of up to millions of ratios would lose ~1e-8 in double. Terms are kept as
// T_i / exp(logScale), rescaled before they leave long double's range.
double logProbabilityGreaterBySum(double aAd, double bAd, double aBd, double bBd) {
    assert(isWhole(aBd));
    using Wide = long double;
    constexpr Wide kRescale = 1e-2000L;
    const Wide kRescaleLog = -2000.0L * std::log(10.0L);
    const Wide aA = aAd, bA = bAd, bB = bBd;
    Wide logScale = boost::math::lgamma(bA + bB) + boost::math::lgamma(aA + bA) - boost::math::lgamma(aA + bA + bB) -
                    boost::math::lgamma(bA);
    Wide term = 1.0L;
    Wide sum = 0.0L;
    const auto terms = static_cast<std::uint64_t>(aBd);
    for (std::uint64_t k = 0; k < terms; ++k) {
        sum += term;
        const auto i = static_cast<Wide>(k);
        const Wide ratioNumerator = (aA + i) * (bB + i);
        const Wide ratioDenominator = (aA + bA + bB + i) * (i + 1.0L);
        // Past the peak the terms decrease monotonically (numerator minus denominator,
        // aA bB - aA - bA - bB - i (bA + 1), only falls with i), so the rest of the sum is
        // at most (terms left) * current term.
        if (ratioNumerator < ratioDenominator && static_cast<Wide>(terms - k - 1) * term < sum * 1e-20L) break;
        term *= ratioNumerator / ratioDenominator;
        if (term > 1.0L / kRescale) {
            term *= kRescale;
            sum *= kRescale;
            logScale -= kRescaleLog;
        }
    }
    return static_cast<double>(logScale + std::log(sum));
}

// P(p_B > p_A) by the closed form, using whichever of the four equivalent sums computes the
// smaller tail with the fewest terms. Returns nullopt when the needed shape is not whole.
std::optional<double> probabilityGreaterClosedForm(const BetaPosterior& a, const BetaPosterior& b) {
    if (!isWhole(a.alpha) || !isWhole(a.beta) || !isWhole(b.alpha) || !isWhole(b.beta)) return std::nullopt;
    if (b.mean() <= a.mean()) {
        // P(B > A) is the small side: sum over aB (as is) or bA (p -> 1 - p maps
        // P(B > A) to P(1-A > 1-B), with 1-A ~ Beta(bA, aA) in the B slot).
        const double logP = b.alpha <= a.beta ? logProbabilityGreaterBySum(a.alpha, a.beta, b.alpha, b.beta)
                                              : logProbabilityGreaterBySum(b.beta, b.alpha, a.beta, a.alpha);
        return std::clamp(std::exp(logP), 0.0, 1.0);
    }
    // P(A > B) is the small side: swap the arms (sum over aA) or flip (sum over bB).
    const double logQ = a.alpha <= b.beta ? logProbabilityGreaterBySum(b.alpha, b.beta, a.alpha, a.beta)
                                          : logProbabilityGreaterBySum(a.beta, a.alpha, b.beta, b.alpha);
    return std::clamp(1.0 - std::exp(logQ), 0.0, 1.0);
}

// One arm prepared for the integrands.
struct Arm {
    BetaDistribution distribution;
    double mean;
    double sd;

    explicit Arm(const BetaPosterior& posterior)
        : distribution(posterior.alpha, posterior.beta), mean(posterior.mean()), sd(posterior.standardDeviation()) {}

    double pdf(double x) const { return boost::math::pdf(distribution, x); }
    double cdf(double x) const { return boost::math::cdf(distribution, x); }
    double survival(double x) const { return boost::math::cdf(boost::math::complement(distribution, x)); }
    // log F(x), accurate in both tails: below the mean F is the small side and computed
    // directly, above it the survival function is, and log F = log1p(-survival).
    double logCdf(double x) const { return x <= mean ? std::log(cdf(x)) : std::log1p(-survival(x)); }
};

// Integral over [0, 1] of a non-negative integrand concentrated within kGridSpan standard
// deviations of the arms' means. See BayesMethod::Quadrature.
template <typename Integrand>
double integrateOverArms(const std::vector<Arm>& arms, const Integrand& integrand) {
    std::vector<double> grid;
    grid.reserve(arms.size() * (2 * kGridSpan / kGridStep + 1));
    for (const Arm& arm : arms)
        for (int k = -kGridSpan; k <= kGridSpan; k += kGridStep)
            grid.push_back(std::clamp(arm.mean + k * arm.sd, 0.0, 1.0));
    std::sort(grid.begin(), grid.end());
    grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
    if (grid.size() < 2) return 0.0;

    std::vector<double> values(grid.size());
    double peak = 0.0;
    for (std::size_t i = 0; i < grid.size(); ++i) {
        values[i] = integrand(grid[i]);
        peak = std::max(peak, values[i]);
    }
    if (!(peak > 0.0)) return 0.0;

    // The integrand can reach past every arm's window: a skewed posterior (Beta(211, 1)
    // decays like x^210) multiplied by a far tail peaks where both are tiny, and the tail
    // that matters is then measured against that small peak. Extend each end in doubling
    // steps while the integrand there is not negligible (at most ~64 steps to reach 0 or 1).
    std::vector<double> leftX, leftValues, rightX, rightValues;
    for (double step = grid[1] - grid[0], x = grid.front(), value = values.front();
         x > 0.0 && value >= kNegligible * peak; step *= 2.0) {
        x = std::max(0.0, x - step);
        value = integrand(x);
        peak = std::max(peak, value);
        leftX.push_back(x);
        leftValues.push_back(value);
    }
    for (double step = grid[grid.size() - 1] - grid[grid.size() - 2], x = grid.back(), value = values.back();
         x < 1.0 && value >= kNegligible * peak; step *= 2.0) {
        x = std::min(1.0, x + step);
        value = integrand(x);
        peak = std::max(peak, value);
        rightX.push_back(x);
        rightValues.push_back(value);
    }
    if (!leftX.empty() || !rightX.empty()) {
        std::vector<double> allX(leftX.rbegin(), leftX.rend());
        std::vector<double> allValues(leftValues.rbegin(), leftValues.rend());
        allX.insert(allX.end(), grid.begin(), grid.end());
        allValues.insert(allValues.end(), values.begin(), values.end());
        allX.insert(allX.end(), rightX.begin(), rightX.end());
        allValues.insert(allValues.end(), rightValues.begin(), rightValues.end());
        grid = std::move(allX);
        values = std::move(allValues);
    }

    // An integrand that moves on the scale of the narrowest posterior, sd_min, cannot be
    // evaluated more precisely than ~eps / sd_min relative (x itself is rounded to eps):
    // asking the error estimate for less would subdivide noise to the maximum depth.
    double narrowest = 1.0;
    for (const Arm& arm : arms) narrowest = std::min(narrowest, arm.sd);
    const double tolerance =
        std::max(kPanelTolerance, 32.0 * std::numeric_limits<double>::epsilon() / std::max(narrowest, 1e-300));

    double total = 0.0;
    for (std::size_t i = 0; i + 1 < grid.size(); ++i) {
        if (std::max(values[i], values[i + 1]) < kNegligible * peak) continue;
        // Integrated over the unit interval and rescaled: Boost 1.74's Gauss-Kronrod error
        // estimate has an absolute floor of ~4 eps |f| that does not shrink with the panel
        // width, so narrow panels would otherwise subdivide to the maximum depth.
        const double left = grid[i];
        const double width = grid[i + 1] - grid[i];
        total +=
            width * boost::math::quadrature::gauss_kronrod<double, 15>::integrate(
                        [&](double u) { return integrand(left + width * u); }, 0.0, 1.0, kPanelMaxDepth, tolerance);
    }
    return total;
}

// E[max_{j != i} p_j - p_i]^+ = integral F_i(x) (1 - prod_{j != i} F_j(x)) dx.
double expectedLossQuadrature(const std::vector<Arm>& arms, std::size_t i) {
    return integrateOverArms(arms, [&](double x) {
        double logOthers = 0.0;
        for (std::size_t j = 0; j < arms.size(); ++j)
            if (j != i) logOthers += arms[j].logCdf(x);
        return arms[i].cdf(x) * -std::expm1(logOthers);
    });
}

double probabilityBestQuadrature(const std::vector<Arm>& arms, std::size_t i) {
    return integrateOverArms(arms, [&](double x) {
        double product = arms[i].pdf(x);
        for (std::size_t j = 0; j < arms.size() && product > 0.0; ++j)
            if (j != i) product *= arms[j].cdf(x);
        return product;
    });
}

std::vector<Arm> prepare(std::span<const BetaPosterior> posteriors) {
    std::vector<Arm> arms;
    arms.reserve(posteriors.size());
    for (const BetaPosterior& posterior : posteriors) arms.emplace_back(posterior);
    return arms;
}

}  // namespace

BetaPosterior BetaPosterior::fromCounts(ArmCounts counts) {
    assert(counts.conversions <= counts.users);
    return {1.0 + static_cast<double>(counts.conversions),
            1.0 + static_cast<double>(counts.users - counts.conversions)};
}

double BetaPosterior::standardDeviation() const {
    const double sum = alpha + beta;
    return std::sqrt(alpha * beta / (sum * sum * (sum + 1.0)));
}

double probabilityGreater(const BetaPosterior& a, const BetaPosterior& b, BayesMethod method) {
    if (method == BayesMethod::ClosedForm)
        if (const auto exact = probabilityGreaterClosedForm(a, b)) return *exact;
    // P(B > A) = integral pdf_A(x) (1 - F_B(x)) dx.
    const BetaPosterior pair[] = {a, b};
    const std::vector<Arm> arms = prepare(pair);
    return std::clamp(integrateOverArms(arms, [&](double x) { return arms[0].pdf(x) * arms[1].survival(x); }), 0.0,
                      1.0);
}

double expectedLoss(const BetaPosterior& a, const BetaPosterior& b, BayesMethod method) {
    if (method == BayesMethod::ClosedForm && isWhole(a.alpha) && isWhole(a.beta) && isWhole(b.alpha) &&
        isWhole(b.beta)) {
        const BetaPosterior bPlus{b.alpha + 1.0, b.beta};
        const BetaPosterior aPlus{a.alpha + 1.0, a.beta};
        const double loss = b.mean() * probabilityGreater(a, bPlus) - a.mean() * probabilityGreater(aPlus, b);
        return std::max(0.0, loss);
    }
    const BetaPosterior pair[] = {a, b};
    return expectedLossQuadrature(prepare(pair), 0);
}

Result<BayesComparison> compareBayes(ArmCounts control, ArmCounts treatment) {
    if (auto error = detail::checkArm("control", control, false)) return *error;
    if (auto error = detail::checkArm("treatment", treatment, false)) return *error;
    BayesComparison out;
    out.control = BetaPosterior::fromCounts(control);
    out.treatment = BetaPosterior::fromCounts(treatment);
    out.chanceToBeatControl = probabilityGreater(out.control, out.treatment, BayesMethod::ClosedForm);
    out.expectedLossControl = expectedLoss(out.control, out.treatment, BayesMethod::Quadrature);
    out.expectedLossTreatment = expectedLoss(out.treatment, out.control, BayesMethod::Quadrature);
    return out;
}

std::vector<double> probabilityBest(std::span<const BetaPosterior> posteriors) {
    const std::vector<Arm> arms = prepare(posteriors);
    std::vector<double> out(arms.size(), 0.0);
    if (arms.size() == 1) out[0] = 1.0;
    if (arms.size() < 2) return out;
    for (std::size_t i = 0; i < arms.size(); ++i) out[i] = std::clamp(probabilityBestQuadrature(arms, i), 0.0, 1.0);
    return out;
}

Result<MultiArmBayes> compareBayesArms(std::span<const ArmCounts> counts, std::size_t controlIndex) {
    if (counts.size() < 2)
        return Error{"a Bayesian comparison needs at least 2 arms, got " + std::to_string(counts.size())};
    if (controlIndex >= counts.size())
        return Error{"control index " + std::to_string(controlIndex) + " is out of range for " +
                     std::to_string(counts.size()) + " arms"};
    MultiArmBayes out;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (auto error = detail::checkArm("arm " + std::to_string(i + 1), counts[i], false)) return *error;
        out.posteriors.push_back(BetaPosterior::fromCounts(counts[i]));
    }
    const BetaPosterior& control = out.posteriors[controlIndex];
    for (std::size_t i = 0; i < counts.size(); ++i)
        out.chanceToBeatControl.push_back(
            i == controlIndex ? 0.5 : probabilityGreater(control, out.posteriors[i], BayesMethod::ClosedForm));
    out.chanceToBeBest = probabilityBest(out.posteriors);
    const std::vector<Arm> arms = prepare(out.posteriors);
    for (std::size_t i = 0; i < arms.size(); ++i) out.expectedLoss.push_back(expectedLossQuadrature(arms, i));
    return out;
}

}  // namespace recdeck::experiments

#include "recdeck/experiments/sequential.h"

#include <algorithm>
#include <cmath>

#include "checks.h"

namespace recdeck::experiments {

Result<SequentialLook> sequentialLook(ArmCounts control, ArmCounts treatment, const SequentialOptions& options) {
    if (auto error = detail::checkArm("control", control, true)) return *error;
    if (auto error = detail::checkArm("treatment", treatment, true)) return *error;
    if (auto error = detail::checkOpenUnit("alpha", options.alpha, "a significance level")) return *error;
    if (!std::isfinite(options.tau) || options.tau <= 0.0 || options.tau >= 1.0)
        return Error{"tau (mixing standard deviation of the effect, absolute rate) must be in (0, 1), got " +
                     detail::number(options.tau)};

    const double nc = static_cast<double>(control.users);
    const double nt = static_cast<double>(treatment.users);
    const double pc = static_cast<double>(control.conversions) / nc;
    const double pt = static_cast<double>(treatment.conversions) / nt;
    const double pooled = static_cast<double>(control.conversions + treatment.conversions) / (nc + nt);
    const double tau2 = options.tau * options.tau;

    SequentialLook look;
    look.diff = pt - pc;

    // Test of theta = 0 with the pooled variance. V = 0 only when both arms sit at 0 or
    // both at 1, where there is no evidence either way: Lambda = 0 leaves the p-value alone.
    const double v = pooled * (1.0 - pooled) * (1.0 / nc + 1.0 / nt);
    if (v > 0.0) {
        const double logLambda = 0.5 * std::log(v / (v + tau2)) + tau2 * look.diff * look.diff / (2.0 * v * (v + tau2));
        look.likelihoodRatio = std::exp(std::min(logLambda, 700.0));
        look.pValue = std::min(1.0, std::exp(-logLambda));
    } else {
        look.likelihoodRatio = 0.0;
        look.pValue = 1.0;
    }

    // Confidence sequence with the unpooled variance (zero-width when both arms are at 0 or
    // 1, like the Wald interval).
    const double vu = pc * (1.0 - pc) / nc + pt * (1.0 - pt) / nt;
    if (vu > 0.0) {
        const double radius =
            std::sqrt(vu * (vu + tau2) / tau2 * (2.0 * std::log(1.0 / options.alpha) + std::log((vu + tau2) / vu)));
        look.ciLow = std::max(-1.0, look.diff - radius);
        look.ciHigh = std::min(1.0, look.diff + radius);
    } else {
        look.ciLow = look.diff;
        look.ciHigh = look.diff;
    }
    return look;
}

SequentialMonitor::SequentialMonitor(SequentialOptions options) : m_options(options) {}

SequentialMonitor::SequentialMonitor(SequentialOptions options, State state)
    : m_options(options), m_looks(state.looks), m_pValue(state.pValue), m_ciLow(state.ciLow), m_ciHigh(state.ciHigh) {}

Result<SequentialLook> SequentialMonitor::update(ArmCounts control, ArmCounts treatment) {
    auto look = sequentialLook(control, treatment, m_options);
    if (!look) return look;
    ++m_looks;
    m_pValue = std::min(m_pValue, look->pValue);
    const double low = std::max(m_ciLow, look->ciLow);
    const double high = std::min(m_ciHigh, look->ciHigh);
    if (low <= high) {
        m_ciLow = low;
        m_ciHigh = high;
    }
    return look;
}

}  // namespace recdeck::experiments

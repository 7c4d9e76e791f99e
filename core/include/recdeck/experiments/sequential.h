#pragma once
// Peeking-safe readout: the mixture sequential probability ratio test (mSPRT) of Johari,
// Koomen, Pekelis and Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests"
// (Operations Research, 2022; "Peeking at A/B Tests", KDD 2017), for the difference of two
// conversion rates. Its p-value and confidence sequence stay valid however often the
// results are looked at and whenever the experiment is stopped: the chance that the
// always-valid p-value ever drops to alpha or below under "no difference" is <= alpha.
//
// At a look with N_c, N_t users and X_c, X_t conversions (cumulative):
//   theta_hat = p_t - p_c
//   V         = sigma^2 (1/N_c + 1/N_t), sigma^2 = p (1 - p), p = pooled rate  (test)
//   Lambda    = sqrt(V / (V + tau^2)) * exp( tau^2 theta_hat^2 / (2 V (V + tau^2)) )
// which is the likelihood ratio of theta ~ N(0, tau^2) against theta = 0 for a normal
// theta_hat with variance V (with equal arms of n users, V = 2 sigma^2 / n and this is
// Johari et al.'s two-sample formula). The always-valid p-value is
//   p_k = min(p_{k-1}, 1 / Lambda_k),  p_0 = 1,
// and "significant" means p_k <= alpha. The confidence sequence at a look is
//   theta_hat -+ sqrt( V_u (V_u + tau^2) / tau^2 * (2 log(1/alpha) + log((V_u + tau^2) / V_u)) )
// with the unpooled V_u = p_c(1-p_c)/N_c + p_t(1-p_t)/N_t (as for the Wald interval); the
// running intersection over looks is reported too.
//
// Mixing variance: tau is the standard deviation of the effects the test is tuned for, in
// absolute rate units. The test is most powerful for |theta| around tau; a common choice,
// and the CLI's default, is tau = the absolute minimum detectable effect of the design
// (baseline * relative MDE). tau must be fixed before the data are seen.
//
// Assumptions: independent users, the normal approximation of theta_hat (start looking
// after ~100 users and a few conversions per arm), and the plug-in variance; with these
// the guarantee is asymptotic, and the tests check it by simulation.
//
// Thread safety: functions are pure; a SequentialMonitor is a value, not synchronised.

#include <optional>

#include "recdeck/common/result.h"
#include "recdeck/experiments/statistics.h"

namespace recdeck::experiments {

struct SequentialOptions {
    double alpha = 0.05;  // in (0, 1)
    double tau = 0.0;     // mixing standard deviation, absolute rate units, > 0
};

// The evidence at one look, on its own (no history).
struct SequentialLook {
    double diff = 0.0;             // theta_hat = p_t - p_c
    double likelihoodRatio = 1.0;  // Lambda, >= 0 (0 when every user converted or none did)
    double pValue = 1.0;           // min(1, 1 / Lambda)
    double ciLow = -1.0;           // confidence-sequence interval at this look
    double ciHigh = 1.0;
};

// Errors: an arm with 0 users, conversions > users, alpha or tau out of range.
Result<SequentialLook> sequentialLook(ArmCounts control, ArmCounts treatment, const SequentialOptions& options);

// Continuous monitoring: feed cumulative counts at every look, in time order.
class SequentialMonitor {
public:
    // Everything a monitor has learnt, to save and restore it (checkpoints, frozen runs).
    struct State {
        int looks = 0;
        double pValue = 1.0;
        double ciLow = -1.0;
        double ciHigh = 1.0;
    };

    explicit SequentialMonitor(SequentialOptions options);
    SequentialMonitor(SequentialOptions options, State state);

    // Adds a look; returns it, or an Error (the monitor is then unchanged).
    Result<SequentialLook> update(ArmCounts control, ArmCounts treatment);

    int looks() const { return m_looks; }
    double alwaysValidPValue() const { return m_pValue; }  // running minimum, starts at 1
    bool significant() const { return m_pValue <= m_options.alpha; }
    // Running intersection of the per-look intervals, [-1, 1] before the first look. A look
    // whose interval would empty the intersection (possible only when the model is off)
    // leaves it unchanged.
    double ciLow() const { return m_ciLow; }
    double ciHigh() const { return m_ciHigh; }
    const SequentialOptions& options() const { return m_options; }
    State state() const { return {m_looks, m_pValue, m_ciLow, m_ciHigh}; }

private:
    SequentialOptions m_options;
    int m_looks = 0;
    double m_pValue = 1.0;
    double m_ciLow = -1.0;
    double m_ciHigh = 1.0;
};

}  // namespace recdeck::experiments

#pragma once
// ExperimentResults: the readout of one experiment from its per-variant counts, with the
// statistics of statistics.h, bayesian.h and sequential.h.
//
// Metrics per variant (counts attributed by experiment_tracker.h):
//   click_rate       = users with >= 1 click / users          (binomial over users)
//   conversion_rate  = users with >= 1 conversion / users     (binomial over users)
//   ctr              = clicks / items shown                    (descriptive; see below)
// Users are the randomisation unit, so the two per-user rates are what the tests use.
//
// For each treatment against the control (variants[0]), on the primary metric:
//   - two-proportion z-test (statistics.h zTest): absolute difference with its Wald
//     interval, relative lift with its interval (Katz), pooled z and two-sided p-value;
//   - Holm-adjusted p-values across the treatments (holmAdjust; equal to the raw p-value
//     with one treatment); "significant" means adjusted p < plan.alpha;
//   - Bayes (compareBayes): chance to beat control, expected loss of shipping either arm;
//   - the mSPRT always-valid p-value and confidence sequence (sequential.h), "peeking-safe":
//     valid however often the results are read. Its mixing tau = baseline * relative
//     effect of the plan (the baseline is the control's observed rate at the first look
//     when the plan gives none) and looks are taken by the tracker (each minute of events
//     and each results() call), once both arms have >= 100 users and >= 10 successes;
//   - the planned sample size per variant (statistics.h plannedSampleSize at the plan's
//     baseline, relative effect, alpha and power, corrected for the number of treatments
//     as the Holm adjustment needs) and the days still needed at the traffic so far
//     (users per arm per day since the start, per arm, the slower arm decides).
// Guardrail metrics get the same z-test (unadjusted); a guardrail is "harmed" when the
// treatment is significantly worse on it (p < alpha).
//
// CTR as a metric: clicks of one user are not independent, so the ctr comparison uses the
// delta method on per-user sums (c_u clicks, n_u items shown per user u, over the n users
// of an arm): R = sum c / sum n,
//   Var(R) = (s_cc - 2 R s_cn + R^2 s_nn) / (n * nbar^2)
// with s the sample (co)variances of c_u and n_u and nbar = mean n_u; difference
// z = (R_t - R_c) / sqrt(Var_t + Var_c) (unpooled), chance to beat control and expected
// loss from the normal approximation of R_t - R_c. Neither the sample-size plan nor the
// mSPRT applies to a ratio metric; they are left out for a ctr primary.
//
// Sample-ratio mismatch: users per variant against the configured weights (chi-square,
// mismatch at p < 0.001). Not applicable in Thompson mode (the weights move by design).
//
// Thompson mode: users may switch variants when the weights move, and early arms got
// different traffic shares than late ones; the z-test's fixed-allocation assumption does
// not hold, so read chance to be best there (a note says so).
//
// Thread safety: functions are pure.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/common/result.h"
#include "recdeck/experiments/experiment.h"
#include "recdeck/experiments/sequential.h"
#include "recdeck/experiments/statistics.h"

namespace recdeck::experiments {

// Smallest arms the readout judges (the normal approximation's rule of thumb).
inline constexpr std::uint64_t kMinUsersPerArm = 100;
inline constexpr std::uint64_t kMinSuccessesPerArm = 10;

// What the tracker counted for one variant of one run.
struct VariantCounts {
    std::uint64_t users = 0;        // distinct users with >= 1 impression in the variant
    std::uint64_t lists = 0;        // impressions (lists) shown
    std::uint64_t itemsShown = 0;   // items in those lists
    std::uint64_t clicks = 0;       // attributed clicks
    std::uint64_t conversions = 0;  // attributed add_to_cart + purchase events
    std::uint64_t clickers = 0;     // users with >= 1 attributed click
    std::uint64_t converters = 0;   // users with >= 1 attributed conversion
    // Per-user sums for the delta method: sum c_u^2, sum n_u^2, sum c_u n_u.
    std::uint64_t sumClicksSquared = 0;
    std::uint64_t sumItemsSquared = 0;
    std::uint64_t sumClicksItems = 0;

    double clickRate() const;
    double conversionRate() const;
    double ctr() const;
    // The metric's value (one of the three above) and its numerator (users with a click,
    // users with a conversion, clicks).
    double value(Metric metric) const;
    std::uint64_t successes(Metric metric) const;
    // (users, successes) of a per-user metric; click_rate for ctr.
    ArmCounts arm(Metric metric) const;
    bool operator==(const VariantCounts&) const = default;
};

struct VariantResult {
    std::string name;
    bool control = false;
    double weight = 0.0;        // configured, normalised
    double trafficShare = 0.0;  // current effective weight (Thompson: the bandit's)
    VariantCounts counts;
    double clickRate = 0.0;
    double conversionRate = 0.0;
    double ctr = 0.0;
    double primary = 0.0;                  // the primary metric's value
    std::optional<double> chanceToBeBest;  // per-user primary metrics only
};

// One metric, treatment against control.
struct MetricComparison {
    Metric metric = Metric::ClickRate;
    bool available = false;  // false: an arm has no users (or no items for ctr)
    double controlValue = 0.0;
    double treatmentValue = 0.0;
    double diff = 0.0;  // treatment - control, absolute
    double ciLow = 0.0;
    double ciHigh = 0.0;
    std::optional<double> relativeLift;  // treatment / control - 1
    std::optional<double> relativeCiLow;
    std::optional<double> relativeCiHigh;
    double z = 0.0;
    double pValue = 1.0;  // two-sided, unadjusted
};

struct SequentialResult {
    bool available = false;  // false before the first look (or for a ctr primary)
    bool peekingSafe = true;
    int looks = 0;
    double tau = 0.0;
    double pValue = 1.0;  // always-valid (running minimum over looks)
    double ciLow = -1.0;  // confidence sequence (running intersection)
    double ciHigh = 1.0;
    bool significant = false;  // pValue <= alpha
};

enum class VerdictKind {
    NotStarted,     // a draft
    NotEnoughData,  // below the minimum arm sizes, or not significant before the planned sample
    Winning,        // treatment significantly better
    Losing,         // treatment significantly worse
    NoDifference,   // not significant after the planned sample
    SampleRatioMismatch,
};
// "not_started", "not_enough_data", "winning", "losing", "no_difference", "sample_ratio_mismatch".
std::string_view verdictName(VerdictKind kind);

struct Comparison {
    std::string variant;
    MetricComparison primary;
    double pValueHolm = 1.0;
    bool significant = false;  // pValueHolm < alpha
    std::optional<double> chanceToBeatControl;
    std::optional<double> expectedLossControl;    // of shipping control, rate units
    std::optional<double> expectedLossTreatment;  // of shipping this treatment
    SequentialResult sequential;
    std::vector<MetricComparison> guardrails;
    std::vector<Metric> harmedGuardrails;
    std::optional<std::int64_t> plannedUsersPerVariant;
    std::optional<double> daysRemaining;  // to the planned sample, at the traffic so far
    bool safeToStop = false;
    VerdictKind kind = VerdictKind::NotEnoughData;
    std::string verdict;
};

struct SrmResult {
    bool applicable = false;
    bool mismatch = false;
    double chiSquare = 0.0;
    double pValue = 1.0;
    std::vector<std::uint64_t> observed;
    std::vector<double> expected;
    std::string note;  // why not applicable, or what a mismatch means
};

struct ExperimentResults {
    std::string key;
    ExperimentState state = ExperimentState::Draft;
    Metric primaryMetric = Metric::ClickRate;
    AllocationMode allocation = AllocationMode::Fixed;
    std::int64_t startedAtMs = 0;
    std::int64_t stoppedAtMs = 0;
    std::int64_t computedAtMs = 0;
    double alpha = 0.05;
    std::vector<VariantResult> variants;
    std::vector<Comparison> comparisons;  // one per treatment, in variant order
    SrmResult srm;
    VerdictKind kind = VerdictKind::NotStarted;
    std::string verdict;
    std::vector<std::string> notes;
};

// What the tracker knows beyond the counts.
struct AnalysisInputs {
    std::int64_t nowMs = 0;  // for the days estimate (stoppedAt is used once stopped)
    // Per treatment (index 0 = variants[1]): the sequential monitor of its primary metric,
    // when looks have been taken.
    std::vector<std::optional<SequentialMonitor>> sequential;
};

// The readout. counts has one entry per variant. Errors only on inconsistent input
// (counts of another size, successes above users).
Result<ExperimentResults> analyze(const Experiment& experiment, std::span<const VariantCounts> counts,
                                  const AnalysisInputs& inputs = {});

// The ctr comparison by the delta method (above). available = false when an arm has fewer
// than 2 users or no items shown.
MetricComparison compareCtr(const VariantCounts& control, const VariantCounts& treatment, double alpha);

// The HTTP / console form:
//   {"key", "state", "primary_metric", "allocation", "started_at", "stopped_at", "computed_at",
//    "alpha", "status", "verdict", "notes": [...],
//    "variants": [{"name", "control", "weight", "traffic_share", "users", "impressions"
//                  (items shown), "lists", "clicks", "conversions", "clickers", "converters",
//                  "click_rate", "conversion_rate", "ctr", "primary", "chance_to_be_best"}],
//    "comparisons": [{"variant", "metric", "control_value", "treatment_value", "diff",
//                     "ci_low", "ci_high", "relative_lift", "relative_ci_low",
//                     "relative_ci_high", "z", "p_value", "p_value_holm", "significant",
//                     "chance_to_beat_control", "expected_loss_control",
//                     "expected_loss_treatment", "sequential": {"peeking_safe", "p_value",
//                     "ci_low", "ci_high", "significant", "looks", "tau"},
//                     "guardrails": [{"metric", ..., "harmed"}], "planned_users_per_variant",
//                     "days_remaining", "safe_to_stop", "status", "verdict"}],
//    "srm": {"applicable", "mismatch", "p_value", "chi_square", "observed", "expected", "note"}}
// Absent values (no relative lift, no sequential look yet) are null.
nlohmann::json toJson(const ExperimentResults& results);

}  // namespace recdeck::experiments

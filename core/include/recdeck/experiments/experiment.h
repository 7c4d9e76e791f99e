#pragma once
// Experiment: the definition and lifecycle state of one A/B experiment, as the registry
// stores it and every instance sharing a store reads it.
//
// Lifecycle: Draft -> Running -> Stopped, and Running/Stopped -> Running again only by a
// restart with a new salt (experiment_registry.h enforces the moves). Times are
// milliseconds since the Unix epoch, 0 = not yet.
//
// Allocation: which users see which variant is decided by the salt, the variants' names
// and weights, the coverage, the layer and the allocation mode (assignment.h gives the
// exact hashing). Those fields are "the allocation": they may change only while the
// experiment is a draft, or through a restart, so that every user of one run stays in one
// variant (fixed-weight mode).
//
// Thread safety: plain values.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"

namespace recdeck::experiments {

// Buckets of the assignment hash (assignment.h): 10,000, so a weight or coverage is
// honoured to 0.01 %.
inline constexpr std::uint32_t kBuckets = 10'000;
// Variants per experiment, at most (each needs at least one bucket).
inline constexpr std::size_t kMaxVariants = 16;
// Longest variant name, in bytes (printable UTF-8; names become metrics labels).
inline constexpr std::size_t kMaxVariantNameBytes = 64;

enum class ExperimentState { Draft, Running, Stopped };
// "draft", "running", "stopped".
std::string_view stateName(ExperimentState state);
std::optional<ExperimentState> parseState(std::string_view name);

enum class AllocationMode {
    Fixed,     // variants keep their configured weights for the whole run
    Thompson,  // weights follow Thompson sampling on the primary metric (bandit.h)
};
// "fixed", "thompson".
std::string_view allocationName(AllocationMode mode);
std::optional<AllocationMode> parseAllocation(std::string_view name);

// The metrics an experiment can be judged on.
enum class Metric {
    ClickRate,       // "click_rate": users with >= 1 attributed click / users (binomial per user)
    ConversionRate,  // "conversion_rate": users with >= 1 attributed add_to_cart or purchase / users
    Ctr,             // "ctr": attributed clicks / items shown (a ratio of sums; see experiment_results.h)
};
std::string_view metricName(Metric metric);
std::optional<Metric> parseMetric(std::string_view name);
// "click rate", "conversion rate", "CTR": for sentences.
std::string_view metricLabel(Metric metric);

// How a variant ranks its list. Mirrors the fields of ranking::RankingParams the experiment
// may vary (the experiments module does not depend on ranking or serving).
struct VariantRanking {
    bool diversity = true;        // false: rank by model score alone
    double mmrLambda = 0.8;       // in [0, 1]; 1 = relevance only
    std::size_t categoryCap = 3;  // most items of one category in a list; 0 = no cap
    bool operator==(const VariantRanking&) const = default;
};

struct Variant {
    std::string name;                       // unique in the experiment, 1-64 printable bytes
    double weight = 1.0;                    // > 0; normalised to sum 1 by validation
    std::string model;                      // model registry name; "" = the default model
    std::optional<VariantRanking> ranking;  // nullopt = the service's default ranking
    bool operator==(const Variant&) const = default;
};

// What the readout plans for: the effect the experiment should detect, used for the
// "how much longer" estimate (sample size) and to tune the peeking-safe test.
struct ExperimentPlan {
    // Expected control rate of the primary metric, in (0, 1); 0 = take the control's
    // observed rate (frozen at the first sequential look).
    double baseline = 0.0;
    double relativeEffect = 0.10;  // minimum detectable effect relative to the baseline, > 0
    double alpha = 0.05;           // two-sided significance level, in (0, 0.5]
    double power = 0.8;            // in (0.5, 1)
    bool operator==(const ExperimentPlan&) const = default;
};

struct Experiment {
    // --- definition ---
    std::string key;                // [A-Za-z0-9_.-]{1,64}
    std::string description;        // free text, at most 4,000 bytes
    std::string salt;               // generated when empty; at most 128 bytes
    std::vector<Variant> variants;  // 2-16; variants[0] is the control
    double coverage = 1.0;          // fraction of users in the experiment, in (0, 1]
    std::string layer;              // "" = none; else [A-Za-z0-9_.-]{1,64}: an exclusion group
    AllocationMode allocation = AllocationMode::Fixed;
    Metric primaryMetric = Metric::ClickRate;
    std::vector<Metric> guardrails;  // distinct, not the primary
    ExperimentPlan plan;

    // --- state (set by the registry; ignored when a definition is submitted) ---
    ExperimentState state = ExperimentState::Draft;
    std::int64_t createdAtMs = 0;
    std::int64_t startedAtMs = 0;  // start of the current run; 0 = never started
    std::int64_t stoppedAtMs = 0;  // 0 while running or never stopped
    std::int64_t updatedAtMs = 0;
    std::uint64_t revision = 0;  // +1 on every change, for diagnostics
    // The window of traffic buckets [trafficBegin, trafficEnd) held while running
    // (assignment.h "Windows"); empty while it waits for users.
    std::uint32_t trafficBegin = 0;
    std::uint32_t trafficEnd = 0;
    // Thompson mode: the current traffic shares (same order as variants, sum 1); empty
    // until the first recomputation, meaning the configured weights.
    std::vector<double> banditWeights;
    std::int64_t banditUpdatedAtMs = 0;
    // A stopped run's readout kept for good (ExperimentTracker::freezeSnapshot, JSON), so
    // it reads the same in every backend and after every restart; "" until it is frozen,
    // and cleared by a restart.
    std::string frozenResults;

    const Variant& control() const { return variants.front(); }
    // The weights assignment uses now: banditWeights when set (Thompson mode), else the
    // configured weights.
    std::vector<double> effectiveWeights() const;
    // Buckets of the experiment's traffic: round(coverage * kBuckets).
    std::uint32_t coverageBuckets() const;

    bool operator==(const Experiment&) const = default;
};

// True when a and b differ in what decides a user's variant: salt, variant names and
// weights (and count), coverage, layer or allocation mode.
bool allocationDiffers(const Experiment& a, const Experiment& b);
// True when a and b differ in what a variant serves (model or ranking).
bool treatmentDiffers(const Experiment& a, const Experiment& b);

// Checks a definition and returns it normalised (weights summing to 1, defaults filled
// in). Messages name the field: "variants[1].weight: must be > 0, got -1". State fields
// are not checked. The salt is left empty if it was (the registry generates it).
Result<Experiment> validated(Experiment experiment);
// Key syntax alone: "" when valid, else why not.
std::string keyProblem(std::string_view key);

// A fresh random salt: 16 lower-case hex digits.
std::string generateSalt();

}  // namespace recdeck::experiments

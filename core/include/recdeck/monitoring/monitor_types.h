#pragma once
// The value types of live monitoring (Monitor, monitor.h): what a request reports, which
// time series can be read back, and the windowed summary behind the dashboard's tiles.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/cache/cache_entry.h"

namespace recdeck::monitoring {

// A small id for an "experiment:variant" string, from Monitor::variantId().
using VariantId = std::uint8_t;
inline constexpr std::size_t kMaxVariants = 32;
inline constexpr VariantId kNoExperiment = 0;  // the name "" (traffic outside experiments)
// Shared by every name registered after the first kMaxVariants - 1 (its name is "(other)").
inline constexpr VariantId kOtherVariants = kMaxVariants - 1;

// The stages of a computed request, in pipeline order.
enum class Stage { Cache, Features, Candidates, Scoring, Ranking };
inline constexpr std::size_t kStageCount = 5;
// "cache", "features", "candidates", "scoring", "ranking".
const char* stageName(Stage stage);

// How a request ended. A fallback answered 2xx with a degraded list (the default model,
// popular items) because the preferred path failed.
enum class Outcome { Ok, ClientError, ServerError, Fallback };
// "ok", "client_error", "server_error", "fallback".
const char* outcomeName(Outcome outcome);

struct RequestSample {
    static constexpr double kStageNotRun = -1.0;

    double latencyUs = 0.0;  // end to end, µs (negative or NaN counts as 0)
    // Per stage, µs; negative = the stage did not run (an L1 hit runs only Cache).
    std::array<double, kStageCount> stageUs{kStageNotRun, kStageNotRun, kStageNotRun, kStageNotRun, kStageNotRun};
    // The tier that answered; empty when the request never reached the cache (a 4xx).
    std::optional<cache::Tier> tier;
    VariantId variant = kNoExperiment;
    Outcome outcome = Outcome::Ok;
};

// What series() can return. Every kind is one point per second, the value of that second
// alone, except the *1m / *15m / *1h kinds, whose point at second t covers the trailing
// window (t - W, t]. Ratios are 0 when their denominator is 0 (no traffic reads as 0).
enum class SeriesKind {
    RequestsPerSecond,  // per variant
    ErrorRate,          // server errors (5xx) / requests; per variant
    ClientErrorRate,    // client errors (4xx) / requests; per variant
    FallbackRate,       // fallbacks / requests; per variant
    LatencyMeanMs,      // per variant
    LatencyP50Ms,
    LatencyP95Ms,
    LatencyP99Ms,
    StageCacheMs,  // mean over the requests that ran the stage
    StageFeaturesMs,
    StageCandidatesMs,
    StageScoringMs,
    StageRankingMs,
    ImpressionsPerSecond,  // per variant
    ClicksPerSecond,       // per variant
    ConversionsPerSecond,  // per variant
    Ctr,                   // clicks / impressions; per variant
    ConversionRate,        // conversions (add_to_cart, purchase) / impressions; per variant
    L1HitRate,             // L1 hits / requests that reached the cache
    L2HitRate,             // L2 hits / requests that reached the cache
    ComputeRate,           // computes / requests that reached the cache
    HitRate,               // 1 - ComputeRate (0 without traffic)
    ListsPerSecond,        // lists passed to recordList
    Diversity1m,           // mean intra-list diversity over the trailing window
    Diversity15m,
    Diversity1h,
    // Distinct items recommended in the trailing window / catalog size. Sampled by each
    // Monitor::evaluateAlerts() tick (a per-item "last recommended" stamp cannot be
    // rewound), so seconds without a tick have no point and are left out of the series.
    Coverage1m,
    Coverage15m,
    Coverage1h,
};
inline constexpr std::size_t kSeriesKindCount = static_cast<std::size_t>(SeriesKind::Coverage1h) + 1;

// Stable snake_case name ("requests_per_second", "latency_p95_ms", "coverage_15m", ...).
const char* seriesKindName(SeriesKind kind);
std::optional<SeriesKind> parseSeriesKind(std::string_view name);
// Whether the kind is kept per variant; series() returns nothing for a variant otherwise.
bool isPerVariant(SeriesKind kind);

struct SeriesPoint {
    std::int64_t second = 0;  // unix seconds
    double value = 0.0;
};

// Windowed figures of one variant.
struct VariantSummary {
    VariantId id = kNoExperiment;
    std::string name;
    std::uint64_t requests = 0;
    std::uint64_t serverErrors = 0;
    std::uint64_t impressions = 0;
    std::uint64_t clicks = 0;
    std::uint64_t conversions = 0;
    double errorRate = 0.0;
    double meanLatencyMs = 0.0;
    double ctr = 0.0;
    double conversionRate = 0.0;
};

// Figures over the complete seconds [fromSecond, toSecond] (the current, partial second
// is left out). Counts are exact; ratios are 0 when their denominator is 0.
struct MonitorSummary {
    std::int64_t fromSecond = 0;
    std::int64_t toSecond = 0;
    std::int64_t windowSeconds = 0;

    std::uint64_t requests = 0;
    std::uint64_t clientErrors = 0;
    std::uint64_t serverErrors = 0;
    std::uint64_t fallbacks = 0;
    double requestsPerSecond = 0.0;
    double errorRate = 0.0;        // server errors / requests
    double clientErrorRate = 0.0;  // client errors / requests
    double fallbackRate = 0.0;

    double latencyMeanMs = 0.0;
    double latencyP50Ms = 0.0;  // from the window's merged histogram
    double latencyP95Ms = 0.0;
    double latencyP99Ms = 0.0;
    std::array<double, kStageCount> stageMeanMs{};  // over the requests that ran the stage

    std::uint64_t l1Hits = 0;
    std::uint64_t l2Hits = 0;
    std::uint64_t computes = 0;
    double l1HitRate = 0.0;  // over l1Hits + l2Hits + computes
    double l2HitRate = 0.0;
    double computeRate = 0.0;
    double hitRate = 0.0;  // 1 - computeRate, 0 without cache traffic

    std::uint64_t impressions = 0;
    std::uint64_t clicks = 0;
    std::uint64_t conversions = 0;
    double ctr = 0.0;
    double conversionRate = 0.0;

    std::uint64_t lists = 0;  // lists with an ILD value
    double diversity = 0.0;   // mean ILD over those lists
    std::size_t catalogSize = 0;
    // Distinct items recommended in [toSecond - windowSeconds + 1, toSecond + 1] (the
    // current second is included: an item's stamp there hides its earlier ones).
    std::size_t distinctItems = 0;
    double coverage = 0.0;  // distinctItems / catalogSize (0 without a catalog)

    std::vector<VariantSummary> variants;  // every registered variant, by id
};

}  // namespace recdeck::monitoring

#include "recdeck/monitoring/monitor_types.h"

#include <array>
#include <cassert>

namespace recdeck::monitoring {

namespace {

constexpr std::array<const char*, kSeriesKindCount> kSeriesNames = {
    "requests_per_second",
    "error_rate",
    "client_error_rate",
    "fallback_rate",
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "stage_cache_ms",
    "stage_features_ms",
    "stage_candidates_ms",
    "stage_scoring_ms",
    "stage_ranking_ms",
    "impressions_per_second",
    "clicks_per_second",
    "conversions_per_second",
    "ctr",
    "conversion_rate",
    "l1_hit_rate",
    "l2_hit_rate",
    "compute_rate",
    "hit_rate",
    "lists_per_second",
    "diversity_1m",
    "diversity_15m",
    "diversity_1h",
    "coverage_1m",
    "coverage_15m",
    "coverage_1h",
};

}  // namespace

const char* stageName(Stage stage) {
    switch (stage) {
        case Stage::Cache:
            return "cache";
        case Stage::Features:
            return "features";
        case Stage::Candidates:
            return "candidates";
        case Stage::Scoring:
            return "scoring";
        case Stage::Ranking:
            return "ranking";
    }
    return "unknown";
}

const char* outcomeName(Outcome outcome) {
    switch (outcome) {
        case Outcome::Ok:
            return "ok";
        case Outcome::ClientError:
            return "client_error";
        case Outcome::ServerError:
            return "server_error";
        case Outcome::Fallback:
            return "fallback";
    }
    return "unknown";
}

const char* seriesKindName(SeriesKind kind) {
    const auto index = static_cast<std::size_t>(kind);
    assert(index < kSeriesNames.size());
    return kSeriesNames[index];
}

std::optional<SeriesKind> parseSeriesKind(std::string_view name) {
    for (std::size_t i = 0; i < kSeriesNames.size(); ++i)
        if (name == kSeriesNames[i]) return static_cast<SeriesKind>(i);
    return std::nullopt;
}

bool isPerVariant(SeriesKind kind) {
    switch (kind) {
        case SeriesKind::RequestsPerSecond:
        case SeriesKind::ErrorRate:
        case SeriesKind::ClientErrorRate:
        case SeriesKind::FallbackRate:
        case SeriesKind::LatencyMeanMs:
        case SeriesKind::ImpressionsPerSecond:
        case SeriesKind::ClicksPerSecond:
        case SeriesKind::ConversionsPerSecond:
        case SeriesKind::Ctr:
        case SeriesKind::ConversionRate:
            return true;
        default:
            return false;
    }
}

}  // namespace recdeck::monitoring

#pragma once
// The Prometheus side of Monitor: the registry, its families and what was last exported.
// Counters in prometheus-cpp only grow by increments, so each scrape adds the growth of
// Monitor's cumulative totals since the previous scrape (the totals stay the source).

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "monitor_impl.h"

namespace recdeck::monitoring::detail {

struct Exporter {
    Exporter();

    std::mutex mutex;  // serialises scrapes
    std::function<void(prometheus::Registry&)> hook;
    std::shared_ptr<prometheus::Registry> registry;

    prometheus::Family<prometheus::Counter>* requests = nullptr;
    prometheus::Family<prometheus::Counter>* fallbacks = nullptr;
    prometheus::Family<prometheus::Histogram>* duration = nullptr;
    prometheus::Family<prometheus::Counter>* cacheRequests = nullptr;
    prometheus::Family<prometheus::Counter>* impressions = nullptr;
    prometheus::Family<prometheus::Counter>* clicks = nullptr;
    prometheus::Family<prometheus::Counter>* conversions = nullptr;
    prometheus::Family<prometheus::Gauge>* ctr = nullptr;
    prometheus::Family<prometheus::Gauge>* alertFiring = nullptr;
    prometheus::Family<prometheus::Counter>* dropped = nullptr;

    std::array<prometheus::Counter*, 3> statusCounters{};
    prometheus::Counter* fallbackCounter = nullptr;
    prometheus::Histogram* durationHistogram = nullptr;
    std::array<prometheus::Counter*, kTierCount> tierCounters{};
    prometheus::Counter* droppedCounter = nullptr;
    std::array<prometheus::Counter*, kMaxVariants> impressionCounters{};
    std::array<prometheus::Counter*, kMaxVariants> clickCounters{};
    std::array<prometheus::Counter*, kMaxVariants> conversionCounters{};
    std::array<prometheus::Gauge*, kMaxVariants> ctrGauges{};
    std::map<std::string, prometheus::Gauge*, std::less<>> alertGauges;

    // Totals as of the previous scrape.
    std::array<std::uint64_t, 3> status{};
    std::uint64_t fallbackTotal = 0;
    std::array<std::uint64_t, kTierCount> tiers{};
    std::array<std::uint64_t, kDurationBuckets> durationBuckets{};
    std::uint64_t durationNs = 0;
    std::uint64_t droppedTotal = 0;
    std::array<std::uint64_t, kMaxVariants> impressionTotals{};
    std::array<std::uint64_t, kMaxVariants> clickTotals{};
    std::array<std::uint64_t, kMaxVariants> conversionTotals{};
};

}  // namespace recdeck::monitoring::detail

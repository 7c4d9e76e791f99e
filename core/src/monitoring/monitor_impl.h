#pragma once
// Monitor's private state: the ring of per-second buckets, the cumulative totals behind
// the Prometheus counters, the variant table, the per-item stamps for coverage, the
// alert state and the exporter. Shared by the monitor_*.cpp files only.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/metrics/latency_histogram.h"
#include "recdeck/monitoring/alert_rules.h"
#include "recdeck/monitoring/monitor.h"
#include "recdeck/monitoring/monitor_types.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace recdeck::monitoring::detail {

inline constexpr std::size_t kRingSeconds = static_cast<std::size_t>(Monitor::kHistorySeconds);
inline constexpr std::size_t kTierCount = 3;  // cache::Tier::L1, L2, Compute
// ILD is summed as fixed point (1e-9 units) so a plain integer add suffices.
inline constexpr double kIldScale = 1e9;

// Prometheus duration buckets (le, seconds), chosen for 50 µs .. 1 s.
inline constexpr std::array<double, 14> kDurationBoundsSeconds = {50e-6, 100e-6, 250e-6, 500e-6, 1e-3,   2.5e-3, 5e-3,
                                                                  10e-3, 25e-3,  50e-3,  100e-3, 250e-3, 500e-3, 1.0};
inline constexpr std::size_t kDurationBuckets = kDurationBoundsSeconds.size() + 1;  // + Inf

struct VariantCells {
    std::atomic<std::uint32_t> requests{0};
    std::atomic<std::uint32_t> clientErrors{0};
    std::atomic<std::uint32_t> serverErrors{0};
    std::atomic<std::uint32_t> fallbacks{0};
    std::atomic<std::uint64_t> latencyNs{0};
    std::atomic<std::uint32_t> impressions{0};
    std::atomic<std::uint32_t> clicks{0};
    std::atomic<std::uint32_t> conversions{0};
};

// One second of history. `stamp` is the unix second held, 0 before first use, and
// -second while the first writer of `second` is zeroing it.
struct alignas(64) SecondBucket {
    std::atomic<std::int64_t> stamp{0};
    std::array<std::atomic<std::uint32_t>, kTierCount> tiers{};
    std::atomic<std::uint32_t> lists{0};
    std::atomic<std::uint64_t> ildSum{0};  // kIldScale units
    std::array<std::atomic<std::uint64_t>, kStageCount> stageNs{};
    std::array<std::atomic<std::uint32_t>, kStageCount> stageCount{};
    std::array<std::atomic<std::uint32_t>, metrics::LatencyHistogram::kBinCount> latency{};
    std::array<VariantCells, kMaxVariants> variants{};

    // Zeroes the counts of variants [0, variantCount) and kOtherVariants (the others were
    // never written), relaxed; the caller publishes with a release store of the stamp.
    void clear(std::size_t variantCount);
};

// Plain copies of a bucket's counts (or sums over several buckets).
struct VariantCounts {
    std::uint64_t requests = 0;
    std::uint64_t clientErrors = 0;
    std::uint64_t serverErrors = 0;
    std::uint64_t fallbacks = 0;
    std::uint64_t latencyNs = 0;
    std::uint64_t impressions = 0;
    std::uint64_t clicks = 0;
    std::uint64_t conversions = 0;
    void add(const VariantCounts& other);
};

struct SecondCounts {
    std::array<std::uint64_t, kTierCount> tiers{};
    std::uint64_t lists = 0;
    std::uint64_t ildSum = 0;
    std::array<std::uint64_t, kStageCount> stageNs{};
    std::array<std::uint64_t, kStageCount> stageCount{};
    metrics::LatencyHistogram latency;
    std::array<VariantCounts, kMaxVariants> variants{};

    void add(const SecondCounts& other, std::size_t variantCount);
    // Sum over every variant, or the one asked for.
    VariantCounts traffic(std::optional<VariantId> variant, std::size_t variantCount) const;
};

// What readSecond copies (the rest is left zero).
enum ReadParts : unsigned {
    kReadTraffic = 1u << 0,  // variant cells
    kReadCache = 1u << 1,    // tiers and stages
    kReadLatency = 1u << 2,  // histogram
    kReadLists = 1u << 3,    // lists and ILD
    kReadAll = 0xFu,
};

class Ring {
public:
    Ring();
    // The bucket holding `second`, claiming and zeroing it on a new lap; null when the
    // second is more than an hour older than what the bucket holds, or not >= 1.
    SecondBucket* acquire(std::int64_t second, std::size_t variantCount) {
        if (second < 1) [[unlikely]]
            return nullptr;  // 0 marks an unused bucket; negative seconds have no slot
        SecondBucket& bucket = m_buckets[slot(second)];
        if (bucket.stamp.load(std::memory_order_acquire) == second) [[likely]]
            return &bucket;
        return claim(bucket, second, variantCount);
    }
    // Copies the counts of `second` into `out` (zeroed first); false (and zeros) when no
    // bucket holds that second.
    bool readSecond(std::int64_t second, unsigned parts, std::size_t variantCount, SecondCounts& out) const;

private:
    static std::size_t slot(std::int64_t second) {
        return static_cast<std::size_t>(second % static_cast<std::int64_t>(kRingSeconds));
    }
    SecondBucket* claim(SecondBucket& bucket, std::int64_t second, std::size_t variantCount);

    std::unique_ptr<SecondBucket[]> m_buckets;
};

// Cumulative totals for the Prometheus counters (never reset).
struct Totals {
    std::array<std::atomic<std::uint64_t>, 3> status{};  // ok (fallbacks included), 4xx, 5xx
    std::atomic<std::uint64_t> fallbacks{0};
    std::array<std::atomic<std::uint64_t>, kTierCount> tiers{};
    std::array<std::atomic<std::uint64_t>, kDurationBuckets> duration{};
    std::atomic<std::uint64_t> durationNs{0};
    std::array<std::atomic<std::uint64_t>, kMaxVariants> impressions{};
    std::array<std::atomic<std::uint64_t>, kMaxVariants> clicks{};
    std::array<std::atomic<std::uint64_t>, kMaxVariants> conversions{};
    std::atomic<std::uint64_t> dropped{0};
};

// Names are written once, before `count` publishes them (release), and never change.
struct VariantTable {
    std::array<std::string, kMaxVariants> names;
    std::atomic<std::size_t> count{1};  // slot 0 is "" from the start
    std::atomic<bool> otherUsed{false};
    std::mutex mutex;                              // serialises registration
    std::function<bool(std::string_view)> filter;  // guarded by mutex
};

// Per-item "last second recommended" (0 = never). An array and its size are published
// together; arrays replaced by setCatalogSize are retired, not freed, so a concurrent
// recordList never touches freed memory.
struct StampArray {
    explicit StampArray(std::size_t n) : size(n), stamps(std::make_unique<std::atomic<std::uint32_t>[]>(n)) {}
    std::size_t size;
    std::unique_ptr<std::atomic<std::uint32_t>[]> stamps;
};

struct ItemStamps {
    std::atomic<const StampArray*> current{nullptr};
    std::mutex mutex;                                 // serialises resizes
    std::vector<std::unique_ptr<StampArray>> arrays;  // current and retired
};

// Coverage sampled by evaluateAlerts, for the Coverage* series.
struct CoverageSample {
    std::int64_t second = 0;
    std::array<double, 3> coverage{};  // 1 min, 15 min, 1 h
};
inline constexpr std::array<std::int64_t, 3> kCoverageWindows = {60, 900, 3600};

struct Exporter;  // monitor_prometheus.cpp

}  // namespace recdeck::monitoring::detail

namespace recdeck::monitoring {

struct Monitor::Impl {
    explicit Impl(MonitorOptions options);
    ~Impl();

    std::size_t variantCount() const { return variants.count.load(std::memory_order_acquire); }
    VariantId checkedVariant(VariantId variant) const { return variant < variantCount() ? variant : kOtherVariants; }

    std::int64_t (*clock)();
    detail::Ring ring;
    detail::Totals totals;
    detail::VariantTable variants;
    detail::ItemStamps items;

    mutable std::mutex coverageMutex;
    std::vector<detail::CoverageSample> coverageSamples;  // kRingSeconds, by second % size

    mutable std::mutex alertMutex;
    std::vector<AlertStatus> alerts;

    std::unique_ptr<detail::Exporter> exporter;

    // Reads (monitor_read.cpp); lock-free.
    MonitorSummary summarize(std::int64_t windowSeconds, std::int64_t nowSecond) const;
    // Items whose last stamp lies in [fromSecond, toSecond].
    std::size_t distinctItems(std::int64_t fromSecond, std::int64_t toSecond) const;
    // Coverage over each of kCoverageWindows ending at nowSecond (one pass over the stamps).
    detail::CoverageSample sampleCoverage(std::int64_t nowSecond) const;
};

}  // namespace recdeck::monitoring

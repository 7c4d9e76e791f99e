// Monitor: construction, variants and the recording hot path (see monitor.h for the
// memory ordering). Reads live in monitor_read.cpp, alerts in monitor_alerts.cpp, the
// exposition in monitor_prometheus.cpp.

#include "recdeck/monitoring/monitor.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <thread>

#include "monitor_impl.h"
#include "monitor_prometheus.h"

namespace recdeck::monitoring {

using detail::kDurationBoundsSeconds;
using detail::SecondBucket;

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kRelease = std::memory_order_release;

// Tiers index the per-tier counters directly.
static_assert(static_cast<std::size_t>(cache::Tier::L1) == 0 && static_cast<std::size_t>(cache::Tier::L2) == 1 &&
              static_cast<std::size_t>(cache::Tier::Compute) == 2 && detail::kTierCount == 3);

// µs -> ns, rounded; negative and NaN count as 0, absurd values are capped (~11 days).
std::uint64_t toNanos(double us) {
    if (!(us > 0.0)) return 0;
    return static_cast<std::uint64_t>(std::min(us, 1e12) * 1000.0 + 0.5);
}

// Prometheus bucket (le semantics: the first bound >= the value).
std::size_t durationBucket(double latencyUs) {
    const double seconds = latencyUs * 1e-6;
    const auto it = std::lower_bound(kDurationBoundsSeconds.begin(), kDurationBoundsSeconds.end(), seconds);
    return static_cast<std::size_t>(it - kDurationBoundsSeconds.begin());
}

std::size_t statusIndex(Outcome outcome) {
    switch (outcome) {
        case Outcome::ClientError:
            return 1;
        case Outcome::ServerError:
            return 2;
        case Outcome::Ok:
        case Outcome::Fallback:
            return 0;
    }
    return 0;
}

}  // namespace

std::int64_t systemUnixSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// --- Ring -----------------------------------------------------------------------------

namespace detail {

void SecondBucket::clear(std::size_t variantCount) {
    for (auto& t : tiers) t.store(0, kRelease);
    lists.store(0, kRelease);
    ildSum.store(0, kRelease);
    for (auto& s : stageNs) s.store(0, kRelease);
    for (auto& s : stageCount) s.store(0, kRelease);
    for (auto& b : latency) b.store(0, kRelease);
    const auto clearVariant = [](VariantCells& v) {
        v.requests.store(0, kRelease);
        v.clientErrors.store(0, kRelease);
        v.serverErrors.store(0, kRelease);
        v.fallbacks.store(0, kRelease);
        v.latencyNs.store(0, kRelease);
        v.impressions.store(0, kRelease);
        v.clicks.store(0, kRelease);
        v.conversions.store(0, kRelease);
    };
    for (std::size_t v = 0; v < variantCount; ++v) clearVariant(variants[v]);
    clearVariant(variants[kOtherVariants]);
}

Ring::Ring() : m_buckets(std::make_unique<SecondBucket[]>(kRingSeconds)) {}

SecondBucket* Ring::claim(SecondBucket& bucket, std::int64_t second, std::size_t variantCount) {
    assert(second >= 1);
    for (unsigned spins = 0;; ++spins) {
        std::int64_t stamp = bucket.stamp.load(std::memory_order_acquire);
        if (stamp == second) return &bucket;
        if (stamp < 0) {
            // Another writer is zeroing the bucket for second -stamp: wait for it (it only
            // stores zeros), unless that second is newer than ours, which makes ours too old.
            if (-stamp > second) return nullptr;
            if (spins > 64) std::this_thread::yield();
            continue;
        }
        if (stamp > second) return nullptr;
        if (bucket.stamp.compare_exchange_weak(stamp, -second, std::memory_order_acq_rel, std::memory_order_acquire)) {
            // The zero stores are releases: a reader that loads one (or a later addition
            // of the new lap, which continues its release sequence) also sees this claim
            // when it checks the stamp again (see readSecond).
            bucket.clear(variantCount);
            bucket.stamp.store(second, std::memory_order_release);
            return &bucket;
        }
    }
}

}  // namespace detail

// --- Monitor::Impl ----------------------------------------------------------------------

Monitor::Impl::Impl(MonitorOptions options)
    : clock(options.clock), coverageSamples(detail::kRingSeconds), exporter(std::make_unique<detail::Exporter>()) {
    assert(clock != nullptr);
    for (auto& rule : options.alertRules) {
        [[maybe_unused]] const Status valid = validateAlertRule(rule);
        assert(valid.ok());
        alerts.push_back(AlertStatus{std::move(rule), AlertState::Ok, 0, std::nullopt, 0, false, 0});
    }
}

Monitor::Impl::~Impl() = default;

Monitor::Monitor(MonitorOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

Monitor::~Monitor() = default;

// --- Variants ---------------------------------------------------------------------------

VariantId Monitor::variantId(std::string_view name) {
    auto& table = m_impl->variants;
    const auto find = [&](std::size_t count) -> std::optional<VariantId> {
        for (std::size_t i = 0; i < count; ++i)
            if (table.names[i] == name) return static_cast<VariantId>(i);
        return std::nullopt;
    };
    if (auto id = find(table.count.load(std::memory_order_acquire))) return *id;

    std::lock_guard lock(table.mutex);
    const std::size_t count = table.count.load(std::memory_order_relaxed);
    if (auto id = find(count)) return *id;
    if (count >= kOtherVariants || (table.filter && !table.filter(name))) {
        if (!table.otherUsed.exchange(true, std::memory_order_relaxed)) table.names[kOtherVariants] = "(other)";
        return kOtherVariants;
    }
    table.names[count] = std::string(name);
    table.count.store(count + 1, std::memory_order_release);
    return static_cast<VariantId>(count);
}

void Monitor::setVariantFilter(std::function<bool(std::string_view name)> filter) {
    std::lock_guard lock(m_impl->variants.mutex);
    m_impl->variants.filter = std::move(filter);
}

std::vector<std::string> Monitor::variantNames() const {
    auto& table = m_impl->variants;
    std::lock_guard lock(table.mutex);
    const std::size_t count = table.count.load(std::memory_order_relaxed);
    std::vector<std::string> names(table.names.begin(), table.names.begin() + static_cast<std::ptrdiff_t>(count));
    if (table.otherUsed.load(std::memory_order_relaxed)) {
        names.resize(kMaxVariants);
        names[kOtherVariants] = table.names[kOtherVariants];
    }
    return names;
}

// --- Recording ----------------------------------------------------------------------------

void Monitor::recordRequest(const RequestSample& sample) {
    recordRequest(sample, m_impl->clock());
}

void Monitor::recordRequest(const RequestSample& sample, std::int64_t unixSecond) {
    Impl& impl = *m_impl;
    const std::size_t variantCount = impl.variantCount();
    const VariantId variant = sample.variant < variantCount ? sample.variant : kOtherVariants;
    const std::uint64_t latencyNs = toNanos(sample.latencyUs);

    // Cumulative totals first: they count every sample, even one too old for the ring.
    auto& totals = impl.totals;
    totals.status[statusIndex(sample.outcome)].fetch_add(1, kRelaxed);
    if (sample.outcome == Outcome::Fallback) totals.fallbacks.fetch_add(1, kRelaxed);
    if (sample.tier) totals.tiers[static_cast<std::size_t>(*sample.tier)].fetch_add(1, kRelaxed);
    totals.duration[durationBucket(sample.latencyUs)].fetch_add(1, kRelaxed);
    totals.durationNs.fetch_add(latencyNs, kRelaxed);

    SecondBucket* bucket = impl.ring.acquire(unixSecond, variantCount);
    if (!bucket) {
        totals.dropped.fetch_add(1, kRelaxed);
        return;
    }
    detail::VariantCells& cells = bucket->variants[variant];
    cells.requests.fetch_add(1, kRelaxed);
    switch (sample.outcome) {
        case Outcome::ClientError:
            cells.clientErrors.fetch_add(1, kRelaxed);
            break;
        case Outcome::ServerError:
            cells.serverErrors.fetch_add(1, kRelaxed);
            break;
        case Outcome::Fallback:
            cells.fallbacks.fetch_add(1, kRelaxed);
            break;
        case Outcome::Ok:
            break;
    }
    cells.latencyNs.fetch_add(latencyNs, kRelaxed);
    bucket->latency[metrics::LatencyHistogram::binOf(sample.latencyUs)].fetch_add(1, kRelaxed);
    if (sample.tier) bucket->tiers[static_cast<std::size_t>(*sample.tier)].fetch_add(1, kRelaxed);
    for (std::size_t s = 0; s < kStageCount; ++s) {
        if (!(sample.stageUs[s] >= 0.0)) continue;
        bucket->stageNs[s].fetch_add(toNanos(sample.stageUs[s]), kRelaxed);
        bucket->stageCount[s].fetch_add(1, kRelaxed);
    }
}

void Monitor::recordImpressions(VariantId variant, std::uint32_t count) {
    recordImpressions(variant, count, m_impl->clock());
}

void Monitor::recordImpressions(VariantId variant, std::uint32_t count, std::int64_t unixSecond) {
    Impl& impl = *m_impl;
    const std::size_t variantCount = impl.variantCount();
    variant = variant < variantCount ? variant : kOtherVariants;
    impl.totals.impressions[variant].fetch_add(count, kRelaxed);
    if (SecondBucket* bucket = impl.ring.acquire(unixSecond, variantCount))
        bucket->variants[variant].impressions.fetch_add(count, kRelaxed);
    else
        impl.totals.dropped.fetch_add(1, kRelaxed);
}

void Monitor::recordClick(VariantId variant) {
    recordClick(variant, m_impl->clock());
}

void Monitor::recordClick(VariantId variant, std::int64_t unixSecond) {
    Impl& impl = *m_impl;
    const std::size_t variantCount = impl.variantCount();
    variant = variant < variantCount ? variant : kOtherVariants;
    impl.totals.clicks[variant].fetch_add(1, kRelaxed);
    if (SecondBucket* bucket = impl.ring.acquire(unixSecond, variantCount))
        bucket->variants[variant].clicks.fetch_add(1, kRelaxed);
    else
        impl.totals.dropped.fetch_add(1, kRelaxed);
}

void Monitor::recordConversion(VariantId variant) {
    recordConversion(variant, m_impl->clock());
}

void Monitor::recordConversion(VariantId variant, std::int64_t unixSecond) {
    Impl& impl = *m_impl;
    const std::size_t variantCount = impl.variantCount();
    variant = variant < variantCount ? variant : kOtherVariants;
    impl.totals.conversions[variant].fetch_add(1, kRelaxed);
    if (SecondBucket* bucket = impl.ring.acquire(unixSecond, variantCount))
        bucket->variants[variant].conversions.fetch_add(1, kRelaxed);
    else
        impl.totals.dropped.fetch_add(1, kRelaxed);
}

void Monitor::recordEvent(const store::Event& event, VariantId variant) {
    const std::int64_t second = event.timestampMs > 0 ? event.timestampMs / 1000 : m_impl->clock();
    switch (event.type) {
        case store::EventType::Impression: {
            const std::size_t shown = !event.items.empty() ? event.items.size() : event.itemId.empty() ? 0 : 1;
            if (shown > 0)
                recordImpressions(variant, static_cast<std::uint32_t>(std::min<std::size_t>(shown, UINT32_MAX)),
                                  second);
            break;
        }
        case store::EventType::Click:
            recordClick(variant, second);
            break;
        case store::EventType::AddToCart:
        case store::EventType::Purchase:
            recordConversion(variant, second);
            break;
        case store::EventType::Rating:
            break;
    }
}

void Monitor::recordList(std::span<const std::uint32_t> items, std::optional<double> ild) {
    recordList(items, ild, m_impl->clock());
}

void Monitor::recordList(std::span<const std::uint32_t> items, std::optional<double> ild, std::int64_t unixSecond) {
    Impl& impl = *m_impl;
    // Stamps are 32-bit unix seconds (good until 2106). The acquire pairs with the
    // release publication in setCatalogSize, so the array's contents are visible.
    const auto stamp = static_cast<std::uint32_t>(std::clamp<std::int64_t>(unixSecond, 0, UINT32_MAX));
    if (const detail::StampArray* array = impl.items.current.load(std::memory_order_acquire)) {
        for (const std::uint32_t item : items) {
            if (item >= array->size) continue;
            // Keep the newest stamp: out-of-order callers must not move an item back.
            auto& slot = array->stamps[item];
            std::uint32_t seen = slot.load(kRelaxed);
            while (seen < stamp && !slot.compare_exchange_weak(seen, stamp, kRelaxed)) {
            }
        }
    }
    if (!ild || !std::isfinite(*ild)) return;
    SecondBucket* bucket = impl.ring.acquire(unixSecond, impl.variantCount());
    if (!bucket) {
        impl.totals.dropped.fetch_add(1, kRelaxed);
        return;
    }
    bucket->lists.fetch_add(1, kRelaxed);
    bucket->ildSum.fetch_add(static_cast<std::uint64_t>(std::clamp(*ild, 0.0, 1.0) * detail::kIldScale + 0.5),
                             kRelaxed);
}

void Monitor::setCatalogSize(std::size_t items) {
    auto& table = m_impl->items;
    std::lock_guard lock(table.mutex);
    const detail::StampArray* current = table.current.load(std::memory_order_relaxed);
    const std::size_t old = current ? current->size : 0;
    if (items == old) return;
    // Stamps written to the old array while it is copied may be lost: at worst an item
    // recommended during the resize is missing from coverage until its next list.
    auto fresh = std::make_unique<detail::StampArray>(items);
    for (std::size_t i = 0; i < std::min(old, items); ++i)
        fresh->stamps[i].store(current->stamps[i].load(kRelaxed), kRelaxed);
    table.current.store(fresh.get(), std::memory_order_release);
    table.arrays.push_back(std::move(fresh));
}

std::size_t Monitor::catalogSize() const {
    const detail::StampArray* current = m_impl->items.current.load(std::memory_order_acquire);
    return current ? current->size : 0;
}

std::uint64_t Monitor::droppedSamples() const {
    return m_impl->totals.dropped.load(kRelaxed);
}

}  // namespace recdeck::monitoring

// Monitor's read side: bucket snapshots, per-second series and windowed summaries.

#include <algorithm>
#include <cassert>

#include "monitor_impl.h"
#include "recdeck/monitoring/monitor.h"

namespace recdeck::monitoring {

using detail::SecondCounts;
using detail::VariantCounts;

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;

double ratio(std::uint64_t numerator, std::uint64_t denominator) {
    return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

// Every variant slot that can hold counts: the registered ones and kOtherVariants.
template <typename F>
void forEachVariantSlot(std::size_t variantCount, F&& f) {
    for (std::size_t v = 0; v < variantCount; ++v) f(v);
    if (variantCount <= kOtherVariants) f(std::size_t{kOtherVariants});
}

std::int64_t clampWindow(std::int64_t windowSeconds) {
    return std::clamp<std::int64_t>(windowSeconds, 1, Monitor::kHistorySeconds);
}

unsigned partsFor(SeriesKind kind) {
    switch (kind) {
        case SeriesKind::LatencyP50Ms:
        case SeriesKind::LatencyP95Ms:
        case SeriesKind::LatencyP99Ms:
            return detail::kReadLatency;
        case SeriesKind::StageCacheMs:
        case SeriesKind::StageFeaturesMs:
        case SeriesKind::StageCandidatesMs:
        case SeriesKind::StageScoringMs:
        case SeriesKind::StageRankingMs:
        case SeriesKind::L1HitRate:
        case SeriesKind::L2HitRate:
        case SeriesKind::ComputeRate:
        case SeriesKind::HitRate:
            return detail::kReadCache;
        case SeriesKind::ListsPerSecond:
        case SeriesKind::Diversity1m:
        case SeriesKind::Diversity15m:
        case SeriesKind::Diversity1h:
            return detail::kReadLists;
        default:
            return detail::kReadTraffic;
    }
}

double cacheRate(const SecondCounts& c, std::size_t tier) {
    const std::uint64_t all = c.tiers[0] + c.tiers[1] + c.tiers[2];
    return ratio(c.tiers[tier], all);
}

// The value of a per-second kind (not the sliding Diversity / Coverage kinds).
double valueOf(SeriesKind kind, const SecondCounts& c, std::optional<VariantId> variant, std::size_t variantCount) {
    const auto stageMs = [&](Stage s) {
        const auto i = static_cast<std::size_t>(s);
        return ratio(c.stageNs[i], c.stageCount[i]) / 1e6;
    };
    const auto tierIndex = [](cache::Tier t) { return static_cast<std::size_t>(t); };
    switch (kind) {
        case SeriesKind::LatencyP50Ms:
            return c.latency.percentileUs(0.50) / 1e3;
        case SeriesKind::LatencyP95Ms:
            return c.latency.percentileUs(0.95) / 1e3;
        case SeriesKind::LatencyP99Ms:
            return c.latency.percentileUs(0.99) / 1e3;
        case SeriesKind::StageCacheMs:
            return stageMs(Stage::Cache);
        case SeriesKind::StageFeaturesMs:
            return stageMs(Stage::Features);
        case SeriesKind::StageCandidatesMs:
            return stageMs(Stage::Candidates);
        case SeriesKind::StageScoringMs:
            return stageMs(Stage::Scoring);
        case SeriesKind::StageRankingMs:
            return stageMs(Stage::Ranking);
        case SeriesKind::L1HitRate:
            return cacheRate(c, tierIndex(cache::Tier::L1));
        case SeriesKind::L2HitRate:
            return cacheRate(c, tierIndex(cache::Tier::L2));
        case SeriesKind::ComputeRate:
            return cacheRate(c, tierIndex(cache::Tier::Compute));
        case SeriesKind::HitRate: {
            const std::uint64_t all = c.tiers[0] + c.tiers[1] + c.tiers[2];
            return all == 0 ? 0.0 : 1.0 - cacheRate(c, tierIndex(cache::Tier::Compute));
        }
        case SeriesKind::ListsPerSecond:
            return static_cast<double>(c.lists);
        default:
            break;
    }
    const VariantCounts t = c.traffic(variant, variantCount);
    switch (kind) {
        case SeriesKind::RequestsPerSecond:
            return static_cast<double>(t.requests);
        case SeriesKind::ErrorRate:
            return ratio(t.serverErrors, t.requests);
        case SeriesKind::ClientErrorRate:
            return ratio(t.clientErrors, t.requests);
        case SeriesKind::FallbackRate:
            return ratio(t.fallbacks, t.requests);
        case SeriesKind::LatencyMeanMs:
            return ratio(t.latencyNs, t.requests) / 1e6;
        case SeriesKind::ImpressionsPerSecond:
            return static_cast<double>(t.impressions);
        case SeriesKind::ClicksPerSecond:
            return static_cast<double>(t.clicks);
        case SeriesKind::ConversionsPerSecond:
            return static_cast<double>(t.conversions);
        case SeriesKind::Ctr:
            return ratio(t.clicks, t.impressions);
        case SeriesKind::ConversionRate:
            return ratio(t.conversions, t.impressions);
        default:
            break;
    }
    assert(false && "series kind without a per-second value");
    return 0.0;
}

std::optional<std::int64_t> slidingWindow(SeriesKind kind) {
    switch (kind) {
        case SeriesKind::Diversity1m:
        case SeriesKind::Coverage1m:
            return 60;
        case SeriesKind::Diversity15m:
        case SeriesKind::Coverage15m:
            return 900;
        case SeriesKind::Diversity1h:
        case SeriesKind::Coverage1h:
            return 3600;
        default:
            return std::nullopt;
    }
}

bool isCoverage(SeriesKind kind) {
    return kind == SeriesKind::Coverage1m || kind == SeriesKind::Coverage15m || kind == SeriesKind::Coverage1h;
}

std::size_t coverageIndex(SeriesKind kind) {
    return kind == SeriesKind::Coverage1m ? 0 : kind == SeriesKind::Coverage15m ? 1 : 2;
}

}  // namespace

// --- Counts -----------------------------------------------------------------------------

namespace detail {

void VariantCounts::add(const VariantCounts& o) {
    requests += o.requests;
    clientErrors += o.clientErrors;
    serverErrors += o.serverErrors;
    fallbacks += o.fallbacks;
    latencyNs += o.latencyNs;
    impressions += o.impressions;
    clicks += o.clicks;
    conversions += o.conversions;
}

void SecondCounts::add(const SecondCounts& o, std::size_t variantCount) {
    for (std::size_t i = 0; i < kTierCount; ++i) tiers[i] += o.tiers[i];
    lists += o.lists;
    ildSum += o.ildSum;
    for (std::size_t s = 0; s < kStageCount; ++s) {
        stageNs[s] += o.stageNs[s];
        stageCount[s] += o.stageCount[s];
    }
    latency.merge(o.latency);
    forEachVariantSlot(variantCount, [&](std::size_t v) { variants[v].add(o.variants[v]); });
}

VariantCounts SecondCounts::traffic(std::optional<VariantId> variant, std::size_t variantCount) const {
    if (variant) return variants[*variant];
    VariantCounts sum;
    forEachVariantSlot(variantCount, [&](std::size_t v) { sum.add(variants[v]); });
    return sum;
}

bool Ring::readSecond(std::int64_t second, unsigned parts, std::size_t variantCount, SecondCounts& out) const {
    out = SecondCounts{};
    if (second < 1) return false;
    const SecondBucket& b = m_buckets[slot(second)];
    if (b.stamp.load(std::memory_order_acquire) != second) return false;

    if (parts & kReadTraffic) {
        forEachVariantSlot(variantCount, [&](std::size_t v) {
            const VariantCells& cells = b.variants[v];
            VariantCounts& c = out.variants[v];
            c.requests = cells.requests.load(kAcquire);
            c.clientErrors = cells.clientErrors.load(kAcquire);
            c.serverErrors = cells.serverErrors.load(kAcquire);
            c.fallbacks = cells.fallbacks.load(kAcquire);
            c.latencyNs = cells.latencyNs.load(kAcquire);
            c.impressions = cells.impressions.load(kAcquire);
            c.clicks = cells.clicks.load(kAcquire);
            c.conversions = cells.conversions.load(kAcquire);
        });
    }
    if (parts & kReadCache) {
        for (std::size_t i = 0; i < kTierCount; ++i) out.tiers[i] = b.tiers[i].load(kAcquire);
        for (std::size_t s = 0; s < kStageCount; ++s) {
            out.stageNs[s] = b.stageNs[s].load(kAcquire);
            out.stageCount[s] = b.stageCount[s].load(kAcquire);
        }
    }
    if (parts & kReadLatency) {
        for (std::size_t i = 0; i < metrics::LatencyHistogram::kBinCount; ++i)
            out.latency.addToBin(i, b.latency[i].load(kAcquire));
    }
    if (parts & kReadLists) {
        out.lists = b.lists.load(kAcquire);
        out.ildSum = b.ildSum.load(kAcquire);
    }
    // Seqlock check. Counts are loaded with acquire: one that came from a newer lap (its
    // zeroing release store, or an addition after it) makes that lap's claim of the stamp
    // visible to this load. Acquire loads cost nothing extra on x86 and run ~1/s.
    if (b.stamp.load(kAcquire) != second) {
        out = SecondCounts{};
        return false;
    }
    return true;
}

}  // namespace detail

// --- Impl ---------------------------------------------------------------------------------

std::size_t Monitor::Impl::distinctItems(std::int64_t fromSecond, std::int64_t toSecond) const {
    const detail::StampArray* array = items.current.load(std::memory_order_acquire);
    if (!array) return 0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < array->size; ++i) {
        const std::int64_t stamp = array->stamps[i].load(kRelaxed);
        count += static_cast<std::size_t>(stamp != 0 && stamp >= fromSecond && stamp <= toSecond);
    }
    return count;
}

detail::CoverageSample Monitor::Impl::sampleCoverage(std::int64_t nowSecond) const {
    detail::CoverageSample sample;
    sample.second = nowSecond;
    const detail::StampArray* array = items.current.load(std::memory_order_acquire);
    if (!array || array->size == 0) return sample;
    std::array<std::size_t, detail::kCoverageWindows.size()> counts{};
    for (std::size_t i = 0; i < array->size; ++i) {
        const std::int64_t stamp = array->stamps[i].load(kRelaxed);
        if (stamp == 0 || stamp > nowSecond) continue;
        const std::int64_t age = nowSecond - stamp;
        for (std::size_t w = 0; w < counts.size(); ++w)
            counts[w] += static_cast<std::size_t>(age <= detail::kCoverageWindows[w]);
    }
    for (std::size_t w = 0; w < counts.size(); ++w)
        sample.coverage[w] = static_cast<double>(counts[w]) / static_cast<double>(array->size);
    return sample;
}

MonitorSummary Monitor::Impl::summarize(std::int64_t windowSeconds, std::int64_t nowSecond) const {
    windowSeconds = clampWindow(windowSeconds);
    const std::size_t count = variantCount();
    MonitorSummary s;
    s.windowSeconds = windowSeconds;
    s.fromSecond = nowSecond - windowSeconds;
    s.toSecond = nowSecond - 1;

    SecondCounts total;
    SecondCounts one;
    for (std::int64_t t = s.fromSecond; t <= s.toSecond; ++t)
        if (ring.readSecond(t, detail::kReadAll, count, one)) total.add(one, count);

    const VariantCounts all = total.traffic(std::nullopt, count);
    s.requests = all.requests;
    s.clientErrors = all.clientErrors;
    s.serverErrors = all.serverErrors;
    s.fallbacks = all.fallbacks;
    s.requestsPerSecond = static_cast<double>(all.requests) / static_cast<double>(windowSeconds);
    s.errorRate = ratio(all.serverErrors, all.requests);
    s.clientErrorRate = ratio(all.clientErrors, all.requests);
    s.fallbackRate = ratio(all.fallbacks, all.requests);

    s.latencyMeanMs = ratio(all.latencyNs, all.requests) / 1e6;
    s.latencyP50Ms = total.latency.percentileUs(0.50) / 1e3;
    s.latencyP95Ms = total.latency.percentileUs(0.95) / 1e3;
    s.latencyP99Ms = total.latency.percentileUs(0.99) / 1e3;
    for (std::size_t i = 0; i < kStageCount; ++i) s.stageMeanMs[i] = ratio(total.stageNs[i], total.stageCount[i]) / 1e6;

    s.l1Hits = total.tiers[static_cast<std::size_t>(cache::Tier::L1)];
    s.l2Hits = total.tiers[static_cast<std::size_t>(cache::Tier::L2)];
    s.computes = total.tiers[static_cast<std::size_t>(cache::Tier::Compute)];
    const std::uint64_t cacheRequests = s.l1Hits + s.l2Hits + s.computes;
    s.l1HitRate = ratio(s.l1Hits, cacheRequests);
    s.l2HitRate = ratio(s.l2Hits, cacheRequests);
    s.computeRate = ratio(s.computes, cacheRequests);
    s.hitRate = cacheRequests == 0 ? 0.0 : 1.0 - s.computeRate;

    s.impressions = all.impressions;
    s.clicks = all.clicks;
    s.conversions = all.conversions;
    s.ctr = ratio(all.clicks, all.impressions);
    s.conversionRate = ratio(all.conversions, all.impressions);

    s.lists = total.lists;
    s.diversity = total.lists == 0
                      ? 0.0
                      : static_cast<double>(total.ildSum) / detail::kIldScale / static_cast<double>(total.lists);
    if (const detail::StampArray* array = items.current.load(std::memory_order_acquire)) s.catalogSize = array->size;
    s.distinctItems = distinctItems(s.fromSecond, nowSecond);
    s.coverage = s.catalogSize == 0 ? 0.0 : static_cast<double>(s.distinctItems) / static_cast<double>(s.catalogSize);

    const bool otherUsed = variants.otherUsed.load(std::memory_order_acquire);
    forEachVariantSlot(count, [&](std::size_t v) {
        const VariantCounts& c = total.variants[v];
        if (v == kOtherVariants && !otherUsed && c.requests + c.impressions + c.clicks + c.conversions == 0) return;
        VariantSummary vs;
        vs.id = static_cast<VariantId>(v);
        vs.name = v == kOtherVariants ? std::string("(other)") : variants.names[v];
        vs.requests = c.requests;
        vs.serverErrors = c.serverErrors;
        vs.impressions = c.impressions;
        vs.clicks = c.clicks;
        vs.conversions = c.conversions;
        vs.errorRate = ratio(c.serverErrors, c.requests);
        vs.meanLatencyMs = ratio(c.latencyNs, c.requests) / 1e6;
        vs.ctr = ratio(c.clicks, c.impressions);
        vs.conversionRate = ratio(c.conversions, c.impressions);
        s.variants.push_back(std::move(vs));
    });
    return s;
}

// --- Monitor ------------------------------------------------------------------------------

std::vector<SeriesPoint> Monitor::series(SeriesKind kind, std::int64_t windowSeconds,
                                         std::optional<VariantId> variant) const {
    return series(kind, windowSeconds, variant, m_impl->clock());
}

std::vector<SeriesPoint> Monitor::series(SeriesKind kind, std::int64_t windowSeconds, std::optional<VariantId> variant,
                                         std::int64_t nowSecond) const {
    const Impl& impl = *m_impl;
    if (variant && !isPerVariant(kind)) return {};
    if (variant) variant = impl.checkedVariant(*variant);
    windowSeconds = clampWindow(windowSeconds);
    const std::int64_t first = nowSecond - windowSeconds;
    const std::int64_t last = nowSecond - 1;
    const std::size_t count = impl.variantCount();

    std::vector<SeriesPoint> points;
    points.reserve(static_cast<std::size_t>(windowSeconds));
    const std::optional<std::int64_t> sliding = slidingWindow(kind);

    if (isCoverage(kind)) {
        const std::size_t w = coverageIndex(kind);
        std::lock_guard lock(impl.coverageMutex);
        for (std::int64_t t = first; t <= last; ++t) {
            const auto& sample = impl.coverageSamples[static_cast<std::size_t>(t) % impl.coverageSamples.size()];
            if (sample.second == t) points.push_back({t, sample.coverage[w]});
        }
        return points;
    }

    SecondCounts one;
    if (sliding) {
        // Diversity over (t - W, t]: running sums of lists and ILD over the trailing window.
        const std::int64_t start = first - *sliding + 1;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> perSecond;  // lists, ildSum
        perSecond.reserve(static_cast<std::size_t>(last - start + 1));
        for (std::int64_t t = start; t <= last; ++t) {
            impl.ring.readSecond(t, detail::kReadLists, count, one);
            perSecond.emplace_back(one.lists, one.ildSum);
        }
        std::uint64_t lists = 0;
        std::uint64_t ild = 0;
        for (std::size_t i = 0; i < perSecond.size(); ++i) {
            lists += perSecond[i].first;
            ild += perSecond[i].second;
            if (i >= static_cast<std::size_t>(*sliding)) {
                lists -= perSecond[i - static_cast<std::size_t>(*sliding)].first;
                ild -= perSecond[i - static_cast<std::size_t>(*sliding)].second;
            }
            const std::int64_t t = start + static_cast<std::int64_t>(i);
            if (t < first) continue;
            points.push_back(
                {t, lists == 0 ? 0.0 : static_cast<double>(ild) / detail::kIldScale / static_cast<double>(lists)});
        }
        return points;
    }

    const unsigned parts = partsFor(kind);
    for (std::int64_t t = first; t <= last; ++t) {
        impl.ring.readSecond(t, parts, count, one);
        points.push_back({t, valueOf(kind, one, variant, count)});
    }
    return points;
}

MonitorSummary Monitor::summary(std::int64_t windowSeconds) const {
    return summary(windowSeconds, m_impl->clock());
}

MonitorSummary Monitor::summary(std::int64_t windowSeconds, std::int64_t nowSecond) const {
    return m_impl->summarize(windowSeconds, nowSecond);
}

}  // namespace recdeck::monitoring

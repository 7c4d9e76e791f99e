// Monitor's Prometheus exposition, built on prometheus-cpp's registry and TextSerializer.

#include "monitor_prometheus.h"

#include <vector>

#include <prometheus/text_serializer.h>

#include "recdeck/monitoring/monitor.h"

namespace recdeck::monitoring {

namespace detail {

Exporter::Exporter() : registry(std::make_shared<prometheus::Registry>()) {
    auto& reg = *registry;
    requests = &prometheus::BuildCounter()
                    .Name("recdeck_requests_total")
                    .Help("Recommendation requests by status (fallbacks answered, so they count as ok)")
                    .Register(reg);
    statusCounters = {&requests->Add({{"status", "ok"}}), &requests->Add({{"status", "client_error"}}),
                      &requests->Add({{"status", "server_error"}})};
    fallbacks = &prometheus::BuildCounter()
                     .Name("recdeck_fallbacks_total")
                     .Help("Requests answered by a fallback after the preferred path failed")
                     .Register(reg);
    fallbackCounter = &fallbacks->Add({});
    duration = &prometheus::BuildHistogram()
                    .Name("recdeck_request_duration_seconds")
                    .Help("End-to-end recommendation request latency")
                    .Register(reg);
    durationHistogram = &duration->Add(
        {}, prometheus::Histogram::BucketBoundaries(kDurationBoundsSeconds.begin(), kDurationBoundsSeconds.end()));
    cacheRequests = &prometheus::BuildCounter()
                         .Name("recdeck_cache_requests_total")
                         .Help("Requests by the cache tier that answered")
                         .Register(reg);
    tierCounters = {&cacheRequests->Add({{"tier", cache::tierName(cache::Tier::L1)}}),
                    &cacheRequests->Add({{"tier", cache::tierName(cache::Tier::L2)}}),
                    &cacheRequests->Add({{"tier", cache::tierName(cache::Tier::Compute)}})};
    impressions = &prometheus::BuildCounter()
                       .Name("recdeck_impressions_total")
                       .Help("Recommended items shown, by experiment variant")
                       .Register(reg);
    clicks = &prometheus::BuildCounter()
                  .Name("recdeck_clicks_total")
                  .Help("Clicks on recommended items, by experiment variant")
                  .Register(reg);
    conversions = &prometheus::BuildCounter()
                       .Name("recdeck_conversions_total")
                       .Help("Add-to-cart and purchase events, by experiment variant")
                       .Register(reg);
    ctr = &prometheus::BuildGauge()
               .Name("recdeck_ctr")
               .Help("Click-through rate (clicks / impressions) over the last 5 minutes, by experiment variant")
               .Register(reg);
    alertFiring = &prometheus::BuildGauge()
                       .Name("recdeck_alert_firing")
                       .Help("1 while the alert rule fires, 0 otherwise (as of the last evaluation)")
                       .Register(reg);
    dropped = &prometheus::BuildCounter()
                   .Name("recdeck_monitor_dropped_samples_total")
                   .Help("Samples too old for the one-hour history (still counted in the other totals)")
                   .Register(reg);
    droppedCounter = &dropped->Add({});
}

}  // namespace detail

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr std::int64_t kCtrWindowSeconds = 300;

// Adds the growth of `total` since `last` to the counter.
void advance(prometheus::Counter& counter, const std::atomic<std::uint64_t>& total, std::uint64_t& last) {
    const std::uint64_t now = total.load(kRelaxed);
    if (now > last) counter.Increment(static_cast<double>(now - last));
    last = now;
}

std::string variantLabel(const std::string& name) {
    return name.empty() ? std::string("none") : name;
}

}  // namespace

std::shared_ptr<prometheus::Registry> Monitor::registry() const {
    return m_impl->exporter->registry;
}

void Monitor::setScrapeHook(std::function<void(prometheus::Registry&)> hook) {
    std::lock_guard lock(m_impl->exporter->mutex);
    m_impl->exporter->hook = std::move(hook);
}

std::string Monitor::prometheusText() {
    Impl& impl = *m_impl;
    detail::Exporter& ex = *impl.exporter;
    const detail::Totals& totals = impl.totals;
    std::lock_guard lock(ex.mutex);
    if (ex.hook) ex.hook(*ex.registry);

    for (std::size_t i = 0; i < ex.statusCounters.size(); ++i)
        advance(*ex.statusCounters[i], totals.status[i], ex.status[i]);
    advance(*ex.fallbackCounter, totals.fallbacks, ex.fallbackTotal);
    for (std::size_t i = 0; i < detail::kTierCount; ++i) advance(*ex.tierCounters[i], totals.tiers[i], ex.tiers[i]);
    advance(*ex.droppedCounter, totals.dropped, ex.droppedTotal);

    std::vector<double> bucketGrowth(detail::kDurationBuckets, 0.0);
    bool grew = false;
    for (std::size_t b = 0; b < detail::kDurationBuckets; ++b) {
        const std::uint64_t now = totals.duration[b].load(kRelaxed);
        bucketGrowth[b] = static_cast<double>(now - ex.durationBuckets[b]);
        grew = grew || now != ex.durationBuckets[b];
        ex.durationBuckets[b] = now;
    }
    const std::uint64_t durationNs = totals.durationNs.load(kRelaxed);
    if (grew || durationNs != ex.durationNs)
        ex.durationHistogram->ObserveMultiple(bucketGrowth, static_cast<double>(durationNs - ex.durationNs) / 1e9);
    ex.durationNs = durationNs;

    // Per variant: every registered name, and "(other)" once anything was counted there.
    const std::size_t count = impl.variantCount();
    const MonitorSummary recent = impl.summarize(kCtrWindowSeconds, impl.clock());
    for (std::size_t v = 0; v < kMaxVariants; ++v) {
        if (v >= count && v != kOtherVariants) continue;
        if (v == kOtherVariants && !impl.variants.otherUsed.load(kRelaxed) &&
            totals.impressions[v].load(kRelaxed) + totals.clicks[v].load(kRelaxed) +
                    totals.conversions[v].load(kRelaxed) ==
                0)
            continue;
        const std::string name = v == kOtherVariants ? std::string("(other)") : impl.variants.names[v];
        const prometheus::Labels labels{{"variant", variantLabel(name)}};
        if (!ex.impressionCounters[v]) {
            ex.impressionCounters[v] = &ex.impressions->Add(labels);
            ex.clickCounters[v] = &ex.clicks->Add(labels);
            ex.conversionCounters[v] = &ex.conversions->Add(labels);
            ex.ctrGauges[v] = &ex.ctr->Add(labels);
        }
        advance(*ex.impressionCounters[v], totals.impressions[v], ex.impressionTotals[v]);
        advance(*ex.clickCounters[v], totals.clicks[v], ex.clickTotals[v]);
        advance(*ex.conversionCounters[v], totals.conversions[v], ex.conversionTotals[v]);
        double ctr = 0.0;
        for (const VariantSummary& vs : recent.variants)
            if (vs.id == v) ctr = vs.ctr;
        ex.ctrGauges[v]->Set(ctr);
    }

    {
        std::lock_guard alertLock(impl.alertMutex);
        std::map<std::string, prometheus::Gauge*, std::less<>> kept;
        for (const AlertStatus& status : impl.alerts) {
            auto it = ex.alertGauges.find(status.rule.name);
            prometheus::Gauge* gauge =
                it != ex.alertGauges.end() ? it->second : &ex.alertFiring->Add({{"rule", status.rule.name}});
            if (it != ex.alertGauges.end()) ex.alertGauges.erase(it);
            gauge->Set(status.state == AlertState::Firing ? 1.0 : 0.0);
            kept.emplace(status.rule.name, gauge);
        }
        for (auto& [name, gauge] : ex.alertGauges) ex.alertFiring->Remove(gauge);  // rules removed since
        ex.alertGauges = std::move(kept);
    }

    return prometheus::TextSerializer().Serialize(ex.registry->Collect());
}

}  // namespace recdeck::monitoring

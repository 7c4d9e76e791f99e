#include "recdeck/ui/adapters/fleet_metrics.h"

#include <algorithm>

namespace recdeck::ui {

namespace {

double orZero(const std::optional<double>& value) {
    return value.value_or(0.0);
}

ScrapeTotals zeroCounters(const ScrapeTotals& like) {
    ScrapeTotals zero = like;
    zero.requests = zero.errors = zero.impressions = zero.clicks = zero.cacheHits = zero.cacheRequests = 0.0;
    for (auto& bucket : zero.latency) bucket.second = 0.0;
    return zero;
}

void trim(QList<QPointF>& points, qint64 fromMs) {
    const auto keepFrom = std::find_if(points.begin(), points.end(),
                                       [fromMs](const QPointF& p) { return p.x() >= static_cast<double>(fromMs); });
    points.erase(points.begin(), keepFrom);
}

}  // namespace

ScrapeTotals ScrapeTotals::from(const prometheus::Exposition& exposition) {
    ScrapeTotals totals;
    const auto requests = exposition.sum("recdeck_requests_total");
    totals.hasRequestFamily = requests.has_value();
    totals.requests = orZero(requests);
    totals.errors = orZero(exposition.sum("recdeck_requests_total", {{"status", "client_error"}})) +
                    orZero(exposition.sum("recdeck_requests_total", {{"status", "server_error"}}));
    totals.impressions = orZero(exposition.sum("recdeck_impressions_total"));
    totals.clicks = orZero(exposition.sum("recdeck_clicks_total"));
    const double l1 = orZero(exposition.sum("recdeck_cache_requests_total", {{"tier", "l1"}}));
    const double l2 = orZero(exposition.sum("recdeck_cache_requests_total", {{"tier", "l2"}}));
    totals.cacheHits = l1 + l2;
    totals.cacheRequests = orZero(exposition.sum("recdeck_cache_requests_total"));
    totals.latency = exposition.buckets("recdeck_request_duration_seconds");
    for (const auto* info : exposition.find("recdeck_model_info", {{"default", "true"}})) {
        if (info->value < 0.5) continue;
        totals.defaultModel = QString::fromStdString(std::string(info->label("model").value_or("")));
        totals.defaultVersion = QString::fromStdString(std::string(info->label("version").value_or("0"))).toLongLong();
        break;
    }
    totals.streamLagSeconds = exposition.sum("recdeck_fleet_reader_lag_seconds");
    totals.unpublishedEvents = exposition.sum("recdeck_fleet_unpublished_events");
    if (const auto up = exposition.find("recdeck_store_up"); !up.empty()) {
        totals.store = QString::fromStdString(std::string(up.front()->label("store").value_or("")));
        totals.storeUp = up.front()->value > 0.5;
    }
    return totals;
}

bool isCounterReset(const ScrapeTotals& before, const ScrapeTotals& now) {
    if (now.requests < before.requests || now.errors < before.errors || now.impressions < before.impressions ||
        now.clicks < before.clicks || now.cacheRequests < before.cacheRequests || now.cacheHits < before.cacheHits) {
        return true;
    }
    if (before.latency.size() == now.latency.size()) {
        for (std::size_t i = 0; i < now.latency.size(); ++i) {
            if (now.latency[i].second < before.latency[i].second) return true;
        }
    }
    return false;
}

void TrafficWindow::clear() {
    m_entries.clear();
    m_requests.clear();
    m_p99.clear();
    m_figures = {};
}

TrafficFigures TrafficWindow::add(qint64 atMs, const ScrapeTotals& totals) {
    TrafficFigures figures;
    if (!m_entries.empty() && atMs <= m_entries.back().atMs) return m_figures;  // out of order: ignored
    if (!m_entries.empty() && isCounterReset(m_entries.back().totals, totals)) {
        // Counted from zero since the restart: the previous scrape's time is the best bound
        // we have for when that was.
        figures.restarted = true;
        const qint64 before = m_entries.back().atMs;
        m_entries.clear();
        m_entries.push_back({before, zeroCounters(totals)});
    }
    m_entries.push_back({atMs, totals});
    if (m_entries.size() < 2) {
        m_figures = figures;
        return figures;
    }
    while (m_entries.size() > 2 && m_entries[1].atMs <= atMs - kFiguresWindowMs) m_entries.pop_front();

    const Entry& previous = m_entries[m_entries.size() - 2];
    const double seconds = static_cast<double>(atMs - previous.atMs) / 1000.0;
    figures.hasRate = true;
    figures.requestsPerSecond = std::max(0.0, (totals.requests - previous.totals.requests) / seconds);
    figures.errorsPerSecond = std::max(0.0, (totals.errors - previous.totals.errors) / seconds);

    const ScrapeTotals& base = m_entries.front().totals;
    if (const auto recent = prometheus::difference(totals.latency, base.latency)) {
        if (const auto p99 = prometheus::quantile(0.99, *recent)) {
            figures.hasLatency = true;
            figures.p99Ms = *p99 * 1000.0;
        }
    }
    const double impressions = totals.impressions - base.impressions;
    if (impressions > 0) {
        figures.hasCtr = true;
        figures.ctr = (totals.clicks - base.clicks) / impressions;
    }
    const double lookups = totals.cacheRequests - base.cacheRequests;
    if (lookups > 0) {
        figures.hasHitRate = true;
        figures.hitRate = (totals.cacheHits - base.cacheHits) / lookups;
    }

    m_requests.append(QPointF(static_cast<double>(atMs), figures.requestsPerSecond));
    if (figures.hasLatency) m_p99.append(QPointF(static_cast<double>(atMs), figures.p99Ms));
    trim(m_requests, atMs - kHistoryMs);
    trim(m_p99, atMs - kHistoryMs);
    m_figures = figures;
    return figures;
}

}  // namespace recdeck::ui

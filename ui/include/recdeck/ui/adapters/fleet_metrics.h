#pragma once
// What the console derives from successive /metrics scrapes of one RecDeck engine (a
// recdeckd instance, or the console's own engine): the totals a scrape holds, and a
// sliding window over them that turns counters into rates the way Prometheus' rate() does
// — a counter that goes down means the process restarted, and its new value counts from
// zero.
//
// Figures:
//   requests/s  growth of recdeck_requests_total (every status) over the last interval;
//   p99         of recdeck_request_duration_seconds over the last minute's observations;
//   CTR         growth of recdeck_clicks_total / growth of recdeck_impressions_total
//               (every variant) over the last minute;
//   hit rate    (l1 + l2) / all of recdeck_cache_requests_total{tier} over the last minute.
// Each is flagged valid only when the window holds something to divide by.
//
// Value types, no Qt objects; not thread-safe (one owner).

#include <QList>
#include <QPointF>
#include <QString>

#include <cstdint>
#include <deque>
#include <optional>

#include "recdeck/ui/adapters/prometheus_text.h"

namespace recdeck::ui {

struct ScrapeTotals {
    double requests = 0.0;     // recommendation requests, every status
    double errors = 0.0;       // of which client_error + server_error
    double impressions = 0.0;  // items shown
    double clicks = 0.0;
    double cacheHits = 0.0;       // answered by l1 or l2
    double cacheRequests = 0.0;   // l1 + l2 + compute
    prometheus::Buckets latency;  // seconds, cumulative
    QString defaultModel;         // recdeck_model_info{default="true"}: "blend"
    qint64 defaultVersion = 0;
    QString store;  // recdeck_store_up{store}
    std::optional<bool> storeUp;
    bool hasRequestFamily = false;  // recdeck_requests_total present (a RecDeck engine)
    // Fleet mode: recdeck_fleet_reader_lag_seconds (how far its readouts are behind the
    // fleet stream) and recdeck_fleet_unpublished_events (its events not yet in it).
    std::optional<double> streamLagSeconds;
    std::optional<double> unpublishedEvents;

    static ScrapeTotals from(const prometheus::Exposition& exposition);
};

struct TrafficFigures {
    double requestsPerSecond = 0.0;
    double errorsPerSecond = 0.0;
    bool hasRate = false;  // two scrapes seen
    double p99Ms = 0.0;
    bool hasLatency = false;  // requests in the last minute
    double ctr = 0.0;
    bool hasCtr = false;  // impressions in the last minute
    double hitRate = 0.0;
    bool hasHitRate = false;  // cache lookups in the last minute
    bool restarted = false;   // the latest scrape showed a counter reset
};

class TrafficWindow {
public:
    static constexpr qint64 kFiguresWindowMs = 60'000;
    static constexpr qint64 kHistoryMs = 15 * 60'000;

    // Adds a scrape taken at `atMs` (ms since the epoch, increasing) and returns the figures.
    TrafficFigures add(qint64 atMs, const ScrapeTotals& totals);
    const TrafficFigures& figures() const { return m_figures; }
    // (ms since the epoch, value) per scrape after the first, over the last 15 minutes.
    const QList<QPointF>& requestsHistory() const { return m_requests; }
    const QList<QPointF>& p99History() const { return m_p99; }  // only points with requests
    void clear();

private:
    struct Entry {
        qint64 atMs;
        ScrapeTotals totals;
    };
    std::deque<Entry> m_entries;
    QList<QPointF> m_requests;
    QList<QPointF> m_p99;
    TrafficFigures m_figures;
};

// True when `now` shows any counter below `before`: the process restarted in between.
bool isCounterReset(const ScrapeTotals& before, const ScrapeTotals& now);

}  // namespace recdeck::ui

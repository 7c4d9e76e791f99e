#pragma once
// LiveFeed: the console's once-a-second pull of live figures. A timer asks a worker
// thread to read the engine's monitor (series and summaries), alerts, cache and store
// state and the simulator's statistics into one immutable LiveSnapshot; panels redraw
// from it. Never more than one read in flight, so a slow read coalesces ticks instead of
// queueing them (charts refresh at a fixed rate, never per event).

#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "recdeck/cache/tiered_cache.h"
#include "recdeck/monitoring/monitor.h"
#include "recdeck/sim/traffic_simulator.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::ui {

class EngineHost;

struct LiveSnapshot {
    std::int64_t atSecond = 0;
    int windowSeconds = 60;
    monitoring::MonitorSummary window;      // over the chosen window
    monitoring::MonitorSummary lastMinute;  // for headline tiles
    // Overall series over the window, by kind.
    std::map<monitoring::SeriesKind, std::vector<monitoring::SeriesPoint>> series;
    // Per experiment variant ("experiment:variant"; "" = outside experiments): CTR,
    // conversion rate and requests per second over the window.
    std::map<std::string, std::map<monitoring::SeriesKind, std::vector<monitoring::SeriesPoint>>> variants;
    std::vector<monitoring::AlertStatus> alerts;
    cache::CacheStats cache;
    cache::CacheConfig cacheConfig;
    store::StoreHealth storeHealth;
    std::string store;
    std::string model;
    std::uint64_t modelVersion = 0;
    std::optional<sim::SimulatorStats> simulator;
    // Fleet mode: the fleet's figures over the window (every instance's served lists,
    // clicks and conversions, from the event stream); nullopt in embedded mode.
    std::optional<monitoring::MonitorSummary> fleet;
    std::vector<monitoring::SeriesPoint> fleetRequests;  // per second over the window
};

class LiveFeed : public QObject {
    Q_OBJECT
public:
    explicit LiveFeed(EngineHost& host, QObject* parent = nullptr);

    // The trailing window of the series (seconds: 60, 900 or 3600).
    void setWindow(int seconds);
    int window() const { return m_window; }
    void setInterval(int milliseconds) { m_timer.setInterval(milliseconds); }
    void start() { m_timer.start(); }
    void stop() { m_timer.stop(); }
    // Reads now (still asynchronously).
    void refresh();
    std::shared_ptr<const LiveSnapshot> latest() const { return m_latest; }

signals:
    void updated(std::shared_ptr<const recdeck::ui::LiveSnapshot> snapshot);

private:
    EngineHost& m_host;
    QTimer m_timer;
    int m_window = 60;
    bool m_inFlight = false;
    std::shared_ptr<const LiveSnapshot> m_latest;
};

}  // namespace recdeck::ui

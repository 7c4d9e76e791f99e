#include "recdeck/ui/adapters/live_feed.h"

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"

namespace recdeck::ui {

namespace {

using monitoring::SeriesKind;

constexpr SeriesKind kOverall[] = {
    SeriesKind::RequestsPerSecond, SeriesKind::LatencyP50Ms, SeriesKind::LatencyP95Ms,
    SeriesKind::LatencyP99Ms,      SeriesKind::Ctr,          SeriesKind::ConversionRate,
    SeriesKind::L1HitRate,         SeriesKind::L2HitRate,    SeriesKind::ComputeRate,
    SeriesKind::HitRate,           SeriesKind::ErrorRate,    SeriesKind::Coverage1m,
    SeriesKind::Coverage15m,       SeriesKind::Diversity1m,  SeriesKind::Diversity15m,
    SeriesKind::ClicksPerSecond,
};
constexpr SeriesKind kPerVariant[] = {SeriesKind::Ctr, SeriesKind::ConversionRate, SeriesKind::RequestsPerSecond};

}  // namespace

LiveFeed::LiveFeed(EngineHost& host, QObject* parent) : QObject(parent), m_host(host) {
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &LiveFeed::refresh);
}

void LiveFeed::setWindow(int seconds) {
    m_window = std::clamp(seconds, 10, static_cast<int>(monitoring::Monitor::kHistorySeconds));
    refresh();
}

void LiveFeed::refresh() {
    std::shared_ptr<serving::Engine> engine = m_host.sharedEngine();
    if (!engine || m_inFlight) return;
    m_inFlight = true;
    const int window = m_window;
    auto simulator = m_host.simulatorStats();  // a consistent copy, cheap
    runAsync(
        this,
        [engine, window, simulator]() {
            auto snapshot = std::make_shared<LiveSnapshot>();
            auto& monitor = engine->monitor();
            snapshot->atSecond = monitoring::systemUnixSeconds();
            snapshot->windowSeconds = window;
            snapshot->window = monitor.summary(window);
            snapshot->lastMinute = window == 60 ? snapshot->window : monitor.summary(60);
            for (SeriesKind kind : kOverall) snapshot->series[kind] = monitor.series(kind, window);
            const auto names = monitor.variantNames();
            for (std::size_t id = 0; id < names.size(); ++id) {
                auto& perKind = snapshot->variants[names[id]];
                for (SeriesKind kind : kPerVariant) {
                    perKind[kind] = monitor.series(kind, window, static_cast<monitoring::VariantId>(id));
                }
            }
            snapshot->alerts = monitor.alerts();
            snapshot->cache = engine->cache().stats();
            snapshot->cacheConfig = engine->cache().config();
            snapshot->storeHealth = engine->store()->health();
            snapshot->store = engine->store()->describe();
            if (auto entry = engine->registry().defaultEntry()) {
                snapshot->model = entry->name;
                snapshot->modelVersion = entry->version;
            }
            snapshot->simulator = simulator;
            if (const monitoring::Monitor* fleet = engine->fleetMonitor()) {
                snapshot->fleet = fleet->summary(window);
                snapshot->fleetRequests = fleet->series(SeriesKind::RequestsPerSecond, window);
            }
            return std::shared_ptr<const LiveSnapshot>(std::move(snapshot));
        },
        [this](std::shared_ptr<const LiveSnapshot> snapshot) {
            m_inFlight = false;
            m_latest = std::move(snapshot);
            emit updated(m_latest);
        });
}

}  // namespace recdeck::ui

#include "recdeck/ui/fleet/local_engine_probe.h"

#include <QDateTime>

#include <string>
#include <vector>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"

namespace recdeck::ui {

namespace {

struct LocalReading {
    std::string metrics;
    bool ready = false;
    std::vector<std::string> problems;
    std::string store;
    std::string model;
    std::uint64_t modelVersion = 0;
};

}  // namespace

LocalEngineProbe::LocalEngineProbe(EngineHost& host, QObject* parent) : QObject(parent), m_host(host) {
    m_state.url = QUrl(QStringLiteral("console:local"));
    m_timer.setInterval(2000);
    connect(&m_timer, &QTimer::timeout, this, &LocalEngineProbe::pollNow);
    connect(&host, &EngineHost::opening, this, [this] {
        if (m_state.lastPollMs != 0 || m_state.reachable) reset();
    });
    connect(&host, &EngineHost::opened, this, [this] {
        reset();
        pollNow();
    });
    connect(&host, &EngineHost::openFailed, this, [this](const QString& message) {
        reset();
        m_state.lastPollMs = QDateTime::currentMSecsSinceEpoch();
        m_state.error = message;
        m_state.lastErrorMs = m_state.lastPollMs;
        emit changed();
    });
    m_timer.start();
    if (host.isOpen()) pollNow();
}

void LocalEngineProbe::reset() {
    ++m_generation;
    m_inFlight = false;
    m_window.clear();
    const QUrl url = m_state.url;
    m_state = InstanceState();
    m_state.url = url;
    emit changed();
}

void LocalEngineProbe::pollNow() {
    auto engine = m_host.sharedEngine();
    if (!engine || m_inFlight) return;
    m_inFlight = true;
    const quint64 generation = m_generation;
    runAsync(
        this,
        [engine] {
            LocalReading reading;
            reading.metrics = engine->monitor().prometheusText();
            const auto ready = engine->ready();
            reading.ready = ready.ready;
            reading.problems = ready.problems;
            reading.store = engine->store()->describe();
            if (const auto entry = engine->registry().defaultEntry()) {
                reading.model = entry->name;
                reading.modelVersion = entry->version;
            }
            return reading;
        },
        [this, generation](LocalReading reading) {
            if (generation != m_generation) return;
            m_inFlight = false;
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            InstanceState& s = m_state;
            s.lastPollMs = now;
            s.lastSeenMs = now;
            s.reachable = true;
            s.ready = reading.ready;
            s.readyReasons.clear();
            for (const auto& problem : reading.problems) s.readyReasons << QString::fromStdString(problem);
            s.readyDetail = s.ready ? tr("ready") : s.readyReasons.join(QStringLiteral("; "));
            if (!s.ready) {
                s.error = s.readyDetail;
                s.lastErrorMs = now;
            }
            s.store = QString::fromStdString(reading.store);
            s.model = reading.model.empty()
                          ? QString()
                          : tr("%1 v%2").arg(QString::fromStdString(reading.model)).arg(reading.modelVersion);
            const auto exposition = prometheus::parse(reading.metrics);
            const ScrapeTotals totals = ScrapeTotals::from(exposition);
            s.streamLagSeconds = totals.streamLagSeconds;
            s.unpublishedEvents = totals.unpublishedEvents;
            const TrafficFigures f = m_window.add(now, totals);
            s.hasRate = f.hasRate;
            s.requestsPerSecond = f.requestsPerSecond;
            s.errorsPerSecond = f.errorsPerSecond;
            s.hasLatency = f.hasLatency;
            s.p99Ms = f.p99Ms;
            s.hasCtr = f.hasCtr;
            s.ctr = f.ctr;
            s.hasHitRate = f.hasHitRate;
            s.hitRate = f.hitRate;
            s.requestsHistory = m_window.requestsHistory();
            s.p99History = m_window.p99History();
            emit changed();
        });
}

}  // namespace recdeck::ui

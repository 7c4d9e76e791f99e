#include "recdeck/ui/adapters/engine_host.h"

#include <QMetaObject>
#include <QPointer>

#include "recdeck/sim/demo.h"
#include "recdeck/sim/engine_target.h"
#include "recdeck/ui/common/async.h"

namespace recdeck::ui {

EngineHost::EngineHost(QObject* parent) : QObject(parent) {}

EngineHost::~EngineHost() {
    detach();
}

QString EngineHost::backend() const {
    if (!m_engine) return QString::fromStdString(m_config.store);
    return QString::fromStdString(m_engine->store()->describe());
}

void EngineHost::open(serving::EngineConfig config) {
    detach();
    m_config = config;
    m_opening = true;
    const quint64 generation = ++m_generation;
    QPointer<EngineHost> self(this);
    TaskControl control;
    control.progress = [self](double fraction, std::string_view stage) {
        const QString text = QString::fromUtf8(stage.data(), static_cast<qsizetype>(stage.size()));
        QMetaObject::invokeMethod(
            self,
            [self, fraction, text] {
                if (self) emit self->opening(fraction, text);
            },
            Qt::QueuedConnection);
    };
    runAsync(
        this, [config = std::move(config), control]() { return serving::Engine::open(config, control); },
        [this, generation](Result<std::unique_ptr<serving::Engine>> result) {
            if (generation != m_generation) return;  // a newer open() superseded this one
            m_opening = false;
            if (!result) {
                emit openFailed(QString::fromStdString(result.errorMessage()));
                return;
            }
            attach(std::move(*result));
            emit opened();
        });
}

void EngineHost::attach(std::unique_ptr<serving::Engine> engine) {
    m_engine = std::move(engine);
    QPointer<EngineHost> self(this);
    m_experimentListener = m_engine->experiments().addListener([self](const experiments::ExperimentChange& change) {
        const QString key = QString::fromStdString(change.key);
        QMetaObject::invokeMethod(
            self,
            [self, key] {
                if (self) emit self->experimentsChanged(key);
            },
            Qt::QueuedConnection);
    });
    m_engine->cache().setInvalidationListener([self](const cache::InvalidationRecord& record) {
        const QString kind = QString::fromLatin1(cache::invalidationKindName(record.kind));
        const QString id = QString::fromStdString(record.id);
        const bool remote = record.remote;
        QMetaObject::invokeMethod(
            self,
            [self, kind, id, remote] {
                if (self) emit self->cacheInvalidated(kind, id, remote);
            },
            Qt::QueuedConnection);
    });
    createSimulator();
    setUpDemo();
}

void EngineHost::detach() {
    if (m_simulator) m_simulator->stop();
    m_simulator.reset();
    m_target.reset();
    m_truth.reset();
    if (m_engine) {
        m_engine->cache().setInvalidationListener({});
        if (m_experimentListener != 0) m_engine->experiments().removeListener(m_experimentListener);
        m_experimentListener = 0;
        m_engine.reset();  // flushes the event log
    }
}

void EngineHost::createSimulator() {
    m_truth = sim::truthOf(*m_engine);
    m_target = std::make_unique<sim::EngineTarget>(*m_engine);
    sim::SimulatorConfig config;
    config.rate = m_rate;
    config.threads = 2;
    auto simulator = sim::TrafficSimulator::create(*m_target, *m_truth, config);
    if (simulator) m_simulator = std::move(*simulator);
}

void EngineHost::notifyDataChanged() {
    if (m_engine) {
        const bool wasRunning = simulatorRunning();
        if (m_simulator) m_simulator->stop();
        m_simulator.reset();
        m_target.reset();
        m_truth.reset();
        createSimulator();
        if (wasRunning && m_simulator) {
            m_simulator->setRate(m_rate);
            m_simulator->start();
        }
        emit simulatorChanged(simulatorRunning(), m_rate);
    }
    emit dataChanged();
}

QString EngineHost::simulatorTruth() const {
    if (!m_truth || !m_engine) return {};
    if (m_engine->demoWorld())
        return tr("Simulated users are the demo world's, with its hidden tastes: %1.")
            .arg(QString::fromStdString(m_truth->describe()));
    return tr("Simulated users are the %L1 users of %2. They like the items they interacted with in the data; lists "
              "leave those out, so most clicks come from a small curiosity rate and CTR stays low.")
        .arg(m_truth->personaCount())
        .arg(QString::fromStdString(m_engine->dataInfo().description));
}

void EngineHost::setUpDemo() {
    (void)sim::setUpDemoExperiment(*m_engine);  // a refusal leaves the panel empty, as without the demo
}

bool EngineHost::simulatorRunning() const {
    return m_simulator && m_simulator->running();
}

double EngineHost::simulatorRate() const {
    return m_simulator ? m_simulator->rate() : m_rate;
}

void EngineHost::setSimulatorRate(double requestsPerSecond) {
    m_rate = std::max(0.0, requestsPerSecond);
    if (m_simulator) m_simulator->setRate(m_rate);
    emit simulatorChanged(simulatorRunning(), m_rate);
}

void EngineHost::startSimulator() {
    if (!m_simulator) return;
    m_simulator->setRate(m_rate);
    m_simulator->start();
    emit simulatorChanged(true, m_rate);
}

void EngineHost::stopSimulator() {
    if (!m_simulator) return;
    m_simulator->stop();
    emit simulatorChanged(false, m_rate);
}

std::optional<sim::SimulatorStats> EngineHost::simulatorStats() const {
    if (!m_simulator) return std::nullopt;
    return m_simulator->snapshot();
}

}  // namespace recdeck::ui

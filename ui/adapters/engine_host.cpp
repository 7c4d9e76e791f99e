#include "recdeck/ui/adapters/engine_host.h"

#include <QMetaObject>
#include <QPointer>

#include "recdeck/sim/engine_target.h"
#include "recdeck/sim/held_out_truth.h"
#include "recdeck/sim/world_truth.h"
#include "recdeck/ui/common/async.h"

namespace recdeck::ui {

namespace {

// The experiment a first start runs on the demo world, so the Experiments panel has a
// live readout: the personalised default model against plain popularity.
constexpr const char* kDemoExperiment = "homepage-personalisation";

}  // namespace

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
    if (auto world = m_engine->demoWorld()) {
        m_truth = std::make_unique<sim::WorldTruth>(world);
    } else {
        // A real dataset has no known tastes: users "like" what they interacted with, so
        // the simulated traffic exercises the service with plausible clicks.
        const auto snapshot = m_engine->snapshot();
        m_truth = std::make_unique<sim::HeldOutTruth>(*snapshot->dataset, snapshot->dataset->interactions,
                                                      sim::HeldOutParams{}, m_engine->dataInfo().description);
    }
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
    if (!m_engine->demoWorld()) return;
    auto& registry = m_engine->experiments();
    if (!registry.list().empty()) return;
    const auto defaultModel = m_engine->registry().defaultEntry();
    if (!defaultModel || !m_engine->registry().find("popularity")) return;
    experiments::Experiment experiment;
    experiment.key = kDemoExperiment;
    experiment.description = "Does the personalised default model beat plain popularity on the home page?";
    experiment.variants = {{"control", 0.5, "popularity", std::nullopt},
                           {"personalised", 0.5, defaultModel->name, std::nullopt}};
    if (registry.create(experiment)) (void)registry.start(kDemoExperiment);
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

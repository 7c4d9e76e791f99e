#pragma once
// EngineHost: the console's side of the recommendation core. It owns the serving Engine
// (opened, reopened and closed on worker threads, never on the GUI thread) and the
// in-process traffic simulator, and turns the core's callbacks (experiment changes, cache
// invalidations) into Qt signals delivered on the GUI thread.
//
// Panels reach core work through engine() with runAsync() (common/async.h): the Engine's
// methods are thread-safe, and anything that may take more than a few milliseconds runs
// on coreThreadPool().

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

#include "recdeck/serving/engine.h"
#include "recdeck/sim/traffic_simulator.h"

namespace recdeck::ui {

class EngineHost : public QObject {
    Q_OBJECT
public:
    explicit EngineHost(QObject* parent = nullptr);
    ~EngineHost() override;

    // Opens an engine with `config` in the background (closing the current one first).
    // Emits opening() with progress, then opened() or openFailed().
    void open(serving::EngineConfig config);
    bool isOpen() const { return m_engine != nullptr; }
    bool isOpening() const { return m_opening; }
    // The engine; null until opened (and while reopening).
    serving::Engine* engine() const { return m_engine.get(); }
    // The same, shared: work handed to another thread captures this, so the engine
    // outlives the work even if the console switches backends meanwhile.
    std::shared_ptr<serving::Engine> sharedEngine() const { return m_engine; }
    const serving::EngineConfig& config() const { return m_config; }
    // "embedded" or the redacted Redis URL.
    QString backend() const;

    // --- traffic simulator (in process, against this engine) ---
    bool simulatorAvailable() const { return m_simulator != nullptr; }
    bool simulatorRunning() const;
    double simulatorRate() const;
    void setSimulatorRate(double requestsPerSecond);
    void startSimulator();
    void stopSimulator();
    std::optional<sim::SimulatorStats> simulatorStats() const;

    // What the simulated users like, in a sentence ("" without a simulator).
    QString simulatorTruth() const;

    // Tells panels that models or data changed (after training or an import). After an
    // import the simulator is rebuilt on the new data first (its users and their tastes
    // are the new dataset's), keeping its rate and whether it runs, so every panel that
    // reacts to dataChanged() already sees traffic of the new world.
    void notifyModelsChanged() { emit modelsChanged(); }
    void notifyDataChanged();

signals:
    void opening(double fraction, const QString& stage);
    void opened();
    void openFailed(const QString& message);
    void modelsChanged();
    void dataChanged();
    void experimentsChanged(const QString& key);
    void cacheInvalidated(const QString& kind, const QString& id, bool remote);
    void simulatorChanged(bool running, double rate);

private:
    void attach(std::unique_ptr<serving::Engine> engine);
    void detach();
    void createSimulator();
    void setUpDemo();

    serving::EngineConfig m_config;
    std::shared_ptr<serving::Engine> m_engine;
    std::unique_ptr<sim::Target> m_target;
    std::unique_ptr<sim::GroundTruth> m_truth;
    std::unique_ptr<sim::TrafficSimulator> m_simulator;
    double m_rate = 50.0;
    bool m_opening = false;
    int m_experimentListener = 0;
    quint64 m_generation = 0;  // opens started; a finished open of an older one is dropped
};

}  // namespace recdeck::ui

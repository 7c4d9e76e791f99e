#pragma once

#include <QObject>
#include <QTimer>

#include "recdeck/ui/adapters/fleet_metrics.h"
#include "recdeck/ui/adapters/fleet_monitor.h"

namespace recdeck::ui {

class EngineHost;

// The console's own engine, read the way FleetMonitor reads a recdeckd instance: its
// Prometheus text and readiness every 2 s (on a worker), the same TrafficWindow figures.
// So the fleet table compares the console with the instances on equal terms.
class LocalEngineProbe : public QObject {
    Q_OBJECT
public:
    explicit LocalEngineProbe(EngineHost& host, QObject* parent = nullptr);

    const InstanceState& state() const { return m_state; }
    void setInterval(int milliseconds) { m_timer.setInterval(milliseconds); }
    void pollNow();

signals:
    void changed();

private:
    void reset();

    EngineHost& m_host;
    QTimer m_timer;
    InstanceState m_state;
    TrafficWindow m_window;
    bool m_inFlight = false;
    quint64 m_generation = 0;  // bumped when the engine reopens: late answers are dropped
};

}  // namespace recdeck::ui

#pragma once

#include <QWidget>

namespace recdeck::ui {

class EngineHost;
class FleetMonitor;
class LiveFeed;

// Dashboard: Live traffic, latency, click-through and cache figures.
class DashboardPanel : public QWidget {
    Q_OBJECT
public:
    explicit DashboardPanel(EngineHost& host, LiveFeed& feed, FleetMonitor& fleet, QWidget* parent = nullptr);
};

}  // namespace recdeck::ui

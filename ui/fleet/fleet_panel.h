#pragma once

#include <QWidget>

namespace recdeck::ui {

class EngineHost;
class FleetMonitor;

// Fleet: Running recdeckd instances.
class FleetPanel : public QWidget {
    Q_OBJECT
public:
    explicit FleetPanel(EngineHost& host, FleetMonitor& fleet, QWidget* parent = nullptr);
};

}  // namespace recdeck::ui

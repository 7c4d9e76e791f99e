#include "fleet/fleet_panel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace recdeck::ui {

FleetPanel::FleetPanel(EngineHost& host, FleetMonitor& fleet, QWidget* parent) : QWidget(parent) {
    (void)host;
    (void)fleet;
    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(tr("Fleet"), this);
    heading->setObjectName(QStringLiteral("panelHeading"));
    layout->addWidget(heading);
    layout->addStretch(1);
}

}  // namespace recdeck::ui

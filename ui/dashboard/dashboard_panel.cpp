#include "dashboard/dashboard_panel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace recdeck::ui {

DashboardPanel::DashboardPanel(EngineHost& host, LiveFeed& feed, FleetMonitor& fleet, QWidget* parent) : QWidget(parent) {
    (void)host;
    (void)feed;
    (void)fleet;
    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(tr("Dashboard"), this);
    heading->setObjectName(QStringLiteral("panelHeading"));
    layout->addWidget(heading);
    layout->addStretch(1);
}

}  // namespace recdeck::ui

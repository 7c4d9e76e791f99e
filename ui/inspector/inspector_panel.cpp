#include "inspector/inspector_panel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace recdeck::ui {

InspectorPanel::InspectorPanel(EngineHost& host, QWidget* parent) : QWidget(parent) {
    (void)host;
    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(tr("User inspector"), this);
    heading->setObjectName(QStringLiteral("panelHeading"));
    layout->addWidget(heading);
    layout->addStretch(1);
}

}  // namespace recdeck::ui

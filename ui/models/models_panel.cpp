#include "models/models_panel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace recdeck::ui {

ModelsPanel::ModelsPanel(EngineHost& host, QWidget* parent) : QWidget(parent) {
    (void)host;
    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(tr("Models"), this);
    heading->setObjectName(QStringLiteral("panelHeading"));
    layout->addWidget(heading);
    layout->addStretch(1);
}

}  // namespace recdeck::ui

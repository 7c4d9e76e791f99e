#include "experiments/experiments_panel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace recdeck::ui {

ExperimentsPanel::ExperimentsPanel(EngineHost& host, LiveFeed& feed, QWidget* parent) : QWidget(parent) {
    (void)host;
    (void)feed;
    auto* layout = new QVBoxLayout(this);
    auto* heading = new QLabel(tr("Experiments"), this);
    heading->setObjectName(QStringLiteral("panelHeading"));
    layout->addWidget(heading);
    layout->addStretch(1);
}

}  // namespace recdeck::ui

#include "common/panel_heading.h"

#include <QLabel>

namespace recdeck::ui {

QLabel* panelHeading(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setObjectName(QStringLiteral("panelHeading"));
    return label;
}

QLabel* panelSubheading(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setObjectName(QStringLiteral("panelSubheading"));
    return label;
}

}  // namespace recdeck::ui

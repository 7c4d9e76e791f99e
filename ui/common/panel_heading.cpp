#include "recdeck/ui/common/panel_heading.h"

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
    label->setWordWrap(true);  // a sentence: it wraps in a narrow window instead of widening the panel
    return label;
}

}  // namespace recdeck::ui

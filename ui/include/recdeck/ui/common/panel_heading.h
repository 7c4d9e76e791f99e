#pragma once
// The title and the one-line description every panel opens with; the theme styles them
// by their object names ("panelHeading", "panelSubheading").

#include <QString>

class QLabel;
class QWidget;

namespace recdeck::ui {

QLabel* panelHeading(const QString& text, QWidget* parent);
QLabel* panelSubheading(const QString& text, QWidget* parent);

}  // namespace recdeck::ui

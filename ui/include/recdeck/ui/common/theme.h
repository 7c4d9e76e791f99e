#pragma once
// The console's look: one palette and style sheet for every panel, and the colours charts
// use for their series, so a variant has the same colour everywhere.

#include <QColor>
#include <QString>

class QApplication;

namespace recdeck::ui::theme {

void apply(QApplication& app);

QColor accent();
QColor good();
QColor warning();
QColor bad();
QColor muted();
QColor text();
QColor grid();
// The i-th series colour (cycles).
QColor series(int index);
// "#rrggbb" of a colour, for style sheets and rich text.
QString css(const QColor& colour);

}  // namespace recdeck::ui::theme

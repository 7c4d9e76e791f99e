#pragma once
// InputGuard: application-wide manners of input widgets, installed by theme::apply().
//
// - A spin box or drop-down under the mouse wheel changes only when it has the keyboard
//   focus; otherwise the wheel scrolls whatever contains it (a form in a scroll area), so
//   scrolling past "α 5 %" does not turn it into 8 %. Clicking or tabbing into the field
//   gives it the focus (the wheel no longer does).
// - Drop-down lists paint their current and hovered entries with a style-sheet-aware
//   delegate, so the highlight is the theme's light blue with dark text everywhere.

#include <QObject>

namespace recdeck::ui {

class InputGuard : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    // True when the wheel event was turned away from `watched` (it then goes to its parent).
    bool eventFilter(QObject* watched, QEvent* event) override;
};

}  // namespace recdeck::ui

#include "recdeck/ui/common/input_guard.h"

#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QEvent>
#include <QStyledItemDelegate>

namespace recdeck::ui {

bool InputGuard::eventFilter(QObject* watched, QEvent* event) {
    auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget) return false;
    const bool guarded =
        qobject_cast<QAbstractSpinBox*>(widget) != nullptr || qobject_cast<QComboBox*>(widget) != nullptr;
    if (!guarded) return false;
    switch (event->type()) {
        case QEvent::Polish:
            // The wheel must not hand out the focus (Qt::WheelFocus is the spin box default).
            if (widget->focusPolicy() == Qt::WheelFocus) widget->setFocusPolicy(Qt::StrongFocus);
            if (auto* combo = qobject_cast<QComboBox*>(widget);
                combo && !qobject_cast<QStyledItemDelegate*>(combo->view()->itemDelegate())) {
                // The default menu-like delegate ignores the style sheet's item colours
                // and painted the highlighted entry white on white.
                combo->setItemDelegate(new QStyledItemDelegate(combo));
            }
            return false;
        case QEvent::Wheel:
            if (widget->hasFocus()) return false;
            // Unaccepted and filtered: QApplication offers it to the parent next.
            event->ignore();
            return true;
        default:
            return false;
    }
}

}  // namespace recdeck::ui

#include "recdeck/ui/common/adaptive_splitter.h"

#include <QResizeEvent>

#include <algorithm>

namespace recdeck::ui {

AdaptiveSplitter::AdaptiveSplitter(QWidget* parent) : QSplitter(Qt::Horizontal, parent) {
    setChildrenCollapsible(false);
}

int AdaptiveSplitter::paneMinimumWidth(const QWidget* pane) {
    return std::max(pane->minimumSizeHint().width(), pane->minimumWidth());
}

int AdaptiveSplitter::paneMinimumHeight(const QWidget* pane, int width) {
    // QSplitter sizes panes by their minimum size hints alone; a pane with wrapped text
    // needs the height its layout asks for at the width it gets.
    int height = std::max(pane->minimumSizeHint().height(), pane->minimumHeight());
    if (pane->hasHeightForWidth() && width > 0) height = std::max(height, pane->heightForWidth(width));
    return height;
}

int AdaptiveSplitter::sideBySideWidth() const {
    int width = 0;
    for (int i = 0; i < count(); ++i) {
        const QWidget* pane = widget(i);
        if (pane->isHidden()) continue;
        width += paneMinimumWidth(pane) + (width > 0 ? handleWidth() : 0);
    }
    return width;
}

int AdaptiveSplitter::neededHeight(int width) const {
    int height = 0;
    for (int i = 0; i < count(); ++i) {
        const QWidget* pane = widget(i);
        if (pane->isHidden()) continue;
        if (orientation() == Qt::Vertical)
            height += paneMinimumHeight(pane, width) + (height > 0 ? handleWidth() : 0);
        else
            height = std::max(height, paneMinimumHeight(pane, pane->width()));
    }
    return height;
}

QSize AdaptiveSplitter::minimumSizeHint() const {
    // As wide as the widest pane (stacked, if need be), as tall as the arrangement needs.
    int widest = 0;
    for (int i = 0; i < count(); ++i) {
        if (!widget(i)->isHidden()) widest = std::max(widest, paneMinimumWidth(widget(i)));
    }
    return {widest, std::max(QSplitter::minimumSizeHint().height(), neededHeight(width()))};
}

void AdaptiveSplitter::resizeEvent(QResizeEvent* event) {
    const Qt::Orientation wanted = event->size().width() >= sideBySideWidth() ? Qt::Horizontal : Qt::Vertical;
    if (wanted != orientation()) {
        m_sizes[orientation() == Qt::Horizontal ? 0 : 1] = sizes();
        setOrientation(wanted);
        const QList<int>& remembered = m_sizes[wanted == Qt::Horizontal ? 0 : 1];
        if (remembered.size() == count()) setSizes(remembered);
    }
    QSplitter::resizeEvent(event);
    if (orientation() == Qt::Vertical) {
        // Every pane at least the height its wrapped text needs at this width.
        QList<int> current = sizes();
        bool grew = false;
        for (int i = 0; i < count() && i < current.size(); ++i) {
            const int needed = paneMinimumHeight(widget(i), event->size().width());
            if (!widget(i)->isHidden() && current[i] < needed) {
                current[i] = needed;
                grew = true;
            }
        }
        if (grew) setSizes(current);
    }
    const int needed = neededHeight(event->size().width());
    if (needed != m_lastNeededHeight) {
        m_lastNeededHeight = needed;
        updateGeometry();  // the height it needs follows the width and the arrangement
    }
}

}  // namespace recdeck::ui

#include "recdeck/ui/common/responsive_grid.h"

#include <QGridLayout>
#include <QResizeEvent>

#include <algorithm>

namespace recdeck::ui {

ResponsiveGrid::ResponsiveGrid(int minColumnWidth, int maxColumns, QWidget* parent)
    : QWidget(parent), m_minColumnWidth(std::max(1, minColumnWidth)), m_maxColumns(std::max(1, maxColumns)) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    reflow(true);
}

void ResponsiveGrid::addWidget(QWidget* widget, int stretch) {
    widget->setParent(this);
    m_items << widget;
    m_stretch << stretch;
    reflow(true);
}

void ResponsiveGrid::setSpacing(int spacing) {
    m_spacing = spacing;
    reflow(true);
}

int ResponsiveGrid::columnWidth() const {
    // A column is as wide as its widest item needs, at least.
    int width = m_minColumnWidth;
    for (const QWidget* item : m_items) {
        if (!item->isHidden()) width = std::max(width, std::max(item->minimumSizeHint().width(), item->minimumWidth()));
    }
    return width;
}

int ResponsiveGrid::columnsFor(int width) const {
    const int count = std::max(1, static_cast<int>(m_items.size()));
    const int fit = std::clamp((width + m_spacing) / (columnWidth() + m_spacing), 1, std::min(m_maxColumns, count));
    // As few rows as fit allows, filled evenly: four tiles that fit three across go two by
    // two, not three and one.
    const int rows = (count + fit - 1) / fit;
    return (count + rows - 1) / rows;
}

void ResponsiveGrid::reflow(bool force) {
    const int columns = columnsFor(width());
    if (!force && columns == m_columns) return;
    m_columns = columns;
    // A fresh grid: QGridLayout keeps the stretch and spacing of columns it no longer uses.
    delete m_grid;
    m_grid = new QGridLayout(this);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(m_spacing);
    // The widget's size hints are this class's (one column wide at least), not the grid's.
    m_grid->setSizeConstraint(QLayout::SetNoConstraint);
    for (int i = 0; i < m_items.size(); ++i) {
        const int row = i / columns;
        m_grid->addWidget(m_items[i], row, i % columns);
        m_grid->setRowStretch(row, std::max(m_grid->rowStretch(row), m_stretch[i]));
    }
    for (int c = 0; c < columns; ++c) m_grid->setColumnStretch(c, 1);
    updateGeometry();
}

QSize ResponsiveGrid::minimumSizeHint() const {
    return {columnWidth(), m_grid->minimumSize().height()};
}

QSize ResponsiveGrid::sizeHint() const {
    const QSize hint = m_grid->sizeHint();
    return {std::max(columnWidth(), hint.width()), hint.height()};
}

void ResponsiveGrid::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    reflow(false);
}

}  // namespace recdeck::ui

#pragma once
// ResponsiveGrid: cards side by side while they fit, in rows when they do not. It lays its
// widgets out in as few rows as the width allows (columns at least minColumnWidth wide, and
// at least as wide as the widest widget needs; at most maxColumns), filled evenly, in the
// order added, and re-flows them when its width changes: four tiles become two rows of two
// in a 1024-pixel window instead of four squeezed tiles, and go back to one row on a wide
// screen. Its minimum width is one column's, so it never forces a horizontal scroll bar on
// the panel around it.

#include <QList>
#include <QWidget>

class QGridLayout;

namespace recdeck::ui {

class ResponsiveGrid : public QWidget {
    Q_OBJECT
public:
    ResponsiveGrid(int minColumnWidth, int maxColumns, QWidget* parent = nullptr);

    // Adds a widget (re-parented to the grid). stretch: its row's share of extra height
    // (rows take the largest stretch of their widgets).
    void addWidget(QWidget* widget, int stretch = 0);
    void setSpacing(int spacing);
    // Columns in use now.
    int columns() const { return m_columns; }

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    int columnWidth() const;
    int columnsFor(int width) const;
    void reflow(bool force);

    QGridLayout* m_grid = nullptr;
    QList<QWidget*> m_items;
    QList<int> m_stretch;
    int m_minColumnWidth;
    int m_maxColumns;
    int m_spacing = 12;
    int m_columns = 0;
};

}  // namespace recdeck::ui

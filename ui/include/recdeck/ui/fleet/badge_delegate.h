#pragma once

#include <QStyledItemDelegate>

namespace recdeck::ui {

// Paints a cell as a coloured pill (its text on the colour of `colorRole`), the look of
// the theme's QLabel#badge inside a table.
class BadgeDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    BadgeDelegate(int colorRole, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int m_colorRole;
};

}  // namespace recdeck::ui

#include "recdeck/ui/fleet/badge_delegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace recdeck::ui {

namespace {
constexpr int kPadding = 9;
constexpr int kHeight = 20;
}  // namespace

BadgeDelegate::BadgeDelegate(int colorRole, QObject* parent) : QStyledItemDelegate(parent), m_colorRole(colorRole) {}

void BadgeDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    const QColor colour = index.data(m_colorRole).value<QColor>();
    const QString text = index.data(Qt::DisplayRole).toString();
    if (!colour.isValid() || text.isEmpty()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The row's background (selection, alternating colours) first, then the pill.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    QFont font = option.font;
    font.setWeight(QFont::DemiBold);
    font.setPointSizeF(font.pointSizeF() * 0.9);
    const QFontMetrics metrics(font);
    const int width = metrics.horizontalAdvance(text) + 2 * kPadding;
    const QRect cell = option.rect.adjusted(6, 0, -6, 0);
    const QRect pill(cell.left(), cell.center().y() - kHeight / 2 + 1, std::min(width, cell.width()), kHeight);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    path.addRoundedRect(QRectF(pill), kHeight / 2.0, kHeight / 2.0);
    painter->fillPath(path, colour);
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(pill, Qt::AlignCenter, metrics.elidedText(text, Qt::ElideRight, pill.width() - 2 * kPadding + 4));
    painter->restore();
}

QSize BadgeDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const QFontMetrics metrics(option.font);
    size.setWidth(
        std::max(size.width(), metrics.horizontalAdvance(index.data(Qt::DisplayRole).toString()) + 2 * kPadding + 16));
    size.setHeight(std::max(size.height(), kHeight + 8));
    return size;
}

}  // namespace recdeck::ui

#include "recdeck/ui/inspector/affinity_bars.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {
constexpr int kRowHeight = 20;
}

AffinityBars::AffinityBars(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void AffinityBars::setShares(QList<QPair<QString, double>> shares) {
    m_shares = std::move(shares);
    updateGeometry();
    update();
}

void AffinityBars::setMaxRows(int rows) {
    m_maxRows = std::max(1, rows);
    updateGeometry();
    update();
}

QSize AffinityBars::sizeHint() const {
    const int rows = std::max(1, std::min(m_maxRows, static_cast<int>(m_shares.size())));
    return {240, rows * kRowHeight + 2};
}

QSize AffinityBars::minimumSizeHint() const {
    return {160, sizeHint().height()};
}

void AffinityBars::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics metrics(font());
    if (m_shares.isEmpty()) {
        painter.setPen(theme::muted());
        painter.drawText(rect(), Qt::AlignLeft | Qt::AlignVCenter, tr("No categorised interactions yet"));
        return;
    }
    const int labelWidth = std::min(width() / 3, 118);
    const int valueWidth = metrics.horizontalAdvance(QStringLiteral("100.0 %")) + 6;
    const int barLeft = labelWidth + 6;
    const int barWidth = std::max(10, width() - barLeft - valueWidth);
    double largest = 0.0;
    for (const auto& share : m_shares) largest = std::max(largest, share.second);
    const int rows = std::min(m_maxRows, static_cast<int>(m_shares.size()));
    for (int i = 0; i < rows; ++i) {
        const auto& [name, share] = m_shares[i];
        const int top = i * kRowHeight;
        painter.setPen(theme::text());
        painter.drawText(QRect(0, top, labelWidth, kRowHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(name, Qt::ElideRight, labelWidth));
        const QRectF track(barLeft, top + 6, barWidth, kRowHeight - 12);
        painter.setPen(Qt::NoPen);
        painter.setBrush(theme::grid());
        painter.drawRoundedRect(track, 3, 3);
        // Scaled to the largest share so small differences stay visible.
        const double fraction = largest > 0 ? share / largest : 0.0;
        QRectF bar = track;
        bar.setWidth(std::max(2.0, track.width() * fraction));
        painter.setBrush(theme::series(i));
        painter.drawRoundedRect(bar, 3, 3);
        painter.setPen(theme::muted());
        painter.drawText(QRect(barLeft + barWidth, top, valueWidth, kRowHeight), Qt::AlignRight | Qt::AlignVCenter,
                         format::percent(share));
    }
}

}  // namespace recdeck::ui

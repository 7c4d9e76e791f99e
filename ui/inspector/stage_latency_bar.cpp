#include "recdeck/ui/inspector/stage_latency_bar.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>
#include <array>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

struct Stage {
    const char* name;
    double us;
};

std::array<Stage, 5> stagesOf(const serving::StageTimings& t) {
    return {{{QT_TRANSLATE_NOOP("StageLatencyBar", "cache"), t.cacheUs},
             {QT_TRANSLATE_NOOP("StageLatencyBar", "features"), t.featuresUs},
             {QT_TRANSLATE_NOOP("StageLatencyBar", "candidates"), t.candidatesUs},
             {QT_TRANSLATE_NOOP("StageLatencyBar", "scoring"), t.scoringUs},
             {QT_TRANSLATE_NOOP("StageLatencyBar", "ranking"), t.rankingUs}}};
}

constexpr int kBarHeight = 12;

}  // namespace

StageLatencyBar::StageLatencyBar(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("Time spent in each stage of this request. A cache hit skips every stage after the cache."));
}

void StageLatencyBar::setTimings(const serving::StageTimings& timings) {
    m_timings = timings;
    m_empty = false;
    update();
}

void StageLatencyBar::clear() {
    m_timings = {};
    m_empty = true;
    update();
}

QSize StageLatencyBar::sizeHint() const {
    return {420, kBarHeight + fontMetrics().height() + 10};
}
QSize StageLatencyBar::minimumSizeHint() const {
    return {200, sizeHint().height()};
}

void StageLatencyBar::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics metrics(font());
    const auto stages = stagesOf(m_timings);
    double sum = 0.0;
    for (const auto& stage : stages) sum += std::max(0.0, stage.us);
    const double total = std::max(sum, m_timings.totalUs);

    const QRectF track(0, 2, width(), kBarHeight);
    painter.setPen(Qt::NoPen);
    painter.setBrush(theme::grid());
    painter.drawRoundedRect(track, 4, 4);
    if (!m_empty && total > 0) {
        double x = 0;
        for (std::size_t i = 0; i < stages.size(); ++i) {
            const double w = track.width() * std::max(0.0, stages[i].us) / total;
            if (w <= 0) continue;
            painter.setBrush(theme::series(static_cast<int>(i)));
            painter.drawRect(QRectF(x, track.top(), std::max(1.0, w), track.height()));
            x += w;
        }
    }
    // Legend: a swatch, the stage and its time, left to right.
    int x = 0;
    const int y = kBarHeight + 6;
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const QString text = tr(stages[i].name) + QLatin1Char(' ') +
                             (m_empty ? QStringLiteral("–") : format::milliseconds(stages[i].us / 1000.0));
        painter.setPen(Qt::NoPen);
        painter.setBrush(theme::series(static_cast<int>(i)));
        painter.drawRoundedRect(QRectF(x, y + (metrics.height() - 9) / 2.0, 9, 9), 2, 2);
        painter.setPen(theme::muted());
        const int w = metrics.horizontalAdvance(text);
        painter.drawText(QRect(x + 13, y, w + 2, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter, text);
        x += 13 + w + 14;
    }
}

}  // namespace recdeck::ui

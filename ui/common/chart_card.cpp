#include "recdeck/ui/common/chart_card.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QShowEvent>
#include <QTextStream>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

constexpr int kMaxTimeTicks = 6;
constexpr double kPixelsPerTimeTick = 90.0;       // an "hh:mm:ss" label and some air
constexpr double kShortSpanMs = 5 * 60 * 1000.0;  // up to this span, time labels show seconds

// Round ticks covering [low, high]: a step of 1, 2, 2.5 or 5 times a power of ten, at most
// maxIntervals steps.
struct Ticks {
    double minimum = 0.0;
    double maximum = 1.0;
    double step = 0.25;
    int count = 5;
};

Ticks roundTicks(double low, double high, int maxIntervals) {
    if (!(high > low)) high = low + 1.0;
    const double raw = (high - low) / std::max(1, maxIntervals);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10.0 * magnitude;
    for (const double multiple : {1.0, 2.0, 2.5, 5.0}) {
        if (multiple * magnitude >= raw * (1.0 - 1e-9)) {
            step = multiple * magnitude;
            break;
        }
    }
    Ticks ticks;
    ticks.step = step;
    ticks.minimum = std::floor(low / step + 1e-9) * step;
    ticks.maximum = std::ceil(high / step - 1e-9) * step;
    if (ticks.maximum <= ticks.minimum) ticks.maximum = ticks.minimum + step;
    ticks.count = static_cast<int>(std::lround((ticks.maximum - ticks.minimum) / step)) + 1;
    return ticks;
}

// The decimals a tick step needs to be written exactly (0.25 -> 2, 5 -> 0).
int decimalsFor(double step) {
    for (int decimals = 0; decimals < 6; ++decimals) {
        const double scaled = step * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return decimals;
    }
    return 6;
}

// The text around the printf conversion of a label format ("%.1f %%" -> "", " %%").
struct FormatParts {
    QString prefix;
    QString suffix;
    bool valid = false;
};

FormatParts splitFormat(const QString& format) {
    static const QRegularExpression conversion(QStringLiteral("%[-+ #0]*\\d*(?:\\.\\d+)?[fFeEgG]"));
    const QRegularExpressionMatch match = conversion.match(format);
    if (!match.hasMatch()) return {};
    return {format.left(match.capturedStart()), format.mid(match.capturedEnd()), true};
}

}  // namespace

ChartCard::ChartCard(const QString& title, QWidget* parent, XAxis xAxis)
    : QFrame(parent),
      m_xKind(xAxis),
      m_title(new QLabel(title, this)),
      m_subtitle(new QLabel(this)),
      m_empty(nullptr),
      // Built with its chart: QChartView(QWidget*) makes a default chart that setChart()
      // would release without deleting.
      m_view(new QChartView(new QChart(), this)) {
    setObjectName(QStringLiteral("card"));
    m_title->setObjectName(QStringLiteral("sectionHeading"));
    m_subtitle->setObjectName(QStringLiteral("chartSubtitle"));
    m_subtitle->setStyleSheet(QStringLiteral("color: %1; font-size: 9pt;").arg(theme::css(theme::muted())));
    m_subtitle->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_subtitle->hide();

    QChart* chart = m_view->chart();
    chart->setBackgroundVisible(false);
    chart->setMargins(QMargins(4, 4, 4, 4));
    QLegend* legend = chart->legend();
    legend->setAlignment(Qt::AlignBottom);
    legend->setLabelColor(theme::text());
    legend->setMarkerShape(QLegend::MarkerShapeFromSeries);  // a short line: solid or dashed, like the series
    QFont legendFont = legend->font();
    legendFont.setPointSizeF(9.0);
    legend->setFont(legendFont);
    chart->setAnimationOptions(QChart::NoAnimation);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(170);
    // Takes the height it is given, asks for no more than its minimum: a page of charts in a
    // scroll area fits its window instead of growing a scroll bar for the charts' preferred
    // size.
    m_view->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setBackgroundBrush(QColor(Qt::white));  // the card's white, also in exported pictures
    m_view->installEventFilter(this);

    if (m_xKind == XAxis::Time) {
        auto* axis = new QDateTimeAxis(chart);
        axis->setFormat(QStringLiteral("HH:mm:ss"));
        axis->setTickCount(4);
        m_xAxis = axis;
        // The card owns the time format: one chosen for the window rather than for the data
        // shown ("HH:mm" over 20 seconds of data) would print the same label at every tick.
        // Set back at once (a direct call, so no frame shows the other format).
        connect(axis, &QDateTimeAxis::formatChanged, this, [this, axis](const QString& format) {
            if (!m_autoTimeFormat.isEmpty() && format != m_autoTimeFormat) axis->setFormat(m_autoTimeFormat);
        });
    } else {
        auto* axis = new QValueAxis(chart);
        axis->setTickCount(6);
        m_xAxis = axis;
    }
    m_yAxis = new QValueAxis(chart);
    m_yAxis->setTickCount(5);
    m_yAxis->setLabelFormat(m_valueFormat);
    for (QAbstractAxis* axis : {m_xAxis, static_cast<QAbstractAxis*>(m_yAxis)}) {
        axis->setGridLineColor(theme::grid());
        axis->setLabelsColor(theme::muted());
        axis->setLinePenColor(theme::grid());
        QFont font = axis->labelsFont();
        font.setPointSizeF(8.5);
        axis->setLabelsFont(font);
        axis->setLabelsVisible(false);  // until there is data: no labels for a made-up range
    }
    chart->addAxis(m_xAxis, Qt::AlignBottom);
    chart->addAxis(m_yAxis, Qt::AlignLeft);

    auto makeButton = [this](const QString& text, const QString& tip) {
        auto* button = new QToolButton(this);
        button->setText(text);
        button->setToolTip(tip);
        button->setAutoRaise(true);
        return button;
    };
    auto* png = makeButton(QStringLiteral("PNG"), tr("Save this chart as a picture"));
    auto* csv = makeButton(QStringLiteral("CSV"), tr("Save this chart's data as CSV"));
    connect(png, &QToolButton::clicked, this, &ChartCard::askExportPng);
    connect(csv, &QToolButton::clicked, this, &ChartCard::askExportCsv);

    auto* header = new QHBoxLayout();
    header->addWidget(m_title, 1);
    header->addWidget(png);
    header->addWidget(csv);

    m_empty = new QLabel(tr("Waiting for data…"), m_view);
    m_empty->setObjectName(QStringLiteral("muted"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setAttribute(Qt::WA_TransparentForMouseEvents);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(m_subtitle);
    layout->addSpacing(4);
    layout->addWidget(m_view, 1);
}

QChart* ChartCard::chart() const {
    return m_view->chart();
}

void ChartCard::setTitle(const QString& title) {
    m_title->setText(title);
}
QString ChartCard::title() const {
    return m_title->text();
}

void ChartCard::setSubtitle(const QString& subtitle) {
    if (subtitle == m_subtitleText) return;
    m_subtitleText = subtitle;
    m_subtitle->setToolTip(subtitle);
    m_subtitle->setVisible(!subtitle.isEmpty());
    elideSubtitle();
}

void ChartCard::elideSubtitle() {
    if (m_subtitleText.isEmpty()) return;
    const int width = m_subtitle->width() > 0 ? m_subtitle->width() : contentsRect().width() - 24;
    m_subtitle->setText(m_subtitle->fontMetrics().elidedText(m_subtitleText, Qt::ElideRight, std::max(width, 40)));
}

void ChartCard::setValueFormat(const QString& format) {
    m_valueFormat = format;
    if (m_fixedRange) {
        m_yAxis->setLabelFormat(format);
    } else {
        updateRanges();
    }
}

void ChartCard::setValueTitle(const QString& title) {
    m_yAxis->setTitleText(title);
    m_yAxis->setTitleBrush(theme::muted());
}
void ChartCard::setXTitle(const QString& title) {
    m_xAxis->setTitleText(title);
    m_xAxis->setTitleBrush(theme::muted());
}

void ChartCard::setValueRange(double minimum, double maximum) {
    m_fixedRange = true;
    m_displayScale = 1.0;
    m_yAxis->setLabelFormat(m_valueFormat);
    m_yAxis->setRange(minimum, maximum);
    showLines();
}

void ChartCard::setAutoValueRange(bool includeZero) {
    m_fixedRange = false;
    m_includeZero = includeZero;
    updateRanges();
}

void ChartCard::setEmptyText(const QString& text) {
    m_empty->setText(text);
}

void ChartCard::setSeries(const QList<ChartSeries>& series) {
    m_data = series;
    QChart* chart = m_view->chart();
    // Reuse line objects position by position; add or remove the difference.
    while (m_lines.size() > series.size()) {
        QLineSeries* line = m_lines.takeLast();
        chart->removeSeries(line);
        delete line;
    }
    bool added = false;
    while (m_lines.size() < series.size()) {
        auto* line = new QLineSeries(chart);
        chart->addSeries(line);
        line->attachAxis(m_xAxis);
        line->attachAxis(m_yAxis);
        m_lines.append(line);
        added = true;
    }
    bool anyPoints = false;
    for (qsizetype i = 0; i < series.size(); ++i) {
        QLineSeries* line = m_lines[i];
        const ChartSeries& entry = series[i];
        if (line->name() != entry.name) line->setName(entry.name);
        QPen pen(entry.color.isValid() ? entry.color : theme::series(static_cast<int>(i)));
        pen.setWidthF(2.0);
        if (entry.dashed) pen.setStyle(Qt::DashLine);
        if (line->pen() != pen) line->setPen(pen);
        anyPoints = anyPoints || !entry.points.isEmpty();
    }
    chart->legend()->setVisible(series.size() > 1);
    m_empty->setVisible(!anyPoints);
    m_empty->setGeometry(m_view->rect());
    updateRanges();
    showLines();
    // A series attached after the chart was laid out leaves Qt Charts' axes measured for the
    // old state (a time axis without labels): measure again.
    if (added) remeasureAxes();
}

void ChartCard::showLines() {
    for (qsizetype i = 0; i < m_lines.size() && i < m_data.size(); ++i) {
        const QList<QPointF>& points = m_data[i].points;
        if (m_displayScale == 1.0) {
            m_lines[i]->replace(points);
            continue;
        }
        QList<QPointF> scaled;
        scaled.reserve(points.size());
        for (const QPointF& p : points) scaled.append(QPointF(p.x(), p.y() / m_displayScale));
        m_lines[i]->replace(scaled);
    }
}

void ChartCard::updateRanges() {
    double xMin = std::numeric_limits<double>::max();
    double xMax = std::numeric_limits<double>::lowest();
    double yMin = std::numeric_limits<double>::max();
    double yMax = std::numeric_limits<double>::lowest();
    for (const ChartSeries& s : m_data) {
        for (const QPointF& p : s.points) {
            if (!std::isfinite(p.y())) continue;
            xMin = std::min(xMin, p.x());
            xMax = std::max(xMax, p.x());
            yMin = std::min(yMin, p.y());
            yMax = std::max(yMax, p.y());
        }
    }
    const bool haveData = xMin <= xMax;
    setAxisLabelsShown(haveData);
    if (!haveData) return;
    if (xMax <= xMin) xMax = xMin + 1000.0;
    if (m_xKind == XAxis::Time) {
        updateTimeAxis(xMin, xMax);
    } else {
        static_cast<QValueAxis*>(m_xAxis)->setRange(xMin, xMax);
    }
    const double scale = m_displayScale;
    updateValueAxis(yMin, yMax, haveData);
    if (m_displayScale != scale) showLines();

    // Qt Charts measures axis labels when the layout is invalidated, not when the range
    // changes: a range grown from "0–1" to "0–130" would keep a one-digit label column and
    // print "1...". Measure again whenever the labels can have changed.
    const QString key =
        QStringLiteral("%1|%2|%3|%4|%5")
            .arg(m_yAxis->labelFormat())
            .arg(m_yAxis->tickCount())
            .arg(m_yAxis->min(), 0, 'g', 12)
            .arg(m_yAxis->max(), 0, 'g', 12)
            .arg(m_xKind == XAxis::Value ? QString::number(static_cast<QValueAxis*>(m_xAxis)->max(), 'g', 12)
                                         : static_cast<QDateTimeAxis*>(m_xAxis)->format());
    if (key != m_axisKey) {
        m_axisKey = key;
        remeasureAxes();
    }
}

void ChartCard::updateValueAxis(double minimum, double maximum, bool haveData) {
    if (m_fixedRange || !haveData) return;
    double low = m_includeZero ? std::min(0.0, minimum) : minimum;
    double high = maximum;
    if (high <= low) high = low + (low == 0.0 ? 1.0 : std::abs(low) * 0.1);
    // A little headroom, so a flat line does not run along the top edge.
    const double pad = (high - low) * 0.04;
    high += pad;
    if (!(m_includeZero && low >= 0.0)) low -= pad;
    const int maxIntervals = std::clamp((m_view->height() - 70) / 30, 2, 5);
    const Ticks ticks = roundTicks(low, high, maxIntervals);

    const double bound = std::max(std::abs(ticks.minimum), std::abs(ticks.maximum));
    QString unit;
    m_displayScale = 1.0;
    if (bound >= 1e7) {
        m_displayScale = 1e6;
        unit = QStringLiteral("M");
    } else if (bound >= 1e4) {
        m_displayScale = 1e3;
        unit = QStringLiteral("k");
    }
    const FormatParts parts = splitFormat(m_valueFormat);
    const QString format = parts.valid ? QStringLiteral("%1%.%2f%3%4")
                                             .arg(parts.prefix)
                                             .arg(decimalsFor(ticks.step / m_displayScale))
                                             .arg(unit, parts.suffix)
                                       : m_valueFormat;
    if (m_yAxis->labelFormat() != format) m_yAxis->setLabelFormat(format);
    if (m_yAxis->tickCount() != ticks.count) m_yAxis->setTickCount(ticks.count);
    m_yAxis->setRange(ticks.minimum / m_displayScale, ticks.maximum / m_displayScale);
}

void ChartCard::updateTimeAxis(double minimumMs, double maximumMs) {
    auto* axis = static_cast<QDateTimeAxis*>(m_xAxis);
    // Seconds for a short span, minutes for a long one.
    const bool seconds = maximumMs - minimumMs <= kShortSpanMs;
    m_autoTimeFormat = seconds ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    if (axis->format() != m_autoTimeFormat) axis->setFormat(m_autoTimeFormat);

    // Ticks on whole seconds (minutes), the same number of them apart: the range starts on
    // a whole unit and ends a few units past the data if the steps need it. Of the most
    // ticks the width allows down to half of them, the count that leaves the fewest units
    // blank (ties: more ticks).
    const double unitMs = seconds ? 1000.0 : 60'000.0;
    const int maxIntervals = maxTimeIntervals();
    const double start = std::floor(minimumMs / unitMs) * unitMs;
    const double units = std::max(1.0, std::ceil((maximumMs - start) / unitMs - 1e-9));
    double end = start + units * unitMs;
    int intervals = 1;
    double bestBlank = std::numeric_limits<double>::max();
    for (int candidate = maxIntervals; candidate >= std::max(1, (maxIntervals + 1) / 2); --candidate) {
        const int n = std::min(candidate, static_cast<int>(units));
        const double step = std::ceil(units / n);
        const double blank = step * n - units;
        if (blank < bestBlank) {
            bestBlank = blank;
            end = start + step * n * unitMs;
            intervals = n;
        }
    }
    if (axis->tickCount() != intervals + 1) axis->setTickCount(intervals + 1);
    axis->setRange(QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(start)),
                   QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(end)));
}

int ChartCard::maxTimeIntervals() const {
    const double plotWidth = std::max(0, m_view->width() - 80);
    return std::clamp(static_cast<int>(plotWidth / kPixelsPerTimeTick), 1, kMaxTimeTicks - 1);
}

void ChartCard::setAxisLabelsShown(bool shown) {
    m_haveData = shown;
    for (QAbstractAxis* axis : {m_xAxis, static_cast<QAbstractAxis*>(m_yAxis)}) {
        if (axis->labelsVisible() != shown) axis->setLabelsVisible(shown);
    }
}

void ChartCard::remeasureAxes() {
    // Hiding and showing the labels is the public way to make Qt Charts drop an axis'
    // cached size and lay the chart out again.
    for (QAbstractAxis* axis : {m_xAxis, static_cast<QAbstractAxis*>(m_yAxis)}) {
        if (!axis->labelsVisible()) continue;
        axis->setLabelsVisible(false);
        axis->setLabelsVisible(true);
    }
}

void ChartCard::showEvent(QShowEvent* event) {
    QFrame::showEvent(event);
    // Ranges set while hidden were measured against a hidden (tiny) chart.
    remeasureAxes();
    elideSubtitle();
}

void ChartCard::resizeEvent(QResizeEvent* event) {
    QFrame::resizeEvent(event);
    elideSubtitle();
}

bool ChartCard::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_view && event->type() == QEvent::Resize) {
        m_empty->setGeometry(m_view->rect());
        // Tick counts follow the size: fewer time labels on a narrow card, fewer value
        // ticks on a short one.
        if (m_haveData) updateRanges();
    }
    return QFrame::eventFilter(watched, event);
}

bool ChartCard::exportPng(const QString& path) const {
    return m_view->grab().save(path, "PNG");
}

bool ChartCard::exportCsv(const QString& path) const {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return false;
    QTextStream out(&file);
    out << "series," << (m_xKind == XAxis::Time ? "time" : "x") << ",value\n";
    for (const ChartSeries& s : m_data) {
        QString name = s.name;
        name.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        for (const QPointF& p : s.points) {
            out << '"' << name << "\",";
            if (m_xKind == XAxis::Time) {
                out << QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(p.x())).toString(Qt::ISODate);
            } else {
                out << QString::number(p.x(), 'g', 12);
            }
            out << ',' << QString::number(p.y(), 'g', 12) << '\n';
        }
    }
    return out.status() == QTextStream::Ok;
}

void ChartCard::askExportPng() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save chart"), m_title->text() + QStringLiteral(".png"),
                                                      tr("PNG image (*.png)"));
    if (!path.isEmpty()) exportPng(path);
}

void ChartCard::askExportCsv() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save chart data"),
                                                      m_title->text() + QStringLiteral(".csv"), tr("CSV file (*.csv)"));
    if (!path.isEmpty()) exportCsv(path);
}

}  // namespace recdeck::ui

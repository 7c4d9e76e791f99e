#include "common/chart_card.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QTextStream>
#include <QToolButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/theme.h"

namespace recdeck::ui {

ChartCard::ChartCard(const QString& title, QWidget* parent, XAxis xAxis)
    : QFrame(parent), m_xKind(xAxis), m_title(new QLabel(title, this)), m_empty(nullptr), m_view(new QChartView(this)) {
    setObjectName(QStringLiteral("card"));
    m_title->setObjectName(QStringLiteral("sectionHeading"));

    auto* chart = new QChart();
    chart->setBackgroundVisible(false);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setLabelColor(theme::text());
    chart->setAnimationOptions(QChart::NoAnimation);
    m_view->setChart(chart);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(170);
    m_view->setFrameShape(QFrame::NoFrame);

    if (m_xKind == XAxis::Time) {
        auto* axis = new QDateTimeAxis(chart);
        axis->setFormat(QStringLiteral("HH:mm:ss"));
        axis->setTickCount(5);
        m_xAxis = axis;
    } else {
        auto* axis = new QValueAxis(chart);
        axis->setTickCount(6);
        m_xAxis = axis;
    }
    m_yAxis = new QValueAxis(chart);
    m_yAxis->setTickCount(5);
    m_yAxis->setLabelFormat(QStringLiteral("%.2f"));
    for (QAbstractAxis* axis : {m_xAxis, static_cast<QAbstractAxis*>(m_yAxis)}) {
        axis->setGridLineColor(theme::grid());
        axis->setLabelsColor(theme::muted());
        axis->setLinePenColor(theme::grid());
        QFont font = axis->labelsFont();
        font.setPointSizeF(8.5);
        axis->setLabelsFont(font);
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
    m_empty->setAttribute(Qt::WA_TransparentForMouseEvents);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->addLayout(header);
    layout->addWidget(m_view, 1);
}

QChart* ChartCard::chart() const { return m_view->chart(); }

void ChartCard::setTitle(const QString& title) { m_title->setText(title); }
QString ChartCard::title() const { return m_title->text(); }

void ChartCard::setValueFormat(const QString& format) { m_yAxis->setLabelFormat(format); }
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
    m_yAxis->setRange(minimum, maximum);
}

void ChartCard::setAutoValueRange(bool includeZero) {
    m_fixedRange = false;
    m_includeZero = includeZero;
    updateRanges();
}

void ChartCard::setEmptyText(const QString& text) { m_empty->setText(text); }

void ChartCard::setSeries(const QList<ChartSeries>& series) {
    m_data = series;
    QChart* chart = m_view->chart();
    // Reuse line objects position by position; add or remove the difference.
    while (m_lines.size() > series.size()) {
        QLineSeries* line = m_lines.takeLast();
        chart->removeSeries(line);
        delete line;
    }
    while (m_lines.size() < series.size()) {
        auto* line = new QLineSeries(chart);
        chart->addSeries(line);
        line->attachAxis(m_xAxis);
        line->attachAxis(m_yAxis);
        m_lines.append(line);
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
        line->replace(entry.points);
        anyPoints = anyPoints || !entry.points.isEmpty();
    }
    chart->legend()->setVisible(series.size() > 1);
    m_empty->setVisible(!anyPoints);
    m_empty->setGeometry(m_view->rect());
    updateRanges();
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
    if (xMin > xMax) return;
    if (xMax <= xMin) xMax = xMin + 1000.0;
    if (m_xKind == XAxis::Time) {
        static_cast<QDateTimeAxis*>(m_xAxis)->setRange(QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(xMin)),
                                                       QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(xMax)));
    } else {
        static_cast<QValueAxis*>(m_xAxis)->setRange(xMin, xMax);
    }
    if (m_fixedRange) return;
    if (m_includeZero) yMin = std::min(0.0, yMin);
    if (yMax <= yMin) yMax = yMin + 1.0;
    const double pad = (yMax - yMin) * 0.08;
    m_yAxis->setRange(m_includeZero && yMin >= 0 ? 0.0 : yMin - pad, yMax + pad);
}

bool ChartCard::exportPng(const QString& path) const { return m_view->grab().save(path, "PNG"); }

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
    const QString path = QFileDialog::getSaveFileName(this, tr("Save chart data"), m_title->text() + QStringLiteral(".csv"),
                                                      tr("CSV file (*.csv)"));
    if (!path.isEmpty()) exportCsv(path);
}

}  // namespace recdeck::ui

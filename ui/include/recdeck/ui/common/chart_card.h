#pragma once

#include <QColor>
#include <QFrame>
#include <QList>
#include <QPointF>
#include <QString>

class QChart;
class QChartView;
class QLabel;
class QAbstractAxis;
class QValueAxis;
class QDateTimeAxis;
class QLineSeries;
class QResizeEvent;
class QShowEvent;

namespace recdeck::ui {

// One line of a chart. For time charts x is milliseconds since the epoch.
struct ChartSeries {
    QString name;
    QList<QPointF> points;
    QColor color;  // invalid: the theme's colour for the series' position
    bool dashed = false;
};

// A titled card holding one Qt Charts line chart, with export of the picture (PNG) and of
// the data (CSV). setSeries() replaces the data in place (series objects are reused when
// the names match), so a chart refreshed once a second does not flicker or reallocate.
//
// The value axis picks round ticks (0, 25, 50, … or 0, 0.5, 1, …) when its range follows
// the data, shows as many decimals as the ticks need and writes large values as "12k"; a
// time axis shows a few hh:mm:ss (or hh:mm, for spans over five minutes) labels on whole
// seconds (minutes), fewer on a narrow card. The card owns the time format: a format set
// on the axis from outside is replaced by the one the span needs. Axis labels are
// re-measured whenever their text can change, so they are never cut to "1..." after the
// range grows (Qt Charts keeps the old width otherwise).
class ChartCard : public QFrame {
    Q_OBJECT
public:
    enum class XAxis { Time, Value };

    explicit ChartCard(const QString& title, QWidget* parent = nullptr, XAxis xAxis = XAxis::Time);

    void setSeries(const QList<ChartSeries>& series);
    QList<ChartSeries> series() const { return m_data; }
    // printf-style label format of the value axis ("%.0f", "%.1f %%"). With a range that
    // follows the data, the decimals adapt to the ticks and the text around the number
    // (" %", " ms") is kept.
    void setValueFormat(const QString& format);
    void setValueTitle(const QString& title);
    void setXTitle(const QString& title);
    // A fixed value range; otherwise the range follows the data (from 0 when includeZero).
    void setValueRange(double minimum, double maximum);
    void setAutoValueRange(bool includeZero = true);
    // The text shown over an empty chart.
    void setEmptyText(const QString& text);
    void setTitle(const QString& title);
    QString title() const;
    // A muted line under the title (hidden when empty); elided to the card's width, the
    // full text in its tooltip.
    void setSubtitle(const QString& subtitle);
    QString subtitle() const { return m_subtitleText; }

    QChartView* view() const { return m_view; }
    QChart* chart() const;

    bool exportPng(const QString& path) const;
    // "series,x,value" per point; x as an ISO time for time charts.
    bool exportCsv(const QString& path) const;

protected:
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void askExportPng();
    void askExportCsv();
    void updateRanges();
    void updateValueAxis(double minimum, double maximum, bool haveData);
    void updateTimeAxis(double minimumMs, double maximumMs);
    void showLines();
    void setAxisLabelsShown(bool shown);
    void remeasureAxes();
    void elideSubtitle();
    int maxTimeIntervals() const;

    XAxis m_xKind;
    QLabel* m_title;
    QLabel* m_subtitle;
    QLabel* m_empty;
    QChartView* m_view;
    QAbstractAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    QList<QLineSeries*> m_lines;
    QList<ChartSeries> m_data;
    QString m_subtitleText;
    QString m_valueFormat = QStringLiteral("%.2f");
    double m_displayScale = 1.0;  // shown values are divided by this ("k": 1000)
    QString m_autoTimeFormat;     // the time format the span shown needs
    QString m_axisKey;            // what the axis labels were last measured for
    bool m_fixedRange = false;
    bool m_includeZero = true;
    bool m_haveData = false;
};

}  // namespace recdeck::ui

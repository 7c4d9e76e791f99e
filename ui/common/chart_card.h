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
class ChartCard : public QFrame {
    Q_OBJECT
public:
    enum class XAxis { Time, Value };

    explicit ChartCard(const QString& title, QWidget* parent = nullptr, XAxis xAxis = XAxis::Time);

    void setSeries(const QList<ChartSeries>& series);
    QList<ChartSeries> series() const { return m_data; }
    // printf-style label format of the value axis ("%.0f", "%.1f %%").
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

    QChartView* view() const { return m_view; }
    QChart* chart() const;

    bool exportPng(const QString& path) const;
    // "series,x,value" per point; x as an ISO time for time charts.
    bool exportCsv(const QString& path) const;

private:
    void askExportPng();
    void askExportCsv();
    void updateRanges();

    XAxis m_xKind;
    QLabel* m_title;
    QLabel* m_empty;
    QChartView* m_view;
    QAbstractAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    QList<QLineSeries*> m_lines;
    QList<ChartSeries> m_data;
    bool m_fixedRange = false;
    bool m_includeZero = true;
};

}  // namespace recdeck::ui

#pragma once

#include <QFrame>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QStringList>

#include "recdeck/evaluation/model_evaluation.h"

class QChartView;
class QComboBox;
class QGraphicsSimpleTextItem;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace recdeck::ui {

// Accuracy against diversity for one model: nDCG@10 (y) against intra-list diversity (x)
// as the ranking's diversity knob varies — a curve of fixed MMR lambdas (labelled λ), one
// of ILD targets, "diversity off", and a ring on the console's current default setting.
// The trade-off a product manager picks a setting from.
class TradeOffChart : public QFrame {
    Q_OBJECT
public:
    explicit TradeOffChart(QWidget* parent = nullptr);

    // The models the chooser offers (those evaluated), keeping the current one if listed.
    void setModelNames(const QStringList& names, const QString& preferred);
    QString currentModel() const;
    // Switches the chooser to `name` if listed (emits modelChosen).
    void selectModel(const QString& name);
    // Shows `evaluation` (null: the empty state with `note`). `note` is shown under the chart.
    void setEvaluation(const evaluation::ModelEvaluation* evaluation, const QString& note);
    // Points drawn: fixed-lambda curve, ILD-target curve, off and default markers.
    int pointCount() const;
    QList<QPointF> lambdaPoints() const;
    QList<QPointF> targetPoints() const;
    std::optional<QPointF> defaultPoint() const;
    QString summary() const;
    // The point labels drawn now (after decluttering: coincident points share one label,
    // a label that would overlap another or a marker is left out) and where, in chart
    // coordinates.
    QStringList visibleLabels() const;
    QList<QRectF> visibleLabelRects() const;

    bool exportPng(const QString& path) const;
    bool exportCsv(const QString& path) const;

signals:
    void modelChosen(const QString& name);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void placeLabels();
    void clearLabels();

    QComboBox* m_chooser;
    QChartView* m_view;
    QLabel* m_empty;
    QLabel* m_summary;
    QValueAxis* m_x;
    QValueAxis* m_y;
    QLineSeries* m_lambdas;
    QLineSeries* m_targets;
    QScatterSeries* m_off;
    QScatterSeries* m_default;
    void showPointTip(const QPointF& value, bool lambda);

    struct Label {
        QGraphicsSimpleTextItem* item;
        QPointF value;
        QLineSeries* series;
        QString text;     // "λ 0.5", "0.80"
        QString setting;  // "0.5", "0.80": what a shared label lists
        bool lambda = false;
        bool isDefault = false;
    };
    QList<Label> m_labels;
    std::vector<evaluation::TradeOffPoint> m_points;
    bool m_filling = false;
};

}  // namespace recdeck::ui

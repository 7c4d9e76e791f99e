#include "models/trade_off_chart.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QTextStream>
#include <QToolButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/format.h"
#include "common/theme.h"

namespace recdeck::ui {

namespace {

QString settingLabel(const TradeOffPoint& point) {
    switch (point.mode) {
        case TradeOffPoint::Mode::Off: return QObject::tr("off");
        case TradeOffPoint::Mode::FixedLambda: return QStringLiteral("λ %1").arg(point.setting, 0, 'f', 1);
        case TradeOffPoint::Mode::IldTarget: return QStringLiteral("%1").arg(point.setting, 0, 'f', 2);
    }
    return {};
}

QString settingName(const TradeOffPoint& point) {
    switch (point.mode) {
        case TradeOffPoint::Mode::Off: return QObject::tr("diversity off");
        case TradeOffPoint::Mode::FixedLambda: return QObject::tr("fixed MMR λ %1").arg(point.setting, 0, 'f', 2);
        case TradeOffPoint::Mode::IldTarget: return QObject::tr("ILD target %1").arg(point.setting, 0, 'f', 2);
    }
    return {};
}

void styleAxis(QValueAxis* axis) {
    axis->setGridLineColor(theme::grid());
    axis->setLabelsColor(theme::muted());
    axis->setLinePenColor(theme::grid());
    axis->setTitleBrush(theme::muted());
    QFont font = axis->labelsFont();
    font.setPointSizeF(8.5);
    axis->setLabelsFont(font);
    QFont title = axis->titleFont();
    title.setPointSizeF(9.0);
    title.setBold(false);
    axis->setTitleFont(title);
}

}  // namespace

TradeOffChart::TradeOffChart(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("card"));
    auto* title = new QLabel(tr("Accuracy vs diversity"), this);
    title->setObjectName(QStringLiteral("sectionHeading"));
    title->setToolTip(tr("Each point ranks the held-out users with one diversity setting and measures accuracy "
                         "(nDCG@10) and intra-list diversity. Up is more accurate, right is more varied."));
    m_chooser = new QComboBox(this);
    m_chooser->setObjectName(QStringLiteral("curveModel"));
    m_chooser->setToolTip(tr("The model whose trade-off is drawn"));
    m_chooser->setMinimumContentsLength(10);
    connect(m_chooser, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling) emit modelChosen(currentModel());
    });

    auto* png = new QToolButton(this);
    png->setText(QStringLiteral("PNG"));
    png->setAutoRaise(true);
    png->setToolTip(tr("Save this chart as a picture"));
    connect(png, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save chart"), QStringLiteral("accuracy-vs-diversity.png"),
                                                          tr("PNG image (*.png)"));
        if (!path.isEmpty()) exportPng(path);
    });
    auto* csv = new QToolButton(this);
    csv->setText(QStringLiteral("CSV"));
    csv->setAutoRaise(true);
    csv->setToolTip(tr("Save the points as CSV"));
    connect(csv, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save chart data"), QStringLiteral("accuracy-vs-diversity.csv"),
                                                          tr("CSV file (*.csv)"));
        if (!path.isEmpty()) exportCsv(path);
    });

    auto* header = new QHBoxLayout();
    header->addWidget(title);
    header->addStretch(1);
    header->addWidget(new QLabel(tr("Model"), this));
    header->addWidget(m_chooser);
    header->addWidget(png);
    header->addWidget(csv);

    auto* chart = new QChart();
    chart->setBackgroundVisible(false);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setLabelColor(theme::text());
    m_x = new QValueAxis(chart);
    m_x->setTitleText(tr("Intra-list diversity (ILD@10: 0 = all alike, 1 = all different)"));
    m_x->setLabelFormat(QStringLiteral("%.2f"));
    m_x->setTickCount(6);
    m_y = new QValueAxis(chart);
    m_y->setTitleText(tr("Accuracy (nDCG@10)"));
    m_y->setLabelFormat(QStringLiteral("%.3f"));
    m_y->setTickCount(5);
    styleAxis(m_x);
    styleAxis(m_y);
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);

    m_lambdas = new QLineSeries(chart);
    m_lambdas->setName(tr("Fixed MMR λ (1 = by score)"));
    m_targets = new QLineSeries(chart);
    m_targets->setName(tr("ILD target per list"));
    for (auto [series, colour] : {std::pair{m_lambdas, theme::series(0)}, std::pair{m_targets, theme::series(1)}}) {
        QPen pen(colour);
        pen.setWidthF(2.0);
        series->setPen(pen);
        series->setPointsVisible(true);
        series->setMarkerSize(7.0);
    }
    m_off = new QScatterSeries(chart);
    m_off->setName(tr("Diversity off"));
    m_off->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_off->setMarkerSize(10.0);
    m_off->setColor(theme::muted());
    m_off->setBorderColor(theme::muted());
    m_default = new QScatterSeries(chart);
    m_default->setName(tr("Current default"));
    m_default->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_default->setMarkerSize(18.0);
    m_default->setColor(Qt::transparent);
    QPen ring(theme::good());
    ring.setWidthF(3.0);
    m_default->setPen(ring);
    for (QXYSeries* series : std::initializer_list<QXYSeries*>{m_lambdas, m_targets, m_off, m_default}) {
        chart->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
    }
    connect(chart, &QChart::plotAreaChanged, this, [this] { placeLabels(); });

    m_view = new QChartView(chart, this);
    m_view->setObjectName(QStringLiteral("tradeOffView"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setMinimumHeight(240);

    m_empty = new QLabel(m_view);
    m_empty->setObjectName(QStringLiteral("muted"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setAttribute(Qt::WA_TransparentForMouseEvents);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("tradeOffSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 10);
    layout->setSpacing(4);
    layout->addLayout(header);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_summary);
    setEvaluation(nullptr, tr("Run an evaluation to see how accuracy changes as lists get more diverse."));
}

void TradeOffChart::setModelNames(const QStringList& names, const QString& preferred) {
    m_filling = true;
    const QString keep = m_chooser->currentText();
    m_chooser->clear();
    m_chooser->addItems(names);
    const QString want = names.contains(keep) ? keep : preferred;
    const auto index = names.indexOf(want);
    m_chooser->setCurrentIndex(index >= 0 ? static_cast<int>(index) : 0);
    m_filling = false;
}

QString TradeOffChart::currentModel() const { return m_chooser->currentText(); }

void TradeOffChart::selectModel(const QString& name) {
    const int index = m_chooser->findText(name);
    if (index >= 0) m_chooser->setCurrentIndex(index);
}

void TradeOffChart::clearLabels() {
    for (const Label& label : m_labels) delete label.item;
    m_labels.clear();
}

void TradeOffChart::setEvaluation(const ModelEvaluation* evaluation, const QString& note) {
    clearLabels();
    m_points = evaluation ? evaluation->curve : std::vector<TradeOffPoint>{};
    QList<QPointF> lambdas;
    QList<QPointF> targets;
    QList<QPointF> off;
    QList<QPointF> chosen;
    const TradeOffPoint* defaultPoint = nullptr;
    const TradeOffPoint* offPoint = nullptr;
    for (const TradeOffPoint& point : m_points) {
        const QPointF xy(point.ild, point.ndcg);
        switch (point.mode) {
            case TradeOffPoint::Mode::FixedLambda: lambdas << xy; break;
            case TradeOffPoint::Mode::IldTarget: targets << xy; break;
            case TradeOffPoint::Mode::Off: off << xy; offPoint = &point; break;
        }
        if (point.isDefault) {
            chosen << xy;
            defaultPoint = &point;
        }
    }
    // Lambdas descend, so the curve runs from accurate (left) to diverse (right).
    m_lambdas->replace(lambdas);
    m_targets->replace(targets);
    m_off->replace(off);
    m_default->replace(chosen);
    m_targets->setVisible(!targets.isEmpty());

    const bool any = !m_points.empty();
    m_empty->setVisible(!any);
    m_empty->setText(note);
    m_empty->setGeometry(m_view->rect());
    m_view->chart()->legend()->setVisible(any);
    if (any) {
        double xMin = std::numeric_limits<double>::max();
        double xMax = std::numeric_limits<double>::lowest();
        double yMin = xMin;
        double yMax = xMax;
        for (const auto& p : m_points) {
            xMin = std::min(xMin, p.ild);
            xMax = std::max(xMax, p.ild);
            yMin = std::min(yMin, p.ndcg);
            yMax = std::max(yMax, p.ndcg);
        }
        const double xPad = std::max(0.02, (xMax - xMin) * 0.08);
        const double yPad = std::max(0.005, (yMax - yMin) * 0.12);
        m_x->setRange(std::max(0.0, xMin - xPad), std::min(1.0, xMax + xPad));
        m_y->setRange(std::max(0.0, yMin - yPad), yMax + yPad * 1.6);  // room for labels above
        QFont font = m_x->labelsFont();
        font.setPointSizeF(8.0);
        for (const TradeOffPoint& point : m_points) {
            if (point.mode == TradeOffPoint::Mode::Off) continue;
            auto* item = new QGraphicsSimpleTextItem(settingLabel(point), m_view->chart());
            item->setFont(font);
            const bool lambda = point.mode == TradeOffPoint::Mode::FixedLambda;
            item->setBrush(lambda ? theme::series(0).darker(120) : theme::series(1).darker(120));
            item->setZValue(10);
            // λ labels above the curve, target labels below it, so the two sets rarely collide.
            m_labels.append({item, QPointF(point.ild, point.ndcg), lambda ? m_lambdas : m_targets,
                             lambda ? QPointF(-14, -19) : QPointF(-10, 6)});
        }
        placeLabels();
    }

    QString text;
    if (defaultPoint) {
        text = tr("<b>Current default</b> (%1): nDCG@10 <b>%2</b> at diversity <b>%3</b>.")
                   .arg(settingName(*defaultPoint), QString::number(defaultPoint->ndcg, 'f', 3),
                        QString::number(defaultPoint->ild, 'f', 2));
        if (offPoint && offPoint != defaultPoint && offPoint->ndcg > 0) {
            const double change = defaultPoint->ndcg / offPoint->ndcg - 1.0;
            text += tr(" Against diversity off (%1 at %2): %3 accuracy for %4 diversity.")
                        .arg(QString::number(offPoint->ndcg, 'f', 3), QString::number(offPoint->ild, 'f', 2),
                             format::signedPercent(change), QStringLiteral("%1%2").arg(defaultPoint->ild >= offPoint->ild ? QStringLiteral("+") : QString()).arg(defaultPoint->ild - offPoint->ild, 0, 'f', 2));
        }
    }
    if (!note.isEmpty() && any) text += (text.isEmpty() ? QString() : QStringLiteral("<br>")) +
                                        QStringLiteral("<span style=\"color:%1\">%2</span>").arg(theme::css(theme::muted()), note.toHtmlEscaped());
    m_summary->setText(text);
    m_summary->setVisible(!text.isEmpty());
}

void TradeOffChart::placeLabels() {
    QChart* chart = m_view->chart();
    const QRectF area = chart->plotArea();
    for (const Label& label : m_labels) {
        const QPointF at = chart->mapToPosition(label.value, label.series) + label.offset;
        const QRectF box = label.item->boundingRect();
        // Keep labels inside the plot area.
        const double x = std::clamp(at.x(), area.left(), std::max(area.left(), area.right() - box.width()));
        const double y = std::clamp(at.y(), area.top(), std::max(area.top(), area.bottom() - box.height()));
        label.item->setPos(x, y);
    }
}

void TradeOffChart::showEvent(QShowEvent* event) {
    QFrame::showEvent(event);
    m_empty->setGeometry(m_view->rect());
    placeLabels();
}

int TradeOffChart::pointCount() const {
    return static_cast<int>(m_lambdas->count() + m_targets->count() + m_off->count());
}

QList<QPointF> TradeOffChart::lambdaPoints() const { return m_lambdas->points(); }
QList<QPointF> TradeOffChart::targetPoints() const { return m_targets->points(); }

std::optional<QPointF> TradeOffChart::defaultPoint() const {
    if (m_default->count() == 0) return std::nullopt;
    return m_default->at(0);
}

QString TradeOffChart::summary() const { return m_summary->text(); }

bool TradeOffChart::exportPng(const QString& path) const { return m_view->grab().save(path, "PNG"); }

bool TradeOffChart::exportCsv(const QString& path) const {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return false;
    QTextStream out(&file);
    out << "model,setting,value,ild,ndcg,mean_lambda,default\n";
    for (const TradeOffPoint& point : m_points) {
        const char* mode = point.mode == TradeOffPoint::Mode::Off ? "off"
                           : point.mode == TradeOffPoint::Mode::FixedLambda ? "lambda"
                                                                            : "ild_target";
        out << currentModel() << ',' << mode << ',' << point.setting << ',' << point.ild << ',' << point.ndcg << ','
            << point.meanLambda << ',' << (point.isDefault ? 1 : 0) << '\n';
    }
    return out.status() == QTextStream::Ok;
}

}  // namespace recdeck::ui

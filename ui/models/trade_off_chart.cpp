#include "recdeck/ui/models/trade_off_chart.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QFile>
#include <QFileDialog>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineF>
#include <QLineSeries>
#include <QScatterSeries>
#include <QTextStream>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

QString settingLabel(const evaluation::TradeOffPoint& point) {
    switch (point.mode) {
        case evaluation::TradeOffPoint::Mode::Off:
            return QObject::tr("off");
        case evaluation::TradeOffPoint::Mode::FixedLambda:
            return QStringLiteral("λ %1").arg(point.setting, 0, 'f', 1);
        case evaluation::TradeOffPoint::Mode::IldTarget:
            return QStringLiteral("%1").arg(point.setting, 0, 'f', 2);
    }
    return {};
}

QString settingName(const evaluation::TradeOffPoint& point) {
    switch (point.mode) {
        case evaluation::TradeOffPoint::Mode::Off:
            return QObject::tr("diversity off");
        case evaluation::TradeOffPoint::Mode::FixedLambda:
            return QObject::tr("fixed MMR λ %1").arg(point.setting, 0, 'f', 2);
        case evaluation::TradeOffPoint::Mode::IldTarget:
            return QObject::tr("ILD target %1").arg(point.setting, 0, 'f', 2);
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
    title->setToolTip(
        tr("Each point ranks the held-out users with one diversity setting and measures accuracy "
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
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save chart"), QStringLiteral("accuracy-vs-diversity.png"), tr("PNG image (*.png)"));
        if (!path.isEmpty()) exportPng(path);
    });
    auto* csv = new QToolButton(this);
    csv->setText(QStringLiteral("CSV"));
    csv->setAutoRaise(true);
    csv->setToolTip(tr("Save the points as CSV"));
    connect(csv, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save chart data"), QStringLiteral("accuracy-vs-diversity.csv"), tr("CSV file (*.csv)"));
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
    connect(m_lambdas, &QLineSeries::hovered, this, [this](const QPointF& point, bool state) {
        if (state) showPointTip(point, true);
    });
    connect(m_targets, &QLineSeries::hovered, this, [this](const QPointF& point, bool state) {
        if (state) showPointTip(point, false);
    });

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

QString TradeOffChart::currentModel() const {
    return m_chooser->currentText();
}

void TradeOffChart::selectModel(const QString& name) {
    const int index = m_chooser->findText(name);
    if (index >= 0) m_chooser->setCurrentIndex(index);
}

void TradeOffChart::clearLabels() {
    for (const Label& label : m_labels) delete label.item;
    m_labels.clear();
}

void TradeOffChart::setEvaluation(const evaluation::ModelEvaluation* evaluation, const QString& note) {
    clearLabels();
    m_points = evaluation ? evaluation->curve : std::vector<evaluation::TradeOffPoint>{};
    QList<QPointF> lambdas;
    QList<QPointF> targets;
    QList<QPointF> off;
    QList<QPointF> chosen;
    const evaluation::TradeOffPoint* defaultPoint = nullptr;
    const evaluation::TradeOffPoint* offPoint = nullptr;
    for (const evaluation::TradeOffPoint& point : m_points) {
        const QPointF xy(point.ild, point.ndcg);
        switch (point.mode) {
            case evaluation::TradeOffPoint::Mode::FixedLambda:
                lambdas << xy;
                break;
            case evaluation::TradeOffPoint::Mode::IldTarget:
                targets << xy;
                break;
            case evaluation::TradeOffPoint::Mode::Off:
                off << xy;
                offPoint = &point;
                break;
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
        for (const evaluation::TradeOffPoint& point : m_points) {
            if (point.mode == evaluation::TradeOffPoint::Mode::Off) continue;
            auto* item = new QGraphicsSimpleTextItem(settingLabel(point), m_view->chart());
            item->setFont(font);
            const bool lambda = point.mode == evaluation::TradeOffPoint::Mode::FixedLambda;
            item->setBrush(lambda ? theme::series(0).darker(120) : theme::series(1).darker(120));
            item->setZValue(10);
            const QString setting =
                lambda ? QString::number(point.setting, 'f', 1) : QString::number(point.setting, 'f', 2);
            m_labels.append({item, QPointF(point.ild, point.ndcg), lambda ? m_lambdas : m_targets, settingLabel(point),
                             setting, lambda, point.isDefault});
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
            // Below the shown precision the change reads as none, not "−0.0 %".
            const QString accuracy = std::abs(change) < 0.0005 ? tr("the same") : format::signedPercent(change);
            text += tr(" Against diversity off (%1 at %2): %3 accuracy for %4 diversity.")
                        .arg(QString::number(offPoint->ndcg, 'f', 3), QString::number(offPoint->ild, 'f', 2), accuracy,
                             QStringLiteral("%1%2")
                                 .arg(defaultPoint->ild >= offPoint->ild ? QStringLiteral("+") : QString())
                                 .arg(defaultPoint->ild - offPoint->ild, 0, 'f', 2));
        }
    }
    if (!note.isEmpty() && any)
        text +=
            (text.isEmpty() ? QString() : QStringLiteral("<br>")) +
            QStringLiteral("<span style=\"color:%1\">%2</span>").arg(theme::css(theme::muted()), note.toHtmlEscaped());
    m_summary->setText(text);
    m_summary->setVisible(!text.isEmpty());
}

void TradeOffChart::placeLabels() {
    QChart* chart = m_view->chart();
    const QRectF area = chart->plotArea();
    const qsizetype count = m_labels.size();
    if (count == 0 || area.isEmpty()) return;

    QList<QPointF> anchors;
    anchors.reserve(count);
    for (const Label& label : m_labels) anchors << chart->mapToPosition(label.value, label.series);

    // Points of one curve that land on (nearly) the same pixel share one label: "0.70, 0.80".
    constexpr double kSamePoint = 6.0;
    QList<qsizetype> leader(count, -1);
    for (qsizetype i = 0; i < count; ++i) {
        if (leader[i] >= 0) continue;
        leader[i] = i;
        for (qsizetype j = i + 1; j < count; ++j) {
            if (leader[j] < 0 && m_labels[j].series == m_labels[i].series &&
                QLineF(anchors[i], anchors[j]).length() < kSamePoint) {
                leader[j] = i;
            }
        }
    }

    // Markers are obstacles too: a label must not cover another point.
    QList<QRectF> markers;
    for (const QPointF& anchor : anchors) markers << QRectF(anchor.x() - 5, anchor.y() - 5, 10, 10);
    for (const QPointF& off : m_off->points()) {
        const QPointF at = chart->mapToPosition(off, m_off);
        markers << QRectF(at.x() - 6, at.y() - 6, 12, 12);
    }
    for (const QPointF& ring : m_default->points()) {
        const QPointF at = chart->mapToPosition(ring, m_default);
        markers << QRectF(at.x() - 10, at.y() - 10, 20, 20);
    }

    // Placement order: the default's label, then each curve's two ends, then the rest in
    // curve order — so when points crowd, every other label survives.
    QList<qsizetype> order;
    auto isEnd = [&](qsizetype i) {
        qsizetype first = -1;
        qsizetype last = -1;
        for (qsizetype j = 0; j < count; ++j) {
            if (m_labels[j].series != m_labels[i].series || leader[j] != j) continue;
            if (first < 0) first = j;
            last = j;
        }
        return i == first || i == last;
    };
    for (int pass = 0; pass < 3; ++pass) {
        for (qsizetype i = 0; i < count; ++i) {
            if (leader[i] != i) continue;
            bool hasDefault = false;
            for (qsizetype j = 0; j < count; ++j) hasDefault = hasDefault || (leader[j] == i && m_labels[j].isDefault);
            const int rank = hasDefault ? 0 : isEnd(i) ? 1 : 2;
            if (rank == pass) order << i;
        }
    }

    for (qsizetype i = 0; i < count; ++i) {
        if (leader[i] != i) m_labels[i].item->setVisible(false);
    }
    QList<QRectF> placed;
    constexpr double kMargin = 2.0;
    constexpr double kGap = 3.0;
    for (const qsizetype i : order) {
        Label& label = m_labels[i];
        // The group's points, and any marker drawn on them (the default's ring), form the
        // box the label keeps clear of.
        QStringList settings;
        QRectF group;
        for (qsizetype j = 0; j < count; ++j) {
            if (leader[j] != i) continue;
            settings << m_labels[j].setting;
            group = group.isNull() ? markers[j] : group.united(markers[j]);
        }
        QList<bool> own(markers.size(), false);
        for (qsizetype m = 0; m < markers.size(); ++m) {
            own[m] = group.contains(markers[m].center());
            if (own[m] && m >= count) group = group.united(markers[m]);
        }
        // Two settings are listed, more as their range ("0.60–0.80": targets the lists
        // already exceed all land on the same point).
        std::sort(settings.begin(), settings.end(),
                  [](const QString& a, const QString& b) { return a.toDouble() < b.toDouble(); });
        const QString listed = settings.size() <= 2 ? settings.join(QStringLiteral(", "))
                                                    : QStringLiteral("%1–%2").arg(settings.front(), settings.back());
        const QString text =
            settings.size() == 1 ? label.text : (label.lambda ? QStringLiteral("λ ") : QString()) + listed;
        if (label.item->text() != text) label.item->setText(text);
        const QSizeF size = label.item->boundingRect().size();
        const double w = size.width();
        const double h = size.height();
        const QPointF c = group.center();
        // λ labels prefer above the curve, target labels below it; then beside, then the
        // other side.
        const QList<QPointF> above = {{c.x() - w / 2, group.top() - kGap - h},
                                      {group.right() + kGap, group.top() - h},
                                      {group.left() - kGap - w, group.top() - h}};
        const QList<QPointF> below = {{c.x() - w / 2, group.bottom() + kGap},
                                      {group.right() + kGap, group.bottom()},
                                      {group.left() - kGap - w, group.bottom()}};
        const QList<QPointF> sides = {{group.right() + kGap, c.y() - h / 2}, {group.left() - kGap - w, c.y() - h / 2}};
        const QList<QPointF> candidates = label.lambda ? above + sides + below : below + sides + above;
        bool shown = false;
        for (const QPointF& topLeft : candidates) {
            const QRectF box(topLeft, size);
            if (!area.contains(box)) continue;
            const QRectF padded = box.adjusted(-kMargin, -kMargin, kMargin, kMargin);
            bool clear = true;
            for (const QRectF& other : placed) clear = clear && !padded.intersects(other);
            for (qsizetype m = 0; clear && m < markers.size(); ++m) {
                if (!own[m] && padded.intersects(markers[m])) clear = false;
            }
            if (!clear) continue;
            label.item->setPos(box.topLeft());
            placed << box;
            shown = true;
            break;
        }
        label.item->setVisible(shown);
    }
}

QStringList TradeOffChart::visibleLabels() const {
    QStringList texts;
    for (const Label& label : m_labels) {
        if (label.item->isVisible()) texts << label.item->text();
    }
    return texts;
}

QList<QRectF> TradeOffChart::visibleLabelRects() const {
    QList<QRectF> rects;
    for (const Label& label : m_labels) {
        if (label.item->isVisible()) rects << QRectF(label.item->pos(), label.item->boundingRect().size());
    }
    return rects;
}

void TradeOffChart::showPointTip(const QPointF& value, bool lambda) {
    // Every point, labelled or not, names its setting and figures on hover.
    const evaluation::TradeOffPoint* nearest = nullptr;
    double best = std::numeric_limits<double>::max();
    for (const evaluation::TradeOffPoint& point : m_points) {
        if ((point.mode == evaluation::TradeOffPoint::Mode::FixedLambda) != lambda ||
            point.mode == evaluation::TradeOffPoint::Mode::Off)
            continue;
        const double d = std::hypot(point.ild - value.x(), point.ndcg - value.y());
        if (d < best) {
            best = d;
            nearest = &point;
        }
    }
    if (!nearest) return;
    QToolTip::showText(
        QCursor::pos(),
        tr("%1\nnDCG@10 %2 · diversity %3")
            .arg(settingName(*nearest), QString::number(nearest->ndcg, 'f', 3), QString::number(nearest->ild, 'f', 3)),
        m_view);
}

void TradeOffChart::showEvent(QShowEvent* event) {
    QFrame::showEvent(event);
    m_empty->setGeometry(m_view->rect());
    placeLabels();
}

int TradeOffChart::pointCount() const {
    return static_cast<int>(m_lambdas->count() + m_targets->count() + m_off->count());
}

QList<QPointF> TradeOffChart::lambdaPoints() const {
    return m_lambdas->points();
}
QList<QPointF> TradeOffChart::targetPoints() const {
    return m_targets->points();
}

std::optional<QPointF> TradeOffChart::defaultPoint() const {
    if (m_default->count() == 0) return std::nullopt;
    return m_default->at(0);
}

QString TradeOffChart::summary() const {
    return m_summary->text();
}

bool TradeOffChart::exportPng(const QString& path) const {
    return m_view->grab().save(path, "PNG");
}

bool TradeOffChart::exportCsv(const QString& path) const {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return false;
    QTextStream out(&file);
    out << "model,setting,value,ild,ndcg,mean_lambda,default\n";
    for (const evaluation::TradeOffPoint& point : m_points) {
        const char* mode = point.mode == evaluation::TradeOffPoint::Mode::Off           ? "off"
                           : point.mode == evaluation::TradeOffPoint::Mode::FixedLambda ? "lambda"
                                                                                        : "ild_target";
        out << currentModel() << ',' << mode << ',' << point.setting << ',' << point.ild << ',' << point.ndcg << ','
            << point.meanLambda << ',' << (point.isDefault ? 1 : 0) << '\n';
    }
    return out.status() == QTextStream::Ok;
}

}  // namespace recdeck::ui

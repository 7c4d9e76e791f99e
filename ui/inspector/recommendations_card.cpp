#include "recdeck/ui/inspector/recommendations_card.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

#include "recdeck/common/stopwatch.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/inspector/recommendation_table_model.h"
#include "recdeck/ui/inspector/stage_latency_bar.h"

namespace recdeck::ui {

namespace {

QString tierLabel(cache::Tier tier) {
    switch (tier) {
        case cache::Tier::L1:
            return QObject::tr("L1 cache hit");
        case cache::Tier::L2:
            return QObject::tr("L2 cache hit");
        case cache::Tier::Compute:
            return QObject::tr("Computed");
    }
    return {};
}

QColor tierColour(cache::Tier tier) {
    switch (tier) {
        case cache::Tier::L1:
            return theme::good();
        case cache::Tier::L2:
            return theme::series(5);
        case cache::Tier::Compute:
            return theme::accent();
    }
    return theme::muted();
}

}  // namespace

RecommendationsCard::RecommendationsCard(QWidget* parent)
    : QFrame(parent), m_model(new RecommendationTableModel(RecommendationTableModel::Layout::Full, this)) {
    setObjectName(QStringLiteral("card"));
    auto* title = new QLabel(tr("Recommendations"), this);
    title->setObjectName(QStringLiteral("sectionHeading"));
    m_tier = new QLabel(this);
    m_tier->setObjectName(QStringLiteral("tierBadge"));
    m_tier->setToolTip(
        tr("Where this answer came from: the in-process cache (L1), the shared cache (L2) "
           "or a fresh computation"));
    m_tier->hide();
    m_total = new QLabel(this);
    m_total->setObjectName(QStringLiteral("muted"));
    auto* header = new QHBoxLayout();
    header->addWidget(title);
    header->addSpacing(6);
    header->addWidget(m_tier);
    header->addStretch(1);
    header->addWidget(m_total);

    m_servedBy = new QLabel(this);
    m_servedBy->setObjectName(QStringLiteral("servedBy"));
    m_servedBy->setWordWrap(true);
    m_servedBy->setTextFormat(Qt::RichText);
    m_notes = new QLabel(this);
    m_notes->setObjectName(QStringLiteral("answerNotes"));
    m_notes->setWordWrap(true);
    m_notes->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::warning())));
    m_notes->hide();
    m_latency = new StageLatencyBar(this);
    m_latency->setObjectName(QStringLiteral("latencyBar"));

    m_table = new QTableView(this);
    m_table->setMinimumHeight(220);  // the top six of the list at least; the panel scrolls below that
    m_table->setObjectName(QStringLiteral("recommendationsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(24);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(false);
    m_table->setWordWrap(false);
    auto* columns = m_table->horizontalHeader();
    columns->setStretchLastSection(false);
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setSectionResizeMode(RecommendationTableModel::ReasonColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(RecommendationTableModel::RankColumn, 34);
    m_table->setColumnWidth(RecommendationTableModel::ItemColumn, 190);
    m_table->setColumnWidth(RecommendationTableModel::CategoriesColumn, 160);
    m_table->setColumnWidth(RecommendationTableModel::ScoreColumn, 64);
    m_table->setColumnWidth(RecommendationTableModel::BeforeColumn, 86);
    connect(columns, &QHeaderView::sectionResized, this, [this](int column) {
        if (!m_fittingColumns && column != RecommendationTableModel::ReasonColumn) m_columnsUserSized = true;
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) emit itemChosen(m_model->itemId(current.row()));
            });

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("muted"));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);

    auto* legend = new QLabel(tr("<span style=\"background:#fef3c7\">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp; moved by "
                                 "diversity (re-ranked for variety across categories)"),
                              this);
    legend->setObjectName(QStringLiteral("muted"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(6);
    layout->addLayout(header);
    layout->addWidget(m_servedBy);
    layout->addWidget(m_notes);
    layout->addWidget(m_latency);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_message, 1);
    layout->addWidget(legend);
    clear(tr("Pick a user above to see what the service recommends to them."));
}

void RecommendationsCard::setAnswer(const serving::Recommendation& answer) {
    m_answer = answer;
    m_model->setItems(answer.items());
    m_table->show();
    m_message->hide();
    fitColumns();

    m_tier->setText(tierLabel(answer.tier));
    // The theme's badge look, coloured by tier.
    m_tier->setStyleSheet(
        QStringLiteral("QLabel { border-radius: 9px; padding: 2px 9px; color: white; font-weight: 600; "
                       "background: %1; }")
            .arg(theme::css(tierColour(answer.tier))));
    m_tier->show();
    m_latency->setTimings(answer.timings);
    m_total->setText(tr("total %1").arg(format::milliseconds(answer.timings.totalUs / 1000.0)));

    QStringList notes;
    if (answer.fallback()) notes << tr("Fallback to popularity: %1").arg(QString::fromStdString(*answer.fallback()));
    if (answer.coldStart()) notes << tr("Cold start: no history yet, ranked by popularity");
    if (!answer.degraded.empty()) notes << tr("Degraded: %1 was skipped").arg(QString::fromStdString(answer.degraded));
    m_notes->setText(notes.join(QStringLiteral("  ·  ")));
    m_notes->setVisible(!notes.isEmpty());
    refreshAges();
}

void RecommendationsCard::fitColumns() {
    if (m_columnsUserSized) return;
    // Every column but the reason as wide as its values (titles and categories capped), so
    // the reason — the column that explains the list — gets the rest of the width.
    struct Fit {
        int column;
        int cap;
    };
    constexpr Fit fits[] = {{RecommendationTableModel::RankColumn, 60},
                            {RecommendationTableModel::ItemColumn, 200},
                            {RecommendationTableModel::CategoriesColumn, 170},
                            {RecommendationTableModel::ScoreColumn, 90},
                            {RecommendationTableModel::BeforeColumn, 90}};
    constexpr int kRoom = 10;
    m_fittingColumns = true;
    QHeaderView* header = m_table->horizontalHeader();
    for (const Fit& fit : fits) {
        int width = header->sectionSizeHint(fit.column);
        for (int row = 0; row < m_model->rowCount(); ++row) {
            width = std::max(width, m_table->sizeHintForIndex(m_model->index(row, fit.column)).width() + kRoom);
        }
        header->resizeSection(fit.column, std::min(width, fit.cap));
    }
    m_fittingColumns = false;
}

void RecommendationsCard::refreshAges() {
    if (!m_answer) return;
    const auto& answer = *m_answer;
    const QString strong = QStringLiteral("<b>%1</b>");
    QStringList parts;
    if (!answer.experiment.empty()) {
        parts << tr("Variant %1 of %2")
                     .arg(strong.arg(QString::fromStdString(answer.variant).toHtmlEscaped()),
                          QString::fromStdString(answer.experiment).toHtmlEscaped());
    } else {
        parts << tr("No experiment (default serving)");
    }
    parts << tr("Model %1")
                 .arg(strong.arg(QStringLiteral("%1 v%2")
                                     .arg(QString::fromStdString(answer.model).toHtmlEscaped())
                                     .arg(answer.modelVersion)));
    const std::int64_t computedAt = answer.list ? answer.list->computedAtMs : 0;
    if (computedAt > 0) {
        const QString age = format::age(unixMillis() - computedAt);
        parts << (age == QStringLiteral("just now") ? tr("list computed just now")
                                                    : tr("list computed %1 ago").arg(age));
    }
    if (answer.list && answer.list->ild) parts << tr("diversity (ILD) %1").arg(format::number(*answer.list->ild, 2));
    m_servedBy->setText(parts.join(QStringLiteral("  ·  ")));
}

void RecommendationsCard::setError(const QString& message) {
    m_answer.reset();
    m_model->clear();
    m_table->hide();
    m_tier->hide();
    m_latency->clear();
    m_total->clear();
    m_notes->hide();
    m_servedBy->setText(
        QStringLiteral("<span style=\"color:%1\">%2</span>").arg(theme::css(theme::bad()), message.toHtmlEscaped()));
    m_message->setText(tr("No list could be served. Check the user id and the model, then press Refresh."));
    m_message->show();
}

void RecommendationsCard::clear(const QString& message) {
    m_answer.reset();
    m_model->clear();
    m_table->hide();
    m_tier->hide();
    m_latency->clear();
    m_total->clear();
    m_notes->hide();
    m_servedBy->clear();
    m_message->setText(message);
    m_message->show();
}

QString RecommendationsCard::tierText() const {
    return m_answer ? m_tier->text() : QString();
}
QString RecommendationsCard::servedByText() const {
    return m_servedBy->text();
}

}  // namespace recdeck::ui

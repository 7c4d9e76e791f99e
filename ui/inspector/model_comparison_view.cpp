#include "recdeck/ui/inspector/model_comparison_view.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSet>
#include <QTableView>
#include <QVBoxLayout>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/inspector/recommendation_table_model.h"

namespace recdeck::ui {

namespace {

QTableView* makeTable(QWidget* parent, RecommendationTableModel* model, const QString& name) {
    auto* table = new QTableView(parent);
    table->setMinimumHeight(150);
    table->setObjectName(name);
    table->setModel(model);
    table->setSelectionMode(QAbstractItemView::NoSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(23);
    table->setShowGrid(false);
    table->setWordWrap(false);
    auto* header = table->horizontalHeader();
    header->setSectionResizeMode(RecommendationTableModel::CompactItem, QHeaderView::Stretch);
    table->setColumnWidth(RecommendationTableModel::CompactRank, 34);
    table->setColumnWidth(RecommendationTableModel::CompactScore, 70);
    return table;
}

}  // namespace

ModelComparisonView::ModelComparisonView(QWidget* parent)
    : QWidget(parent),
      m_modelA(new RecommendationTableModel(RecommendationTableModel::Layout::Compact, this)),
      m_modelB(new RecommendationTableModel(RecommendationTableModel::Layout::Compact, this)) {
    m_chooserA = new QComboBox(this);
    m_chooserA->setObjectName(QStringLiteral("compareModelA"));
    m_chooserA->setToolTip(tr("Model of the left list"));
    m_chooserB = new QComboBox(this);
    m_chooserB->setObjectName(QStringLiteral("compareModelB"));
    m_chooserB->setToolTip(tr("Model of the right list"));
    for (QComboBox* box : {m_chooserA, m_chooserB}) {
        box->setMinimumContentsLength(12);
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling) emit modelsChosen();
        });
    }
    m_overlapLabel = new QLabel(this);
    m_overlapLabel->setObjectName(QStringLiteral("overlapLabel"));
    m_overlapLabel->setToolTip(tr("Items recommended by both models (highlighted in green)"));

    m_captionA = new QLabel(this);
    m_captionA->setObjectName(QStringLiteral("muted"));
    m_captionB = new QLabel(this);
    m_captionB->setObjectName(QStringLiteral("muted"));
    m_tableA = makeTable(this, m_modelA, QStringLiteral("compareTableA"));
    m_tableB = makeTable(this, m_modelB, QStringLiteral("compareTableB"));

    auto* choosers = new QHBoxLayout();
    choosers->setSpacing(8);
    choosers->addWidget(new QLabel(tr("Compare"), this));
    choosers->addWidget(m_chooserA);
    choosers->addWidget(new QLabel(tr("with"), this));
    choosers->addWidget(m_chooserB);
    choosers->addSpacing(12);
    choosers->addWidget(m_overlapLabel);
    choosers->addStretch(1);

    auto* grid = new QGridLayout();
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(4);
    grid->addWidget(m_captionA, 0, 0);
    grid->addWidget(m_captionB, 0, 1);
    grid->addWidget(m_tableA, 1, 0);
    grid->addWidget(m_tableB, 1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 10, 10, 10);
    layout->setSpacing(8);
    layout->addLayout(choosers);
    layout->addLayout(grid, 1);
}

void ModelComparisonView::setModelNames(const QStringList& names, const QString& preferredA,
                                        const QString& preferredB) {
    m_filling = true;
    auto fill = [&](QComboBox* box, const QString& preferred) {
        const QString keep = box->currentText();
        box->clear();
        box->addItems(names);
        const QString want = names.contains(keep) ? keep : preferred;
        const auto index = names.indexOf(want);
        box->setCurrentIndex(index >= 0 ? static_cast<int>(index) : 0);
    };
    fill(m_chooserA, preferredA);
    fill(m_chooserB, preferredB);
    m_filling = false;
}

QString ModelComparisonView::modelA() const {
    return m_chooserA->currentText();
}
QString ModelComparisonView::modelB() const {
    return m_chooserB->currentText();
}

void ModelComparisonView::showAnswer(const serving::Answer& answer, RecommendationTableModel* model, QLabel* caption) {
    if (!answer.recommendation) {
        model->clear();
        caption->setText(QStringLiteral("<span style=\"color:%1\">%2</span>")
                             .arg(theme::css(theme::bad()), QString::fromStdString(answer.error).toHtmlEscaped()));
        return;
    }
    const auto& r = *answer.recommendation;
    model->setItems(r.items());
    QString text = tr("%1 v%2 · %3")
                       .arg(QString::fromStdString(r.model))
                       .arg(r.modelVersion)
                       .arg(format::milliseconds(r.timings.totalUs / 1000.0));
    if (r.list && r.list->ild) text += tr(" · diversity %1").arg(format::number(*r.list->ild, 2));
    if (r.fallback()) text += tr(" · fallback to popularity");
    caption->setText(text);
}

void ModelComparisonView::setAnswers(const serving::Answer& a, const serving::Answer& b) {
    showAnswer(a, m_modelA, m_captionA);
    showAnswer(b, m_modelB, m_captionB);
    QSet<QString> left;
    QSet<QString> shared;
    for (const auto& item : m_modelA->items()) left.insert(QString::fromStdString(item.itemId));
    for (const auto& item : m_modelB->items()) {
        const QString id = QString::fromStdString(item.itemId);
        if (left.contains(id)) shared.insert(id);
    }
    m_overlap = static_cast<int>(shared.size());
    m_modelA->setHighlighted(shared);
    m_modelB->setHighlighted(shared);
    const auto size = std::max(m_modelA->items().size(), m_modelB->items().size());
    if (a.recommendation && b.recommendation) {
        m_overlapLabel->setText(tr("<b>%1 of %2</b> items in both lists").arg(m_overlap).arg(size));
    } else {
        m_overlapLabel->clear();
    }
}

void ModelComparisonView::clear(const QString& message) {
    m_modelA->clear();
    m_modelB->clear();
    m_overlap = 0;
    m_overlapLabel->setText(message);
    m_captionA->clear();
    m_captionB->clear();
}

}  // namespace recdeck::ui

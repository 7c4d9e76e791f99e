#include "recdeck/ui/inspector/recommendation_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QStringList>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

QString categoriesText(const std::vector<std::string>& categories) {
    QStringList names;
    for (const auto& name : categories) names << QString::fromStdString(name);
    return names.isEmpty() ? QStringLiteral("–") : names.join(QStringLiteral(", "));
}

QString scoreText(const serving::RecommendedItem& item) {
    // Popularity-ranked items carry a user count, model items a model score.
    return item.fromPopularity ? format::count(static_cast<double>(item.score))
                               : QString::number(static_cast<double>(item.score), 'f', 3);
}

const QColor kMovedTint(0xfe, 0xf3, 0xc7);
const QColor kOverlapTint(0xdc, 0xfc, 0xe7);

}  // namespace

RecommendationTableModel::RecommendationTableModel(Layout layout, QObject* parent)
    : QAbstractTableModel(parent), m_layout(layout) {}

void RecommendationTableModel::setItems(std::vector<serving::RecommendedItem> items) {
    beginResetModel();
    m_items = std::move(items);
    endResetModel();
}

void RecommendationTableModel::setHighlighted(QSet<QString> itemIds) {
    m_highlighted = std::move(itemIds);
    if (!m_items.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

QString RecommendationTableModel::itemId(int row) const {
    if (row < 0 || row >= rowCount()) return {};
    return QString::fromStdString(m_items[static_cast<std::size_t>(row)].itemId);
}

int RecommendationTableModel::movedCount() const {
    int moved = 0;
    for (const auto& item : m_items) moved += item.rankBefore != item.rankAfter ? 1 : 0;
    return moved;
}

int RecommendationTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_items.size());
}

int RecommendationTableModel::columnCount(const QModelIndex& parent) const {
    if (parent.isValid()) return 0;
    return m_layout == Layout::Full ? static_cast<int>(FullColumnCount) : static_cast<int>(CompactColumnCount);
}

QVariant RecommendationTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const auto& item = m_items[static_cast<std::size_t>(index.row())];
    if (role == Qt::UserRole) return QString::fromStdString(item.itemId);
    return m_layout == Layout::Full ? fullData(item, index.column(), role) : compactData(item, index.column(), role);
}

QVariant RecommendationTableModel::fullData(const serving::RecommendedItem& item, int column, int role) const {
    const bool moved = item.rankBefore != item.rankAfter;
    if (role == Qt::BackgroundRole) return moved ? QVariant(QBrush(kMovedTint)) : QVariant();
    if (role == Qt::TextAlignmentRole) {
        if (column == RankColumn || column == ScoreColumn || column == BeforeColumn) {
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    }
    if (role == Qt::ForegroundRole && column == BeforeColumn && moved) {
        return QBrush(item.rankBefore > item.rankAfter ? theme::good() : theme::warning());
    }
    if (role == Qt::ToolTipRole) {
        switch (column) {
            case ItemColumn:
                return QStringLiteral("%1 (id %2)")
                    .arg(QString::fromStdString(item.title), QString::fromStdString(item.itemId));
            case ReasonColumn:
                return QString::fromStdString(item.reason) + QStringLiteral("\nReason kind: ") +
                       QString::fromStdString(item.reasonKind);
            case ScoreColumn:
                return item.fromPopularity
                           ? tr("Ranked by popularity: distinct users who engaged with the item")
                           : tr("The model's score (higher is better; comparable within one model only)");
            case BeforeColumn:
                return moved ? tr("Position %1 by score alone; diversity moved it to %2.")
                                   .arg(item.rankBefore + 1)
                                   .arg(item.rankAfter + 1)
                             : tr("Same position as by score alone.");
            default:
                return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    switch (column) {
        case RankColumn:
            return static_cast<int>(item.rankAfter + 1);
        case ItemColumn:
            return QString::fromStdString(item.title.empty() ? item.itemId : item.title);
        case CategoriesColumn:
            return categoriesText(item.categories);
        case ScoreColumn:
            return scoreText(item);
        case ReasonColumn:
            return QString::fromStdString(item.reason);
        case BeforeColumn: {
            const QString before = QStringLiteral("#%1").arg(item.rankBefore + 1);
            if (!moved) return before;
            const auto delta = static_cast<long long>(item.rankBefore) - static_cast<long long>(item.rankAfter);
            return before + (delta > 0 ? QStringLiteral("  ▲%1").arg(delta) : QStringLiteral("  ▼%1").arg(-delta));
        }
        default:
            return {};
    }
}

QVariant RecommendationTableModel::compactData(const serving::RecommendedItem& item, int column, int role) const {
    const bool shared = m_highlighted.contains(QString::fromStdString(item.itemId));
    if (role == Qt::BackgroundRole) return shared ? QVariant(QBrush(kOverlapTint)) : QVariant();
    if (role == Qt::FontRole && shared && column == CompactItem) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::TextAlignmentRole && column != CompactItem)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        return QStringLiteral("%1\n%2\n%3%4")
            .arg(QString::fromStdString(item.title), categoriesText(item.categories),
                 QString::fromStdString(item.reason), shared ? tr("\nIn both lists") : QString());
    }
    if (role != Qt::DisplayRole) return {};
    switch (column) {
        case CompactRank:
            return static_cast<int>(item.rankAfter + 1);
        case CompactItem:
            return QString::fromStdString(item.title.empty() ? item.itemId : item.title);
        case CompactScore:
            return scoreText(item);
        default:
            return {};
    }
}

QVariant RecommendationTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (m_layout == Layout::Full) {
        static const char* const titles[] = {QT_TR_NOOP("#"),     QT_TR_NOOP("Item"),   QT_TR_NOOP("Categories"),
                                             QT_TR_NOOP("Score"), QT_TR_NOOP("Reason"), QT_TR_NOOP("By score")};
        static const char* const tips[] = {
            "Position in the list the user sees",
            "The recommended item",
            "The item's categories",
            "What the item was ranked by: the model's score, or its popularity when it came from popularity",
            "Why the item is shown, as the user could be told",
            "Position by model score alone, before diversity re-ordered the list (▲ moved up, ▼ moved down)"};
        if (section < 0 || section >= FullColumnCount) return {};
        if (role == Qt::DisplayRole) return tr(titles[section]);
        if (role == Qt::ToolTipRole) return tr(tips[section]);
        return {};
    }
    static const char* const titles[] = {QT_TR_NOOP("#"), QT_TR_NOOP("Item"), QT_TR_NOOP("Score")};
    if (section < 0 || section >= CompactColumnCount) return {};
    if (role == Qt::DisplayRole) return tr(titles[section]);
    return {};
}

}  // namespace recdeck::ui

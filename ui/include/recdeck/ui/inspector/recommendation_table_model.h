#pragma once

#include <QAbstractTableModel>
#include <QSet>
#include <QString>

#include <vector>

#include "recdeck/serving/recommendation.h"

namespace recdeck::ui {

// A recommendation list as a table. Full layout: rank, item, categories, score, reason and
// the rank by score alone (items diversity moved are tinted). Compact layout (side by
// side): rank, item, score, with the items of a highlight set (the overlap) tinted.
class RecommendationTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Layout { Full, Compact };
    enum FullColumn {
        RankColumn,
        ItemColumn,
        CategoriesColumn,
        ScoreColumn,
        ReasonColumn,
        BeforeColumn,
        FullColumnCount
    };
    enum CompactColumn { CompactRank, CompactItem, CompactScore, CompactColumnCount };

    explicit RecommendationTableModel(Layout layout, QObject* parent = nullptr);

    void setItems(std::vector<serving::RecommendedItem> items);
    void clear() { setItems({}); }
    void setHighlighted(QSet<QString> itemIds);
    const std::vector<serving::RecommendedItem>& items() const { return m_items; }
    QString itemId(int row) const;
    // Items whose position differs from their position by score alone.
    int movedCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant fullData(const serving::RecommendedItem& item, int column, int role) const;
    QVariant compactData(const serving::RecommendedItem& item, int column, int role) const;

    Layout m_layout;
    std::vector<serving::RecommendedItem> m_items;
    QSet<QString> m_highlighted;
};

}  // namespace recdeck::ui

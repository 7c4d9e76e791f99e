#pragma once

#include <QAbstractTableModel>

#include <memory>
#include <vector>

#include "recdeck/data/dataset.h"

namespace recdeck::ui {

// Read-only table of the catalog: id, title, categories, interaction count.
// Holds a shared snapshot of the dataset, so it never dangles while the core moves on.
class CatalogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { IdColumn, TitleColumn, CategoriesColumn, InteractionsColumn, ColumnCount };

    explicit CatalogModel(QObject* parent = nullptr);

    void setDataset(std::shared_ptr<const data::Dataset> dataset);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::shared_ptr<const data::Dataset> m_dataset;
    std::vector<int> m_interactionCounts;
    std::vector<QString> m_categoryText;
};

}  // namespace recdeck::ui

#include "recdeck/ui/connection/catalog_model.h"

#include <QStringList>

namespace recdeck::ui {

CatalogModel::CatalogModel(QObject* parent) : QAbstractTableModel(parent) {}

void CatalogModel::setDataset(std::shared_ptr<const data::Dataset> dataset) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_interactionCounts.assign(m_dataset ? m_dataset->catalog.size() : 0, 0);
    m_categoryText.assign(m_interactionCounts.size(), QString());
    if (m_dataset) {
        for (const auto& row : m_dataset->interactions) ++m_interactionCounts[row.item];
        const auto& names = m_dataset->catalog.categories();
        for (std::size_t i = 0; i < m_categoryText.size(); ++i) {
            QStringList parts;
            for (data::Index c : m_dataset->catalog.info(static_cast<data::Index>(i)).categories) {
                parts << QString::fromStdString(names.id(c));
            }
            m_categoryText[i] = parts.join(QStringLiteral(", "));
        }
    }
    endResetModel();
}

int CatalogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_dataset ? 0 : static_cast<int>(m_dataset->catalog.size());
}

int CatalogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CatalogModel::data(const QModelIndex& index, int role) const {
    if (!m_dataset || !index.isValid()) return {};
    const auto item = static_cast<data::Index>(index.row());
    const auto row = static_cast<std::size_t>(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case IdColumn:
                return QString::fromStdString(m_dataset->catalog.items().id(item));
            case TitleColumn:
                return QString::fromStdString(std::string(m_dataset->catalog.displayName(item)));
            case CategoriesColumn:
                return m_categoryText[row];
            case InteractionsColumn:
                return m_interactionCounts[row];
            default:
                return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == InteractionsColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant CatalogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case IdColumn:
            return tr("Item");
        case TitleColumn:
            return tr("Title");
        case CategoriesColumn:
            return tr("Categories");
        case InteractionsColumn:
            return tr("Interactions");
        default:
            return {};
    }
}

}  // namespace recdeck::ui

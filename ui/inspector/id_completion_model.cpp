#include "recdeck/ui/inspector/id_completion_model.h"

#include <algorithm>
#include <numeric>

namespace recdeck::ui {

IdCompletionModel::IdCompletionModel(Kind kind, QObject* parent) : QAbstractListModel(parent), m_kind(kind) {}

void IdCompletionModel::setDataset(std::shared_ptr<const data::Dataset> dataset, std::vector<data::Index> order) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_order = std::move(order);
    endResetModel();
}

std::vector<data::Index> IdCompletionModel::sortedUsers(const data::Dataset& dataset) {
    std::vector<data::Index> order(dataset.users.size());
    std::iota(order.begin(), order.end(), data::Index{0});
    const auto& ids = dataset.users.ids();
    std::sort(order.begin(), order.end(), [&](data::Index a, data::Index b) { return ids[a] < ids[b]; });
    return order;
}

std::vector<data::Index> IdCompletionModel::allItems(const data::Dataset& dataset) {
    std::vector<data::Index> order(dataset.catalog.size());
    std::iota(order.begin(), order.end(), data::Index{0});
    return order;
}

int IdCompletionModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_order.size());
}

QString IdCompletionModel::itemText(data::Index item) const {
    if (!m_dataset || item >= m_dataset->catalog.size()) return {};
    const auto& catalog = m_dataset->catalog;
    const QString id = QString::fromStdString(catalog.items().id(item));
    const auto& title = catalog.info(item).title;
    if (title.empty()) return id;
    return QString::fromStdString(title) + QStringLiteral(" · ") + id;
}

QVariant IdCompletionModel::data(const QModelIndex& index, int role) const {
    if (!m_dataset || !index.isValid() || index.row() >= static_cast<int>(m_order.size())) return {};
    const data::Index entry = m_order[static_cast<std::size_t>(index.row())];
    if (m_kind == Kind::Users) {
        if (role == Qt::DisplayRole || role == Qt::EditRole || role == Qt::UserRole) {
            return QString::fromStdString(m_dataset->users.id(entry));
        }
        return {};
    }
    if (role == Qt::DisplayRole || role == Qt::EditRole) return itemText(entry);
    if (role == Qt::UserRole) return QString::fromStdString(m_dataset->catalog.items().id(entry));
    return {};
}

}  // namespace recdeck::ui

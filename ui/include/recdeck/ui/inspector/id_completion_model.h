#pragma once

#include <QAbstractListModel>

#include <memory>
#include <vector>

#include "recdeck/data/dataset.h"

namespace recdeck::ui {

// A list of the dataset's user ids or items for a QCompleter, read straight from a shared
// dataset snapshot (no copy of the ids, strings made only for the rows asked for), so a
// catalog or user base of 100k+ entries costs a vector of indices.
//
// Users are listed sorted by id (QCompleter::CaseSensitivelySortedModel: completion by
// binary search). Items are listed as "Title · id" (for matching anywhere in the text);
// Qt::UserRole holds the bare id either way.
class IdCompletionModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum class Kind { Users, Items };

    explicit IdCompletionModel(Kind kind, QObject* parent = nullptr);

    // Replaces the list; `order` are the indices to list (for users: sorted by id).
    void setDataset(std::shared_ptr<const data::Dataset> dataset, std::vector<data::Index> order);
    // The user indices of `dataset` sorted by id (run off the GUI thread for big data).
    static std::vector<data::Index> sortedUsers(const data::Dataset& dataset);
    // The item indices in catalog order.
    static std::vector<data::Index> allItems(const data::Dataset& dataset);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

    // "Title · id" for an item index of the current dataset.
    QString itemText(data::Index item) const;

private:
    Kind m_kind;
    std::shared_ptr<const data::Dataset> m_dataset;
    std::vector<data::Index> m_order;
};

}  // namespace recdeck::ui

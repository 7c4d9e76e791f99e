#pragma once

#include <QAbstractTableModel>

#include <vector>

#include "recdeck/serving/user_inspection.h"

namespace recdeck::ui {

// A user's history (events and training interactions), newest first: time, event type,
// item title, categories. Training rows are shown muted.
class HistoryTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, TypeColumn, ItemColumn, CategoriesColumn, ColumnCount };

    explicit HistoryTableModel(QObject* parent = nullptr);
    void setRows(std::vector<serving::HistoryRow> rows);
    const std::vector<serving::HistoryRow>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<serving::HistoryRow> m_rows;
};

}  // namespace recdeck::ui

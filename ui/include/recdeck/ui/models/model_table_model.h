#pragma once

#include <QAbstractTableModel>
#include <QString>

#include <vector>

#include "recdeck/models/model_registry.h"

namespace recdeck::ui {

// The registry's models as a table: name (the default starred), kind, version, when and
// how long it trained, and the offline metrics stored with the entry (nDCG@10,
// precision@10, recall@10, coverage, intra-list diversity) when it was evaluated.
class ModelTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        KindColumn,
        VersionColumn,
        TrainedColumn,
        TrainingTimeColumn,
        NdcgColumn,
        PrecisionColumn,
        RecallColumn,
        CoverageColumn,
        IldColumn,
        ColumnCount
    };

    explicit ModelTableModel(QObject* parent = nullptr);

    void setEntries(std::vector<models::ModelRegistry::EntryPtr> entries, const QString& defaultName);
    models::ModelRegistry::EntryPtr entry(int row) const;
    int rowOf(const QString& name) const;
    QString defaultName() const { return m_default; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<models::ModelRegistry::EntryPtr> m_entries;
    QString m_default;
};

}  // namespace recdeck::ui

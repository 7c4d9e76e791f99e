#pragma once
// The cache's invalidation log as a table, newest first: time, kind, target, where it came
// from (this panel, this instance, another instance), lists dropped from L1 and any
// problem reaching the shared tier.

#include <QAbstractTableModel>
#include <QSet>
#include <QString>

#include <vector>

#include "recdeck/cache/tiered_cache.h"

namespace recdeck::ui {

class InvalidationLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Time, Kind, Target, Origin, Dropped, Problem, ColumnCount };
    enum class Filter { All, Operator, Users, Items, Models, Everything };

    explicit InvalidationLogModel(QObject* parent = nullptr);

    // The whole log, oldest first (as TieredCache::invalidationLog returns it).
    void setLog(std::vector<cache::InvalidationRecord> log);
    void setFilter(Filter filter);
    // Marks a record as issued from this console's Cache panel.
    void markOperator(const cache::InvalidationRecord& record);
    std::size_t totalCount() const { return m_log.size(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    static QString key(const cache::InvalidationRecord& record);
    bool accepts(const cache::InvalidationRecord& record) const;
    void rebuild();

    std::vector<cache::InvalidationRecord> m_log;          // oldest first
    std::vector<const cache::InvalidationRecord*> m_rows;  // shown, newest first
    QSet<QString> m_operator;
    Filter m_filter = Filter::All;
};

}  // namespace recdeck::ui

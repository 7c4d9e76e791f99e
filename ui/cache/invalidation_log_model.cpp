#include "recdeck/ui/cache/invalidation_log_model.h"

#include <QBrush>
#include <QDateTime>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

InvalidationLogModel::InvalidationLogModel(QObject* parent) : QAbstractTableModel(parent) {}

QString InvalidationLogModel::key(const cache::InvalidationRecord& record) {
    return QStringLiteral("%1|%2|%3")
        .arg(record.atMs)
        .arg(static_cast<int>(record.kind))
        .arg(QString::fromStdString(record.id));
}

void InvalidationLogModel::setLog(std::vector<cache::InvalidationRecord> log) {
    m_log = std::move(log);
    rebuild();
}

void InvalidationLogModel::setFilter(Filter filter) {
    if (filter == m_filter) return;
    m_filter = filter;
    rebuild();
}

void InvalidationLogModel::markOperator(const cache::InvalidationRecord& record) {
    m_operator.insert(key(record));
    if (m_rows.empty()) return;
    emit dataChanged(index(0, Origin), index(rowCount() - 1, Origin));
    if (m_filter == Filter::Operator) rebuild();
}

bool InvalidationLogModel::accepts(const cache::InvalidationRecord& record) const {
    switch (m_filter) {
        case Filter::All:
            return true;
        case Filter::Operator:
            return m_operator.contains(key(record));
        case Filter::Users:
            return record.kind == cache::InvalidationKind::User;
        case Filter::Items:
            return record.kind == cache::InvalidationKind::Item;
        case Filter::Models:
            return record.kind == cache::InvalidationKind::Model;
        case Filter::Everything:
            return record.kind == cache::InvalidationKind::All;
    }
    return true;
}

void InvalidationLogModel::rebuild() {
    beginResetModel();
    m_rows.clear();
    for (auto it = m_log.rbegin(); it != m_log.rend(); ++it) {
        if (accepts(*it)) m_rows.push_back(&*it);
    }
    endResetModel();
}

int InvalidationLogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int InvalidationLogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InvalidationLogModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const cache::InvalidationRecord& record = *m_rows[static_cast<std::size_t>(index.row())];
    const bool fromHere = m_operator.contains(key(record));
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case Time:
                // Compact: the log covers minutes, not days; the full date is in the tooltip.
                return record.atMs <= 0
                           ? QStringLiteral("–")
                           : QDateTime::fromMSecsSinceEpoch(record.atMs).toString(QStringLiteral("HH:mm:ss"));
            case Kind:
                switch (record.kind) {
                    case cache::InvalidationKind::User:
                        return tr("User");
                    case cache::InvalidationKind::Item:
                        return tr("Item");
                    case cache::InvalidationKind::Model:
                        return tr("Model");
                    case cache::InvalidationKind::All:
                        return tr("Everything");
                }
                return {};
            case Target:
                return record.id.empty() ? tr("all lists") : QString::fromStdString(record.id);
            case Origin:
                return record.remote ? tr("Another instance") : fromHere ? tr("This panel") : tr("This instance");
            case Dropped:
                return static_cast<qulonglong>(record.l1Dropped);
            case Problem:
                return QString::fromStdString(record.error);
            default:
                return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
            case Time:
                return format::timestamp(record.atMs);
            case Target:
                return record.id.empty() ? tr("Every cached list") : QString::fromStdString(record.id);
            case Origin:
                return record.remote ? tr("Received over the store's invalidation channel from another instance")
                       : fromHere    ? tr("Issued from this Cache panel")
                                     : tr("Issued in this process: a user's purchase, rating or add-to-cart, a "
                                             "retrained model, or another panel");
            case Dropped:
                return tr("Cached lists removed from this process's memory (L1)");
            case Problem:
                return record.error.empty() ? QVariant() : QString::fromStdString(record.error);
            default:
                return {};
        }
    }
    if (role == Qt::ForegroundRole) {
        if (index.column() == Problem && !record.error.empty()) return QBrush(theme::warning());
        if (index.column() == Origin && fromHere) return QBrush(theme::accent());
    }
    if (role == Qt::TextAlignmentRole && index.column() == Dropped) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant InvalidationLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
            case Time:
                return tr("Time");
            case Kind:
                return tr("Kind");
            case Target:
                return tr("Target");
            case Origin:
                return tr("Origin");
            case Dropped:
                return tr("Dropped");
            case Problem:
                return tr("Problem");
            default:
                return {};
        }
    }
    if (role == Qt::TextAlignmentRole) {
        // As the values below: text left, the count right.
        return QVariant::fromValue((section == Dropped ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
            case Time:
                return tr("Local time of the invalidation (hover a row for the full date)");
            case Dropped:
                return tr("Cached lists removed from this process's memory (L1)");
            default:
                return {};
        }
    }
    return {};
}

}  // namespace recdeck::ui

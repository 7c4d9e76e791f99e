#include "recdeck/ui/fleet/fleet_table_model.h"

#include <QDateTime>
#include <QFont>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

FleetTableModel::FleetTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void FleetTableModel::setRows(const QList<FleetRow>& rows) {
    bool sameRows = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameRows && i < rows.size(); ++i) {
        sameRows = rows[i].state.url == m_rows[i].state.url && rows[i].local == m_rows[i].local;
    }
    if (!sameRows) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
        return;
    }
    m_rows = rows;
    if (!m_rows.isEmpty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int FleetTableModel::rowOf(const QUrl& url) const {
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].state.url == url) return static_cast<int>(i);
    }
    return -1;
}

QString FleetTableModel::stateText(const InstanceState& state) {
    switch (state.health()) {
        case InstanceState::Health::Unknown:
            return tr("Checking…");
        case InstanceState::Health::Unreachable:
            return tr("Unreachable");
        case InstanceState::Health::Degraded:
            return tr("Degraded");
        case InstanceState::Health::Ready:
            return tr("Ready");
    }
    return {};
}

QColor FleetTableModel::stateColor(const InstanceState& state) {
    switch (state.health()) {
        case InstanceState::Health::Unknown:
            return theme::muted();
        case InstanceState::Health::Unreachable:
            return theme::bad();
        case InstanceState::Health::Degraded:
            return theme::warning();
        case InstanceState::Health::Ready:
            return theme::good();
    }
    return theme::muted();
}

int FleetTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int FleetTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

bool FleetTableModel::streamLagging(const InstanceState& s) {
    return (s.streamLagSeconds && *s.streamLagSeconds > kLaggingSeconds) ||
           (s.unpublishedEvents && *s.unpublishedEvents > kLaggingEvents);
}

QString FleetTableModel::streamText(const InstanceState& s) {
    if (!s.reachable || !s.streamLagSeconds || !s.unpublishedEvents) return QStringLiteral("–");
    QStringList parts;
    if (*s.streamLagSeconds > kLaggingSeconds)
        parts << tr("readouts %1 s behind").arg(static_cast<qlonglong>(*s.streamLagSeconds));
    if (*s.unpublishedEvents > kLaggingEvents)
        parts << tr("%L1 events to append").arg(static_cast<qlonglong>(*s.unpublishedEvents));
    return parts.isEmpty() ? tr("in step") : parts.join(QStringLiteral(", "));
}

QVariant FleetTableModel::display(const FleetRow& row, int column) const {
    const InstanceState& s = row.state;
    const bool live = s.reachable;
    switch (column) {
        case InstanceColumn:
            return row.local ? tr("This console") : s.displayName();
        case StateColumn:
            return stateText(s);
        case StoreColumn:
            if (s.store.isEmpty()) return QStringLiteral("–");
            if (s.store == QLatin1String("embedded")) return tr("embedded");
            return row.sharesStore && !row.local ? tr("%1  (shared)").arg(s.store) : s.store;
        case ModelColumn:
            if (s.model.isEmpty()) return QStringLiteral("–");
            return row.modelDiffers ? tr("%1  (differs)").arg(s.model) : s.model;
        case StreamColumn:
            return streamText(s);
        case RequestsColumn:
            return live && s.hasRate ? format::rate(s.requestsPerSecond) : QStringLiteral("–");
        case P99Column:
            return live && s.hasLatency ? format::milliseconds(s.p99Ms) : QStringLiteral("–");
        case CtrColumn:
            return live && s.hasCtr ? format::percent(s.ctr, 2) : QStringLiteral("–");
        case HitRateColumn:
            return live && s.hasHitRate ? format::percent(s.hitRate) : QStringLiteral("–");
        case LastSeenColumn:
            if (row.local) return live ? tr("live") : QStringLiteral("–");
            return s.lastSeenMs > 0 ? format::age(QDateTime::currentMSecsSinceEpoch() - s.lastSeenMs) : tr("never");
        case ErrorColumn: {
            if (s.error.isEmpty()) return QStringLiteral("–");
            const bool current = s.lastErrorMs >= s.lastPollMs;
            if (current) return s.error;
            return tr("%1 ago: %2").arg(format::age(QDateTime::currentMSecsSinceEpoch() - s.lastErrorMs), s.error);
        }
        default:
            return {};
    }
}

QVariant FleetTableModel::toolTip(const FleetRow& row, int column) const {
    const InstanceState& s = row.state;
    switch (column) {
        case InstanceColumn:
            return row.local ? tr("The engine inside this console (its own figures, read every 2 s)")
                             : tr("%1 — polled every 2 s: /health, /ready, /metrics").arg(s.url.toString());
        case StateColumn:
            switch (s.health()) {
                case InstanceState::Health::Unknown:
                    return tr("Waiting for the first answer");
                case InstanceState::Health::Unreachable:
                    return tr("/health did not answer: %1").arg(s.error);
                case InstanceState::Health::Degraded:
                    return tr("Answers, but is not ready: %1").arg(s.readyDetail);
                case InstanceState::Health::Ready:
                    return tr("Answers /health and /ready; serving");
            }
            return {};
        case StoreColumn:
            if (row.sharesStore && !row.local) {
                return tr(
                    "Same Redis as this console: experiments and cache invalidations made here reach this instance");
            }
            return s.storeUp.has_value() && !*s.storeUp ? tr("The instance reports its store as down")
                                                        : tr("Where the instance keeps its shared state");
        case RequestsColumn:
            return tr("Recommendation requests per second over the last poll interval");
        case P99Column:
            return tr("99th percentile of request latency over the last minute");
        case CtrColumn:
            return tr("Clicks / items shown over the last minute");
        case HitRateColumn:
            return tr("Share of requests answered from the L1 or L2 cache over the last minute");
        case ModelColumn:
            return row.modelDiffers
                       ? tr("This instance serves another default model or version than this console on "
                            "the same Redis: a retrain, default change or rollback has not reached it yet, "
                            "or it serves other data (see its GET /models)")
                       : tr("The default model and the version it serves");
        case StreamColumn:
            return tr(
                "Fleet mode: how far this instance's experiment readouts are behind the fleet's event stream, "
                "and how many of its own events wait to be appended to it");
        case LastSeenColumn:
            return s.lastSeenMs > 0 ? tr("Last answer at %1").arg(format::timestamp(s.lastSeenMs))
                                    : tr("No answer yet");
        case ErrorColumn:
            return s.error.isEmpty() ? QVariant() : tr("%1 at %2").arg(s.error, format::timestamp(s.lastErrorMs));
        default:
            return {};
    }
}

QVariant FleetTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const FleetRow& row = m_rows[index.row()];
    switch (role) {
        case Qt::DisplayRole:
            return display(row, index.column());
        case Qt::ToolTipRole:
            return toolTip(row, index.column());
        case BadgeColorRole:
            return stateColor(row.state);
        case UrlRole:
            return row.state.url;
        case LocalRole:
            return row.local;
        case Qt::TextAlignmentRole:
            if (index.column() >= RequestsColumn && index.column() <= HitRateColumn) {
                return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
            }
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        case Qt::ForegroundRole:
            if (index.column() == ErrorColumn && !row.state.error.isEmpty()) {
                return row.state.lastErrorMs >= row.state.lastPollMs ? theme::bad() : theme::muted();
            }
            if (index.column() == StoreColumn && row.sharesStore && !row.local) return theme::good();
            if (index.column() == ModelColumn && row.modelDiffers) return theme::bad();
            if (index.column() == StreamColumn && streamLagging(row.state)) return theme::warning();
            return {};
        case Qt::FontRole:
            if (index.column() == InstanceColumn) {
                QFont font;
                font.setWeight(QFont::DemiBold);
                return font;
            }
            return {};
        default:
            return {};
    }
}

QVariant FleetTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
            case InstanceColumn:
                return tr("Instance");
            case StateColumn:
                return tr("State");
            case StoreColumn:
                return tr("Store");
            case ModelColumn:
                return tr("Default model");
            case StreamColumn:
                return tr("Event stream");
            case RequestsColumn:
                return tr("Requests/s");
            case P99Column:
                return tr("p99 latency");
            case CtrColumn:
                return tr("CTR");
            case HitRateColumn:
                return tr("Cache hits");
            case LastSeenColumn:
                return tr("Last seen");
            case ErrorColumn:
                return tr("Last error");
            default:
                return {};
        }
    }
    if (role == Qt::TextAlignmentRole && section >= RequestsColumn && section <= HitRateColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

}  // namespace recdeck::ui

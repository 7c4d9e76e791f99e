#pragma once

#include <QAbstractTableModel>
#include <QColor>
#include <QList>

#include "recdeck/ui/adapters/fleet_monitor.h"

namespace recdeck::ui {

// One row of the fleet table: a watched recdeckd instance, or the console's own engine.
struct FleetRow {
    InstanceState state;
    bool local = false;        // the console's own engine (not removable)
    bool sharesStore = false;  // reports the same Redis as the console
    // On the console's Redis but serving another default model or version than the
    // console: a retrain or rollback has not reached it, or it runs on other data.
    bool modelDiffers = false;
};

// The fleet table: instance, state badge, store, model and live figures. Rows keep their
// identity across refreshes (same URLs: dataChanged, not a reset), so a selection stays.
class FleetTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        InstanceColumn,
        StateColumn,
        StoreColumn,
        ModelColumn,
        StreamColumn,
        RequestsColumn,
        P99Column,
        CtrColumn,
        HitRateColumn,
        LastSeenColumn,
        ErrorColumn,
        ColumnCount
    };
    // A reader this many seconds behind the stream, or this many events not yet appended,
    // is flagged as lagging.
    static constexpr double kLaggingSeconds = 5.0;
    static constexpr double kLaggingEvents = 1000.0;
    static bool streamLagging(const InstanceState& state);
    static QString streamText(const InstanceState& state);

    // The badge colour of the state column (a QColor).
    static constexpr int BadgeColorRole = Qt::UserRole + 1;
    // The instance's URL (a QUrl), and whether it is the console itself (bool).
    static constexpr int UrlRole = Qt::UserRole + 2;
    static constexpr int LocalRole = Qt::UserRole + 3;

    explicit FleetTableModel(QObject* parent = nullptr);

    void setRows(const QList<FleetRow>& rows);
    const QList<FleetRow>& rows() const { return m_rows; }
    // The row showing `url`, or -1.
    int rowOf(const QUrl& url) const;

    // "Ready", "Degraded", "Unreachable", "Checking…" and the badge colour for it.
    static QString stateText(const InstanceState& state);
    static QColor stateColor(const InstanceState& state);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant display(const FleetRow& row, int column) const;
    QVariant toolTip(const FleetRow& row, int column) const;

    QList<FleetRow> m_rows;
};

}  // namespace recdeck::ui

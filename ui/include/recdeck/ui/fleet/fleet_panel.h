#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace recdeck::ui {

class ChartCard;
class EngineHost;
class FleetMonitor;
class FleetTableModel;
class LocalEngineProbe;

// Fleet: the recdeckd instances this console watches (added by URL, polled by
// FleetMonitor) beside the console's own engine: state badges, store, model and live
// figures in a table, and requests/s per instance in a chart. It says whether the
// instances share the console's store, since only then do experiments and cache
// invalidations made in the console reach them.
class FleetPanel : public QWidget {
    Q_OBJECT
public:
    explicit FleetPanel(EngineHost& host, FleetMonitor& fleet, QWidget* parent = nullptr);

    // Adds the URL typed in the address field (as the Add button does); false with the
    // reason shown under the field when it is not a valid, new address.
    bool addFromField();
    // Removes the selected instance, after asking when `confirm` is set.
    void removeSelected(bool confirm = true);

private:
    void refresh();
    void updateSharingNote();
    void updateButtons();

    EngineHost& m_host;
    FleetMonitor& m_fleet;
    LocalEngineProbe* m_local;
    FleetTableModel* m_model;
    QLineEdit* m_address;
    QPushButton* m_add;
    QPushButton* m_remove;
    QLabel* m_addError;
    QLabel* m_sharing;
    QLabel* m_emptyHint;
    QTableView* m_table;
    ChartCard* m_chart;
};

}  // namespace recdeck::ui

#pragma once

#include <QMainWindow>
#include <QStringList>

class QAction;
class QLabel;
class QListWidget;
class QProgressBar;
class QSpinBox;
class QStackedWidget;

#include "recdeck/ui/shell/help_dialog.h"

namespace recdeck::ui {

class EngineHost;
class FleetMonitor;
class LiveFeed;
struct LiveSnapshot;

// The console's main window: a navigation list on the left, the panels in a stack, a
// toolbar for the traffic simulator and a status bar with the backend, the default model
// and the simulator. It only composes: every panel owns its behaviour.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(EngineHost& host, LiveFeed& feed, FleetMonitor& fleet, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Panel ids in navigation order: "dashboard", "experiments", "inspector", "cache",
    // "models", "connection", "fleet".
    QStringList panelIds() const { return m_ids; }
    QWidget* panel(const QString& id) const;
    void showPanel(const QString& id);
    QString currentPanel() const;
    // Opens the help window on a topic (Help menu).
    void showHelp(HelpTopic topic);
    HelpDialog* helpDialog() const { return m_help; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void addPanel(const QString& id, const QString& title, QWidget* widget);
    void createToolBar();
    void createMenus();
    void createStatusBar();
    void restoreLayout();
    void onSnapshot(const LiveSnapshot& snapshot);
    void updateSimulatorControls();
    void updateDataLabel();

    EngineHost& m_host;
    LiveFeed& m_feed;
    QListWidget* m_navigation;
    QStackedWidget* m_stack;
    QStringList m_ids;
    QList<QWidget*> m_panels;  // in navigation order (each inside its scroll area)
    QStringList m_menuTitles;  // with their mnemonics
    HelpDialog* m_help = nullptr;
    QAction* m_simulatorAction = nullptr;
    QSpinBox* m_rate = nullptr;
    QLabel* m_backend = nullptr;
    QLabel* m_data = nullptr;
    QLabel* m_model = nullptr;
    QLabel* m_simulator = nullptr;
    QProgressBar* m_progress = nullptr;
};

}  // namespace recdeck::ui

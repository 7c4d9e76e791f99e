#pragma once

#include <QMainWindow>

#include <memory>

#include "recdeck/data/dataset.h"

class QLabel;
class QListWidget;
class QStackedWidget;

namespace recdeck::ui {

class DataPanel;

// The console's main window: a navigation list on the left, the panels in a stack, a
// toolbar and a status bar. It only composes panels; each panel owns its behaviour.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Panel ids in navigation order: "dashboard", "experiments", ...
    QStringList panelIds() const;
    QWidget* panel(const QString& id) const;
    void showPanel(const QString& id);
    DataPanel* dataPanel() const { return m_dataPanel; }

    void setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& sourceDescription);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void addPanel(const QString& id, const QString& title, QWidget* widget);
    void createMenus();
    void restoreLayout();

    QListWidget* m_navigation;
    QStackedWidget* m_stack;
    DataPanel* m_dataPanel;
    QLabel* m_backendLabel;
    QLabel* m_datasetLabel;
    QStringList m_ids;
};

}  // namespace recdeck::ui

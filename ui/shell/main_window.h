#pragma once

#include <QMainWindow>

namespace recdeck::ui {

// The console's main window: composes the panels, the toolbar and the status bar.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace recdeck::ui

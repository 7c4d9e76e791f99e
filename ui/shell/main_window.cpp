#include "shell/main_window.h"

#include <QLabel>

namespace recdeck::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(QStringLiteral("RecDeck"));
    setCentralWidget(new QLabel(QStringLiteral("RecDeck"), this));
}

}  // namespace recdeck::ui

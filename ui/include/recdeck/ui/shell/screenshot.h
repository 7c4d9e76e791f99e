#pragma once

#include <QString>
#include <QStringList>

namespace recdeck::ui {

class MainWindow;

// Renders every panel of the window to <dir>/<panel id>.png. Returns the files written,
// or an empty list and sets error.
QStringList renderPanels(MainWindow& window, const QString& dir, QString* error);

}  // namespace recdeck::ui

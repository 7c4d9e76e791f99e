#include "shell/screenshot.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QThread>

#include "shell/main_window.h"

namespace recdeck::ui {

QStringList renderPanels(MainWindow& window, const QString& dir, QString* error) {
    if (!QDir().mkpath(dir)) {
        if (error) *error = QStringLiteral("cannot create %1").arg(dir);
        return {};
    }
    QStringList written;
    for (const QString& id : window.panelIds()) {
        window.showPanel(id);
        // Let the panel lay out and finish what it shows on becoming visible.
        for (int i = 0; i < 5; ++i) {
            QApplication::processEvents();
            QThread::msleep(40);
        }
        QApplication::processEvents();
        const QString path = QDir(dir).filePath(id + QStringLiteral(".png"));
        if (!window.grab().save(path)) {
            if (error) *error = QStringLiteral("cannot write %1").arg(path);
            return {};
        }
        written << path;
    }
    return written;
}

}  // namespace recdeck::ui

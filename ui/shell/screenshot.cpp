#include "recdeck/ui/shell/screenshot.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QThread>

#include <cstdio>
#include <functional>

#include "recdeck/ui/shell/main_window.h"

namespace recdeck::ui {

namespace {

// Layout debugging (RECDECK_LAYOUT_DEBUG=1): the widgets that ask for more width than the
// panel's scroll area shows, innermost last, so the culprit of a horizontal scroll bar is
// at the end of the list.
void reportWideWidgets(const QString& id, QWidget* panel) {
    if (!panel || !panel->parentWidget()) return;
    const int available = panel->parentWidget()->width();
    std::fprintf(stderr, "%s: panel needs %d, has %d\n", qPrintable(id), panel->minimumSizeHint().width(), available);
    std::function<void(QWidget*, int)> walk = [&](QWidget* w, int depth) {
        for (QObject* child : w->children()) {
            auto* c = qobject_cast<QWidget*>(child);
            if (!c || !c->isVisibleTo(panel)) continue;
            const int needed = std::max(c->minimumSizeHint().width(), c->minimumWidth());
            if (needed > available - 40) {
                std::fprintf(stderr, "%*s%s#%s needs %d\n", depth * 2, "", c->metaObject()->className(),
                             qPrintable(c->objectName()), needed);
                walk(c, depth + 1);
            }
        }
    };
    walk(panel, 1);
}

}  // namespace

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
        if (qEnvironmentVariableIsSet("RECDECK_LAYOUT_DEBUG")) reportWideWidgets(id, window.panel(id));
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

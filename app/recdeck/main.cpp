// recdeck: the desktop console.

#include <QApplication>

#include "recdeck/common/version.h"
#include "shell/main_window.h"

int main(int argc, char* argv[]) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("RecDeck"));
    QApplication::setApplicationVersion(QString::fromLatin1(recdeck::kVersion));
    recdeck::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}

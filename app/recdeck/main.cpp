// recdeck: the desktop console.

#include <QApplication>
#include <QCommandLineParser>
#include <QFutureWatcher>
#include <QTimer>
#include <QtConcurrent>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "recdeck/common/version.h"
#include "recdeck/data/synthetic_world.h"
#include "shell/main_window.h"
#include "shell/screenshot.h"

namespace {

bool hasDisplay() {
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
    if (!platform.isEmpty()) return true;  // the user chose a platform (offscreen, xcb, ...)
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
#else
    return true;
#endif
}

bool wantsScreenshot(int argc, char* argv[]) {
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--screenshot") == 0 || qstrncmp(argv[i], "--screenshot=", 13) == 0) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char* argv[]) {
    if (!hasDisplay()) {
        if (wantsScreenshot(argc, argv)) {
            qputenv("QT_QPA_PLATFORM", "offscreen");  // screenshots need no screen
        } else {
            std::fprintf(stderr,
                         "recdeck: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                         "  To run the console without a screen:  xvfb-run -a recdeck\n"
                         "  To render every panel to PNG files:   recdeck --screenshot DIR\n"
                         "  For the headless service:             recdeckd serve --help\n");
            return 1;
        }
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("RecDeck"));
    QApplication::setOrganizationName(QStringLiteral("RecDeck"));
    QApplication::setApplicationVersion(QString::fromLatin1(recdeck::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("RecDeck console: operate and experiment with recommendations."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Run the demo briefly, render every panel to DIR/<panel>.png, exit."),
                                        QStringLiteral("DIR"));
    parser.addOption(screenshot);
    parser.process(app);

    recdeck::ui::MainWindow window;
    window.show();

    auto* watcher = new QFutureWatcher<std::shared_ptr<const recdeck::data::Dataset>>(&window);
    QObject::connect(watcher, &QFutureWatcherBase::finished, &window, [&window, watcher] {
        window.setDataset(watcher->result(), QObject::tr("Demo world"));
    });
    watcher->setFuture(QtConcurrent::run([] {
        auto world = std::make_shared<recdeck::data::SyntheticWorld>();
        return std::shared_ptr<const recdeck::data::Dataset>(world, &world->dataset());
    }));

    if (parser.isSet(screenshot)) {
        const QString dir = parser.value(screenshot);
        QObject::connect(watcher, &QFutureWatcherBase::finished, &window, [&window, dir] {
            QTimer::singleShot(1500, &window, [&window, dir] {
                QString error;
                const QStringList files = recdeck::ui::renderPanels(window, dir, &error);
                if (files.isEmpty()) {
                    std::fprintf(stderr, "recdeck: %s\n", qPrintable(error));
                    QApplication::exit(1);
                    return;
                }
                for (const QString& file : files) std::printf("%s\n", qPrintable(file));
                QApplication::exit(0);
            });
        });
    }
    return QApplication::exec();
}

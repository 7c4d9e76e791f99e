// recdeck: the desktop console.

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>
#include <cstdio>

#include "recdeck/common/version.h"
#include "recdeck/store/redis_url.h"
#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/adapters/fleet_monitor.h"
#include "recdeck/ui/adapters/live_feed.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/shell/main_window.h"
#include "recdeck/ui/shell/screenshot.h"

namespace {

bool hasDisplay() {
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    if (!qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) return true;  // offscreen, xcb, ... chosen by the user
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
#else
    return true;
#endif
}

// Screenshots, --help and --version need no screen: they run on the offscreen platform.
bool needsNoScreen(int argc, char* argv[]) {
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--screenshot") == 0 || qstrncmp(argv[i], "--screenshot=", 13) == 0) return true;
        for (const char* flag : {"--help", "-h", "--help-all", "--version", "-v"}) {
            if (qstrcmp(argv[i], flag) == 0) return true;
        }
    }
    return false;
}

QString defaultDataDir() {
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base.isEmpty() ? QDir::homePath() : base).filePath(QStringLiteral("recdeck/console"));
}

}  // namespace

int main(int argc, char* argv[]) {
    if (!hasDisplay()) {
        if (needsNoScreen(argc, argv)) {
            qputenv("QT_QPA_PLATFORM", "offscreen");
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
    QApplication::setDesktopFileName(QStringLiteral("recdeck"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/recdeck.png")));
    recdeck::ui::theme::apply(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("RecDeck console: operate and experiment with recommendations."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Run the demo for a few seconds, render every panel to DIR/<panel>.png, exit."),
        QStringLiteral("DIR"));
    const QCommandLineOption seconds(QStringLiteral("screenshot-delay"),
                                     QStringLiteral("Seconds of demo traffic before the screenshots (default 8)."),
                                     QStringLiteral("SECONDS"), QStringLiteral("8"));
    const QCommandLineOption size(QStringLiteral("screenshot-size"),
                                  QStringLiteral("Window size of the screenshots, WIDTHxHEIGHT (default 1440x900)."),
                                  QStringLiteral("SIZE"), QStringLiteral("1440x900"));
    const QCommandLineOption data(QStringLiteral("data"),
                                  QStringLiteral("Data folder (default: %1).").arg(defaultDataDir()),
                                  QStringLiteral("DIR"));
    const QCommandLineOption redis(QStringLiteral("redis"),
                                   QStringLiteral("Use Redis as the backend: redis://host:port/db (the password from "
                                                  "RECDECK_REDIS_PASSWORD or --redis-password-file)."),
                                   QStringLiteral("URL"));
    const QCommandLineOption redisPasswordFile(
        QStringLiteral("redis-password-file"),
        QStringLiteral("File holding the Redis password (first line; readable by its owner only)."),
        QStringLiteral("FILE"));
    const QCommandLineOption dataset(
        QStringLiteral("dataset"), QStringLiteral("Interactions file to import and serve."), QStringLiteral("RATINGS"));
    const QCommandLineOption items(QStringLiteral("items"),
                                   QStringLiteral("Items file (titles, categories) for --dataset."),
                                   QStringLiteral("ITEMS"));
    parser.addOptions({screenshot, seconds, size, data, redis, redisPasswordFile, dataset, items});
    parser.process(app);

    QSettings settings;
    recdeck::serving::EngineConfig config;
    const bool screenshotMode = parser.isSet(screenshot);
    // Screenshots always show the fresh demo, independent of this user's settings.
    const QString dataDir =
        parser.isSet(data) ? parser.value(data)
        : screenshotMode
            ? QDir(QDir::tempPath())
                  .filePath(QStringLiteral("recdeck-screenshot-%1").arg(QCoreApplication::applicationPid()))
            : settings.value(QStringLiteral("backend/data"), defaultDataDir()).toString();
    config.dataDir = dataDir.toStdString();
    if (parser.isSet(redis) || parser.isSet(redisPasswordFile)) {
        // A password typed on the command line would show in every process listing.
        auto store = recdeck::store::RedisUrl::commandLineStore(
            parser.isSet(redis) ? parser.value(redis).toStdString() : std::string(),
            parser.value(redisPasswordFile).toStdString());
        if (!store) {
            std::fprintf(stderr, "recdeck: %s\n", store.errorMessage().c_str());
            return 2;
        }
        config.store = std::move(*store);
    } else {
        config.store =
            screenshotMode
                ? std::string("embedded")
                : settings.value(QStringLiteral("backend/store"), QStringLiteral("embedded")).toString().toStdString();
    }
    if (parser.isSet(dataset)) {
        recdeck::serving::DatasetSource source;
        source.interactions = parser.value(dataset).toStdString();
        if (parser.isSet(items)) source.items = parser.value(items).toStdString();
        config.dataset = source;
    }

    recdeck::ui::EngineHost host;
    host.setSimulatorRate(screenshotMode ? 120.0 : settings.value(QStringLiteral("traffic/rate"), 50.0).toDouble());
    recdeck::ui::LiveFeed feed(host);
    recdeck::ui::FleetMonitor fleet;
    recdeck::ui::MainWindow window(host, feed, fleet);
    window.show();

    const bool autostart = screenshotMode || settings.value(QStringLiteral("traffic/autostart"), true).toBool();
    QObject::connect(&host, &recdeck::ui::EngineHost::opened, &window, [&host, &feed, autostart] {
        feed.start();
        feed.refresh();
        if (autostart) host.startSimulator();
    });

    if (screenshotMode) {
        const QString dir = parser.value(screenshot);
        const int delayMs = std::max(1, parser.value(seconds).toInt()) * 1000;
        const QStringList dimensions = parser.value(size).split(QLatin1Char('x'));
        const int width = dimensions.value(0).toInt();
        const int height = dimensions.value(1).toInt();
        if (dimensions.size() != 2 || width <= 0 || height <= 0) {
            std::fprintf(stderr, "recdeck: --screenshot-size: expected WIDTHxHEIGHT, got %s\n",
                         qPrintable(parser.value(size)));
            return 2;
        }
        window.resize(std::max(width, window.minimumWidth()), std::max(height, window.minimumHeight()));
        QObject::connect(&host, &recdeck::ui::EngineHost::openFailed, &app, [](const QString& message) {
            std::fprintf(stderr, "recdeck: %s\n", qPrintable(message));
            QApplication::exit(1);
        });
        QObject::connect(&host, &recdeck::ui::EngineHost::opened, &window, [&window, &host, dir, delayMs, dataDir] {
            QTimer::singleShot(delayMs, &window, [&window, &host, dir, dataDir] {
                QString error;
                const QStringList files = recdeck::ui::renderPanels(window, dir, &error);
                host.stopSimulator();
                if (files.isEmpty()) {
                    std::fprintf(stderr, "recdeck: %s\n", qPrintable(error));
                    QApplication::exit(1);
                    return;
                }
                for (const QString& file : files) std::printf("%s\n", qPrintable(file));
                std::fflush(stdout);
                QApplication::exit(0);
            });
        });
    }

    host.open(config);
    const int status = QApplication::exec();
    feed.stop();
    host.stopSimulator();
    if (screenshotMode && !parser.isSet(data)) QDir(dataDir).removeRecursively();
    return status;
}

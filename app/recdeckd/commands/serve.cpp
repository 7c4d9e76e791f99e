// recdeckd serve: the recommendation service over HTTP.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <csignal>
#include <cstdio>

#include "cli.h"
#include "commands/commands.h"
#include "experiment_routes.h"
#include "http_server.h"
#include "recdeck/serving/engine.h"
#include "service_options.h"

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#endif

namespace recdeckd {

namespace {

#if defined(Q_OS_UNIX)
int g_signalPipe[2] = {-1, -1};
void onSignal(int) {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}
// SIGINT / SIGTERM end the event loop, so the event log is flushed and closed cleanly.
void quitOnSignals(QCoreApplication& app) {
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0) return;
    auto* notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
}
#elif defined(Q_OS_WIN)
// Ctrl+C / Ctrl+Break in the console end the event loop, so the event log is flushed and
// closed cleanly. The system calls this on a thread of its own: post the quit to the
// application's thread. Closing the console, logoff and shutdown keep the default (the
// process ends), like the signals not handled on POSIX.
BOOL WINAPI onConsoleControl(DWORD type) {
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT) return FALSE;
    if (QCoreApplication* app = QCoreApplication::instance())
        QMetaObject::invokeMethod(app, [] { QCoreApplication::quit(); }, Qt::QueuedConnection);
    return TRUE;
}
void quitOnSignals(QCoreApplication&) { ::SetConsoleCtrlHandler(onConsoleControl, TRUE); }
#else
void quitOnSignals(QCoreApplication&) {}
#endif

}  // namespace

int runServe(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
                                  QStringLiteral("ADDRESS"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port to listen on (default 8000; 0 = any free)."),
                                  QStringLiteral("PORT"), QStringLiteral("8000"));
    const QCommandLineOption token(QStringLiteral("admin-token-file"),
                                   QStringLiteral("File holding the bearer token admin routes require."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption threads(QStringLiteral("threads"),
                                     QStringLiteral("HTTP event loops (default: one per core)."), QStringLiteral("N"),
                                     QStringLiteral("0"));
    parser.addOptions({host, port, token, threads});
    ServiceOptions service;
    service.addTo(parser);
    int exitCode = kExitOk;
    if (!parseOrExit(parser, arguments, QStringLiteral("Serve recommendations, events and metrics over HTTP."), exitCode)) {
        return exitCode;
    }

    QString hostText = parser.value(host);
    if (hostText == QLatin1String("localhost")) hostText = QStringLiteral("127.0.0.1");
    const QHostAddress address(hostText);
    if (address.isNull()) return badInput(QStringLiteral("--host: '%1' is not an IP address").arg(hostText));
    bool portOk = false;
    const uint portValue = parser.value(port).toUInt(&portOk);
    if (!portOk || portValue > 65535) return badInput(QStringLiteral("--port: '%1' is not a port number").arg(parser.value(port)));
    bool threadsOk = false;
    const int threadCount = parser.value(threads).toInt(&threadsOk);
    if (!threadsOk || threadCount < 0 || threadCount > 64) return badInput(QStringLiteral("--threads: expected 0 to 64"));

    recdeck::http::ApiOptions apiOptions;
    if (parser.isSet(token)) {
        QFile file(parser.value(token));
        if (!file.open(QIODevice::ReadOnly)) {
            return badInput(QStringLiteral("--admin-token-file: cannot read %1: %2").arg(file.fileName(), file.errorString()));
        }
        apiOptions.adminToken = file.readAll().trimmed();
        if (apiOptions.adminToken.isEmpty()) return badInput(QStringLiteral("--admin-token-file: %1 is empty").arg(file.fileName()));
    }
    if (!address.isLoopback() && apiOptions.adminToken.isEmpty()) {
        return badInput(QStringLiteral("refusing to listen on %1 without an admin token: anyone on the network could "
                                       "invalidate caches and change experiments. Pass --admin-token-file FILE, or "
                                       "listen on 127.0.0.1.")
                            .arg(hostText));
    }

    auto config = service.engineConfig(parser);
    if (!config) return badInput(config.errorMessage());
    auto engine = openEngineWithProgress(std::move(*config));
    if (!engine) return engine.exitCode;

    recdeck::http::Api api(*engine.engine, apiOptions);
    recdeck::http::installExperimentRoutes(api, *engine.engine);
    auto& monitor = engine.engine->monitor();
    api.setMetricsText([&monitor] { return monitor.prometheusText(); });
    // Answers the service gave are recorded by the engine; requests refused before it
    // (bad parameters, unavailable) are recorded here.
    api.setRequestObserver([&monitor](const recdeck::http::HttpRequest& request, int status, double latencyUs,
                                      const recdeck::serving::Recommendation* served) {
        if (served || request.segments.value(0) != QLatin1String("recommendations")) return;
        recdeck::metrics::RequestSample sample;
        sample.latencyUs = latencyUs;
        sample.outcome = status >= 500 ? recdeck::metrics::Outcome::ServerError : recdeck::metrics::Outcome::ClientError;
        monitor.recordRequest(sample);
    });
    recdeck::http::HttpServer server(api);
    auto bound = server.listen(address, static_cast<quint16>(portValue), threadCount);
    if (!bound) return failure(QString::fromStdString(bound.errorMessage()));

    const auto entry = engine.engine->registry().defaultEntry();
    std::fprintf(stderr, "recdeckd: serving on http://%s:%u (%s store; %s; model %s v%llu; %d threads)\n",
                 qPrintable(address.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]").arg(hostText) : hostText),
                 static_cast<unsigned>(*bound), engine.engine->store()->describe().c_str(),
                 engine.engine->dataInfo().description.c_str(), entry ? entry->name.c_str() : "none",
                 static_cast<unsigned long long>(entry ? entry->version : 0), server.threadCount());
    std::fflush(stderr);
    quitOnSignals(*QCoreApplication::instance());
    const int status = QCoreApplication::exec();
    server.stop();
    std::fprintf(stderr, "recdeckd: stopped\n");
    return status;
}

}  // namespace recdeckd

// recdeckd serve: the recommendation service over HTTP.

#include <QCommandLineParser>
#include <QCoreApplication>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <mutex>

#include "cli.h"
#include "commands/commands.h"
#include "recdeck/http/experiment_routes.h"
#include "recdeck/http/http_server.h"
#include "recdeck/http/model_routes.h"
#include "recdeck/http/request_policy.h"
#include "recdeck/serving/engine.h"
#include "service_options.h"

#if !defined(_WIN32)
#include <sys/resource.h>
#endif

namespace recdeckd {

namespace {

// Connections are descriptors: raise the soft limit to the hard one (at most 65,536) so the
// connection cap, not the default 1,024 descriptors, is what bounds them.
void raiseDescriptorLimit() {
#if !defined(_WIN32)
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? 65536 : std::min<rlim_t>(limit.rlim_max, 65536);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        limit.rlim_cur = wanted;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
#endif
}

// The server's counters as Prometheus families in the engine's registry, brought up to date
// before every scrape.
class ServerMetrics {
public:
    ServerMetrics(prometheus::Registry& registry, const recdeck::http::HttpServer& server)
        : m_server(server),
          m_open(prometheus::BuildGauge()
                     .Name("recdeck_http_connections")
                     .Help("Open HTTP connections")
                     .Register(registry)
                     .Add({})),
          m_connections(prometheus::BuildCounter()
                            .Name("recdeck_http_connections_total")
                            .Help("HTTP connections by what became of them: accepted, refused (503 at the "
                                  "connection limit), evicted (closed to make room at the limit), timed_out")
                            .Register(registry)),
          m_refusals(prometheus::BuildCounter()
                         .Name("recdeck_http_refused_requests_total")
                         .Help("Requests refused by the HTTP layer: malformed (4xx from the parser, connection "
                               "closed) or busy (503: worker queue full or a memory budget spent)")
                         .Register(registry)),
          m_accepted(m_connections.Add({{"outcome", "accepted"}})),
          m_refused(m_connections.Add({{"outcome", "refused"}})),
          m_evicted(m_connections.Add({{"outcome", "evicted"}})),
          m_timedOut(m_connections.Add({{"outcome", "timed_out"}})),
          m_malformed(m_refusals.Add({{"reason", "malformed"}})),
          m_busy(m_refusals.Add({{"reason", "busy"}})) {}

    void update() {
        const auto stats = m_server.stats();
        std::lock_guard lock(m_mutex);
        m_open.Set(static_cast<double>(stats.openConnections));
        advance(m_accepted, stats.acceptedConnections, m_last.acceptedConnections);
        advance(m_refused, stats.refusedConnections, m_last.refusedConnections);
        advance(m_evicted, stats.evictedConnections, m_last.evictedConnections);
        advance(m_timedOut, stats.timedOutConnections, m_last.timedOutConnections);
        advance(m_malformed, stats.malformedRequests, m_last.malformedRequests);
        advance(m_busy, stats.busyAnswers, m_last.busyAnswers);
    }

private:
    static void advance(prometheus::Counter& counter, std::uint64_t now, std::uint64_t& last) {
        if (now > last) counter.Increment(static_cast<double>(now - last));
        last = now;
    }

    const recdeck::http::HttpServer& m_server;
    std::mutex m_mutex;
    recdeck::http::ServerStats m_last;
    prometheus::Gauge& m_open;
    prometheus::Family<prometheus::Counter>& m_connections;
    prometheus::Family<prometheus::Counter>& m_refusals;
    prometheus::Counter& m_accepted;
    prometheus::Counter& m_refused;
    prometheus::Counter& m_evicted;
    prometheus::Counter& m_timedOut;
    prometheus::Counter& m_malformed;
    prometheus::Counter& m_busy;
};

// An integer option within [low, high].
bool intOption(const QCommandLineParser& parser, const QCommandLineOption& option, int low, int high, int& out) {
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok || value < low || value > high) return false;
    out = value;
    return true;
}

}  // namespace

int runServe(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
                                  QStringLiteral("ADDRESS"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("Port to listen on (default 8000; 0 = any free)."),
                                  QStringLiteral("PORT"), QStringLiteral("8000"));
    const QCommandLineOption token(QStringLiteral("admin-token-file"),
                                   QStringLiteral("File holding the bearer token admin routes and GET /users/{id} "
                                                  "require (at least 16 bytes; readable by its owner only)."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption threads(QStringLiteral("threads"),
                                     QStringLiteral("HTTP event loops (default: one per core)."), QStringLiteral("N"),
                                     QStringLiteral("0"));
    const QCommandLineOption workers(QStringLiteral("workers"),
                                     QStringLiteral("Threads for requests that wait on the disk or Redis (events, "
                                                    "users, admin, experiments; default 4)."),
                                     QStringLiteral("N"), QStringLiteral("4"));
    const QCommandLineOption idle(QStringLiteral("idle-timeout"),
                                  QStringLiteral("Seconds a connection may take to send a request's header, idle "
                                                 "keep-alive included (1-30, default 15)."),
                                  QStringLiteral("SECONDS"), QStringLiteral("15"));
    const QCommandLineOption connections(QStringLiteral("max-connections"),
                                         QStringLiteral("Open connections at most (16-65536, default 1024; also "
                                                        "bounded by the descriptor limit)."),
                                         QStringLiteral("N"), QStringLiteral("1024"));
    parser.addOptions({host, port, token, threads, workers, idle, connections});
    ServiceOptions service;
    service.addTo(parser);
    int exitCode = kExitOk;
    if (!parseOrExit(parser, arguments, QStringLiteral("Serve recommendations, events and metrics over HTTP."),
                     exitCode)) {
        return exitCode;
    }

    std::string hostText = parser.value(host).toStdString();
    if (hostText == "localhost") hostText = "127.0.0.1";
    boost::system::error_code addressError;
    const auto address = boost::asio::ip::make_address(hostText, addressError);
    if (addressError) return badInput("--host: '" + hostText + "' is not an IP address");
    bool portOk = false;
    const uint portValue = parser.value(port).toUInt(&portOk);
    if (!portOk || portValue > 65535)
        return badInput(QStringLiteral("--port: '%1' is not a port number").arg(parser.value(port)));
    int threadCount = 0;
    if (!intOption(parser, threads, 0, 64, threadCount)) return badInput(QStringLiteral("--threads: expected 0 to 64"));
    recdeck::http::ServerOptions serverOptions;
    if (!intOption(parser, workers, 1, 64, serverOptions.workerThreads))
        return badInput(QStringLiteral("--workers: expected 1 to 64"));
    int idleSeconds = 0;
    if (!intOption(parser, idle, 1, 30, idleSeconds))
        return badInput(QStringLiteral("--idle-timeout: expected 1 to 30 seconds"));
    serverOptions.headerTimeout = std::chrono::seconds(idleSeconds);
    int maxConnections = 0;
    if (!intOption(parser, connections, 16, 65536, maxConnections)) {
        return badInput(QStringLiteral("--max-connections: expected 16 to 65536"));
    }
    serverOptions.maxConnections = static_cast<std::size_t>(maxConnections);

    recdeck::http::ApiOptions apiOptions;
    apiOptions.loopbackOnly = address.is_loopback();
    if (parser.isSet(token)) {
        auto loaded = recdeck::http::loadAdminToken(parser.value(token).toStdString());
        if (!loaded) return badInput(loaded.errorMessage());
        apiOptions.adminToken = std::move(*loaded);
    }
    if (!address.is_loopback() && apiOptions.adminToken.empty()) {
        return badInput("refusing to listen on " + hostText +
                        " without an admin token: anyone on the network could invalidate caches, change "
                        "experiments and read users' histories. Pass --admin-token-file FILE, or listen on "
                        "127.0.0.1.");
    }

    auto config = service.engineConfig(parser);
    if (!config) return badInput(config.errorMessage());
    auto engine = openEngineWithProgress(std::move(*config));
    if (!engine) return engine.exitCode;

    recdeck::http::Api api(*engine.engine, apiOptions);
    recdeck::http::installExperimentRoutes(api, *engine.engine);
    recdeck::http::installModelRoutes(api, *engine.engine);
    auto& monitor = engine.engine->monitor();
    // Answers the service gave are recorded by the engine; recommendation requests refused
    // before it (bad parameters, unavailable) are recorded here.
    api.setRequestObserver([&monitor](const recdeck::http::HttpRequest& request, int status, double latencyUs) {
        if (status == 200 || request.segments.size() != 1 || request.segments[0] != "recommendations") return;
        recdeck::monitoring::RequestSample sample;
        sample.latencyUs = latencyUs;
        sample.outcome =
            status >= 500 ? recdeck::monitoring::Outcome::ServerError : recdeck::monitoring::Outcome::ClientError;
        monitor.recordRequest(sample);
    });
    raiseDescriptorLimit();
#if defined(SIGPIPE)
    // A client that hangs up mid-answer is an error on that connection, not a signal that
    // ends the process.
    std::signal(SIGPIPE, SIG_IGN);
#endif
    recdeck::http::HttpServer server(api, serverOptions);
    ServerMetrics serverMetrics(*monitor.registry(), server);
    api.setMetricsText([&monitor, &serverMetrics] {
        serverMetrics.update();
        return monitor.prometheusText();
    });
    auto bound = server.listen(hostText, static_cast<std::uint16_t>(portValue), threadCount);
    if (!bound) return failure(QString::fromStdString(bound.errorMessage()));

    // SIGINT / SIGTERM (Ctrl+C / Ctrl+Break on Windows) stop the server, so the event log
    // is flushed and closed cleanly.
    boost::asio::io_context signalLoop;
    boost::asio::signal_set stopSignals(signalLoop, SIGINT, SIGTERM);
#if defined(SIGBREAK)
    stopSignals.add(SIGBREAK);
#endif
    stopSignals.async_wait([](const boost::system::error_code&, int) {});

    const auto entry = engine.engine->registry().defaultEntry();
    std::fprintf(stderr,
                 "recdeckd: serving on http://%s:%u (%s store; %s; model %s v%llu; %d threads, %zu connections at "
                 "most)\n",
                 (address.is_v6() ? "[" + hostText + "]" : hostText).c_str(), static_cast<unsigned>(*bound),
                 engine.engine->store()->describe().c_str(), engine.engine->dataInfo().description.c_str(),
                 entry ? entry->name.c_str() : "none", static_cast<unsigned long long>(entry ? entry->version : 0),
                 server.threadCount(), server.connectionLimit());
    std::fflush(stderr);
    signalLoop.run();  // returns once a stop signal arrived
    server.stop();
    std::fprintf(stderr, "recdeckd: stopped\n");
    return kExitOk;
}

}  // namespace recdeckd

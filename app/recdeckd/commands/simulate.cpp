// recdeckd simulate: simulated users request recommendations and click or buy according
// to their true preferences — against a running `recdeckd serve` (--target URL) or an
// Engine opened in this process (no --target). Progress on stderr every few seconds, a
// summary on stdout at the end (JSON with --json).

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "commands/commands.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/data/synthetic_world.h"
#include "recdeck/serving/model_choice.h"
#include "recdeck/sim/demo.h"
#include "recdeck/sim/engine_target.h"
#include "recdeck/sim/held_out_truth.h"
#include "recdeck/sim/traffic_simulator.h"
#include "recdeck/sim/world_truth.h"
#include "service_options.h"
#include "simulate/http_target.h"

namespace recdeckd {

namespace {

using nlohmann::json;
namespace sim = recdeck::sim;

volatile std::sig_atomic_t g_interrupted = 0;
void onInterrupt(int) {
    g_interrupted = 1;
}

// Restores the previous SIGINT / SIGTERM handlers on scope exit.
class InterruptGuard {
public:
    InterruptGuard() {
        g_interrupted = 0;
        m_int = std::signal(SIGINT, onInterrupt);
        m_term = std::signal(SIGTERM, onInterrupt);
    }
    ~InterruptGuard() {
        std::signal(SIGINT, m_int);
        std::signal(SIGTERM, m_term);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*m_int)(int) = nullptr;
    void (*m_term)(int) = nullptr;
};

struct Numbers {
    QStringList errors;

    template <typename T>
    T integer(const QCommandLineParser& parser, const QCommandLineOption& option, T low, T high) {
        bool ok = false;
        const qulonglong value = parser.value(option).toULongLong(&ok);
        if (!ok || value < static_cast<qulonglong>(low) || value > static_cast<qulonglong>(high)) {
            errors << QStringLiteral("--%1: expected an integer from %2 to %3, got '%4'")
                          .arg(option.names().constFirst())
                          .arg(static_cast<qulonglong>(low))
                          .arg(static_cast<qulonglong>(high))
                          .arg(parser.value(option));
            return low;
        }
        return static_cast<T>(value);
    }
    double real(const QCommandLineParser& parser, const QCommandLineOption& option, double low, double high) {
        bool ok = false;
        const double value = parser.value(option).toDouble(&ok);
        if (!ok || !(value >= low && value <= high)) {
            errors << QStringLiteral("--%1: expected a number from %2 to %3, got '%4'")
                          .arg(option.names().constFirst())
                          .arg(low)
                          .arg(high)
                          .arg(parser.value(option));
            return low;
        }
        return value;
    }
};

QString percent(double fraction) {
    return QString::number(100.0 * fraction, 'f', 2) + QLatin1Char('%');
}
QString millis(double us) {
    return QString::number(us / 1000.0, 'f', us < 10'000 ? 2 : 1) + QStringLiteral(" ms");
}
QString rateText(double rate) {
    return std::isfinite(rate) ? QString::number(rate, 'f', rate < 10 ? 2 : 1) + QStringLiteral("/s")
                               : QStringLiteral("max");
}

void printProgress(const sim::SimulatorStats& s) {
    std::fprintf(stderr,
                 "recdeckd: simulate %6.1f s: %llu requests (%s now, %s overall), %llu errors, CTR %s, "
                 "conversion %s, p50 %s, p99 %s\n",
                 s.elapsedSeconds, static_cast<unsigned long long>(s.requests), qPrintable(rateText(s.recentRate)),
                 qPrintable(rateText(s.achievedRate)), static_cast<unsigned long long>(s.errors),
                 qPrintable(percent(s.ctr())), qPrintable(percent(s.conversion())), qPrintable(millis(s.latencyP50Us)),
                 qPrintable(millis(s.latencyP99Us)));
    std::fflush(stderr);
}

json summaryJson(const sim::SimulatorStats& s, const std::string& target, const std::string& truth, bool interrupted) {
    json arms = json::object();
    for (const auto& [key, arm] : s.arms) {
        arms[key] = {{"requests", arm.requests},      {"impressions", arm.impressions}, {"clicks", arm.clicks},
                     {"add_to_cart", arm.addToCarts}, {"purchases", arm.purchases},     {"ctr", arm.ctr()},
                     {"conversion", arm.conversion()}};
    }
    return {{"target", target},
            {"truth", truth},
            {"requests", s.requests},
            {"errors", s.errors},
            {"errors_by_kind", s.errorsByKind},
            {"last_error", s.lastError.empty() ? json(nullptr) : json(s.lastError)},
            {"elapsed_s", s.elapsedSeconds},
            {"target_rps", std::isfinite(s.targetRate) ? json(s.targetRate) : json("max")},
            {"achieved_rps", s.achievedRate},
            {"impressions", s.impressions},
            {"clicks", s.clicks},
            {"add_to_cart", s.addToCarts},
            {"purchases", s.purchases},
            {"ctr", s.ctr()},
            {"conversion", s.conversion()},
            {"cached_answers", s.cachedAnswers},
            {"new_users", s.newcomerRequests},
            {"cold_start_answers", s.coldStartAnswers},
            {"latency_ms", {{"p50", s.latencyP50Us / 1000.0}, {"p99", s.latencyP99Us / 1000.0}}},
            {"events_sent", s.eventsSent},
            {"events_failed", s.eventsFailed},
            {"behind_schedule", s.behindSchedule},
            {"interrupted", interrupted},
            {"arms", std::move(arms)}};
}

void printSummary(const sim::SimulatorStats& s, const std::string& target, const std::string& truth) {
    auto line = [](const char* label, const QString& value) {
        std::fprintf(stdout, "%-13s %s\n", label, qPrintable(value));
    };
    line("target", QString::fromStdString(target));
    line("truth", QString::fromStdString(truth));
    // The rates count every attempt, answered or failed.
    const QString made = s.errors == 0 ? QString::number(s.requests)
                                       : QStringLiteral("%1 answered + %2 failed").arg(s.requests).arg(s.errors);
    line("requests", QStringLiteral("%1 in %2 s = %3 (target %4)")
                         .arg(made)
                         .arg(s.elapsedSeconds, 0, 'f', 1)
                         .arg(rateText(s.achievedRate), rateText(s.targetRate)));
    QString errors = QString::number(s.errors);
    for (const auto& [kind, count] : s.errorsByKind)
        errors += QStringLiteral("  %1: %2").arg(QString::fromStdString(kind)).arg(count);
    line("errors", errors);
    if (!s.lastError.empty()) line("last error", QString::fromStdString(s.lastError));
    line("shown",
         QStringLiteral("%1 items (%2 of answers from cache)")
             .arg(s.impressions)
             .arg(percent(s.requests ? static_cast<double>(s.cachedAnswers) / static_cast<double>(s.requests) : 0.0)));
    line("clicks", QStringLiteral("%1  CTR %2").arg(s.clicks).arg(percent(s.ctr())));
    line("add to cart", QString::number(s.addToCarts));
    line("purchases", QStringLiteral("%1  conversion %2 of clicks").arg(s.purchases).arg(percent(s.conversion())));
    line("new users", QStringLiteral("%1 first visits (%2 answers marked cold start)")
                          .arg(s.newcomerRequests)
                          .arg(s.coldStartAnswers));
    line("latency", QStringLiteral("p50 %1  p99 %2").arg(millis(s.latencyP50Us), millis(s.latencyP99Us)));
    line("events", QStringLiteral("%1 sent, %2 failed").arg(s.eventsSent).arg(s.eventsFailed));
    for (const auto& [key, arm] : s.arms) {
        line("arm", QStringLiteral("%1  %2 requests  CTR %3  conversion %4")
                        .arg(QString::fromStdString(key))
                        .arg(arm.requests)
                        .arg(percent(arm.ctr()), percent(arm.conversion())));
    }
    std::fflush(stdout);
}

}  // namespace

int runSimulate(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption target(
        QStringLiteral("target"),
        QStringLiteral("Base URL of a running recdeckd serve (http://HOST:PORT). Without it, "
                       "an engine is opened in this process."),
        QStringLiteral("URL"));
    const QCommandLineOption rps(
        QStringLiteral("rps"),
        QStringLiteral("Requests per second, or 'max' for as fast as answers come (default 10)."), QStringLiteral("N"),
        QStringLiteral("10"));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Seconds to run (default 10, or no limit with --requests)."),
                                      QStringLiteral("S"));
    const QCommandLineOption requests(QStringLiteral("requests"), QStringLiteral("Stop after this many requests."),
                                      QStringLiteral("N"));
    const QCommandLineOption users(QStringLiteral("users"),
                                   QStringLiteral("Returning users drawn from the truth (default 0 = all of them)."),
                                   QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption skew(QStringLiteral("activity-skew"),
                                  QStringLiteral("Zipf exponent of how often returning users come back (default 1; "
                                                 "0 = all alike)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption newUsers(QStringLiteral("new-users"),
                                      QStringLiteral("Fraction of requests from brand-new users (default 0.05)."),
                                      QStringLiteral("F"), QStringLiteral("0.05"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Seed of the simulated traffic (default 1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption listLength(QStringLiteral("n"),
                                        QStringLiteral("List length of every request (default 10)."),
                                        QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption threads(
        QStringLiteral("threads"), QStringLiteral("Concurrent simulated clients (default 2 in-process, 4 over HTTP)."),
        QStringLiteral("N"));
    const QCommandLineOption model(QStringLiteral("model"),
                                   QStringLiteral("Ask every request for this model (default: the service decides)."),
                                   QStringLiteral("NAME"));
    const QCommandLineOption worldUsers(QStringLiteral("world-users"),
                                        QStringLiteral("Users of the demo world the service serves (default 2000)."),
                                        QStringLiteral("N"), QString::number(recdeck::data::WorldConfig{}.users));
    const QCommandLineOption worldItems(QStringLiteral("world-items"),
                                        QStringLiteral("Items of the demo world (default 1500)."), QStringLiteral("N"),
                                        QString::number(recdeck::data::WorldConfig{}.items));
    const QCommandLineOption worldSeed(QStringLiteral("world-seed"),
                                       QStringLiteral("Seed of the demo world (default 42)."), QStringLiteral("S"),
                                       QString::number(recdeck::data::WorldConfig{}.seed));
    const QCommandLineOption testFraction(QStringLiteral("test-fraction"),
                                          QStringLiteral("With --dataset: share of each user's items held out as what "
                                                         "they like (default 0.25)."),
                                          QStringLiteral("F"), QStringLiteral("0.25"));
    const QCommandLineOption splitSeed(QStringLiteral("split-seed"),
                                       QStringLiteral("With --dataset: seed of the held-out split (default 1)."),
                                       QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption writeTrain(
        QStringLiteral("write-train"),
        QStringLiteral("With --dataset: write the train part as CSV, to serve it with "
                       "`recdeckd serve --dataset FILE` (--duration 0: write and exit)."),
        QStringLiteral("FILE"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("HTTP: milliseconds a call may take (default 5000)."),
                                     QStringLiteral("MS"), QStringLiteral("5000"));
    const QCommandLineOption progress(QStringLiteral("progress"),
                                      QStringLiteral("Seconds between progress lines on stderr (default 5; 0 = none)."),
                                      QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption asJson(QStringLiteral("json"), QStringLiteral("Print the summary as JSON."));
    parser.addOptions({target,       rps,        duration,   requests, users,      skew,       newUsers,
                       seed,         listLength, threads,    model,    worldUsers, worldItems, worldSeed,
                       testFraction, splitSeed,  writeTrain, timeout,  progress,   asJson});
    ServiceOptions service;
    service.addTo(parser);
    int exitCode = kExitOk;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Drive simulated user traffic: requests, clicks, add-to-cart and purchases drawn "
                                    "from the users' true preferences (the demo world's, or a dataset's held-out "
                                    "part with --dataset).\n\n"
                                    "In-process (no --target), --data defaults to a temporary folder and --models to "
                                    "popularity,default; with --dataset the engine trains on the train part only.\n"
                                    "With --target and --dataset, the service should serve the train part (see "
                                    "--write-train) with the same --test-fraction and --split-seed."),
                     exitCode)) {
        return exitCode;
    }

    // --- options ---
    Numbers numbers;
    sim::SimulatorConfig config;
    const QString rpsText = parser.value(rps).trimmed().toLower();
    config.rate = rpsText == QLatin1String("max") ? sim::kUnlimited : numbers.real(parser, rps, 0.0, 1e6);
    const bool hasDuration = parser.isSet(duration);
    const double seconds = hasDuration ? numbers.real(parser, duration, 0.0, 1e7) : 10.0;
    if (parser.isSet(requests))
        config.maxRequests = numbers.integer<std::uint64_t>(parser, requests, 1, 1'000'000'000'000ULL);
    config.users.population = numbers.integer<std::size_t>(parser, users, 0, 100'000'000);
    config.users.activitySkew = numbers.real(parser, skew, 0.0, 10.0);
    config.users.newUserFraction = numbers.real(parser, newUsers, 0.0, 1.0);
    config.users.newcomerReturnFraction = std::min(0.05, 1.0 - config.users.newUserFraction);
    config.seed = numbers.integer<std::uint64_t>(parser, seed, 0, ~0ULL);
    config.listLength = numbers.integer<std::size_t>(parser, listLength, 1, recdeck::serving::kMaxListLength);
    const bool http = parser.isSet(target);
    config.threads = parser.isSet(threads) ? numbers.integer<std::size_t>(parser, threads, 1, 64) : (http ? 4 : 2);
    recdeck::data::WorldConfig world;
    world.users = numbers.integer<std::size_t>(parser, worldUsers, 1, 10'000'000);
    world.items = numbers.integer<std::size_t>(parser, worldItems, 2, 10'000'000);
    world.seed = numbers.integer<std::uint64_t>(parser, worldSeed, 0, ~0ULL);
    const double fraction = numbers.real(parser, testFraction, 0.01, 0.99);
    const auto splitSeedValue = numbers.integer<std::uint64_t>(parser, splitSeed, 0, ~0ULL);
    const int timeoutMs = numbers.integer<int>(parser, timeout, 1, 600'000);
    const double progressSeconds = numbers.real(parser, progress, 0.0, 86'400.0);
    if (!numbers.errors.isEmpty()) return badInput(numbers.errors.constFirst());
    // Newcomer ids carry the seed and the start time, so a second run against the same
    // service meets brand-new users again.
    config.users.newcomerPrefix =
        "newcomer-" + std::to_string(config.seed) + "-" + std::to_string(recdeck::unixMillis() % 100'000'000) + "-";

    const bool fromDataset = parser.isSet(QStringLiteral("dataset"));
    if (!fromDataset) {
        for (const auto* option : {&testFraction, &splitSeed, &writeTrain}) {
            if (parser.isSet(*option))
                return badInput(QStringLiteral("--%1 needs --dataset").arg(option->names().constFirst()));
        }
    } else {
        for (const auto* option : {&worldUsers, &worldItems, &worldSeed}) {
            if (parser.isSet(*option)) {
                return badInput(QStringLiteral("--%1 describes the demo world; it cannot be combined with --dataset")
                                    .arg(option->names().constFirst()));
            }
        }
    }
    if (http) {
        for (const char* name : {"redis", "data", "models"}) {
            if (parser.isSet(QLatin1String(name))) {
                return badInput(QStringLiteral("--%1 configures an in-process engine; the --target service has its own")
                                    .arg(QLatin1String(name)));
            }
        }
    } else if (parser.isSet(timeout)) {
        return badInput(QStringLiteral("--timeout applies to --target only"));
    }
    auto engineConfig = service.engineConfig(parser);
    if (!engineConfig) return badInput(engineConfig.errorMessage());
    std::optional<HttpTargetOptions> httpOptions;
    if (http) {
        auto parsed = parseTargetUrl(parser.value(target));
        if (!parsed) return badInput(parsed.errorMessage());
        httpOptions = std::move(*parsed);
        httpOptions->model = parser.value(model).toStdString();
        httpOptions->timeoutMs = timeoutMs;
    }

    // --- ground truth ---
    std::unique_ptr<sim::GroundTruth> truth;
    std::optional<sim::HeldOutData> heldOut;
    if (fromDataset) {
        const auto& source = *engineConfig->dataset;
        std::fprintf(stderr, "recdeckd: reading %s and holding out %.0f%% of each user's items\n",
                     source.interactions.string().c_str(), fraction * 100.0);
        auto loaded = sim::loadHeldOut(source.interactions, source.items.value_or(std::filesystem::path()), fraction,
                                       splitSeedValue);
        if (!loaded) {
            const std::string& message = loaded.errorMessage();
            return recdeck::errorExitCode(loaded.errorKind()) == kExitBadInput
                       ? badInput(message)
                       : failure(QString::fromStdString(message));
        }
        heldOut = std::move(*loaded);
        truth = std::make_unique<sim::HeldOutTruth>(*heldOut->dataset, heldOut->split.test, sim::HeldOutParams{},
                                                    source.interactions.filename().string());
        if (parser.isSet(writeTrain)) {
            const std::filesystem::path out = parser.value(writeTrain).toStdString();
            if (auto written = sim::writeInteractionsCsv(out, *heldOut->dataset, heldOut->split.train); !written) {
                return failure(QString::fromStdString(written.errorMessage()));
            }
            std::fprintf(stderr, "recdeckd: wrote the train part (%zu interactions) to %s\n",
                         heldOut->split.train.size(), out.string().c_str());
            if (hasDuration && seconds == 0.0 && !parser.isSet(requests)) return kExitOk;
        }
    } else if (http) {
        truth = std::make_unique<sim::WorldTruth>(std::make_shared<const recdeck::data::SyntheticWorld>(world));
    }

    // --- target ---
    std::unique_ptr<sim::Target> simTarget;
    std::unique_ptr<recdeck::serving::Engine> engine;
    std::optional<QTemporaryDir> scratch;
    if (http) {
        auto client = std::make_unique<HttpTarget>(*httpOptions);
        if (auto healthy = client->checkHealth(); !healthy) {
            return failure(
                QStringLiteral("cannot reach %1: %2")
                    .arg(QString::fromStdString(client->describe()), QString::fromStdString(healthy.errorMessage())));
        }
        simTarget = std::move(client);
    } else {
        auto cfg = std::move(*engineConfig);
        if (!parser.isSet(QStringLiteral("data"))) {
            // A throw-away data folder: simulated events never mix with a real service's.
            scratch.emplace(QDir::tempPath() + QStringLiteral("/recdeck-simulate-XXXXXX"));
            if (!scratch->isValid()) return failure(QStringLiteral("cannot create a temporary data folder"));
            cfg.dataDir = scratch->path().toStdString();
        }
        if (!parser.isSet(QStringLiteral("models"))) cfg.models = {"popularity", "default"};
        if (heldOut) {
            // The engine learns from the train part only; the held-out part is the truth.
            const auto trainFile = cfg.dataDir / "simulate-train.csv";
            if (auto written = sim::writeInteractionsCsv(trainFile, *heldOut->dataset, heldOut->split.train);
                !written) {
                return failure(QString::fromStdString(written.errorMessage()));
            }
            cfg.dataset->interactions = trainFile;
        } else {
            cfg.demo = world;
        }
        auto opened = openEngineWithProgress(std::move(cfg));
        if (!opened) return opened.exitCode;
        engine = std::move(opened.engine);
        if (!truth) {
            const auto demo = engine->demoWorld();
            if (!demo) {
                return badInput(
                    QStringLiteral("the data folder serves %1, not the demo world: pass --dataset to simulate "
                                   "users whose tastes are its held-out part")
                        .arg(QString::fromStdString(engine->dataInfo().description)));
            }
            truth = sim::truthOf(*engine);
        }
        sim::EngineTargetOptions options;
        options.model = parser.value(model).toStdString();
        if (recdeck::serving::namesDefaultModel(options.model)) options.model.clear();
        if (!options.model.empty() && !recdeck::serving::servingEntry(engine->registry(), options.model)) {
            QStringList names;
            for (const auto& entry : engine->registry().entries()) names << QString::fromStdString(entry->name);
            return badInput(QStringLiteral("--model: no model named '%1' (trained: %2; see --models)")
                                .arg(parser.value(model), names.join(QStringLiteral(", "))));
        }
        simTarget = std::make_unique<sim::EngineTarget>(*engine, options);
    }

    // --- run ---
    config.flushInterval = std::chrono::milliseconds(250);
    auto simulator = sim::TrafficSimulator::create(*simTarget, *truth, config);
    if (!simulator) return badInput(simulator.errorMessage());
    const std::string targetName = simTarget->describe();
    const std::string truthName = truth->describe();
    const bool timeLimited = hasDuration || !parser.isSet(requests);
    QString limit = timeLimited ? QString::number(seconds) + QStringLiteral(" s") : QString();
    if (config.maxRequests > 0) {
        limit += (limit.isEmpty() ? QString() : QStringLiteral(" or ")) + QString::number(config.maxRequests) +
                 QStringLiteral(" requests");
    }
    std::fprintf(stderr, "recdeckd: simulating %s users of %s against %s at %s for %s\n",
                 config.users.population ? std::to_string(config.users.population).c_str() : "all", truthName.c_str(),
                 targetName.c_str(), qPrintable(rateText(config.rate)), qPrintable(limit));
    std::fflush(stderr);

    InterruptGuard interrupts;
    recdeck::Stopwatch wall;
    recdeck::Stopwatch sinceProgress;
    (*simulator)->start();
    for (;;) {
        if (g_interrupted) break;
        if (timeLimited && wall.elapsedSeconds() >= seconds) break;
        if ((*simulator)->waitFinished(std::chrono::milliseconds(50))) break;
        if (progressSeconds > 0 && sinceProgress.elapsedSeconds() >= progressSeconds) {
            sinceProgress.restart();
            printProgress((*simulator)->snapshot());
        }
    }
    (*simulator)->stop();
    const auto stats = (*simulator)->snapshot();
    const bool interrupted = g_interrupted != 0;
    if (interrupted) std::fprintf(stderr, "recdeckd: interrupted\n");

    if (parser.isSet(asJson)) {
        printLine(QString::fromStdString(summaryJson(stats, targetName, truthName, interrupted).dump(2)));
    } else {
        printSummary(stats, targetName, truthName);
    }
    if (stats.requests == 0 && stats.errors > 0) {
        return failure(QStringLiteral("every request failed (last: %1)").arg(QString::fromStdString(stats.lastError)));
    }
    return kExitOk;
}

}  // namespace recdeckd

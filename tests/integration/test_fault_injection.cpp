// Fault injection against the real `recdeckd serve` with a real redis-server: Redis
// frozen (SIGSTOP), killed and restarted, full (maxmemory + noeviction) and slow; the disk
// full (a small tmpfs, when the test runs as root); SIGKILL during ingestion and during
// model saves, 20 rounds each. What must hold throughout:
//   - every acknowledged event is in the event log afterwards, and the log passes
//     PRAGMA integrity_check;
//   - no 5xx where a degraded answer is possible (recommendations, /health);
//   - the service recovers by itself, without a restart;
//   - after a SIGKILL during a model save the last good model file loads.
// Every process (services, redis-server, the tmpfs mount) is reaped by destructors, on
// failure too. No assertion is about time: waits are bounded, and only what happened is
// checked.

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "recdeck/models/model_file.h"
#include "recdeck/store/event_log.h"
#include "redis_server.h"
#include "service_process.h"
#include "test_support.h"
#include "world_csv.h"

using namespace recdeck;
using namespace recdeck::test;

namespace {

// Bounded polling: true once condition() holds, false after timeoutMs.
bool eventually(const std::function<bool()>& condition, int timeoutMs = 20000) {
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() > timeoutMs) return condition();
        QTest::qWait(50);
    }
    return true;
}

std::filesystem::path writeDataset(const std::filesystem::path& dir, std::uint64_t seed) {
    data::WorldConfig config;
    config.users = 300;
    config.items = 200;
    config.seed = seed;
    std::filesystem::create_directories(dir);
    return writeWorldCsv(dir, config);
}

QStringList arguments(const std::filesystem::path& dataset, const std::filesystem::path& dataDir,
                      const QString& models = QStringLiteral("popularity,default")) {
    return {QStringLiteral("--dataset"), QString::fromStdString(dataset.string()),
            QStringLiteral("--data"),    QString::fromStdString(dataDir.string()),
            QStringLiteral("--models"),  models};
}

QStringList withRedis(QStringList args, const RedisServer& redis) {
    return args << QStringLiteral("--redis") << QString::fromStdString(redis.url());
}

QByteArray clickBody(const std::string& user, const std::string& item) {
    return QByteArray::fromStdString(R"({"type":"click","user_id":")" + user + R"(","item_id":")" + item + R"("})");
}

// Statuses of recommendation requests, counted by class.
struct Tally {
    int ok = 0;
    int serverErrors = 0;  // 5xx
    int other = 0;         // 4xx, or no answer within the client's timeout
    QString lastProblem;
    void add(const HttpReply& reply) {
        if (reply.status >= 200 && reply.status < 300) {
            ++ok;
        } else if (reply.status >= 500) {
            ++serverErrors;
            lastProblem = QString::number(reply.status) + " " + QString::fromUtf8(reply.body.left(300));
        } else {
            ++other;
            lastProblem = QString::number(reply.status) + " " + QString::fromUtf8(reply.body.left(300));
        }
    }
};

void recommendations(const ServiceProcess& service, int count, int offset, Tally& tally) {
    for (int i = 0; i < count; ++i) {
        // Known users (the dataset's) and new ones, both.
        const QString user = (i % 2 == 0) ? QStringLiteral("user_%1").arg((offset + i) % 250, 3, 10, QLatin1Char('0'))
                                          : QStringLiteral("fresh-%1").arg(offset + i);
        tally.add(
            http("POST", service.port(), QStringLiteral("/recommendations?user_id=") + user + "&n=10", {}, {}, 20000));
    }
}

// The events of a log, as "user|item" strings, once the process that wrote it is gone.
std::set<std::string> durableEvents(const std::filesystem::path& dataDir, bool* intact) {
    std::set<std::string> out;
    auto log = store::EventLog::open(dataDir / "events.db");
    if (!log) {
        qWarning("%s", log.errorMessage().c_str());
        *intact = false;
        return out;
    }
    *intact = (*log)->integrityCheck().ok();
    auto events = (*log)->readAfter(0, 10'000'000);
    if (!events) {
        *intact = false;
        return out;
    }
    for (const auto& event : *events) out.insert(event.userId + "|" + event.itemId);
    return out;
}

// Runs redis-cli against a test server; its output ("" when redis-cli is missing).
QString redisCli(const RedisServer& redis, const QStringList& command) {
    QProcess cli;
    test::dieWithTest(cli);
    cli.start(QStringLiteral("redis-cli"), QStringList{QStringLiteral("-p"), QString::number(redis.port())} + command);
    if (!cli.waitForFinished(10000)) {
        cli.kill();
        cli.waitForFinished(5000);
        return {};
    }
    return QString::fromUtf8(cli.readAllStandardOutput());
}

bool haveRedisCli() {
    return !QStandardPaths::findExecutable(QStringLiteral("redis-cli")).isEmpty();
}

// A small tmpfs mounted for the test's lifetime (root only); unmounted on destruction.
class SmallDisk {
public:
    SmallDisk(const std::filesystem::path& where, std::size_t megabytes) : m_where(where) {
        std::filesystem::create_directories(where);
        const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
        m_mounted = ::mount("tmpfs", where.c_str(), "tmpfs", 0, options.c_str()) == 0;
    }
    ~SmallDisk() {
        if (m_mounted) ::umount2(m_where.c_str(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    bool mounted() const { return m_mounted; }
    // Fills the disk with a file until writes fail; returns the file.
    std::filesystem::path fill() const {
        const auto file = m_where / "filler";
        std::ofstream out(file, std::ios::binary);
        const std::string block(64 * 1024, 'x');
        for (int i = 0; i < 100'000 && out; ++i) out.write(block.data(), static_cast<std::streamsize>(block.size()));
        return file;
    }

private:
    std::filesystem::path m_where;
    bool m_mounted = false;
};

// A child recdeckd started without waiting for it to serve (to kill it mid-start-up).
class StartingService {
public:
    ~StartingService() { kill(); }
    void start(const QStringList& args) {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        test::dieWithTest(m_process);
        m_process.start(recdeckdPath(),
                        QStringList{QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")} + args);
        m_process.waitForStarted(10000);
    }
    void kill() {
        if (m_process.state() == QProcess::NotRunning) return;
        m_process.kill();
        m_process.waitForFinished(10000);
    }
    bool running() const { return m_process.state() == QProcess::Running; }

private:
    QProcess m_process;
};

}  // namespace

class TestFaultInjection : public QObject {
    Q_OBJECT
    std::filesystem::path m_dir;
    std::filesystem::path m_dataset;

private slots:
    void initTestCase() {
        m_dir = makeTempDir("recdeck-faults");
        m_dataset = writeDataset(m_dir / "dataset-a", 11);
    }
    void cleanupTestCase() {
        std::error_code ignored;
        std::filesystem::remove_all(m_dir, ignored);
    }

    // Redis stops answering (SIGSTOP) but keeps its connections: requests are answered
    // (degraded), /health answers, events are acknowledged once durable, /ready says
    // degraded, and all of it recovers when Redis resumes.
    void redisFrozen() {
        RedisServer redis;
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        ServiceProcess service;
        QString error;
        QVERIFY2(service.start(withRedis(arguments(m_dataset, m_dir / "frozen"), redis), &error), qPrintable(error));
        Tally before;
        recommendations(service, 40, 0, before);
        QCOMPARE(before.ok, 40);

        redis.pause();
        QCOMPARE(service.get(QStringLiteral("/health")).status, 200);
        Tally frozen;
        recommendations(service, 20, 100, frozen);
        QCOMPARE(service.get(QStringLiteral("/health")).status, 200);
        std::set<std::string> acknowledged;
        for (int i = 0; i < 5; ++i) {
            const std::string item = "frozen-" + std::to_string(i);
            const auto reply =
                http("POST", service.port(), QStringLiteral("/events"), clickBody("frozen-writer", item), {}, 20000);
            if (reply.status == 200) acknowledged.insert("frozen-writer|" + item);
        }
        const bool degraded = eventually([&] { return service.get(QStringLiteral("/ready")).status == 503; });
        redis.resume();
        QVERIFY2(frozen.serverErrors == 0, qPrintable(frozen.lastProblem));
        QVERIFY2(frozen.ok == 20,
                 qPrintable(QStringLiteral("%1 of 20 answered; %2").arg(frozen.ok).arg(frozen.lastProblem)));
        QCOMPARE(acknowledged.size(), std::size_t{5});
        QVERIFY2(degraded, "/ready did not report the frozen Redis");

        QVERIFY2(eventually([&] { return service.get(QStringLiteral("/ready")).status == 200; }),
                 "the service did not recover after Redis resumed");
        Tally after;
        recommendations(service, 20, 200, after);
        QCOMPARE(after.ok, 20);
        service.kill();
        bool intact = false;
        const auto durable = durableEvents(m_dir / "frozen", &intact);
        QVERIFY(intact);
        for (const auto& event : acknowledged) QVERIFY2(durable.count(event) == 1, event.c_str());
    }

    // Redis killed (SIGKILL: no shutdown), then restarted on the same port: no request
    // fails, acknowledged events are kept, and the service reconnects by itself.
    void redisKilledAndRestarted() {
        RedisServer redis;
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        ServiceProcess service;
        QString error;
        QVERIFY2(service.start(withRedis(arguments(m_dataset, m_dir / "killed"), redis), &error), qPrintable(error));
        Tally tally;
        recommendations(service, 20, 0, tally);
        QVERIFY(redis.kill());
        recommendations(service, 40, 100, tally);
        QCOMPARE(service.get(QStringLiteral("/health")).status, 200);
        std::set<std::string> acknowledged;
        for (int i = 0; i < 5; ++i) {
            const std::string item = "outage-" + std::to_string(i);
            if (http("POST", service.port(), QStringLiteral("/events"), clickBody("outage-writer", item), {}, 20000)
                    .status == 200)
                acknowledged.insert("outage-writer|" + item);
        }
        QVERIFY(eventually([&] { return service.get(QStringLiteral("/ready")).status == 503; }));
        std::string redisError;
        QVERIFY2(redis.start(&redisError), redisError.c_str());
        QVERIFY2(eventually([&] { return service.get(QStringLiteral("/ready")).status == 200; }),
                 "the service did not reconnect to the restarted Redis");
        recommendations(service, 20, 200, tally);
        QVERIFY2(tally.serverErrors == 0 && tally.other == 0, qPrintable(tally.lastProblem));
        QCOMPARE(acknowledged.size(), std::size_t{5});
        // The history (from the event log) has every acknowledged event.
        const auto user = service.get(QStringLiteral("/users/outage-writer"));
        QCOMPARE(user.status, 200);
        QCOMPARE(user.json().object().value(QStringLiteral("history")).toArray().size(), 5);
    }

    // Redis full (maxmemory + noeviction refuses writes): lists, features and histories
    // cannot be written, so answers are computed and degraded, never failed.
    void redisFull() {
        RedisServer redis(RedisServer::Options{}, {"--maxmemory", "3mb", "--maxmemory-policy", "noeviction"});
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        if (!haveRedisCli()) QSKIP("redis-cli not found on PATH (it comes with redis-server)");
        ServiceProcess service;
        QString error;
        QVERIFY2(service.start(withRedis(arguments(m_dataset, m_dir / "full"), redis), &error), qPrintable(error));
        Tally tally;
        // Distinct users until Redis has certainly refused writes (3 MB; each list ~2 KB).
        recommendations(service, 3000, 0, tally);
        QCOMPARE(service.get(QStringLiteral("/health")).status, 200);
        int acknowledged = 0;
        for (int i = 0; i < 20; ++i) {
            const std::string item = "full-" + std::to_string(i);
            if (http("POST", service.port(), QStringLiteral("/events"), clickBody("full-writer", item), {}, 20000)
                    .status == 200)
                ++acknowledged;
        }
        // Redis did refuse writes (out of memory) during the traffic.
        const QString errors = redisCli(redis, {QStringLiteral("INFO"), QStringLiteral("errorstats")});
        QVERIFY2(errors.contains(QStringLiteral("errorstat_OOM")), qPrintable(errors));
        QVERIFY2(tally.serverErrors == 0 && tally.other == 0, qPrintable(tally.lastProblem));
        QCOMPARE(tally.ok, 3000);
        QCOMPARE(acknowledged, 20);
        const auto metrics = service.get(QStringLiteral("/metrics"));
        QCOMPARE(metrics.status, 200);
    }

    // Redis slow (blocked for 300 ms at a time by DEBUG SLEEP, over and over): answers
    // come late but come, and none is a 5xx.
    void redisSlow() {
        RedisServer redis(RedisServer::Options{}, {"--enable-debug-command", "local"});
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        if (!haveRedisCli()) QSKIP("redis-cli not found on PATH (it comes with redis-server)");
        ServiceProcess service;
        QString error;
        QVERIFY2(service.start(withRedis(arguments(m_dataset, m_dir / "slow"), redis), &error), qPrintable(error));
        std::atomic<bool> stop{false};
        std::atomic<int> sleeps{0};
        std::thread slowDown([&] {
            for (int i = 0; i < 40 && !stop; ++i) {
                if (redisCli(redis, {QStringLiteral("DEBUG"), QStringLiteral("SLEEP"), QStringLiteral("0.3")})
                        .startsWith(QStringLiteral("OK")))
                    ++sleeps;
            }
        });
        Tally tally;
        recommendations(service, 60, 0, tally);
        int acknowledged = 0;
        for (int i = 0; i < 10; ++i) {
            const std::string item = "slow-" + std::to_string(i);
            if (http("POST", service.port(), QStringLiteral("/events"), clickBody("slow-writer", item), {}, 20000)
                    .status == 200)
                ++acknowledged;
        }
        const int health = service.get(QStringLiteral("/health")).status;
        stop = true;
        slowDown.join();
        QCOMPARE(health, 200);
        QVERIFY2(sleeps.load() > 0, "Redis was never slowed down");
        QVERIFY2(tally.serverErrors == 0 && tally.other == 0, qPrintable(tally.lastProblem));
        QCOMPARE(acknowledged, 10);
    }

    // The data folder's disk fills up: events are refused (503), never acknowledged and
    // lost; recommendations and /health keep answering; once space is back, events are
    // acknowledged again without a restart, and nothing acknowledged is missing.
    void diskFull() {
        if (::geteuid() != 0) QSKIP("mounting a small tmpfs needs root");
        SmallDisk disk(m_dir / "small-disk", 16);
        if (!disk.mounted()) QSKIP("cannot mount a tmpfs here (no CAP_SYS_ADMIN)");
        const auto dataDir = m_dir / "small-disk" / "data";
        ServiceProcess service;
        QString error;
        QVERIFY2(service.start(arguments(m_dataset, dataDir), &error), qPrintable(error));
        std::set<std::string> acknowledged;
        int refused = 0;
        int serverErrors = 0;
        const auto post = [&](const std::string& item) {
            const auto reply =
                http("POST", service.port(), QStringLiteral("/events"), clickBody("disk-writer", item), {}, 20000);
            if (reply.status == 200)
                acknowledged.insert("disk-writer|" + item);
            else if (reply.status == 503)
                ++refused;
            else
                ++serverErrors;
        };
        for (int i = 0; i < 20; ++i) post("before-" + std::to_string(i));
        const auto filler = disk.fill();
        for (int i = 0; i < 200; ++i) post("full-" + std::to_string(i));
        Tally tally;
        recommendations(service, 20, 0, tally);
        QCOMPARE(service.get(QStringLiteral("/health")).status, 200);
        std::filesystem::remove(filler);
        QVERIFY2(eventually([&] {
                     post("after-" + std::to_string(acknowledged.size()));
                     return acknowledged.count("disk-writer|after-" + std::to_string(acknowledged.size() - 1)) == 1;
                 }),
                 "events were not acknowledged again once the disk had space");
        QVERIFY2(tally.serverErrors == 0, qPrintable(tally.lastProblem));
        QCOMPARE(serverErrors, 0);
        QVERIFY2(refused > 0, "a full disk refused no event");
        service.kill();
        bool intact = false;
        const auto durable = durableEvents(dataDir, &intact);
        QVERIFY(intact);
        for (const auto& event : acknowledged) QVERIFY2(durable.count(event) == 1, event.c_str());
        qInfo("full disk: %zu events acknowledged, %d refused with 503, all acknowledged ones durable",
              acknowledged.size(), refused);
    }

    // SIGKILL while three clients post events, 20 times over one data folder: every
    // acknowledged event is durable and the log passes its integrity check each time.
    void sigkillDuringIngestion() {
        const auto dataDir = m_dir / "ingestion";
        std::set<std::string> acknowledgedEver;
        for (int round = 0; round < 20; ++round) {
            ServiceProcess service;
            QString error;
            QVERIFY2(service.start(arguments(m_dataset, dataDir), &error), qPrintable(error));
            std::atomic<bool> stop{false};
            std::atomic<int> acks{0};
            std::vector<std::set<std::string>> acknowledged(3);
            std::vector<std::thread> writers;
            const quint16 port = service.port();
            for (int w = 0; w < 3; ++w) {
                writers.emplace_back([&, w] {
                    for (int i = 0; !stop && i < 100'000; ++i) {
                        const std::string user = "writer" + std::to_string(w);
                        const std::string item = "r" + std::to_string(round) + "-" + std::to_string(i);
                        const auto reply =
                            http("POST", port, QStringLiteral("/events"), clickBody(user, item), {}, 5000);
                        if (reply.status == 200) {
                            acknowledged[static_cast<std::size_t>(w)].insert(user + "|" + item);
                            ++acks;
                        } else if (reply.status != 0) {
                            break;  // an error answer (not a cut connection) is a failure
                        }
                    }
                });
            }
            // Kill after a number of acknowledgements that varies with the round.
            const int target = 5 + (round * 7) % 60;
            eventually([&] { return acks.load() >= target; }, 20000);
            service.kill();
            stop = true;
            for (auto& writer : writers) writer.join();
            for (const auto& set : acknowledged) acknowledgedEver.insert(set.begin(), set.end());
            bool intact = false;
            const auto durable = durableEvents(dataDir, &intact);
            QVERIFY2(intact, qPrintable(QStringLiteral("round %1: integrity check failed").arg(round)));
            QVERIFY2(acks.load() > 0, qPrintable(QStringLiteral("round %1: nothing acknowledged").arg(round)));
            for (const auto& event : acknowledgedEver) {
                QVERIFY2(durable.count(event) == 1,
                         qPrintable(QStringLiteral("round %1: lost %2").arg(round).arg(event.c_str())));
            }
        }
        qInfo("%zu acknowledged events over 20 SIGKILLs, all durable", acknowledgedEver.size());
    }

    // SIGKILL while the service trains and saves its models (at start, on a dataset that
    // alternates, so every start saves again), 20 times: every model file left behind
    // loads, and a normal start afterwards serves.
    void sigkillDuringModelSave() {
        const auto other = writeDataset(m_dir / "dataset-b", 12);
        const auto dataDir = m_dir / "models-kill";
        const QString models = QStringLiteral("popularity,itemknn,als");
        {
            ServiceProcess first;  // one complete start: the good models to fall back on
            QString error;
            QVERIFY2(first.start(arguments(m_dataset, dataDir, models), &error), qPrintable(error));
            // The models are saved before the service listens; how it stops does not matter.
            first.kill();
        }
        for (int round = 0; round < 20; ++round) {
            StartingService starting;
            starting.start(arguments(round % 2 == 0 ? other : m_dataset, dataDir, models));
            QTest::qWait(100 + (round * 137) % 1500);
            starting.kill();
            for (const auto& entry : std::filesystem::directory_iterator(dataDir / "models")) {
                if (entry.path().extension() != ".rdm") continue;
                const auto loaded = models::ModelFile::load(entry.path());
                QVERIFY2(loaded.ok(), qPrintable(QStringLiteral("round %1: %2")
                                                     .arg(round)
                                                     .arg(loaded.ok() ? "" : loaded.errorMessage().c_str())));
            }
        }
        ServiceProcess service;
        QString error;
        QVERIFY2(service.start(arguments(m_dataset, dataDir, models), &error), qPrintable(error));
        QCOMPARE(service.post(QStringLiteral("/recommendations?user_id=user_001&n=5")).status, 200);
        service.kill();
    }
};

QTEST_GUILESS_MAIN(TestFaultInjection)
#include "test_fault_injection.moc"

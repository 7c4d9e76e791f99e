// Fleet mode: several real `recdeckd serve` on one real redis-server are one fleet.
// Lists served by one instance and clicks sent to another are one experiment readout,
// exact and equal on every instance, through SIGKILLs and a Redis restart; forged
// impressions do not count.

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <cstring>
#include <functional>

#include "recdeck/data/synthetic_world.h"
#include "redis_server.h"
#include "service_process.h"
#include "test_support.h"
#include "world_csv.h"

using namespace recdeck;
using namespace recdeck::test;

namespace {

const QList<QPair<QByteArray, QByteArray>> kJson = {{"Content-Type", "application/json"}};

std::filesystem::path writeDataset(const std::filesystem::path& dir) {
    data::WorldConfig config;
    config.users = 300;
    config.items = 200;
    config.seed = 11;
    return writeWorldCsv(dir, config);
}

QJsonObject object(const HttpReply& reply) {
    return reply.json().object();
}

// Sums of one experiment's readout on one instance.
struct Readout {
    qint64 users = -1;
    qint64 impressions = -1;
    qint64 lists = -1;
    qint64 clicks = -1;
    bool operator==(const Readout&) const = default;
};

Readout readoutOf(const ServiceProcess& service, const QString& key) {
    const auto reply = service.get(QStringLiteral("/experiments/%1/results").arg(key));
    if (reply.status != 200) return {};
    Readout r{0, 0, 0, 0};
    for (const auto& v : object(reply).value(QStringLiteral("variants")).toArray()) {
        const auto o = v.toObject();
        r.users += o.value(QStringLiteral("users")).toInteger();
        r.impressions += o.value(QStringLiteral("impressions")).toInteger();
        r.lists += o.value(QStringLiteral("lists")).toInteger();
        r.clicks += o.value(QStringLiteral("clicks")).toInteger();
    }
    return r;
}

QString describe(const Readout& r) {
    return QStringLiteral("users %1, impressions %2, lists %3, clicks %4")
        .arg(r.users)
        .arg(r.impressions)
        .arg(r.lists)
        .arg(r.clicks);
}

// Polls until every instance reports `expected` (bounded; scaled for sanitizer builds).
bool allReport(const std::vector<const ServiceProcess*>& services, const QString& key, const Readout& expected,
               QString* seen) {
    QElapsedTimer timer;
    timer.start();
    const qint64 limit = 30'000 * timeScale();
    for (;;) {
        bool all = true;
        QStringList parts;
        for (const auto* s : services) {
            const Readout r = readoutOf(*s, key);
            parts << describe(r);
            all = all && r == expected;
        }
        *seen = parts.join(QStringLiteral(" | "));
        if (all) {
            qInfo("every instance agreed after %lld ms", static_cast<long long>(timer.elapsed()));
            return true;
        }
        if (timer.elapsed() > limit) return false;
        QTest::qWait(50);
    }
}

// One unlabelled gauge from /metrics; -1 when absent.
double gauge(const ServiceProcess& service, const char* name) {
    const QByteArray body = service.get(QStringLiteral("/metrics")).body;
    for (const QByteArray& line : body.split('\n')) {
        if (!line.startsWith(name) || line.size() <= static_cast<qsizetype>(std::strlen(name)) ||
            line[static_cast<qsizetype>(std::strlen(name))] != ' ')
            continue;
        bool ok = false;
        const double value = line.mid(static_cast<qsizetype>(std::strlen(name)) + 1).trimmed().toDouble(&ok);
        return ok ? value : -1.0;
    }
    return -1.0;
}

bool createAndStart(const ServiceProcess& service, const QString& key) {
    const QByteArray definition = QStringLiteral(R"({"key": "%1", "variants": [
        {"name": "control", "weight": 0.5, "model": "popularity"},
        {"name": "treatment", "weight": 0.5, "model": "default"}]})")
                                      .arg(key)
                                      .toUtf8();
    const auto created = http("POST", service.port(), QStringLiteral("/experiments"), definition, kJson);
    if (created.status != 200 && created.status != 201) return false;
    return http("POST", service.port(), QStringLiteral("/experiments/%1/start").arg(key), {}, kJson).status == 200;
}

// The first item of a list served to `user` by `server`, clicked through `clicker`.
bool serveAndClick(const ServiceProcess& server, const ServiceProcess& clicker, const QString& user) {
    const auto list = server.post(QStringLiteral("/recommendations?user_id=%1&n=10").arg(user));
    if (list.status != 200) return false;
    const auto items = object(list).value(QStringLiteral("items")).toArray();
    if (items.size() != 10 || object(list).value(QStringLiteral("variant")).toString().isEmpty()) return false;
    const QString item = items.first().toString();
    return http("POST", clicker.port(), QStringLiteral("/track/click?user_id=%1&item_id=%2").arg(user, item), {}, kJson)
               .status < 300;
}

}  // namespace

class TestFleet : public QObject {
    Q_OBJECT
    std::filesystem::path m_dir;
    std::filesystem::path m_dataset;

    QStringList arguments(const std::string& name, const RedisServer& redis) const {
        return {QStringLiteral("--dataset"), QString::fromStdString(m_dataset.string()),
                QStringLiteral("--data"),    QString::fromStdString((m_dir / name).string()),
                QStringLiteral("--models"),  QStringLiteral("popularity,default"),
                QStringLiteral("--redis"),   QString::fromStdString(redis.url())};
    }

private slots:
    void initTestCase() {
        m_dir = makeTempDir("recdeck-fleet");
        m_dataset = writeDataset(m_dir);
    }
    void cleanupTestCase() { std::filesystem::remove_all(m_dir); }

    // The issue's case: 200 users, each list from one instance and its click at the other.
    void readoutIsTheFleetsOnEveryInstance() {
        RedisServer redis;
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        ServiceProcess a;
        ServiceProcess b;
        QString error;
        QVERIFY2(a.start(arguments("a", redis), &error), qPrintable(error));
        QVERIFY2(b.start(arguments("b", redis), &error), qPrintable(error));
        QVERIFY(createAndStart(a, QStringLiteral("fleet-exp")));

        for (int u = 0; u < 200; ++u) {
            const QString user = QStringLiteral("fleet-user-%1").arg(u);
            const bool aServes = u % 2 == 0;
            QVERIFY2(serveAndClick(aServes ? a : b, aServes ? b : a, user), qPrintable(user));
        }
        // Client-made impressions naming the experiment are not evidence.
        QJsonArray forged;
        for (int u = 0; u < 50; ++u) {
            forged.append(QJsonObject{{"type", "impression"},
                                      {"user_id", QStringLiteral("forged-%1").arg(u)},
                                      {"items", QJsonArray{QStringLiteral("x")}},
                                      {"experiment", "fleet-exp"},
                                      {"variant", "treatment"}});
        }
        QVERIFY(http("POST", b.port(), QStringLiteral("/events"), QJsonDocument(forged).toJson(), kJson).status < 300);

        const Readout expected{200, 2000, 200, 200};
        QString seen;
        QVERIFY2(allReport({&a, &b}, QStringLiteral("fleet-exp"), expected, &seen), qPrintable(seen));

        // SIGKILL one instance and start it again on its data folder: it rebuilds the same
        // readout, and traffic after it keeps counting once.
        b.kill();
        QVERIFY2(b.start(arguments("b", redis), &error), qPrintable(error));
        QVERIFY2(allReport({&a, &b}, QStringLiteral("fleet-exp"), expected, &seen), qPrintable(seen));
        for (int u = 200; u < 220; ++u) {
            const QString user = QStringLiteral("fleet-user-%1").arg(u);
            QVERIFY2(serveAndClick(b, a, user), qPrintable(user));
        }
        QVERIFY2(allReport({&a, &b}, QStringLiteral("fleet-exp"), Readout{220, 2200, 220, 220}, &seen),
                 qPrintable(seen));
        QVERIFY(a.terminate());
        QVERIFY(b.terminate());
    }

    // A retrain requested through one instance trains on events only the other saw, and
    // the other serves the new version; the default and a rollback are the fleet's.
    void retrainThroughOneInstanceServesEverywhere() {
        RedisServer redis;
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        ServiceProcess a;
        ServiceProcess b;
        QString error;
        QVERIFY2(a.start(arguments("ma", redis), &error), qPrintable(error));
        QVERIFY2(b.start(arguments("mb", redis), &error), qPrintable(error));
        auto versionOf = [](const ServiceProcess& s, const QString& name) -> qint64 {
            for (const auto& m : object(s.get(QStringLiteral("/models"))).value(QStringLiteral("models")).toArray()) {
                const auto o = m.toObject();
                if (o.value(QStringLiteral("name")).toString() == name)
                    return o.value(QStringLiteral("version")).toInteger();
            }
            return -1;
        };
        const qint64 before = versionOf(a, QStringLiteral("popularity"));
        QVERIFY(before > 0);
        QCOMPARE(versionOf(b, QStringLiteral("popularity")), before);  // B loaded what A published

        // 40 clicks by users new to the dataset, acknowledged by B only.
        const QString item = object(b.post(QStringLiteral("/recommendations?user_id=user_001&n=1")))
                                 .value(QStringLiteral("items"))
                                 .toArray()
                                 .first()
                                 .toString();
        QJsonArray clicks;
        for (int u = 0; u < 40; ++u)
            clicks.append(
                QJsonObject{{"type", "click"}, {"user_id", QStringLiteral("only-b-%1").arg(u)}, {"item_id", item}});
        QVERIFY(http("POST", b.port(), QStringLiteral("/events"), QJsonDocument(clicks).toJson(), kJson).status < 300);
        // Until B has appended them to the stream.
        QElapsedTimer timer;
        timer.start();
        while (gauge(b, "recdeck_fleet_unpublished_events") != 0.0 && timer.elapsed() < 20'000 * timeScale())
            QTest::qWait(50);

        const auto trained =
            http("POST", a.port(), QStringLiteral("/admin/models/popularity/train"), {}, kJson, 120'000);
        QCOMPARE(trained.status, 200);
        const auto t = object(trained);
        const qint64 version = t.value(QStringLiteral("version")).toInteger();
        QVERIFY(version > before);
        QVERIFY2(t.value(QStringLiteral("event_interactions")).toInteger() >= 40, trained.body.constData());
        QVERIFY(t.value(QStringLiteral("published")).toBool());
        timer.restart();
        while (versionOf(b, QStringLiteral("popularity")) != version && timer.elapsed() < 30'000 * timeScale())
            QTest::qWait(50);
        QCOMPARE(versionOf(b, QStringLiteral("popularity")), version);
        qInfo("a retrain through A served by B after %lld ms", static_cast<long long>(timer.elapsed()));

        // The default and a rollback, set through B, hold on A.
        QCOMPARE(http("POST", b.port(), QStringLiteral("/admin/models/popularity/default"), {}, kJson).status, 200);
        QCOMPARE(http("POST", b.port(), QStringLiteral("/admin/models/popularity/rollback"), {}, kJson).status, 200);
        timer.restart();
        auto isDefault = [&](const ServiceProcess& s) {
            for (const auto& m : object(s.get(QStringLiteral("/models"))).value(QStringLiteral("models")).toArray()) {
                const auto o = m.toObject();
                if (o.value(QStringLiteral("name")).toString() == QLatin1String("popularity"))
                    return o.value(QStringLiteral("default")).toBool();
            }
            return false;
        };
        while ((versionOf(a, QStringLiteral("popularity")) != before || !isDefault(a)) &&
               timer.elapsed() < 30'000 * timeScale())
            QTest::qWait(50);
        QCOMPARE(versionOf(a, QStringLiteral("popularity")), before);
        QVERIFY(isDefault(a));

        // `recdeckd train --publish`, run beside the fleet, publishes a version both serve.
        QProcess cli;
        test::dieWithTest(cli);
        QStringList cliArguments{QStringLiteral("train"), QStringLiteral("--publish"), QStringLiteral("--model"),
                                 QStringLiteral("popularity")};
        cliArguments << arguments("mc", redis);
        cli.start(recdeckdPath(), cliArguments);
        QVERIFY(cli.waitForStarted());
        const bool finished = cli.waitForFinished(static_cast<int>(180'000 * timeScale()));
        if (!finished) cli.kill(), cli.waitForFinished();
        QVERIFY2(finished && cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0,
                 cli.readAllStandardError().constData());
        const auto published = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        const qint64 cliVersion = published.value(QStringLiteral("version")).toInteger();
        QVERIFY2(cliVersion > version, QJsonDocument(published).toJson().constData());
        QVERIFY(published.value(QStringLiteral("event_interactions")).toInteger() >= 40);
        timer.restart();
        while ((versionOf(a, QStringLiteral("popularity")) != cliVersion ||
                versionOf(b, QStringLiteral("popularity")) != cliVersion) &&
               timer.elapsed() < 30'000 * timeScale())
            QTest::qWait(50);
        QCOMPARE(versionOf(a, QStringLiteral("popularity")), cliVersion);
        QCOMPARE(versionOf(b, QStringLiteral("popularity")), cliVersion);
        QVERIFY(a.terminate());
        QVERIFY(b.terminate());
    }

    // Three instances; Redis stopped and restarted and one instance SIGKILLed mid-traffic:
    // nothing acknowledged is lost and nothing counts twice.
    void redisRestartAndKillsLoseNothing() {
        RedisServer::Options persistent;
        persistent.persistent = true;  // as in production: the stream outlives a restart
        RedisServer redis(persistent);
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        ServiceProcess a;
        ServiceProcess b;
        ServiceProcess c;
        QString error;
        QVERIFY2(a.start(arguments("ra", redis), &error), qPrintable(error));
        QVERIFY2(b.start(arguments("rb", redis), &error), qPrintable(error));
        QVERIFY2(c.start(arguments("rc", redis), &error), qPrintable(error));
        QVERIFY(createAndStart(a, QStringLiteral("outage-exp")));
        const std::vector<ServiceProcess*> all = {&a, &b, &c};
        int served = 0;
        auto traffic = [&](int from, int to) {
            for (int u = from; u < to; ++u) {
                const QString user = QStringLiteral("outage-user-%1").arg(u);
                if (serveAndClick(*all[static_cast<std::size_t>(u % 3)], *all[static_cast<std::size_t>((u + 1) % 3)],
                                  user))
                    ++served;
            }
        };
        traffic(0, 60);
        QCOMPARE(served, 60);
        QString seen;
        QVERIFY2(allReport({&a, &b, &c}, QStringLiteral("outage-exp"), Readout{60, 600, 60, 60}, &seen),
                 qPrintable(seen));

        // While Redis is away, lists are still served (degraded) and clicks acknowledged once
        // durable in each instance's own log; the instances append them when it is back.
        QVERIFY(redis.stop());
        traffic(60, 90);
        QCOMPARE(served, 90);
        std::string redisError;
        QVERIFY2(redis.start(&redisError), redisError.c_str());
        c.kill();
        QVERIFY2(c.start(arguments("rc", redis), &error), qPrintable(error));
        traffic(90, 120);
        QCOMPARE(served, 120);
        QVERIFY2(allReport({&a, &b, &c}, QStringLiteral("outage-exp"), Readout{120, 1200, 120, 120}, &seen),
                 qPrintable(seen));
        for (auto* s : all) QVERIFY(s->terminate());
    }
};

QTEST_GUILESS_MAIN(TestFleet)
#include "test_fleet.moc"

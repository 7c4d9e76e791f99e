// The console and a `recdeckd serve` on one real redis-server: an invalidation and an
// experiment made in the console are honoured by the running service, and the console's
// Experiments panel reads the readout of traffic only the service served.

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include "recdeck/experiments/experiment_results.h"
#include "recdeck/ui/experiments/experiments_panel.h"
#include "recdeck/ui/experiments/results_view.h"
#include "redis_server.h"
#include "service_process.h"
#include "test_support.h"
#include "ui_fixture.h"
#include "world_csv.h"

using namespace recdeck;

namespace {

// The console fixture's demo world (300 users, 200 items, seed 3) as a CSV the service
// imports, so both sides know the same users and items.
std::filesystem::path writeFixtureWorld(const std::filesystem::path& dir) {
    data::WorldConfig config;
    config.users = 300;
    config.items = 200;
    config.seed = 3;
    return test::writeWorldCsv(dir, config);
}

QJsonObject recommend(const test::ServiceProcess& service, const QString& user) {
    const auto reply = service.post(QStringLiteral("/recommendations?user_id=%1&n=5").arg(user));
    if (reply.status != 200) qWarning("recommendations for %s: HTTP %d", qPrintable(user), reply.status);
    return reply.json().object();
}

}  // namespace

class TestConsoleSharedRedis : public QObject {
    Q_OBJECT
    std::filesystem::path m_dir;

private slots:
    void initTestCase() { m_dir = test::makeTempDir("recdeck-shared"); }
    void cleanupTestCase() { std::filesystem::remove_all(m_dir); }

    void consoleChangesReachTheService() {
        test::RedisServer redis;
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        const QString url = QStringLiteral("redis://127.0.0.1:%1/0").arg(redis.port());

        test::ServiceProcess service;
        QString error;
        QVERIFY2(service.start(
                     {QStringLiteral("--dataset"), QString::fromStdString(writeFixtureWorld(m_dir).string()),
                      QStringLiteral("--data"), QString::fromStdString((m_dir / "service").string()),
                      QStringLiteral("--redis"), url, QStringLiteral("--models"), QStringLiteral("popularity,default")},
                     &error),
                 qPrintable(error));

        test::UiFixture console;
        QVERIFY2(console.open(url.toStdString(), &error), qPrintable(error));
        // The console's own demo experiment covers every user; stop it so the service's
        // answers below depend only on what this test changes.
        QVERIFY(console.engine().experiments().stop("homepage-personalisation").ok());

        // Invalidation: the service caches a user's list; the console drops it; the
        // service's next answer for that user is computed afresh.
        const QString user = QStringLiteral("user_0007");
        QVERIFY(test::UiFixture::waitFor(
            [&] { return recommend(service, user).value(QStringLiteral("experiment")).toString().isEmpty(); }));
        recommend(service, user);
        QVERIFY(recommend(service, user).value(QStringLiteral("cached")).toBool());
        QVERIFY(console.engine().invalidate(cache::InvalidationKind::User, user.toStdString()).ok());
        QElapsedTimer timer;
        timer.start();
        QVERIFY(test::UiFixture::waitFor(
            [&] { return !recommend(service, user).value(QStringLiteral("cached")).toBool(); }, 5000));
        qInfo("invalidation from the console honoured by the service after %lld ms", timer.elapsed());

        // Experiments: one created and started in the console assigns the service's users.
        experiments::Experiment experiment;
        experiment.key = "console-made";
        experiment.variants = {{"control", 0.5, "popularity", std::nullopt},
                               {"personalised", 0.5, "default", std::nullopt}};
        QVERIFY(console.engine().experiments().create(experiment).ok());
        QVERIFY(console.engine().experiments().start("console-made").ok());
        timer.restart();
        QVERIFY(test::UiFixture::waitFor(
            [&] { return recommend(service, user).value(QStringLiteral("experiment")).toString() == "console-made"; },
            10000));
        qInfo("experiment started in the console served by the service after %lld ms", timer.elapsed());
        const QString variant = recommend(service, user).value(QStringLiteral("variant")).toString();
        QVERIFY(variant == QStringLiteral("control") || variant == QStringLiteral("personalised"));
        // Both sides assign this user to the same arm.
        const auto assignment = console.engine().experiments().assign(user.toStdString());
        QVERIFY(assignment.has_value());
        QCOMPARE(QString::fromStdString(assignment->variant), variant);

        // Stopping it in the console ends it for the service too.
        QVERIFY(console.engine().experiments().stop("console-made").ok());
        QVERIFY(test::UiFixture::waitFor(
            [&] { return recommend(service, user).value(QStringLiteral("experiment")).toString().isEmpty(); }, 10000));
        QVERIFY2(service.terminate(), qPrintable(service.output()));
    }

    // Fleet mode: the console serves nothing, yet its Experiments panel shows every user,
    // list and click the service served — the same figures the service reports.
    void consoleShowsTheFleetReadout() {
        test::RedisServer redis;
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        const QString url = QStringLiteral("redis://127.0.0.1:%1/0").arg(redis.port());
        test::ServiceProcess service;
        QString error;
        QVERIFY2(service.start(
                     {QStringLiteral("--dataset"), QString::fromStdString(writeFixtureWorld(m_dir).string()),
                      QStringLiteral("--data"), QString::fromStdString((m_dir / "readout-service").string()),
                      QStringLiteral("--redis"), url, QStringLiteral("--models"), QStringLiteral("popularity,default")},
                     &error),
                 qPrintable(error));
        test::UiFixture console;
        QVERIFY2(console.open(url.toStdString(), &error), qPrintable(error));
        QVERIFY(console.engine().experiments().stop("homepage-personalisation").ok());
        experiments::Experiment experiment;
        experiment.key = "served-elsewhere";
        experiment.variants = {{"control", 0.5, "popularity", std::nullopt},
                               {"treatment", 0.5, "default", std::nullopt}};
        QVERIFY(console.engine().experiments().create(experiment).ok());
        QVERIFY(console.engine().experiments().start("served-elsewhere").ok());
        QVERIFY(test::UiFixture::waitFor(
            [&] {
                return recommend(service, QStringLiteral("user_0001")).value(QStringLiteral("experiment")).toString() ==
                       QStringLiteral("served-elsewhere");
            },
            10000));

        // 30 users (user_0001 above included), a list and a click each, all at the service.
        int clicks = 0;
        for (int u = 1; u <= 30; ++u) {
            const QString user = QStringLiteral("user_%1").arg(u, 4, 10, QLatin1Char('0'));
            const auto list = recommend(service, user);
            const QString item = list.value(QStringLiteral("items")).toArray().first().toString();
            const auto click =
                test::http("POST", service.port(), QStringLiteral("/track/click?user_id=%1&item_id=%2").arg(user, item),
                           {}, {{"Content-Type", "application/json"}});
            if (click.status < 300) ++clicks;
        }
        QCOMPARE(clicks, 30);

        ui::ExperimentsPanel panel(console.host(), console.feed());
        QVERIFY(panel.selectExperiment(QStringLiteral("served-elsewhere")));
        auto users = [&] {
            panel.refreshResults();
            QTest::qWait(100);
            const auto& results = panel.currentResults();
            std::uint64_t n = 0;
            std::uint64_t c = 0;
            if (results && results->key == "served-elsewhere") {
                for (const auto& v : results->variants) {
                    n += v.counts.users;
                    c += v.counts.clicks;
                }
            }
            return std::make_pair(n, c);
        };
        QVERIFY2(
            test::UiFixture::waitFor([&] { return users() == std::make_pair(std::uint64_t{30}, std::uint64_t{30}); },
                                     30000 * test::timeScale()),
            qPrintable(QStringLiteral("the console read %1 users, %2 clicks").arg(users().first).arg(users().second)));
        QVERIFY2(panel.resultsView()->scope().startsWith(QStringLiteral("Fleet readout")),
                 qPrintable(panel.resultsView()->scope()));
        // The service reads the same.
        const auto served = service.get(QStringLiteral("/experiments/served-elsewhere/results")).json().object();
        qint64 serviceUsers = 0;
        for (const auto& v : served.value(QStringLiteral("variants")).toArray())
            serviceUsers += v.toObject().value(QStringLiteral("users")).toInteger();
        QCOMPARE(serviceUsers, qint64{30});
        QVERIFY2(service.terminate(), qPrintable(service.output()));
    }
};

QTEST_MAIN(TestConsoleSharedRedis)
#include "test_console_shared_redis.moc"

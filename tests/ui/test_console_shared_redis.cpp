// The console and a `recdeckd serve` on one real redis-server: an invalidation and an
// experiment made in the console are honoured by the running service.

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

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
        QVERIFY2(service.start({QStringLiteral("--dataset"), QString::fromStdString(writeFixtureWorld(m_dir).string()),
                                QStringLiteral("--data"), QString::fromStdString((m_dir / "service").string()),
                                QStringLiteral("--redis"), url, QStringLiteral("--models"),
                                QStringLiteral("popularity,default")},
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
        QVERIFY(test::UiFixture::waitFor([&] {
            return recommend(service, user).value(QStringLiteral("experiment")).toString().isEmpty();
        }));
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
        experiment.variants = {{"control", 0.5, "popularity", std::nullopt}, {"personalised", 0.5, "default", std::nullopt}};
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
};

QTEST_MAIN(TestConsoleSharedRedis)
#include "test_console_shared_redis.moc"

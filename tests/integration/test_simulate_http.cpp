// recdeckd simulate end to end: against a `recdeckd serve` started here (loopback HTTP),
// in-process on the demo world and on a dataset's held-out part, and its usage errors.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <fstream>

#include "recdeck/data/synthetic_world.h"
#include "service_process.h"
#include "test_support.h"
#include "world_csv.h"

using namespace recdeck;
using namespace recdeck::test;

namespace {

data::WorldConfig worldConfig() {
    data::WorldConfig config;
    config.users = 300;
    config.items = 200;
    config.seed = 11;
    return config;
}

std::filesystem::path writeDataset(const std::filesystem::path& dir) {
    return writeWorldCsv(dir, worldConfig());
}

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

Run simulate(const QStringList& arguments, int timeoutMs = 120000) {
    QProcess process;
    test::dieWithTest(process);
    process.start(recdeckdPath(), QStringList{QStringLiteral("simulate")} + arguments);
    Run run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
    } else if (process.exitStatus() == QProcess::NormalExit) {
        run.exitCode = process.exitCode();
    }
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QStringList worldArguments() {
    return {QStringLiteral("--world-users"), QStringLiteral("300"),          QStringLiteral("--world-items"),
            QStringLiteral("200"),           QStringLiteral("--world-seed"), QStringLiteral("11")};
}

}  // namespace

class TestSimulateHttp : public QObject {
    Q_OBJECT
    std::filesystem::path m_dir;
    std::filesystem::path m_dataset;
    ServiceProcess m_service;

private slots:
    void initTestCase() {
        m_dir = makeTempDir("recdeck-simulate");
        m_dataset = writeDataset(m_dir);
        QString error;
        QVERIFY2(m_service.start({QStringLiteral("--dataset"), QString::fromStdString(m_dataset.string()),
                                  QStringLiteral("--data"), QString::fromStdString((m_dir / "service").string()),
                                  QStringLiteral("--models"), QStringLiteral("popularity,default")},
                                 &error),
                 qPrintable(error));
    }
    void cleanupTestCase() {
        QVERIFY2(m_service.terminate(), qPrintable(m_service.output()));
        std::filesystem::remove_all(m_dir);
    }

    void pacedRunAgainstTheService() {
        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(m_service.port());
        const Run run =
            simulate(QStringList{QStringLiteral("--target"), url, QStringLiteral("--rps"), QStringLiteral("40"),
                                 QStringLiteral("--duration"), QStringLiteral("2"), QStringLiteral("--seed"),
                                 QStringLiteral("3"), QStringLiteral("--progress"), QStringLiteral("1"),
                                 QStringLiteral("--json")} +
                     worldArguments());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject summary = run.json();
        qInfo("HTTP run: %s", QJsonDocument(summary).toJson(QJsonDocument::Compact).constData());
        const double requests = summary.value(QStringLiteral("requests")).toDouble();
        QVERIFY(requests >= 10);  // loose: 40/s for 2 s is 80 on an idle machine
        QCOMPARE(summary.value(QStringLiteral("errors")).toDouble(), 0.0);
        QCOMPARE(summary.value(QStringLiteral("impressions")).toDouble(), requests * 10);
        const double events = summary.value(QStringLiteral("clicks")).toDouble() +
                              summary.value(QStringLiteral("add_to_cart")).toDouble() +
                              summary.value(QStringLiteral("purchases")).toDouble();
        QCOMPARE(summary.value(QStringLiteral("events_sent")).toDouble(), events);
        QCOMPARE(summary.value(QStringLiteral("events_failed")).toDouble(), 0.0);
        QVERIFY(summary.value(QStringLiteral("truth")).toString().contains(QStringLiteral("seed 11")));
        QVERIFY(run.err.contains("recdeckd: simulate"));  // progress lines

        // The clicks reached the service, attributed to the impressions that showed them.
        int clicksFound = 0;
        for (int u = 1; u <= 300 && clicksFound == 0; ++u) {
            const auto reply = m_service.get(QStringLiteral("/users/user_%1").arg(u, 4, 10, QLatin1Char('0')));
            QCOMPARE(reply.status, 200);
            const QJsonArray history = reply.json().object().value(QStringLiteral("history")).toArray();
            for (const auto& entry : history) {
                const QJsonObject click = entry.toObject();
                if (click.value(QStringLiteral("type")).toString() != QLatin1String("click")) continue;
                const QString requestId = click.value(QStringLiteral("request_id")).toString();
                QVERIFY(!requestId.isEmpty());
                bool shown = false;
                for (const auto& other : history) {
                    const QJsonObject impression = other.toObject();
                    if (impression.value(QStringLiteral("type")).toString() == QLatin1String("impression") &&
                        impression.value(QStringLiteral("request_id")).toString() == requestId) {
                        shown = impression.value(QStringLiteral("items"))
                                    .toArray()
                                    .contains(click.value(QStringLiteral("item_id")));
                    }
                }
                QVERIFY2(shown, qPrintable(requestId));
                ++clicksFound;
            }
        }
        if (events > 0) QVERIFY(clicksFound > 0);
    }

    // The demo experiment of the product, over HTTP: popularity against the personalised
    // default on the demo world, driven by simulated users whose true tastes the default
    // model learned. The personalised arm must win significantly, and the readout must be
    // what GET /experiments/<key>/results serves.
    void demoExperimentPersonalisedWinsOverHttp() {
        ServiceProcess demo;
        QString error;
        QVERIFY2(demo.start({QStringLiteral("--data"), QString::fromStdString((m_dir / "demo").string()),
                             QStringLiteral("--models"), QStringLiteral("popularity,default")},
                            &error),
                 qPrintable(error));
        const QByteArray definition = R"({"key": "pop-vs-personal", "variants": [)"
                                      R"({"name": "control", "weight": 0.5, "model": "popularity"},)"
                                      R"({"name": "personalised", "weight": 0.5, "model": "default"}]})";
        QCOMPARE(demo.post(QStringLiteral("/experiments"), definition).status, 201);
        QCOMPARE(demo.post(QStringLiteral("/experiments/pop-vs-personal/start")).status, 200);

        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(demo.port());
        const Run run = simulate({QStringLiteral("--target"), url, QStringLiteral("--rps"), QStringLiteral("max"),
                                  QStringLiteral("--requests"), QStringLiteral("12000"), QStringLiteral("--seed"),
                                  QStringLiteral("5"), QStringLiteral("--progress"), QStringLiteral("0"),
                                  QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.json().value(QStringLiteral("errors")).toDouble(), 0.0);

        const auto reply = demo.get(QStringLiteral("/experiments/pop-vs-personal/results"));
        QCOMPARE(reply.status, 200);
        const QJsonObject results = reply.json().object();
        qInfo("verdict: %s", qPrintable(results.value(QStringLiteral("verdict")).toString()));
        const QJsonArray variants = results.value(QStringLiteral("variants")).toArray();
        QCOMPARE(variants.size(), 2);
        double users = 0;
        for (const auto& v : variants) users += v.toObject().value(QStringLiteral("users")).toDouble();
        QVERIFY(users > 1000);
        QVERIFY(!results.value(QStringLiteral("srm")).toObject().value(QStringLiteral("mismatch")).toBool());
        const QJsonObject comparison = results.value(QStringLiteral("comparisons")).toArray().at(0).toObject();
        QCOMPARE(comparison.value(QStringLiteral("variant")).toString(), QStringLiteral("personalised"));
        QVERIFY(comparison.value(QStringLiteral("significant")).toBool());
        QVERIFY(comparison.value(QStringLiteral("diff")).toDouble() > 0);
        QVERIFY(comparison.value(QStringLiteral("ci_low")).toDouble() > 0);
        QVERIFY(comparison.value(QStringLiteral("chance_to_beat_control")).toDouble() > 0.99);
        QCOMPARE(results.value(QStringLiteral("status")).toString(), QStringLiteral("winning"));
        QVERIFY2(demo.terminate(), qPrintable(demo.output()));
    }

    void requestLimitedRunFlatOut() {
        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(m_service.port());
        const Run run =
            simulate(QStringList{QStringLiteral("--target"), url, QStringLiteral("--rps"), QStringLiteral("max"),
                                 QStringLiteral("--requests"), QStringLiteral("200"), QStringLiteral("--threads"),
                                 QStringLiteral("2"), QStringLiteral("--model"), QStringLiteral("popularity"),
                                 QStringLiteral("--progress"), QStringLiteral("0")} +
                     worldArguments());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        qInfo("summary:\n%s", run.out.constData());
        QVERIFY(run.out.contains("requests      200 in"));
        QVERIFY(run.out.contains("arm           model:popularity  200 requests"));
        QVERIFY(run.out.contains("CTR"));
        QVERIFY(run.out.contains("latency       p50"));
    }

    void inProcessDemoWorld() {
        const Run run =
            simulate(QStringList{QStringLiteral("--rps"), QStringLiteral("max"), QStringLiteral("--requests"),
                                 QStringLiteral("300"), QStringLiteral("--threads"), QStringLiteral("1"),
                                 QStringLiteral("--json"), QStringLiteral("--progress"), QStringLiteral("0")} +
                     worldArguments());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject summary = run.json();
        QCOMPARE(summary.value(QStringLiteral("requests")).toDouble(), 300.0);
        QVERIFY(summary.value(QStringLiteral("target"))
                    .toString()
                    .startsWith(QStringLiteral("in-process (Demo world (seed 11)")));
        QVERIFY(summary.value(QStringLiteral("clicks")).toDouble() > 0);
        QVERIFY(summary.value(QStringLiteral("new_users")).toDouble() > 0);
    }

    void inProcessHeldOutDataset() {
        const auto train = m_dir / "train.csv";
        const QString dataset = QString::fromStdString(m_dataset.string());
        // --duration 0 with --write-train only writes the train part.
        Run run = simulate({QStringLiteral("--dataset"), dataset, QStringLiteral("--write-train"),
                            QString::fromStdString(train.string()), QStringLiteral("--duration"), QStringLiteral("0")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(std::filesystem::file_size(train) > 1000);
        run = simulate({QStringLiteral("--dataset"), dataset, QStringLiteral("--test-fraction"), QStringLiteral("0.25"),
                        QStringLiteral("--rps"), QStringLiteral("max"), QStringLiteral("--requests"),
                        QStringLiteral("300"), QStringLiteral("--json"), QStringLiteral("--progress"),
                        QStringLiteral("0")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject summary = run.json();
        QCOMPARE(summary.value(QStringLiteral("requests")).toDouble(), 300.0);
        QVERIFY(summary.value(QStringLiteral("truth"))
                    .toString()
                    .startsWith(QStringLiteral("held-out interactions of interactions.csv")));
        QVERIFY(summary.value(QStringLiteral("clicks")).toDouble() > 0);
    }

    void usageAndRuntimeErrors_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("not http") << QStringList{QStringLiteral("--target"), QStringLiteral("ftp://127.0.0.1:21")} << 2
                                  << "must start with http://";
        QTest::newRow("https") << QStringList{QStringLiteral("--target"), QStringLiteral("https://127.0.0.1:8443")} << 2
                               << "https is not supported";
        QTest::newRow("no host") << QStringList{QStringLiteral("--target"), QStringLiteral("http://")} << 2 << "";
        QTest::newRow("bad rate") << QStringList{QStringLiteral("--rps"), QStringLiteral("fast")} << 2 << "--rps";
        QTest::newRow("world with dataset") << QStringList{QStringLiteral("--dataset"), QStringLiteral("/dev/null"),
                                                           QStringLiteral("--world-users"), QStringLiteral("10")}
                                            << 2 << "--world-users";
        QTest::newRow("split without dataset") << QStringList{QStringLiteral("--test-fraction"), QStringLiteral("0.2")}
                                               << 2 << "--test-fraction needs --dataset";
        QTest::newRow("nobody listening")
            << QStringList{QStringLiteral("--target"), QStringLiteral("http://127.0.0.1:1")} << 1
            << "cannot reach http://127.0.0.1:1";
    }
    void usageAndRuntimeErrors() {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const Run run = simulate(arguments + QStringList{QStringLiteral("--duration"), QStringLiteral("1")}, 30000);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.err.contains(message.toUtf8()), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestSimulateHttp)
#include "test_simulate_http.moc"

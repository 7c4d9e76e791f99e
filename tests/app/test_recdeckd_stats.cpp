// `recdeckd stats` against EVAL.md's command-line contract: one JSON object on stdout with
// full-precision numbers, and exit status 2 with a message on stderr for bad arguments.
// Expected numbers are the independent mpmath references of
// tests/core/experiments/test_statistics.cpp.

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <cmath>

#include "test_support.h"

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runStats(const QStringList& arguments) {
    QProcess process;
    recdeck::test::dieWithTest(process);
    process.start(QStringLiteral(RECDECKD_PATH), QStringList{QStringLiteral("stats")} + arguments);
    Run run;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

}  // namespace

class TestRecdeckdStats : public QObject {
    Q_OBJECT
private slots:
    void printsContractKeys_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("key");
        QTest::addColumn<double>("expected");  // checked to 1e-12 relative: full precision
        const auto split = [](const char* s) { return QString::fromLatin1(s).split(QLatin1Char(' ')); };
        QTest::newRow("sample-size") << split("sample-size --baseline 0.05 --mde 0.1") << "per_variant" << 31234.0;
        QTest::newRow("sample-size exact")
            << split("sample-size --baseline 0.05 --mde 0.1") << "per_variant_exact" << 31234.61690284215;
        QTest::newRow("sample-size absolute")
            << split("sample-size --baseline 0.2 --mde 0.01 --absolute --alpha 0.01 --power 0.9") << "per_variant"
            << 48499.0;
        QTest::newRow("power") << split("power --baseline 0.05 --mde 0.1 --n 10000") << "power" << 0.35392028369070848;
        QTest::newRow("mde") << split("mde --baseline 0.05 --n 10000") << "absolute_mde" << 0.0089936488998973151;
        QTest::newRow("mde decrease") << split("mde --baseline 0.05 --n 31234 --decrease") << "absolute_mde"
                                      << -0.004773915394321512;
        const QStringList ztest = split("ztest --control 10000,500 --treatment 10000,560");
        QTest::newRow("ztest p") << ztest << "p_value" << 0.058257806033516142;
        QTest::newRow("ztest z") << ztest << "z" << 1.8937529756356755;
        QTest::newRow("ztest diff") << ztest << "diff" << 0.006;
        QTest::newRow("ztest ci_low") << ztest << "ci_low" << -0.0002092203462282223;
        QTest::newRow("ztest ci_high") << ztest << "ci_high" << 0.012209220346228222;
        QTest::newRow("ztest lift") << ztest << "relative_lift" << 0.12;
        const QStringList bayes = split("bayes --control 10000,500 --treatment 10000,560");
        QTest::newRow("bayes chance") << bayes << "chance_to_beat_control" << 0.97083766370624992;
        QTest::newRow("bayes loss control") << bayes << "expected_loss_control" << 0.0060344748099517981;
        QTest::newRow("bayes loss treatment") << bayes << "expected_loss_treatment" << 3.5674569999788536e-5;
        QTest::newRow("srm p") << split("srm --observed 50600,49400 --weights 0.5,0.5") << "p_value"
                               << 0.00014780231033445416;
        QTest::newRow("srm 3 arms") << split("srm --observed 1010,2990,6000 --weights 0.1,0.3,0.6") << "p_value"
                                    << 0.93550698503161774;
        QTest::newRow("sequential") << split("sequential --control 20000,1000 --treatment 20000,1150 --tau 0.005")
                                    << "always_valid_p_value" << 0.024570953634380883;
    }
    void printsContractKeys() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, key);
        QFETCH(double, expected);
        const Run run = runStats(arguments);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.isEmpty(), run.err.constData());
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError && document.isObject(), run.out.constData());
        QVERIFY2(run.out.trimmed().count('\n') == 0, "one JSON object on one line");
        const QJsonValue value = document.object().value(key);
        QVERIFY2(value.isDouble(), qPrintable(key + QStringLiteral(" missing in ") + QString::fromUtf8(run.out)));
        const double actual = value.toDouble();
        QVERIFY2(
            std::abs(actual - expected) <= 1e-12 * std::abs(expected),
            qPrintable(
                QStringLiteral("%1 = %2, expected %3").arg(key).arg(actual, 0, 'g', 17).arg(expected, 0, 'g', 17)));
    }

    void flagsMismatch() {
        const QJsonObject skewed =
            QJsonDocument::fromJson(runStats({"srm", "--observed", "52000,48000", "--weights", "0.5,0.5"}).out)
                .object();
        QCOMPARE(skewed.value(QStringLiteral("mismatch")).toBool(true), true);
        const QJsonObject fair =
            QJsonDocument::fromJson(runStats({"srm", "--observed", "50100,49900", "--weights", "0.5,0.5"}).out)
                .object();
        QVERIFY(fair.value(QStringLiteral("mismatch")).isBool());
        QCOMPARE(fair.value(QStringLiteral("mismatch")).toBool(true), false);
    }

    void edgeCasesStayValidJson() {
        // Nobody converted: no relative lift, but never NaN (which would not parse).
        const Run run = runStats({"ztest", "--control", "1000,0", "--treatment", "1000,0"});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject object = QJsonDocument::fromJson(run.out).object();
        QVERIFY2(!object.isEmpty(), run.out.constData());
        QCOMPARE(object.value(QStringLiteral("p_value")).toDouble(), 1.0);
        QVERIFY(object.value(QStringLiteral("relative_lift")).isNull());
        QVERIFY(!run.out.contains("nan") && !run.out.contains("inf"));
    }

    void badArgumentsExitWithStatus2_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("no statistic") << QStringList{};
        QTest::newRow("unknown statistic") << QStringList{"median"};
        QTest::newRow("missing baseline") << QStringList{"sample-size", "--mde", "0.1"};
        QTest::newRow("baseline out of range") << QStringList{"sample-size", "--baseline", "1.5", "--mde", "0.1"};
        QTest::newRow("not a number") << QStringList{"power", "--baseline", "x", "--mde", "0.1", "--n", "100"};
        QTest::newRow("unknown option") << QStringList{"sample-size", "--baseline", "0.05", "--mde", "0.1", "--bogus"};
        QTest::newRow("malformed arm") << QStringList{"ztest", "--control", "10000", "--treatment", "10000,560"};
        QTest::newRow("conversions above users") << QStringList{"bayes", "--control", "10,11", "--treatment", "10,1"};
        QTest::newRow("zero users") << QStringList{"ztest", "--control", "0,0", "--treatment", "10,1"};
        QTest::newRow("weights mismatch") << QStringList{"srm", "--observed", "1,2,3", "--weights", "0.5,0.5"};
        QTest::newRow("mde impossible") << QStringList{"mde", "--baseline", "0.05", "--n", "3"};
    }
    void badArgumentsExitWithStatus2() {
        QFETCH(QStringList, arguments);
        const Run run = runStats(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.startsWith("recdeckd: "), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestRecdeckdStats)
#include "test_recdeckd_stats.moc"

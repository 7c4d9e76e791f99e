#include <QTest>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "recdeck/common/parallel.h"
#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/common/version.h"

class TestCommon : public QObject {
    Q_OBJECT
private slots:
    void parallelForCoversEveryIndexOnce_data() {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("threads");
        QTest::newRow("empty") << 0 << 4;
        QTest::newRow("one") << 1 << 4;
        QTest::newRow("fewer than threads") << 3 << 8;
        QTest::newRow("uneven") << 1001 << 3;
        QTest::newRow("single thread") << 50 << 1;
    }
    void parallelForCoversEveryIndexOnce() {
        QFETCH(int, n);
        QFETCH(int, threads);
        std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
        recdeck::parallelFor(
            static_cast<std::size_t>(n),
            [&](std::size_t b, std::size_t e) {
                for (std::size_t i = b; i < e; ++i) ++hits[i];
            },
            static_cast<unsigned>(threads));
        for (const auto& h : hits) QCOMPARE(h.load(), 1);
    }
    void parallelForRethrows() {
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, recdeck::parallelFor(
                                                         100,
                                                         [](std::size_t b, std::size_t) {
                                                             if (b > 0) throw std::runtime_error("chunk failed");
                                                         },
                                                         4));
    }
    void resultCarriesValueOrError() {
        recdeck::Result<int> good(7);
        QVERIFY(good.ok());
        QCOMPARE(*good, 7);
        recdeck::Result<int> bad(recdeck::Error{"a.csv:3: expected 4 fields"});
        QVERIFY(!bad);
        QCOMPARE(QString::fromStdString(bad.errorMessage()), QStringLiteral("a.csv:3: expected 4 fields"));
        recdeck::Status status;
        QVERIFY(status.ok());
    }
    void taskControlReportsAndCancels() {
        std::stop_source source;
        double last = -1;
        recdeck::TaskControl control{[&](double f, std::string_view) { last = f; }, source.get_token()};
        control.report(0.5);
        QCOMPARE(last, 0.5);
        QVERIFY(!control.cancelled());
        source.request_stop();
        QVERIFY(control.cancelled());
    }
    void versionComesFromProject() { QVERIFY(QByteArray(recdeck::kVersion).count('.') == 2); }
};

QTEST_APPLESS_MAIN(TestCommon)
#include "test_common.moc"

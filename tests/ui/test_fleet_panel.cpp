// Fleet: the Prometheus text reader (table-driven, and on the real service's /metrics),
// the figures derived from successive scrapes, and the panel watching a real
// `recdeckd serve` and an unreachable or silent address without blocking the GUI.

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <limits>

#include "recdeck/ui/adapters/fleet_metrics.h"
#include "recdeck/ui/adapters/fleet_monitor.h"
#include "recdeck/ui/adapters/prometheus_text.h"
#include "recdeck/ui/fleet/fleet_panel.h"
#include "recdeck/ui/fleet/fleet_table_model.h"
#include "service_process.h"
#include "test_support.h"
#include "ui_fixture.h"
#include "widget_lookup.h"

using namespace recdeck;
using test::buttonNamed;
using test::closedPort;
namespace prom = recdeck::ui::prometheus;

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

ui::ScrapeTotals totals(double requests, double impressions = 0, double clicks = 0, double hits = 0, double lookups = 0,
                        prom::Buckets latency = {}) {
    ui::ScrapeTotals t;
    t.hasRequestFamily = true;
    t.requests = requests;
    t.impressions = impressions;
    t.clicks = clicks;
    t.cacheHits = hits;
    t.cacheRequests = lookups;
    t.latency = std::move(latency);
    return t;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

class TestFleetPanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_fleet_panel"));
        QSettings().clear();
    }
    void init() { QSettings().remove(QStringLiteral("fleet")); }

    // --- the Prometheus text reader ---

    void parsesTrickyText_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("labelKey");
        QTest::addColumn<QString>("labelValue");
        QTest::addColumn<double>("value");
        QTest::addColumn<int>("samples");
        QTest::addColumn<int>("skipped");

        QTest::newRow("plain") << "a_total 3\n"
                               << "a_total"
                               << ""
                               << "" << 3.0 << 1 << 0;
        QTest::newRow("help and type comments")
            << "# HELP a_total Requests {with} \"odd\" text\n# TYPE a_total counter\n# free comment\na_total 7\n"
            << "a_total"
            << ""
            << "" << 7.0 << 1 << 0;
        QTest::newRow("escaped quote") << "m{q=\"say \\\"hi\\\"\"} 1\n"
                                       << "m"
                                       << "q"
                                       << "say \"hi\"" << 1.0 << 1 << 0;
        QTest::newRow("escaped backslash") << "m{path=\"C:\\\\dir\"} 2\n"
                                           << "m"
                                           << "path"
                                           << "C:\\dir" << 2.0 << 1 << 0;
        QTest::newRow("escaped newline") << "m{t=\"a\\nb\"} 2\n"
                                         << "m"
                                         << "t"
                                         << "a\nb" << 2.0 << 1 << 0;
        QTest::newRow("comma and brace inside a value") << "m{a=\"x,y}\",b=\"2\"} 4\n"
                                                        << "m"
                                                        << "a"
                                                        << "x,y}" << 4.0 << 1 << 0;
        QTest::newRow("trailing comma in labels") << "m{a=\"1\",} 5\n"
                                                  << "m"
                                                  << "a"
                                                  << "1" << 5.0 << 1 << 0;
        QTest::newRow("spaces around labels") << "m { a = \"1\" , b=\"2\" }   6\n"
                                              << "m"
                                              << "b"
                                              << "2" << 6.0 << 1 << 0;
        QTest::newRow("tabs and CRLF") << "m\t8\r\nn 9\r\n"
                                       << "m"
                                       << ""
                                       << "" << 8.0 << 2 << 0;
        QTest::newRow("+Inf bucket") << "h_bucket{le=\"+Inf\"} 12\n"
                                     << "h_bucket"
                                     << "le"
                                     << "+Inf" << 12.0 << 1 << 0;
        QTest::newRow("scientific value") << "m 1.5e-3\n"
                                          << "m"
                                          << ""
                                          << "" << 0.0015 << 1 << 0;
        QTest::newRow("explicit plus sign") << "m +2.5\n"
                                            << "m"
                                            << ""
                                            << "" << 2.5 << 1 << 0;
        QTest::newRow("timestamp") << "m 3 1700000000000\n"
                                   << "m"
                                   << ""
                                   << "" << 3.0 << 1 << 0;
        QTest::newRow("unreadable line skipped") << "m 1\nbroken{a=\"1\" 2\nn 3\n"
                                                 << "m"
                                                 << ""
                                                 << "" << 1.0 << 2 << 1;
        QTest::newRow("value missing") << "m\nn 3\n"
                                       << "n"
                                       << ""
                                       << "" << 3.0 << 1 << 1;
        QTest::newRow("no final newline") << "m 4"
                                          << "m"
                                          << ""
                                          << "" << 4.0 << 1 << 0;
    }
    void parsesTrickyText() {
        QFETCH(QString, text);
        QFETCH(QString, name);
        QFETCH(QString, labelKey);
        QFETCH(QString, labelValue);
        QFETCH(double, value);
        QFETCH(int, samples);
        QFETCH(int, skipped);
        const auto exposition = prom::parse(text.toStdString());
        QCOMPARE(static_cast<int>(exposition.samples.size()), samples);
        QCOMPARE(static_cast<int>(exposition.skippedLines), skipped);
        const auto found = exposition.find(name.toStdString());
        QVERIFY2(!found.empty(), qPrintable(name));
        QCOMPARE(found.front()->value, value);
        if (!labelKey.isEmpty()) {
            const auto label = found.front()->label(labelKey.toStdString());
            QVERIFY(label.has_value());
            QCOMPARE(QString::fromStdString(std::string(*label)), labelValue);
        }
    }

    void readsSpecialValuesAndProblems() {
        const auto exposition = prom::parse("a NaN\nb -Inf\nc +Inf\n# TYPE h histogram\nbad line here\n");
        QVERIFY(std::isnan(exposition.find("a").front()->value));
        QCOMPARE(exposition.find("b").front()->value, -kInf);
        QCOMPARE(exposition.find("c").front()->value, kInf);
        QCOMPARE(QString::fromStdString(exposition.types.at("h")), QStringLiteral("histogram"));
        QCOMPARE(exposition.skippedLines, std::size_t{1});
        QVERIFY2(exposition.firstProblem.rfind("line 5:", 0) == 0, exposition.firstProblem.c_str());
    }

    void sumsAndBucketsAcrossLabels() {
        const auto exposition = prom::parse(
            "r_total{status=\"ok\"} 10\nr_total{status=\"client_error\"} 2\nr_total{status=\"server_error\"} 1\n"
            "h_bucket{le=\"0.1\",shard=\"a\"} 3\nh_bucket{le=\"0.1\",shard=\"b\"} 1\n"
            "h_bucket{le=\"+Inf\",shard=\"a\"} 5\nh_bucket{le=\"+Inf\",shard=\"b\"} 2\n");
        QCOMPARE(*exposition.sum("r_total"), 13.0);
        QCOMPARE(*exposition.sum("r_total", {{"status", "client_error"}}), 2.0);
        QVERIFY(!exposition.sum("absent_total").has_value());
        const auto buckets = exposition.buckets("h");
        QCOMPARE(static_cast<int>(buckets.size()), 2);
        QCOMPARE(buckets[0].first, 0.1);
        QCOMPARE(buckets[0].second, 4.0);
        QVERIFY(std::isinf(buckets[1].first));
        QCOMPARE(buckets[1].second, 7.0);
    }

    // Expected values worked by hand with histogram_quantile's interpolation.
    void quantileOfBuckets_data() {
        QTest::addColumn<QList<QPointF>>("buckets");
        QTest::addColumn<double>("q");
        QTest::addColumn<double>("expected");  // NaN: no answer
        const QList<QPointF> b = {{0.1, 50}, {0.2, 90}, {0.5, 100}, {kInf, 100}};
        QTest::newRow("median in the first bucket") << b << 0.5 << 0.1;
        QTest::newRow("within the first bucket") << b << 0.25 << 0.05;
        QTest::newRow("p90 at a bound") << b << 0.9 << 0.2;
        QTest::newRow("p95 interpolated") << b << 0.95 << 0.35;
        QTest::newRow("rank in +Inf: highest finite bound") << QList<QPointF>{{0.1, 10}, {kInf, 20}} << 0.99 << 0.1;
        QTest::newRow("empty histogram") << QList<QPointF>{{0.1, 0}, {kInf, 0}} << 0.99 << std::nan("");
        QTest::newRow("no +Inf bucket") << QList<QPointF>{{0.1, 3}} << 0.5 << std::nan("");
    }
    void quantileOfBuckets() {
        QFETCH(QList<QPointF>, buckets);
        QFETCH(double, q);
        QFETCH(double, expected);
        prom::Buckets input;
        for (const QPointF& p : buckets) input.emplace_back(p.x(), p.y());
        const auto value = prom::quantile(q, input);
        if (std::isnan(expected)) {
            QVERIFY(!value.has_value());
        } else {
            QVERIFY(value.has_value());
            QVERIFY2(std::abs(*value - expected) < 1e-12, qPrintable(QString::number(*value)));
        }
    }

    // --- figures from successive scrapes ---

    void ratesFromCounterDeltas() {
        ui::TrafficWindow window;
        const qint64 t0 = 1'700'000'000'000;
        const auto first = window.add(t0, totals(100, 1000, 10, 80, 100));
        QVERIFY(!first.hasRate);
        const auto second = window.add(t0 + 2000, totals(140, 1400, 30, 110, 140));
        QVERIFY(second.hasRate);
        QCOMPARE(second.requestsPerSecond, 20.0);
        QVERIFY(second.hasCtr);
        QCOMPARE(second.ctr, 20.0 / 400.0);
        QVERIFY(second.hasHitRate);
        QCOMPARE(second.hitRate, 30.0 / 40.0);
        QVERIFY(!second.restarted);
        QCOMPARE(window.requestsHistory().size(), 1);
    }

    void counterResetCountsFromZero() {
        ui::TrafficWindow window;
        const qint64 t0 = 1'700'000'000'000;
        window.add(t0, totals(500, 5000, 50));
        window.add(t0 + 2000, totals(540, 5400, 54));
        // The instance restarted: its counters start again from zero.
        const auto after = window.add(t0 + 4000, totals(10, 100, 5));
        QVERIFY(after.restarted);
        QCOMPARE(after.requestsPerSecond, 5.0);
        QCOMPARE(after.ctr, 5.0 / 100.0);
        const auto next = window.add(t0 + 6000, totals(30, 300, 7));
        QVERIFY(!next.restarted);
        QCOMPARE(next.requestsPerSecond, 10.0);
        QVERIFY(ui::isCounterReset(totals(5), totals(4)));
        QVERIFY(!ui::isCounterReset(totals(5), totals(5)));
    }

    void p99OverTheLastMinute() {
        ui::TrafficWindow window;
        const qint64 t0 = 1'700'000'000'000;
        // Early requests were slow; the last minute's are all under 10 ms.
        window.add(t0, totals(100, 0, 0, 0, 0, {{0.01, 0}, {1.0, 100}, {kInf, 100}}));
        window.add(t0 + 2000, totals(110, 0, 0, 0, 0, {{0.01, 10}, {1.0, 110}, {kInf, 110}}));
        auto f = window.add(t0 + 70'000, totals(210, 0, 0, 0, 0, {{0.01, 110}, {1.0, 210}, {kInf, 210}}));
        QVERIFY(f.hasLatency);
        // Window from t0+2000 (the newest scrape at least a minute old) to t0+70000:
        // 100 observations, all <= 10 ms -> p99 inside the first bucket: 9.9 ms.
        QVERIFY2(std::abs(f.p99Ms - 9.9) < 1e-9, qPrintable(QString::number(f.p99Ms)));
        f = window.add(t0 + 72'000, totals(210, 0, 0, 0, 0, {{0.01, 110}, {1.0, 210}, {kInf, 210}}));
        QVERIFY(f.hasLatency);  // still requests within the last minute
        QCOMPARE(f.requestsPerSecond, 0.0);
    }

    void normalisesAddresses_data() {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("expected");  // empty: rejected
        QTest::newRow("host and port") << "127.0.0.1:8000"
                                       << "http://127.0.0.1:8000";
        QTest::newRow("trailing slash") << "http://127.0.0.1:8000/"
                                        << "http://127.0.0.1:8000";
        QTest::newRow("default port") << "http://localhost"
                                      << "http://localhost:80";
        QTest::newRow("upper case") << "HTTP://LOCALHOST:9000"
                                    << "http://localhost:9000";
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("other scheme") << "ftp://127.0.0.1:21"
                                      << "";
        QTest::newRow("a path") << "http://127.0.0.1:8000/metrics"
                                << "";
        QTest::newRow("bad port") << "http://127.0.0.1:99999"
                                  << "";
        QTest::newRow("credentials") << "http://user:pw@127.0.0.1:8000"
                                     << "";
    }
    void normalisesAddresses() {
        QFETCH(QString, typed);
        QFETCH(QString, expected);
        QString error;
        const QUrl url = ui::FleetMonitor::normalizeUrl(typed, &error);
        if (expected.isEmpty()) {
            QVERIFY(!url.isValid() || url.isEmpty());
            QVERIFY(!error.isEmpty());
        } else {
            QVERIFY2(url.isValid(), qPrintable(error));
            QCOMPARE(url.toString(), expected);
        }
    }

    // --- against the real service ---

    void readsTheRealServiceMetrics() {
        test::ServiceProcess service;
        QVERIFY(startService(service));
        for (int i = 0; i < 5; ++i) {
            const auto reply = service.post(QStringLiteral("/recommendations"),
                                            QByteArray("{\"user_id\":\"u") + QByteArray::number(i) + "\",\"n\":5}");
            QCOMPARE(reply.status, 200);
        }
        const auto metrics = service.get(QStringLiteral("/metrics"));
        QCOMPARE(metrics.status, 200);
        const auto exposition =
            prom::parse(std::string_view(metrics.body.constData(), static_cast<std::size_t>(metrics.body.size())));
        QVERIFY2(exposition.skippedLines == 0, exposition.firstProblem.c_str());
        QCOMPARE(QString::fromStdString(exposition.types.at("recdeck_requests_total")), QStringLiteral("counter"));
        QCOMPARE(QString::fromStdString(exposition.types.at("recdeck_request_duration_seconds")),
                 QStringLiteral("histogram"));
        const auto totals = ui::ScrapeTotals::from(exposition);
        QVERIFY(totals.hasRequestFamily);
        QCOMPARE(totals.requests, 5.0);
        QCOMPARE(totals.cacheRequests, 5.0);
        QVERIFY(totals.impressions >= 5.0);
        QVERIFY(!totals.latency.empty());
        QVERIFY(std::isinf(totals.latency.back().first));
        QCOMPARE(totals.latency.back().second, 5.0);
        const auto p99 = prom::quantile(0.99, totals.latency);
        QVERIFY(p99.has_value() && *p99 > 0.0);
        QVERIFY2(!totals.defaultModel.isEmpty(), metrics.body.constData());
        QCOMPARE(totals.store, QStringLiteral("embedded"));
        QVERIFY(totals.storeUp.value_or(false));
        service.terminate();
    }

    void showsARealInstanceReadyWithTraffic() {
        test::ServiceProcess service;
        QVERIFY(startService(service));
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        fixture.fleet().setInterval(500);
        ui::FleetPanel panel(fixture.host(), fixture.fleet());
        panel.resize(1200, 800);
        panel.show();

        auto* address = panel.findChild<QLineEdit*>(QStringLiteral("fleetAddress"));
        auto* add = buttonNamed(panel, QStringLiteral("fleetAdd"));
        QVERIFY(address && add);
        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(service.port());
        QTest::keyClicks(address, url);
        QTest::mouseClick(add, Qt::LeftButton);
        QCOMPARE(fixture.fleet().instances(), QList<QUrl>{QUrl(url)});
        QVERIFY(address->text().isEmpty());

        // Requests while the console polls; bounded.
        bool seen = false;
        for (int i = 0; i < 400 && !seen; ++i) {
            service.post(QStringLiteral("/recommendations"),
                         QByteArray("{\"user_id\":\"v") + QByteArray::number(i % 40) + "\"}");
            QTest::qWait(25);
            const auto state = fixture.fleet().state(QUrl(url));
            seen = state && state->reachable && state->ready && state->hasRate && state->requestsPerSecond > 0;
        }
        QVERIFY2(seen, qPrintable(fixture.fleet().state(QUrl(url))->error));
        const auto state = *fixture.fleet().state(QUrl(url));
        QCOMPARE(state.health(), ui::InstanceState::Health::Ready);
        QCOMPARE(state.store, QStringLiteral("embedded"));
        QVERIFY(!state.model.isEmpty());
        QVERIFY(state.lastSeenMs > 0);
        QVERIFY(!state.requestsHistory.isEmpty());

        auto* table = panel.findChild<QTableView*>(QStringLiteral("fleetTable"));
        QVERIFY(table);
        auto* model = table->model();
        QVERIFY(waitUntil([&] { return model->rowCount() == 2; }));
        QCOMPARE(model->index(0, ui::FleetTableModel::InstanceColumn).data().toString(),
                 QStringLiteral("This console"));
        QCOMPARE(model->index(1, ui::FleetTableModel::InstanceColumn).data().toString(),
                 QStringLiteral("127.0.0.1:%1").arg(service.port()));
        QVERIFY(waitUntil([&] {
            return model->index(1, ui::FleetTableModel::StateColumn).data().toString() == QStringLiteral("Ready");
        }));
        QVERIFY(model->index(1, ui::FleetTableModel::RequestsColumn).data().toString() != QStringLiteral("–"));
        // Both the console and the instance are embedded: the panel says how to share.
        auto* sharing = panel.findChild<QLabel*>(QStringLiteral("fleetSharing"));
        QVERIFY(sharing && sharing->text().contains(QStringLiteral("same Redis")));
        service.terminate();

        // The instance stops: the row turns unreachable with the error.
        QVERIFY(waitUntil([&] {
            const auto s = fixture.fleet().state(QUrl(url));
            return s && s->health() == ui::InstanceState::Health::Unreachable;
        }));
        QVERIFY(!fixture.fleet().state(QUrl(url))->error.isEmpty());
    }

    void unreachableAddressIsAnErrorState() {
        test::UiFixture fixture;
        ui::FleetPanel panel(fixture.host(), fixture.fleet());
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port));
        QVERIFY(fixture.fleet().addInstance(url));
        QVERIFY(!fixture.fleet().addInstance(url));  // already known
        QVERIFY(
            waitUntil([&] { return fixture.fleet().state(url)->health() == ui::InstanceState::Health::Unreachable; }));
        const auto state = *fixture.fleet().state(url);
        QVERIFY2(state.error.contains(QStringLiteral("refused")), qPrintable(state.error));
        QVERIFY(!state.reachable);
        QCOMPARE(state.lastSeenMs, qint64{0});
        auto* table = panel.findChild<QTableView*>(QStringLiteral("fleetTable"));
        const int row = 1;
        QCOMPARE(table->model()->index(row, ui::FleetTableModel::StateColumn).data().toString(),
                 QStringLiteral("Unreachable"));
        QVERIFY(table->model()
                    ->index(row, ui::FleetTableModel::ErrorColumn)
                    .data()
                    .toString()
                    .contains(QStringLiteral("refused")));
    }

    void silentServerTimesOutWithoutBlocking() {
        // A server that accepts connections and never answers.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket*> held;
        connect(&silent, &QTcpServer::newConnection, this, [&] {
            while (auto* socket = silent.nextPendingConnection()) held << socket;
        });
        test::UiFixture fixture;
        fixture.fleet().setRequestTimeout(400);
        const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
        QVERIFY(fixture.fleet().addInstance(url));
        // addInstance returned at once, and the event loop keeps running while the poll waits.
        bool ranWhilePending = false;
        QTimer::singleShot(0, this, [&] { ranWhilePending = fixture.fleet().state(url)->lastPollMs == 0; });
        QVERIFY(waitUntil([&] { return fixture.fleet().state(url)->lastPollMs != 0; }));
        QVERIFY(ranWhilePending);
        const auto state = *fixture.fleet().state(url);
        QCOMPARE(state.health(), ui::InstanceState::Health::Unreachable);
        QVERIFY2(state.error.contains(QStringLiteral("no answer within")), qPrintable(state.error));
        qDeleteAll(held);
    }

    // At the default window size (1440 px, 1228 px beside the navigation) every column of
    // the instances table shows its header and values in full, without a scroll bar, and
    // the store note starts with an icon, not a character the font may lack.
    void tableColumnsFitTheWidth() {
        test::UiFixture fixture;
        ui::FleetPanel panel(fixture.host(), fixture.fleet());
        panel.resize(1228, 820);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port));
        QVERIFY(fixture.fleet().addInstance(url));
        QVERIFY(
            waitUntil([&] { return fixture.fleet().state(url)->health() == ui::InstanceState::Health::Unreachable; }));
        QTest::qWait(50);

        auto* table = panel.findChild<QTableView*>(QStringLiteral("fleetTable"));
        QVERIFY(table);
        QHeaderView* header = table->horizontalHeader();
        int total = 0;
        for (int c = 0; c < ui::FleetTableModel::ColumnCount; ++c) {
            total += header->sectionSize(c);
            if (c == ui::FleetTableModel::ErrorColumn) continue;  // long errors elide; the tooltip has them
            QVERIFY2(header->sectionSize(c) >= header->sectionSizeHint(c),
                     qPrintable(QStringLiteral("column %1: %2 < %3")
                                    .arg(c)
                                    .arg(header->sectionSize(c))
                                    .arg(header->sectionSizeHint(c))));
            for (int row = 0; row < table->model()->rowCount(); ++row) {
                const int needed = table->sizeHintForIndex(table->model()->index(row, c)).width();
                QVERIFY2(header->sectionSize(c) >= needed,
                         qPrintable(QStringLiteral("column %1 row %2").arg(c).arg(row)));
            }
        }
        QVERIFY2(total <= table->viewport()->width(),
                 qPrintable(QStringLiteral("%1 > %2").arg(total).arg(table->viewport()->width())));
        QVERIFY(!table->horizontalScrollBar()->isVisible());

        auto* sharing = panel.findChild<QLabel*>(QStringLiteral("fleetSharing"));
        QVERIFY(sharing && sharing->text().startsWith(QStringLiteral("This console")));
        auto* icon = panel.findChild<QLabel*>(QStringLiteral("fleetSharingIcon"));
        QVERIFY(icon && !icon->pixmap().isNull());
        fixture.fleet().removeInstance(url);
    }

    void panelValidatesTheAddress() {
        test::UiFixture fixture;
        ui::FleetPanel panel(fixture.host(), fixture.fleet());
        auto* address = panel.findChild<QLineEdit*>(QStringLiteral("fleetAddress"));
        auto* errorLabel = panel.findChild<QLabel*>(QStringLiteral("fleetAddError"));
        QVERIFY(address && errorLabel);
        address->setText(QStringLiteral("ftp://127.0.0.1:21"));
        QVERIFY(!panel.addFromField());
        QVERIFY(!errorLabel->isHidden());
        QVERIFY(errorLabel->text().contains(QStringLiteral("http://")));
        QVERIFY(fixture.fleet().instances().isEmpty());
        address->setText(QStringLiteral("127.0.0.1:8123"));
        QVERIFY(panel.addFromField());
        QVERIFY(errorLabel->isHidden());
        address->setText(QStringLiteral("http://127.0.0.1:8123/"));
        QVERIFY(!panel.addFromField());
        QVERIFY(errorLabel->text().contains(QStringLiteral("already")));
        auto* hint = panel.findChild<QLabel*>(QStringLiteral("fleetEmptyHint"));
        QVERIFY(hint && hint->isHidden());
    }

    void instanceListIsRemembered() {
        {
            ui::FleetMonitor first;
            QVERIFY(first.addInstance(QUrl(QStringLiteral("http://127.0.0.1:8124"))));
            QVERIFY(first.addInstance(QUrl(QStringLiteral("http://127.0.0.1:8125"))));
            first.removeInstance(QUrl(QStringLiteral("http://127.0.0.1:8124")));
        }
        ui::FleetMonitor second;
        QCOMPARE(second.instances(), QList<QUrl>{QUrl(QStringLiteral("http://127.0.0.1:8125"))});
    }

private:
    static bool waitUntil(const std::function<bool()>& cond, int ms = 20000) {
        return test::waitForCondition(cond, ms);
    }

    bool startService(test::ServiceProcess& service) {
        m_dirs.push_back(test::makeTempDir("recdeck-fleet"));
        QString error;
        const bool started = service.start(
            {QStringLiteral("--data"), QString::fromStdString(m_dirs.back().string()), QStringLiteral("--models"),
             QStringLiteral("popularity"), QStringLiteral("--threads"), QStringLiteral("1")},
            &error);
        if (!started) qWarning("recdeckd serve did not start: %s", qPrintable(error));
        return started;
    }

    std::vector<std::filesystem::path> m_dirs;

private slots:
    void cleanupTestCase() {
        for (const auto& dir : m_dirs) std::filesystem::remove_all(dir);
    }
};

QTEST_MAIN(TestFleetPanel)
#include "test_fleet_panel.moc"

// What recent traffic says for planning (traffic_estimate.h): baselines among distinct
// users, how fast new users arrive, and the days an experiment needs — from users, never
// from requests.

#include <QTest>

#include <optional>
#include <string>
#include <vector>

#include "recdeck/experiments/traffic_estimate.h"

using namespace recdeck;
using experiments::Metric;

namespace {

constexpr std::int64_t kMinute = 60'000;

store::Event impression(const std::string& user, std::int64_t at, std::size_t items = 10) {
    store::Event e;
    e.type = store::EventType::Impression;
    e.userId = user;
    e.timestampMs = at;
    for (std::size_t i = 0; i < items; ++i) e.items.push_back("i" + std::to_string(i));
    return e;
}

store::Event act(store::EventType type, const std::string& user, std::int64_t at) {
    store::Event e;
    e.type = type;
    e.userId = user;
    e.itemId = "i0";
    e.timestampMs = at;
    return e;
}

}  // namespace

class TestTrafficEstimate : public QObject {
    Q_OBJECT
private slots:
    // One user coming back a hundred times is one user: the baseline and the arrivals
    // count users.
    void returningUsersCountOnce() {
        std::vector<store::Event> events;
        for (int visit = 0; visit < 100; ++visit) {
            for (int u = 0; u < 10; ++u) events.push_back(impression("u" + std::to_string(u), visit * 1000 + u));
        }
        events.push_back(act(store::EventType::Click, "u1", 5000));
        events.push_back(act(store::EventType::Click, "u1", 6000));
        events.push_back(act(store::EventType::Purchase, "u2", 7000));
        const auto t = experiments::summariseTraffic(events, 0, 100'000);
        QCOMPARE(t.users, 10u);
        QCOMPARE(t.clickers, 1u);
        QCOMPARE(t.converters, 1u);
        QCOMPARE(*t.baseline(Metric::ClickRate), 0.1);
        QCOMPARE(*t.baseline(Metric::ConversionRate), 0.1);
        QCOMPARE(*t.baseline(Metric::Ctr), 2.0 / 10000.0);
        QCOMPARE(t.newLaterUsers, 0u);  // all of them were there in the first half
        QCOMPARE(t.newUsersPerDay(), 0.0);
    }

    void nothingServedHasNoBaseline() {
        const std::vector<store::Event> events = {act(store::EventType::Click, "u", 10)};
        const auto t = experiments::summariseTraffic(events, 0, 100);
        QCOMPARE(t.users, 0u);
        QVERIFY(!t.baseline(Metric::ClickRate));
        QVERIFY(!t.baseline(Metric::Ctr));
        QVERIFY(!t.daysToReach(10, 1.0));
    }

    void eventsOutsideTheSpanAreIgnored() {
        const std::vector<store::Event> events = {impression("early", -1), impression("in", 0),
                                                  impression("late", 100)};
        const auto t = experiments::summariseTraffic(events, 0, 100);
        QCOMPARE(t.users, 1u);
    }

    void daysToReach_data() {
        QTest::addColumn<int>("oldUsers");  // seen in the first half of a 60-minute span
        QTest::addColumn<int>("newUsers");  // first seen in the second half
        QTest::addColumn<double>("needed");
        QTest::addColumn<double>("coverage");
        QTest::addColumn<double>("days");  // < 0: never
        // 60 minutes = 1/24 day; 300 new users in 30 min = 14,400 a day.
        QTest::newRow("the users present suffice") << 700 << 300 << 500.0 << 1.0 << (1.0 / 24.0) * 0.5;
        QTest::newRow("half coverage needs twice the users") << 700 << 300 << 500.0 << 0.5 << (1.0 / 24.0);
        QTest::newRow("then new users at their rate") << 700 << 300 << 15'400.0 << 1.0 << (1.0 / 24.0) + 1.0;
        QTest::newRow("a closed population never gets there") << 1000 << 0 << 1001.0 << 1.0 << -1.0;
        QTest::newRow("a closed population that suffices") << 1000 << 0 << 1000.0 << 1.0 << (1.0 / 24.0);
    }
    void daysToReach() {
        QFETCH(int, oldUsers);
        QFETCH(int, newUsers);
        QFETCH(double, needed);
        QFETCH(double, coverage);
        QFETCH(double, days);
        std::vector<store::Event> events;
        for (int u = 0; u < oldUsers; ++u) {
            events.push_back(impression("old" + std::to_string(u), 1 * kMinute));
            events.push_back(impression("old" + std::to_string(u), 45 * kMinute));  // returns
        }
        for (int u = 0; u < newUsers; ++u) events.push_back(impression("new" + std::to_string(u), 40 * kMinute));
        const auto t = experiments::summariseTraffic(events, 0, 60 * kMinute);
        QCOMPARE(t.users, static_cast<std::uint64_t>(oldUsers + newUsers));
        QCOMPARE(t.newLaterUsers, static_cast<std::uint64_t>(newUsers));
        const auto got = t.daysToReach(needed, coverage);
        if (days < 0) {
            QVERIFY(!got);
        } else {
            QVERIFY(got);
            QVERIFY2(std::abs(*got - days) < 1e-9, qPrintable(QString("%1 vs %2").arg(*got).arg(days)));
        }
    }
};

QTEST_GUILESS_MAIN(TestTrafficEstimate)
#include "test_traffic_estimate.moc"

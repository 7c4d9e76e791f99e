#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "recdeck/common/stopwatch.h"
#include "recdeck/data/importer.h"
#include "recdeck/serving/engine.h"
#include "recdeck/sim/demo.h"
#include "recdeck/sim/engine_target.h"
#include "recdeck/sim/held_out_truth.h"
#include "recdeck/sim/traffic_simulator.h"
#include "recdeck/sim/user_population.h"
#include "recdeck/sim/world_truth.h"
#include "test_support.h"

using namespace recdeck;
using namespace recdeck::sim;

namespace {

data::WorldConfig smallWorld() {
    data::WorldConfig config;
    config.users = 400;
    config.items = 300;
    config.seed = 5;
    return config;
}

serving::EngineConfig engineConfig(const std::filesystem::path& dir) {
    serving::EngineConfig config;
    config.dataDir = dir;
    config.demo = smallWorld();
    config.models = {"popularity", "default"};
    return config;
}

std::unique_ptr<serving::Engine> openEngine(const std::filesystem::path& dir) {
    auto engine = serving::Engine::open(engineConfig(dir));
    if (!engine) qFatal("engine: %s", engine.errorMessage().c_str());
    return std::move(*engine);
}

std::unique_ptr<TrafficSimulator> makeSimulator(Target& target, const GroundTruth& truth, SimulatorConfig config) {
    auto simulator = TrafficSimulator::create(target, truth, std::move(config));
    if (!simulator) qFatal("simulator: %s", simulator.errorMessage().c_str());
    return std::move(*simulator);
}

// A target with deterministic lists: user U sees n consecutive catalog items starting at
// a position derived from U's id and the number of U's earlier requests. Records what it
// showed and every event it was sent. Can fail every call, or block until stopped.
class FakeTarget final : public Target {
public:
    explicit FakeTarget(std::vector<std::string> catalog) : m_catalog(std::move(catalog)) {}

    std::optional<Error> failWith;       // set: every recommend fails with this error
    std::optional<Error> failSendsWith;  // set: every send fails with this error
    bool blockUntilStopped = false;

    Result<Shown> recommend(const std::string& userId, std::size_t n, std::stop_token stop) override {
        ++m_calls;
        if (blockUntilStopped) {
            ++m_inFlight;
            std::mutex mutex;
            std::condition_variable_any wake;
            std::unique_lock lock(mutex);
            // Safety cap so a simulator that never stops fails the test instead of hanging it.
            const bool stopped =
                wake.wait_for(lock, stop, std::chrono::seconds(20), [] { return false; }) || stop.stop_requested();
            --m_inFlight;
            if (stopped) return targetError(ErrorKind::Cancelled, "cancelled", "stopped");
            return targetError(ErrorKind::Unavailable, "timeout", "never stopped");
        }
        if (failWith) return *failWith;
        std::lock_guard lock(m_mutex);
        const std::size_t visit = m_visits[userId]++;
        const std::size_t start = (std::hash<std::string>{}(userId) + visit * 7) % m_catalog.size();
        Shown shown;
        shown.requestId = "req-" + std::to_string(++m_requests);
        for (std::size_t i = 0; i < n; ++i) shown.items.push_back(m_catalog[(start + i) % m_catalog.size()]);
        shown.model = "fake";
        shown.coldStart = visit == 0 && userId.rfind("newcomer-", 0) == 0;
        shown.latencyUs = 100.0;
        m_shown[shown.requestId] = {userId, shown.items};
        return shown;
    }

    Status send(std::vector<store::Event> events, std::stop_token) override {
        if (failSendsWith) return *failSendsWith;
        std::lock_guard lock(m_mutex);
        for (auto& event : events) m_events.push_back(std::move(event));
        return {};
    }

    std::string describe() const override { return "fake"; }

    std::vector<store::Event> events() const {
        std::lock_guard lock(m_mutex);
        return m_events;
    }
    std::pair<std::string, std::vector<std::string>> shown(const std::string& requestId) const {
        std::lock_guard lock(m_mutex);
        const auto found = m_shown.find(requestId);
        return found == m_shown.end() ? std::pair<std::string, std::vector<std::string>>{} : found->second;
    }
    int calls() const { return m_calls.load(); }
    int inFlight() const { return m_inFlight.load(); }

private:
    std::vector<std::string> m_catalog;
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, std::size_t> m_visits;
    std::map<std::string, std::pair<std::string, std::vector<std::string>>> m_shown;
    std::vector<store::Event> m_events;
    std::size_t m_requests = 0;
    std::atomic<int> m_calls{0};
    std::atomic<int> m_inFlight{0};
};

std::vector<std::string> catalogOf(const data::SyntheticWorld& world) {
    return world.dataset().catalog.items().ids();
}

// Waits (bounded) until `condition` holds; returns whether it did.
template <typename Condition>
bool waitFor(Condition condition, int timeoutMs = 10000) {
    Stopwatch watch;
    while (!condition()) {
        if (watch.elapsedMs() > timeoutMs) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// Two-proportion z statistic (pooled), for x1/n1 vs x2/n2.
double twoProportionZ(double x1, double n1, double x2, double n2) {
    const double p1 = x1 / n1;
    const double p2 = x2 / n2;
    const double p = (x1 + x2) / (n1 + n2);
    return (p2 - p1) / std::sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n2));
}

std::string eventKey(const store::Event& e) {
    return std::string(store::eventTypeName(e.type)) + "|" + e.userId + "|" + e.itemId + "|" + e.requestId;
}

}  // namespace

class TestSim : public QObject {
    Q_OBJECT
    std::filesystem::path m_dir;
    std::shared_ptr<const data::SyntheticWorld> m_world;
    std::unique_ptr<WorldTruth> m_truth;

private slots:
    void initTestCase() {
        m_dir = test::makeTempDir("recdeck-sim");
        m_world = std::make_shared<const data::SyntheticWorld>(smallWorld());
        m_truth = std::make_unique<WorldTruth>(m_world);
    }
    void cleanupTestCase() { std::filesystem::remove_all(m_dir); }

    // --- ground truth ------------------------------------------------------------------

    void positionAttention_data() {
        QTest::addColumn<int>("position");
        QTest::addColumn<double>("decay");
        QTest::addColumn<double>("expected");
        QTest::newRow("top") << 0 << 0.93 << 1.0;
        QTest::newRow("second") << 1 << 0.93 << 0.93;
        QTest::newRow("sixth") << 5 << 0.93 << 0.6956883693;
        QTest::newRow("eleventh") << 10 << 0.93 << 0.4839823072;
        QTest::newRow("no bias") << 7 << 1.0 << 1.0;
        QTest::newRow("halving") << 3 << 0.5 << 0.125;
        QTest::newRow("decay above 1 is clamped") << 4 << 1.7 << 1.0;
    }
    void positionAttention() {
        QFETCH(int, position);
        QFETCH(double, decay);
        QFETCH(double, expected);
        QVERIFY(std::abs(sim::positionAttention(static_cast<std::size_t>(position), decay) - expected) < 1e-9);
    }

    void worldTruthIsThePreferenceWithPositionBias() {
        const auto& items = m_world->dataset().catalog.items();
        QCOMPARE(m_truth->personaCount(), m_world->dataset().users.size());
        for (std::size_t persona : {std::size_t{0}, std::size_t{17}, std::size_t{399}}) {
            QCOMPARE(m_truth->personaId(persona), m_world->dataset().users.id(static_cast<data::Index>(persona)));
            for (data::Index item : {data::Index{0}, data::Index{42}, data::Index{299}}) {
                const double preference = m_world->truePreference(static_cast<data::Index>(persona), item);
                QVERIFY(preference > 0.0 && preference < 1.0);
                for (std::size_t position : {std::size_t{0}, std::size_t{4}, std::size_t{9}}) {
                    const double click = m_truth->clickProbability(persona, items.id(item), position);
                    QVERIFY(std::abs(click - preference * std::pow(kDefaultPositionDecay,
                                                                   static_cast<double>(position))) < 1e-12);
                }
                QVERIFY(std::abs(m_truth->purchaseProbability(persona, items.id(item)) - 0.5 * preference) < 1e-12);
            }
        }
        QCOMPARE(m_truth->clickProbability(0, "no-such-item", 0), 0.0);
        QCOMPARE(m_truth->purchaseProbability(0, "no-such-item"), 0.0);
        QVERIFY(m_truth->describe().find("seed 5") != std::string::npos);
    }

    void heldOutTruth_data() {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("item");
        QTest::addColumn<int>("position");
        QTest::addColumn<double>("click");
        QTest::addColumn<double>("purchase");
        const double d2 = 0.93 * 0.93;
        QTest::newRow("liked, top") << "u1"
                                    << "b" << 0 << 0.30 << 0.30;
        QTest::newRow("liked, third") << "u1"
                                      << "b" << 2 << 0.30 * d2 << 0.30;
        QTest::newRow("held out by another user") << "u1"
                                                  << "d" << 0 << 0.02 << 0.05;
        QTest::newRow("in train only") << "u1"
                                       << "a" << 0 << 0.02 << 0.05;
        QTest::newRow("other user's liked item") << "u2"
                                                 << "d" << 2 << 0.30 * d2 << 0.30;
        QTest::newRow("unknown item") << "u2"
                                      << "zzz" << 1 << 0.02 * 0.93 << 0.05;
    }
    void heldOutTruth() {
        QFETCH(QString, user);
        QFETCH(QString, item);
        QFETCH(int, position);
        QFETCH(double, click);
        QFETCH(double, purchase);
        data::Dataset dataset;
        dataset.addInteraction("u1", "a", 1, 0);
        dataset.addInteraction("u1", "b", 1, 0);
        dataset.addInteraction("u2", "c", 1, 0);
        dataset.addInteraction("u2", "d", 1, 0);
        dataset.addInteraction("u3", "a", 1, 0);  // nothing held out: not a persona
        const std::vector<data::Interaction> heldOut = {dataset.interactions[1], dataset.interactions[3]};
        const HeldOutTruth truth(dataset, heldOut, {}, "tiny");
        QCOMPARE(truth.personaCount(), std::size_t{2});
        const std::size_t persona = user == QLatin1String("u1") ? 0 : 1;
        QCOMPARE(QString::fromStdString(truth.personaId(persona)), user);
        QCOMPARE(truth.likedCount(persona), std::size_t{1});
        QVERIFY(std::abs(truth.clickProbability(persona, item.toStdString(), static_cast<std::size_t>(position)) -
                         click) < 1e-12);
        QVERIFY(std::abs(truth.purchaseProbability(persona, item.toStdString()) - purchase) < 1e-12);
    }

    void heldOutSplitRoundTripsThroughCsv() {
        data::Dataset dataset;
        // Ids that need quoting survive the round trip exactly.
        // (The importer trims spaces around ids, quoted or not, so padded ids are left out,
        // and refuses control characters such as a line break in an id.)
        const std::vector<std::string> users = {"plain", "with,comma", "with \"quote\"",
                                                "Jos\u00e9, \"n\u00e4\u00efve\""};
        for (std::size_t u = 0; u < users.size(); ++u) {
            for (int i = 0; i < 8; ++i) {
                dataset.addInteraction(users[u], "item," + std::to_string(i + static_cast<int>(u)), 3.5F,
                                       1700000000 + i);
            }
        }
        const auto all = m_dir / "roundtrip" / "all.csv";
        QVERIFY(writeInteractionsCsv(all, dataset, dataset.interactions).ok());
        auto loaded = loadHeldOut(all, {}, 0.25, 3);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.errorMessage().c_str());
        QCOMPARE(loaded->dataset->interactions.size(), dataset.interactions.size());
        QCOMPARE(loaded->dataset->users.ids(), dataset.users.ids());
        QCOMPARE(loaded->split.test.size(), std::size_t{8});  // round(0.25 * 8) per user
        QCOMPARE(loaded->split.train.size() + loaded->split.test.size(), dataset.interactions.size());
        for (const auto& row : loaded->dataset->interactions) QCOMPARE(row.rating, 3.5F);

        const auto train = m_dir / "roundtrip" / "train.csv";
        QVERIFY(writeInteractionsCsv(train, *loaded->dataset, loaded->split.train).ok());
        data::Dataset reread;
        auto report = data::importInteractions(train, reread);
        QVERIFY2(report.ok(), report.ok() ? "" : report.errorMessage().c_str());
        QCOMPARE(reread.interactions.size(), loaded->split.train.size());

        const HeldOutTruth truth(*loaded->dataset, loaded->split.test);
        QCOMPARE(truth.personaCount(), users.size());
        for (const auto& row : loaded->split.test) {
            const auto persona = static_cast<std::size_t>(
                std::find(users.begin(), users.end(), loaded->dataset->users.id(row.user)) - users.begin());
            QVERIFY(truth.likes(persona, loaded->dataset->catalog.items().id(row.item)));
        }
        QVERIFY(!loadHeldOut(all, {}, 1.0, 3).ok());
        QVERIFY(!loadHeldOut(m_dir / "missing.csv", {}, 0.25, 3).ok());
    }

    // --- users ---------------------------------------------------------------------------

    void populationIsSkewedWithNewcomersAndReproducible() {
        UserMix mix;
        mix.population = 100;
        mix.activitySkew = 1.0;
        mix.newUserFraction = 0.05;
        mix.newcomerReturnFraction = 0.05;
        const UserPopulation population(*m_truth, mix, 11);
        QCOMPARE(population.size(), std::size_t{100});
        std::set<std::size_t> members;
        for (std::size_t r = 0; r < population.size(); ++r) members.insert(population.memberAt(r));
        QCOMPARE(members.size(), std::size_t{100});

        constexpr std::uint64_t kRequests = 20000;
        std::map<std::size_t, int> visitsByPersona;
        std::set<std::string> newcomersSeen;
        int firstVisits = 0;
        int returningNewcomers = 0;
        for (std::uint64_t k = 0; k < kRequests; ++k) {
            const Visit visit = population.pick(k);
            QCOMPARE(population.isNewcomer(k), visit.firstVisit);
            if (visit.newcomer) {
                QVERIFY(visit.userId.rfind("newcomer-", 0) == 0);
                QVERIFY(!m_world->dataset().users.contains(visit.userId));
                QVERIFY(visit.persona < m_truth->personaCount());
                if (visit.firstVisit) {
                    ++firstVisits;
                    QVERIFY(newcomersSeen.insert(visit.userId).second);  // a fresh id every time
                } else {
                    ++returningNewcomers;
                    QVERIFY2(newcomersSeen.count(visit.userId) == 1, visit.userId.c_str());  // met before
                }
            } else {
                QVERIFY(members.count(visit.persona) == 1);
                QCOMPARE(visit.userId, m_truth->personaId(visit.persona));
                ++visitsByPersona[visit.persona];
            }
        }
        const double newShare = static_cast<double>(firstVisits) / kRequests;
        qInfo("newcomer first visits %.4f of requests, returning newcomers %d", newShare, returningNewcomers);
        QVERIFY(newShare > 0.04 && newShare < 0.06);  // binomial sd 0.0015
        QVERIFY(returningNewcomers > 200);
        // Zipf with exponent 1 over 100 users: the most active user visits ~19% of the time,
        // a median one ~0.4%.
        std::vector<int> counts;
        for (std::size_t r = 0; r < population.size(); ++r) counts.push_back(visitsByPersona[population.memberAt(r)]);
        const int top = counts.front();
        const int median = counts[counts.size() / 2];
        qInfo("visits: most active %d, median-rank %d, least active %d", top, median, counts.back());
        QVERIFY(top > 10 * std::max(median, 1));
        QVERIFY(counts[0] > counts[9] && counts[9] > counts[99]);

        const UserPopulation again(*m_truth, mix, 11);
        const UserPopulation other(*m_truth, mix, 12);
        int differences = 0;
        for (std::uint64_t k = 0; k < 500; ++k) {
            QCOMPARE(again.pick(k).userId, population.pick(k).userId);
            if (other.pick(k).userId != population.pick(k).userId) ++differences;
        }
        QVERIFY(differences > 400);
    }

    // --- the simulator on a fake target ---------------------------------------------------

    void rejectsBadConfig_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("field");
        QTest::newRow("negative rate") << 0 << "rate";
        QTest::newRow("list too long") << 1 << "list length";
        QTest::newRow("no threads") << 2 << "threads";
        QTest::newRow("batch too large") << 3 << "event batch";
        QTest::newRow("abandon every cart") << 4 << "cart abandonment";
        QTest::newRow("fractions over 1") << 5 << "returning newcomers";
        QTest::newRow("NaN rate") << 6 << "rate";
    }
    void rejectsBadConfig() {
        QFETCH(int, which);
        QFETCH(QString, field);
        SimulatorConfig config;
        switch (which) {
            case 0:
                config.rate = -1;
                break;
            case 1:
                config.listLength = serving::kMaxListLength + 1;
                break;
            case 2:
                config.threads = 0;
                break;
            case 3:
                config.eventBatch = 1001;
                break;
            case 4:
                config.cartAbandonment = 1.0;
                break;
            case 5:
                config.users.newUserFraction = 0.6;
                config.users.newcomerReturnFraction = 0.5;
                break;
            default:
                config.rate = std::nan("");
                break;
        }
        FakeTarget target(catalogOf(*m_world));
        auto simulator = TrafficSimulator::create(target, *m_truth, config);
        QVERIFY(!simulator.ok());
        QVERIFY2(simulator.errorMessage().rfind(field.toStdString(), 0) == 0, simulator.errorMessage().c_str());
    }

    // The simulator counts a failure by its reason, never by its message's text.
    void errorKinds() {
        const Error timeout = targetError(ErrorKind::Unavailable, "timeout", "no answer in 5000 ms");
        QCOMPARE(errorKindOf(timeout), std::string("timeout"));
        QCOMPARE(timeout.message, std::string("timeout: no answer in 5000 ms"));
        QCOMPARE(errorKindOf(targetError(ErrorKind::Unavailable, "http_503", "unavailable")), std::string("http_503"));
        QCOMPARE(errorKindOf(Error::cancelled()), std::string("cancelled"));
        QCOMPARE(errorKindOf(Error{"timeout: a message that only looks like a reason"}), std::string("other"));
        QCOMPARE(errorKindOf(Error::invalid("user id: empty")), std::string("other"));
    }

    void reproducibleForASeed() {
        auto run = [&](std::uint64_t seed, SimulatorStats& stats) {
            FakeTarget target(catalogOf(*m_world));
            SimulatorConfig config;
            config.seed = seed;
            config.eventBatch = 16;
            auto simulator = makeSimulator(target, *m_truth, config);
            const Status done = simulator->runBlocking(600);
            if (!done) qFatal("%s", done.errorMessage().c_str());
            stats = simulator->snapshot();
            std::vector<std::string> keys;
            for (const auto& e : target.events()) {
                keys.push_back(eventKey(e));
                // Every event cites the list that showed its item to its user.
                const auto [user, items] = target.shown(e.requestId);
                if (user != e.userId || std::find(items.begin(), items.end(), e.itemId) == items.end()) {
                    qFatal("event %s cites a list that did not show it", eventKey(e).c_str());
                }
                if (e.timestampMs != 0 || e.model != "fake") qFatal("event fields not as expected");
            }
            return keys;
        };
        SimulatorStats a, b, c;
        const auto first = run(9, a);
        const auto second = run(9, b);
        const auto third = run(10, c);
        QVERIFY(!first.empty());
        QCOMPARE(first, second);
        QCOMPARE(a.clicks, b.clicks);
        QCOMPARE(a.purchases, b.purchases);
        QCOMPARE(a.addToCarts, b.addToCarts);
        QVERIFY(first != third);
        QCOMPARE(a.requests, std::uint64_t{600});
        QCOMPARE(a.impressions, std::uint64_t{6000});
        QCOMPARE(a.eventsSent, a.clicks + a.addToCarts + a.purchases);
        QCOMPARE(a.eventsPending, std::uint64_t{0});
        QVERIFY(a.purchases <= a.addToCarts && a.addToCarts <= a.clicks);
        QVERIFY(a.purchases > 0);
        QCOMPARE(a.arms.size(), std::size_t{1});
        QCOMPARE(a.arms.at("model:fake").clicks, a.clicks);
        QVERIFY(a.newcomerRequests > 0);
        QVERIFY(std::abs(a.latencyP50Us - 100.0) < 30.0);  // one histogram bin around 100 µs
        qInfo("600 fake requests: %llu clicks (CTR %.3f), %llu carts, %llu purchases",
              static_cast<unsigned long long>(a.clicks), a.ctr(), static_cast<unsigned long long>(a.addToCarts),
              static_cast<unsigned long long>(a.purchases));
    }

    void countsErrorsByKind() {
        FakeTarget target(catalogOf(*m_world));
        target.failWith = targetError(ErrorKind::Unavailable, "connect", "connection refused");
        auto simulator = makeSimulator(target, *m_truth, {});
        QVERIFY(simulator->runBlocking(25).ok());
        auto stats = simulator->snapshot();
        QCOMPARE(stats.requests, std::uint64_t{0});
        QCOMPARE(stats.errors, std::uint64_t{25});
        QCOMPARE(stats.errorsByKind.at("connect"), std::uint64_t{25});
        QCOMPARE(stats.lastError, std::string("connect: connection refused"));

        FakeTarget refusing(catalogOf(*m_world));
        refusing.failSendsWith = targetError(ErrorKind::Unavailable, "http_503", "not recorded");
        SimulatorConfig config;
        config.eventBatch = 4;
        auto second = makeSimulator(refusing, *m_truth, config);
        QVERIFY(second->runBlocking(300).ok());
        stats = second->snapshot();
        QCOMPARE(stats.errors, std::uint64_t{0});
        QVERIFY(stats.eventsFailed > 0);
        QCOMPARE(stats.eventsFailed, stats.clicks + stats.addToCarts + stats.purchases);
        QCOMPARE(stats.eventsSent, std::uint64_t{0});
        QVERIFY(stats.errorsByKind.at("send_http_503") > 0);
    }

    void pausesAndResumesAtRunTime() {
        FakeTarget target(catalogOf(*m_world));
        SimulatorConfig config;
        config.rate = 0;  // paused from the start
        config.threads = 2;
        auto simulator = makeSimulator(target, *m_truth, config);
        simulator->start();
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        QCOMPARE(target.calls(), 0);
        QCOMPARE(simulator->snapshot().targetRate, 0.0);

        simulator->setRate(400);
        QVERIFY(waitFor([&] { return target.calls() >= 20; }));
        simulator->setRate(0);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // lets a claimed request finish
        const int paused = target.calls();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        QCOMPARE(target.calls(), paused);

        simulator->setRate(kUnlimited);
        QVERIFY(waitFor([&] { return target.calls() >= paused + 200; }));
        simulator->stop();
        const auto stats = simulator->snapshot();
        QVERIFY(!stats.running);
        QCOMPARE(stats.requests, static_cast<std::uint64_t>(target.calls()));
        QCOMPARE(stats.eventsPending, std::uint64_t{0});
        QCOMPARE(stats.eventsSent, static_cast<std::uint64_t>(target.events().size()));
        QCOMPARE(stats.eventsSent, stats.clicks + stats.addToCarts + stats.purchases);
    }

    void stopInterruptsCallsInFlight() {
        FakeTarget target(catalogOf(*m_world));
        target.blockUntilStopped = true;
        SimulatorConfig config;
        config.rate = 1000;
        config.threads = 4;
        auto simulator = makeSimulator(target, *m_truth, config);
        simulator->start();
        QVERIFY(waitFor([&] { return target.inFlight() == 4; }));
        Stopwatch watch;
        simulator->stop();
        const double stopMs = watch.elapsedMs();
        qInfo("stop() with 4 calls in flight returned after %.2f ms", stopMs);
        QCOMPARE(target.inFlight(), 0);
        const auto stats = simulator->snapshot();
        QVERIFY(!stats.running);
        // The calls ended because stop() cancelled them, not by the fake's 20 s cap; and a
        // cancelled call is not an error.
        QCOMPARE(stats.errors, std::uint64_t{0});
        QVERIFY(stats.errorsByKind.empty());

        // A paused simulator stops too, and stop() may be repeated.
        FakeTarget idle(catalogOf(*m_world));
        config.rate = 0;
        auto paused = makeSimulator(idle, *m_truth, config);
        paused->start();
        watch.restart();
        paused->stop();
        paused->stop();
        qInfo("stop() of a paused simulator returned after %.2f ms", watch.elapsedMs());
        QVERIFY(!paused->running());
    }

    // --- the simulator on a real Engine -------------------------------------------------------

    void eventsReachTheLogWithTheirRequestIds() {
        auto engine = openEngine(m_dir / "events");
        EngineTarget target(*engine);
        SimulatorConfig config;
        config.seed = 3;
        config.users.newUserFraction = 0.10;
        config.eventBatch = 32;
        auto simulator = makeSimulator(target, *m_truth, config);
        QVERIFY(simulator->runBlocking(500).ok());
        const auto stats = simulator->snapshot();
        QCOMPARE(stats.requests, std::uint64_t{500});
        QCOMPARE(stats.errors, std::uint64_t{0});
        QVERIFY(stats.clicks > 0 && stats.purchases > 0);
        QCOMPARE(stats.eventsSent, stats.clicks + stats.addToCarts + stats.purchases);
        QVERIFY(engine->eventLog().flush().ok());

        auto logged = engine->eventLog().readAfter(0, 1'000'000);
        QVERIFY(logged.ok());
        std::map<std::string, const store::Event*> impressions;
        std::map<store::EventType, std::uint64_t> counts;
        std::set<std::string> carted;
        std::set<std::string> newcomerImpressions;
        for (const auto& e : *logged) {
            ++counts[e.type];
            if (e.type == store::EventType::Impression) {
                impressions[e.requestId] = &e;
                if (e.userId.rfind("newcomer-", 0) == 0) newcomerImpressions.insert(e.userId);
                continue;
            }
            QVERIFY(!e.requestId.empty());
            const auto found = impressions.find(e.requestId);
            QVERIFY2(found != impressions.end(), e.requestId.c_str());
            QCOMPARE(found->second->userId, e.userId);
            QVERIFY(std::find(found->second->items.begin(), found->second->items.end(), e.itemId) !=
                    found->second->items.end());
            QCOMPARE(e.model, found->second->model);
            QVERIFY(e.id > found->second->id);
            if (e.type == store::EventType::AddToCart) carted.insert(e.requestId + "|" + e.itemId);
            if (e.type == store::EventType::Purchase) QVERIFY(carted.count(e.requestId + "|" + e.itemId) == 1);
        }
        QCOMPARE(counts[store::EventType::Impression], std::uint64_t{500});
        QCOMPARE(counts[store::EventType::Click], stats.clicks);
        QCOMPARE(counts[store::EventType::AddToCart], stats.addToCarts);
        QCOMPARE(counts[store::EventType::Purchase], stats.purchases);

        // Cold start: newcomers were served, and the service knew it.
        qInfo("500 engine requests: %llu newcomer first visits, %llu cold-start answers, CTR %.4f",
              static_cast<unsigned long long>(stats.newcomerRequests),
              static_cast<unsigned long long>(stats.coldStartAnswers), stats.ctr());
        QVERIFY(stats.newcomerRequests > 20);
        QVERIFY(stats.coldStartAnswers >= stats.newcomerRequests);
        QVERIFY(newcomerImpressions.size() >= stats.newcomerRequests);
        const auto view = engine->user(*newcomerImpressions.begin());
        QVERIFY(view.ok());
        QVERIFY(!view->features.trainedUser.has_value());
    }

    // The demo's experiment and the simulator's truth come from one place (sim/demo.h).
    void demoSetsUpItsExperimentOnceAndItsTruthIsTheWorlds() {
        const auto dir = m_dir / "demo";
        auto engine = openEngine(dir);
        auto& registry = engine->experiments();
        QVERIFY(registry.list().empty());
        QVERIFY(setUpDemoExperiment(*engine).ok());
        const auto demo = registry.get(kDemoExperiment);
        QVERIFY(demo);
        QCOMPARE(demo->state, experiments::ExperimentState::Running);
        QCOMPARE(demo->variants.size(), std::size_t{2});
        QCOMPARE(demo->variants[0].model, std::string("popularity"));
        QCOMPARE(demo->variants[1].model, engine->registry().defaultEntry()->name);
        // A second start (or one after the user changed things) leaves the registry alone.
        QVERIFY(registry.stop(kDemoExperiment).ok());
        QVERIFY(setUpDemoExperiment(*engine).ok());
        QCOMPARE(registry.list().size(), std::size_t{1});
        QCOMPARE(registry.get(kDemoExperiment)->state, experiments::ExperimentState::Stopped);

        const auto truth = truthOf(*engine);
        QVERIFY(truth);
        const WorldTruth expected(engine->demoWorld());
        QCOMPARE(truth->describe(), expected.describe());
        QCOMPARE(truth->personaCount(), expected.personaCount());
    }

    void personalisedListsEarnMoreClicksThanPopularity() {
        // Same seed, same users, same truth: only the lists differ.
        auto run = [&](const char* name, const std::string& model) {
            auto engine = openEngine(m_dir / name);
            EngineTarget target(*engine, {model, false});
            SimulatorConfig config;
            config.seed = 21;
            config.users.newUserFraction = 0.02;
            config.users.newcomerReturnFraction = 0.0;
            auto simulator = makeSimulator(target, *m_truth, config);
            const Status done = simulator->runBlocking(3000);
            if (!done) qFatal("%s", done.errorMessage().c_str());
            return simulator->snapshot();
        };
        const auto popularity = run("ctr-popularity", "popularity");
        const auto personalised = run("ctr-default", "");
        QCOMPARE(popularity.arms.count("model:popularity"), std::size_t{1});
        QVERIFY(personalised.arms.count("model:popularity") == 0 || personalised.arms.size() > 1);
        const double z =
            twoProportionZ(static_cast<double>(popularity.clicks), static_cast<double>(popularity.impressions),
                           static_cast<double>(personalised.clicks), static_cast<double>(personalised.impressions));
        qInfo("popularity:   %llu clicks / %llu shown = CTR %.4f, %llu purchases (conversion %.3f)",
              static_cast<unsigned long long>(popularity.clicks),
              static_cast<unsigned long long>(popularity.impressions), popularity.ctr(),
              static_cast<unsigned long long>(popularity.purchases), popularity.conversion());
        qInfo("personalised: %llu clicks / %llu shown = CTR %.4f, %llu purchases (conversion %.3f)",
              static_cast<unsigned long long>(personalised.clicks),
              static_cast<unsigned long long>(personalised.impressions), personalised.ctr(),
              static_cast<unsigned long long>(personalised.purchases), personalised.conversion());
        qInfo("relative lift %.1f%%, two-proportion z = %.1f", 100.0 * (personalised.ctr() / popularity.ctr() - 1.0),
              z);
        QVERIFY(personalised.ctr() > popularity.ctr());
        QVERIFY2(z > 4.0, "the personalised lists must be clearly better, not by chance");
    }

    void pacingHoldsASensibleRate() {
        auto engine = openEngine(m_dir / "pacing");
        EngineTarget target(*engine);
        SimulatorConfig config;
        config.rate = 100;
        config.threads = 2;
        config.maxRequests = 120;
        auto simulator = makeSimulator(target, *m_truth, config);
        simulator->start();
        QVERIFY(simulator->waitFinished(std::chrono::seconds(60)));
        simulator->stop();
        const auto stats = simulator->snapshot();
        qInfo(
            "paced run: %llu requests in %.2f s = %.1f/s against a target of 100/s (%llu restarts behind schedule), "
            "latency p50 %.0f us p99 %.0f us",
            static_cast<unsigned long long>(stats.requests), stats.elapsedSeconds, stats.achievedRate,
            static_cast<unsigned long long>(stats.behindSchedule), stats.latencyP50Us, stats.latencyP99Us);
        QCOMPARE(stats.requests + stats.errors, std::uint64_t{120});
        // Loose sanity only: a shared machine may be slow, but the schedule can never be beaten
        // (120 slots 10 ms apart take at least 1.19 s).
        QVERIFY(stats.achievedRate > 30.0);
        QVERIFY(stats.achievedRate < 110.0);
    }
};

QTEST_GUILESS_MAIN(TestSim)
#include "test_sim.moc"

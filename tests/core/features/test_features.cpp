#include <QTest>

#include <chrono>
#include <memory>
#include <numeric>

#include <nlohmann/json.hpp>

#include "recdeck/common/stopwatch.h"
#include "recdeck/data/synthetic_world.h"
#include "recdeck/features/feature_store.h"
#include "recdeck/store/memory_store.h"
#include "recdeck/store/redis_store.h"
#include "redis_server.h"

using namespace recdeck;
using namespace recdeck::features;
using namespace std::chrono_literals;

namespace {

struct World {
    std::shared_ptr<data::SyntheticWorld> world;
    BaseData base;
};

World makeWorld() {
    data::WorldConfig config;
    config.users = 60;
    config.items = 80;
    config.seed = 7;
    World w;
    w.world = std::make_shared<data::SyntheticWorld>(config);
    w.base.dataset = std::shared_ptr<const data::Dataset>(w.world, &w.world->dataset());
    w.base.matrix =
        std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(w.world->dataset()));
    return w;
}

store::Event makeEvent(store::EventType type, std::string user, std::string item, std::int64_t ts = unixMillis()) {
    store::Event e;
    e.type = type;
    e.userId = std::move(user);
    e.itemId = std::move(item);
    e.timestampMs = ts;
    return e;
}

// An item the user does not have yet.
std::string newItemFor(const World& w, data::Index user) {
    for (data::Index item = 0; item < w.base.matrix->itemCount(); ++item) {
        if (!w.base.matrix->contains(user, item)) return w.base.dataset->catalog.items().id(item);
    }
    return {};
}

}  // namespace

class TestFeatures : public QObject {
    Q_OBJECT
private slots:
    void unknownUserHasEmptyFeatures() {
        auto w = makeWorld();
        FeatureStore features(std::make_shared<store::MemoryStore>(), w.base);
        auto f = features.user("nobody");
        QVERIFY(f.ok());
        QVERIFY(!f->trainedUser);
        QVERIFY(f->history.empty());
        QCOMPARE(f->historyLength, std::size_t{0});
        QCOMPARE(f->lastActiveMs, std::int64_t{0});
    }

    void trainedUserFeaturesComeFromTrainingAndAreCached() {
        auto w = makeWorld();
        FeatureStore features(std::make_shared<store::MemoryStore>(), w.base);
        const std::string id = w.base.dataset->users.id(3);
        auto f = features.user(id);
        QVERIFY(f.ok());
        QCOMPARE(*f->trainedUser, data::Index{3});
        const auto row = w.base.matrix->itemsOf(3);
        QCOMPARE(f->history, std::vector<data::Index>(row.begin(), row.end()));
        QCOMPARE(f->owned, f->history);
        QCOMPARE(f->historyLength, row.size());
        QVERIFY(!f->fromCache);
        double total = 0;
        for (const auto& c : f->categoryAffinity) total += c.share;
        QVERIFY(std::abs(total - 1.0) < 1e-9);
        for (std::size_t i = 1; i < f->categoryAffinity.size(); ++i) {
            QVERIFY(f->categoryAffinity[i - 1].share >= f->categoryAffinity[i].share);
        }
        auto again = features.user(id);
        QVERIFY(again->fromCache);
        QCOMPARE(again->history, f->history);
        QCOMPARE(again->computedAtMs, f->computedAtMs);
        QCOMPARE(features.stats().userHits, std::uint64_t{1});
    }

    void purchaseRefreshesFeaturesAtOnce() {
        auto w = makeWorld();
        FeatureStore features(std::make_shared<store::MemoryStore>(), w.base);
        const std::string user = w.base.dataset->users.id(5);
        const std::string item = newItemFor(w, 5);
        const auto before = features.user(user);
        const auto index = *w.base.dataset->catalog.items().find(item);
        QVERIFY(!std::binary_search(before->owned.begin(), before->owned.end(), index));
        const auto dropped = features.onEvents(std::vector{makeEvent(store::EventType::Purchase, user, item)});
        QCOMPARE(dropped, std::vector<std::string>{user});
        const auto after = features.user(user);
        QVERIFY(!after->fromCache);
        QVERIFY(std::binary_search(after->owned.begin(), after->owned.end(), index));
        QVERIFY(std::binary_search(after->history.begin(), after->history.end(), index));
        QCOMPARE(after->purchases, std::size_t{1});
        QCOMPARE(after->recent.front().itemId, item);
        QCOMPARE(after->historyLength, before->historyLength + 1);
    }

    void clicksJoinTheHistoryWhenFeaturesExpire() {
        auto w = makeWorld();
        FeatureConfig config;
        config.userTtl = 100ms;
        FeatureStore features(std::make_shared<store::MemoryStore>(), w.base, config);
        const std::string user = w.base.dataset->users.id(2);
        const std::string item = newItemFor(w, 2);
        const auto index = *w.base.dataset->catalog.items().find(item);
        QVERIFY(features.user(user).ok());
        QVERIFY(features.onEvents(std::vector{makeEvent(store::EventType::Click, user, item)}).empty());
        QTest::qWait(250);  // past the 100 ms TTL: the next read recomputes
        const auto f = features.user(user);
        QVERIFY(!f->fromCache);
        QVERIFY(std::binary_search(f->history.begin(), f->history.end(), index));
        // A click is engagement, not possession: the item may still be recommended.
        QVERIFY(!std::binary_search(f->owned.begin(), f->owned.end(), index));
        // Impressions are not history.
        QVERIFY(features.onEvents(std::vector{makeEvent(store::EventType::Impression, "fresh", item)}).empty());
        QVERIFY(features.user("fresh")->history.empty());
    }

    void itemFeaturesInOneBatch() {
        auto w = makeWorld();
        FeatureStore features(std::make_shared<store::MemoryStore>(), w.base);
        const auto popularity = w.base.matrix->itemPopularity();
        std::vector<std::string> ids = {w.base.dataset->catalog.items().id(0), "unknown-item",
                                        w.base.dataset->catalog.items().id(9)};
        auto first = features.items(ids);
        QCOMPARE(first.size(), std::size_t{3});
        QCOMPARE(first[0].popularity, static_cast<double>(popularity[0]));
        QVERIFY(!first[0].title.empty());
        QVERIFY(!first[0].categories.empty());
        QVERIFY(!first[1].index);
        QCOMPARE(features.stats().itemComputes, std::uint64_t{3});
        auto second = features.items(ids);
        QCOMPARE(features.stats().itemHits, std::uint64_t{3});
        QCOMPARE(second[2].popularity, first[2].popularity);
        QCOMPARE(second[2].computedAtMs, first[2].computedAtMs);
        // Engagement since training counts once the cached features are recomputed.
        features.onEvents(std::vector{makeEvent(store::EventType::Click, "u", ids[0])});
        FeatureStore fresh(std::make_shared<store::MemoryStore>(), w.base);
        (void)fresh;
        FeatureConfig config;
        config.itemTtl = 1ms;
        FeatureStore shortLived(std::make_shared<store::MemoryStore>(), w.base, config);
        shortLived.onEvents(std::vector{makeEvent(store::EventType::Click, "u", ids[0])});
        QCOMPARE(shortLived.items(ids)[0].recentEngagement, 1.0);
        QCOMPARE(shortLived.items(ids)[0].popularity, static_cast<double>(popularity[0]) + 1.0);
    }

    void instancesSharingAStoreShareHistories() {
        auto w = makeWorld();
        auto shared = std::make_shared<store::MemoryStore>();
        FeatureStore a(shared, w.base);
        FeatureStore b(shared, w.base);
        a.onEvents(
            std::vector{makeEvent(store::EventType::Purchase, "newcomer", w.base.dataset->catalog.items().id(4))});
        const auto f = b.user("newcomer");
        QCOMPARE(f->history, std::vector<data::Index>{4});
        QCOMPARE(f->purchases, std::size_t{1});
    }

    void historyIsBounded() {
        auto w = makeWorld();
        FeatureConfig config;
        config.maxEventHistory = 20;
        auto shared = std::make_shared<store::MemoryStore>();
        FeatureStore features(shared, w.base, config);
        std::vector<store::Event> events;
        for (int i = 0; i < 60; ++i) {
            events.push_back(makeEvent(store::EventType::Click, "busy",
                                       w.base.dataset->catalog.items().id(static_cast<data::Index>(i)), 1000 + i));
        }
        for (const auto& e : events) features.onEvents(std::vector{e});
        const auto stored = shared->setMembers(store::keyOf({"hist", "busy"}));
        QVERIFY(stored.ok());
        QVERIFY2(stored->size() <= 2 * config.maxEventHistory, std::to_string(stored->size()).c_str());
    }

    // Regression: "hist:<user>" sets never expired, so every user ever seen stayed in
    // Redis (and in the embedded store) for good.
    void historiesExpireWithoutEvents() {
        auto w = makeWorld();
        FeatureConfig config;
        config.historyTtl = 50ms;
        auto shared = std::make_shared<store::MemoryStore>();
        FeatureStore features(shared, w.base, config);
        features.onEvents(
            std::vector{makeEvent(store::EventType::Click, "passer-by", w.base.dataset->catalog.items().id(1))});
        QCOMPARE(shared->setMembers(store::keyOf({"hist", "passer-by"}))->size(), std::size_t{1});
        bool expired = false;
        for (int attempt = 0; attempt < 500 && !expired; ++attempt) {
            expired = shared->setMembers(store::keyOf({"hist", "passer-by"}))->empty();
            if (!expired) QTest::qWait(10);
        }
        QVERIFY(expired);
    }

    // Engagement is counted for catalog items only; ids a client makes up cost nothing.
    void engagementIsTrackedForCatalogItemsOnly() {
        auto w = makeWorld();
        FeatureStore features(std::make_shared<store::MemoryStore>(), w.base);
        std::vector<store::Event> events;
        for (int i = 0; i < 2000; ++i)
            events.push_back(makeEvent(store::EventType::Click, "u", "made-up-" + std::to_string(i)));
        events.push_back(makeEvent(store::EventType::Click, "u", w.base.dataset->catalog.items().id(2)));
        features.onEvents(events);
        QCOMPARE(features.stats().trackedItems, std::size_t{1});
        // A catalog without the item drops its record.
        auto other = makeWorld();
        data::WorldConfig smaller;
        smaller.users = 10;
        smaller.items = 2;
        smaller.seed = 9;
        auto world = std::make_shared<data::SyntheticWorld>(smaller);
        BaseData base;
        base.dataset = std::shared_ptr<const data::Dataset>(world, &world->dataset());
        base.matrix =
            std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(world->dataset()));
        features.setBase(base);
        QVERIFY(features.stats().trackedItems <= 1);
    }

    // The local copy of histories (kept when the store can fail) is bounded across users.
    void localHistoryIsBoundedAcrossUsers() {
        test::RedisServer server;
        RECDECK_REQUIRE_REDIS_SERVER(server);
        auto w = makeWorld();
        auto opened = store::RedisStore::open(server.url());
        QVERIFY(opened.ok());
        FeatureConfig config;
        config.localHistoryMembers = 100;
        FeatureStore features(std::shared_ptr<store::KeyValueStore>(std::move(*opened)), w.base, config);
        for (int i = 0; i < 300; ++i) {
            features.onEvents(
                std::vector{makeEvent(store::EventType::Click, "user-" + std::to_string(i),
                                      w.base.dataset->catalog.items().id(static_cast<data::Index>(i % 80)))});
        }
        QVERIFY2(features.stats().localEvents <= 100, std::to_string(features.stats().localEvents).c_str());
        QVERIFY(features.stats().localEvents > 0);
        // Redis still has them all.
        QCOMPARE(features.user("user-0")->historyLength, std::size_t{1});
    }

    // A record in the store that does not fit the catalog (another build's, or written by
    // someone else) is recomputed, never trusted into out-of-range indices.
    void inconsistentCachedFeaturesAreRecomputed() {
        auto w = makeWorld();
        auto shared = std::make_shared<store::MemoryStore>();
        FeatureStore features(shared, w.base);
        const auto good = features.user("someone");
        QVERIFY(good.ok());
        const std::string key = store::keyOf({"feat", "user", "someone"});
        auto record = nlohmann::json::parse(**shared->get(key));
        record["history"] = {1, 99999};
        QVERIFY(shared->set(key, record.dump()).ok());
        auto again = features.user("someone");
        QVERIFY(again.ok());
        QVERIFY(!again->fromCache);
        QVERIFY(again->history.empty());
        record["base"] = 42;  // the wrong type must not throw
        QVERIFY(shared->set(key, record.dump()).ok());
        QVERIFY(features.user("someone").ok());
        QVERIFY(shared->set(store::keyOf({"feat", "item", "x"}), R"({"base": 1})").ok());
        const std::string ids[] = {"x"};
        QCOMPARE(features.items(ids).size(), std::size_t{1});
    }

    void redisOutageKeepsLocalHistoryAndCatchesUp() {
        test::RedisServer server;
        RECDECK_REQUIRE_REDIS_SERVER(server);
        auto w = makeWorld();
        auto opened = store::RedisStore::open(server.url());
        QVERIFY(opened.ok());
        std::shared_ptr<store::KeyValueStore> redis(std::move(*opened));
        FeatureStore features(redis, w.base);
        const std::string item = w.base.dataset->catalog.items().id(7);
        QVERIFY(server.stop());
        features.onEvents(std::vector{makeEvent(store::EventType::Purchase, "offline-user", item)});
        auto degraded = features.user("offline-user");
        QVERIFY(degraded.ok());
        QVERIFY(!degraded->degraded.empty());
        QCOMPARE(degraded->history, std::vector<data::Index>{7});
        std::string error;
        QVERIFY2(server.start(&error), error.c_str());
        // Once the store answers, the pending history reaches it: another instance sees it.
        bool recovered = false;
        for (int attempt = 0; attempt < 100 && !recovered; ++attempt) {
            recovered = features.user("offline-user")->degraded.empty();
            if (!recovered) QTest::qWait(100);
        }
        QVERIFY(recovered);
        auto other = store::RedisStore::open(server.url());
        QVERIFY(other.ok());
        FeatureStore second(std::shared_ptr<store::KeyValueStore>(std::move(*other)), w.base);
        QCOMPARE(second.user("offline-user")->history, std::vector<data::Index>{7});
    }
};

QTEST_GUILESS_MAIN(TestFeatures)
#include "test_features.moc"

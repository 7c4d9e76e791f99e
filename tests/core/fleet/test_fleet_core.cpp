// The fleet's shared state on a real redis-server: the stream codec against hostile
// bytes, the publisher and reader (order, resends, outages), model artifacts (versions,
// chunks, checksums, rollback, retention) and two engines' model provisioning following
// each other.

#include <QTest>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "recdeck/common/random.h"
#include "recdeck/data/synthetic_world.h"
#include "recdeck/fleet/fleet_keys.h"
#include "recdeck/fleet/model_artifacts.h"
#include "recdeck/fleet/stream_event.h"
#include "recdeck/fleet/stream_publisher.h"
#include "recdeck/fleet/stream_reader.h"
#include "recdeck/serving/model_provisioning.h"
#include "recdeck/store/event_log.h"
#include "recdeck/store/redis_store.h"
#include "redis_server.h"
#include "test_support.h"

using namespace recdeck;
using namespace std::chrono_literals;

namespace {

#define FLEET_OK(result)                                                               \
    do {                                                                               \
        const auto& fleetOk_ = (result);                                               \
        QVERIFY2(fleetOk_.ok(), fleetOk_.ok() ? "" : fleetOk_.errorMessage().c_str()); \
    } while (false)

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout * test::timeScale();
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return condition();
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

store::Event clickOf(const std::string& user, const std::string& item, std::int64_t at) {
    store::Event e;
    e.type = store::EventType::Click;
    e.userId = user;
    e.itemId = item;
    e.timestampMs = at;
    return e;
}

serving::ModelData worldData(const data::SyntheticWorld& world) {
    auto dataset =
        std::shared_ptr<const data::Dataset>(std::shared_ptr<const data::SyntheticWorld>(), &world.dataset());
    auto matrix =
        std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(world.dataset()));
    return {dataset, matrix, serving::dataFingerprint(world.dataset(), *matrix), "test world"};
}

}  // namespace

class TestFleetCore : public QObject {
    Q_OBJECT
    test::RedisServer m_redis;
    std::filesystem::path m_dir;
    int m_prefixes = 0;

    // Model chunks are large and the machine may be loaded: a slow reply is not what these
    // tests are about (the store's own tests cover timeouts).
    static void patient(store::RedisStoreOptions& options) {
        options.connectTimeout = std::chrono::milliseconds(2'000 * test::timeScale());
        options.commandTimeout = std::chrono::milliseconds(5'000 * test::timeScale());
    }
    std::shared_ptr<store::KeyValueStore> openStore() {
        store::RedisStoreOptions options;
        options.keyPrefix = "fleet-test-" + std::to_string(++m_prefixes) + ":";
        patient(options);
        auto opened = store::RedisStore::open(m_redis.url(), options);
        if (!opened) return nullptr;
        return std::shared_ptr<store::KeyValueStore>(std::move(*opened));
    }
    // A second handle on the same namespace (another instance).
    std::shared_ptr<store::KeyValueStore> openSameStore() {
        store::RedisStoreOptions options;
        options.keyPrefix = "fleet-test-" + std::to_string(m_prefixes) + ":";
        patient(options);
        auto opened = store::RedisStore::open(m_redis.url(), options);
        if (!opened) return nullptr;
        return std::shared_ptr<store::KeyValueStore>(std::move(*opened));
    }

private slots:
    void initTestCase() { m_dir = test::makeTempDir("recdeck-fleet-core"); }
    void cleanupTestCase() { std::filesystem::remove_all(m_dir); }

    void streamEventsRoundTripAndRefuseDamage() {
        store::Event e;
        e.id = 123456789;
        e.type = store::EventType::Impression;
        e.timestampMs = 1'700'000'000'123;
        e.userId = std::string("u\0ser", 5);
        e.items = {"a", "b", std::string(300, 'x')};
        e.requestId = "r-1";
        e.experiment = "exp";
        e.variant = "treatment";
        e.model = "als";
        e.served = true;
        const std::string bytes = fleet::encodeStreamEvent(0xDEADBEEFULL, e);
        auto decoded = fleet::decodeStreamEvent(bytes);
        FLEET_OK(decoded);
        QCOMPARE(decoded->instance, 0xDEADBEEFULL);
        QCOMPARE(decoded->event.id, e.id);
        QCOMPARE(decoded->event.userId, e.userId);
        QCOMPARE(decoded->event.items, e.items);
        QCOMPARE(decoded->event.served, true);
        QCOMPARE(decoded->event.variant, e.variant);
        store::Event rating = clickOf("u", "i", 5);
        rating.type = store::EventType::Rating;
        rating.value = 4.5;
        QCOMPARE(fleet::decodeStreamEvent(fleet::encodeStreamEvent(1, rating))->event.value, 4.5);
        // Every truncation, and random damage, is refused without a crash.
        for (std::size_t cut = 0; cut < bytes.size(); ++cut)
            QVERIFY(!fleet::decodeStreamEvent(bytes.substr(0, cut)).ok());
        QVERIFY(!fleet::decodeStreamEvent(bytes + "x").ok());
        SplitMix64 random(7);
        for (int round = 0; round < 2000; ++round) {
            std::string damaged = bytes;
            damaged[random.next() % damaged.size()] = static_cast<char>(random.next());
            (void)fleet::decodeStreamEvent(damaged);
        }
    }

    void publisherAndReaderCarryEveryEventOnce() {
        RECDECK_REQUIRE_REDIS_SERVER(m_redis);
        auto store = openStore();
        QVERIFY(store);
        auto log = store::EventLog::open(m_dir / "pub" / "events.db");
        FLEET_OK(log);
        FLEET_OK((*log)->append({clickOf("before", "i", 1)}));  // before joining: not the fleet's
        std::vector<fleet::StreamEvent> seen;
        std::mutex seenMutex;
        fleet::StreamReader reader(store, std::string(fleet::kEventStreamKey), {},
                                   [&](std::span<const fleet::StreamEvent> events, store::StreamId) {
                                       std::lock_guard lock(seenMutex);
                                       seen.insert(seen.end(), events.begin(), events.end());
                                   });
        {
            fleet::PublisherOptions options;
            options.pageSize = 7;  // several pages
            fleet::StreamPublisher publisher(**log, store, 42, options);
            std::vector<store::Event> batch;
            for (int i = 0; i < 50; ++i) batch.push_back(clickOf("u" + std::to_string(i), "item", 100 + i));
            FLEET_OK((*log)->append(batch));
            publisher.notify();
            FLEET_OK(publisher.flush(10s));
            QCOMPARE(publisher.stats().lagEvents(), std::int64_t{0});
        }
        FLEET_OK(reader.catchUp(10s));
        {
            std::lock_guard lock(seenMutex);
            QCOMPARE(seen.size(), std::size_t{50});
            for (std::size_t i = 0; i < seen.size(); ++i) {
                QCOMPARE(seen[i].instance, std::uint64_t{42});
                QCOMPARE(seen[i].event.userId, "u" + std::to_string(i));
                if (i > 0) QVERIFY(seen[i].event.id > seen[i - 1].event.id);
            }
        }
        // A restarted publisher continues from its saved cursor (nothing sent twice here).
        FLEET_OK((*log)->append({clickOf("after", "item", 999)}));
        {
            fleet::StreamPublisher again(**log, store, 42);
            FLEET_OK(again.flush(10s));
        }
        FLEET_OK(reader.catchUp(10s));
        std::lock_guard lock(seenMutex);
        QCOMPARE(seen.size(), std::size_t{51});
        QCOMPARE(seen.back().event.userId, std::string("after"));
        QVERIFY(!reader.stats().failing);
    }

    // As the pipeline wires it: the log's listener hands each commit to the publisher,
    // which sends from memory while it keeps up and reads the log back when it does not.
    void publisherSendsFromMemoryAndFallsBackToTheLog() {
        RECDECK_REQUIRE_REDIS_SERVER(m_redis);
        const auto sendBatches = [&](const std::string& name, std::size_t memoryBytes) -> fleet::PublisherStats {
            auto store = openStore();
            auto log = store::EventLog::open(m_dir / name / "events.db");
            if (!store || !log) return {};
            fleet::PublisherOptions options;
            options.pageSize = 16;
            options.memoryBytes = memoryBytes;
            options.gather = 0ms;
            fleet::PublisherStats stats;
            {
                fleet::StreamPublisher publisher(**log, store, 3, options);
                const int listener =
                    (*log)->addListener([&](std::span<const store::Event> events) { publisher.committed(events); });
                for (int b = 0; b < 10; ++b) {
                    std::vector<store::Event> batch;
                    for (int i = 0; i < 20; ++i)
                        batch.push_back(clickOf(name + "-" + std::to_string(b * 20 + i), "item", 1000 + b * 20 + i));
                    if (!(*log)->append(batch)) return {};
                }
                if (!publisher.flush(10s)) return {};
                (*log)->removeListener(listener);
                stats = publisher.stats();
            }
            auto all = store->streamRead(fleet::kEventStreamKey, {}, 100'000);
            if (!all) return {};
            std::vector<std::string> users;
            for (const auto& entry : *all) {
                auto decoded = fleet::decodeStreamEvent(entry.payload);
                if (decoded && decoded->event.userId.starts_with(name + "-")) users.push_back(decoded->event.userId);
            }
            // Every event once, in commit order.
            if (users.size() != 200) return {};
            for (std::size_t i = 0; i < users.size(); ++i)
                if (users[i] != name + "-" + std::to_string(i)) return {};
            return stats;
        };
        const auto memory = sendBatches("memory", 8U << 20U);
        QCOMPARE(memory.appended, std::uint64_t{200});
        QCOMPARE(memory.fromLog, std::uint64_t{0});
        // Less room than one commit's events: everything is read back from the log.
        const auto none = sendBatches("nomemory", 64);
        QCOMPARE(none.appended, std::uint64_t{200});
        QCOMPARE(none.fromLog, std::uint64_t{200});
        // Room for about two commits: some from memory, the rest from the log, none twice.
        const auto some = sendBatches("somememory", 2 * 20 * 40);
        QCOMPARE(some.appended, std::uint64_t{200});
        QVERIFY(some.fromLog <= 200);
    }

    void publisherKeepsEventsWhileRedisIsAway() {
        RECDECK_REQUIRE_REDIS_SERVER(m_redis);
        test::RedisServer::Options persistent;
        persistent.persistent = true;
        test::RedisServer redis(persistent);
        RECDECK_REQUIRE_REDIS_SERVER(redis);
        store::RedisStoreOptions storeOptions;
        storeOptions.maxBackoff = 200ms;
        auto opened = store::RedisStore::open(redis.url(), storeOptions);
        FLEET_OK(opened);
        std::shared_ptr<store::KeyValueStore> store(std::move(*opened));
        auto log = store::EventLog::open(m_dir / "outage" / "events.db");
        FLEET_OK(log);
        fleet::PublisherOptions options;
        options.maxBackoff = 200ms;
        fleet::StreamPublisher publisher(**log, store, 7, options);
        FLEET_OK((*log)->append({clickOf("a", "i", 1), clickOf("b", "i", 2)}));
        publisher.notify();
        FLEET_OK(publisher.flush(10s));
        QVERIFY(redis.stop());
        FLEET_OK((*log)->append({clickOf("c", "i", 3), clickOf("d", "i", 4)}));  // acknowledged locally
        publisher.notify();
        QVERIFY(eventually([&] { return publisher.stats().failing; }));
        QVERIFY(!publisher.stats().lastError.empty());
        std::string error;
        QVERIFY2(redis.start(&error), error.c_str());
        FLEET_OK(publisher.flush(20s));
        auto all = store->streamRead(fleet::kEventStreamKey, {}, 100);
        FLEET_OK(all);
        QCOMPARE(all->size(), std::size_t{4});
        QCOMPARE(fleet::decodeStreamEvent(all->back().payload)->event.userId, std::string("d"));
    }

    void artifactsKeepVersionsChunksAndRollBack() {
        RECDECK_REQUIRE_REDIS_SERVER(m_redis);
        auto store = openStore();
        QVERIFY(store);
        fleet::ArtifactOptions options;
        options.chunkBytes = 1024;
        options.keepVersions = 3;
        fleet::ModelArtifacts artifacts(store, options);
        std::vector<std::uint64_t> versions;
        for (int i = 0; i < 5; ++i) {
            fleet::ArtifactInfo info;
            info.name = "als";
            info.kind = "als";
            info.interactions = 100U + static_cast<std::uint64_t>(i);
            const std::string bytes(5000 + static_cast<std::size_t>(i), static_cast<char>('a' + i));
            auto published = artifacts.publish(info, bytes);
            FLEET_OK(published);
            versions.push_back(published->version);
        }
        QCOMPARE(versions, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
        QCOMPARE(artifacts.current()->at("als"), std::uint64_t{5});
        QCOMPARE(*artifacts.versions("als"), (std::vector<std::uint64_t>{3, 4, 5}));
        auto loaded = artifacts.load("als", 4);
        FLEET_OK(loaded);
        QCOMPARE(loaded->second, std::string(5003, 'd'));
        QCOMPARE(loaded->first.interactions, std::uint64_t{103});
        QCOMPARE(artifacts.load("als", 1).errorKind(), ErrorKind::NotFound);  // not kept
        // A damaged chunk is refused by the checksum.
        FLEET_OK(store->set(store::keyOf({"models", "chunk", "als", "5", "2"}), std::string(1024, 'z')));
        QCOMPARE(artifacts.load("als", 5).errorKind(), ErrorKind::Invalid);
        // Rollback walks back through the kept versions, then refuses.
        QCOMPARE(artifacts.rollback("als")->version, std::uint64_t{4});
        QCOMPARE(artifacts.rollback("als")->version, std::uint64_t{3});
        QCOMPARE(artifacts.rollback("als").errorKind(), ErrorKind::Conflict);
        QCOMPARE(artifacts.current()->at("als"), std::uint64_t{3});
        // The default: proposed only when none is set.
        QCOMPARE(*artifacts.proposeDefault("als"), true);
        QCOMPARE(*artifacts.proposeDefault("ease"), false);
        FLEET_OK(artifacts.setDefault("ease"));
        QCOMPARE(**artifacts.defaultName(), std::string("ease"));
    }

    // Two instances on one store: a model trained through one serves on the other within
    // the follow interval; the default and a rollback are the fleet's.
    void provisioningFollowsTheFleet() {
        RECDECK_REQUIRE_REDIS_SERVER(m_redis);
        auto storeA = openStore();
        auto storeB = openSameStore();
        QVERIFY(storeA && storeB);
        data::WorldConfig config;
        config.users = 200;
        config.items = 120;
        config.seed = 3;
        const data::SyntheticWorld world(config);
        models::ModelRegistry registryA;
        models::ModelRegistry registryB;
        auto make = [&](const char* name, std::shared_ptr<store::KeyValueStore> store,
                        models::ModelRegistry& registry) {
            serving::ProvisioningConfig c;
            c.modelsDir = m_dir / name;
            c.names = {"popularity", "itemknn"};
            c.store = std::move(store);
            c.instance = name;
            c.followInterval = 100ms;
            return serving::ModelProvisioning::open(std::move(c), registry, worldData(world));
        };
        auto a = make("prov-a", storeA, registryA);
        FLEET_OK(a);
        auto b = make("prov-b", storeB, registryB);
        FLEET_OK(b);
        // B loaded what A published at its start: the same versions.
        QCOMPARE(registryB.find("itemknn")->version, registryA.find("itemknn")->version);
        QCOMPARE(registryA.defaultName(), registryB.defaultName());

        // Events only B's side knows about, given to A's training as the fleet's events.
        const std::string item = world.dataset().catalog.items().id(0);
        std::vector<store::Event> events = {clickOf("new-user-1", item, 1000), clickOf("new-user-2", item, 1001),
                                            clickOf("x", "no-such-item", 1002)};
        serving::EventSource source = [&](const std::function<void(std::span<const store::Event>)>& page,
                                          const TaskControl&) -> Status {
            page(events);
            return {};
        };
        std::atomic<int> changes{0};
        (*b)->setChangeListener([&](const std::string&) { ++changes; });
        auto trained = (*a)->train("itemknn", source);
        FLEET_OK(trained);
        QVERIFY(trained->published);
        QCOMPARE(trained->eventInteractions, std::uint64_t{2});  // the unknown item is skipped
        QCOMPARE(trained->interactions, world.dataset().interactions.size() + 2);
        const std::uint64_t version = trained->entry->version;
        QVERIFY(eventually([&] { return registryB.find("itemknn")->version == version; }));
        QVERIFY(changes.load() >= 1);
        QCOMPARE(registryB.find("itemknn")->interactions, trained->interactions);

        FLEET_OK((*b)->setDefault("itemknn"));
        QVERIFY(eventually([&] { return registryA.defaultName() == "itemknn"; }));
        auto rolled = (*b)->rollback("itemknn");
        FLEET_OK(rolled);
        QVERIFY((*rolled)->version < version);
        QVERIFY(eventually([&] { return registryA.find("itemknn")->version == (*rolled)->version; }));
        const auto listed = (*a)->list();
        QVERIFY(std::any_of(listed.begin(), listed.end(), [&](const auto& m) {
            return m.name == "itemknn" && m.fleetVersion == (*rolled)->version;
        }));
    }

    // Embedded mode: versions survive restarts and rollback uses the previous file.
    void embeddedVersionsNeverGoBack() {
        data::WorldConfig config;
        config.users = 150;
        config.items = 100;
        config.seed = 4;
        const data::SyntheticWorld world(config);
        serving::ProvisioningConfig c;
        c.modelsDir = m_dir / "embedded-models";
        c.names = {"popularity"};
        std::uint64_t second = 0;
        {
            models::ModelRegistry registry;
            auto p = serving::ModelProvisioning::open(c, registry, worldData(world));
            FLEET_OK(p);
            QCOMPARE(registry.find("popularity")->version, std::uint64_t{1});
            auto trained = (*p)->train("popularity", {});
            FLEET_OK(trained);
            second = trained->entry->version;
            QCOMPARE(second, std::uint64_t{2});
        }
        models::ModelRegistry registry;
        auto reopened = serving::ModelProvisioning::open(c, registry, worldData(world));
        FLEET_OK(reopened);
        QCOMPARE(registry.find("popularity")->version, second);
        auto rolled = (*reopened)->rollback("popularity");
        FLEET_OK(rolled);
        QCOMPARE((*rolled)->version, std::uint64_t{1});
        auto trained = (*reopened)->train("popularity", {});
        FLEET_OK(trained);
        QCOMPARE(trained->entry->version, std::uint64_t{3});  // continues above the highest seen
    }
};

QTEST_GUILESS_MAIN(TestFleetCore)
#include "test_fleet_core.moc"

#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "recdeck/cache/lru_cache.h"
#include "recdeck/cache/tiered_cache.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/store/memory_store.h"
#include "recdeck/store/redis_store.h"
#include "redis_server.h"
#include "test_support.h"

using namespace recdeck;
using namespace recdeck::cache;
using namespace std::chrono_literals;

namespace {

// Processes events until `condition` holds, for at most `timeout`. (Qt 6.8's QTRY macros
// narrow a chrono count to int inside their expansion, which -Wconversion rejects here.)
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout * test::timeScale();
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        QTest::qWait(10);
    }
    return true;
}

std::shared_ptr<const CacheEntry> entryWith(std::vector<std::string> items, std::int64_t expiresMs,
                                            std::string model = "als") {
    auto entry = std::make_shared<CacheEntry>();
    entry->items = std::move(items);
    entry->payload = "payload";
    entry->model = std::move(model);
    entry->expiresMs = expiresMs;
    return entry;
}

// A computation that counts its calls and returns a list naming its call number.
struct CountingCompute {
    std::atomic<int> calls{0};
    std::vector<std::string> items{"i1", "i2"};
    std::chrono::milliseconds delay{0};
    TieredCache::Compute fn() {
        return [this]() -> Result<CacheEntry> {
            const int call = ++calls;
            if (delay.count() > 0) std::this_thread::sleep_for(delay);
            CacheEntry entry;
            entry.payload = "call " + std::to_string(call);
            entry.items = items;
            entry.model = "als";
            return entry;
        };
    }
};

CacheKey key(std::string user, std::string variant = "n=10", std::string model = "als") {
    return CacheKey{std::move(user), std::move(variant), std::move(model)};
}

// A decoded form whose size the test controls (and grows, as a rendered memo does).
struct SizedPayload final : DecodedPayload {
    explicit SizedPayload(std::size_t bytes) : size(bytes) {}
    std::size_t footprint() const override { return size.load(); }
    mutable std::atomic<std::size_t> size;
};

}  // namespace

class TestCache : public QObject {
    Q_OBJECT
private slots:
    // ---- L1 ----
    void lruEvictsLeastRecentlyUsedByCount() {
        LruCache lru(3, 1 << 20, 1);
        const std::int64_t far = unixMillis() + 60'000;
        for (const char* user : {"a", "b", "c"}) lru.put(key(user), entryWith({}, far));
        QVERIFY(lru.get(key("a"), 0));  // a becomes most recent
        lru.put(key("d"), entryWith({}, far));
        QVERIFY(!lru.get(key("b"), 0));
        QVERIFY(lru.get(key("a"), 0));
        QCOMPARE(lru.stats().entries, std::size_t{3});
        QCOMPARE(lru.stats().evictions, std::uint64_t{1});
    }
    void lruRespectsByteLimit() {
        LruCache lru(1000, 4096, 1);
        const std::int64_t far = unixMillis() + 60'000;
        for (int i = 0; i < 100; ++i) lru.put(key("u" + std::to_string(i)), entryWith({"x"}, far));
        QVERIFY(lru.stats().bytes <= 4096);
        QVERIFY(lru.stats().entries < 100);
        QVERIFY(lru.get(key("u99"), 0));
    }
    // The byte limit counts the decoded form too, measured again on a hit (it may grow
    // after the put), and evicts to stay within the limit.
    void lruCountsDecodedFormsAndTheirGrowth() {
        LruCache lru(100, 100'000, 1);
        auto payload = std::make_shared<SizedPayload>(10'000);
        auto entry = std::make_shared<CacheEntry>();
        entry->model = "als";
        entry->expiresMs = unixMillis() + 60'000;
        entry->decoded = payload;
        lru.put(key("u1"), entry);
        const std::size_t counted = lru.stats().bytes;
        QVERIFY(counted >= 10'000);
        QVERIFY(counted < 11'000);  // the entry's own bookkeeping is a few hundred bytes
        for (int i = 2; i <= 8; ++i) {
            auto other = std::make_shared<CacheEntry>(*entry);
            other->decoded = std::make_shared<SizedPayload>(10'000);
            lru.put(key("u" + std::to_string(i)), other);
        }
        QCOMPARE(lru.stats().entries, std::size_t{8});
        payload->size = 40'000;  // u1's memo was rendered after the put
        QVERIFY(lru.get(key("u1"), unixMillis()));
        const auto stats = lru.stats();
        QVERIFY2(stats.bytes <= 100'000, qPrintable(QString::number(stats.bytes)));
        QVERIFY(stats.evictions >= 1);
        QVERIFY(lru.get(key("u1"), unixMillis()));   // the hit entry is the most recent: kept
        QVERIFY(!lru.get(key("u2"), unixMillis()));  // the least recent went
    }

    // An L1 entry with a decoded form keeps no payload (it would hold the list twice);
    // L2 still gets the payload.
    void l1KeepsTheDecodedFormAlone() {
        auto store = std::make_shared<store::MemoryStore>();
        TieredCache cache(store);
        const auto compute = []() -> Result<CacheEntry> {
            CacheEntry entry;
            entry.payload = std::string(5000, 'p');
            entry.items = {"i1"};
            entry.model = "als";
            entry.decoded = std::make_shared<SizedPayload>(1000);
            return entry;
        };
        auto computed = cache.getOrCompute(key("u1"), compute);
        QVERIFY(computed.ok());
        QVERIFY(computed->entry->payload.empty());
        QVERIFY(computed->entry->decoded);
        QVERIFY(cache.stats().l1.bytes < 5000);
        auto l2 = store->hashGetAll(store::keyOf({"recs", "u1"}));
        QVERIFY(l2.ok() && l2->size() == 1);
        const auto decoded = decodeEntry(l2->begin()->second);
        QVERIFY(decoded.ok());
        QCOMPARE(decoded->payload.size(), std::size_t{5000});
    }

    void lruDropsExpiredOnAccess() {
        LruCache lru(10, 1 << 20);
        lru.put(key("a"), entryWith({}, 1000));
        QVERIFY(lru.get(key("a"), 999));
        QVERIFY(!lru.get(key("a"), 1000));
        QCOMPARE(lru.stats().expirations, std::uint64_t{1});
    }
    void lruErasesAUsersEveryVariant() {
        LruCache lru(100, 1 << 20);
        const std::int64_t far = unixMillis() + 60'000;
        lru.put(key("a", "n=5"), entryWith({}, far));
        lru.put(key("a", "n=10"), entryWith({}, far));
        lru.put(key("a", "n=10;model=ease"), entryWith({}, far));
        lru.put(key("b", "n=10"), entryWith({}, far));
        QCOMPARE(lru.eraseUser("a"), std::size_t{3});
        QVERIFY(!lru.get(key("a", "n=5"), 0));
        QVERIFY(lru.get(key("b", "n=10"), 0));
        QCOMPARE(lru.eraseIf([](const CacheEntry&) { return true; }), std::size_t{1});
    }

    // ---- encoding ----
    void entryRoundTripsAndRejectsCorruption() {
        CacheEntry entry;
        entry.payload = std::string("bin\0ary", 7);
        entry.items = {"i:1", "", "José"};
        entry.model = "ease";
        entry.createdUs = 123;
        entry.expiresMs = 456;
        entry.computeMs = 1.25;
        entry.generation = 7;
        entry.modelGeneration = 9;
        const std::string bytes = encodeEntry(entry);
        auto decoded = decodeEntry(bytes);
        QVERIFY2(decoded.ok(), decoded.ok() ? "" : decoded.errorMessage().c_str());
        QCOMPARE(decoded->payload, entry.payload);
        QCOMPARE(decoded->items, entry.items);
        QCOMPARE(decoded->computeMs, 1.25);
        QCOMPARE(decoded->modelGeneration, std::uint64_t{9});
        QVERIFY(!decodeEntry(bytes.substr(0, bytes.size() - 1)).ok());
        QVERIFY(!decodeEntry(bytes + "x").ok());
        QVERIFY(!decodeEntry("\x09garbage").ok());
        QVERIFY(!decodeEntry("").ok());
    }

    // ---- tiers ----
    // "Compute afresh" replaces one list in both tiers and leaves every other list (of the
    // same user too) and the invalidation log alone.
    void refreshReplacesOnlyThatList() {
        auto store = std::make_shared<store::MemoryStore>();
        CountingCompute compute;
        TieredCache cache(store);
        QVERIFY(cache.getOrCompute(key("u1"), compute.fn()).ok());
        QVERIFY(cache.getOrCompute(key("u1", "n=20"), compute.fn()).ok());
        auto fresh = cache.refresh(key("u1"), compute.fn());
        QVERIFY(fresh.ok());
        QCOMPARE(fresh->tier, Tier::Compute);
        QCOMPARE(fresh->entry->payload, std::string("call 3"));
        auto again = cache.getOrCompute(key("u1"), compute.fn());
        QCOMPARE(again->tier, Tier::L1);
        QCOMPARE(again->entry->payload, std::string("call 3"));
        auto other = cache.getOrCompute(key("u1", "n=20"), compute.fn());
        QCOMPARE(other->tier, Tier::L1);
        QCOMPARE(other->entry->payload, std::string("call 2"));
        TieredCache second(store);  // another instance reads the new list from L2
        QCOMPARE(second.getOrCompute(key("u1"), compute.fn())->entry->payload, std::string("call 3"));
        QCOMPARE(compute.calls.load(), 3);
        QVERIFY(cache.invalidationLog().empty());
    }

    void servesComputeThenL1ThenL2() {
        auto store = std::make_shared<store::MemoryStore>();
        CountingCompute compute;
        TieredCache cache(store);
        auto first = cache.getOrCompute(key("u1"), compute.fn());
        QVERIFY(first.ok());
        QCOMPARE(first->tier, Tier::Compute);
        auto second = cache.getOrCompute(key("u1"), compute.fn());
        QCOMPARE(second->tier, Tier::L1);
        QCOMPARE(second->entry->payload, std::string("call 1"));
        // A second instance on the same store has an empty L1: it is served by L2.
        TieredCache other(store);
        auto third = other.getOrCompute(key("u1"), compute.fn());
        QCOMPARE(third->tier, Tier::L2);
        QCOMPARE(third->entry->payload, std::string("call 1"));
        QCOMPARE(other.getOrCompute(key("u1"), compute.fn())->tier, Tier::L1);
        QCOMPARE(compute.calls.load(), 1);
        const auto stats = cache.stats();
        QCOMPARE(stats.l1Hits, std::uint64_t{1});
        QCOMPARE(stats.computes, std::uint64_t{1});
    }
    void ttlCarriesJitterWithinTenPercent() {
        CacheConfig config;
        config.ttl = 100'000ms;
        config.jitter = 0.1;
        TieredCache cache(nullptr, config);
        CountingCompute compute;
        std::int64_t low = INT64_MAX;
        std::int64_t high = 0;
        for (int i = 0; i < 200; ++i) {
            auto result = cache.getOrCompute(key("u" + std::to_string(i)), compute.fn());
            const std::int64_t ttl = result->entry->expiresMs - result->entry->createdUs / 1000;
            low = std::min(low, ttl);
            high = std::max(high, ttl);
        }
        QVERIFY(low >= 90'000);
        QVERIFY(high <= 110'000);
        QVERIFY2(high - low > 5'000, "jitter should spread expiries");
    }
    void concurrentMissesComputeOnce() {
        TieredCache cache(std::make_shared<store::MemoryStore>());
        CountingCompute compute;
        compute.delay = 100ms;
        std::vector<std::thread> threads;
        std::atomic<int> served{0};
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([&] {
                if (auto result = cache.getOrCompute(key("hot"), compute.fn()); result.ok()) ++served;
            });
        }
        for (auto& thread : threads) thread.join();
        QCOMPARE(served.load(), 8);
        QCOMPARE(compute.calls.load(), 1);
        QCOMPARE(cache.stats().coalesced + cache.stats().l1Hits + cache.stats().l2Hits, std::uint64_t{7});
    }
    void failedComputeIsNotCached() {
        TieredCache cache(nullptr);
        int calls = 0;
        auto failing = [&]() -> Result<CacheEntry> {
            ++calls;
            return Error{"model exploded"};
        };
        auto result = cache.getOrCompute(key("u"), failing);
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.errorMessage()), QStringLiteral("model exploded"));
        QVERIFY(!cache.getOrCompute(key("u"), failing).ok());
        QCOMPARE(calls, 2);
        auto throwing = []() -> Result<CacheEntry> { throw std::runtime_error("boom"); };
        QVERIFY(!cache.getOrCompute(key("v"), throwing).ok());
    }
    void earlyRefreshRecomputesBeforeExpiry() {
        CacheConfig config;
        config.ttl = 60'000ms;
        config.xfetchBeta = 1e6;  // delta * beta dwarfs the TTL: every hit refreshes early
        TieredCache cache(nullptr, config);
        CountingCompute compute;
        compute.delay = 2ms;
        QVERIFY(cache.getOrCompute(key("u"), compute.fn()).ok());
        bool refreshed = false;
        for (int i = 0; i < 5 && !refreshed; ++i)
            refreshed = cache.getOrCompute(key("u"), compute.fn())->refreshedEarly;
        QVERIFY(refreshed);
        QVERIFY(cache.stats().earlyRefreshes >= 1);

        config.xfetchBeta = 0;  // disabled: hits stay hits
        TieredCache plain(nullptr, config);
        CountingCompute other;
        other.delay = 2ms;
        QVERIFY(plain.getOrCompute(key("u"), other.fn()).ok());
        for (int i = 0; i < 5; ++i) QCOMPARE(plain.getOrCompute(key("u"), other.fn())->tier, Tier::L1);
        QCOMPARE(other.calls.load(), 1);
    }

    // ---- invalidation ----
    void invalidatingAUserDropsEveryVariantInEveryTier() {
        auto store = std::make_shared<store::MemoryStore>();
        TieredCache cache(store);
        CountingCompute compute;
        for (const char* variant : {"n=5", "n=10", "n=10;v=treatment"}) {
            QVERIFY(cache.getOrCompute(key("u1", variant), compute.fn()).ok());
        }
        QVERIFY(cache.getOrCompute(key("u2"), compute.fn()).ok());
        QVERIFY(cache.invalidateUser("u1").ok());
        for (const char* variant : {"n=5", "n=10", "n=10;v=treatment"}) {
            QCOMPARE(cache.getOrCompute(key("u1", variant), compute.fn())->tier, Tier::Compute);
        }
        QCOMPARE(cache.getOrCompute(key("u2"), compute.fn())->tier, Tier::L1);
        // The shared tier is gone too: a fresh instance cannot find the old lists.
        QVERIFY(cache.invalidateUser("u1").ok());
        TieredCache other(store);
        QCOMPARE(other.getOrCompute(key("u1", "n=5"), compute.fn())->tier, Tier::Compute);
        const auto log = cache.invalidationLog();
        QVERIFY(!log.empty());
        QCOMPARE(log.back().kind, InvalidationKind::User);
        QCOMPARE(log.back().id, std::string("u1"));
    }
    void invalidatingAnItemDropsListsContainingIt() {
        auto store = std::make_shared<store::MemoryStore>();
        TieredCache cache(store);
        CountingCompute withItem;
        withItem.items = {"a", "b"};
        CountingCompute without;
        without.items = {"c"};
        QVERIFY(cache.getOrCompute(key("u1"), withItem.fn()).ok());
        QVERIFY(cache.getOrCompute(key("u2"), without.fn()).ok());
        QVERIFY(cache.invalidateItem("b").ok());
        QCOMPARE(cache.getOrCompute(key("u1"), withItem.fn())->tier, Tier::Compute);
        QCOMPARE(cache.getOrCompute(key("u2"), without.fn())->tier, Tier::L1);
        // L2 copies written before the invalidation are refused by other instances once
        // the (asynchronous) invalidation message reaches them; so are later readers.
        TieredCache other(store);
        QVERIFY(other.peek(key("u1")));
        QCOMPARE(other.peek(key("u1"))->tier, Tier::L2);
        QVERIFY(cache.invalidateItem("a").ok());
        QVERIFY(eventually([&] { return !other.peek(key("u1")); }, 2000ms));
        TieredCache late(store);
        QVERIFY(!late.peek(key("u1")));
    }
    void invalidatingAModelOrEverything() {
        auto store = std::make_shared<store::MemoryStore>();
        TieredCache cache(store);
        CountingCompute compute;
        QVERIFY(cache.getOrCompute(key("u1", "n=10", "als"), compute.fn()).ok());
        QVERIFY(cache
                    .getOrCompute(key("u2", "n=10;ease", "ease"),
                                  [] {
                                      CacheEntry entry;
                                      entry.model = "ease";
                                      return Result<CacheEntry>(entry);
                                  })
                    .ok());
        QVERIFY(cache.invalidateModel("als").ok());
        QCOMPARE(cache.getOrCompute(key("u1", "n=10", "als"), compute.fn())->tier, Tier::Compute);
        QCOMPARE(cache.peek(key("u2", "n=10;ease", "ease"))->tier, Tier::L1);
        // A new instance reads the generation from the store and refuses old L2 entries.
        QVERIFY(cache.invalidateAll().ok());
        TieredCache other(store);
        QVERIFY(!other.peek(key("u1", "n=10", "als")));
        QVERIFY(!cache.peek(key("u2", "n=10;ease", "ease")));
    }
    void invalidationDuringComputeIsNotOverwritten() {
        TieredCache cache(std::make_shared<store::MemoryStore>());
        CountingCompute compute;
        compute.delay = 150ms;
        std::thread request([&] { QVERIFY(cache.getOrCompute(key("u"), compute.fn()).ok()); });
        std::this_thread::sleep_for(50ms);
        QVERIFY(cache.invalidateUser("u").ok());
        request.join();
        compute.delay = 0ms;
        QCOMPARE(cache.getOrCompute(key("u"), compute.fn())->tier, Tier::Compute);
    }
    void instancesSharingAStoreSeeEachOthersInvalidations() {
        auto store = std::make_shared<store::MemoryStore>();
        TieredCache a(store);
        TieredCache b(store);
        CountingCompute compute;
        QVERIFY(b.getOrCompute(key("u1"), compute.fn()).ok());
        QCOMPARE(b.peek(key("u1"))->tier, Tier::L1);
        QVERIFY(a.invalidateUser("u1").ok());
        QVERIFY(eventually([&] { return !b.peek(key("u1")); }, 2000ms));
        const auto log = b.invalidationLog();
        QVERIFY(std::any_of(log.begin(), log.end(), [](const auto& r) { return r.remote && r.id == "u1"; }));
    }

    // ---- against a real redis-server ----
    void redisInstancesShareInvalidationsQuickly() {
        test::RedisServer server;
        RECDECK_REQUIRE_REDIS_SERVER(server);
        auto storeA = store::RedisStore::open(server.url());
        auto storeB = store::RedisStore::open(server.url());
        QVERIFY(storeA.ok() && storeB.ok());
        TieredCache a(std::shared_ptr<store::KeyValueStore>(std::move(*storeA)));
        TieredCache b(std::shared_ptr<store::KeyValueStore>(std::move(*storeB)));
        CountingCompute compute;
        QCOMPARE(a.getOrCompute(key("u1"), compute.fn())->tier, Tier::Compute);
        QCOMPARE(b.getOrCompute(key("u1"), compute.fn())->tier, Tier::L2);
        QCOMPARE(b.getOrCompute(key("u1"), compute.fn())->tier, Tier::L1);
        const auto started = std::chrono::steady_clock::now();
        QVERIFY(a.invalidateUser("u1").ok());
        QVERIFY(eventually([&] { return !b.peek(key("u1")); }, 2000ms));
        qInfo("cross-instance invalidation seen after %.1f ms",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
        QCOMPARE(b.getOrCompute(key("u1"), compute.fn())->tier, Tier::Compute);
    }
    void redisOutageDegradesAndRecovers() {
        test::RedisServer server;
        RECDECK_REQUIRE_REDIS_SERVER(server);
        store::RedisStoreOptions options;
        auto opened = store::RedisStore::open(server.url(), options);
        QVERIFY(opened.ok());
        TieredCache cache(std::shared_ptr<store::KeyValueStore>(std::move(*opened)));
        CountingCompute compute;
        QVERIFY(cache.getOrCompute(key("u1"), compute.fn()).ok());
        QVERIFY(server.stop());
        // L1 still serves; new users are computed; nothing fails.
        QCOMPARE(cache.getOrCompute(key("u1"), compute.fn())->tier, Tier::L1);
        auto degraded = cache.getOrCompute(key("u2"), compute.fn());
        QVERIFY(degraded.ok());
        QCOMPARE(degraded->tier, Tier::Compute);
        QVERIFY(!degraded->degraded.empty());
        std::string error;
        QVERIFY2(server.start(&error), error.c_str());
        // Once the store reconnects, L2 is written again and serves a second instance.
        QVERIFY(eventually([&] { return cache.getOrCompute(key("u3"), compute.fn())->degraded.empty(); }, 10000ms));
    }
};

QTEST_GUILESS_MAIN(TestCache)
#include "test_cache.moc"

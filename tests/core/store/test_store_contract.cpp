#include "test_store.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <atomic>
#include <mutex>
#include <set>

#include "recdeck/store/memory_store.h"
#include "recdeck/store/redis_store.h"
#include "recdeck/store/store_factory.h"

using namespace recdeck::store;
using namespace std::chrono_literals;
using storetest::bytes;
using storetest::bytesList;
using storetest::eventually;

namespace {

// Messages received by a handler, readable from the test thread.
struct Inbox {
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> messages;

    MessageHandler handler() {
        return [this](std::string_view channel, std::string_view message) {
            const std::lock_guard lock(mutex);
            messages.emplace_back(channel, message);
        };
    }
    std::size_t size() {
        const std::lock_guard lock(mutex);
        return messages.size();
    }
    std::vector<std::pair<std::string, std::string>> snapshot() {
        const std::lock_guard lock(mutex);
        return messages;
    }
};

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------

void TestStore::initTestCase() {
    // Started lazily by the first Redis row (RECDECK_REQUIRE_REDIS_SERVER), so a machine
    // without redis-server still runs every memory row.
}

void TestStore::cleanupTestCase() {
    m_redis.stop();
}

void TestStore::addBackendColumn() {
    QTest::addColumn<QString>("backend");
}

void TestStore::addBackendRows() {
    addBackendColumn();
    QTest::newRow("memory") << QStringLiteral("memory");
    QTest::newRow("redis") << QStringLiteral("redis");
}

std::unique_ptr<KeyValueStore> TestStore::makeStore(const QString& backend) {
    if (backend == QLatin1String("memory")) return std::make_unique<MemoryStore>();
    RedisStoreOptions options;
    options.keyPrefix = "test" + std::to_string(++m_storeCount) + ":";
    auto store = RedisStore::open(m_redis.url(), options);
    if (!store) {
        qWarning("%s", store.errorMessage().c_str());
        return nullptr;
    }
    return std::move(*store);
}

// ---------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------

void TestStore::getAndSetRoundTripBinaryValues_data() {
    addBackendRows();
}

void TestStore::getAndSetRoundTripBinaryValues() {
    STORE_FOR_ROW(store);
    const std::string binary("a\0b\r\n\xff\x01 end", 11);
    STORE_OK(store->set("plain", "hello"));
    STORE_OK(store->set("binary", binary));
    STORE_OK(store->set("empty", ""));
    STORE_OK(store->set(std::string("key\0with nul", 12), "nul-key"));

    auto plain = store->get("plain");
    STORE_OK(plain);
    QVERIFY(plain->has_value());
    QCOMPARE(bytes(**plain), QByteArray("hello"));
    auto back = store->get("binary");
    STORE_OK(back);
    QCOMPARE(bytes(back->value()), bytes(binary));
    auto empty = store->get("empty");
    STORE_OK(empty);
    QVERIFY(empty->has_value());
    QCOMPARE(empty->value().size(), std::size_t{0});
    auto nulKey = store->get(std::string("key\0with nul", 12));
    STORE_OK(nulKey);
    QCOMPARE(bytes(nulKey->value()), QByteArray("nul-key"));
    auto missing = store->get("missing");
    STORE_OK(missing);
    QVERIFY(!missing->has_value());

    STORE_OK(store->set("plain", "replaced"));
    QCOMPARE(bytes(store->get("plain")->value()), QByteArray("replaced"));
    STORE_OK(store->ping());
    QVERIFY(store->healthy());
}

void TestStore::ttlExpiresKeys_data() {
    addBackendRows();
}

void TestStore::ttlExpiresKeys() {
    STORE_FOR_ROW(store);
    // A long TTL is still there right away (no timing race), a short one goes away.
    STORE_OK(store->set("long", "v", 60'000ms));
    QVERIFY(store->get("long")->has_value());
    STORE_OK(store->set("short", "v", 50ms));
    QVERIFY(eventually([&] { return !store->get("short")->has_value(); }));
    // An expired key is gone for every operation, scanPrefix included.
    auto listing = store->scanPrefix("");
    STORE_OK(listing);
    QCOMPARE(bytesList(listing->keys), QList<QByteArray>{"long"});

    // expire() on an existing key; false on a missing one.
    STORE_OK(store->set("later", "v"));
    auto expired = store->expire("later", 50ms);
    STORE_OK(expired);
    QVERIFY(*expired);
    QVERIFY(eventually([&] { return !store->get("later")->has_value(); }));
    auto none = store->expire("never-set", 50ms);
    STORE_OK(none);
    QVERIFY(!*none);

    // set() without a TTL clears an earlier one (SET semantics).
    STORE_OK(store->set("kept", "v1", 50ms));
    STORE_OK(store->set("kept", "v2"));
    std::this_thread::sleep_for(150ms);
    QCOMPARE(bytes(store->get("kept")->value()), QByteArray("v2"));

    // Sets and hashes expire too, and setAdd keeps the TTL.
    STORE_OK(store->setAdd("members", {"a"}));
    QVERIFY(*store->expire("members", 50ms));
    STORE_OK(store->setAdd("members", {"b"}));
    QVERIFY(eventually([&] { return store->setMembers("members")->empty(); }));
}

void TestStore::getManyReportsMissingKeys_data() {
    addBackendRows();
}

void TestStore::getManyReportsMissingKeys() {
    STORE_FOR_ROW(store);
    STORE_OK(store->set("a", "1"));
    STORE_OK(store->set("c", "3"));
    STORE_OK(store->setAdd("a-set", {"x"}));
    const std::vector<std::string> keys = {"a", "b", "c", "a", "a-set", ""};
    auto values = store->getMany(keys);
    STORE_OK(values);
    QCOMPARE(values->size(), keys.size());
    QCOMPARE(bytes((*values)[0].value()), QByteArray("1"));
    QVERIFY(!(*values)[1].has_value());
    QCOMPARE(bytes((*values)[2].value()), QByteArray("3"));
    QCOMPARE(bytes((*values)[3].value()), QByteArray("1"));
    QVERIFY2(!(*values)[4].has_value(), "a set reads as missing in getMany");
    QVERIFY(!(*values)[5].has_value());

    auto none = store->getMany(std::vector<std::string>{});
    STORE_OK(none);
    QVERIFY(none->empty());
    auto braced = store->getMany({"c", "a"});
    STORE_OK(braced);
    QCOMPARE(bytes((*braced)[0].value()), QByteArray("3"));
}

void TestStore::setManyStoresEveryEntry_data() {
    addBackendRows();
}

void TestStore::setManyStoresEveryEntry() {
    STORE_FOR_ROW(store);
    std::vector<KeyValue> entries;
    std::vector<std::string> keys;
    for (int i = 0; i < 200; ++i) {
        entries.push_back({"k" + std::to_string(i), "v" + std::to_string(i), i % 2 == 0 ? kNoExpiry : 60'000ms});
        keys.push_back(entries.back().key);
    }
    entries.push_back({"short", "gone soon", 50ms});
    entries.push_back({"k0", "last write wins", kNoExpiry});
    STORE_OK(store->setMany(entries));
    auto values = store->getMany(keys);
    STORE_OK(values);
    QCOMPARE(bytes((*values)[0].value()), QByteArray("last write wins"));
    for (std::size_t i = 1; i < keys.size(); ++i)
        QCOMPARE(bytes((*values)[i].value_or("<missing>")), bytes("v" + std::to_string(i)));
    QVERIFY(eventually([&] { return !store->get("short")->has_value(); }));
    STORE_OK(store->setMany({}));
}

void TestStore::removeCountsExistingKeys_data() {
    addBackendRows();
}

void TestStore::removeCountsExistingKeys() {
    STORE_FOR_ROW(store);
    STORE_OK(store->set("a", "1"));
    STORE_OK(store->set("b", "2"));
    STORE_OK(store->setAdd("s", {"m"}));
    STORE_OK(store->hashSet("h", {{"f", "v"}}));
    auto removed = store->remove({"a", "missing", "s", "h"});
    STORE_OK(removed);
    QCOMPARE(*removed, std::size_t{3});
    QVERIFY(!store->get("a")->has_value());
    QVERIFY(store->setMembers("s")->empty());
    QVERIFY(store->hashGetAll("h")->empty());
    QCOMPARE(*store->remove({"a"}), std::size_t{0});
    QCOMPARE(*store->remove(std::vector<std::string>{}), std::size_t{0});
    QVERIFY(store->get("b")->has_value());
}

void TestStore::incrementAddsAndRejectsNonIntegers_data() {
    addBackendRows();
}

void TestStore::incrementAddsAndRejectsNonIntegers() {
    STORE_FOR_ROW(store);
    QCOMPARE(*store->increment("n"), std::int64_t{1});
    QCOMPARE(*store->increment("n", 41), std::int64_t{42});
    QCOMPARE(*store->increment("n", -50), std::int64_t{-8});
    QCOMPARE(bytes(store->get("n")->value()), QByteArray("-8"));

    STORE_OK(store->set("text", "12abc"));
    auto notInteger = store->increment("text");
    QVERIFY(!notInteger.ok());
    QVERIFY2(contains(notInteger.errorMessage(), "not an integer"), notInteger.errorMessage().c_str());
    STORE_OK(store->set("padded", "007"));
    QVERIFY(!store->increment("padded").ok());

    STORE_OK(store->set("big", std::to_string(std::numeric_limits<std::int64_t>::max())));
    auto overflow = store->increment("big");
    QVERIFY(!overflow.ok());
    QVERIFY2(contains(overflow.errorMessage(), "overflow"), overflow.errorMessage().c_str());

    // increment keeps a TTL, like INCRBY.
    STORE_OK(store->set("ttl", "1", 50ms));
    STORE_OK(store->increment("ttl"));
    QVERIFY(eventually([&] { return !store->get("ttl")->has_value(); }));
}

void TestStore::setIfAbsentKeepsTheFirstWriter_data() {
    addBackendRows();
}

void TestStore::setIfAbsentKeepsTheFirstWriter() {
    STORE_FOR_ROW(store);
    QCOMPARE(*store->setIfAbsent("lease", "a"), true);
    QCOMPARE(*store->setIfAbsent("lease", "b"), false);
    QCOMPARE(bytes(store->get("lease")->value()), QByteArray("a"));
    // With a TTL the key frees itself, and the next writer wins.
    QCOMPARE(*store->setIfAbsent("short", "first", 50ms), true);
    QVERIFY(eventually([&] { return *store->setIfAbsent("short", "second", 5000ms); }));
    QCOMPARE(bytes(store->get("short")->value()), QByteArray("second"));
    QVERIFY(!store->setIfAbsent("bad", "x", -1ms).ok());
}

void TestStore::streamsAppendReadAndTrim_data() {
    addBackendRows();
}

void TestStore::streamsAppendReadAndTrim() {
    STORE_FOR_ROW(store);
    if (backend == QLatin1String("memory")) {
        // Optional operation: the embedded store has no fleet to share a stream with.
        auto refused = store->streamAppend("events", {std::string_view("x")});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.errorKind(), recdeck::ErrorKind::Unavailable);
        QVERIFY(!store->streamRead("events", {}, 10).ok());
        return;
    }
    auto empty = store->streamInfo("events");
    STORE_OK(empty);
    QCOMPARE(empty->length, std::size_t{0});
    QVERIFY(store->streamRead("events", {}, 10)->empty());

    // Binary-safe payloads, appended in order with growing ids.
    const std::vector<std::string> payloads = {std::string("a\0b", 3), "second", std::string(1000, 'x')};
    auto ids = store->streamAppend("events", payloads);
    STORE_OK(ids);
    QCOMPARE(ids->size(), payloads.size());
    QVERIFY((*ids)[0] < (*ids)[1] && (*ids)[1] < (*ids)[2]);
    auto all = store->streamRead("events", {}, 10);
    STORE_OK(all);
    QCOMPARE(all->size(), payloads.size());
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        QVERIFY((*all)[i].id == (*ids)[i]);
        QCOMPARE(bytes((*all)[i].payload), bytes(payloads[i]));
    }
    // Reading after an id is exclusive and pages with count.
    auto rest = store->streamRead("events", (*ids)[0], 1);
    STORE_OK(rest);
    QCOMPARE(rest->size(), std::size_t{1});
    QVERIFY(rest->front().id == (*ids)[1]);
    auto info = store->streamInfo("events");
    STORE_OK(info);
    QCOMPARE(info->length, std::size_t{3});
    QVERIFY(info->first == (*ids)[0] && info->last == (*ids)[2]);
    QCOMPARE(QString::fromStdString(recdeck::store::StreamId::parse(info->last.text())->text()),
             QString::fromStdString(info->last.text()));

    // Trimming keeps about maxEntries (whole nodes go: never fewer, a bounded few more).
    std::vector<std::string> many(2000, "p");
    STORE_OK(store->streamAppend("trimmed", many, 100));
    auto trimmed = store->streamInfo("trimmed");
    STORE_OK(trimmed);
    QVERIFY2(trimmed->length >= 100 && trimmed->length < 400, std::to_string(trimmed->length).c_str());

    // A stream key is not a string.
    QVERIFY(!store->get("events").ok());
    QVERIFY(!recdeck::store::StreamId::parse("12").has_value());
    QVERIFY(!recdeck::store::StreamId::parse("a-1").has_value());
}

// ---------------------------------------------------------------------------------------
// Sets and hashes
// ---------------------------------------------------------------------------------------

void TestStore::setsAddListAndRemoveMembers_data() {
    addBackendRows();
}

void TestStore::setsAddListAndRemoveMembers() {
    STORE_FOR_ROW(store);
    const std::string binaryMember("m\0x", 3);
    auto added = store->setAdd("idx", {"recs:u1:10", "recs:u1:20", binaryMember, "recs:u1:10"});
    STORE_OK(added);
    QCOMPARE(*added, std::size_t{3});
    QCOMPARE(*store->setAdd("idx", {"recs:u1:20", "recs:u1:50"}), std::size_t{1});
    auto members = store->setMembers("idx");
    STORE_OK(members);
    QCOMPARE(bytesList(*members), (QList<QByteArray>{bytes(binaryMember), "recs:u1:10", "recs:u1:20", "recs:u1:50"}));

    auto removed = store->setRemove("idx", {"recs:u1:10", "nope"});
    STORE_OK(removed);
    QCOMPARE(*removed, std::size_t{1});
    QCOMPARE(store->setMembers("idx")->size(), std::size_t{3});
    QCOMPARE(*store->setRemove("missing", {"x"}), std::size_t{0});

    // Emptying a set deletes its key.
    QCOMPARE(*store->setRemove("idx", {binaryMember, "recs:u1:20", "recs:u1:50"}), std::size_t{3});
    QVERIFY(store->scanPrefix("idx")->keys.empty());
    QVERIFY(store->setMembers("idx")->empty());
}

void TestStore::setAddManyAddsExpiresAndCounts_data() {
    addBackendRows();
}

void TestStore::setAddManyAddsExpiresAndCounts() {
    STORE_FOR_ROW(store);
    STORE_OK(store->setAdd("a", {"old"}));
    const std::vector<SetAddition> additions = {
        {"a", {"x", "y", "old"}, kNoExpiry},
        {"empty", {}, 50ms},
        {"b", {"only"}, 80ms},
    };
    auto results = store->setAddMany(additions);
    STORE_OK(results);
    QCOMPARE(results->size(), std::size_t{3});
    QCOMPARE((*results)[0].added, std::size_t{2});
    QCOMPARE((*results)[0].size, std::size_t{3});
    QCOMPARE((*results)[1].added, std::size_t{0});
    QCOMPARE((*results)[2].added, std::size_t{1});
    QCOMPARE((*results)[2].size, std::size_t{1});
    QVERIFY(store->scanPrefix("empty")->keys.empty());
    // "b" got its TTL in the same trip; "a" has none.
    QVERIFY(eventually([&] { return store->setMembers("b")->empty(); }, 5000ms));
    QCOMPARE(store->setMembers("a")->size(), std::size_t{3});
    // A key of another kind fails, naming it.
    STORE_OK(store->set("plain", "v"));
    auto wrong = store->setAddMany(std::vector<SetAddition>{{"plain", {"m"}, kNoExpiry}});
    QVERIFY(!wrong.ok());
    QVERIFY2(contains(wrong.errorMessage(), "WRONGTYPE"), wrong.errorMessage().c_str());
    QVERIFY(!store->setAddMany(std::vector<SetAddition>{{"c", {"m"}, Ttl(-1)}}).ok());
}

void TestStore::hashesSetGetAndDeleteFields_data() {
    addBackendRows();
}

void TestStore::hashesSetGetAndDeleteFields() {
    STORE_FOR_ROW(store);
    const std::string key = keyOf({"experiment", "home-page"});
    auto added = store->hashSet(key, {{"salt", "s1"}, {"coverage", "1.0"}, {"variants", R"([{"name":"control"}])"}});
    STORE_OK(added);
    QCOMPARE(*added, std::size_t{3});
    QCOMPARE(*store->hashSet(key, {{"coverage", "0.5"}, {"state", "running"}}), std::size_t{1});
    auto fields = store->hashGetAll(key);
    STORE_OK(fields);
    QCOMPARE(fields->size(), std::size_t{4});
    QCOMPARE(bytes(fields->at("coverage")), QByteArray("0.5"));
    QCOMPARE(bytes(fields->at("state")), QByteArray("running"));
    QCOMPARE(bytes(fields->at("variants")), QByteArray(R"([{"name":"control"}])"));

    auto deleted = store->hashDelete(key, {"salt", "absent"});
    STORE_OK(deleted);
    QCOMPARE(*deleted, std::size_t{1});
    QVERIFY(!store->hashGetAll(key)->contains("salt"));
    QVERIFY(store->hashGetAll("missing")->empty());
    QCOMPARE(*store->hashDelete(key, {"coverage", "state", "variants"}), std::size_t{3});
    QVERIFY(store->scanPrefix("experiment")->keys.empty());
}

void TestStore::wrongKindOfKeyFails_data() {
    addBackendRows();
}

void TestStore::wrongKindOfKeyFails() {
    STORE_FOR_ROW(store);
    STORE_OK(store->setAdd("a-set", {"m"}));
    STORE_OK(store->set("a-string", "v"));
    STORE_OK(store->hashSet("a-hash", {{"f", "v"}}));
    const auto wrongType = [](const auto& result) {
        return !result.ok() && contains(result.errorMessage(), "WRONGTYPE");
    };
    QVERIFY(wrongType(store->get("a-set")));
    QVERIFY(wrongType(store->increment("a-hash")));
    QVERIFY(wrongType(store->setAdd("a-string", {"m"})));
    QVERIFY(wrongType(store->setMembers("a-hash")));
    QVERIFY(wrongType(store->hashSet("a-set", {{"f", "v"}})));
    QVERIFY(wrongType(store->hashGetAll("a-string")));
    // set() replaces whatever the key held.
    STORE_OK(store->set("a-set", "now a string"));
    QCOMPARE(bytes(store->get("a-set")->value()), QByteArray("now a string"));
}

// ---------------------------------------------------------------------------------------
// Scan
// ---------------------------------------------------------------------------------------

void TestStore::scanPrefixListsManyKeys_data() {
    addBackendRows();
}

void TestStore::scanPrefixListsManyKeys() {
    STORE_FOR_ROW(store);
    std::vector<KeyValue> entries;
    std::vector<std::string> expected;
    for (int i = 0; i < 1500; ++i) {
        entries.push_back({keyOf({"scan", "a", std::to_string(i)}), "v"});
        expected.push_back(entries.back().key);
    }
    for (int i = 0; i < 300; ++i) entries.push_back({keyOf({"scan", "b", std::to_string(i)}), "v"});
    entries.push_back({"scan:a", "not under scan:a:"});
    entries.push_back({"scan:a*", "a literal star"});
    STORE_OK(store->setMany(entries));
    STORE_OK(store->setAdd(keyOf({"scan", "a", "index"}), {"m"}));
    STORE_OK(store->hashSet(keyOf({"scan", "a", "record"}), {{"f", "v"}}));
    expected.push_back(keyOf({"scan", "a", "index"}));
    expected.push_back(keyOf({"scan", "a", "record"}));
    std::sort(expected.begin(), expected.end());

    auto all = store->scanPrefix(keyPrefixOf({"scan", "a"}));
    STORE_OK(all);
    QVERIFY(!all->truncated);
    QCOMPARE(all->keys.size(), expected.size());
    QVERIFY(all->keys == expected);

    auto limited = store->scanPrefix(keyPrefixOf({"scan", "a"}), 100);
    STORE_OK(limited);
    QVERIFY(limited->truncated);
    QCOMPARE(limited->keys.size(), std::size_t{100});
    QVERIFY(std::is_sorted(limited->keys.begin(), limited->keys.end()));
    for (const auto& key : limited->keys) QVERIFY(key.starts_with("scan:a:"));

    // Glob characters in the prefix are literal: "scan:a*" matches one key, not 1,502.
    auto literal = store->scanPrefix("scan:a*");
    STORE_OK(literal);
    QCOMPARE(bytesList(literal->keys), QList<QByteArray>{"scan:a*"});
    QCOMPARE(store->scanPrefix("scan:")->keys.size(), std::size_t{1500 + 300 + 2 + 2});
    QVERIFY(store->scanPrefix("nothing-here")->keys.empty());
}

// ---------------------------------------------------------------------------------------
// Pub/sub
// ---------------------------------------------------------------------------------------

void TestStore::publishReachesEverySubscriber_data() {
    addBackendRows();
}

void TestStore::publishReachesEverySubscriber() {
    STORE_FOR_ROW(store);
    Inbox first;
    Inbox second;
    Inbox other;
    std::atomic<int> storeCallsFromHandler{0};
    auto subFirst = store->subscribe("invalidate", first.handler());
    STORE_OK(subFirst);
    QVERIFY(subFirst->active());
    // A handler may call the store: delivery never holds the store's lock.
    auto subSecond = store->subscribe("invalidate", [&](std::string_view channel, std::string_view message) {
        second.handler()(channel, message);
        if (store->increment("handled").ok()) ++storeCallsFromHandler;
    });
    STORE_OK(subSecond);
    auto subOther = store->subscribe("other", other.handler());
    STORE_OK(subOther);

    const int count = 50;
    for (int i = 0; i < count; ++i) STORE_OK(store->publish("invalidate", "user:" + std::to_string(i)));
    STORE_OK(store->publish("invalidate", std::string("bin\0ary", 7)));
    STORE_OK(store->publish("nobody-listens", "dropped"));

    QVERIFY(eventually([&] { return first.size() == count + 1 && second.size() == count + 1; }));
    QVERIFY(eventually([&] { return storeCallsFromHandler.load() == count + 1; }));
    const auto received = first.snapshot();
    for (int i = 0; i < count; ++i) {
        QCOMPARE(bytes(received[static_cast<std::size_t>(i)].first), QByteArray("invalidate"));
        QCOMPARE(bytes(received[static_cast<std::size_t>(i)].second), bytes("user:" + std::to_string(i)));
    }
    QCOMPARE(bytes(received.back().second), QByteArray("bin\0ary", 7));
    QCOMPARE(*store->increment("handled", 0), std::int64_t{count + 1});
    QCOMPARE(other.size(), std::size_t{0});
}

void TestStore::cancelledSubscriptionStopsDelivery_data() {
    addBackendRows();
}

void TestStore::cancelledSubscriptionStopsDelivery() {
    STORE_FOR_ROW(store);
    Inbox kept;
    std::atomic<int> afterCancel{0};
    std::atomic<bool> cancelled{false};
    auto keep = store->subscribe("ch", kept.handler());
    STORE_OK(keep);
    auto dropped = store->subscribe("ch", [&](std::string_view, std::string_view) {
        if (cancelled.load()) ++afterCancel;
    });
    STORE_OK(dropped);

    // A handler that cancels its own subscription from the delivery thread.
    std::atomic<int> selfCalls{0};
    Subscription self;
    std::mutex selfMutex;
    {
        auto made = store->subscribe("ch", [&](std::string_view, std::string_view) {
            ++selfCalls;
            const std::lock_guard lock(selfMutex);
            self.cancel();
        });
        STORE_OK(made);
        const std::lock_guard lock(selfMutex);
        self = std::move(*made);
    }

    STORE_OK(store->publish("ch", "1"));
    QVERIFY(eventually([&] { return kept.size() == 1; }));
    dropped->cancel();
    cancelled = true;
    QVERIFY(!dropped->active());
    for (int i = 2; i <= 5; ++i) STORE_OK(store->publish("ch", std::to_string(i)));
    // Messages are delivered in order, so once "5" reached `kept`, "2".."5" were dispatched.
    QVERIFY(eventually([&] { return kept.size() == 5; }));
    QCOMPARE(afterCancel.load(), 0);
    QCOMPARE(selfCalls.load(), 1);

    // Handles may outlive the store.
    Subscription survivor = std::move(*keep);
    store.reset();
    survivor.cancel();
    QVERIFY(!survivor.active());
}

// ---------------------------------------------------------------------------------------
// Hostile ids and concurrency
// ---------------------------------------------------------------------------------------

void TestStore::hostileIdsStayInTheirOwnKeys_data() {
    addBackendRows();
}

void TestStore::hostileIdsStayInTheirOwnKeys() {
    STORE_FOR_ROW(store);
    const std::vector<std::string> ids = {"u1",
                                          "u1:10",
                                          "u1:",
                                          ":",
                                          "*",
                                          "u1*",
                                          "",
                                          " ",
                                          "u 1",
                                          "u1\n10",
                                          "\r\n",
                                          "%",
                                          "%3A",
                                          "José",
                                          "日本",
                                          std::string("u\0"
                                                      "1",
                                                      3),
                                          "[u]?"};
    std::vector<KeyValue> entries;
    for (const auto& id : ids) {
        entries.push_back({keyOf({"recs", id, "10"}), "recs-of:" + id});
        entries.push_back({keyOf({"recs", id, "20"}), "recs-of:" + id});
    }
    STORE_OK(store->setMany(entries));
    for (const auto& id : ids) {
        auto value = store->get(keyOf({"recs", id, "10"}));
        STORE_OK(value);
        QCOMPARE(bytes(value->value_or("<missing>")), bytes("recs-of:" + id));
        auto keys = store->scanPrefix(keyPrefixOf({"recs", id}));
        STORE_OK(keys);
        QCOMPARE(bytesList(keys->keys), bytesList({keyOf({"recs", id, "10"}), keyOf({"recs", id, "20"})}));
        // Invalidating one user's keys removes exactly two.
        QCOMPARE(*store->remove(keys->keys), std::size_t{2});
    }
    QVERIFY(store->scanPrefix("recs:")->keys.empty());
}

void TestStore::concurrentCallersSeeEveryWrite_data() {
    addBackendRows();
}

void TestStore::concurrentCallersSeeEveryWrite() {
    STORE_FOR_ROW(store);
    constexpr int kThreads = 4;
    constexpr int kRounds = 150;
    std::atomic<int> failures{0};
    std::mutex firstErrorMutex;
    std::string firstError;
    const auto fail = [&](const std::string& why) {
        ++failures;
        const std::lock_guard lock(firstErrorMutex);
        if (firstError.empty()) firstError = why;
    };
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kRounds; ++i) {
                    const std::string own = keyOf({"t", std::to_string(t), std::to_string(i)});
                    if (auto r = store->increment("counter"); !r) fail(r.errorMessage());
                    if (auto r = store->set(own, own); !r) fail(r.errorMessage());
                    auto back = store->getMany({own, "counter"});
                    if (!back)
                        fail(back.errorMessage());
                    else if ((*back)[0] != own)
                        fail("read another thread's value for " + own);
                    if (auto r = store->setAdd("all", {own}); !r) fail(r.errorMessage());
                }
            });
        }
    }
    QVERIFY2(failures.load() == 0, firstError.c_str());
    QCOMPARE(bytes(store->get("counter")->value()), bytes(std::to_string(kThreads * kRounds)));
    QCOMPARE(store->setMembers("all")->size(), std::size_t{kThreads * kRounds});
}

void TestStore::invalidArgumentsAreRefused_data() {
    addBackendRows();
}

void TestStore::invalidArgumentsAreRefused() {
    STORE_FOR_ROW(store);
    QVERIFY(!store->set("k", "v", Ttl(-1)).ok());
    QVERIFY(!store->expire("k", Ttl(0)).ok());
    QVERIFY(!store->setMany(std::vector<KeyValue>{{"k", "v", Ttl(-5)}}).ok());
    QVERIFY(!store->scanPrefix("", 0).ok());
    QVERIFY(!store->subscribe("ch", MessageHandler{}).ok());
    QVERIFY(!store->get("k")->has_value());
}

// ---------------------------------------------------------------------------------------
// Embedded only, and the factory
// ---------------------------------------------------------------------------------------

void TestStore::memorySweepRemovesExpiredKeys() {
    MemoryStoreOptions options;
    options.sweepBatch = 30;
    MemoryStore store(options);
    std::vector<KeyValue> entries;
    for (int i = 0; i < 50; ++i) entries.push_back({"short" + std::to_string(i), "v", 1ms});
    STORE_OK(store.setMany(entries));
    STORE_OK(store.set("kept", "v"));
    QCOMPARE(store.storedKeyCount(), std::size_t{51});
    std::this_thread::sleep_for(20ms);  // every deadline is now in the past
    // Nobody reads the expired keys; writes sweep them, sweepBatch at a time.
    STORE_OK(store.set("w1", "v"));
    QCOMPARE(store.storedKeyCount(), std::size_t{51 - 30 + 1});
    STORE_OK(store.set("w2", "v"));
    QCOMPARE(store.storedKeyCount(), std::size_t{3});
    QCOMPARE(store.describe(), std::string("embedded"));
}

void TestStore::memoryBudgetEvictsSoonestToExpireThenRefuses() {
    MemoryStoreOptions options;
    options.maxBytes = 200'000;
    MemoryStore store(options);
    const std::string value(1000, 'v');
    // Keys without a TTL first (never evicted), then cached values with TTLs.
    for (int i = 0; i < 50; ++i) STORE_OK(store.set("durable" + std::to_string(i), value));
    for (int i = 0; i < 1000; ++i) {
        STORE_OK(store.set("cached" + std::to_string(i), value, std::chrono::minutes(10 + i)));
        STORE_OK(store.setAdd("set" + std::to_string(i), {value, "m" + std::to_string(i)}));
        STORE_OK(store.expire("set" + std::to_string(i), std::chrono::minutes(10 + i)));
        QVERIFY(store.stats().bytes <= options.maxBytes);
    }
    const auto stats = store.stats();
    QVERIFY(stats.evictions > 0);
    QCOMPARE(stats.refusedWrites, std::uint64_t{0});
    // The soonest to expire went first; the latest written are there; nothing durable
    // was evicted.
    QVERIFY(!*store.get("cached0"));
    QVERIFY(*store.get("cached999"));
    for (int i = 0; i < 50; ++i) QVERIFY(*store.get("durable" + std::to_string(i)));

    // Only keys without a TTL: writes that add data are refused, removals work.
    MemoryStoreOptions small;
    small.maxBytes = 20'000;
    MemoryStore full(small);
    int written = 0;
    recdeck::Status last;
    for (; written < 100; ++written) {
        last = full.set("k" + std::to_string(written), value);
        if (!last) break;
    }
    QVERIFY(written < 100);
    QCOMPARE(last.errorKind(), recdeck::ErrorKind::Unavailable);
    QVERIFY2(contains(last.errorMessage(), "OOM"), last.errorMessage().c_str());
    QVERIFY(!full.setAdd("another", {"m"}).ok());
    QCOMPARE(*full.remove({"k0", "k1"}), std::size_t{2});
    STORE_OK(full.set("fits-again", "v"));
    QVERIFY(full.stats().refusedWrites >= 2);
}

// The budget counts what the keys really take: compared with the heap the same data
// occupies (glibc's mallinfo2), within 25 %. Skipped under sanitizers, which replace malloc.
void TestStore::memoryAccountingMatchesTheHeap() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    QSKIP("sanitizers replace malloc, so the heap cannot be measured here");
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    MemoryStoreOptions options;
    options.maxBytes = std::size_t{1} << 30;
    const auto heap = [] { return mallinfo2().uordblks; };
    std::size_t counted = 0;
    {
        MemoryStore store(options);
        const std::size_t empty = heap();
        for (int i = 0; i < 20'000; ++i) {
            const std::string id = std::to_string(i);
            STORE_OK(store.set(keyOf({"feat", "user", "user-" + id}), std::string(300, 'f'), std::chrono::minutes(5)));
            STORE_OK(store.hashSet(keyOf({"recs", "user-" + id}), {{"n=10|als|v1", std::string(900, 'r')}}));
            STORE_OK(store.expire(keyOf({"recs", "user-" + id}), std::chrono::minutes(7)));
            STORE_OK(store.setAdd(keyOf({"hist", "user-" + id}), {"000017000000000|click|item-" + id}));
            STORE_OK(store.set("n" + id, "1"));
        }
        const std::size_t used = heap() - empty;
        counted = store.stats().bytes;
        const double ratio = static_cast<double>(counted) / static_cast<double>(used);
        qInfo("memory store: %zu bytes counted, %zu bytes of heap (ratio %.2f)", counted, used, ratio);
        QVERIFY2(ratio > 0.75 && ratio < 1.25, qPrintable(QString::number(ratio)));
    }
    QVERIFY(counted > 0);
#else
    QSKIP("needs glibc's mallinfo2 to measure the heap");
#endif
}

void TestStore::openStoreChoosesTheBackend() {
    auto embedded = openStore("");
    STORE_OK(embedded);
    QCOMPARE((*embedded)->describe(), std::string("embedded"));
    QCOMPARE((*openStore("embedded"))->describe(), std::string("embedded"));
    auto unknown = openStore("postgres");
    QVERIFY(!unknown.ok());
    QVERIFY2(contains(unknown.errorMessage(), "redis://"), unknown.errorMessage().c_str());
    auto badUrl = openStore("redis://host:notaport");
    QVERIFY(!badUrl.ok());

    RECDECK_REQUIRE_REDIS_SERVER(m_redis);
    auto redis = openStore(m_redis.url(3));
    STORE_OK(redis);
    QCOMPARE((*redis)->describe(), "redis://127.0.0.1:" + std::to_string(m_redis.port()) + "/3");
    STORE_OK((*redis)->ping());
}

QTEST_GUILESS_MAIN(TestStore)

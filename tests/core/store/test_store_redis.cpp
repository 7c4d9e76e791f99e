#include "test_store.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "recdeck/store/redis_store.h"
#include "recdeck/store/redis_url.h"

using namespace recdeck::store;
using namespace std::chrono_literals;
using recdeck::test::RedisServer;
using storetest::bytes;
using storetest::eventually;

namespace {

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// Sets or clears RECDECK_REDIS_PASSWORD for one test and restores it afterwards.
class PasswordVariable {
public:
    explicit PasswordVariable(const char* value) {
        if (const char* old = std::getenv(RedisUrl::kPasswordVariable)) m_old = old;
        if (value != nullptr)
            qputenv(RedisUrl::kPasswordVariable, value);
        else
            qunsetenv(RedisUrl::kPasswordVariable);
    }
    ~PasswordVariable() {
        if (m_old)
            qputenv(RedisUrl::kPasswordVariable, m_old->c_str());
        else
            qunsetenv(RedisUrl::kPasswordVariable);
    }
    PasswordVariable(const PasswordVariable&) = delete;
    PasswordVariable& operator=(const PasswordVariable&) = delete;

private:
    std::optional<std::string> m_old;
};

std::string hostPortOf(const RedisServer& server) {
    return "127.0.0.1:" + std::to_string(server.port());
}

}  // namespace

// ---------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------

void TestStore::redisUrlParses_data() {
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::newRow("everything") << "redis://:s3cret@cache.example:7000/2"
                                << "cache.example" << 7000 << 2 << ""
                                << "s3cret";
    QTest::newRow("host only") << "redis://localhost"
                               << "localhost" << 6379 << 0 << ""
                               << "";
    QTest::newRow("trailing slash") << "redis://localhost/"
                                    << "localhost" << 6379 << 0 << ""
                                    << "";
    QTest::newRow("port, no db") << "redis://127.0.0.1:6390"
                                 << "127.0.0.1" << 6390 << 0 << ""
                                 << "";
    QTest::newRow("db, no port") << "redis://redis-1.internal/15"
                                 << "redis-1.internal" << 6379 << 15 << ""
                                 << "";
    QTest::newRow("acl user") << "redis://alice:pw@cache.example:6380/5"
                              << "cache.example" << 6380 << 5 << "alice"
                              << "pw";
    QTest::newRow("percent-encoded password") << "redis://:p%40ss%3Aw%2Fd@h"
                                              << "h" << 6379 << 0 << ""
                                              << "p@ss:w/d";
    QTest::newRow("ipv6") << "redis://[::1]:6390/1"
                          << "::1" << 6390 << 1 << ""
                          << "";
    QTest::newRow("upper-case scheme") << "REDIS://h:1/0"
                                       << "h" << 1 << 0 << ""
                                       << "";
    QTest::newRow("empty password") << "redis://:@h"
                                    << "h" << 6379 << 0 << ""
                                    << "";
    QTest::newRow("user without password") << "redis://bob@h"
                                           << "h" << 6379 << 0 << "bob"
                                           << "";
    QTest::newRow("highest port") << "redis://h:65535"
                                  << "h" << 65535 << 0 << ""
                                  << "";
    QTest::newRow("unescaped slash in password") << "redis://:pa/ss@h:6390/2"
                                                 << "h" << 6390 << 2 << ""
                                                 << "pa/ss";
    QTest::newRow("unescaped @ ? # in password") << "redis://:p@s?s#@h/1"
                                                 << "h" << 6379 << 1 << ""
                                                 << "p@s?s#";
}

void TestStore::redisUrlParses() {
    QFETCH(QString, url);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(int, db);
    QFETCH(QString, user);
    QFETCH(QString, password);
    const auto parsed = RedisUrl::parse(url.toStdString());
    STORE_OK(parsed);
    QCOMPARE(QString::fromStdString(parsed->host), host);
    QCOMPARE(int{parsed->port}, port);
    QCOMPARE(parsed->db, db);
    QCOMPARE(QString::fromStdString(parsed->user), user);
    QCOMPARE(QString::fromStdString(parsed->password), password);
}

void TestStore::redisUrlRejects_data() {
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no scheme") << "localhost:6379"
                               << "missing 'redis://'";
    QTest::newRow("other scheme") << "http://:hunter2@h"
                                  << "unsupported scheme 'http'";
    QTest::newRow("tls") << "rediss://:hunter2@h:6380"
                         << "TLS";
    QTest::newRow("empty") << "redis://"
                           << "missing host";
    QTest::newRow("no host") << "redis://:hunter2@:6379/0"
                             << "missing host";
    QTest::newRow("port not a number") << "redis://:hunter2@h:abc"
                                       << "port 'abc' is not a number in 1..65535";
    QTest::newRow("port zero") << "redis://h:0"
                               << "port '0'";
    QTest::newRow("port too large") << "redis://h:70000"
                                    << "port '70000'";
    QTest::newRow("empty port") << "redis://h:/0"
                                << "port ''";
    QTest::newRow("db not a number") << "redis://h/x"
                                     << "database 'x'";
    QTest::newRow("negative db") << "redis://h/-1"
                                 << "database '-1'";
    QTest::newRow("nested path") << "redis://h/1/2"
                                 << "database '1/2'";
    QTest::newRow("query") << "redis://h/0?timeout=1"
                           << "query";
    QTest::newRow("unclosed ipv6") << "redis://[::1:6379"
                                   << "']'";
    QTest::newRow("unbracketed ipv6") << "redis://::1:6379"
                                      << "brackets";
    QTest::newRow("bad escape") << "redis://:hunter2%zz@h"
                                << "percent-escape in the password";
    QTest::newRow("space in host") << "redis://my host"
                                   << "host 'my host'";
    // A '/' in the password once ended the masking early, so the error printed it.
    QTest::newRow("slash in password, bad port") << "redis://:hun/ter2hunter2@h:abc"
                                                 << "port 'abc'";
    QTest::newRow("slash in password, bad db") << "redis://:hunter2/x@h/y"
                                               << "database 'y'";
    QTest::newRow("no scheme, password") << ":hunter2@h:6379"
                                         << "missing 'redis://'";
}

void TestStore::redisUrlRejects() {
    QFETCH(QString, url);
    QFETCH(QString, expected);
    const auto parsed = RedisUrl::parse(url.toStdString());
    QVERIFY(!parsed.ok());
    const std::string& message = parsed.errorMessage();
    QVERIFY2(contains(message, expected.toStdString()), message.c_str());
    QVERIFY2(contains(message, "expected redis://"), message.c_str());
    QVERIFY2(!contains(message, "hunter2"), message.c_str());
}

void TestStore::redisUrlRedactsCredentials() {
    const auto url = RedisUrl::parse("redis://alice:hunter2@cache.example:6380/5");
    STORE_OK(url);
    QCOMPARE(url->redacted(), std::string("redis://cache.example:6380/5"));
    QCOMPARE(url->hostPort(), std::string("cache.example:6380"));
    QCOMPARE(RedisUrl::parse("redis://[::1]/1")->redacted(), std::string("redis://[::1]:6379/1"));
}

void TestStore::redisPasswordComesFromEnvironment() {
    const PasswordVariable variable("from-env");
    QCOMPARE(RedisUrl::resolve("redis://h")->password, std::string("from-env"));
    QCOMPARE(RedisUrl::resolve("redis://:in-url@h")->password, std::string("in-url"));
    QCOMPARE(RedisUrl::parse("redis://h")->password, std::string());
    QVERIFY(!RedisUrl::resolve("redis://h:bad").ok());
}

void TestStore::redisPasswordComesFromAPrivateFile() {
    const PasswordVariable variable(nullptr);
    const auto dir = recdeck::test::makeTempDir("recdeck-redis-password");
    const auto file = dir / "redis-password";
    {
        std::ofstream out(file);
        out << "from/file@pw\n";
    }
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    qputenv(RedisUrl::kPasswordFileVariable, file.c_str());
    const auto resolved = RedisUrl::resolve("redis://h");
    qunsetenv(RedisUrl::kPasswordFileVariable);
    STORE_OK(resolved);
    QCOMPARE(resolved->password, std::string("from/file@pw"));

    const auto spec = RedisUrl::commandLineStore("redis://h:6390/3", file);
    STORE_OK(spec);
    const auto reparsed = RedisUrl::parse(*spec);
    STORE_OK(reparsed);
    QCOMPARE(reparsed->password, std::string("from/file@pw"));
    QCOMPARE(reparsed->port, std::uint16_t{6390});
    QCOMPARE(reparsed->db, 3);

    // A file others may read is refused, without echoing its content.
    std::filesystem::permissions(file, std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    const auto refused = RedisUrl::commandLineStore("redis://h", file);
    QVERIFY(!refused.ok());
    QVERIFY2(contains(refused.errorMessage(), "chmod 600"), refused.errorMessage().c_str());
    QVERIFY(!contains(refused.errorMessage(), "from/file"));
    std::filesystem::remove_all(dir);
}

void TestStore::commandLineRefusesPasswordsInTheUrl() {
    for (const char* url : {"redis://:hunter2@h", "redis://alice:hunter2@h:6390/1", "redis://:hun/ter2@h"}) {
        const auto spec = RedisUrl::commandLineStore(url);
        QVERIFY2(!spec.ok(), url);
        QCOMPARE(spec.errorKind(), recdeck::ErrorKind::Invalid);
        QVERIFY2(contains(spec.errorMessage(), RedisUrl::kPasswordVariable), spec.errorMessage().c_str());
        QVERIFY2(!contains(spec.errorMessage(), "hunter2") && !contains(spec.errorMessage(), "ter2"),
                 spec.errorMessage().c_str());
    }
    QCOMPARE(*RedisUrl::commandLineStore("redis://h:1/2"), std::string("redis://h:1/2"));
    QCOMPARE(*RedisUrl::commandLineStore("embedded"), std::string("embedded"));
    QVERIFY(!RedisUrl::commandLineStore("embedded", "/some/file").ok());
    QCOMPARE(RedisUrl::masked("redis://:a/b@c@host:1/0"), std::string("redis://***@host:1/0"));
}

// ---------------------------------------------------------------------------------------
// Authentication and databases
// ---------------------------------------------------------------------------------------

void TestStore::redisWrongPasswordIsAClearError() {
    RedisServer secured(RedisServer::Options{"s3cret-pw"});
    RECDECK_REQUIRE_REDIS_SERVER(secured);
    const PasswordVariable noVariable(nullptr);
    const std::string where = hostPortOf(secured);

    auto wrong = RedisStore::open("redis://:wrong-pw@" + where + "/0");
    QVERIFY(!wrong.ok());
    QVERIFY2(contains(wrong.errorMessage(), "Redis at " + where + " rejected the credentials (AUTH)"),
             wrong.errorMessage().c_str());
    QVERIFY2(contains(wrong.errorMessage(), RedisUrl::kPasswordVariable), wrong.errorMessage().c_str());
    QVERIFY2(!contains(wrong.errorMessage(), "wrong-pw"), wrong.errorMessage().c_str());

    auto wrongUser = RedisStore::open("redis://alice:s3cret-pw@" + where + "/0");
    QVERIFY(!wrongUser.ok());
    QVERIFY2(contains(wrongUser.errorMessage(), "as user 'alice'"), wrongUser.errorMessage().c_str());

    auto right = RedisStore::open(secured.url(2));
    STORE_OK(right);
    STORE_OK((*right)->set("k", "v"));
    QCOMPARE((*right)->describe(), "redis://" + where + "/2");
    QVERIFY(!contains((*right)->describe(), "s3cret"));

    const PasswordVariable fromEnvironment("s3cret-pw");
    auto viaEnvironment = RedisStore::open("redis://" + where + "/2");
    STORE_OK(viaEnvironment);
    QCOMPARE(bytes((*viaEnvironment)->get("k")->value_or("<missing>")), QByteArray("v"));
}

void TestStore::redisMissingPasswordIsAClearError() {
    RedisServer secured(RedisServer::Options{"s3cret-pw"});
    RECDECK_REQUIRE_REDIS_SERVER(secured);
    const PasswordVariable noVariable(nullptr);
    for (const int db : {0, 3}) {
        auto none = RedisStore::open("redis://" + hostPortOf(secured) + "/" + std::to_string(db));
        QVERIFY(!none.ok());
        QVERIFY2(contains(none.errorMessage(), "requires a password"), none.errorMessage().c_str());
        QVERIFY2(contains(none.errorMessage(), RedisUrl::kPasswordVariable), none.errorMessage().c_str());
    }
}

void TestStore::redisDatabasesAreIsolated() {
    RECDECK_REQUIRE_REDIS_SERVER(m_redis);
    RedisStoreOptions options;
    options.keyPrefix = "iso:";
    auto db1 = RedisStore::open(m_redis.url(1), options);
    auto db2 = RedisStore::open(m_redis.url(2), options);
    STORE_OK(db1);
    STORE_OK(db2);
    STORE_OK((*db1)->set("shared-name", "in db 1"));
    STORE_OK((*db1)->setAdd("index", {"m"}));
    QVERIFY(!(*db2)->get("shared-name")->has_value());
    QVERIFY((*db2)->scanPrefix("")->keys.empty());
    QCOMPARE(bytes((*db1)->get("shared-name")->value()), QByteArray("in db 1"));
    QCOMPARE((*db1)->scanPrefix("")->keys.size(), std::size_t{2});
    QVERIFY(*(*db1)->remove({"shared-name", "index"}) == 2);

    auto tooHigh = RedisStore::open(m_redis.url(99));
    QVERIFY(!tooHigh.ok());
    QVERIFY2(contains(tooHigh.errorMessage(), "refused SELECT 99"), tooHigh.errorMessage().c_str());
}

void TestStore::redisKeysCarryTheNamespacePrefix() {
    RECDECK_REQUIRE_REDIS_SERVER(m_redis);
    RedisStoreOptions a;
    a.keyPrefix = "nsA:";
    RedisStoreOptions b;
    b.keyPrefix = "nsB:";
    RedisStoreOptions raw;
    raw.keyPrefix = "";
    auto storeA = RedisStore::open(m_redis.url(4), a);
    auto storeB = RedisStore::open(m_redis.url(4), b);
    auto storeRaw = RedisStore::open(m_redis.url(4), raw);
    STORE_OK(storeA);
    STORE_OK(storeB);
    STORE_OK(storeRaw);
    QCOMPARE((*storeA)->keyPrefix(), std::string("nsA:"));
    QCOMPARE(RedisStoreOptions{}.keyPrefix, std::string("recdeck:"));

    STORE_OK((*storeA)->set("k", "from A"));
    QVERIFY(!(*storeB)->get("k")->has_value());
    QCOMPARE(bytes((*storeRaw)->get("nsA:k")->value_or("<missing>")), QByteArray("from A"));
    QCOMPARE(bytes((*storeA)->scanPrefix("")->keys.front()), QByteArray("k"));

    // Channels are namespaced the same way.
    std::mutex mutex;
    std::vector<std::string> seen;
    auto sub = (*storeRaw)->subscribe("nsA:news", [&](std::string_view channel, std::string_view message) {
        const std::lock_guard lock(mutex);
        seen.push_back(std::string(channel) + "=" + std::string(message));
    });
    STORE_OK(sub);
    STORE_OK((*storeB)->publish("news", "wrong namespace"));
    STORE_OK((*storeA)->publish("news", "hello"));
    QVERIFY(eventually([&] {
        const std::lock_guard lock(mutex);
        return !seen.empty();
    }));
    const std::lock_guard lock(mutex);
    QCOMPARE(seen, std::vector<std::string>{"nsA:news=hello"});
}

// ---------------------------------------------------------------------------------------
// Failures and recovery
// ---------------------------------------------------------------------------------------

void TestStore::redisSlowServerTimesOut() {
    RedisServer slow;
    RECDECK_REQUIRE_REDIS_SERVER(slow);
    RedisStoreOptions options;
    options.commandTimeout = 200ms;
    options.initialBackoff = 100ms;
    options.maxBackoff = 400ms;
    auto store = RedisStore::open(slow.url(), options);
    STORE_OK(store);
    STORE_OK((*store)->set("k", "v"));

    slow.pause();
    auto timedOut = (*store)->get("k");
    slow.resume();
    QVERIFY(!timedOut.ok());
    QVERIFY2(contains(timedOut.errorMessage(), "Redis at " + hostPortOf(slow) + " did not answer GET within 200 ms"),
             timedOut.errorMessage().c_str());
    QVERIFY(!(*store)->healthy());
    QVERIFY(eventually([&] { return (*store)->get("k").ok(); }, 5000ms));
    QCOMPARE(bytes((*store)->get("k")->value()), QByteArray("v"));
    QVERIFY((*store)->healthy());
}

void TestStore::redisOutageFailsFastAndRecovers() {
    RedisServer outage;
    RECDECK_REQUIRE_REDIS_SERVER(outage);
    RedisStoreOptions options;
    options.initialBackoff = 1000ms;  // long enough that the fail-fast burst below fits in it
    options.maxBackoff = 2000ms;
    auto opened = RedisStore::open(outage.url(), options);
    STORE_OK(opened);
    RedisStore& store = **opened;
    STORE_OK(store.set("k", "v"));
    QVERIFY(store.healthy());
    QVERIFY(store.health().lastError.empty());
    const std::string where = "Redis at " + hostPortOf(outage);

    QVERIFY(outage.stop());
    // The pooled connection finds the server gone. A large pipelined write on a closed
    // connection is the case that raises SIGPIPE: it must come back as an error.
    std::vector<KeyValue> batch;
    for (int i = 0; i < 20'000; ++i) batch.push_back({"batch" + std::to_string(i), std::string(100, 'v')});
    auto lost = store.setMany(batch);
    QVERIFY(!lost.ok());
    QVERIFY2(contains(lost.errorMessage(), where), lost.errorMessage().c_str());
    StoreHealth health = store.health();
    QVERIFY(!health.healthy);
    QVERIFY2(contains(health.lastError, where), health.lastError.c_str());
    QVERIFY(health.retryIn > 0ms);

    // During the backoff every call fails at once, without trying to connect.
    const auto attempts = health.connectAttempts;
    for (int i = 0; i < 20; ++i) {
        auto fast = i % 2 == 0 ? store.get("k").ok() : store.set("k", "x").ok();
        QVERIFY(!fast);
    }
    auto fastError = store.ping();
    QVERIFY(!fastError.ok());
    QVERIFY2(contains(fastError.errorMessage(), where + " unavailable, retrying in"), fastError.errorMessage().c_str());
    QCOMPARE(store.health().connectAttempts, attempts);

    // After the backoff one call tries again and reports the real cause.
    std::string refused;
    QVERIFY(eventually(
        [&] {
            auto attempt = store.ping();
            if (!attempt.ok() && contains(attempt.errorMessage(), "unreachable")) refused = attempt.errorMessage();
            return !refused.empty();
        },
        5000ms));
    QVERIFY2(contains(refused, where + " unreachable: Connection refused"), refused.c_str());
    QVERIFY(store.health().connectAttempts > attempts);

    // A subscription cannot be confirmed while the server is down.
    auto subscription = store.subscribe("ch", [](std::string_view, std::string_view) {});
    QVERIFY(!subscription.ok());
    QVERIFY2(contains(subscription.errorMessage(), where), subscription.errorMessage().c_str());

    // The server comes back: the store recovers by itself after its backoff.
    std::string startError;
    QVERIFY2(outage.start(&startError), startError.c_str());
    QVERIFY(eventually([&] { return store.set("k", "again").ok(); }, 10'000ms));
    QVERIFY(store.healthy());
    QCOMPARE(bytes(store.get("k")->value_or("<missing>")), QByteArray("again"));
    QVERIFY2(contains(store.health().lastError, where), "the last error stays visible after recovery");
}

void TestStore::redisSubscriptionsResumeAfterRestart() {
    RedisServer server;
    RECDECK_REQUIRE_REDIS_SERVER(server);
    RedisStoreOptions options;
    options.initialBackoff = 100ms;
    options.maxBackoff = 400ms;
    auto subscriberStore = RedisStore::open(server.url(), options);
    auto publisherStore = RedisStore::open(server.url(), options);  // another instance
    STORE_OK(subscriberStore);
    STORE_OK(publisherStore);

    std::mutex mutex;
    std::vector<std::string> received;
    std::atomic<int> gaps{0};
    auto subscription = (*subscriberStore)
                            ->subscribe(
                                "invalidate",
                                [&](std::string_view, std::string_view message) {
                                    const std::lock_guard lock(mutex);
                                    received.emplace_back(message);
                                },
                                [&](std::string_view channel) {
                                    if (channel == "invalidate") ++gaps;
                                });
    STORE_OK(subscription);
    const auto receivedCount = [&] {
        const std::lock_guard lock(mutex);
        return received.size();
    };
    STORE_OK((*publisherStore)->publish("invalidate", "before"));
    QVERIFY(eventually([&] { return receivedCount() == 1; }));
    QVERIFY((*subscriberStore)->health().subscriptionsConnected);
    QCOMPARE(gaps.load(), 0);

    QVERIFY(server.stop());
    QVERIFY(eventually([&] { return !(*subscriberStore)->health().subscriptionsConnected; }));
    std::string startError;
    QVERIFY2(server.start(&startError), startError.c_str());

    // Publish until the resumed subscription hears it (publishes may fail while the
    // publisher's own backoff runs; messages before the re-subscription are lost).
    int sent = 0;
    QVERIFY(eventually(
        [&] {
            if (receivedCount() > 1) return true;
            (void)(*publisherStore)->publish("invalidate", "after-" + std::to_string(++sent));
            return false;
        },
        10'000ms));
    QVERIFY(gaps.load() >= 1);
    QVERIFY((*subscriberStore)->health().subscriptionsConnected);
    const std::lock_guard lock(mutex);
    QVERIFY2(received.back().starts_with("after-"), received.back().c_str());
}

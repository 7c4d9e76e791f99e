#pragma once
// test_store: the KeyValueStore contract, run row by row against MemoryStore ("memory")
// and RedisStore on a real redis-server ("redis"), plus key encoding and Redis-only
// cases (URLs, passwords, databases, outages). The slots are defined in
// test_store_keys.cpp, test_store_contract.cpp and test_store_redis.cpp.

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QTest>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "recdeck/store/key_value_store.h"
#include "redis_server.h"

// Fails the test with the error message when a Result is not ok.
#define STORE_OK(result)                                                                                 \
    do {                                                                                                 \
        const auto& storeOkResult_ = (result);                                                           \
        QVERIFY2(storeOkResult_.ok(), storeOkResult_.ok() ? "" : storeOkResult_.errorMessage().c_str()); \
    } while (false)

// Declares `store` for the current row's backend (QFETCH'd column "backend"), skipping
// or failing visibly when the row needs redis-server and it is missing.
#define STORE_FOR_ROW(store)                                                      \
    QFETCH(QString, backend);                                                     \
    if (backend == QLatin1String("redis")) RECDECK_REQUIRE_REDIS_SERVER(m_redis); \
    auto store = makeStore(backend);                                              \
    QVERIFY2(store != nullptr, "could not open the store for this row")

namespace storetest {

inline QByteArray bytes(std::string_view text) {
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}

inline QList<QByteArray> bytesList(const std::vector<std::string>& items) {
    QList<QByteArray> out;
    for (const auto& item : items) out.push_back(bytes(item));
    return out;
}

// Polls condition every 10 ms until it holds or timeout passes; the result of the last check.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return condition();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace storetest

class TestStore : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    // Key encoding (test_store_keys.cpp)
    void keyOfEncodesParts_data();
    void keyOfEncodesParts();
    void keyOfIsInjectiveOnHostileIds();
    void decodeKeyRejectsMalformedEscapes_data();
    void decodeKeyRejectsMalformedEscapes();

    // Contract, one row per backend (test_store_contract.cpp)
    void getAndSetRoundTripBinaryValues_data();
    void getAndSetRoundTripBinaryValues();
    void ttlExpiresKeys_data();
    void ttlExpiresKeys();
    void getManyReportsMissingKeys_data();
    void getManyReportsMissingKeys();
    void setManyStoresEveryEntry_data();
    void setManyStoresEveryEntry();
    void removeCountsExistingKeys_data();
    void removeCountsExistingKeys();
    void incrementAddsAndRejectsNonIntegers_data();
    void incrementAddsAndRejectsNonIntegers();
    void setIfAbsentKeepsTheFirstWriter_data();
    void setIfAbsentKeepsTheFirstWriter();
    void streamsAppendReadAndTrim_data();
    void streamsAppendReadAndTrim();
    void setsAddListAndRemoveMembers_data();
    void setsAddListAndRemoveMembers();
    void setAddManyAddsExpiresAndCounts_data();
    void setAddManyAddsExpiresAndCounts();
    void hashesSetGetAndDeleteFields_data();
    void hashesSetGetAndDeleteFields();
    void wrongKindOfKeyFails_data();
    void wrongKindOfKeyFails();
    void scanPrefixListsManyKeys_data();
    void scanPrefixListsManyKeys();
    void publishReachesEverySubscriber_data();
    void publishReachesEverySubscriber();
    void cancelledSubscriptionStopsDelivery_data();
    void cancelledSubscriptionStopsDelivery();
    void hostileIdsStayInTheirOwnKeys_data();
    void hostileIdsStayInTheirOwnKeys();
    void concurrentCallersSeeEveryWrite_data();
    void concurrentCallersSeeEveryWrite();
    void invalidArgumentsAreRefused_data();
    void invalidArgumentsAreRefused();
    void memorySweepRemovesExpiredKeys();
    void memoryBudgetEvictsSoonestToExpireThenRefuses();
    void memoryAccountingMatchesTheHeap();
    void openStoreChoosesTheBackend();

    // Redis only (test_store_redis.cpp)
    void redisUrlParses_data();
    void redisUrlParses();
    void redisUrlRejects_data();
    void redisUrlRejects();
    void redisUrlRedactsCredentials();
    void redisPasswordComesFromEnvironment();
    void redisPasswordComesFromAPrivateFile();
    void commandLineRefusesPasswordsInTheUrl();
    void redisWrongPasswordIsAClearError();
    void redisMissingPasswordIsAClearError();
    void redisDatabasesAreIsolated();
    void redisKeysCarryTheNamespacePrefix();
    void redisSlowServerTimesOut();
    void redisOutageFailsFastAndRecovers();
    void redisSubscriptionsResumeAfterRestart();

private:
    // A fresh store for the row: a new MemoryStore, or a RedisStore on m_redis with a
    // key prefix of its own (so tests never see each other's keys).
    std::unique_ptr<recdeck::store::KeyValueStore> makeStore(const QString& backend);
    static void addBackendColumn();
    static void addBackendRows();

    recdeck::test::RedisServer m_redis;
    int m_storeCount = 0;
};

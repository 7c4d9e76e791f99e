#pragma once
// test_experiment_engine: the A/B experiment engine — definitions and validation, the
// lifecycle, deterministic assignment (hash reference values, shares over a million
// users, which experiments may share users), persistence (SQLite, MemoryStore, a real redis-server), attribution and
// the results readout. Slots are defined in test_experiment_registry.cpp (definitions,
// lifecycle, assignment, persistence) and test_experiment_results.cpp (attribution,
// results, rebuild).

#include <QObject>
#include <QString>
#include <QTest>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "recdeck/experiments/experiment.h"
#include "recdeck/experiments/experiment_registry.h"
#include "recdeck/store/key_value_store.h"
#include "redis_server.h"

// Fails the test with the error message when a Result is not ok.
#define EXP_OK(result)                                                                             \
    do {                                                                                           \
        const auto& expOkResult_ = (result);                                                       \
        QVERIFY2(expOkResult_.ok(), expOkResult_.ok() ? "" : expOkResult_.errorMessage().c_str()); \
    } while (false)

namespace exptest {

// Polls condition every 5 ms until it holds or timeout passes; the last check's result.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return condition();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// control/treatment at equal weights, models "popularity" / "als".
recdeck::experiments::Experiment twoArms(const std::string& key, const std::string& salt = {});

}  // namespace exptest

class TestExperimentEngine : public QObject {
    Q_OBJECT

public:
    TestExperimentEngine();
    ~TestExperimentEngine() override;

private:
    // A registry on `store` (may be null) keeping its SQLite file in `dir`, on the test clock.
    std::unique_ptr<recdeck::experiments::ExperimentRegistry> openRegistry(
        const std::filesystem::path& sqlite, std::shared_ptr<recdeck::store::KeyValueStore> store,
        std::chrono::milliseconds banditInterval = std::chrono::milliseconds(0));
    std::filesystem::path freshDir();
    std::int64_t now() const { return m_now.load(); }
    void tick(std::int64_t ms) { m_now += ms; }
    // Converge checks shared by the MemoryStore and Redis cases.
    void checkConvergence(std::shared_ptr<recdeck::store::KeyValueStore> storeA,
                          std::shared_ptr<recdeck::store::KeyValueStore> storeB);

    std::atomic<std::int64_t> m_now{1'700'000'000'000};
    std::vector<std::filesystem::path> m_dirs;
    recdeck::test::RedisServer m_redis;

private slots:
    // --- test_experiment_registry.cpp ---
    void validation_data();
    void validation();
    void experimentJson();
    void lifecycle_data();
    void lifecycle();
    void restartChangesAllocation();
    void hashReference_data();
    void hashReference();
    void variantShares_data();
    void variantShares();
    void differentScopesOverlap_data();
    void differentScopesOverlap();
    void sameLayerQueuesAndGrows();
    void conflictingExperimentWaits();
    void shareSplitsOnPurpose();
    void sqliteRoundTrip();
    void deterministicAcrossInstancesAndReload();
    void convergeOnMemoryStore();
    void convergeOnRedis();
    void storeWinsOverSqliteAtOpen();
    void listenerSeesChanges();
    void concurrentAssignmentDuringChanges();

    // --- test_experiment_results.cpp ---
    void attribution_data();
    void attribution();
    void countsFromEvents();
    void resultsMatchStatistics();
    void holmAndBayesAcrossTreatments();
    void srm_data();
    void srm();
    void verdicts_data();
    void verdicts();
    void ctrDeltaMethod();
    void ctrDeltaMethodNullRate();
    void resultsJson();
    void seriesAndRebuild();
    void restartStartsResultsAfresh();
    void clientImpressionsDoNotCount();
    void eachInstanceCountsOnce();
    void stoppedRunStopsCountingAndFreezes();
    void checkpointRestoresTheSameState();
    void readingDoesNotChangeTheState();
    void banditFollowsResults();
    void concurrentEventsAndReads();
};

// The durable files: created private, refused when damaged, schema versions migrated —
// the event log, the experiments database, saved models and the data folder — and
// secrets read from files.

#include <QTest>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>

#include "recdeck/common/private_files.h"
#include "recdeck/experiments/experiment_registry.h"
#include "recdeck/serving/engine.h"
#include "recdeck/store/event_log.h"
#include "recdeck/store/sqlite_file.h"
#include "test_support.h"

using namespace recdeck;
using namespace recdeck::store;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = test::makeTempDir("recdeck-files");
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

unsigned modeOf(const fs::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return 0xFFFF;
    return static_cast<unsigned>(info.st_mode & 0777);
}

Event click(std::string user, std::string item) {
    Event e;
    e.type = EventType::Click;
    e.userId = std::move(user);
    e.itemId = std::move(item);
    e.timestampMs = 1'700'000'000'000;
    return e;
}

// Runs SQL on a file directly, outside RecDeck (to build legacy or odd files).
bool rawExec(const fs::path& path, const char* sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return false;
    }
    const bool ok = sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

// Overwrites `length` bytes at `offset` with a pattern, as a failing disk would.
void scribble(const fs::path& path, std::uintmax_t offset, std::size_t length) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(offset));
    const std::string junk(length, '\x5A');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

// A log with enough events to span many pages, closed (WAL checkpointed into the file).
void fillLog(const fs::path& path, int events) {
    auto log = EventLog::open(path);
    QVERIFY2(log.ok(), log.ok() ? "" : log.errorMessage().c_str());
    std::vector<Event> batch;
    for (int i = 0; i < events; ++i)
        batch.push_back(click("user-" + std::to_string(i % 97), "item-" + std::to_string(i)));
    QVERIFY((*log)->append(std::move(batch)).ok());
}

}  // namespace

class TestSqliteFiles : public QObject {
    Q_OBJECT
private slots:
    void newEventLogAndItsFoldersArePrivate() {
        TempDir dir;
        const fs::path path = dir.path / "data" / "nested" / "events.db";
        auto log = EventLog::open(path);
        QVERIFY2(log.ok(), log.ok() ? "" : log.errorMessage().c_str());
        QVERIFY((*log)->append({click("u", "i")}).ok());
        QCOMPARE(modeOf(dir.path / "data"), 0700U);
        QCOMPARE(modeOf(dir.path / "data" / "nested"), 0700U);
        QCOMPARE(modeOf(path), 0600U);
        // SQLite gives its companions the file's mode.
        QCOMPARE(modeOf(fs::path(path.string() + "-wal")), 0600U);
        QCOMPARE(modeOf(fs::path(path.string() + "-shm")), 0600U);
    }

    void aWorldReadableLogIsNarrowedOnOpen() {
        TempDir dir;
        const fs::path path = dir.path / "events.db";
        fillLog(path, 3);
        QVERIFY(::chmod(path.c_str(), 0644) == 0);
        auto log = EventLog::open(path);
        QVERIFY(log.ok());
        QCOMPARE(modeOf(path), 0600U);
        QCOMPARE((*log)->stats().lastId, std::int64_t{3});
    }

    void aDamagedLogIsRefusedWithAClearError() {
        TempDir dir;
        const fs::path path = dir.path / "events.db";
        fillLog(path, 3000);
        const auto size = fs::file_size(path);
        QVERIFY2(size > 8 * 4096, "the log should span several pages");
        scribble(path, size / 2, 4096);  // a page in the middle of the tables
        auto log = EventLog::open(path);
        QVERIFY(!log.ok());
        QCOMPARE(log.errorKind(), ErrorKind::Internal);
        QVERIFY2(log.errorMessage().find("events.db is damaged") != std::string::npos, log.errorMessage().c_str());
        QVERIFY2(log.errorMessage().find("restore") != std::string::npos, log.errorMessage().c_str());
    }

    void aFileThatIsNotADatabaseIsRefused() {
        TempDir dir;
        const fs::path path = dir.path / "events.db";
        {
            std::ofstream out(path, std::ios::binary);
            for (int i = 0; i < 200; ++i) out << "these are not the pages you are looking for\n";
        }
        auto log = EventLog::open(path);
        QVERIFY(!log.ok());
        QVERIFY2(log.errorMessage().find("damaged") != std::string::npos, log.errorMessage().c_str());
    }

    void aLogFromBeforeSchemaVersionsIsMigrated() {
        TempDir dir;
        const fs::path path = dir.path / "events.db";
        // The schema as files had it before versions were recorded (user_version 0).
        QVERIFY(
            rawExec(path,
                    "CREATE TABLE events(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, type TEXT NOT NULL, "
                    "user_id TEXT NOT NULL, item_id TEXT NOT NULL DEFAULT '', items TEXT NOT NULL DEFAULT '', "
                    "value REAL NOT NULL DEFAULT 0, request_id TEXT NOT NULL DEFAULT '', experiment TEXT NOT NULL "
                    "DEFAULT '', variant TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '');"
                    "INSERT INTO events(ts_ms, type, user_id, item_id) VALUES(5, 'click', 'old-user', 'old-item');"));
        {
            auto log = EventLog::open(path);
            QVERIFY2(log.ok(), log.ok() ? "" : log.errorMessage().c_str());
            QCOMPARE((*log)->stats().lastId, std::int64_t{1});
            const auto events = (*log)->userEvents("old-user", 10);
            QVERIFY(events.ok());
            QCOMPARE(events->size(), std::size_t{1});
        }
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
        const auto version = schemaVersion(db);
        sqlite3_close(db);
        QVERIFY(version.ok());
        QCOMPARE(*version, 2);  // v1 recorded, then v2 (whether the service served an event)
        {
            auto log = EventLog::open(path);
            QVERIFY(log.ok());
            const auto events = (*log)->userEvents("old-user", 10);
            QVERIFY(events.ok() && events->size() == 1);
            QVERIFY(!events->front().served);  // rows from before v2 were not marked served
        }
    }

    void aSchemaNewerThanThisBuildIsRefused() {
        TempDir dir;
        const fs::path path = dir.path / "events.db";
        fillLog(path, 1);
        QVERIFY(rawExec(path, "PRAGMA user_version=99"));
        auto log = EventLog::open(path);
        QVERIFY(!log.ok());
        QCOMPARE(log.errorKind(), ErrorKind::Conflict);
        QVERIFY2(log.errorMessage().find("schema version 99") != std::string::npos, log.errorMessage().c_str());
    }

    void migrationsRunInOrderOnceAndAFailedOneChangesNothing() {
        TempDir dir;
        const fs::path path = dir.path / "versions.db";
        static constexpr SchemaMigration kFirst[] = {{1, "CREATE TABLE IF NOT EXISTS t(a INTEGER);"}};
        static constexpr SchemaMigration kSecond[] = {{1, "CREATE TABLE IF NOT EXISTS t(a INTEGER);"},
                                                      {2, "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x';"}};
        static constexpr SchemaMigration kBroken[] = {{1, "CREATE TABLE IF NOT EXISTS t(a INTEGER);"},
                                                      {2, "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x';"},
                                                      {3, "CREATE TABLE u(c); THIS IS NOT SQL;"}};
        SqliteFileOptions options;
        options.what = "test database";
        const auto openWith = [&](std::span<const SchemaMigration> migrations) -> Result<int> {
            options.migrations = migrations;
            auto db = openSqliteFile(path, options);
            if (!db) return db.error();
            auto version = schemaVersion(*db);
            sqlite3_close(*db);
            return version;
        };
        QCOMPARE(*openWith(kFirst), 1);
        QCOMPARE(*openWith(kSecond), 2);
        QCOMPARE(*openWith(kSecond), 2);  // nothing left to apply: ALTER is not run twice
        const auto broken = openWith(kBroken);
        QVERIFY(!broken.ok());
        QVERIFY2(broken.errorMessage().find("migration to version 3") != std::string::npos,
                 broken.errorMessage().c_str());
        // The failed step was rolled back whole: no table u, still version 2.
        options.migrations = kSecond;
        auto db = openSqliteFile(path, options);
        QVERIFY(db.ok());
        QCOMPARE(*schemaVersion(*db), 2);
        QCOMPARE(sqlite3_exec(*db, "SELECT c FROM u", nullptr, nullptr, nullptr), SQLITE_ERROR);
        sqlite3_close(*db);
    }

    void theExperimentsDatabaseIsPrivateAndChecked() {
        TempDir dir;
        const fs::path path = dir.path / "state" / "experiments.db";
        {
            experiments::RegistryOptions options;
            options.sqlitePath = path;
            auto registry = experiments::ExperimentRegistry::open(options);
            QVERIFY2(registry.ok(), registry.ok() ? "" : registry.errorMessage().c_str());
        }
        QCOMPARE(modeOf(dir.path / "state"), 0700U);
        QCOMPARE(modeOf(path), 0600U);
        {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            for (int i = 0; i < 200; ++i) out << "garbage where experiments were\n";
        }
        experiments::RegistryOptions options;
        options.sqlitePath = path;
        auto registry = experiments::ExperimentRegistry::open(options);
        QVERIFY(!registry.ok());
        QVERIFY2(registry.errorMessage().find("experiments database") != std::string::npos &&
                     registry.errorMessage().find("damaged") != std::string::npos,
                 registry.errorMessage().c_str());
    }

    void theEnginesDataFolderAndModelsArePrivate() {
        TempDir dir;
        serving::EngineConfig config;
        config.dataDir = dir.path / "service";
        config.demo.users = 60;
        config.demo.items = 40;
        config.models = {"popularity"};
        {
            auto engine = serving::Engine::open(config);
            QVERIFY2(engine.ok(), engine.ok() ? "" : engine.errorMessage().c_str());
        }
        QCOMPARE(modeOf(config.dataDir), 0700U);
        QCOMPARE(modeOf(config.dataDir / "models"), 0700U);
        QCOMPARE(modeOf(config.dataDir / "models" / "popularity.rdm"), 0600U);
        QCOMPARE(modeOf(config.dataDir / "events.db"), 0600U);
        QCOMPARE(modeOf(config.dataDir / "experiments.db"), 0600U);
        QVERIFY(!fs::exists(config.dataDir / "models" / "popularity.rdm.tmp"));
    }

    void secretsAreReadOnlyFromPrivateFiles() {
        TempDir dir;
        const fs::path file = dir.path / "password";
        {
            std::ofstream out(file);
            out << "s3cr/et@pw\r\nsecond line ignored\n";
        }
        QVERIFY(::chmod(file.c_str(), 0644) == 0);
        auto refused = readSecretFile(file, "Redis password");
        QVERIFY(!refused.ok());
        QVERIFY2(refused.errorMessage().find("chmod 600") != std::string::npos, refused.errorMessage().c_str());
        QVERIFY(refused.errorMessage().find("s3cr") == std::string::npos);
        QVERIFY(::chmod(file.c_str(), 0600) == 0);
        auto read = readSecretFile(file, "Redis password");
        QVERIFY(read.ok());
        QCOMPARE(*read, std::string("s3cr/et@pw"));

        QVERIFY(!readSecretFile(dir.path / "missing", "Redis password").ok());
        QVERIFY(!readSecretFile(dir.path, "Redis password").ok());
        const fs::path big = dir.path / "big";
        {
            std::ofstream out(big);
            out << std::string(5000, 'x');
        }
        QVERIFY(::chmod(big.c_str(), 0600) == 0);
        QVERIFY(!readSecretFile(big, "token").ok());
        const fs::path empty = dir.path / "empty";
        {
            std::ofstream out(empty);
            out << "\nafter an empty first line\n";
        }
        QVERIFY(::chmod(empty.c_str(), 0600) == 0);
        QVERIFY(!readSecretFile(empty, "token").ok());
    }
};

QTEST_GUILESS_MAIN(TestSqliteFiles)
#include "test_sqlite_files.moc"

#include "recdeck/store/sqlite_file.h"

#include <sqlite3.h>

#include <string>
#include <vector>

#include "recdeck/common/private_files.h"

namespace recdeck::store {

namespace {

// SQLite's findings are listed up to this many (quick_check stops there too).
constexpr int kMaxFindings = 5;

std::string describe(const std::filesystem::path& path, const SqliteFileOptions& options) {
    return options.what + " " + path.string();
}

Status exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errmsg(db);
        sqlite3_free(message);
        return Error::internal(text);
    }
    return {};
}

// A damaged or foreign file: SQLite says SQLITE_NOTADB or SQLITE_CORRUPT.
bool damaged(sqlite3* db) {
    const int code = sqlite3_errcode(db) & 0xFF;
    return code == SQLITE_NOTADB || code == SQLITE_CORRUPT;
}

Error damagedError(const std::filesystem::path& path, const SqliteFileOptions& options, const std::string& findings) {
    return Error::internal(describe(path, options) + " is damaged (" + findings +
                           "); it was not opened, so nothing more is written to it. Move it aside and restore a "
                           "backup, or start without it (a new empty file is created)");
}

Result<sqlite3*> connect(const std::filesystem::path& path, const SqliteFileOptions& options) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.string().c_str(), &db, flags, nullptr) != SQLITE_OK) {
        std::string message =
            "cannot open " + describe(path, options) + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return Error::internal(message);
    }
    sqlite3_busy_timeout(db, static_cast<int>(options.busyTimeout.count()));
    // No memory-mapped I/O: a damaged page must give an error, not a fault.
    const char* pragmas = options.durable ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA mmap_size=0;"
                                          : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=0;";
    if (auto status = exec(db, pragmas); !status) {
        const bool bad = damaged(db);
        sqlite3_close(db);
        if (bad) return damagedError(path, options, status.errorMessage());
        return Error::internal(describe(path, options) + ": " + status.errorMessage());
    }
    return db;
}

Status quickCheck(sqlite3* db, const std::filesystem::path& path, const SqliteFileOptions& options) {
    sqlite3_stmt* stmt = nullptr;
    const std::string sql = "PRAGMA quick_check(" + std::to_string(kMaxFindings) + ")";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
        const std::string message = sqlite3_errmsg(db);
        const bool bad = damaged(db);
        sqlite3_finalize(stmt);
        if (bad) return damagedError(path, options, message);
        return Error::internal(describe(path, options) + ": integrity check failed to run: " + message);
    }
    std::vector<std::string> findings;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && findings.size() < static_cast<std::size_t>(kMaxFindings)) {
        const auto* text = sqlite3_column_text(stmt, 0);
        findings.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    const bool stepFailed = rc != SQLITE_ROW && rc != SQLITE_DONE;
    const std::string stepError = stepFailed ? sqlite3_errmsg(db) : "";
    sqlite3_finalize(stmt);
    if (stepFailed) return damagedError(path, options, stepError);
    if (findings.size() == 1 && findings.front() == "ok") return {};
    std::string joined;
    for (const auto& finding : findings) joined += (joined.empty() ? "" : "; ") + finding.substr(0, 200);
    return damagedError(path, options, "integrity check: " + (joined.empty() ? std::string("no answer") : joined));
}

Status migrate(sqlite3* db, const std::filesystem::path& path, const SqliteFileOptions& options) {
    if (options.migrations.empty()) return {};
    const int latest = options.migrations.back().version;
    for (const SchemaMigration& migration : options.migrations) {
        // Each step re-reads the version inside its transaction: another process opening
        // the same file may have migrated it meanwhile.
        if (auto begun = exec(db, "BEGIN IMMEDIATE"); !begun) {
            return Error::internal(describe(path, options) +
                                   ": cannot start a schema migration: " + begun.errorMessage());
        }
        auto current = schemaVersion(db);
        if (!current) {
            (void)exec(db, "ROLLBACK");
            return Error::internal(describe(path, options) + ": " + current.errorMessage());
        }
        if (*current > latest) {
            (void)exec(db, "ROLLBACK");
            return Error::conflict(describe(path, options) + " has schema version " + std::to_string(*current) +
                                   ", newer than this build knows (" + std::to_string(latest) +
                                   "); open it with a newer RecDeck");
        }
        if (*current >= migration.version) {
            (void)exec(db, "COMMIT");
            continue;
        }
        Status applied = exec(db, migration.sql);
        if (applied) {
            applied = exec(db, ("PRAGMA user_version=" + std::to_string(migration.version)).c_str());
        }
        if (applied) applied = exec(db, "COMMIT");
        if (!applied) {
            (void)exec(db, "ROLLBACK");
            return Error::internal(describe(path, options) + ": schema migration to version " +
                                   std::to_string(migration.version) + " failed: " + applied.errorMessage());
        }
    }
    return {};
}

}  // namespace

Result<int> schemaVersion(sqlite3* db) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return Error::internal(std::string("cannot read the schema version: ") + sqlite3_errmsg(db));
    }
    int version = 0;
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return Error::internal(std::string("cannot read the schema version: ") + sqlite3_errmsg(db));
    return version;
}

Result<sqlite3*> openSqliteFile(const std::filesystem::path& path, const SqliteFileOptions& options) {
    if (path.empty()) return Error::invalid("no file given for the " + options.what);
    if (path.has_parent_path()) {
        if (auto created = createPrivateDirectories(path.parent_path()); !created) return created.error();
    }
    if (auto made = ensurePrivateFile(path); !made) return made.error();
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
        std::filesystem::path companion = path;
        companion += suffix;
        if (auto narrowed = restrictToOwner(companion); !narrowed) return narrowed.error();
    }
    auto db = connect(path, options);
    if (!db) return db.error();
    Status ready = options.check ? quickCheck(*db, path, options) : Status{};
    if (ready) ready = migrate(*db, path, options);
    if (!ready) {
        sqlite3_close(*db);
        return ready.error();
    }
    return *db;
}

Result<sqlite3*> openSqliteConnection(const std::filesystem::path& path, const SqliteFileOptions& options) {
    return connect(path, options);
}

}  // namespace recdeck::store

#pragma once
// openSqliteFile: how RecDeck opens its durable SQLite files (the event log, the
// experiments database), so each gets the same guarantees:
//
// - Private: the file (and its -wal / -shm companions, which SQLite creates with the
//   file's mode) is created 0600 and missing parent folders 0700; an existing file with
//   a wider mode is narrowed to 0600 (private_files.h).
// - Checked: PRAGMA quick_check runs before anything is read or written; a damaged file
//   is refused with an Error (kind Internal) naming the file and SQLite's findings
//   rather than served half-read. Cost: one pass over the file (~1 s per GB here).
// - Versioned: the schema version lives in PRAGMA user_version. Migrations are applied
//   in order from the file's version to the last one given, each in its own IMMEDIATE
//   transaction together with its version bump, so a crash leaves either version. A file
//   whose version is newer than this build knows is refused (kind Conflict). A file made
//   before versions were recorded (user_version 0) goes through every migration, so
//   migration 1 must be written with IF NOT EXISTS.
// - WAL journal, synchronous=FULL (or NORMAL when not durable), a busy timeout.
//
// The caller owns the returned connection (sqlite3_close). Thread safety: a connection
// is opened with SQLITE_OPEN_NOMUTEX; use it from one thread at a time.

#include <chrono>
#include <filesystem>
#include <span>
#include <string>

#include "recdeck/common/result.h"

struct sqlite3;

namespace recdeck::store {

// The SQL that takes a file from version - 1 to `version` (versions 1, 2, ... in order).
struct SchemaMigration {
    int version = 0;
    const char* sql = "";
};

struct SqliteFileOptions {
    std::string what = "database";                // names the file in messages: "event log"
    bool durable = true;                          // synchronous=FULL, else NORMAL
    std::span<const SchemaMigration> migrations;  // empty: no schema management
    bool check = true;                            // run PRAGMA quick_check on open
    std::chrono::milliseconds busyTimeout{5000};
};

// Opens (creating if needed) and checks the file, then migrates its schema. Every error
// names the file.
Result<sqlite3*> openSqliteFile(const std::filesystem::path& path, const SqliteFileOptions& options);

// Another connection to a file already opened with openSqliteFile (no check, no
// migration): WAL, the same synchronous level and busy timeout.
Result<sqlite3*> openSqliteConnection(const std::filesystem::path& path, const SqliteFileOptions& options);

// The schema version recorded in the file (PRAGMA user_version).
Result<int> schemaVersion(sqlite3* db);

}  // namespace recdeck::store

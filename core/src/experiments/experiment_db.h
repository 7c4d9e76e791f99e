#pragma once
// ExperimentDb: the registry's SQLite file (private to the experiments module).
//
//   experiments(key TEXT PRIMARY KEY, record TEXT, updated_at INTEGER)
//       the current record of every experiment, as experiment_json.h JSON
//   experiment_changes(id INTEGER PRIMARY KEY, key TEXT, at_ms INTEGER, action TEXT, record TEXT)
//       every change ever made, oldest first (record NULL for a removal)
//
// Opened through store/sqlite_file.h: created user-only (0600), refused when damaged
// (quick_check), schema version 1 recorded in user_version. WAL, synchronous=FULL.
// Not synchronised: the registry serialises its calls.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/experiments/experiment.h"

struct sqlite3;

namespace recdeck::experiments::detail {

class ExperimentDb {
public:
    static Result<std::unique_ptr<ExperimentDb>> open(const std::filesystem::path& path);
    ~ExperimentDb();
    ExperimentDb(const ExperimentDb&) = delete;
    ExperimentDb& operator=(const ExperimentDb&) = delete;

    Result<std::vector<Experiment>> loadAll();
    // Transactions around a change, so a failed store write can undo the SQLite one.
    Status begin();
    Status commit();
    void rollback();
    // Upserts (record) or deletes (nullptr) one experiment and appends to the audit trail.
    Status write(std::string_view key, const Experiment* record, std::string_view action, std::int64_t atMs);
    std::size_t changeCount();

private:
    ExperimentDb(sqlite3* db, std::filesystem::path path) : m_db(db), m_path(std::move(path)) {}
    Status exec(const char* sql);
    sqlite3* m_db;
    std::filesystem::path m_path;
};

}  // namespace recdeck::experiments::detail

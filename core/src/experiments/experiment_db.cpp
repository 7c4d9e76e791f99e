#include "experiment_db.h"

#include <sqlite3.h>

#include "recdeck/experiments/experiment_json.h"
#include "recdeck/store/sqlite_file.h"

namespace recdeck::experiments::detail {

namespace {

// Schema versions (PRAGMA user_version). Version 1 is the schema files had before
// versions were recorded, hence IF NOT EXISTS.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS experiments(
    key TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS experiment_changes(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    action TEXT NOT NULL,
    record TEXT);
)sql";
constexpr store::SchemaMigration kMigrations[] = {{1, kSchemaV1}};

std::string sqliteMessage(sqlite3* db) {
    return db != nullptr ? sqlite3_errmsg(db) : "out of memory";
}

// Finalizes a statement on scope exit.
struct Statement {
    sqlite3_stmt* stmt = nullptr;
    ~Statement() { sqlite3_finalize(stmt); }
};

void bindText(sqlite3_stmt* stmt, int index, std::string_view text) {
    sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

}  // namespace

Result<std::unique_ptr<ExperimentDb>> ExperimentDb::open(const std::filesystem::path& path) {
    if (path.empty()) return Error{"experiments: sqlitePath is empty; give the file to keep experiments in"};
    // Private file, integrity checked, schema migrated (store/sqlite_file.h).
    store::SqliteFileOptions options;
    options.what = "experiments database";
    options.migrations = kMigrations;
    auto db = store::openSqliteFile(path, options);
    if (!db) return db.error();
    return std::unique_ptr<ExperimentDb>(new ExperimentDb(*db, path));
}

ExperimentDb::~ExperimentDb() {
    sqlite3_close(m_db);
}

Status ExperimentDb::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message != nullptr ? message : sqliteMessage(m_db);
        sqlite3_free(message);
        return Error{text};
    }
    return {};
}

Result<std::vector<Experiment>> ExperimentDb::loadAll() {
    Statement s;
    if (sqlite3_prepare_v2(m_db, "SELECT key, record FROM experiments ORDER BY key", -1, &s.stmt, nullptr) != SQLITE_OK)
        return Error{m_path.string() + ": " + sqliteMessage(m_db)};
    std::vector<Experiment> out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
        const auto* key = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 0));
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 1));
        const std::string where = m_path.string() + ": experiment '" + (key ? key : "") + "': ";
        auto parsed = nlohmann::json::parse(text ? text : "", nullptr, false);
        if (parsed.is_discarded()) return Error{where + "record is not valid JSON"};
        auto experiment = experimentFromJson(parsed, true);
        if (!experiment) return Error{where + experiment.errorMessage()};
        out.push_back(std::move(experiment).value());
    }
    if (rc != SQLITE_DONE) return Error{m_path.string() + ": " + sqliteMessage(m_db)};
    return out;
}

Status ExperimentDb::begin() {
    if (auto s = exec("BEGIN IMMEDIATE"); !s) return Error{m_path.string() + ": " + s.errorMessage()};
    return {};
}
Status ExperimentDb::commit() {
    if (auto s = exec("COMMIT"); !s) {
        rollback();
        return Error{m_path.string() + ": " + s.errorMessage()};
    }
    return {};
}
void ExperimentDb::rollback() {
    (void)exec("ROLLBACK");
}

Status ExperimentDb::write(std::string_view key, const Experiment* record, std::string_view action, std::int64_t atMs) {
    const std::string text = record != nullptr ? toJson(*record).dump() : std::string();
    {
        Statement s;
        const char* sql =
            record != nullptr
                ? "INSERT INTO experiments(key, record, updated_at) VALUES(?1, ?2, ?3) "
                  "ON CONFLICT(key) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at"
                : "DELETE FROM experiments WHERE key = ?1";
        if (sqlite3_prepare_v2(m_db, sql, -1, &s.stmt, nullptr) != SQLITE_OK)
            return Error{m_path.string() + ": " + sqliteMessage(m_db)};
        bindText(s.stmt, 1, key);
        if (record != nullptr) {
            bindText(s.stmt, 2, text);
            sqlite3_bind_int64(s.stmt, 3, atMs);
        }
        if (sqlite3_step(s.stmt) != SQLITE_DONE) return Error{m_path.string() + ": " + sqliteMessage(m_db)};
    }
    Statement s;
    if (sqlite3_prepare_v2(m_db, "INSERT INTO experiment_changes(key, at_ms, action, record) VALUES(?1, ?2, ?3, ?4)",
                           -1, &s.stmt, nullptr) != SQLITE_OK)
        return Error{m_path.string() + ": " + sqliteMessage(m_db)};
    bindText(s.stmt, 1, key);
    sqlite3_bind_int64(s.stmt, 2, atMs);
    bindText(s.stmt, 3, action);
    if (record != nullptr)
        bindText(s.stmt, 4, text);
    else
        sqlite3_bind_null(s.stmt, 4);
    if (sqlite3_step(s.stmt) != SQLITE_DONE) return Error{m_path.string() + ": " + sqliteMessage(m_db)};
    return {};
}

std::size_t ExperimentDb::changeCount() {
    Statement s;
    if (sqlite3_prepare_v2(m_db, "SELECT COUNT(*) FROM experiment_changes", -1, &s.stmt, nullptr) != SQLITE_OK)
        return 0;
    if (sqlite3_step(s.stmt) != SQLITE_ROW) return 0;
    return static_cast<std::size_t>(sqlite3_column_int64(s.stmt, 0));
}

}  // namespace recdeck::experiments::detail

#include "recdeck/store/event_log.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "recdeck/store/sqlite_file.h"

namespace recdeck::store {

namespace {

// Schema versions (PRAGMA user_version, sqlite_file.h). Version 1 is the schema files had
// before versions were recorded, hence IF NOT EXISTS.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  user_id TEXT NOT NULL,
  item_id TEXT NOT NULL DEFAULT '',
  items TEXT NOT NULL DEFAULT '',
  value REAL NOT NULL DEFAULT 0,
  request_id TEXT NOT NULL DEFAULT '',
  experiment TEXT NOT NULL DEFAULT '',
  variant TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_by_user ON events(user_id, id);
CREATE INDEX IF NOT EXISTS events_by_time ON events(ts_ms);
)sql";
// Version 2: whether the service served an impression (experiments count only those),
// and small named values (the fleet stream's cursor, the instance id).
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE events ADD COLUMN served INTEGER NOT NULL DEFAULT 0;
CREATE TABLE meta(
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql";
constexpr SchemaMigration kMigrations[] = {{1, kSchemaV1}, {2, kSchemaV2}};

SqliteFileOptions fileOptions(bool durable) {
    SqliteFileOptions options;
    options.what = "event log";
    options.durable = durable;
    options.migrations = kMigrations;
    return options;
}

constexpr const char* kInsert =
    "INSERT INTO events(ts_ms, type, user_id, item_id, items, value, request_id, experiment, variant, model, served) "
    "VALUES(?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kColumns =
    "id, ts_ms, type, user_id, item_id, items, value, request_id, experiment, variant, model, served";

struct Statement {
    sqlite3_stmt* handle = nullptr;
    Statement(sqlite3* db, const std::string& sql) { sqlite3_prepare_v2(db, sql.c_str(), -1, &handle, nullptr); }
    ~Statement() { sqlite3_finalize(handle); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    explicit operator bool() const { return handle != nullptr; }
};

std::string sqliteError(sqlite3* db, std::string_view what) {
    return std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
}

Status exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        return Error::unavailable(std::string("SQLite: ") + text);
    }
    return {};
}

void bindText(sqlite3_stmt* stmt, int index, const std::string& text) {
    sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string columnText(sqlite3_stmt* stmt, int column) {
    const auto* text = sqlite3_column_text(stmt, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)))
                : std::string();
}

// The items column: a JSON array of strings. Written by hand for the common case (ids
// without bytes above 0x7f, escaped as JSON requires); nlohmann's encoder, which checks
// UTF-8, for the rest.
std::string itemsColumn(const std::vector<std::string>& items) {
    if (items.empty()) return {};
    std::size_t size = 2;
    for (const auto& item : items) {
        for (const char c : item)
            if (static_cast<unsigned char>(c) >= 0x80) return nlohmann::json(items).dump();
        size += item.size() + 3;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(size);
    out.push_back('[');
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out.push_back(',');
        out.push_back('"');
        for (const char c : items[i]) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out.push_back('\\');
                out.push_back(c);
            } else if (u < 0x20) {
                out += "\\u00";
                out.push_back(kHex[u >> 4U]);
                out.push_back(kHex[u & 0xfU]);
            } else {
                out.push_back(c);
            }
        }
        out.push_back('"');
    }
    out.push_back(']');
    return out;
}

Event readRow(sqlite3_stmt* stmt) {
    Event event;
    event.id = sqlite3_column_int64(stmt, 0);
    event.timestampMs = sqlite3_column_int64(stmt, 1);
    event.type = parseEventType(columnText(stmt, 2)).value_or(EventType::Click);
    event.userId = columnText(stmt, 3);
    event.itemId = columnText(stmt, 4);
    const std::string items = columnText(stmt, 5);
    if (!items.empty()) {
        const auto parsed = nlohmann::json::parse(items, nullptr, false);
        if (parsed.is_array()) {
            for (const auto& item : parsed) {
                if (item.is_string()) event.items.push_back(item.get<std::string>());
            }
        }
    }
    event.value = sqlite3_column_double(stmt, 6);
    event.requestId = columnText(stmt, 7);
    event.experiment = columnText(stmt, 8);
    event.variant = columnText(stmt, 9);
    event.model = columnText(stmt, 10);
    event.served = sqlite3_column_int(stmt, 11) != 0;
    return event;
}

}  // namespace

struct EventLog::Impl {
    struct Pending {
        std::vector<Event> events;
        Done done;
        std::uint64_t ticket = 0;
    };

    std::filesystem::path path;
    EventLogOptions options;
    sqlite3* writer = nullptr;
    sqlite3* reader = nullptr;
    mutable std::mutex readerMutex;

    std::mutex queueMutex;
    std::condition_variable queueChanged;
    std::deque<Pending> queue;
    std::size_t queuedEvents = 0;
    std::uint64_t nextTicket = 1;
    bool stopping = false;

    std::mutex listenerMutex;
    std::map<int, Listener> listeners;
    int nextListener = 1;

    std::atomic<std::uint64_t> appended{0};
    std::atomic<std::uint64_t> transactions{0};
    std::atomic<std::uint64_t> failedBatches{0};
    std::atomic<std::uint64_t> refused{0};
    mutable std::mutex errorMutex;
    std::string lastError;
    std::int64_t lastErrorUnixMs = 0;
    bool failing = false;
    std::atomic<std::int64_t> lastId{0};

    std::thread thread;

    ~Impl() {
        {
            std::lock_guard lock(queueMutex);
            stopping = true;
        }
        queueChanged.notify_all();
        if (thread.joinable()) thread.join();
        sqlite3_close(writer);
        sqlite3_close(reader);
    }

    void run() {
        Statement insert(writer, kInsert);
        for (;;) {
            std::vector<Pending> batch;
            {
                std::unique_lock lock(queueMutex);
                queueChanged.wait(lock, [&] { return stopping || !queue.empty(); });
                if (queue.empty() && stopping) return;
                if (options.maxDelay.count() > 0 && queuedEvents < options.maxBatch && !stopping) {
                    queueChanged.wait_for(lock, options.maxDelay,
                                          [&] { return stopping || queuedEvents >= options.maxBatch; });
                }
                std::size_t taken = 0;
                while (!queue.empty() && (batch.empty() || taken + queue.front().events.size() <= options.maxBatch)) {
                    taken += queue.front().events.size();
                    batch.push_back(std::move(queue.front()));
                    queue.pop_front();
                }
                queuedEvents -= taken;
            }
            commit(insert, batch);
        }
    }

    void commit(Statement& insert, std::vector<Pending>& batch) {
        Status status = insert ? exec(writer, "BEGIN IMMEDIATE")
                               : Status(Error::unavailable(sqliteError(writer, "prepare insert")));
        std::vector<Event> committed;
        if (status) {
            for (Pending& pending : batch) {
                for (Event& event : pending.events) {
                    sqlite3_stmt* stmt = insert.handle;
                    sqlite3_reset(stmt);
                    sqlite3_bind_int64(stmt, 1, event.timestampMs);
                    const std::string type(eventTypeName(event.type));
                    bindText(stmt, 2, type);
                    bindText(stmt, 3, event.userId);
                    bindText(stmt, 4, event.itemId);
                    bindText(stmt, 5, itemsColumn(event.items));
                    sqlite3_bind_double(stmt, 6, event.value);
                    bindText(stmt, 7, event.requestId);
                    bindText(stmt, 8, event.experiment);
                    bindText(stmt, 9, event.variant);
                    bindText(stmt, 10, event.model);
                    sqlite3_bind_int(stmt, 11, event.served ? 1 : 0);
                    if (sqlite3_step(stmt) != SQLITE_DONE) {
                        status = Error::unavailable(sqliteError(writer, "append to event log"));
                        break;
                    }
                    event.id = sqlite3_last_insert_rowid(writer);
                }
                if (!status) break;
            }
            if (status) status = exec(writer, "COMMIT");
            if (!status) (void)exec(writer, "ROLLBACK");
        }
        {
            std::lock_guard lock(errorMutex);
            failing = !status;
            if (!status) {
                lastError = status.errorMessage();
                lastErrorUnixMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
            }
        }
        if (!status) {
            failedBatches.fetch_add(1);
            for (Pending& pending : batch) {
                if (pending.done) pending.done(Result<std::int64_t>(status.error()));
            }
            return;
        }
        transactions.fetch_add(1);
        std::vector<std::int64_t> lastIds;  // of each pending append, for its acknowledgement
        lastIds.reserve(batch.size());
        for (Pending& pending : batch) {
            appended.fetch_add(pending.events.size());
            if (!pending.events.empty()) lastId.store(std::max(lastId.load(), pending.events.back().id));
            lastIds.push_back(pending.events.empty() ? lastId.load() : pending.events.back().id);
            if (committed.empty()) {
                committed = std::move(pending.events);
            } else {
                committed.insert(committed.end(), std::make_move_iterator(pending.events.begin()),
                                 std::make_move_iterator(pending.events.end()));
            }
        }
        // Listeners (feature refresh, cache invalidation) run before anyone is told the
        // events are durable, so a client that sees the acknowledgement and asks again
        // already gets the consequences.
        std::vector<Listener> current;
        {
            std::lock_guard lock(listenerMutex);
            for (const auto& [handle, listener] : listeners) current.push_back(listener);
        }
        for (const Listener& listener : current) {
            try {
                listener(committed);
            } catch (...) {
                // A failing consumer must not lose the acknowledgement of durable events.
            }
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (batch[i].done) batch[i].done(Result<std::int64_t>(lastIds[i]));
        }
    }

    template <typename Bind>
    Result<std::vector<Event>> query(const std::string& sql, Bind bind) const {
        std::lock_guard lock(readerMutex);
        Statement stmt(reader, sql);
        if (!stmt) return Error::unavailable(sqliteError(reader, "read event log"));
        bind(stmt.handle);
        std::vector<Event> events;
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(stmt.handle)) == SQLITE_ROW) events.push_back(readRow(stmt.handle));
        if (rc != SQLITE_DONE) return Error::unavailable(sqliteError(reader, "read event log"));
        return events;
    }
};

EventLog::EventLog(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

EventLog::~EventLog() = default;

Result<std::unique_ptr<EventLog>> EventLog::open(const std::filesystem::path& path, EventLogOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->options = options;
    if (impl->options.maxBatch == 0) impl->options.maxBatch = 1;
    // Private file, integrity checked, schema migrated (sqlite_file.h).
    auto writer = openSqliteFile(path, fileOptions(options.durable));
    if (!writer) return writer.error();
    impl->writer = *writer;
    auto reader = openSqliteConnection(path, fileOptions(options.durable));
    if (!reader) return reader.error();
    impl->reader = *reader;
    {
        Statement last(impl->writer, "SELECT COALESCE(MAX(id), 0) FROM events");
        if (!last || sqlite3_step(last.handle) != SQLITE_ROW) {
            return Error::internal(
                sqliteError(impl->writer, "event log " + path.string() + ": cannot read the last id"));
        }
        impl->lastId = sqlite3_column_int64(last.handle, 0);
    }
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<EventLog>(new EventLog(std::move(impl)));
}

Result<std::int64_t> EventLog::append(std::vector<Event> events) {
    auto promise = std::make_shared<std::promise<Result<std::int64_t>>>();
    auto future = promise->get_future();
    appendAsync(std::move(events), [promise](const Result<std::int64_t>& result) { promise->set_value(result); });
    return future.get();
}

Result<std::int64_t> EventLog::append(std::vector<Event> events, std::chrono::milliseconds timeout) {
    auto promise = std::make_shared<std::promise<Result<std::int64_t>>>();
    auto future = promise->get_future();
    const std::uint64_t ticket =
        appendAsync(std::move(events), [promise](const Result<std::int64_t>& result) { promise->set_value(result); });
    if (ticket == 0 || future.wait_for(timeout) == std::future_status::ready) return future.get();
    if (withdraw(ticket))
        return Error::unavailable("the event log did not take the events within " + std::to_string(timeout.count()) +
                                  " ms (disk busy); nothing was written, retry later");
    return future.get();  // the writer has them: their commit is under way
}

std::uint64_t EventLog::appendAsync(std::vector<Event> events, Done done) {
    std::uint64_t ticket = 0;
    bool wake = false;
    {
        std::lock_guard lock(m_impl->queueMutex);
        if (m_impl->stopping) {
            if (done) done(Result<std::int64_t>(Error::unavailable("event log is closing")));
            return 0;
        }
        if (!events.empty() &&
            m_impl->queuedEvents + events.size() > std::max<std::size_t>(1, m_impl->options.maxQueued)) {
            m_impl->refused.fetch_add(1);
            if (done)
                done(Result<std::int64_t>(
                    Error::unavailable("the event log has " + std::to_string(m_impl->queuedEvents) +
                                       " events waiting for the disk (the limit); nothing was written, retry later")));
            return 0;
        }
        ticket = m_impl->nextTicket++;
        // The writer waits for a first entry, then lingers up to maxDelay for a full batch:
        // only those two moments need it awake (one wake-up per batch, not per event).
        const std::size_t before = m_impl->queuedEvents;
        const std::size_t full = m_impl->options.maxBatch;
        wake = m_impl->queue.empty() || (before < full && before + events.size() >= full);
        m_impl->queuedEvents += events.size();
        m_impl->queue.push_back({std::move(events), std::move(done), ticket});
    }
    if (wake) m_impl->queueChanged.notify_one();
    return ticket;
}

bool EventLog::withdraw(std::uint64_t ticket) {
    std::lock_guard lock(m_impl->queueMutex);
    auto& queue = m_impl->queue;
    auto it = std::find_if(queue.begin(), queue.end(), [&](const auto& pending) { return pending.ticket == ticket; });
    if (it == queue.end()) return false;
    m_impl->queuedEvents -= it->events.size();
    queue.erase(it);
    return true;
}

Status EventLog::flush() {
    auto result = append({});
    if (!result) return result.error();
    return {};
}

Result<std::vector<Event>> EventLog::readAfter(std::int64_t afterId, std::size_t limit) const {
    return m_impl->query(std::string("SELECT ") + kColumns + " FROM events WHERE id > ? ORDER BY id LIMIT ?",
                         [&](sqlite3_stmt* stmt) {
                             sqlite3_bind_int64(stmt, 1, afterId);
                             sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(limit));
                         });
}

Result<std::vector<Event>> EventLog::userEvents(std::string_view userId, std::size_t limit) const {
    auto result =
        m_impl->query(std::string("SELECT ") + kColumns + " FROM events WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                      [&](sqlite3_stmt* stmt) {
                          sqlite3_bind_text(stmt, 1, userId.data(), static_cast<int>(userId.size()), SQLITE_TRANSIENT);
                          sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(limit));
                      });
    if (result) std::reverse(result->begin(), result->end());
    return result;
}

Result<std::vector<Event>> EventLog::range(std::int64_t fromMs, std::int64_t toMs, std::size_t limit) const {
    return m_impl->query(
        std::string("SELECT ") + kColumns + " FROM events WHERE ts_ms >= ? AND ts_ms < ? ORDER BY id LIMIT ?",
        [&](sqlite3_stmt* stmt) {
            sqlite3_bind_int64(stmt, 1, fromMs);
            sqlite3_bind_int64(stmt, 2, toMs);
            sqlite3_bind_int64(stmt, 3, static_cast<sqlite3_int64>(limit));
        });
}

Result<std::optional<std::string>> EventLog::meta(std::string_view name) const {
    std::lock_guard lock(m_impl->readerMutex);
    Statement stmt(m_impl->reader, "SELECT value FROM meta WHERE name = ?");
    if (!stmt) return Error::internal(sqliteError(m_impl->reader, "read event log meta"));
    sqlite3_bind_text(stmt.handle, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(stmt.handle);
    if (rc == SQLITE_DONE) return std::optional<std::string>{};
    if (rc != SQLITE_ROW) return Error::internal(sqliteError(m_impl->reader, "read event log meta"));
    return std::optional<std::string>(columnText(stmt.handle, 0));
}

Status EventLog::setMeta(std::string_view name, std::string_view value) {
    std::lock_guard lock(m_impl->readerMutex);
    Statement stmt(m_impl->reader,
                   "INSERT INTO meta(name, value) VALUES(?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    if (!stmt) return Error::internal(sqliteError(m_impl->reader, "write event log meta"));
    sqlite3_bind_text(stmt.handle, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt.handle, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(stmt.handle) != SQLITE_DONE)
        return Error::internal(sqliteError(m_impl->reader, "write event log meta"));
    return {};
}

int EventLog::addListener(Listener listener) {
    std::lock_guard lock(m_impl->listenerMutex);
    const int handle = m_impl->nextListener++;
    m_impl->listeners.emplace(handle, std::move(listener));
    return handle;
}

void EventLog::removeListener(int handle) {
    std::lock_guard lock(m_impl->listenerMutex);
    m_impl->listeners.erase(handle);
}

EventLogStats EventLog::stats() const {
    EventLogStats stats;
    stats.appended = m_impl->appended.load();
    stats.transactions = m_impl->transactions.load();
    stats.failedBatches = m_impl->failedBatches.load();
    stats.refused = m_impl->refused.load();
    {
        std::lock_guard errorLock(m_impl->errorMutex);
        stats.lastError = m_impl->lastError;
        stats.lastErrorUnixMs = m_impl->lastErrorUnixMs;
        stats.failing = m_impl->failing;
    }
    stats.lastId = m_impl->lastId.load();
    std::lock_guard lock(m_impl->queueMutex);
    stats.queued = m_impl->queuedEvents;
    return stats;
}

Status EventLog::integrityCheck() const {
    std::lock_guard lock(m_impl->readerMutex);
    Statement stmt(m_impl->reader, "PRAGMA integrity_check");
    if (!stmt || sqlite3_step(stmt.handle) != SQLITE_ROW)
        return Error::unavailable(sqliteError(m_impl->reader, "integrity check"));
    const std::string answer = columnText(stmt.handle, 0);
    if (answer != "ok") return Error::internal("event log integrity check failed: " + answer);
    return {};
}

const std::filesystem::path& EventLog::path() const {
    return m_impl->path;
}

}  // namespace recdeck::store

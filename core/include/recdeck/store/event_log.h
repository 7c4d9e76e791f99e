#pragma once
// EventLog: the durable, append-only log of user events in one SQLite file (WAL mode).
//
// Writes go through a single writer thread that commits whatever is queued in one
// transaction (group commit), so many concurrent appends share one fsync. An append is
// acknowledged — append() returns, or appendAsync()'s callback runs — only after its
// transaction has committed with synchronous=FULL, so an acknowledged event survives a
// crash of the process or of the machine.
//
// Thread safety: every method may be called from any thread. Listeners run on the writer
// thread after each commit, in commit order, before the appenders are acknowledged;
// they must be quick and must not call
// append() synchronously (that would deadlock) — appendAsync() is fine.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/store/event.h"

namespace recdeck::store {

struct EventLogOptions {
    std::size_t maxBatch = 4096;  // events per transaction at most
    // Events waiting for the writer, at most; an append beyond it fails at once
    // (ErrorKind::Unavailable) instead of queueing without bound behind a slow disk.
    std::size_t maxQueued = 200'000;
    std::chrono::milliseconds maxDelay{1};  // how long the writer waits to grow a batch
    bool durable = true;                    // synchronous=FULL (false: NORMAL, for benchmarks)
};

struct EventLogStats {
    std::uint64_t appended = 0;      // events committed since open
    std::uint64_t transactions = 0;  // commits since open
    std::uint64_t failedBatches = 0;
    std::uint64_t refused = 0;  // appends refused because the queue was full
    std::size_t queued = 0;     // events waiting for the writer now
    std::string lastError;      // of the latest failed batch, kept after recovery
    std::int64_t lastErrorUnixMs = 0;
    bool failing = false;     // the latest batch failed
    std::int64_t lastId = 0;  // highest committed id
};

class EventLog {
public:
    using Listener = std::function<void(std::span<const Event> committed)>;
    using Done = std::function<void(const Result<std::int64_t>& lastId)>;

    // Opens (creating if needed) the log at `path` as sqlite_file.h describes: created
    // user-only (0600, missing parent folders 0700), refused with an Error when
    // PRAGMA quick_check finds it damaged, its schema version migrated.
    static Result<std::unique_ptr<EventLog>> open(const std::filesystem::path& path, EventLogOptions options = {});
    ~EventLog();  // commits what is queued, then closes
    EventLog(const EventLog&) = delete;
    EventLog& operator=(const EventLog&) = delete;

    // Appends and waits until the events are durable. Returns the id of the last one
    // (ids are consecutive within one call). Events get their ids filled in the log only.
    Result<std::int64_t> append(std::vector<Event> events);
    // Appends and waits at most `timeout`. When the writer has not started on them by
    // then they are withdrawn and the call fails (Unavailable): nothing is written, so the
    // caller may retry. Events the writer already took are waited for (their commit is
    // under way) and acknowledged.
    Result<std::int64_t> append(std::vector<Event> events, std::chrono::milliseconds timeout);
    // Appends without waiting; `done` (optional) runs on the writer thread once durable
    // or failed — or at once, on the caller's thread, when the queue is full. Used for
    // impressions and for HTTP handlers that reply asynchronously. Returns a ticket for
    // withdraw() (0 when refused).
    std::uint64_t appendAsync(std::vector<Event> events, Done done = {});
    // Takes back events of appendAsync that the writer has not started on: true when they
    // were removed (their `done` then never runs).
    bool withdraw(std::uint64_t ticket);
    // Waits until everything queued before this call is committed.
    Status flush();

    // Events with id > afterId, oldest first, at most `limit`.
    Result<std::vector<Event>> readAfter(std::int64_t afterId, std::size_t limit) const;
    // The most recent `limit` events of one user, oldest first.
    Result<std::vector<Event>> userEvents(std::string_view userId, std::size_t limit) const;
    // Events of a time range [fromMs, toMs), oldest first, at most `limit`.
    Result<std::vector<Event>> range(std::int64_t fromMs, std::int64_t toMs, std::size_t limit) const;

    // Small named values kept with the log (the fleet stream's cursor, the instance id).
    // setMeta writes durably outside the event writer's batches; keep it infrequent.
    Result<std::optional<std::string>> meta(std::string_view name) const;
    Status setMeta(std::string_view name, std::string_view value);

    // Registers a listener for committed batches; returns a handle for removeListener.
    int addListener(Listener listener);
    void removeListener(int handle);

    EventLogStats stats() const;
    // Runs PRAGMA integrity_check; ok when SQLite answers "ok".
    Status integrityCheck() const;
    const std::filesystem::path& path() const;

private:
    struct Impl;
    explicit EventLog(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::store

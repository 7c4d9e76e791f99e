#pragma once
// StreamPublisher: appends this instance's committed events to the fleet's event stream,
// in commit order, without ever holding up the request path or the event log's writer.
//
// The event log is the outbox. A thread appends the events after a cursor (the highest
// local id known to be in the stream), a page per pipelined XADD round trip, and advances
// the cursor. Commits hand their events over already encoded (committed()), so while the
// publisher keeps up it sends from memory; when it does not (Redis away, a start with a
// backlog, more than memoryBytes waiting) it reads the log after the cursor instead, and
// returns to memory once the oldest event held there is the next one to send. When Redis is away the events stay
// in the log and the thread retries with a growing pause (backoff), then sends them in
// order: none lost. The cursor is saved in the log's meta table at most once per
// cursorSaveInterval, so after a crash a suffix may be sent again; readers skip it by
// (instance, local id) (stream_event.h): none doubled.
//
// Joining: the cursor is kept per store (the redacted URL). The first time an instance
// publishes to a store, it starts at its log's current end: events committed before it
// joined that fleet are not the fleet's.
//
// Retention: every append trims the stream to about maxStreamEntries (XADD MAXLEN ~).
// Readouts survive trimming through checkpoints (fleet_readout.h); retraining reads what
// the stream still holds (docs/fleet.md gives the arithmetic).
//
// Thread safety: notify(), flush() and stats() may be called from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "recdeck/common/result.h"
#include "recdeck/store/event_log.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::fleet {

struct PublisherOptions {
    std::size_t pageSize = 512;                // events per XADD round trip, > 0
    std::size_t maxStreamEntries = 1'000'000;  // approximate stream length kept; 0 = no trimming
    std::chrono::milliseconds idlePoll{200};   // re-check the log this often without notify()
    // After a page that emptied the log, gather commits this long before the next one, so
    // busy traffic goes out in larger pipelines (fewer round trips; adds at most this to
    // the fleet's readout lag).
    std::chrono::milliseconds gather{5};
    std::chrono::milliseconds initialBackoff{100};
    std::chrono::milliseconds maxBackoff{5'000};
    std::chrono::milliseconds cursorSaveInterval{1'000};
    // Encoded events held in memory for sending without reading the log back; above this
    // the held events are dropped and read from the log when their turn comes.
    std::size_t memoryBytes = 8U << 20U;
};

struct PublisherStats {
    std::int64_t published = 0;  // highest local id in the stream
    std::int64_t committed = 0;  // highest local id in the log
    std::uint64_t appended = 0;  // entries appended since start (resends included)
    std::uint64_t failures = 0;  // failed append round trips since start
    std::uint64_t fromLog = 0;   // events sent after reading them back from the log
    std::string lastError;       // of the latest failure, kept after recovery
    bool failing = false;        // the latest round trip failed
    std::int64_t lagEvents() const { return committed > published ? committed - published : 0; }
};

class StreamPublisher {
public:
    StreamPublisher(store::EventLog& log, std::shared_ptr<store::KeyValueStore> store, std::uint64_t instance,
                    PublisherOptions options = {});
    ~StreamPublisher();  // stops the thread and saves the cursor
    StreamPublisher(const StreamPublisher&) = delete;
    StreamPublisher& operator=(const StreamPublisher&) = delete;

    // Events were committed to the log (in commit order, as the log's listeners see them):
    // keeps them encoded for sending and wakes the thread. Called on the log's writer thread.
    void committed(std::span<const store::Event> events);
    // Wakes the thread: events were committed (they will be read from the log).
    void notify();
    // Waits until every event committed before the call is in the stream, at most
    // `timeout`; Unavailable when it is not.
    Status flush(std::chrono::milliseconds timeout);
    PublisherStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::fleet

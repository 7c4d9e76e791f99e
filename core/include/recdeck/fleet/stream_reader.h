#pragma once
// StreamReader: follows the fleet's event stream from a position and hands every entry,
// decoded and in stream order, to one consumer, on the reader's own thread.
//
// It polls (XRANGE after its position, a page at a time) rather than blocking in XREAD,
// so it never holds one of the store's pooled connections: at most one poll per
// `poll` interval while the stream is idle, back to back while it is behind. When Redis is
// away it retries with a growing pause and continues where it stopped.
//
// Entries that cannot be decoded (another version, damage) are counted and skipped.
// Duplicates are not the reader's business: the consumer (the experiment tracker) skips
// them by (instance, local id).
//
// Thread safety: stats() and caughtUp() from any thread; the consumer runs on the
// reader's thread only, one batch at a time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "recdeck/common/result.h"
#include "recdeck/fleet/stream_event.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::fleet {

struct ReaderOptions {
    std::size_t pageSize = 1000;         // entries per read, > 0
    std::chrono::milliseconds poll{25};  // pause when the reader is at the end
    std::chrono::milliseconds initialBackoff{100};
    std::chrono::milliseconds maxBackoff{5'000};
    std::chrono::milliseconds headRefresh{1'000};  // how often the stream's end is looked up
};

struct ReaderStats {
    store::StreamId position;   // the last entry consumed
    store::StreamId head;       // the stream's last entry, when last looked up
    store::StreamId first;      // the stream's oldest entry still kept, when last looked up
    std::uint64_t entries = 0;  // consumed since start
    std::uint64_t undecodable = 0;
    std::uint64_t failures = 0;  // failed reads since start
    std::string lastError;
    bool failing = false;
    // True when the position is older than the oldest entry kept: entries in between
    // were trimmed before this reader saw them.
    bool missedTrimmed = false;
    // How far behind the stream's end the reader is, in ms of append time (0 when it is
    // at the end).
    std::int64_t lagMs() const {
        return head > position ? static_cast<std::int64_t>(head.ms) - static_cast<std::int64_t>(position.ms) : 0;
    }
};

class StreamReader {
public:
    // Called with consecutive batches of entries and the position after each batch.
    using Consumer = std::function<void(std::span<const StreamEvent> events, store::StreamId position)>;

    StreamReader(std::shared_ptr<store::KeyValueStore> store, std::string streamKey, store::StreamId start,
                 Consumer consumer, ReaderOptions options = {});
    ~StreamReader();  // stops and joins the thread
    StreamReader(const StreamReader&) = delete;
    StreamReader& operator=(const StreamReader&) = delete;

    ReaderStats stats() const;
    // Waits until the reader has consumed every entry the stream held when the call was
    // made, at most `timeout`. Unavailable when it has not.
    Status catchUp(std::chrono::milliseconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::fleet

#include "recdeck/fleet/stream_publisher.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "recdeck/fleet/fleet_keys.h"
#include "recdeck/fleet/stream_event.h"

namespace recdeck::fleet {

namespace {

using Clock = std::chrono::steady_clock;

std::string cursorMetaName(const store::KeyValueStore& store) {
    return "fleet.published@" + store.describe();
}

std::int64_t parseId(const std::string& text) {
    std::int64_t value = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && end == text.data() + text.size() && value >= 0 ? value : -1;
}

}  // namespace

struct StreamPublisher::Impl {
    store::EventLog& log;
    std::shared_ptr<store::KeyValueStore> store;
    std::uint64_t instance;
    PublisherOptions options;
    std::string cursorName;

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::condition_variable progressed;
    bool stopping = false;
    bool notified = false;
    PublisherStats stats;
    struct Held {
        std::int64_t id = 0;
        std::string payload;
    };
    std::deque<Held> held;  // consecutive committed events, oldest first
    std::size_t heldBytes = 0;
    bool gap = false;  // a commit was left to the log: hold nothing until `held` is sent
    std::int64_t savedCursor = -1;
    Clock::time_point savedAt{};
    std::jthread thread;

    Impl(store::EventLog& l, std::shared_ptr<store::KeyValueStore> s, std::uint64_t i, PublisherOptions o)
        : log(l), store(std::move(s)), instance(i), options(o), cursorName(cursorMetaName(*store)) {
        options.pageSize = std::max<std::size_t>(1, options.pageSize);
        std::int64_t cursor = -1;
        if (auto stored = log.meta(cursorName); stored && stored->has_value()) cursor = parseId(**stored);
        const std::int64_t end = log.stats().lastId;
        if (cursor < 0 || cursor > end) {
            // First time on this store (or a log that was replaced): join at the end.
            cursor = end;
            (void)log.setMeta(cursorName, std::to_string(cursor));
        }
        savedCursor = cursor;
        stats.published = cursor;
        stats.committed = end;
        thread = std::jthread([this](std::stop_token) { run(); });
    }

    ~Impl() {
        {
            std::lock_guard lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        if (thread.joinable()) thread.join();
        saveCursor(true);
    }

    void saveCursor(bool force) {
        std::int64_t cursor = 0;
        {
            std::lock_guard lock(mutex);
            cursor = stats.published;
        }
        if (cursor == savedCursor) return;
        if (!force && Clock::now() - savedAt < options.cursorSaveInterval) return;
        if (log.setMeta(cursorName, std::to_string(cursor))) {
            savedCursor = cursor;
            savedAt = Clock::now();
        }
    }

    // Keeps a commit's events, encoded, for sending from memory. Only appends: entries are
    // removed by the publishing thread alone (after they were sent), so the views it sends
    // from stay valid. A commit that does not follow the held ones, or finds no room, is
    // left to the log, and so are the next ones until the held events have been sent.
    void hold(std::span<const store::Event> events) {
        if (events.empty()) return;
        std::vector<Held> encoded;
        encoded.reserve(events.size());
        std::size_t bytes = 0;
        for (const auto& event : events) {
            encoded.push_back({event.id, encodeStreamEvent(instance, event)});
            bytes += encoded.back().payload.size();
        }
        std::lock_guard lock(mutex);
        if (gap && !held.empty()) return;
        gap = false;
        const bool follows = held.empty() || encoded.front().id == held.back().id + 1;
        if (!follows || heldBytes + bytes > options.memoryBytes) {
            gap = true;
            return;
        }
        for (auto& h : encoded) held.push_back(std::move(h));
        heldBytes += bytes;
    }

    // Sends one page after the cursor: from memory when the oldest held event is the next
    // one, else read back from the log. False when there was nothing to send.
    Result<bool> publishPage() {
        std::int64_t cursor = 0;
        std::vector<std::string_view> payloads;
        std::int64_t last = 0;
        bool fromMemory = false;
        {
            std::lock_guard lock(mutex);
            cursor = stats.published;
            while (!held.empty() && held.front().id <= cursor) {
                heldBytes -= held.front().payload.size();
                held.pop_front();
            }
            if (!held.empty() && held.front().id == cursor + 1) {
                const std::size_t n = std::min(options.pageSize, held.size());
                payloads.reserve(n);
                for (std::size_t i = 0; i < n; ++i) payloads.emplace_back(held[i].payload);
                last = held[n - 1].id;
                fromMemory = true;
            } else if (held.empty() && stats.committed <= cursor) {
                return false;  // caught up
            }
        }
        std::vector<std::string> encoded;  // read back from the log
        if (!fromMemory) {
            auto events = log.readAfter(cursor, options.pageSize);
            if (!events) return events.error();
            if (events->empty()) return false;
            encoded.reserve(events->size());
            for (const auto& event : *events) encoded.push_back(encodeStreamEvent(instance, event));
            payloads.assign(encoded.begin(), encoded.end());
            last = events->back().id;
        }
        auto ids = store->streamAppend(kEventStreamKey, payloads, options.maxStreamEntries);
        if (!ids) return ids.error();
        {
            std::lock_guard lock(mutex);
            stats.published = last;
            stats.appended += payloads.size();
            if (!fromMemory) stats.fromLog += payloads.size();
            stats.failing = false;
        }
        progressed.notify_all();
        return true;
    }

    void run() {
        std::chrono::milliseconds backoff = options.initialBackoff;
        for (;;) {
            {
                std::lock_guard lock(mutex);
                if (stopping) return;
                stats.committed = log.stats().lastId;
            }
            auto sent = publishPage();
            if (!sent) {
                {
                    std::lock_guard lock(mutex);
                    ++stats.failures;
                    stats.failing = true;
                    stats.lastError = sent.errorMessage();
                }
                std::unique_lock lock(mutex);
                wake.wait_for(lock, backoff, [this] { return stopping; });
                backoff = std::min(options.maxBackoff, backoff * 2);
                continue;
            }
            backoff = options.initialBackoff;
            saveCursor(false);
            if (*sent) continue;  // there may be more
            std::unique_lock lock(mutex);
            if (options.gather.count() > 0) wake.wait_for(lock, options.gather, [this] { return stopping; });
            wake.wait_for(lock, options.idlePoll, [this] { return stopping || notified; });
            notified = false;
        }
    }
};

StreamPublisher::StreamPublisher(store::EventLog& log, std::shared_ptr<store::KeyValueStore> store,
                                 std::uint64_t instance, PublisherOptions options)
    : m_impl(std::make_unique<Impl>(log, std::move(store), instance, options)) {}

StreamPublisher::~StreamPublisher() = default;

void StreamPublisher::committed(std::span<const store::Event> events) {
    m_impl->hold(events);
    notify();
}

void StreamPublisher::notify() {
    {
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->notified) return;  // already signalled, not yet seen: no second wake-up
        m_impl->notified = true;
    }
    m_impl->wake.notify_all();
}

Status StreamPublisher::flush(std::chrono::milliseconds timeout) {
    const std::int64_t target = m_impl->log.stats().lastId;
    notify();
    std::unique_lock lock(m_impl->mutex);
    if (!m_impl->progressed.wait_for(lock, timeout, [&] { return m_impl->stats.published >= target; })) {
        return Error::unavailable("the fleet stream did not take this instance's events within " +
                                  std::to_string(timeout.count()) + " ms" +
                                  (m_impl->stats.lastError.empty() ? std::string() : ": " + m_impl->stats.lastError));
    }
    return {};
}

PublisherStats StreamPublisher::stats() const {
    std::lock_guard lock(m_impl->mutex);
    PublisherStats out = m_impl->stats;
    out.committed = std::max(out.committed, m_impl->log.stats().lastId);
    return out;
}

}  // namespace recdeck::fleet

#include "recdeck/fleet/stream_publisher.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
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

    // Sends one page after the cursor; false when there was nothing to send.
    Result<bool> publishPage() {
        std::int64_t cursor = 0;
        {
            std::lock_guard lock(mutex);
            cursor = stats.published;
        }
        auto page = log.readAfter(cursor, options.pageSize);
        if (!page) return page.error();
        if (page->empty()) return false;
        std::vector<std::string> payloads;
        payloads.reserve(page->size());
        for (const auto& event : *page) payloads.push_back(encodeStreamEvent(instance, event));
        auto ids = store->streamAppend(kEventStreamKey, payloads, options.maxStreamEntries);
        if (!ids) return ids.error();
        {
            std::lock_guard lock(mutex);
            stats.published = page->back().id;
            stats.appended += payloads.size();
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

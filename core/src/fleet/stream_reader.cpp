#include "recdeck/fleet/stream_reader.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace recdeck::fleet {

namespace {
using Clock = std::chrono::steady_clock;
}

struct StreamReader::Impl {
    std::shared_ptr<store::KeyValueStore> store;
    std::string key;
    Consumer consumer;
    ReaderOptions options;

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::condition_variable progressed;
    bool stopping = false;
    ReaderStats stats;
    Clock::time_point headAt{};
    std::jthread thread;

    Impl(std::shared_ptr<store::KeyValueStore> s, std::string k, store::StreamId start, Consumer c, ReaderOptions o)
        : store(std::move(s)), key(std::move(k)), consumer(std::move(c)), options(o) {
        options.pageSize = std::max<std::size_t>(1, options.pageSize);
        stats.position = start;
        thread = std::jthread([this](std::stop_token) { run(); });
    }

    ~Impl() {
        {
            std::lock_guard lock(mutex);
            stopping = true;
        }
        wake.notify_all();
        if (thread.joinable()) thread.join();
    }

    Status refreshHead() {
        auto info = store->streamInfo(key);
        if (!info) return info.error();
        std::lock_guard lock(mutex);
        stats.head = std::max(stats.head, info->last);
        stats.first = info->first;
        if (info->length > 0 && stats.position != store::StreamId{} && stats.position < info->first &&
            stats.entries == 0) {
            // Started from a position the stream no longer reaches.
            stats.missedTrimmed = true;
        }
        headAt = Clock::now();
        return {};
    }

    // Reads and consumes one page; the number of entries read.
    Result<std::size_t> step() {
        store::StreamId position;
        {
            std::lock_guard lock(mutex);
            position = stats.position;
        }
        if (Clock::now() - headAt >= options.headRefresh) {
            if (auto s = refreshHead(); !s) return s.error();
        }
        auto page = store->streamRead(key, position, options.pageSize);
        if (!page) return page.error();
        if (page->empty()) {
            std::lock_guard lock(mutex);
            stats.head = std::max(stats.head, position);
            stats.failing = false;
            return std::size_t{0};
        }
        std::vector<StreamEvent> events;
        events.reserve(page->size());
        std::uint64_t undecodable = 0;
        for (const auto& record : *page) {
            auto decoded = decodeStreamEvent(record.payload);
            if (decoded)
                events.push_back(std::move(*decoded));
            else
                ++undecodable;
        }
        const store::StreamId last = page->back().id;
        if (consumer) consumer(events, last);
        {
            std::lock_guard lock(mutex);
            stats.position = last;
            stats.head = std::max(stats.head, last);
            stats.entries += page->size();
            stats.undecodable += undecodable;
            stats.failing = false;
        }
        progressed.notify_all();
        return page->size();
    }

    void run() {
        std::chrono::milliseconds backoff = options.initialBackoff;
        for (;;) {
            {
                std::lock_guard lock(mutex);
                if (stopping) return;
            }
            auto read = step();
            if (!read) {
                std::unique_lock lock(mutex);
                ++stats.failures;
                stats.failing = true;
                stats.lastError = read.errorMessage();
                wake.wait_for(lock, backoff, [this] { return stopping; });
                backoff = std::min(options.maxBackoff, backoff * 2);
                continue;
            }
            backoff = options.initialBackoff;
            if (*read == options.pageSize) continue;  // behind: read on
            std::unique_lock lock(mutex);
            wake.wait_for(lock, options.poll, [this] { return stopping; });
        }
    }
};

StreamReader::StreamReader(std::shared_ptr<store::KeyValueStore> store, std::string streamKey, store::StreamId start,
                           Consumer consumer, ReaderOptions options)
    : m_impl(std::make_unique<Impl>(std::move(store), std::move(streamKey), start, std::move(consumer), options)) {}

StreamReader::~StreamReader() = default;

ReaderStats StreamReader::stats() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->stats;
}

Status StreamReader::catchUp(std::chrono::milliseconds timeout) {
    auto info = m_impl->store->streamInfo(m_impl->key);
    if (!info) return info.error();
    const store::StreamId target = info->last;
    std::unique_lock lock(m_impl->mutex);
    if (!m_impl->progressed.wait_for(lock, timeout, [&] { return m_impl->stats.position >= target; })) {
        return Error::unavailable("the fleet stream reader did not catch up within " + std::to_string(timeout.count()) +
                                  " ms" +
                                  (m_impl->stats.lastError.empty() ? std::string() : ": " + m_impl->stats.lastError));
    }
    return {};
}

}  // namespace recdeck::fleet

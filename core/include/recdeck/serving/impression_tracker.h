#pragma once
// ImpressionTracker: the lists recently shown to each user, kept in memory so a click can
// be attributed to the impression (and experiment variant) that led to it, and so an
// operator can see a user's last recommendations. Bounded by users (200,000), by
// impressions per user (5) and by bytes (64 MiB: what the records hold on the heap,
// heap_size.h; a list of 10 items with short ids costs ~1 KB), the least recently
// shown-to users forgotten first.
//
// Thread safety: every method may be called concurrently.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace recdeck::serving {

struct ImpressionRecord {
    std::string requestId;
    std::string experiment;
    std::string variant;
    std::string model;
    std::vector<std::string> items;
    std::int64_t atMs = 0;
};

class ImpressionTracker {
public:
    explicit ImpressionTracker(std::size_t maxUsers = 200'000, std::size_t perUser = 5,
                               std::size_t maxBytes = std::size_t{64} << 20);

    void record(std::string_view user, ImpressionRecord impression);
    // The most recent impression that showed `item` to `user` no earlier than
    // atMs - window and no later than atMs; nullopt when there is none.
    std::optional<ImpressionRecord> attribute(std::string_view user, std::string_view item, std::int64_t atMs,
                                              std::chrono::milliseconds window) const;
    // The user's recent impressions, newest first.
    std::vector<ImpressionRecord> recent(std::string_view user) const;
    std::size_t users() const;
    // Heap bytes the records hold, as counted against maxBytes.
    std::size_t bytes() const;

private:
    struct Entry {
        std::string user;
        std::vector<ImpressionRecord> impressions;  // newest first
        std::size_t bytes = 0;
    };
    static std::size_t bytesOf(const Entry& entry);
    void evictOldest();
    std::size_t m_maxUsers;
    std::size_t m_perUser;
    std::size_t m_maxBytes;
    std::size_t m_bytes = 0;
    mutable std::mutex m_mutex;
    std::list<Entry> m_order;  // front = most recent
    std::unordered_map<std::string, std::list<Entry>::iterator> m_index;
};

}  // namespace recdeck::serving

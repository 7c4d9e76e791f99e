#include "recdeck/serving/impression_tracker.h"

#include <algorithm>

#include "recdeck/common/heap_size.h"

namespace recdeck::serving {

ImpressionTracker::ImpressionTracker(std::size_t maxUsers, std::size_t perUser, std::size_t maxBytes)
    : m_maxUsers(std::max<std::size_t>(1, maxUsers)),
      m_perUser(std::max<std::size_t>(1, perUser)),
      m_maxBytes(std::max<std::size_t>(1, maxBytes)) {}

std::size_t ImpressionTracker::bytesOf(const Entry& entry) {
    // The entry's list node and index node (each with a copy of the user id), its
    // records and every string they hold.
    std::size_t bytes = 2 * (sizeof(Entry) + 4 * sizeof(void*) + kAllocationOverhead + heapBytes(entry.user));
    bytes += heapBytes(entry.impressions);
    for (const ImpressionRecord& r : entry.impressions) {
        bytes += heapBytes(r.requestId) + heapBytes(r.experiment) + heapBytes(r.variant) + heapBytes(r.model) +
                 heapBytes(r.items);
    }
    return bytes;
}

void ImpressionTracker::evictOldest() {
    m_bytes -= m_order.back().bytes;
    m_index.erase(m_order.back().user);
    m_order.pop_back();
}

void ImpressionTracker::record(std::string_view user, ImpressionRecord impression) {
    std::lock_guard lock(m_mutex);
    auto found = m_index.find(std::string(user));
    if (found == m_index.end()) {
        m_order.push_front(Entry{std::string(user), {}, 0});
        found = m_index.emplace(std::string(user), m_order.begin()).first;
    } else {
        m_order.splice(m_order.begin(), m_order, found->second);
    }
    Entry& entry = *found->second;
    auto& impressions = entry.impressions;
    impressions.insert(impressions.begin(), std::move(impression));
    if (impressions.size() > m_perUser) impressions.resize(m_perUser);
    m_bytes -= entry.bytes;
    entry.bytes = bytesOf(entry);
    m_bytes += entry.bytes;
    // The least recently shown-to users go first; the user just recorded is the newest.
    while (m_order.size() > 1 && (m_order.size() > m_maxUsers || m_bytes > m_maxBytes)) evictOldest();
}

std::optional<ImpressionRecord> ImpressionTracker::attribute(std::string_view user, std::string_view item,
                                                             std::int64_t atMs,
                                                             std::chrono::milliseconds window) const {
    std::lock_guard lock(m_mutex);
    const auto found = m_index.find(std::string(user));
    if (found == m_index.end()) return std::nullopt;
    for (const ImpressionRecord& impression : found->second->impressions) {
        if (impression.atMs > atMs || impression.atMs < atMs - window.count()) continue;
        if (std::find(impression.items.begin(), impression.items.end(), item) != impression.items.end()) {
            return impression;
        }
    }
    return std::nullopt;
}

std::vector<ImpressionRecord> ImpressionTracker::recent(std::string_view user) const {
    std::lock_guard lock(m_mutex);
    const auto found = m_index.find(std::string(user));
    if (found == m_index.end()) return {};
    return found->second->impressions;
}

std::size_t ImpressionTracker::users() const {
    std::lock_guard lock(m_mutex);
    return m_order.size();
}

}  // namespace recdeck::serving

namespace recdeck::serving {

std::size_t ImpressionTracker::bytes() const {
    std::lock_guard lock(m_mutex);
    return m_bytes;
}

}  // namespace recdeck::serving

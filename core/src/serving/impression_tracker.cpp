#include "recdeck/serving/impression_tracker.h"

#include <algorithm>

namespace recdeck::serving {

ImpressionTracker::ImpressionTracker(std::size_t maxUsers, std::size_t perUser)
    : m_maxUsers(std::max<std::size_t>(1, maxUsers)), m_perUser(std::max<std::size_t>(1, perUser)) {}

void ImpressionTracker::record(std::string_view user, ImpressionRecord impression) {
    std::lock_guard lock(m_mutex);
    auto found = m_index.find(std::string(user));
    if (found == m_index.end()) {
        m_order.push_front(Entry{std::string(user), {}});
        found = m_index.emplace(std::string(user), m_order.begin()).first;
        while (m_order.size() > m_maxUsers) {
            m_index.erase(m_order.back().user);
            m_order.pop_back();
        }
    } else {
        m_order.splice(m_order.begin(), m_order, found->second);
    }
    auto& impressions = found->second->impressions;
    impressions.insert(impressions.begin(), std::move(impression));
    if (impressions.size() > m_perUser) impressions.resize(m_perUser);
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

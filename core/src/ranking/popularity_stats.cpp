#include "recdeck/ranking/popularity_stats.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace recdeck::ranking {

namespace {

std::vector<Index> byCountDescending(const std::vector<float>& counts) {
    std::vector<Index> order(counts.size());
    std::iota(order.begin(), order.end(), Index{0});
    std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return counts[a] > counts[b]; });
    return order;
}

}  // namespace

PopularityStats::PopularityStats(std::vector<float> allTime, std::vector<float> recent, const TrendingRule& rule)
    : m_allTime(std::move(allTime)), m_recent(std::move(recent)) {
    m_recent.resize(m_allTime.size(), 0.0F);
    m_ranking = byCountDescending(m_allTime);
    m_trending.assign(m_allTime.size(), 0);

    const double totalAll = std::accumulate(m_allTime.begin(), m_allTime.end(), 0.0);
    const double totalRecent = std::accumulate(m_recent.begin(), m_recent.end(), 0.0);
    if (totalAll <= 0.0 || totalRecent <= 0.0) return;
    const std::vector<Index> recentOrder = byCountDescending(m_recent);
    const std::size_t candidates = std::min(rule.maxItems, recentOrder.size());
    for (std::size_t r = 0; r < candidates; ++r) {
        const Index item = recentOrder[r];
        const double recentUsers = m_recent[item];
        if (recentUsers < rule.minRecentUsers) break;  // sorted: no later item qualifies either
        const double recentShare = recentUsers / totalRecent;
        const double allShare = static_cast<double>(m_allTime[item]) / totalAll;
        if (recentShare >= rule.minLift * allShare) m_trending[item] = 1;
    }
}

PopularityStats PopularityStats::fromMatrix(const data::InteractionMatrix& matrix, const TrendingRule& rule) {
    std::vector<float> allTime(matrix.itemCount(), 0.0F);
    std::vector<float> recent(matrix.itemCount(), 0.0F);
    const std::int64_t latest = matrix.latestTimestamp();
    const bool timed = latest > 0;
    const std::int64_t since = latest - rule.windowSeconds;
    for (std::size_t u = 0; u < matrix.userCount(); ++u) {
        const auto user = static_cast<Index>(u);
        const auto items = matrix.itemsOf(user);
        const auto stamps = matrix.timestampsOf(user);
        for (std::size_t i = 0; i < items.size(); ++i) {
            allTime[items[i]] += 1.0F;
            if (timed && stamps[i] > since) recent[items[i]] += 1.0F;
        }
    }
    return PopularityStats(std::move(allTime), std::move(recent), rule);
}

}  // namespace recdeck::ranking

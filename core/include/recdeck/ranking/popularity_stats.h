#pragma once
// PopularityStats: how many users engaged with each item, overall and recently, and which
// items are trending. The ranking stage uses it for cold-start users, for the fallback
// when a model fails, for topping up short lists, and for "Popular in ..." / "Trending
// now" reasons. Immutable once built; safe to read from any number of threads.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "recdeck/data/id_map.h"
#include "recdeck/data/interaction_matrix.h"

namespace recdeck::ranking {

using data::Index;

// When an item counts as "Trending now": it is recently popular AND rising, so an
// evergreen bestseller does not trend forever.
struct TrendingRule {
    // "Recent" = the last windowSeconds up to the newest interaction of the data (not the
    // wall clock, so replayed or historical data trends the same way every run).
    std::int64_t windowSeconds = 30LL * 24 * 3600;
    // At least this many distinct recent users.
    double minRecentUsers = 3.0;
    // Share of recent engagement / share of all-time engagement, at least this.
    double minLift = 1.5;
    // Only the top maxItems items by recent users can trend (ties by lower index).
    std::size_t maxItems = 50;
};

class PopularityStats {
public:
    PopularityStats() = default;
    // allTime[i] / recent[i]: distinct users of item i (>= 0); recent may be shorter than
    // allTime (missing entries count 0) and is empty when there are no timestamps.
    PopularityStats(std::vector<float> allTime, std::vector<float> recent, const TrendingRule& rule = {});
    // Counts from a training matrix; recent = entries whose latest timestamp lies within
    // the rule's window before matrix.latestTimestamp(). No timestamps -> nothing trends.
    static PopularityStats fromMatrix(const data::InteractionMatrix& matrix, const TrendingRule& rule = {});

    // Number of items described (the training catalog's size).
    std::size_t size() const { return m_allTime.size(); }
    float count(Index item) const { return item < m_allTime.size() ? m_allTime[item] : 0.0F; }
    float recentCount(Index item) const { return item < m_recent.size() ? m_recent[item] : 0.0F; }
    bool trending(Index item) const { return item < m_trending.size() && m_trending[item] != 0; }
    // Every item, most popular first (ties by lower index): the popularity ranking.
    std::span<const Index> ranking() const { return m_ranking; }

private:
    std::vector<float> m_allTime;
    std::vector<float> m_recent;
    std::vector<std::uint8_t> m_trending;
    std::vector<Index> m_ranking;
};

}  // namespace recdeck::ranking

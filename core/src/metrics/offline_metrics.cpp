#include "recdeck/metrics/offline_metrics.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <unordered_set>

#include <nlohmann/json.hpp>

namespace recdeck::metrics {

namespace {

// The first k entries of a list, each item once, in list order, with its 1-based rank.
struct RankedEntry {
    Index item;
    std::size_t rank;
};

std::vector<RankedEntry> distinctPrefix(std::span<const Index> list, std::size_t k) {
    const std::size_t cut = std::min(list.size(), k);
    std::vector<RankedEntry> entries;
    entries.reserve(cut);
    for (std::size_t i = 0; i < cut; ++i) {
        const Index item = list[i];
        // Lists are short (k entries), so a linear scan beats a hash set.
        const bool repeated =
            std::any_of(entries.begin(), entries.end(), [item](const RankedEntry& e) { return e.item == item; });
        if (!repeated) entries.push_back({item, i + 1});
    }
    return entries;
}

std::vector<Index> sortedSet(std::span<const Index> items) {
    std::vector<Index> set(items.begin(), items.end());
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    return set;
}

double mean(double sum, std::size_t count) {
    return count == 0 ? 0.0 : sum / static_cast<double>(count);
}

}  // namespace

UserRankingScores scoreUser(std::span<const Index> recommended, std::span<const Index> relevantSorted, std::size_t k) {
    assert(k >= 1);
    assert(std::adjacent_find(relevantSorted.begin(), relevantSorted.end(), std::greater_equal<>()) ==
           relevantSorted.end());
    UserRankingScores scores;
    if (relevantSorted.empty()) return scores;

    double dcg = 0.0;
    double precisionSum = 0.0;
    for (const RankedEntry& entry : distinctPrefix(recommended, k)) {
        if (!std::binary_search(relevantSorted.begin(), relevantSorted.end(), entry.item)) continue;
        ++scores.hits;
        const auto rank = static_cast<double>(entry.rank);
        dcg += 1.0 / std::log(1.0 + rank);
        precisionSum += static_cast<double>(scores.hits) / rank;
    }
    const std::size_t idealHits = std::min(relevantSorted.size(), k);
    double idcg = 0.0;
    for (std::size_t rank = 1; rank <= idealHits; ++rank) idcg += 1.0 / std::log(1.0 + static_cast<double>(rank));

    const auto hits = static_cast<double>(scores.hits);
    scores.precision = hits / static_cast<double>(k);
    scores.recall = hits / static_cast<double>(relevantSorted.size());
    scores.ndcg = dcg / idcg;
    scores.averagePrecision = precisionSum / static_cast<double>(idealHits);
    return scores;
}

double categoryCosine(const data::Catalog& catalog, Index a, Index b) {
    if (a >= catalog.size() || b >= catalog.size()) return 0.0;
    const auto& ca = catalog.info(a).categories;
    const auto& cb = catalog.info(b).categories;
    if (ca.empty() || cb.empty()) return 0.0;
    // Both are sorted and unique (Catalog's invariant): count the intersection by merging.
    std::size_t common = 0;
    auto ia = ca.begin();
    auto ib = cb.begin();
    while (ia != ca.end() && ib != cb.end()) {
        if (*ia < *ib) {
            ++ia;
        } else if (*ib < *ia) {
            ++ib;
        } else {
            ++common;
            ++ia;
            ++ib;
        }
    }
    return static_cast<double>(common) / std::sqrt(static_cast<double>(ca.size()) * static_cast<double>(cb.size()));
}

std::optional<double> intraListDistance(const data::Catalog& catalog, std::span<const Index> items) {
    // Distinct items in first-seen order (the order does not change the mean).
    std::vector<Index> distinct;
    distinct.reserve(items.size());
    for (Index item : items) {
        if (std::find(distinct.begin(), distinct.end(), item) == distinct.end()) distinct.push_back(item);
    }
    if (distinct.size() < 2) return std::nullopt;
    double sum = 0.0;
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < distinct.size(); ++i) {
        for (std::size_t j = i + 1; j < distinct.size(); ++j) {
            sum += 1.0 - categoryCosine(catalog, distinct[i], distinct[j]);
            ++pairs;
        }
    }
    return sum / static_cast<double>(pairs);
}

OfflineMetrics evaluateOffline(const OfflineEvaluationInput& input) {
    assert(input.k >= 1);
    OfflineMetrics out;
    out.k = input.k;
    out.trainItems = input.trainItemCount;

    const std::size_t users = std::max(input.recommendations.size(), input.testItems.size());
    const bool withIld = input.catalog != nullptr && input.catalog->hasCategories();
    double precisionSum = 0.0;
    double recallSum = 0.0;
    double ndcgSum = 0.0;
    double apSum = 0.0;
    double ildSum = 0.0;
    std::unordered_set<Index> recommended;
    std::vector<Index> listItems;

    for (std::size_t user = 0; user < users; ++user) {
        const std::span<const Index> list = user < input.recommendations.size()
                                                ? std::span<const Index>(input.recommendations[user])
                                                : std::span<const Index>();
        const std::vector<Index> relevant =
            user < input.testItems.size() ? sortedSet(input.testItems[user]) : std::vector<Index>();

        if (!list.empty()) {
            ++out.recommendedUsers;
            listItems.clear();
            for (const RankedEntry& entry : distinctPrefix(list, input.k)) {
                listItems.push_back(entry.item);
                recommended.insert(entry.item);
            }
            if (withIld) {
                if (const auto distance = intraListDistance(*input.catalog, listItems)) {
                    ildSum += *distance;
                    ++out.ildUsers;
                }
            }
        }
        if (relevant.empty()) continue;
        ++out.testUsers;
        if (list.empty()) continue;  // counts 0 in ndcg's mean, not at all in the others
        ++out.evaluatedUsers;
        const UserRankingScores s = scoreUser(list, relevant, input.k);
        precisionSum += s.precision;
        recallSum += s.recall;
        ndcgSum += s.ndcg;
        apSum += s.averagePrecision;
    }

    out.precision = mean(precisionSum, out.evaluatedUsers);
    out.recall = mean(recallSum, out.evaluatedUsers);
    out.map = mean(apSum, out.evaluatedUsers);
    out.ndcg = mean(ndcgSum, out.testUsers);
    out.distinctRecommended = recommended.size();
    if (input.trainItemCount > 0) {
        out.coverage = static_cast<double>(recommended.size()) / static_cast<double>(input.trainItemCount);
    }
    if (out.ildUsers > 0) out.ild = ildSum / static_cast<double>(out.ildUsers);
    return out;
}

UserItemLists itemsByUser(std::span<const data::Interaction> rows, std::size_t userCount) {
    UserItemLists lists(userCount);
    for (const data::Interaction& row : rows) {
        assert(row.user < userCount);
        lists[row.user].push_back(row.item);
    }
    return lists;
}

std::size_t distinctItemCount(std::span<const data::Interaction> rows) {
    std::vector<Index> items;
    items.reserve(rows.size());
    for (const data::Interaction& row : rows) items.push_back(row.item);
    return sortedSet(items).size();
}

nlohmann::json toJson(const OfflineMetrics& m) {
    auto optional = [](const std::optional<double>& value) -> nlohmann::json {
        return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    };
    return {
        {"k", m.k},
        {"precision", m.precision},
        {"recall", m.recall},
        {"ndcg", m.ndcg},
        {"map", m.map},
        {"coverage", optional(m.coverage)},
        {"ild", optional(m.ild)},
        {"users",
         {{"test", m.testUsers},
          {"evaluated", m.evaluatedUsers},
          {"recommended", m.recommendedUsers},
          {"ild", m.ildUsers}}},
        {"items", {{"recommended", m.distinctRecommended}, {"train", m.trainItems}}},
    };
}

}  // namespace recdeck::metrics

#pragma once
// Offline accuracy and beyond-accuracy metrics of top-k recommendation lists, with exactly
// the definitions of EVAL.md ("Metric definitions", the common definitions of the
// Microsoft Recommenders evaluator):
//
//   relevant items of a user = the distinct items of that user's test rows (any rating);
//   test users               = users with at least one test row;
//   U                        = test users that also have a non-empty recommendation list;
//   precision@k = mean over U of hits / k;
//   recall@k    = mean over U of hits / |relevant|;
//   ndcg@k      = mean over ALL test users (no list counts 0) of DCG / IDCG, binary
//                 relevance, DCG = sum over hits of 1 / ln(1 + rank), IDCG = the same sum
//                 over ranks 1..min(|relevant|, k);
//   map@k       = mean over U of (sum over hits of precision at that rank) / min(|relevant|, k);
//   coverage    = distinct recommended items (every user's list) / distinct items in train;
//   ILD         = mean over users of the mean pairwise (1 - cosine) between the multi-hot
//                 category vectors of the recommended items.
//
// Edge cases (decided here, so every caller agrees):
//   - a list longer than k is cut to its first k entries, in the order given (file order);
//   - an item repeated within one list counts once: the later copies keep their rank
//     position (ranks are list positions) but are never hits, and are ignored by ILD and
//     coverage;
//   - ranks are 1-based list positions;
//   - ILD is averaged over every user with recommendations (test rows or not) whose cut
//     list holds at least 2 distinct items; users with fewer are left out;
//   - an item without categories (or unknown to the catalog) has a zero category vector,
//     so its cosine with anything is 0 and its distance is 1;
//   - users with recommendations but no test rows count for coverage and ILD only.
//
// Everything works in index space: users and items are the dense indices of one
// data::Dataset. A recommendations file produced by anything (recdeckd eval --recs) is
// mapped by interning its user and item ids into the same IdMaps as the train and test
// files (users.intern / catalog.addItem): an item unknown to train and test gets a fresh
// index, can never be a hit, and still counts as a recommended item for coverage (as in
// the reference evaluator, which counts the distinct items of the recommendations).
//
// Thread safety: free functions over caller-owned data; no shared state.

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "recdeck/data/catalog.h"
#include "recdeck/data/dataset.h"

namespace recdeck::metrics {

using data::Index;

// One list of items per user index (users.size() entries, or fewer: missing = empty).
using UserItemLists = std::vector<std::vector<Index>>;

// The per-user figures behind the aggregates (all in [0, 1]).
struct UserRankingScores {
    std::size_t hits = 0;           // distinct relevant items among the first k
    double precision = 0.0;         // hits / k
    double recall = 0.0;            // hits / |relevant|
    double ndcg = 0.0;              // DCG / IDCG
    double averagePrecision = 0.0;  // (sum over hits of hits-so-far / rank) / min(|relevant|, k)
};

// Scores one user's list. `relevantSorted` must be sorted ascending without duplicates
// (asserted); an empty relevant set gives all zeros. k >= 1.
UserRankingScores scoreUser(std::span<const Index> recommended, std::span<const Index> relevantSorted, std::size_t k);

// Cosine in [0, 1] between the multi-hot category vectors of two items:
// |A and B| / sqrt(|A| |B|); 0 when either item has no categories or is not in the catalog.
double categoryCosine(const data::Catalog& catalog, Index a, Index b);

// Mean over the distinct pairs of distinct items of (1 - categoryCosine), in [0, 1];
// nullopt when fewer than 2 distinct items are given.
std::optional<double> intraListDistance(const data::Catalog& catalog, std::span<const Index> items);

struct OfflineMetrics {
    std::size_t k = 10;
    double precision = 0.0;
    double recall = 0.0;
    double ndcg = 0.0;
    double map = 0.0;
    std::optional<double> coverage;  // none when the train item count is unknown (0)
    std::optional<double> ild;       // none without categories or without a list of >= 2 items

    std::size_t testUsers = 0;            // users with test rows (ndcg's denominator)
    std::size_t evaluatedUsers = 0;       // |U|
    std::size_t recommendedUsers = 0;     // users with a non-empty list (test rows or not)
    std::size_t ildUsers = 0;             // users averaged into ILD
    std::size_t distinctRecommended = 0;  // coverage's numerator
    std::size_t trainItems = 0;           // coverage's denominator
};

struct OfflineEvaluationInput {
    // Best first, indexed by user; a list may be longer than k (it is cut). Not owned.
    std::span<const std::vector<Index>> recommendations;
    // Test items by user, any order, duplicates allowed (a set is taken). Not owned.
    std::span<const std::vector<Index>> testItems;
    // Distinct items in the train data; 0 when unknown (coverage is then not computed).
    std::size_t trainItemCount = 0;
    // Categories for ILD; null, or a catalog without categories, leaves ILD out. Not owned.
    const data::Catalog* catalog = nullptr;
    std::size_t k = 10;  // >= 1
};

OfflineMetrics evaluateOffline(const OfflineEvaluationInput& input);

// Items of every user in row order (duplicates kept), `userCount` lists.
UserItemLists itemsByUser(std::span<const data::Interaction> rows, std::size_t userCount);
// Number of distinct items among the rows (coverage's denominator for a train file).
std::size_t distinctItemCount(std::span<const data::Interaction> rows);

// {"precision", "recall", "ndcg", "map", "coverage", "ild", "k", "users": {...}}: the
// keys recdeckd eval prints. coverage / ild are null when not computed.
nlohmann::json toJson(const OfflineMetrics& metrics);

}  // namespace recdeck::metrics

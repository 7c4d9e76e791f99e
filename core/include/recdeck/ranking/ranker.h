#pragma once
// Ranker: the last stage of a recommendation. It turns model scores into the n items a
// user sees:
//
//   scores -> drop what the user already has (history + extra exclusions)
//          -> candidate pool (the best `candidatePool` by score)
//          -> diversity, greedily, one pick at a time: Maximal Marginal Relevance
//             (Carbonell & Goldstein 1998)  argmax  lambda * rel(i) - (1 - lambda) *
//             max_{j already picked} sim(i, j),  rel = score min-max normalised over the
//             pool, sim = cosine between the items' multi-hot category vectors (so
//             1 - sim is exactly the distance of the intra-list-diversity metric),
//             among the candidates that keep every category within categoryCap;
//             lambda is either fixed (mmrLambda) or, by default, chosen per list: the
//             largest of a short ladder whose list reaches an intra-list-distance target
//             (RankingParams::ildTarget)
//          -> a reason for every item.
//
// Reasons, in order of precedence for a user with history:
//   BecauseYouLiked    "Because you liked <title>"  the model's explain(), or else the
//                      history item with the most similar categories (cosine >= 0.5);
//   TrendingNow        "Trending now"               PopularityStats::trending();
//   PopularInCategory  "Popular in <category>"      the item's category the user's history
//                                                   holds most often;
//   PickedForYou       "Picked for you"             an item without categories.
// Popularity-ranked items (cold start, fallback, top-up, a "popularity" model) get TrendingNow,
// PopularInCategory or PopularOverall ("Popular with everyone"); for a cold-start user
// (empty history) the kind is ColdStart and the text ends with " (no history yet)".
//
// Robustness: no model, an untrained model, a model that throws, or scores holding NaN
// or +infinity -> the list is ranked by popularity and RankingResult::fallback says why.
// When the model leaves fewer than n eligible items, the list is topped up by popularity;
// when the category cap cannot be met, the best remaining items fill the list anyway. A
// list is shorter than n only when fewer than n items are eligible at all.
//
// Deterministic: every tie breaks by lower item index.
// Thread safety: a Ranker is immutable; rank*() may run concurrently from any threads.
// The catalog and popularity it refers to must outlive it and not change meanwhile.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "recdeck/data/catalog.h"
#include "recdeck/models/model.h"
#include "recdeck/ranking/popularity_stats.h"

namespace recdeck::ranking {

using data::Index;

struct RankingParams {
    std::size_t n = 10;  // items to return
    // false: rank by score alone (no cap, no MMR).
    bool diversity = true;
    // Most items sharing one category in the list; 0 = no cap. Items without categories
    // are never capped.
    std::size_t categoryCap = 3;
    // How an item with c categories counts towards the cap: true = 1/c towards each (an
    // item is one unit of the list, shared among its categories; with one category per
    // item this is the plain "at most categoryCap items per category"); false = 1 towards
    // each (much stricter on multi-genre catalogs such as MovieLens).
    bool splitMultiCategory = true;
    // MMR trade-off in [0, 1]: 1 = relevance only, smaller = more diverse. Used as given
    // when ildTarget is 0 (fixed-lambda mode). Measured on validation splits of
    // ml-latest-small (tests/bench/bench_ranking_diversity): with cap 3, 0.8 gives up
    // ~1.5-2.5% of ndcg@10 for +0.035-0.05 intra-list diversity; 0.75 costs ~3%, 0.7 ~4%,
    // 0.5 ~10%.
    double mmrLambda = 0.8;
    // ILD target mode (the default; 0 = off, fixed-lambda mode). Each list is ranked with
    // the largest lambda of the ladder 1, 1 - ildLambdaStep, 1 - 2 ildLambdaStep, ... (down
    // to ildLambdaFloor) whose list reaches this intra-list distance (metrics::
    // intraListDistance: mean pairwise 1 - category cosine, in [0, 1]); when no lambda of
    // the ladder reaches it, the most diverse of those lists (ties: the larger lambda). So
    // every list gives up only as much relevance as it needs, whatever the catalog's
    // category structure, instead of one lambda tuned to one dataset. mmrLambda is not used
    // here; set ildTarget = 0 to pin a lambda. A list whose items have no categories has
    // distance 1 and is ranked at lambda 1 (by score, under the cap).
    // Default 0.70 with step 0.05, chosen on validation splits of ml-latest-small's training
    // part (tests/bench/bench_ranking_diversity.cpp has the table): every list reached it,
    // mean ILD 0.735-0.79 on the full catalog, the top-1,700 items and thinned genres,
    // for 0-4% of ndcg@10; target 0.75 cost 4.5-8%, and the old fixed lambda 0.8 + cap 3
    // left a third of the lists below 0.7 (mean 0.72).
    double ildTarget = 0.70;
    double ildLambdaStep = 0.05;  // > 0 (values below 0.01 count as 0.01)
    double ildLambdaFloor = 0.3;  // in [0, 1]; the ladder's last rung is the lowest >= it
    // How many of the best-scored items diversity may choose from (raised to n if lower).
    std::size_t candidatePool = 100;
};

enum class ReasonKind {
    BecauseYouLiked,
    TrendingNow,
    PopularInCategory,
    PopularOverall,
    PickedForYou,
    ColdStart,
};
// Stable machine name: "because_you_liked", "trending_now", "popular_in_category",
// "popular_overall", "picked_for_you", "cold_start".
const char* reasonKindName(ReasonKind kind);

struct RankedItem {
    Index item = data::kNoIndex;
    // What the item was ranked by: the model's score, or the item's all-time popularity
    // (distinct users) when it came from popularity (fromPopularity).
    float score = 0.0F;
    std::size_t rankBefore = 0;  // 0-based position by score alone, after exclusions
    std::size_t rankAfter = 0;   // 0-based position in the returned list
    ReasonKind reasonKind = ReasonKind::PickedForYou;
    std::string reason;                // UTF-8, ready to show
    Index becauseOf = data::kNoIndex;  // the history item behind BecauseYouLiked
    bool capRelaxed = false;           // chosen past the category cap: nothing else was left
    bool fromPopularity = false;       // cold start, fallback or top-up rather than the model
};

struct RankingResult {
    std::vector<RankedItem> items;  // best first, at most n
    // Set when popularity replaced the model: what went wrong ("model 'als' threw: ...").
    std::optional<std::string> fallback;
    bool coldStart = false;      // empty history: ranked by popularity on purpose
    std::size_t candidates = 0;  // eligible items the ranking chose from
    std::size_t pool = 0;        // of which diversity considered this many
    std::size_t excluded = 0;    // eligible-by-score items dropped because the user has them
    std::size_t toppedUp = 0;    // items added by popularity after the model's ran out
    // The MMR trade-off the list was ranked with: 1 without diversity, mmrLambda in
    // fixed-lambda mode, the ladder's chosen lambda in ILD target mode.
    double mmrLambda = 1.0;
};

class Ranker {
public:
    Ranker(const data::Catalog& catalog, const PopularityStats& popularity)
        : m_catalog(&catalog), m_popularity(&popularity) {}

    // Scores every item with `model` for `user` and ranks them. `model` may be null (then
    // popularity serves, with a fallback note). `exclude` adds items never to show (e.g.
    // already seen), any order; the user's history is always excluded.
    RankingResult rank(const models::Model* model, const models::UserContext& user, const RankingParams& params,
                       std::span<const Index> exclude = {}) const;

    // Ranks precomputed dense scores (scores[i] for item i; -infinity = not a candidate).
    // `explainer`, when given, supplies "Because you liked" reasons.
    RankingResult rankScores(std::span<const float> scores, const models::UserContext& user,
                             const RankingParams& params, std::span<const Index> exclude = {},
                             const models::Model* explainer = nullptr) const;

    // Ranks a candidate list (any order; duplicate items keep their best score).
    RankingResult rankCandidates(std::span<const models::ScoredItem> candidates, const models::UserContext& user,
                                 const RankingParams& params, std::span<const Index> exclude = {},
                                 const models::Model* explainer = nullptr) const;

    // Ranks by popularity alone; `why` (if any) is recorded as the fallback reason.
    RankingResult rankPopular(const models::UserContext& user, const RankingParams& params,
                              std::span<const Index> exclude = {}, std::optional<std::string> why = {}) const;

private:
    struct Candidate {
        Index item;
        float score;
    };
    RankingResult rankSorted(std::vector<Candidate> sorted, std::size_t candidates, std::size_t excluded,
                             const models::UserContext& user, const RankingParams& params,
                             const std::vector<Index>& excludedSorted, const models::Model* explainer,
                             bool fromPopularity) const;
    void explainItems(RankingResult& result, const models::UserContext& user, const models::Model* explainer) const;

    const data::Catalog* m_catalog;
    const PopularityStats* m_popularity;
};

}  // namespace recdeck::ranking

#include "recdeck/ranking/ranker.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <utility>

#include "recdeck/metrics/offline_metrics.h"

namespace recdeck::ranking {

namespace {

// A history item must share at least this much of its category vector with a
// recommended item (cosine) to be named as the reason for it.
constexpr double kMinReasonSimilarity = 0.5;
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

std::vector<Index> sortedUnion(std::span<const Index> a, std::span<const Index> b) {
    std::vector<Index> all;
    all.reserve(a.size() + b.size());
    all.insert(all.end(), a.begin(), a.end());
    all.insert(all.end(), b.begin(), b.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
}

bool contains(const std::vector<Index>& sorted, Index item) {
    return std::binary_search(sorted.begin(), sorted.end(), item);
}

std::string modelName(const models::Model* model) {
    return model == nullptr ? std::string("model") : "model '" + std::string(model->kind()) + "'";
}

// Best first; ties by lower index.
bool better(float scoreA, Index a, float scoreB, Index b) {
    return scoreA > scoreB || (scoreA == scoreB && a < b);
}

// The category sets of a candidate pool, for the many similarity lookups of MMR: 64-bit
// masks when every category index is below 64 (MovieLens has 19-20 genres), the catalog
// otherwise. similarity() is metrics::categoryCosine with the same arithmetic, so the
// values (and the lists chosen from them) are identical either way.
class PoolCategories {
public:
    PoolCategories(const data::Catalog& catalog, std::vector<Index> items)
        : m_catalog(&catalog), m_items(std::move(items)), m_masks(m_items.size(), 0), m_sizes(m_items.size(), 0.0) {
        for (std::size_t j = 0; j < m_items.size(); ++j) {
            for (Index c : categoriesOf(j)) {
                if (c >= 64) {
                    m_useMasks = false;
                    return;
                }
                m_masks[j] |= std::uint64_t{1} << c;
            }
            m_sizes[j] = static_cast<double>(categoriesOf(j).size());
        }
    }
    std::size_t size() const { return m_items.size(); }
    std::span<const Index> categoriesOf(std::size_t j) const {
        const Index item = m_items[j];
        return item < m_catalog->size() ? std::span<const Index>(m_catalog->info(item).categories)
                                        : std::span<const Index>();
    }
    double similarity(std::size_t a, std::size_t b) const {
        if (!m_useMasks) return metrics::categoryCosine(*m_catalog, m_items[a], m_items[b]);
        if (m_sizes[a] == 0.0 || m_sizes[b] == 0.0) return 0.0;
        const auto common = std::popcount(m_masks[a] & m_masks[b]);
        return static_cast<double>(common) / std::sqrt(m_sizes[a] * m_sizes[b]);
    }

private:
    const data::Catalog* m_catalog;
    std::vector<Index> m_items;
    std::vector<std::uint64_t> m_masks;
    std::vector<double> m_sizes;
    bool m_useMasks = true;
};

struct MmrPick {
    std::size_t poolIndex;
    bool capRelaxed;
};

// Greedy MMR under the category cap: `picks` pool positions, in pick order.
std::vector<MmrPick> mmrPicks(const PoolCategories& pool, const std::vector<double>& relevance, std::size_t picks,
                              double lambda, const RankingParams& params) {
    std::vector<MmrPick> out;
    out.reserve(picks);
    std::vector<double> maxSimilarity(pool.size(), 0.0);
    std::vector<std::uint8_t> taken(pool.size(), 0);
    std::vector<std::size_t> comparedTo(pool.size(), 0);  // picks already in maxSimilarity
    std::vector<double> perCategory;
    const double cap = static_cast<double>(params.categoryCap);
    const auto weightOf = [&](std::span<const Index> cats) {
        return params.splitMultiCategory && !cats.empty() ? 1.0 / static_cast<double>(cats.size()) : 1.0;
    };
    const auto countOf = [&](Index c) { return c < perCategory.size() ? perCategory[c] : 0.0; };
    for (std::size_t step = 0; step < picks; ++step) {
        std::size_t best = kNone;
        std::size_t bestOverCap = kNone;
        double bestValue = 0.0;
        double bestOverCapValue = 0.0;
        for (std::size_t j = 0; j < pool.size(); ++j) {
            if (taken[j] != 0) continue;
            // The pool is in score order, so relevance only falls from here on, and a value
            // is never above lambda * relevance: once that bound cannot beat the best that
            // fits, nothing later can (the same pick as scanning the whole pool).
            if (best != kNone && lambda * relevance[j] <= bestValue) break;
            // Similarity to the picks so far, brought up to date only for the candidates
            // that get this far (the same values as updating every candidate per pick).
            if (lambda < 1.0) {
                for (; comparedTo[j] < out.size(); ++comparedTo[j]) {
                    maxSimilarity[j] = std::max(maxSimilarity[j], pool.similarity(j, out[comparedTo[j]].poolIndex));
                }
            }
            const double value = lambda * relevance[j] - (1.0 - lambda) * maxSimilarity[j];
            const auto cats = pool.categoriesOf(j);
            const double weight = weightOf(cats);
            const bool fits = params.categoryCap == 0 || std::all_of(cats.begin(), cats.end(), [&](Index c) {
                                  return countOf(c) + weight <= cap + 1e-9;
                              });
            // Strictly greater: on equal value the earlier (better-scored) candidate stays.
            if (fits) {
                if (best == kNone || value > bestValue) {
                    best = j;
                    bestValue = value;
                }
            } else if (bestOverCap == kNone || value > bestOverCapValue) {
                bestOverCap = j;
                bestOverCapValue = value;
            }
        }
        const bool relaxed = best == kNone;
        const std::size_t chosen = relaxed ? bestOverCap : best;
        taken[chosen] = 1;
        const auto chosenCats = pool.categoriesOf(chosen);
        for (Index c : chosenCats) {
            if (c >= perCategory.size()) perCategory.resize(static_cast<std::size_t>(c) + 1, 0.0);
            perCategory[c] += weightOf(chosenCats);
        }
        out.push_back({chosen, relaxed});
    }
    return out;
}

// metrics::intraListDistance of the picked items (pool items are distinct); 1 for a list
// of fewer than 2 items, which has nothing to diversify.
double listDistance(const PoolCategories& pool, const std::vector<MmrPick>& list) {
    if (list.size() < 2) return 1.0;
    double sum = 0.0;
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        for (std::size_t j = i + 1; j < list.size(); ++j) {
            sum += 1.0 - pool.similarity(list[i].poolIndex, list[j].poolIndex);
            ++pairs;
        }
    }
    return sum / static_cast<double>(pairs);
}

}  // namespace

const char* reasonKindName(ReasonKind kind) {
    switch (kind) {
        case ReasonKind::BecauseYouLiked:
            return "because_you_liked";
        case ReasonKind::TrendingNow:
            return "trending_now";
        case ReasonKind::PopularInCategory:
            return "popular_in_category";
        case ReasonKind::PopularOverall:
            return "popular_overall";
        case ReasonKind::PickedForYou:
            return "picked_for_you";
        case ReasonKind::ColdStart:
            return "cold_start";
    }
    return "unknown";
}

RankingResult Ranker::rank(const models::Model* model, const models::UserContext& user, const RankingParams& params,
                           std::span<const Index> exclude) const {
    if (user.history.empty()) return rankPopular(user, params, exclude);
    if (model == nullptr) return rankPopular(user, params, exclude, "no model is loaded; ranked by popularity");
    if (!model->trained()) {
        return rankPopular(user, params, exclude, modelName(model) + " is not trained; ranked by popularity");
    }
    std::vector<float> scores(model->itemCount());
    try {
        model->scoreAll(user, scores);
    } catch (const std::exception& e) {
        return rankPopular(user, params, exclude, modelName(model) + " failed: " + e.what() + "; ranked by popularity");
    } catch (...) {
        return rankPopular(user, params, exclude, modelName(model) + " failed; ranked by popularity");
    }
    return rankScores(scores, user, params, exclude, model);
}

RankingResult Ranker::rankScores(std::span<const float> scores, const models::UserContext& user,
                                 const RankingParams& params, std::span<const Index> exclude,
                                 const models::Model* explainer) const {
    if (user.history.empty()) return rankPopular(user, params, exclude);
    const auto broken = std::find_if(scores.begin(), scores.end(), [](float s) {
        return std::isnan(s) || s == std::numeric_limits<float>::infinity();
    });
    if (broken != scores.end()) {
        return rankPopular(user, params, exclude,
                           modelName(explainer) + " returned an invalid score (" +
                               (std::isnan(*broken) ? "NaN" : "+infinity") + ") for item " +
                               std::to_string(broken - scores.begin()) + "; ranked by popularity");
    }
    const std::vector<Index> excludedSorted = sortedUnion(user.history, exclude);
    // Only the pool (the best max(candidatePool, n) by score) is ever ranked, so it is
    // selected while scanning: a bounded heap whose front is the worst kept candidate.
    // Most items lose one comparison against it; nothing the size of the catalog is
    // allocated or sorted. The same order as rankSorted's, so the same pool.
    const std::size_t poolSize = std::max<std::size_t>(1, std::max(params.candidatePool, params.n));
    const auto byScore = [](const Candidate& a, const Candidate& b) {
        return better(a.score, a.item, b.score, b.item);
    };
    std::vector<Candidate> pool;
    pool.reserve(std::min(poolSize, scores.size()));
    std::size_t excluded = 0;
    std::size_t candidates = 0;
    // Items ascend, so the sorted exclusions are walked alongside (no search per item).
    auto nextExcluded = excludedSorted.begin();
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const auto item = static_cast<Index>(i);
        while (nextExcluded != excludedSorted.end() && *nextExcluded < item) ++nextExcluded;
        const bool isExcluded = nextExcluded != excludedSorted.end() && *nextExcluded == item;
        if (scores[i] == -std::numeric_limits<float>::infinity()) continue;
        if (isExcluded) {
            ++excluded;
            continue;
        }
        ++candidates;
        const Candidate candidate{item, scores[i]};
        if (pool.size() < poolSize) {
            pool.push_back(candidate);
            std::push_heap(pool.begin(), pool.end(), byScore);
        } else if (byScore(candidate, pool.front())) {
            std::pop_heap(pool.begin(), pool.end(), byScore);
            pool.back() = candidate;
            std::push_heap(pool.begin(), pool.end(), byScore);
        }
    }
    if (pool.empty()) {
        return rankPopular(
            user, params, exclude,
            modelName(explainer) + " scored none of the items the user does not have yet; ranked by popularity");
    }
    return rankSorted(std::move(pool), candidates, excluded, user, params, excludedSorted, explainer, false);
}

RankingResult Ranker::rankCandidates(std::span<const models::ScoredItem> candidateList, const models::UserContext& user,
                                     const RankingParams& params, std::span<const Index> exclude,
                                     const models::Model* explainer) const {
    if (user.history.empty()) return rankPopular(user, params, exclude);
    for (const models::ScoredItem& c : candidateList) {
        if (std::isnan(c.score) || c.score == std::numeric_limits<float>::infinity()) {
            return rankPopular(user, params, exclude,
                               modelName(explainer) + " returned an invalid score (" +
                                   (std::isnan(c.score) ? "NaN" : "+infinity") + ") for item " +
                                   std::to_string(c.item) + "; ranked by popularity");
        }
    }
    const std::vector<Index> excludedSorted = sortedUnion(user.history, exclude);
    std::vector<Candidate> eligible;
    eligible.reserve(candidateList.size());
    std::size_t excluded = 0;
    for (const models::ScoredItem& c : candidateList) {
        if (c.score == -std::numeric_limits<float>::infinity() || c.item == data::kNoIndex) continue;
        if (contains(excludedSorted, c.item)) {
            ++excluded;
            continue;
        }
        eligible.push_back({c.item, c.score});
    }
    // Duplicates keep their best score: sort by item, best first within an item, keep the first.
    std::sort(eligible.begin(), eligible.end(), [](const Candidate& a, const Candidate& b) {
        return a.item < b.item || (a.item == b.item && a.score > b.score);
    });
    eligible.erase(std::unique(eligible.begin(), eligible.end(),
                               [](const Candidate& a, const Candidate& b) { return a.item == b.item; }),
                   eligible.end());
    if (eligible.empty()) {
        return rankPopular(
            user, params, exclude,
            modelName(explainer) + " offered no candidate the user does not have yet; ranked by popularity");
    }
    const std::size_t candidates = eligible.size();
    return rankSorted(std::move(eligible), candidates, excluded, user, params, excludedSorted, explainer, false);
}

RankingResult Ranker::rankPopular(const models::UserContext& user, const RankingParams& params,
                                  std::span<const Index> exclude, std::optional<std::string> why) const {
    const std::vector<Index> excludedSorted = sortedUnion(user.history, exclude);
    const std::size_t poolSize = std::max(params.candidatePool, params.n);
    std::vector<Candidate> eligible;
    eligible.reserve(std::min(poolSize, m_popularity->size()));
    std::size_t excluded = 0;
    std::size_t candidates = 0;
    for (Index item : m_popularity->ranking()) {
        if (contains(excludedSorted, item)) {
            ++excluded;
            continue;
        }
        ++candidates;
        if (eligible.size() < poolSize) eligible.push_back({item, m_popularity->count(item)});
    }
    RankingResult result =
        rankSorted(std::move(eligible), candidates, excluded, user, params, excludedSorted, nullptr, true);
    result.fallback = std::move(why);
    return result;
}

RankingResult Ranker::rankSorted(std::vector<Candidate> eligible, std::size_t candidates, std::size_t excluded,
                                 const models::UserContext& user, const RankingParams& params,
                                 const std::vector<Index>& excludedSorted, const models::Model* explainer,
                                 bool fromPopularity) const {
    RankingResult result;
    result.coldStart = user.history.empty();
    result.candidates = candidates;
    result.excluded = excluded;

    // The pool: the best max(candidatePool, n) by score, in score order.
    const std::size_t poolSize = std::min(std::max(params.candidatePool, params.n), eligible.size());
    const auto byScore = [](const Candidate& a, const Candidate& b) {
        return better(a.score, a.item, b.score, b.item);
    };
    const auto poolEnd = eligible.begin() + static_cast<std::ptrdiff_t>(poolSize);
    if (poolEnd != eligible.end()) std::nth_element(eligible.begin(), poolEnd, eligible.end(), byScore);
    eligible.resize(poolSize);
    std::sort(eligible.begin(), eligible.end(), byScore);
    const std::vector<Candidate>& pool = eligible;
    result.pool = pool.size();

    const std::size_t picks = std::min(params.n, pool.size());
    result.items.reserve(params.n);
    auto emit = [&](std::size_t poolIndex, bool capRelaxed) {
        RankedItem ranked;
        ranked.item = pool[poolIndex].item;
        ranked.score = pool[poolIndex].score;
        ranked.rankBefore = poolIndex;
        ranked.rankAfter = result.items.size();
        ranked.capRelaxed = capRelaxed;
        ranked.fromPopularity = fromPopularity;
        result.items.push_back(std::move(ranked));
    };

    if (!params.diversity) {
        for (std::size_t i = 0; i < picks; ++i) emit(i, false);
    } else {
        // Relevance is min-max normalised over the pool so lambda means the same whatever
        // the model's score scale.
        double lo = std::numeric_limits<double>::infinity();
        double hi = -std::numeric_limits<double>::infinity();
        for (const Candidate& c : pool) {
            lo = std::min(lo, static_cast<double>(c.score));
            hi = std::max(hi, static_cast<double>(c.score));
        }
        std::vector<double> relevance(pool.size(), 1.0);
        if (hi > lo) {
            for (std::size_t j = 0; j < pool.size(); ++j)
                relevance[j] = (static_cast<double>(pool[j].score) - lo) / (hi - lo);
        }
        std::vector<Index> poolItems(pool.size());
        for (std::size_t j = 0; j < pool.size(); ++j) poolItems[j] = pool[j].item;
        const PoolCategories categories(*m_catalog, std::move(poolItems));
        if (params.ildTarget > 0.0) {
            // ILD target mode: walk the ladder down from lambda 1 and keep the first list
            // that is diverse enough, else the most diverse one.
            const double step = std::isfinite(params.ildLambdaStep) ? std::max(params.ildLambdaStep, 0.01) : 0.1;
            const double floor =
                std::isfinite(params.ildLambdaFloor) ? std::clamp(params.ildLambdaFloor, 0.0, 1.0) : 0.0;
            std::vector<MmrPick> chosen;
            double chosenLambda = 1.0;
            double chosenDistance = -1.0;
            for (std::size_t rung = 0;; ++rung) {
                const double lambda = 1.0 - static_cast<double>(rung) * step;
                if (rung > 0 && lambda < floor - 1e-9) break;
                std::vector<MmrPick> list = mmrPicks(categories, relevance, picks, lambda, params);
                const double distance = listDistance(categories, list);
                if (distance + 1e-12 >= params.ildTarget) {
                    chosen = std::move(list);
                    chosenLambda = lambda;
                    break;
                }
                if (distance > chosenDistance) {
                    chosen = std::move(list);
                    chosenLambda = lambda;
                    chosenDistance = distance;
                }
            }
            result.mmrLambda = chosenLambda;
            for (const MmrPick& pick : chosen) emit(pick.poolIndex, pick.capRelaxed);
        } else {
            const double lambda = std::clamp(params.mmrLambda, 0.0, 1.0);
            result.mmrLambda = lambda;
            for (const MmrPick& pick : mmrPicks(categories, relevance, picks, lambda, params)) {
                emit(pick.poolIndex, pick.capRelaxed);
            }
        }
    }

    // Too few eligible items from the model: fill with the most popular the user lacks.
    if (result.items.size() < params.n && !fromPopularity) {
        for (Index item : m_popularity->ranking()) {
            if (result.items.size() >= params.n) break;
            if (contains(excludedSorted, item)) continue;
            const bool chosen = std::any_of(result.items.begin(), result.items.end(),
                                            [item](const RankedItem& r) { return r.item == item; });
            if (chosen) continue;
            RankedItem ranked;
            ranked.item = item;
            ranked.score = m_popularity->count(item);
            ranked.rankBefore = candidates + result.toppedUp;
            ranked.rankAfter = result.items.size();
            ranked.fromPopularity = true;
            result.items.push_back(std::move(ranked));
            ++result.toppedUp;
        }
    }

    explainItems(result, user, explainer);
    return result;
}

void Ranker::explainItems(RankingResult& result, const models::UserContext& user,
                          const models::Model* explainer) const {
    const data::Catalog& catalog = *m_catalog;
    const std::vector<Index> history = sortedUnion(user.history, {});

    // How often each category occurs in the history: "Popular in" names the item's
    // category closest to the user's taste.
    std::vector<std::size_t> historyCategories(catalog.categories().size(), 0);
    for (Index h : history) {
        if (h >= catalog.size()) continue;
        for (Index c : catalog.info(h).categories) ++historyCategories[c];
    }
    const auto titleOf = [&](Index item) {
        return item < catalog.size() ? std::string(catalog.displayName(item)) : "item #" + std::to_string(item);
    };
    const auto popularReason = [&](RankedItem& r) {
        if (m_popularity->trending(r.item)) {
            r.reasonKind = ReasonKind::TrendingNow;
            r.reason = "Trending now";
            return;
        }
        const auto& cats = r.item < catalog.size() ? catalog.info(r.item).categories : std::vector<Index>{};
        if (cats.empty()) {
            r.reasonKind = ReasonKind::PopularOverall;
            r.reason = "Popular with everyone";
            return;
        }
        Index bestCategory = cats.front();  // sorted: ties stay with the lower index
        for (Index c : cats) {
            if (historyCategories[c] > historyCategories[bestCategory]) bestCategory = c;
        }
        r.reasonKind = ReasonKind::PopularInCategory;
        r.reason = "Popular in " + catalog.categories().id(bestCategory);
    };
    const auto becauseOf = [&](RankedItem& r, Index liked) {
        r.reasonKind = ReasonKind::BecauseYouLiked;
        r.becauseOf = liked;
        r.reason = "Because you liked " + titleOf(liked);
    };

    const bool popularityModel = explainer != nullptr && explainer->kind() == "popularity";
    for (RankedItem& r : result.items) {
        if (result.coldStart) {
            popularReason(r);
            r.reasonKind = ReasonKind::ColdStart;
            r.reason += " (no history yet)";
            continue;
        }
        // A popularity model's picks are popular, not personal: say so.
        if (r.fromPopularity || popularityModel) {
            popularReason(r);
            continue;
        }
        if (explainer != nullptr) {
            std::optional<Index> liked;
            try {
                liked = explainer->explain(user, r.item);
            } catch (...) {
                liked.reset();  // an explanation is optional; the category reasons still apply
            }
            if (liked && contains(history, *liked)) {
                becauseOf(r, *liked);
                continue;
            }
        }
        if (m_popularity->trending(r.item)) {
            r.reasonKind = ReasonKind::TrendingNow;
            r.reason = "Trending now";
            continue;
        }
        // The most similar history item by categories; ties: the more popular, then lower index.
        Index liked = data::kNoIndex;
        double bestSimilarity = 0.0;
        for (Index h : history) {
            const double similarity = metrics::categoryCosine(catalog, r.item, h);
            if (similarity < kMinReasonSimilarity) continue;
            if (liked == data::kNoIndex || similarity > bestSimilarity ||
                (similarity == bestSimilarity && m_popularity->count(h) > m_popularity->count(liked))) {
                liked = h;
                bestSimilarity = similarity;
            }
        }
        if (liked != data::kNoIndex) {
            becauseOf(r, liked);
            continue;
        }
        const bool hasCategories = r.item < catalog.size() && !catalog.info(r.item).categories.empty();
        if (hasCategories) {
            popularReason(r);
        } else {
            r.reasonKind = ReasonKind::PickedForYou;
            r.reason = "Picked for you";
        }
    }
}

}  // namespace recdeck::ranking

#pragma once
// The request and the answer of RecommendationService, and the compact form in which an
// answer's list is cached.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/cache/cache_entry.h"
#include "recdeck/common/result.h"
#include "recdeck/data/id_map.h"
#include "recdeck/ranking/ranker.h"

namespace recdeck::serving {

// Largest list a request may ask for.
inline constexpr std::size_t kMaxListLength = 100;
// Longest user id accepted, in bytes.
inline constexpr std::size_t kMaxUserIdBytes = 256;

struct RecommendationRequest {
    std::string userId;
    std::size_t n = 10;                             // 1 .. kMaxListLength
    std::string model;                              // "" = the experiment's or the default model
    std::optional<ranking::RankingParams> ranking;  // overrides the variant's/default ranking
    bool bypassCache = false;                       // compute afresh; the result replaces this list in the cache
    bool recordImpression = true;                   // false for inspection: no impression event, no metrics
    std::string requestId;                          // generated when empty
};

struct RecommendedItem {
    std::string itemId;
    std::string title;
    std::vector<std::string> categories;
    float score = 0.0F;
    std::size_t rankBefore = 0;  // position by score alone (0-based)
    std::size_t rankAfter = 0;   // position in the list (0-based)
    std::string reason;
    std::string reasonKind;  // ranking::reasonKindName
    std::string becauseOf;   // item id behind "Because you liked", if any
    bool fromPopularity = false;
};

// Microseconds spent in each stage of this request. Stages a cache hit skips stay 0.
struct StageTimings {
    double cacheUs = 0;
    double featuresUs = 0;
    double candidatesUs = 0;
    double scoringUs = 0;
    double rankingUs = 0;
    double totalUs = 0;
};

// The list part of an answer: computed once, then shared (immutable) by every request the
// cache answers with it. It is the cache's decoded form of the entry, and says how many
// bytes it holds so L1's byte limit counts them.
struct RecommendationList final : cache::DecodedPayload {
    std::vector<RecommendedItem> items;
    std::vector<data::Index> itemIndices;  // catalog indices of items (same order), for coverage
    std::optional<double> ild;             // intra-list distance of the list, if it has categories
    std::string model;
    std::uint64_t modelVersion = 0;
    std::optional<std::string> fallback;  // why popularity replaced the model, if it did
    bool coldStart = false;
    std::int64_t computedAtMs = 0;  // when the list was computed (its age when cached)

    // A memo for a presentation layer (the HTTP layer keeps its JSON of the items here):
    // the first caller renders it, every later caller gets the same text. Thread-safe.
    // RecommendationService::setRenderer renders it before the list enters the cache.
    const std::string& rendered(const std::function<std::string(const RecommendationList&)>& render) const;

    // Heap bytes: this object in its make_shared block, every item's strings, the memo
    // once rendered. Call it once the list is complete (the items are then fixed; the
    // part without the memo is computed once). Thread-safe, no allocation.
    std::size_t footprint() const override;

private:
    mutable std::once_flag m_renderOnce;
    mutable std::string m_rendered;
    mutable std::atomic<std::size_t> m_renderedBytes{0};  // published after rendering
    mutable std::atomic<std::size_t> m_baseBytes{0};      // 0 until first measured
};

struct Recommendation {
    std::string userId;
    std::string requestId;
    std::shared_ptr<const RecommendationList> list;  // never null in an answer
    bool cached = false;
    cache::Tier tier = cache::Tier::Compute;
    std::string experiment;  // empty when the user is in no experiment
    std::string variant;
    std::string model;  // registry name of the model that served
    std::uint64_t modelVersion = 0;
    std::string degraded;  // a dependency that was skipped (shared cache or store down)
    StageTimings timings;

    const std::vector<RecommendedItem>& items() const { return list->items; }
    const std::optional<std::string>& fallback() const { return list->fallback; }
    bool coldStart() const { return list->coldStart; }
};

// The cached form of a list (binary, versioned).
std::string encodeList(const RecommendationList& list);
Result<std::shared_ptr<RecommendationList>> decodeList(std::string_view bytes);

}  // namespace recdeck::serving

#pragma once
// FeatureStore: what the service knows about a user and an item at request time.
//
// A user's history is the training data (immutable, in memory) plus every event since
// (kept in the KeyValueStore so every instance sharing it sees the same history: set
// "hist:<user>" of "<ts>|<type>|<item>" members, newest kept, older trimmed). From these
// the store derives UserFeatures (history length, recent items, category affinities,
// purchases, last activity) and caches them in the KeyValueStore under "feat:user:<id>"
// with a TTL (default 5 min). Item features (popularity, recent engagement, categories,
// age) are cached under "feat:item:<id>" (default 1 h) and read in batches.
//
// Freshness: every feature set carries computedAtMs, so a reader can show its age.
// Events that change what a user has (purchase, rating, add_to_cart) drop the cached
// features at once; other events reach them when the TTL runs out.
//
// Degradation: when the KeyValueStore fails, features are computed from the training
// data and whatever history is known locally, and the result says so (degraded).
//
// Memory (every structure is bounded; costs measured with libstdc++ on 64-bit Linux):
// - histories in the store: per user at most maxEventHistory members (trimmed back to it
//   once it exceeds it by a quarter), ~60 bytes each in Redis; the key expires after
//   historyTtl without events (default 30 days), so users who never come back cost
//   nothing after that. Written with one pipelined round trip per committed batch.
// - the local copy of histories (for a store outage, and to retry failed writes): kept
//   only when the store can fail (not for the embedded MemoryStore, which already holds
//   them in this process); at most localHistoryMembers events across all users (~150
//   bytes each: 200,000 -> ~30 MB), least recently active users dropped first; failed
//   writes waiting for a retry at most kPendingLimit (100,000, ~15 MB).
// - item engagement: only for items of the catalog (one record per item, ~180 bytes:
//   100,000 items -> ~18 MB at most), counted in 24 buckets of trendingWindow / 24, so
//   the trending window is honoured to one bucket (an hour by default); records of items
//   a new catalog no longer has are dropped by setBase.
// - cached features live in the store under their TTL (the store bounds its memory).
//
// Thread safety: every method may be called concurrently. setBase() swaps the training
// snapshot atomically; readers keep the snapshot they started with.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/data/dataset.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/store/event.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::features {

using data::Index;

// The training snapshot features start from: ids, catalog and the interaction matrix.
struct BaseData {
    std::shared_ptr<const data::Dataset> dataset;
    std::shared_ptr<const data::InteractionMatrix> matrix;  // rows = dataset users
};

struct FeatureConfig {
    std::chrono::milliseconds userTtl{5 * 60 * 1000};
    std::chrono::milliseconds itemTtl{60 * 60 * 1000};
    std::size_t maxEventHistory = 500;  // events kept per user in the store
    std::chrono::milliseconds historyTtl{30LL * 24 * 60 * 60 *
                                         1000};  // a history expires this long after its last event
    std::size_t localHistoryMembers = 200'000;   // events kept in process across users (stores that can fail)
    std::size_t recentCount = 20;                // items listed in UserFeatures::recent
    std::chrono::milliseconds trendingWindow{24 * 60 * 60 * 1000};
};

struct RecentItem {
    std::string itemId;
    store::EventType type = store::EventType::Click;
    std::int64_t timestampMs = 0;
};

struct CategoryShare {
    std::string category;
    double share = 0.0;  // fraction of the user's categorised interactions, sums to 1
};

struct UserFeatures {
    std::string userId;
    std::optional<Index> trainedUser;             // row in the training matrix, if any
    std::vector<Index> history;                   // items the user engaged with (training + events), ascending
    std::vector<Index> owned;                     // items never to recommend again, ascending
    std::size_t historyLength = 0;                // interactions counted (training rows + events)
    std::vector<RecentItem> recent;               // newest first
    std::vector<CategoryShare> categoryAffinity;  // largest share first
    std::size_t purchases = 0;
    std::int64_t lastActiveMs = 0;  // newest interaction or event, 0 if none
    std::int64_t computedAtMs = 0;  // when these features were computed
    bool fromCache = false;         // read from the store rather than computed now
    std::string degraded;           // why the store could not be used, if it could not
};

struct ItemFeatures {
    std::string itemId;
    std::optional<Index> index;  // catalog index, if the item is known
    std::string title;
    std::vector<std::string> categories;
    double popularity = 0.0;        // distinct training users + engagement events since
    double recentEngagement = 0.0;  // engagement events within the trending window
    double ageDays = 0.0;           // since release, 0 when unknown
    std::int64_t computedAtMs = 0;
};

struct FeatureStats {
    std::uint64_t userHits = 0;      // features read from the store
    std::uint64_t userComputes = 0;  // features computed
    std::uint64_t itemHits = 0;
    std::uint64_t itemComputes = 0;
    std::uint64_t refreshes = 0;  // user features dropped by invalidating events
    std::uint64_t storeErrors = 0;
    std::size_t trackedItems = 0;   // items with engagement records (<= catalog size)
    std::size_t localEvents = 0;    // events in the local copy of histories
    std::size_t pendingWrites = 0;  // history writes waiting for the store
};

class FeatureStore {
public:
    FeatureStore(std::shared_ptr<store::KeyValueStore> store, BaseData base, FeatureConfig config = {});
    ~FeatureStore();
    FeatureStore(const FeatureStore&) = delete;
    FeatureStore& operator=(const FeatureStore&) = delete;

    // Features of one user (cached or computed). Unknown users get empty features.
    Result<UserFeatures> user(std::string_view userId);
    // Features of several items in one batch read; unknown ids get features without index.
    std::vector<ItemFeatures> items(std::span<const std::string> itemIds);

    // Learns from committed events: appends them to the users' histories, drops the
    // features of users whose possessions changed, counts item engagement.
    // Returns the users whose features were dropped (for cache invalidation).
    std::vector<std::string> onEvents(std::span<const store::Event> events);
    // Drops cached features of a user (operator action).
    Status refreshUser(std::string_view userId);

    // Swaps the training snapshot (after import or retraining); cached features are
    // recomputed as they expire or are refreshed.
    void setBase(BaseData base);
    BaseData base() const;
    FeatureConfig config() const;
    FeatureStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::features

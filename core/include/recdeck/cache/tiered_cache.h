#pragma once
// TieredCache: recommendation lists served from L1 (in-process LRU), then L2 (the shared
// KeyValueStore: in process in embedded mode, Redis otherwise), then L3 (compute).
//
// - Expiry: each entry lives ttl ± jitter (uniform, default ±10%), so entries written
//   together do not all expire together.
// - Single flight: concurrent misses for one key run one computation; the others wait for
//   it and share its result.
// - Early refresh (XFetch, Vattani et al. 2015): a hit recomputes ahead of expiry with
//   probability rising as expiry nears — when now - computeMs * beta * ln(U) >= expiry —
//   so a hot key is refreshed by one request instead of a stampede at expiry.
// - Invalidation: all entries of a user (every n, model and variant at once: they live in
//   one L2 hash per user, removed with one DEL), every list that contains an item, every
//   list of a model, or everything. Model and global invalidation bump generation
//   counters kept in the store; item invalidation records the time per item. Each is
//   applied to L1 at once and published on the store's pub/sub channel so every other
//   instance sharing the store drops its L1 copies too. After a pub/sub gap (messages
//   may have been lost), L1 is cleared and the shared state reloaded.
// - Degradation: when L2 fails (Redis down), lookups go on with L1 and compute and the
//   result says why (CacheResult::degraded); nothing fails because L2 is unavailable.
//
// Thread safety: every method may be called concurrently from any number of threads.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recdeck/cache/cache_entry.h"
#include "recdeck/cache/lru_cache.h"
#include "recdeck/common/result.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::cache {

struct CacheConfig {
    std::size_t l1MaxEntries = 100'000;
    std::size_t l1MaxBytes = std::size_t{256} << 20;
    std::chrono::milliseconds ttl{300'000};  // the seed's 300 s
    double jitter = 0.10;                    // fraction of ttl, in [0, 0.5]
    double xfetchBeta = 1.0;                 // 0 disables early refresh
    bool useL2 = true;                       // false: L1 + compute only
    std::string channel = "cache-invalidation";
};

struct CacheStats {
    std::uint64_t l1Hits = 0;
    std::uint64_t l1Misses = 0;
    std::uint64_t l2Hits = 0;
    std::uint64_t l2Misses = 0;
    std::uint64_t l2Errors = 0;  // L2 calls that failed (store down)
    std::uint64_t computes = 0;  // computations run
    std::uint64_t computeErrors = 0;
    std::uint64_t coalesced = 0;       // requests that waited for another's computation
    std::uint64_t earlyRefreshes = 0;  // XFetch recomputations
    std::uint64_t invalidations = 0;   // applied (local and remote)
    LruStats l1;
};

enum class InvalidationKind { User, Item, Model, All };
const char* invalidationKindName(InvalidationKind kind);  // "user", "item", "model", "all"

struct InvalidationRecord {
    std::int64_t atMs = 0;
    InvalidationKind kind = InvalidationKind::All;
    std::string id;       // user, item or model; empty for All
    bool remote = false;  // received from another instance
    std::size_t l1Dropped = 0;
    std::string error;  // L2 problem, if any (applied locally anyway)
};

struct CacheResult {
    std::shared_ptr<const CacheEntry> entry;
    Tier tier = Tier::Compute;
    bool coalesced = false;       // served by another request's computation
    bool refreshedEarly = false;  // XFetch chose this request to recompute
    std::string degraded;         // why L2 was skipped, if it was
};

class TieredCache {
public:
    // Computes a fresh entry: payload, items and model. The cache fills in the times and
    // generations. An Error is passed to every waiter and nothing is cached.
    using Compute = std::function<Result<CacheEntry>()>;
    using InvalidationListener = std::function<void(const InvalidationRecord&)>;

    // l2 may be null (L1 + compute only). The cache subscribes to the invalidation channel.
    explicit TieredCache(std::shared_ptr<store::KeyValueStore> l2, CacheConfig config = {});
    ~TieredCache();
    TieredCache(const TieredCache&) = delete;
    TieredCache& operator=(const TieredCache&) = delete;

    Result<CacheResult> getOrCompute(const CacheKey& key, const Compute& compute);
    // Computes the entry afresh without reading L1 or L2 (joining a computation of the same
    // key already under way) and stores it in both, replacing what they held for this key.
    // Other entries, of this user or any other, and other instances are not touched.
    Result<CacheResult> refresh(const CacheKey& key, const Compute& compute);
    // L1 then L2 lookup without computing (for inspection); nullopt on a miss.
    std::optional<CacheResult> peek(const CacheKey& key);

    Status invalidateUser(std::string_view user);
    Status invalidateItem(std::string_view item);
    Status invalidateModel(std::string_view model);
    Status invalidateAll();

    CacheStats stats() const;
    CacheConfig config() const;
    // Applies new limits, TTL, jitter and beta (the channel and L2 use are fixed).
    void setConfig(const CacheConfig& config);
    // The most recent invalidations, newest last.
    std::vector<InvalidationRecord> invalidationLog() const;
    // Called after every applied invalidation (local or remote), on the calling thread.
    void setInvalidationListener(InvalidationListener listener);
    // Decodes an entry's payload when it comes up from L2, before it enters L1 (fills
    // CacheEntry::decoded). Set once, before the cache is used.
    using Decoder = std::function<std::shared_ptr<const DecodedPayload>(const CacheEntry&)>;
    void setDecoder(Decoder decoder);

private:
    struct Flight;
    struct Message;

    bool valid(const CacheEntry& entry, std::int64_t nowMs) const;
    bool shouldRefreshEarly(const CacheEntry& entry, std::int64_t nowMs) const;
    std::optional<std::shared_ptr<const CacheEntry>> readL2(const CacheKey& key, std::int64_t nowMs,
                                                            std::string& degraded);
    void writeL2(const CacheKey& key, const CacheEntry& entry, std::string& degraded);
    Result<CacheResult> computeOnce(const CacheKey& key, const Compute& compute, std::string degraded, bool early,
                                    std::shared_ptr<const CacheEntry> stale);
    std::uint64_t modelGeneration(std::string_view model) const;
    std::size_t epochSlot(std::string_view user) const;
    void applyRemote(std::string_view message);
    void reloadSharedState();
    void record(InvalidationRecord record);
    // Drops item stamps too old to matter; under m_stateMutex.
    void pruneItemStamps(std::int64_t nowUs);
    // stampUs: for items, the invalidation time in µs (entries created before it are stale).
    Status publish(InvalidationKind kind, std::string_view id, std::uint64_t generation, std::int64_t stampUs);
    std::int64_t jitteredTtlMs() const;

    std::shared_ptr<store::KeyValueStore> m_l2;
    CacheConfig m_config;
    mutable std::mutex m_configMutex;
    LruCache m_l1;
    std::string m_origin;  // this instance's id in invalidation messages

    // Generations, item invalidations, log, listener. Bounded: at most 100,000 item stamps
    // (older than the longest TTL are pruned) and 1,000 model generations; beyond them an
    // invalidation of another item or model invalidates everything.
    mutable std::mutex m_stateMutex;
    std::uint64_t m_generation = 0;
    std::unordered_map<std::string, std::uint64_t> m_modelGenerations;
    std::unordered_map<std::string, std::int64_t> m_itemInvalidatedAt;
    std::deque<InvalidationRecord> m_log;
    InvalidationListener m_listener;
    Decoder m_decoder;

    std::mutex m_flightMutex;
    std::unordered_map<std::string, std::shared_ptr<Flight>> m_flights;

    static constexpr std::size_t kEpochSlots = 64;
    std::unique_ptr<std::atomic<std::uint64_t>[]> m_userEpochs;
    std::atomic<std::uint64_t> m_globalEpoch{0};

    struct Counters;
    std::unique_ptr<Counters> m_counters;
    store::Subscription m_subscription;
};

}  // namespace recdeck::cache

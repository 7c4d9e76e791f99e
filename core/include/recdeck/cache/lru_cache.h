#pragma once
// LruCache: the in-process L1 tier. Bounded by entry count and by bytes, least recently
// used evicted first. The bytes are what the entries really hold on the heap: each
// CacheEntry with its strings and decoded form (CacheEntry::footprint), its nodes in the
// recency list and the user index, and each user's index (within ~10 % of the heap,
// checked against glibc's counters in test_cache). A hit measures its entry again, since
// a decoded form may grow after the put (the HTTP layer's rendered memo). Sharded by user so concurrent requests
// for different users rarely contend, and so dropping all of one user's entries touches
// one shard.
//
// Thread safety: every method may be called concurrently.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recdeck/cache/cache_entry.h"

namespace recdeck::cache {

struct LruStats {
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::uint64_t evictions = 0;    // dropped to stay within the limits
    std::uint64_t expirations = 0;  // found expired on access
};

class LruCache {
public:
    using EntryPtr = std::shared_ptr<const CacheEntry>;

    LruCache(std::size_t maxEntries, std::size_t maxBytes, std::size_t shards = 16);

    // The entry, or null when absent or expired at nowMs (an expired one is dropped).
    // A hit makes the entry most recently used.
    EntryPtr get(const CacheKey& key, std::int64_t nowMs);
    // Inserts or replaces, then evicts least recently used entries of the shard while it
    // is over its share of the limits.
    void put(const CacheKey& key, EntryPtr entry);

    // Drops every entry of the user; returns how many.
    std::size_t eraseUser(std::string_view user);
    // Drops every entry for which pred is true; returns how many.
    std::size_t eraseIf(const std::function<bool(const CacheEntry&)>& pred);
    void clear();

    // Changes the limits; shrinking evicts at once.
    void setLimits(std::size_t maxEntries, std::size_t maxBytes);
    std::size_t maxEntries() const { return m_maxEntries.load(); }
    std::size_t maxBytes() const { return m_maxBytes.load(); }
    LruStats stats() const;

private:
    struct Node {
        std::string user;
        std::string variant;
        EntryPtr entry;
        std::size_t bytes = 0;     // entry->footprint() + overhead, as counted in the shard
        std::size_t overhead = 0;  // this node's own bookkeeping
    };
    using VariantIndex = std::unordered_map<std::string, std::list<Node>::iterator>;
    // Heap blocks of the bookkeeping (libstdc++, see common/heap_size.h): a list node, a
    // node of a user's variant index, a node of byUser, and a variant index's first
    // bucket array (13 slots after its first insert).
    static constexpr std::size_t kListNodeBytes = 2 * sizeof(void*) + sizeof(Node) + 16;
    static constexpr std::size_t kVariantNodeBytes =
        sizeof(void*) + sizeof(std::pair<const std::string, std::list<Node>::iterator>) + sizeof(std::size_t) + 16;
    static constexpr std::size_t kUserNodeBytes =
        sizeof(void*) + sizeof(std::pair<const std::string, VariantIndex>) + sizeof(std::size_t) + 16;
    static constexpr std::size_t kVariantBucketBytes = 13 * sizeof(void*) + 16;
    static std::size_t userBytes(const std::string& user);
    struct Shard {
        mutable std::mutex mutex;
        std::list<Node> order;  // front = most recently used
        std::unordered_map<std::string, VariantIndex> byUser;
        std::size_t bytes = 0;
        std::uint64_t evictions = 0;
        std::uint64_t expirations = 0;
    };

    Shard& shardOf(std::string_view user);
    void unlink(Shard& shard, std::list<Node>::iterator node);
    void trim(Shard& shard);

    std::vector<std::unique_ptr<Shard>> m_shards;
    std::atomic<std::size_t> m_maxEntries;
    std::atomic<std::size_t> m_maxBytes;
};

}  // namespace recdeck::cache

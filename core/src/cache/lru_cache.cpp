#include "recdeck/cache/lru_cache.h"

#include <algorithm>

#include "recdeck/common/heap_size.h"

namespace recdeck::cache {

namespace {

// What one entry costs besides the CacheEntry: its node in the recency list (with copies
// of the user and variant), its node in the user's variant index (another copy of the
// variant) and that index's bucket slot.
std::size_t nodeBytes(const CacheKey& key, std::size_t listNode, std::size_t variantNode) {
    return listNode + variantNode + sizeof(void*) + heapBytes(key.user) + 2 * heapBytes(key.variant);
}

}  // namespace

LruCache::LruCache(std::size_t maxEntries, std::size_t maxBytes, std::size_t shards)
    : m_maxEntries(maxEntries), m_maxBytes(maxBytes) {
    shards = std::max<std::size_t>(1, shards);
    m_shards.reserve(shards);
    for (std::size_t i = 0; i < shards; ++i) m_shards.push_back(std::make_unique<Shard>());
}

LruCache::Shard& LruCache::shardOf(std::string_view user) {
    return *m_shards[std::hash<std::string_view>{}(user) % m_shards.size()];
}

LruCache::EntryPtr LruCache::get(const CacheKey& key, std::int64_t nowMs) {
    Shard& shard = shardOf(key.user);
    std::lock_guard lock(shard.mutex);
    const auto user = shard.byUser.find(key.user);
    if (user == shard.byUser.end()) return nullptr;
    const auto found = user->second.find(key.variant);
    if (found == user->second.end()) return nullptr;
    auto node = found->second;
    if (node->entry->expiresMs <= nowMs) {
        ++shard.expirations;
        unlink(shard, node);
        return nullptr;
    }
    shard.order.splice(shard.order.begin(), shard.order, node);
    // The decoded form may have grown since it was counted (a memo rendered after the
    // put): count it again, and keep the shard within its limits.
    const std::size_t bytes = node->entry->footprint() + node->overhead;
    EntryPtr entry = node->entry;
    if (bytes != node->bytes) {
        shard.bytes = shard.bytes - node->bytes + bytes;
        node->bytes = bytes;
        trim(shard);
    }
    return entry;
}

void LruCache::put(const CacheKey& key, EntryPtr entry) {
    Shard& shard = shardOf(key.user);
    const std::size_t overhead = nodeBytes(key, kListNodeBytes, kVariantNodeBytes);
    const std::size_t bytes = entry->footprint() + overhead;
    std::lock_guard lock(shard.mutex);
    auto [user, newUser] = shard.byUser.try_emplace(key.user);
    if (newUser) shard.bytes += userBytes(key.user);
    auto& variants = user->second;
    if (auto found = variants.find(key.variant); found != variants.end()) {
        shard.bytes -= found->second->bytes;
        found->second->entry = std::move(entry);
        found->second->bytes = bytes;
        found->second->overhead = overhead;
        shard.bytes += bytes;
        shard.order.splice(shard.order.begin(), shard.order, found->second);
    } else {
        shard.order.push_front(Node{key.user, key.variant, std::move(entry), bytes, overhead});
        variants.emplace(key.variant, shard.order.begin());
        shard.bytes += bytes;
    }
    trim(shard);
}

std::size_t LruCache::userBytes(const std::string& user) {
    // The user's node in byUser (with a copy of the id) and its variant index's buckets.
    return kUserNodeBytes + sizeof(void*) + heapBytes(user) + kVariantBucketBytes;
}

void LruCache::unlink(Shard& shard, std::list<Node>::iterator node) {
    shard.bytes -= node->bytes;
    auto user = shard.byUser.find(node->user);
    if (user != shard.byUser.end()) {
        user->second.erase(node->variant);
        if (user->second.empty()) {
            shard.bytes -= userBytes(user->first);
            shard.byUser.erase(user);
        }
    }
    shard.order.erase(node);
}

void LruCache::trim(Shard& shard) {
    const std::size_t shards = m_shards.size();
    const std::size_t entryLimit = std::max<std::size_t>(1, (m_maxEntries.load() + shards - 1) / shards);
    const std::size_t byteLimit = std::max<std::size_t>(1, (m_maxBytes.load() + shards - 1) / shards);
    while (!shard.order.empty() && (shard.order.size() > entryLimit || shard.bytes > byteLimit)) {
        ++shard.evictions;
        unlink(shard, std::prev(shard.order.end()));
    }
}

std::size_t LruCache::eraseUser(std::string_view user) {
    Shard& shard = shardOf(user);
    std::lock_guard lock(shard.mutex);
    const auto found = shard.byUser.find(std::string(user));
    if (found == shard.byUser.end()) return 0;
    std::vector<std::list<Node>::iterator> nodes;
    for (const auto& [variant, node] : found->second) nodes.push_back(node);
    for (auto node : nodes) unlink(shard, node);
    return nodes.size();
}

std::size_t LruCache::eraseIf(const std::function<bool(const CacheEntry&)>& pred) {
    std::size_t erased = 0;
    for (auto& shardPtr : m_shards) {
        Shard& shard = *shardPtr;
        std::lock_guard lock(shard.mutex);
        for (auto node = shard.order.begin(); node != shard.order.end();) {
            auto next = std::next(node);
            if (pred(*node->entry)) {
                unlink(shard, node);
                ++erased;
            }
            node = next;
        }
    }
    return erased;
}

void LruCache::clear() {
    for (auto& shard : m_shards) {
        std::lock_guard lock(shard->mutex);
        shard->order.clear();
        shard->byUser.clear();
        shard->bytes = 0;
    }
}

void LruCache::setLimits(std::size_t maxEntries, std::size_t maxBytes) {
    m_maxEntries = maxEntries;
    m_maxBytes = maxBytes;
    for (auto& shard : m_shards) {
        std::lock_guard lock(shard->mutex);
        trim(*shard);
    }
}

LruStats LruCache::stats() const {
    LruStats stats;
    for (const auto& shard : m_shards) {
        std::lock_guard lock(shard->mutex);
        stats.entries += shard->order.size();
        stats.bytes += shard->bytes;
        stats.evictions += shard->evictions;
        stats.expirations += shard->expirations;
    }
    return stats;
}

}  // namespace recdeck::cache

#pragma once
// MemoryStore: the embedded (default) KeyValueStore. Everything lives in this process;
// nothing to start. Same semantics as RedisStore (see key_value_store.h), including TTL
// expiry, sets, hashes, prefix scans and publish/subscribe between the components of
// one process.
//
// Expiry is lazy (an expired key reads as missing at once) plus a bounded sweep: every
// write removes up to MemoryStoreOptions::sweepBatch already-expired keys, oldest
// deadline first, so memory does not grow with keys nobody reads again.
//
// Memory is bounded like a Redis with maxmemory and the volatile-ttl policy: the store
// counts the bytes its keys hold (key, value, members and fields, plus the bookkeeping of
// each, as libstdc++ allocates them: within ~15 % of the heap they take) and, before and
// after every write that adds data, evicts the keys with a TTL that expire soonest until
// it is within maxBytes. Keys without a TTL are never evicted; when they alone fill the
// budget, writes that add data fail (ErrorKind::Unavailable, like Redis' OOM error) and
// removals still work (so only keys without a TTL can take it past the budget).
//
// Thread safety: as the interface. Reads share a reader lock; writes take it exclusively.
// Messages are delivered on one dedicated thread per store, in publish order, never while
// the store lock is held.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "recdeck/store/key_value_store.h"

namespace recdeck::store {

struct MemoryStoreOptions {
    // Expired keys removed per write operation, at most (> 0).
    std::size_t sweepBatch = 64;
    // Messages waiting for the delivery thread, at most; publish fails beyond that.
    std::size_t maxPendingMessages = 100'000;
    // Bytes the keys may hold (see above), > 0. The default bounds what one embedded
    // process keeps for features, cached lists and histories, whatever the number of
    // users.
    std::size_t maxBytes = std::size_t{256} << 20;
};

struct MemoryStoreStats {
    std::size_t keys = 0;             // expired ones not yet swept included
    std::size_t bytes = 0;            // as counted against maxBytes
    std::uint64_t evictions = 0;      // keys evicted to stay within maxBytes
    std::uint64_t refusedWrites = 0;  // writes refused: only keys without a TTL were left
};

class MemoryStore final : public KeyValueStore {
public:
    explicit MemoryStore(MemoryStoreOptions options = {});
    ~MemoryStore() override;

    StoreHealth health() const override;
    std::string describe() const override;

    // Keys held in memory, expired ones not yet swept included (diagnostics and tests).
    std::size_t storedKeyCount() const;
    MemoryStoreStats stats() const;

protected:
    Result<std::optional<std::string>> doGet(std::string_view key) override;
    Result<std::vector<std::optional<std::string>>> doGetMany(StringSpan keys) override;
    Status doSet(std::string_view key, std::string_view value, Ttl ttl) override;
    Status doSetMany(std::span<const KeyValue> entries) override;
    Result<std::size_t> doRemove(StringSpan keys) override;
    Result<bool> doExpire(std::string_view key, Ttl ttl) override;
    Result<std::int64_t> doIncrement(std::string_view key, std::int64_t delta) override;
    Result<bool> doSetIfAbsent(std::string_view key, std::string_view value, Ttl ttl) override;
    Result<std::size_t> doSetAdd(std::string_view key, StringSpan members) override;
    Result<std::vector<std::string>> doSetMembers(std::string_view key) override;
    Result<std::size_t> doSetRemove(std::string_view key, StringSpan members) override;
    Result<std::vector<SetAddResult>> doSetAddMany(std::span<const SetAddition> additions) override;
    Result<std::size_t> doHashSet(std::string_view key, const HashFields& fields) override;
    Result<HashFields> doHashGetAll(std::string_view key) override;
    Result<std::size_t> doHashDelete(std::string_view key, StringSpan fields) override;
    Result<ScanResult> doScanPrefix(std::string_view prefix, std::size_t maxKeys) override;
    Status doPublish(std::string_view channel, std::string_view message) override;
    Result<Subscription> doSubscribe(std::string_view channel, MessageHandler onMessage, GapHandler onGap) override;
    Status doPing() override;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace recdeck::store

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
// Thread safety: as the interface. Reads share a reader lock; writes take it exclusively.
// Messages are delivered on one dedicated thread per store, in publish order, never while
// the store lock is held.

#include <cstddef>
#include <memory>

#include "recdeck/store/key_value_store.h"

namespace recdeck::store {

struct MemoryStoreOptions {
    // Expired keys removed per write operation, at most (> 0).
    std::size_t sweepBatch = 64;
    // Messages waiting for the delivery thread, at most; publish fails beyond that.
    std::size_t maxPendingMessages = 100'000;
};

class MemoryStore final : public KeyValueStore {
public:
    explicit MemoryStore(MemoryStoreOptions options = {});
    ~MemoryStore() override;

    StoreHealth health() const override;
    std::string describe() const override;

    // Keys held in memory, expired ones not yet swept included (diagnostics and tests).
    std::size_t storedKeyCount() const;

protected:
    Result<std::optional<std::string>> doGet(std::string_view key) override;
    Result<std::vector<std::optional<std::string>>> doGetMany(StringSpan keys) override;
    Status doSet(std::string_view key, std::string_view value, Ttl ttl) override;
    Status doSetMany(std::span<const KeyValue> entries) override;
    Result<std::size_t> doRemove(StringSpan keys) override;
    Result<bool> doExpire(std::string_view key, Ttl ttl) override;
    Result<std::int64_t> doIncrement(std::string_view key, std::int64_t delta) override;
    Result<std::size_t> doSetAdd(std::string_view key, StringSpan members) override;
    Result<std::vector<std::string>> doSetMembers(std::string_view key) override;
    Result<std::size_t> doSetRemove(std::string_view key, StringSpan members) override;
    Result<std::size_t> doHashSet(std::string_view key, const HashFields& fields) override;
    Result<HashFields> doHashGetAll(std::string_view key) override;
    Result<std::size_t> doHashDelete(std::string_view key, StringSpan fields) override;
    Result<ScanResult> doScanPrefix(std::string_view prefix, std::size_t maxKeys) override;
    Status doPublish(std::string_view channel, std::string_view message) override;
    Result<Subscription> doSubscribe(std::string_view channel, MessageHandler onMessage,
                                     GapHandler onGap) override;
    Status doPing() override;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace recdeck::store

#pragma once
// RedisStore: the KeyValueStore on a Redis server (hiredis, RESP2), shared by every
// recdeckd instance and console pointed at the same server and database.
//
// Connections. Commands run on a small pool of connections (RedisStoreOptions::poolSize)
// so concurrent callers do not queue on one socket; a caller waits at most
// commandTimeout for a free connection. Every connection authenticates (AUTH [user]
// password) and selects the database when it opens. Pub/sub runs on one more, dedicated
// connection with its own thread, which delivers messages to the handlers.
//
// Failures and recovery. A failed connect, a lost connection or a command that does not
// answer within commandTimeout marks the store unhealthy, drops the pool's idle
// connections (they are likely dead too) and starts a backoff: for initialBackoff, then
// doubling up to maxBackoff after each further failure, every call fails at once with
// "Redis at host:port unavailable, retrying in N ms; last error: ...". The first call
// after the backoff tries to connect again (one caller at a time; the others keep
// failing fast) and, on success, the store is healthy again. Nothing blocks longer than
// connectTimeout + commandTimeout. The pub/sub connection reconnects by itself with the
// same backoff and re-subscribes every channel, then calls the GapHandlers.
//
// Keys and channels are stored as keyPrefix + logical key (default "recdeck:"), so
// several deployments can share a server without clashing.
//
// Signals: hiredis' own writes use write(2), and a write to a connection the server
// closed raises SIGPIPE, which would end the process. RedisStore formats commands with
// hiredis but sends them with send(MSG_NOSIGNAL) (its pub/sub thread blocks SIGPIPE), so
// the call returns an error instead; the process-wide signal disposition is left alone.
//
// Thread safety: as the interface. Destroying the store stops the pub/sub thread; it
// must not be destroyed from inside a message handler.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "recdeck/store/key_value_store.h"
#include "recdeck/store/redis_url.h"

namespace recdeck::store {

struct RedisStoreOptions {
    std::string keyPrefix = "recdeck:";
    std::chrono::milliseconds connectTimeout{200};  // TCP connect, per attempt (> 0)
    std::chrono::milliseconds commandTimeout{500};  // one reply, or one pipelined batch step (> 0)
    std::size_t poolSize = 4;                       // command connections, at most (> 0)
    std::chrono::milliseconds initialBackoff{100};  // first fail-fast period after a failure (> 0)
    std::chrono::milliseconds maxBackoff{5'000};    // the doubling stops here (>= initialBackoff)
    // open() fails when the first connection cannot be made (unreachable, wrong password,
    // bad database). Off: open() always succeeds and the first calls report the problem.
    bool verifyOnOpen = true;
};

class RedisStore final : public KeyValueStore {
public:
    // Connects (when options.verifyOnOpen) and returns the store, or why it cannot.
    static Result<std::unique_ptr<RedisStore>> open(const RedisUrl& url, RedisStoreOptions options = {});
    // RedisUrl::resolve(url) (environment password fallback), then open().
    static Result<std::unique_ptr<RedisStore>> open(std::string_view url, RedisStoreOptions options = {});
    ~RedisStore() override;

    StoreHealth health() const override;
    std::string describe() const override;
    const std::string& keyPrefix() const;

protected:
    Result<std::optional<std::string>> doGet(std::string_view key) override;
    Result<std::vector<std::optional<std::string>>> doGetMany(StringSpan keys) override;
    Status doSet(std::string_view key, std::string_view value, Ttl ttl) override;
    Status doSetMany(std::span<const KeyValue> entries) override;
    Result<std::size_t> doRemove(StringSpan keys) override;
    Result<bool> doExpire(std::string_view key, Ttl ttl) override;
    Result<std::int64_t> doIncrement(std::string_view key, std::int64_t delta) override;
    Result<bool> doSetIfAbsent(std::string_view key, std::string_view value, Ttl ttl) override;
    Result<std::vector<StreamId>> doStreamAppend(std::string_view key, StringSpan payloads,
                                                 std::size_t maxEntries) override;
    Result<std::vector<StreamRecord>> doStreamRead(std::string_view key, StreamId after, std::size_t count) override;
    Result<StreamInfo> doStreamInfo(std::string_view key) override;
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
    class Impl;
    explicit RedisStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::store

#pragma once
// KeyValueStore: the one storage interface under the feature store, the L2 recommendation
// cache, the experiment definitions and cross-instance invalidation. Two implementations:
// MemoryStore (embedded mode, the default; memory_store.h) and RedisStore (shared state
// across recdeckd instances and the console; redis_store.h). store_factory.h picks one
// from a command-line spec.
//
// The contract, for every implementation:
//
// - Thread safety: every method may be called concurrently from any number of threads.
//   Subscription handles are the exception: one handle is used by one thread at a time.
// - Batch first: getMany (one round trip), setMany (one pipelined round trip), remove of
//   many keys (one DEL), setAdd / setRemove / hashDelete of many members. Call the batch
//   form whenever there is more than one key; a loop of single calls pays one round trip
//   each against Redis.
// - Values, keys, members, fields and messages are binary-safe byte strings (any byte,
//   NUL included). Keys are logical: RedisStore puts its namespace prefix (default
//   "recdeck:") in front of every key and channel, and scanPrefix strips it again, so
//   callers never see or write the prefix. Build keys from ids with keyOf() below.
// - One keyspace: a key holds a string, a set or a hash. A single-key operation on a key
//   of another kind fails ("WRONGTYPE ..."); getMany reports such keys as missing.
//   Emptying a set or a hash deletes its key. A missing key reads as empty (no value, no
//   members, no fields); reading never fails because something is absent.
// - Expiry: a TTL is in milliseconds, > 0. set() / setMany() without a TTL store the value
//   without expiry (and clear an earlier TTL, like Redis SET); setAdd, hashSet, increment
//   keep an existing TTL. An expired key is gone for every operation, scanPrefix included.
// - Errors: an expected failure (Redis down, wrong password, wrong type, bad argument)
//   returns an Error whose message names the server, the operation and what to do,
//   never an exception. RedisStore fails fast while it waits to reconnect (see
//   redis_store.h).
// - Pub/sub is fire-and-forget and at-most-once: a message published while no one is
//   subscribed, or while a subscriber is disconnected, is lost. Consumers that must not
//   miss an invalidation pass a GapHandler and treat it as "drop everything you cached".
//   Note that Redis pub/sub ignores the database number: stores on different databases
//   of one server with the same key prefix share channels.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"

namespace recdeck::store {

// ---------------------------------------------------------------------------------------
// Key encoding
//
// keyOf({"recs", userId, "10"}) joins parts with ':' after percent-encoding each part:
// every byte outside the URL-unreserved set [A-Za-z0-9] and "-_.~" is written as '%'
// and two upper-case hex digits (RFC 3986). So ':', '%', the Redis glob characters
// "*?[]\", spaces, control bytes and every non-ASCII byte (UTF-8 included) are escaped,
// and an encoded key is printable ASCII without spaces (safe to show in admin listings
// and redis-cli). Examples:
//     keyOf({"recs", "u1", "10"})   == "recs:u1:10"
//     keyOf({"recs", "u1:10"})      == "recs:u1%3A10"
//     keyOf({"recs", "a*", ""})     == "recs:a%2A:"
//     keyOf({"user", "José"})       == "user:Jos%C3%A9"
// The encoding is injective: two different part lists (of at least one part) never give
// the same key, and decodeKey() recovers the parts. Because no encoded part contains
// ':', the keys of one id are exactly those that start with keyPrefixOf({..., id}), so a
// hostile id ("u1:*", "u1\n", "") can neither collide with nor widen a scan over another.
// ---------------------------------------------------------------------------------------

// One part, percent-encoded as above.
std::string encodeKeyPart(std::string_view part);
// Parts joined with ':'; parts must not be empty as a list (an empty part is fine).
std::string keyOf(std::initializer_list<std::string_view> parts);
std::string keyOf(std::span<const std::string> parts);
// keyOf(parts) + ":" — the prefix shared by every key that extends parts, for scanPrefix.
std::string keyPrefixOf(std::initializer_list<std::string_view> parts);
// The parts of a key built by keyOf. Fails on a malformed escape ("%G1", "%4").
Result<std::vector<std::string>> decodeKey(std::string_view key);

// A key, member or field list passed without copying: binds to a std::vector or span of
// std::string or std::string_view, or to a braced list such as {key1, key2}. It only
// refers to the caller's strings, so it is for parameters, never for storage.
class StringSpan {
public:
    StringSpan(std::span<const std::string> items) noexcept  // NOLINT(google-explicit-constructor)
        : m_strings(items.data()), m_size(items.size()) {}
    StringSpan(const std::vector<std::string>& items) noexcept  // NOLINT(google-explicit-constructor)
        : m_strings(items.data()), m_size(items.size()) {}
    StringSpan(std::span<const std::string_view> items) noexcept  // NOLINT(google-explicit-constructor)
        : m_views(items.data()), m_size(items.size()) {}
    StringSpan(const std::vector<std::string_view>& items) noexcept  // NOLINT(google-explicit-constructor)
        : m_views(items.data()), m_size(items.size()) {}
    StringSpan(std::initializer_list<std::string_view> items) noexcept;  // NOLINT(google-explicit-constructor)

    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    std::string_view operator[](std::size_t i) const noexcept {
        return m_strings != nullptr ? std::string_view(m_strings[i]) : m_views[i];
    }

private:
    const std::string* m_strings = nullptr;
    const std::string_view* m_views = nullptr;
    std::size_t m_size = 0;
};

// ---------------------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------------------

using Ttl = std::chrono::milliseconds;
// No expiry (the default of set / setMany).
inline constexpr Ttl kNoExpiry{0};

// One entry of setMany. ttl == kNoExpiry stores it without expiry.
struct KeyValue {
    std::string key;
    std::string value;
    Ttl ttl = kNoExpiry;
};

// One entry of setAddMany: members to add to the set at key, and the TTL the key gets
// (kNoExpiry: the key keeps whatever expiry it had).
struct SetAddition {
    std::string key;
    std::vector<std::string> members;
    Ttl ttl = kNoExpiry;
};

// What setAddMany did to one set.
struct SetAddResult {
    std::size_t added = 0;  // members that were new (SADD)
    std::size_t size = 0;   // members in the set afterwards (SCARD)
};

// Field name -> value of one hash, sorted by field name.
using HashFields = std::map<std::string, std::string, std::less<>>;

// Keys found by scanPrefix, sorted ascending and without duplicates. truncated is true
// when more keys matched than maxKeys allowed.
struct ScanResult {
    std::vector<std::string> keys;
    bool truncated = false;
};

// What /ready shows about a store. For RedisStore it is the state seen by the latest
// calls (ping() refreshes it); MemoryStore is always healthy.
struct StoreHealth {
    bool healthy = true;
    // The latest connection failure ("Redis at 127.0.0.1:6390 unreachable: Connection
    // refused"), kept after recovery; empty if there was none.
    std::string lastError;
    std::int64_t lastErrorUnixMs = 0;  // when lastError happened, 0 if never
    // While unhealthy: how long calls keep failing fast before the next reconnect attempt.
    std::chrono::milliseconds retryIn{0};
    std::uint64_t connectAttempts = 0;     // connections opened or tried, since start
    std::uint64_t connectionFailures = 0;  // failed connects + connections lost, since start
    // False while the pub/sub connection is down and subscriptions wait to resume.
    bool subscriptionsConnected = true;
};

// The id of a stream entry: the server's clock in ms when it was appended, and a sequence
// number within that ms ("1700000000000-3"). Ids only grow within a stream.
struct StreamId {
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;

    friend auto operator<=>(const StreamId&, const StreamId&) = default;
    std::string text() const;                                     // "ms-seq"
    static std::optional<StreamId> parse(std::string_view text);  // nullopt unless "ms-seq"
};

// One entry of a stream: its id and its payload (the value of its one field).
struct StreamRecord {
    StreamId id;
    std::string payload;
};

// What a stream holds now. first/last are {0,0} when it is empty.
struct StreamInfo {
    std::size_t length = 0;
    StreamId first;
    StreamId last;
};

// ---------------------------------------------------------------------------------------
// Publish / subscribe
// ---------------------------------------------------------------------------------------

// Called with the logical channel name and the message, on the store's delivery thread
// (one per store, so a store delivers messages one at a time, in arrival order). Never
// called while the store holds a lock, so it may call the store. It should return
// quickly (hand long work to another thread); exceptions it throws are swallowed.
using MessageHandler = std::function<void(std::string_view channel, std::string_view message)>;
// Called on the delivery thread when a subscription resumes after its connection was
// lost: messages published in between are gone.
using GapHandler = std::function<void(std::string_view channel)>;

// Owns one subscription. Destroying it (or cancel()) unsubscribes; once that returns,
// the handler is not running and will not be called again — unless cancel() is called
// from inside a handler on the delivery thread, where it only stops future deliveries.
// Do not hold a lock the handler takes while cancelling from another thread, and do not
// destroy the store from inside a handler. A handle may outlive its store (cancelling
// is then a no-op). Move-only.
class Subscription {
public:
    Subscription() = default;
    // For implementations: cancel runs once, on cancel() or destruction.
    explicit Subscription(std::function<void()> cancel) : m_cancel(std::move(cancel)) {}
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription();

    void cancel();
    bool active() const { return static_cast<bool>(m_cancel); }

private:
    std::function<void()> m_cancel;
};

// ---------------------------------------------------------------------------------------
// The interface
// ---------------------------------------------------------------------------------------

class KeyValueStore {
public:
    // Upper bound of scanPrefix's result unless the caller asks for another.
    static constexpr std::size_t kDefaultScanLimit = 10'000;

    KeyValueStore() = default;
    KeyValueStore(const KeyValueStore&) = delete;
    KeyValueStore& operator=(const KeyValueStore&) = delete;
    virtual ~KeyValueStore() = default;

    // --- strings ---
    // The value, or nullopt when the key is missing or expired. Fails on a set or hash key.
    Result<std::optional<std::string>> get(std::string_view key);
    // One value per key, in key order; nullopt for a missing key or one of another kind.
    // One round trip (MGET).
    Result<std::vector<std::optional<std::string>>> getMany(StringSpan keys);
    // Stores value (replacing any kind of value the key held). ttl > 0 expires it after
    // ttl ms (SET PX); kNoExpiry keeps it until removed. A negative ttl fails.
    Status set(std::string_view key, std::string_view value, Ttl ttl = kNoExpiry);
    // set() for every entry, pipelined in one round trip. Not atomic: on failure some
    // entries may be stored. Later entries win over earlier ones with the same key.
    Status setMany(std::span<const KeyValue> entries);
    // Deletes the keys (of any kind); returns how many existed. One DEL.
    Result<std::size_t> remove(StringSpan keys);
    // Sets a TTL (> 0 ms) on an existing key; false when the key does not exist.
    Result<bool> expire(std::string_view key, Ttl ttl);
    // Stores value only when the key does not exist (SET NX); true when it was stored.
    // ttl as for set(). For leases and first-writer-wins records.
    Result<bool> setIfAbsent(std::string_view key, std::string_view value, Ttl ttl = kNoExpiry);
    // Adds delta to the integer stored at key (a missing key counts as 0) and returns the
    // new value (INCRBY). Fails when the value is not a base-10 64-bit integer or the sum
    // overflows.
    Result<std::int64_t> increment(std::string_view key, std::int64_t delta = 1);

    // --- sets (indexes such as "cache keys of user U") ---
    // Adds members; returns how many were new (SADD).
    Result<std::size_t> setAdd(std::string_view key, StringSpan members);
    // Every member, sorted ascending (SMEMBERS); empty for a missing key.
    Result<std::vector<std::string>> setMembers(std::string_view key);
    // Removes members; returns how many were present (SREM).
    Result<std::size_t> setRemove(std::string_view key, StringSpan members);
    // setAdd for several sets, each with its TTL (re)set and its size read, in one
    // pipelined round trip (SADD, PEXPIRE, SCARD per entry); results in entry order.
    // Entries with no members are skipped (reported as {0, 0}). Not atomic: on failure
    // some entries may have been applied.
    Result<std::vector<SetAddResult>> setAddMany(std::span<const SetAddition> additions);

    // --- hashes (records such as an experiment definition) ---
    // Sets the fields (others are kept); returns how many fields were new (HSET).
    Result<std::size_t> hashSet(std::string_view key, const HashFields& fields);
    // Every field (HGETALL); empty for a missing key.
    Result<HashFields> hashGetAll(std::string_view key);
    // Removes fields; returns how many were present (HDEL).
    Result<std::size_t> hashDelete(std::string_view key, StringSpan fields);

    // --- streams (the fleet's event stream) ---
    // Optional: RedisStore implements them (XADD / XRANGE); MemoryStore, whose process has
    // no fleet to share a stream with, answers ErrorKind::Unavailable ("not supported").
    // Appends each payload as one entry (one field), in order, pipelined in one round trip,
    // and returns their ids. maxEntries > 0 trims the stream to about that many entries
    // (XADD MAXLEN ~: whole radix-tree nodes go, so it may keep a few more).
    Result<std::vector<StreamId>> streamAppend(std::string_view key, StringSpan payloads, std::size_t maxEntries = 0);
    // Entries with an id greater than `after`, oldest first, at most `count` (> 0).
    Result<std::vector<StreamRecord>> streamRead(std::string_view key, StreamId after, std::size_t count);
    // Length and first and last ids, in one round trip.
    Result<StreamInfo> streamInfo(std::string_view key);

    // --- admin ---
    // Keys (of any kind) that start with prefix, at most maxKeys (> 0). For listing and
    // bulk invalidation, not for the request path: RedisStore walks the keyspace with
    // SCAN ... MATCH ... COUNT, never KEYS, so it does not block the server, but it does
    // visit every key. A key created or deleted during the scan may or may not appear.
    Result<ScanResult> scanPrefix(std::string_view prefix, std::size_t maxKeys = kDefaultScanLimit);

    // --- pub/sub ---
    // Sends message to every current subscriber of channel, in this process and (Redis)
    // in every process sharing the server. Succeeds even when nobody listens.
    Status publish(std::string_view channel, std::string_view message);
    // Calls onMessage for every message published on channel until the handle is
    // destroyed. Returns once the subscription is in effect (a message published after
    // it returns is delivered), or fails if the backend cannot confirm it in time
    // (RedisStore: connect + command timeout). Called from inside a handler it returns
    // at once and takes effect shortly after. Subscriptions resume by themselves after
    // a reconnect; onGap (optional) is told about it.
    Result<Subscription> subscribe(std::string_view channel, MessageHandler onMessage, GapHandler onGap = {});

    // --- health ---
    // One round trip to the backend; refreshes health().
    Status ping();
    virtual StoreHealth health() const = 0;
    bool healthy() const { return health().healthy; }
    // "embedded" or the redacted server URL "redis://host:port/db" (never a password).
    virtual std::string describe() const = 0;

protected:
    // Implementations override these. Arguments are already validated by the public
    // methods above: ttl >= 0 (> 0 for doExpire), batches not empty, maxKeys > 0.
    virtual Result<std::optional<std::string>> doGet(std::string_view key) = 0;
    virtual Result<std::vector<std::optional<std::string>>> doGetMany(StringSpan keys) = 0;
    virtual Status doSet(std::string_view key, std::string_view value, Ttl ttl) = 0;
    virtual Status doSetMany(std::span<const KeyValue> entries) = 0;
    virtual Result<std::size_t> doRemove(StringSpan keys) = 0;
    virtual Result<bool> doExpire(std::string_view key, Ttl ttl) = 0;
    virtual Result<std::int64_t> doIncrement(std::string_view key, std::int64_t delta) = 0;
    virtual Result<bool> doSetIfAbsent(std::string_view key, std::string_view value, Ttl ttl) = 0;
    // Streams are optional: the defaults answer "not supported" (ErrorKind::Unavailable).
    virtual Result<std::vector<StreamId>> doStreamAppend(std::string_view key, StringSpan payloads,
                                                         std::size_t maxEntries);
    virtual Result<std::vector<StreamRecord>> doStreamRead(std::string_view key, StreamId after, std::size_t count);
    virtual Result<StreamInfo> doStreamInfo(std::string_view key);
    virtual Result<std::size_t> doSetAdd(std::string_view key, StringSpan members) = 0;
    virtual Result<std::vector<std::string>> doSetMembers(std::string_view key) = 0;
    virtual Result<std::size_t> doSetRemove(std::string_view key, StringSpan members) = 0;
    // additions: not empty, every entry with members, ttl >= 0.
    virtual Result<std::vector<SetAddResult>> doSetAddMany(std::span<const SetAddition> additions) = 0;
    virtual Result<std::size_t> doHashSet(std::string_view key, const HashFields& fields) = 0;
    virtual Result<HashFields> doHashGetAll(std::string_view key) = 0;
    virtual Result<std::size_t> doHashDelete(std::string_view key, StringSpan fields) = 0;
    virtual Result<ScanResult> doScanPrefix(std::string_view prefix, std::size_t maxKeys) = 0;
    virtual Status doPublish(std::string_view channel, std::string_view message) = 0;
    virtual Result<Subscription> doSubscribe(std::string_view channel, MessageHandler onMessage, GapHandler onGap) = 0;
    virtual Status doPing() = 0;
};

// A key as printable text for error messages: non-printable bytes as \xHH, cut to about
// 80 characters.
std::string printableKey(std::string_view key);

}  // namespace recdeck::store

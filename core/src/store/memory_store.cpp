#include "recdeck/store/memory_store.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <stop_token>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>

#include "subscription_hub.h"

namespace recdeck::store {

namespace {

using Clock = std::chrono::steady_clock;
constexpr Clock::time_point kNever = Clock::time_point::max();

using MemberSet = std::set<std::string, std::less<>>;
using Value = std::variant<std::string, MemberSet, HashFields>;
using ExpiryIndex = std::multimap<Clock::time_point, std::string>;

struct Entry {
    Value value;
    Clock::time_point expiresAt = kNever;
    ExpiryIndex::iterator expiryNode{};  // valid only while expiresAt != kNever
    std::size_t valueBytes = 0;          // heap bytes of the value (members, fields)
};

// --- Memory accounting (libstdc++ layouts, 64-bit) ---------------------------------------
// Each heap allocation costs its size plus malloc's header and rounding (~16 bytes).
constexpr std::size_t kAllocationOverhead = 16;
// A string's own heap block, when it does not fit the small-string buffer (15 chars).
std::size_t heapOf(std::size_t length) {
    return length > 15 ? length + 1 + kAllocationOverhead : 0;
}
// A node of an unordered_map<string, Entry>: the pair, the next pointer and the cached
// hash, plus its bucket slot.
constexpr std::size_t kKeyNodeBytes =
    sizeof(std::pair<const std::string, Entry>) + 2 * sizeof(void*) + kAllocationOverhead + sizeof(void*);
// A node of a red-black tree: colour and three links before the value.
constexpr std::size_t kTreeNodeBytes = 4 * sizeof(void*) + kAllocationOverhead;
constexpr std::size_t kExpiryNodeBytes = kTreeNodeBytes + sizeof(std::pair<const Clock::time_point, std::string>);
constexpr std::size_t kMemberNodeBytes = kTreeNodeBytes + sizeof(std::string);
constexpr std::size_t kFieldNodeBytes = kTreeNodeBytes + sizeof(std::pair<const std::string, std::string>);

std::size_t memberBytes(std::string_view member) {
    return kMemberNodeBytes + heapOf(member.size());
}
std::size_t fieldBytes(std::string_view field, std::string_view value) {
    return kFieldNodeBytes + heapOf(field.size()) + heapOf(value.size());
}
std::size_t valueBytesOf(const Value& value) {
    if (const auto* text = std::get_if<std::string>(&value)) return heapOf(text->size());
    std::size_t bytes = 0;
    if (const auto* set = std::get_if<MemberSet>(&value)) {
        for (const auto& member : *set) bytes += memberBytes(member);
    } else if (const auto* hash = std::get_if<HashFields>(&value)) {
        for (const auto& [field, text] : *hash) bytes += fieldBytes(field, text);
    }
    return bytes;
}

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

using EntryMap = std::unordered_map<std::string, Entry, StringHash, std::equal_to<>>;

const char* kindName(const Value& value) {
    switch (value.index()) {
        case 0:
            return "a string";
        case 1:
            return "a set";
        default:
            return "a hash";
    }
}

Error wrongType(std::string_view operation, std::string_view key, const Value& value, const char* expected) {
    return Error{std::string("WRONGTYPE ") + std::string(operation) + " on '" + printableKey(key) +
                 "': the key holds " + kindName(value) + ", not " + expected};
}

bool expired(const Entry& entry, Clock::time_point now) {
    return entry.expiresAt <= now;
}

Clock::time_point deadlineAfter(Ttl ttl, Clock::time_point now) {
    if (ttl == kNoExpiry) return kNever;
    return now + std::chrono::duration_cast<Clock::duration>(ttl);
}

// Redis accepts an integer value only in its canonical base-10 form ("12", "-3"; not
// "012", "+1", " 1" or "-0").
std::optional<std::int64_t> parseCanonicalInteger(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end) return std::nullopt;
    if (std::to_string(value) != text) return std::nullopt;
    return value;
}

}  // namespace

struct MemoryStore::State {
    explicit State(MemoryStoreOptions opts) : options(opts) {}

    MemoryStoreOptions options;

    // --- data, guarded by mutex ---
    mutable std::shared_mutex mutex;
    EntryMap entries;
    ExpiryIndex expiries;
    std::size_t bytes = 0;  // counted against options.maxBytes
    std::uint64_t evictions = 0;
    std::uint64_t refusedWrites = 0;

    // What one key costs: its node, its key, its expiry entry (with a copy of the key)
    // and its value.
    static std::size_t costOf(const std::string& key, const Entry& entry) {
        std::size_t cost = kKeyNodeBytes + heapOf(key.size()) + entry.valueBytes;
        if (entry.expiresAt != kNever) cost += kExpiryNodeBytes + heapOf(key.size());
        return cost;
    }
    EntryMap::iterator insert(std::string_view key, Value value) {
        Entry entry;
        entry.value = std::move(value);
        entry.valueBytes = valueBytesOf(entry.value);
        const auto it = entries.emplace(std::string(key), std::move(entry)).first;
        bytes += costOf(it->first, it->second);
        return it;
    }
    // Adjusts the count after the value of `it` changed by `before` -> `after` bytes.
    void revalue(EntryMap::iterator it, std::size_t after) {
        bytes -= it->second.valueBytes;
        it->second.valueBytes = after;
        bytes += after;
    }

    // Evicts keys with a TTL, soonest deadline first, until the store is within its
    // budget. False when it cannot get there (only keys without a TTL are left).
    bool makeRoom() {
        evictToBudget();
        if (bytes <= options.maxBytes) return true;
        ++refusedWrites;
        return false;
    }
    // After a write: what it added may have passed the budget; the soonest to expire go
    // (the keys just written usually expire last).
    void evictToBudget() {
        while (bytes > options.maxBytes && !expiries.empty()) {
            const auto it = entries.find(expiries.begin()->second);
            assert(it != entries.end() && "expiry index out of step with the entries");
            erase(it);
            ++evictions;
        }
    }
    Error outOfMemory(std::string_view operation, std::string_view key) const {
        return Error::unavailable("OOM " + std::string(operation) + " on '" + printableKey(key) +
                                  "': the embedded store holds " + std::to_string(bytes) + " bytes, its limit is " +
                                  std::to_string(options.maxBytes) + ", and nothing left in it may be evicted");
    }

    // --- pub/sub ---
    std::shared_ptr<detail::SubscriptionHub> hub = std::make_shared<detail::SubscriptionHub>();
    std::mutex queueMutex;
    std::condition_variable_any queueCv;
    std::deque<std::pair<std::string, std::string>> queue;
    std::jthread delivery;  // last: stopped and joined before the queue goes away

    // Read side: an expired entry reads as missing; it is erased by the next writer.
    const Entry* findLive(std::string_view key, Clock::time_point now) const {
        const auto it = entries.find(key);
        if (it == entries.end() || expired(it->second, now)) return nullptr;
        return &it->second;
    }

    // Write side (exclusive lock): erases an expired entry on the way.
    EntryMap::iterator findLiveForWrite(std::string_view key, Clock::time_point now) {
        auto it = entries.find(key);
        if (it != entries.end() && expired(it->second, now)) {
            erase(it);
            return entries.end();
        }
        return it;
    }

    void clearExpiry(EntryMap::iterator it) {
        Entry& entry = it->second;
        if (entry.expiresAt == kNever) return;
        expiries.erase(entry.expiryNode);
        entry.expiresAt = kNever;
        bytes -= kExpiryNodeBytes + heapOf(it->first.size());
    }

    void setExpiry(EntryMap::iterator it, Clock::time_point deadline) {
        clearExpiry(it);
        if (deadline == kNever) return;
        it->second.expiresAt = deadline;
        it->second.expiryNode = expiries.emplace(deadline, it->first);
        bytes += kExpiryNodeBytes + heapOf(it->first.size());
    }

    void erase(EntryMap::iterator it) {
        clearExpiry(it);
        bytes -= costOf(it->first, it->second);
        entries.erase(it);
    }

    void sweep(Clock::time_point now) {
        for (std::size_t n = 0; n < options.sweepBatch && !expiries.empty(); ++n) {
            const auto first = expiries.begin();
            if (first->first > now) break;
            const auto it = entries.find(first->second);
            assert(it != entries.end() && "expiry index out of step with the entries");
            erase(it);
        }
    }

    // Stores a string value (SET semantics: replaces any kind, resets the TTL).
    void put(std::string_view key, std::string_view value, Ttl ttl, Clock::time_point now) {
        auto it = entries.find(key);
        if (it == entries.end()) {
            it = insert(key, std::string(value));
        } else {
            it->second.value = std::string(value);
            revalue(it, heapOf(value.size()));
        }
        setExpiry(it, deadlineAfter(ttl, now));
    }

    void deliver(std::stop_token stop) {
        hub->setDeliveryThread(std::this_thread::get_id());
        std::unique_lock lock(queueMutex);
        while (queueCv.wait(lock, stop, [this] { return !queue.empty(); })) {
            auto message = std::move(queue.front());
            queue.pop_front();
            lock.unlock();
            hub->dispatch(message.first, message.second);
            lock.lock();
        }
    }
};

MemoryStore::MemoryStore(MemoryStoreOptions options) : m_state(std::make_unique<State>(options)) {
    assert(options.sweepBatch > 0);
    assert(options.maxBytes > 0);
    m_state->delivery = std::jthread([state = m_state.get()](std::stop_token stop) { state->deliver(stop); });
}

MemoryStore::~MemoryStore() = default;

StoreHealth MemoryStore::health() const {
    return StoreHealth{};
}

std::string MemoryStore::describe() const {
    return "embedded";
}

std::size_t MemoryStore::storedKeyCount() const {
    const std::shared_lock lock(m_state->mutex);
    return m_state->entries.size();
}

MemoryStoreStats MemoryStore::stats() const {
    const std::shared_lock lock(m_state->mutex);
    return {m_state->entries.size(), m_state->bytes, m_state->evictions, m_state->refusedWrites};
}

Result<std::optional<std::string>> MemoryStore::doGet(std::string_view key) {
    const auto now = Clock::now();
    const std::shared_lock lock(m_state->mutex);
    const Entry* entry = m_state->findLive(key, now);
    if (entry == nullptr) return std::optional<std::string>{};
    if (const auto* text = std::get_if<std::string>(&entry->value)) return std::optional<std::string>(*text);
    return wrongType("get", key, entry->value, "a string");
}

Result<std::vector<std::optional<std::string>>> MemoryStore::doGetMany(StringSpan keys) {
    const auto now = Clock::now();
    std::vector<std::optional<std::string>> out(keys.size());
    const std::shared_lock lock(m_state->mutex);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const Entry* entry = m_state->findLive(keys[i], now);
        if (entry == nullptr) continue;
        if (const auto* text = std::get_if<std::string>(&entry->value)) out[i] = *text;
    }
    return out;
}

Status MemoryStore::doSet(std::string_view key, std::string_view value, Ttl ttl) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    if (!m_state->makeRoom()) return m_state->outOfMemory("set", key);
    m_state->put(key, value, ttl, now);
    m_state->evictToBudget();
    return {};
}

Status MemoryStore::doSetMany(std::span<const KeyValue> entries) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    if (!m_state->makeRoom()) return m_state->outOfMemory("setMany", entries.front().key);
    for (const auto& entry : entries) m_state->put(entry.key, entry.value, entry.ttl, now);
    m_state->evictToBudget();
    return {};
}

Result<std::size_t> MemoryStore::doRemove(StringSpan keys) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    std::size_t removed = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto it = m_state->findLiveForWrite(keys[i], now);
        if (it == m_state->entries.end()) continue;
        m_state->erase(it);
        ++removed;
    }
    return removed;
}

Result<bool> MemoryStore::doExpire(std::string_view key, Ttl ttl) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    const auto it = m_state->findLiveForWrite(key, now);
    if (it == m_state->entries.end()) return false;
    m_state->setExpiry(it, deadlineAfter(ttl, now));
    return true;
}

Result<bool> MemoryStore::doSetIfAbsent(std::string_view key, std::string_view value, Ttl ttl) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    if (m_state->findLiveForWrite(key, now) != m_state->entries.end()) return false;
    m_state->put(key, value, ttl, now);
    return true;
}

Result<std::int64_t> MemoryStore::doIncrement(std::string_view key, std::int64_t delta) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    auto it = m_state->findLiveForWrite(key, now);
    std::int64_t current = 0;
    if (it != m_state->entries.end()) {
        const auto* text = std::get_if<std::string>(&it->second.value);
        if (text == nullptr) return wrongType("increment", key, it->second.value, "a string");
        const auto parsed = parseCanonicalInteger(*text);
        if (!parsed)
            return Error{"increment on '" + printableKey(key) + "': the value is not an integer (expected base-10 " +
                         "digits of a 64-bit integer)"};
        current = *parsed;
    }
    std::int64_t next = 0;
    if (__builtin_add_overflow(current, delta, &next))
        return Error{"increment on '" + printableKey(key) + "': " + std::to_string(current) + " + " +
                     std::to_string(delta) + " would overflow a 64-bit integer"};
    if (it == m_state->entries.end()) {
        if (!m_state->makeRoom()) return m_state->outOfMemory("increment", key);
        it = m_state->insert(key, std::string());
    }
    std::string text = std::to_string(next);
    const std::size_t bytes = heapOf(text.size());
    it->second.value = std::move(text);  // keeps the TTL, as INCRBY does
    m_state->revalue(it, bytes);
    return next;
}

Result<std::size_t> MemoryStore::doSetAdd(std::string_view key, StringSpan members) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    auto it = m_state->findLiveForWrite(key, now);
    if (it != m_state->entries.end() && !std::holds_alternative<MemberSet>(it->second.value))
        return wrongType("setAdd", key, it->second.value, "a set");
    if (!m_state->makeRoom()) return m_state->outOfMemory("setAdd", key);
    it = m_state->findLiveForWrite(key, now);  // making room may have evicted it
    if (it == m_state->entries.end()) it = m_state->insert(key, MemberSet{});
    auto& set = std::get<MemberSet>(it->second.value);
    std::size_t added = 0;
    std::size_t bytes = it->second.valueBytes;
    for (std::size_t i = 0; i < members.size(); ++i) {
        if (set.emplace(members[i]).second) {
            ++added;
            bytes += memberBytes(members[i]);
        }
    }
    m_state->revalue(it, bytes);
    m_state->evictToBudget();
    return added;
}

Result<std::vector<SetAddResult>> MemoryStore::doSetAddMany(std::span<const SetAddition> additions) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    for (const auto& addition : additions) {
        const auto it = m_state->findLiveForWrite(addition.key, now);
        if (it != m_state->entries.end() && !std::holds_alternative<MemberSet>(it->second.value))
            return wrongType("setAddMany", addition.key, it->second.value, "a set");
    }
    if (!m_state->makeRoom()) return m_state->outOfMemory("setAddMany", additions.front().key);
    std::vector<SetAddResult> results;
    results.reserve(additions.size());
    for (const auto& addition : additions) {
        auto it = m_state->findLiveForWrite(addition.key, now);
        if (it == m_state->entries.end()) it = m_state->insert(addition.key, MemberSet{});
        auto& set = std::get<MemberSet>(it->second.value);
        SetAddResult result;
        std::size_t bytes = it->second.valueBytes;
        for (const auto& member : addition.members) {
            if (set.emplace(member).second) {
                ++result.added;
                bytes += memberBytes(member);
            }
        }
        m_state->revalue(it, bytes);
        if (addition.ttl != kNoExpiry) m_state->setExpiry(it, deadlineAfter(addition.ttl, now));
        result.size = set.size();
        results.push_back(result);
    }
    m_state->evictToBudget();
    return results;
}

Result<std::vector<std::string>> MemoryStore::doSetMembers(std::string_view key) {
    const auto now = Clock::now();
    const std::shared_lock lock(m_state->mutex);
    const Entry* entry = m_state->findLive(key, now);
    if (entry == nullptr) return std::vector<std::string>{};
    const auto* set = std::get_if<MemberSet>(&entry->value);
    if (set == nullptr) return wrongType("setMembers", key, entry->value, "a set");
    return std::vector<std::string>(set->begin(), set->end());
}

Result<std::size_t> MemoryStore::doSetRemove(std::string_view key, StringSpan members) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    const auto it = m_state->findLiveForWrite(key, now);
    if (it == m_state->entries.end()) return std::size_t{0};
    auto* set = std::get_if<MemberSet>(&it->second.value);
    if (set == nullptr) return wrongType("setRemove", key, it->second.value, "a set");
    std::size_t removed = 0;
    std::size_t bytes = it->second.valueBytes;
    for (std::size_t i = 0; i < members.size(); ++i) {
        const auto member = set->find(members[i]);
        if (member == set->end()) continue;
        bytes -= memberBytes(*member);
        set->erase(member);
        ++removed;
    }
    m_state->revalue(it, bytes);
    if (set->empty()) m_state->erase(it);
    return removed;
}

Result<std::size_t> MemoryStore::doHashSet(std::string_view key, const HashFields& fields) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    auto it = m_state->findLiveForWrite(key, now);
    if (it != m_state->entries.end() && !std::holds_alternative<HashFields>(it->second.value))
        return wrongType("hashSet", key, it->second.value, "a hash");
    if (!m_state->makeRoom()) return m_state->outOfMemory("hashSet", key);
    it = m_state->findLiveForWrite(key, now);  // making room may have evicted it
    if (it == m_state->entries.end()) it = m_state->insert(key, HashFields{});
    auto& hash = std::get<HashFields>(it->second.value);
    std::size_t added = 0;
    std::size_t bytes = it->second.valueBytes;
    for (const auto& [field, value] : fields) {
        if (const auto found = hash.find(field); found != hash.end()) {
            bytes -= fieldBytes(found->first, found->second);
            found->second = value;
        } else {
            hash.emplace(field, value);
            ++added;
        }
        bytes += fieldBytes(field, value);
    }
    m_state->revalue(it, bytes);
    m_state->evictToBudget();
    return added;
}

Result<HashFields> MemoryStore::doHashGetAll(std::string_view key) {
    const auto now = Clock::now();
    const std::shared_lock lock(m_state->mutex);
    const Entry* entry = m_state->findLive(key, now);
    if (entry == nullptr) return HashFields{};
    const auto* hash = std::get_if<HashFields>(&entry->value);
    if (hash == nullptr) return wrongType("hashGetAll", key, entry->value, "a hash");
    return *hash;
}

Result<std::size_t> MemoryStore::doHashDelete(std::string_view key, StringSpan fields) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    const auto it = m_state->findLiveForWrite(key, now);
    if (it == m_state->entries.end()) return std::size_t{0};
    auto* hash = std::get_if<HashFields>(&it->second.value);
    if (hash == nullptr) return wrongType("hashDelete", key, it->second.value, "a hash");
    std::size_t removed = 0;
    std::size_t bytes = it->second.valueBytes;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto field = hash->find(fields[i]);
        if (field == hash->end()) continue;
        bytes -= fieldBytes(field->first, field->second);
        hash->erase(field);
        ++removed;
    }
    m_state->revalue(it, bytes);
    if (hash->empty()) m_state->erase(it);
    return removed;
}

Result<ScanResult> MemoryStore::doScanPrefix(std::string_view prefix, std::size_t maxKeys) {
    const auto now = Clock::now();
    ScanResult result;
    {
        const std::shared_lock lock(m_state->mutex);
        for (const auto& [key, entry] : m_state->entries)
            if (key.starts_with(prefix) && !expired(entry, now)) result.keys.push_back(key);
    }
    std::sort(result.keys.begin(), result.keys.end());
    if (result.keys.size() > maxKeys) {
        result.keys.resize(maxKeys);
        result.truncated = true;
    }
    return result;
}

Status MemoryStore::doPublish(std::string_view channel, std::string_view message) {
    if (!m_state->hub->hasSubscribers(channel)) return {};
    {
        const std::lock_guard lock(m_state->queueMutex);
        if (m_state->queue.size() >= m_state->options.maxPendingMessages)
            return Error{"publish on '" + printableKey(channel) + "': " + std::to_string(m_state->queue.size()) +
                         " messages are waiting for delivery; a handler is too slow or blocked"};
        m_state->queue.emplace_back(std::string(channel), std::string(message));
    }
    m_state->queueCv.notify_one();
    return {};
}

Result<Subscription> MemoryStore::doSubscribe(std::string_view channel, MessageHandler onMessage, GapHandler onGap) {
    auto [handle, newChannel] =
        m_state->hub->add(std::string(channel), std::string(channel), std::move(onMessage), std::move(onGap));
    return std::move(handle);
}

Status MemoryStore::doPing() {
    return {};
}

}  // namespace recdeck::store

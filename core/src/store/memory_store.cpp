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
};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

using EntryMap = std::unordered_map<std::string, Entry, StringHash, std::equal_to<>>;

const char* kindName(const Value& value) {
    switch (value.index()) {
        case 0: return "a string";
        case 1: return "a set";
        default: return "a hash";
    }
}

Error wrongType(std::string_view operation, std::string_view key, const Value& value, const char* expected) {
    return Error{std::string("WRONGTYPE ") + std::string(operation) + " on '" + printableKey(key) + "': the key holds " +
                 kindName(value) + ", not " + expected};
}

bool expired(const Entry& entry, Clock::time_point now) { return entry.expiresAt <= now; }

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

    void clearExpiry(Entry& entry) {
        if (entry.expiresAt != kNever) expiries.erase(entry.expiryNode);
        entry.expiresAt = kNever;
    }

    void setExpiry(EntryMap::iterator it, Clock::time_point deadline) {
        clearExpiry(it->second);
        if (deadline == kNever) return;
        it->second.expiresAt = deadline;
        it->second.expiryNode = expiries.emplace(deadline, it->first);
    }

    void erase(EntryMap::iterator it) {
        clearExpiry(it->second);
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
            it = entries.emplace(std::string(key), Entry{}).first;
        }
        it->second.value = std::string(value);
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
    m_state->delivery = std::jthread([state = m_state.get()](std::stop_token stop) { state->deliver(stop); });
}

MemoryStore::~MemoryStore() = default;

StoreHealth MemoryStore::health() const { return StoreHealth{}; }

std::string MemoryStore::describe() const { return "embedded"; }

std::size_t MemoryStore::storedKeyCount() const {
    const std::shared_lock lock(m_state->mutex);
    return m_state->entries.size();
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
    m_state->put(key, value, ttl, now);
    return {};
}

Status MemoryStore::doSetMany(std::span<const KeyValue> entries) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    for (const auto& entry : entries) m_state->put(entry.key, entry.value, entry.ttl, now);
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
        it = m_state->entries.emplace(std::string(key), Entry{}).first;
    }
    it->second.value = std::to_string(next);  // keeps the TTL, as INCRBY does
    return next;
}

Result<std::size_t> MemoryStore::doSetAdd(std::string_view key, StringSpan members) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    auto it = m_state->findLiveForWrite(key, now);
    if (it == m_state->entries.end()) {
        it = m_state->entries.emplace(std::string(key), Entry{MemberSet{}, kNever, {}}).first;
    }
    auto* set = std::get_if<MemberSet>(&it->second.value);
    if (set == nullptr) return wrongType("setAdd", key, it->second.value, "a set");
    std::size_t added = 0;
    for (std::size_t i = 0; i < members.size(); ++i)
        if (set->emplace(members[i]).second) ++added;
    return added;
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
    for (std::size_t i = 0; i < members.size(); ++i) {
        const auto member = set->find(members[i]);
        if (member == set->end()) continue;
        set->erase(member);
        ++removed;
    }
    if (set->empty()) m_state->erase(it);
    return removed;
}

Result<std::size_t> MemoryStore::doHashSet(std::string_view key, const HashFields& fields) {
    const auto now = Clock::now();
    const std::unique_lock lock(m_state->mutex);
    m_state->sweep(now);
    auto it = m_state->findLiveForWrite(key, now);
    if (it == m_state->entries.end()) {
        it = m_state->entries.emplace(std::string(key), Entry{HashFields{}, kNever, {}}).first;
    }
    auto* hash = std::get_if<HashFields>(&it->second.value);
    if (hash == nullptr) return wrongType("hashSet", key, it->second.value, "a hash");
    std::size_t added = 0;
    for (const auto& [field, value] : fields)
        if (hash->insert_or_assign(field, value).second) ++added;
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
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto field = hash->find(fields[i]);
        if (field == hash->end()) continue;
        hash->erase(field);
        ++removed;
    }
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
            return Error{"publish on '" + printableKey(channel) + "': " +
                         std::to_string(m_state->queue.size()) +
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

Status MemoryStore::doPing() { return {}; }

}  // namespace recdeck::store

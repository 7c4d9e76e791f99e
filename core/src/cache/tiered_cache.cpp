#include "recdeck/cache/tiered_cache.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <future>
#include <random>
#include <shared_mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "recdeck/common/random.h"
#include "recdeck/common/stopwatch.h"

namespace recdeck::cache {

namespace {

constexpr std::size_t kLogLength = 500;
// Item invalidation stamps and model generations kept in memory, at most. Past that, an
// invalidation of another item or model invalidates everything (safe: it only drops
// more), so neither map grows with what an operator or a script names.
constexpr std::size_t kMaxItemStamps = 100'000;
constexpr std::size_t kMaxModelGenerations = 1'000;

std::string userHashKey(std::string_view user) {
    return store::keyOf({"recs", user});
}
std::string globalGenerationKey() {
    return store::keyOf({"cachegen", "all"});
}
std::string modelGenerationKey(std::string_view model) {
    return store::keyOf({"cachegen", "model", model});
}
std::string itemInvalidationsKey() {
    return store::keyOf({"cacheinv", "items"});
}

double uniformOpen() {
    thread_local SplitMix64 rng(std::random_device{}() ^
                                static_cast<std::uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id())));
    double u = rng.uniform();
    while (u <= 0.0) u = rng.uniform();
    return u;
}

std::string randomOrigin() {
    std::random_device device;
    const std::uint64_t value = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) out.push_back(kHex[(value >> (4 * i)) & 0xFU]);
    return out;
}

std::optional<InvalidationKind> parseKind(std::string_view name) {
    for (auto kind : {InvalidationKind::User, InvalidationKind::Item, InvalidationKind::Model, InvalidationKind::All}) {
        if (name == invalidationKindName(kind)) return kind;
    }
    return std::nullopt;
}

}  // namespace

const char* invalidationKindName(InvalidationKind kind) {
    switch (kind) {
        case InvalidationKind::User:
            return "user";
        case InvalidationKind::Item:
            return "item";
        case InvalidationKind::Model:
            return "model";
        case InvalidationKind::All:
            return "all";
    }
    return "all";
}

struct TieredCache::Flight {
    std::shared_future<Result<std::shared_ptr<const CacheEntry>>> result;
};

struct TieredCache::Counters {
    std::atomic<std::uint64_t> l1Hits{0}, l1Misses{0}, l2Hits{0}, l2Misses{0}, l2Errors{0};
    std::atomic<std::uint64_t> computes{0}, computeErrors{0}, coalesced{0}, earlyRefreshes{0}, invalidations{0};
};

TieredCache::TieredCache(std::shared_ptr<store::KeyValueStore> l2, CacheConfig config)
    : m_l2(config.useL2 ? std::move(l2) : nullptr),
      m_config(std::move(config)),
      m_l1(m_config.l1MaxEntries, m_config.l1MaxBytes),
      m_origin(randomOrigin()),
      m_userEpochs(new std::atomic<std::uint64_t>[kEpochSlots]),
      m_counters(std::make_unique<Counters>()) {
    for (std::size_t i = 0; i < kEpochSlots; ++i) m_userEpochs[i] = 0;
    if (!m_l2) return;
    reloadSharedState();
    auto subscription = m_l2->subscribe(
        m_config.channel, [this](std::string_view, std::string_view message) { applyRemote(message); },
        [this](std::string_view) {
            // Messages may have been lost while disconnected: trust nothing local.
            m_globalEpoch.fetch_add(1);
            m_l1.clear();
            reloadSharedState();
        });
    // Without a subscription the cache still works; other instances' invalidations then
    // reach this one only through L2 (generations, item times, removed user hashes).
    if (subscription) m_subscription = std::move(*subscription);
}

TieredCache::~TieredCache() {
    m_subscription.cancel();
}

std::size_t TieredCache::epochSlot(std::string_view user) const {
    return std::hash<std::string_view>{}(user) % kEpochSlots;
}

std::int64_t TieredCache::jitteredTtlMs() const {
    double ttl = 0;
    double jitter = 0;
    {
        std::lock_guard lock(m_configMutex);
        ttl = static_cast<double>(m_config.ttl.count());
        jitter = std::clamp(m_config.jitter, 0.0, 0.5);
    }
    const double factor = 1.0 + jitter * (2.0 * uniformOpen() - 1.0);
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(ttl * factor));
}

std::uint64_t TieredCache::modelGeneration(std::string_view model) const {
    std::lock_guard lock(m_stateMutex);
    const auto found = m_modelGenerations.find(std::string(model));
    return found == m_modelGenerations.end() ? 0 : found->second;
}

bool TieredCache::valid(const CacheEntry& entry, std::int64_t nowMs) const {
    if (entry.expiresMs <= nowMs) return false;
    std::lock_guard lock(m_stateMutex);
    if (entry.generation < m_generation) return false;
    if (const auto found = m_modelGenerations.find(entry.model);
        found != m_modelGenerations.end() && entry.modelGeneration < found->second) {
        return false;
    }
    if (!m_itemInvalidatedAt.empty()) {
        for (const auto& item : entry.items) {
            const auto found = m_itemInvalidatedAt.find(item);
            if (found != m_itemInvalidatedAt.end() && found->second >= entry.createdUs) return false;
        }
    }
    return true;
}

bool TieredCache::shouldRefreshEarly(const CacheEntry& entry, std::int64_t nowMs) const {
    double beta = 0;
    {
        std::lock_guard lock(m_configMutex);
        beta = m_config.xfetchBeta;
    }
    if (beta <= 0.0 || entry.computeMs <= 0.0) return false;
    const double gap = -entry.computeMs * beta * std::log(uniformOpen());
    return static_cast<double>(nowMs) + gap >= static_cast<double>(entry.expiresMs);
}

std::optional<std::shared_ptr<const CacheEntry>> TieredCache::readL2(const CacheKey& key, std::int64_t nowMs,
                                                                     std::string& degraded) {
    if (!m_l2) return std::nullopt;
    auto fields = m_l2->hashGetAll(userHashKey(key.user));
    if (!fields) {
        m_counters->l2Errors.fetch_add(1);
        degraded = "L2 unavailable: " + fields.errorMessage();
        return std::nullopt;
    }
    const auto found = fields->find(key.variant);
    if (found == fields->end()) return std::nullopt;
    auto decoded = decodeEntry(found->second);
    if (!decoded || !valid(*decoded, nowMs)) return std::nullopt;
    if (m_decoder) {
        // A payload its owner cannot decode (another build's, or damaged) is a miss: it
        // is computed again and overwritten.
        decoded->decoded = m_decoder(*decoded);
        if (!decoded->decoded) return std::nullopt;
        // L1 keeps the decoded form alone (cache_entry.h): the payload would hold it twice.
        std::string().swap(decoded->payload);
    }
    return std::make_shared<const CacheEntry>(std::move(*decoded));
}

void TieredCache::writeL2(const CacheKey& key, const CacheEntry& entry, std::string& degraded) {
    if (!m_l2) return;
    const std::string hashKey = userHashKey(key.user);
    store::HashFields fields;
    fields.emplace(key.variant, encodeEntry(entry));
    auto written = m_l2->hashSet(hashKey, fields);
    if (written) {
        // The hash outlives its longest entry a little; entries carry their own expiry.
        const auto ttl = std::chrono::milliseconds(entry.expiresMs - entry.createdUs / 1000) * 3 / 2;
        if (auto expired = m_l2->expire(hashKey, std::max(ttl, std::chrono::milliseconds(1000))); !expired) {
            written = Error{expired.errorMessage()};
        }
    }
    if (!written) {
        m_counters->l2Errors.fetch_add(1);
        if (degraded.empty()) degraded = "L2 unavailable: " + written.errorMessage();
    }
}

Result<CacheResult> TieredCache::getOrCompute(const CacheKey& key, const Compute& compute) {
    const std::int64_t now = unixMillis();
    if (auto hit = m_l1.get(key, now)) {
        m_counters->l1Hits.fetch_add(1);
        if (!shouldRefreshEarly(*hit, now)) return CacheResult{hit, Tier::L1, false, false, {}};
        return computeOnce(key, compute, {}, true, std::move(hit));
    }
    m_counters->l1Misses.fetch_add(1);
    std::string degraded;
    if (auto hit = readL2(key, now, degraded)) {
        m_counters->l2Hits.fetch_add(1);
        m_l1.put(key, *hit);
        if (!shouldRefreshEarly(**hit, now)) return CacheResult{*hit, Tier::L2, false, false, {}};
        return computeOnce(key, compute, {}, true, std::move(*hit));
    }
    if (m_l2) m_counters->l2Misses.fetch_add(1);
    return computeOnce(key, compute, std::move(degraded), false, nullptr);
}

Result<CacheResult> TieredCache::refresh(const CacheKey& key, const Compute& compute) {
    return computeOnce(key, compute, {}, false, nullptr);
}

Result<CacheResult> TieredCache::computeOnce(const CacheKey& key, const Compute& compute, std::string degraded,
                                             bool early, std::shared_ptr<const CacheEntry> stale) {
    std::string flightKey = key.user;
    flightKey.push_back('\x1f');
    flightKey += key.variant;

    std::promise<Result<std::shared_ptr<const CacheEntry>>> promise;
    {
        std::unique_lock lock(m_flightMutex);
        if (auto found = m_flights.find(flightKey); found != m_flights.end()) {
            if (stale) return CacheResult{std::move(stale), Tier::L1, false, false, std::move(degraded)};
            auto shared = found->second->result;
            lock.unlock();
            m_counters->coalesced.fetch_add(1);
            const auto& result = shared.get();
            if (!result) return result.error();
            return CacheResult{*result, Tier::Compute, true, false, std::move(degraded)};
        }
        auto flight = std::make_shared<Flight>();
        flight->result = promise.get_future().share();
        m_flights.emplace(flightKey, std::move(flight));
    }

    // Everything that could make this result stale is captured before computing.
    const std::int64_t startedUs = unixMicros();
    const std::int64_t startedMs = startedUs / 1000;
    const std::uint64_t userEpoch = m_userEpochs[epochSlot(key.user)].load();
    const std::uint64_t globalEpoch = m_globalEpoch.load();
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(m_stateMutex);
        generation = m_generation;
    }
    const std::uint64_t modelGen = modelGeneration(key.model);

    Stopwatch watch;
    Result<CacheEntry> computed = Error{"not computed"};
    try {
        computed = compute();
    } catch (const std::exception& error) {
        computed = Error{std::string("computation failed: ") + error.what()};
    } catch (...) {
        computed = Error{"computation failed"};
    }
    m_counters->computes.fetch_add(1);
    if (early) m_counters->earlyRefreshes.fetch_add(1);

    Result<std::shared_ptr<const CacheEntry>> outcome = Error{"not computed"};
    if (computed) {
        CacheEntry entry = std::move(*computed);
        if (entry.model.empty()) entry.model = key.model;
        entry.createdUs = startedUs;
        entry.computeMs = watch.elapsedMs();
        entry.expiresMs = startedMs + jitteredTtlMs();
        entry.generation = generation;
        entry.modelGeneration = entry.model == key.model ? modelGen : modelGeneration(entry.model);
        // An invalidation that raced with the computation wins: serve, but do not cache.
        const bool cacheable =
            m_userEpochs[epochSlot(key.user)].load() == userEpoch && m_globalEpoch.load() == globalEpoch;
        if (cacheable) writeL2(key, entry, degraded);
        // L1 keeps the decoded form alone (cache_entry.h): the payload was only for L2.
        if (entry.decoded) std::string().swap(entry.payload);
        auto shared = std::make_shared<const CacheEntry>(std::move(entry));
        if (cacheable) m_l1.put(key, shared);
        outcome = shared;
    } else {
        m_counters->computeErrors.fetch_add(1);
        outcome = computed.error();
    }
    promise.set_value(outcome);
    {
        std::lock_guard lock(m_flightMutex);
        m_flights.erase(flightKey);
    }
    if (!outcome) {
        // An early refresh that failed still has a good value to serve.
        if (stale) return CacheResult{std::move(stale), Tier::L1, false, false, std::move(degraded)};
        return outcome.error();
    }
    return CacheResult{*outcome, Tier::Compute, false, early, std::move(degraded)};
}

std::optional<CacheResult> TieredCache::peek(const CacheKey& key) {
    const std::int64_t now = unixMillis();
    if (auto hit = m_l1.get(key, now)) return CacheResult{hit, Tier::L1, false, false, {}};
    std::string degraded;
    if (auto hit = readL2(key, now, degraded)) return CacheResult{*hit, Tier::L2, false, false, {}};
    return std::nullopt;
}

Status TieredCache::publish(InvalidationKind kind, std::string_view id, std::uint64_t generation,
                            std::int64_t stampUs) {
    if (!m_l2) return {};
    nlohmann::json message = {
        {"o", m_origin}, {"k", invalidationKindName(kind)}, {"id", std::string(id)}, {"g", generation}, {"t", stampUs}};
    return m_l2->publish(m_config.channel, message.dump());
}

Status TieredCache::invalidateUser(std::string_view user) {
    m_userEpochs[epochSlot(user)].fetch_add(1);
    InvalidationRecord rec{unixMillis(), InvalidationKind::User, std::string(user), false, m_l1.eraseUser(user), {}};
    if (m_l2) {
        if (auto removed = m_l2->remove({userHashKey(user)}); !removed) rec.error = removed.errorMessage();
        if (auto sent = publish(InvalidationKind::User, user, 0, rec.atMs); !sent && rec.error.empty())
            rec.error = sent.errorMessage();
    }
    const std::string error = rec.error;
    record(std::move(rec));
    if (!error.empty()) return Error{"invalidated locally; shared cache not reached: " + error};
    return {};
}

void TieredCache::pruneItemStamps(std::int64_t nowUs) {
    // A stamp older than the longest TTL an entry can have cannot make anything stale:
    // every entry created before it has expired.
    std::int64_t longestUs = 0;
    {
        std::lock_guard lock(m_configMutex);
        longestUs = static_cast<std::int64_t>(static_cast<double>(m_config.ttl.count()) * 1000.0 *
                                              (1.0 + std::clamp(m_config.jitter, 0.0, 0.5))) +
                    1'000'000;
    }
    std::erase_if(m_itemInvalidatedAt, [&](const auto& stamp) { return stamp.second < nowUs - longestUs; });
}

Status TieredCache::invalidateItem(std::string_view item) {
    const std::int64_t now = unixMicros();
    bool overflow = false;
    {
        std::lock_guard lock(m_stateMutex);
        if (m_itemInvalidatedAt.size() >= kMaxItemStamps) pruneItemStamps(now);
        overflow = m_itemInvalidatedAt.size() >= kMaxItemStamps && !m_itemInvalidatedAt.contains(std::string(item));
        if (!overflow) {
            auto& at = m_itemInvalidatedAt[std::string(item)];
            at = std::max(at, now);
        }
    }
    if (overflow) return invalidateAll();
    m_globalEpoch.fetch_add(1);
    const std::string itemId(item);
    InvalidationRecord rec{now / 1000,
                           InvalidationKind::Item,
                           itemId,
                           false,
                           m_l1.eraseIf([&](const CacheEntry& entry) {
                               return std::find(entry.items.begin(), entry.items.end(), itemId) != entry.items.end();
                           }),
                           {}};
    if (m_l2) {
        if (auto saved = m_l2->hashSet(itemInvalidationsKey(), {{itemId, std::to_string(now)}}); !saved) {
            rec.error = saved.errorMessage();
        } else {
            // The shared stamps expire with the longest-lived entry they can concern.
            const auto ttl = config().ttl;
            (void)m_l2->expire(itemInvalidationsKey(), std::chrono::milliseconds(ttl.count() * 2 + 1000));
        }
        if (auto sent = publish(InvalidationKind::Item, item, 0, now); !sent && rec.error.empty())
            rec.error = sent.errorMessage();
    }
    const std::string error = rec.error;
    record(std::move(rec));
    if (!error.empty()) return Error{"invalidated locally; shared cache not reached: " + error};
    return {};
}

Status TieredCache::invalidateModel(std::string_view model) {
    bool overflow = false;
    {
        std::lock_guard lock(m_stateMutex);
        overflow =
            m_modelGenerations.size() >= kMaxModelGenerations && !m_modelGenerations.contains(std::string(model));
    }
    if (overflow) return invalidateAll();
    std::string error;
    std::uint64_t generation = 0;
    if (m_l2) {
        auto next = m_l2->increment(modelGenerationKey(model));
        if (next)
            generation = static_cast<std::uint64_t>(*next);
        else
            error = next.errorMessage();
    }
    {
        std::lock_guard lock(m_stateMutex);
        auto& current = m_modelGenerations[std::string(model)];
        current = std::max(current + (generation == 0 ? 1 : 0), generation);
        generation = current;
    }
    m_globalEpoch.fetch_add(1);
    const std::string name(model);
    InvalidationRecord rec{unixMillis(),
                           InvalidationKind::Model,
                           name,
                           false,
                           m_l1.eraseIf([&](const CacheEntry& entry) { return entry.model == name; }),
                           error};
    if (m_l2) {
        if (auto sent = publish(InvalidationKind::Model, model, generation, rec.atMs); !sent && rec.error.empty())
            rec.error = sent.errorMessage();
    }
    error = rec.error;
    record(std::move(rec));
    if (!error.empty()) return Error{"invalidated locally; shared cache not reached: " + error};
    return {};
}

Status TieredCache::invalidateAll() {
    std::string error;
    std::uint64_t generation = 0;
    if (m_l2) {
        auto next = m_l2->increment(globalGenerationKey());
        if (next)
            generation = static_cast<std::uint64_t>(*next);
        else
            error = next.errorMessage();
    }
    {
        std::lock_guard lock(m_stateMutex);
        m_generation = std::max(m_generation + (generation == 0 ? 1 : 0), generation);
        generation = m_generation;
    }
    m_globalEpoch.fetch_add(1);
    const auto dropped = m_l1.stats().entries;
    m_l1.clear();
    InvalidationRecord rec{unixMillis(), InvalidationKind::All, {}, false, dropped, error};
    if (m_l2) {
        if (auto sent = publish(InvalidationKind::All, {}, generation, rec.atMs); !sent && rec.error.empty())
            rec.error = sent.errorMessage();
    }
    error = rec.error;
    record(std::move(rec));
    if (!error.empty()) return Error{"invalidated locally; shared cache not reached: " + error};
    return {};
}

void TieredCache::applyRemote(std::string_view text) {
    const auto message = nlohmann::json::parse(text, nullptr, false);
    if (!message.is_object() || message.value("o", std::string()) == m_origin) return;
    const auto kind = parseKind(message.value("k", std::string()));
    if (!kind) return;
    const std::string id = message.value("id", std::string());
    const std::uint64_t generation = message.value("g", std::uint64_t{0});
    const std::int64_t at = message.value("t", std::int64_t{0});
    InvalidationRecord rec{unixMillis(), *kind, id, true, 0, {}};
    switch (*kind) {
        case InvalidationKind::User:
            m_userEpochs[epochSlot(id)].fetch_add(1);
            rec.l1Dropped = m_l1.eraseUser(id);
            break;
        case InvalidationKind::Item: {
            bool overflow = false;
            {
                std::lock_guard lock(m_stateMutex);
                if (m_itemInvalidatedAt.size() >= kMaxItemStamps) pruneItemStamps(unixMicros());
                if (m_itemInvalidatedAt.size() < kMaxItemStamps || m_itemInvalidatedAt.contains(id)) {
                    auto& stamp = m_itemInvalidatedAt[id];
                    stamp = std::max(stamp, at);
                } else {
                    ++m_generation;  // no room for the stamp: nothing older is trusted
                    overflow = true;
                }
            }
            m_globalEpoch.fetch_add(1);
            if (overflow) {
                rec.l1Dropped = m_l1.stats().entries;
                m_l1.clear();
                break;
            }
            rec.l1Dropped = m_l1.eraseIf([&](const CacheEntry& entry) {
                return std::find(entry.items.begin(), entry.items.end(), id) != entry.items.end();
            });
            break;
        }
        case InvalidationKind::Model: {
            bool overflow = false;
            {
                std::lock_guard lock(m_stateMutex);
                if (m_modelGenerations.size() < kMaxModelGenerations || m_modelGenerations.contains(id)) {
                    auto& current = m_modelGenerations[id];
                    current = std::max(current, generation);
                } else {
                    ++m_generation;  // no room for the generation: nothing older is trusted
                    overflow = true;
                }
            }
            m_globalEpoch.fetch_add(1);
            if (overflow) {
                rec.l1Dropped = m_l1.stats().entries;
                m_l1.clear();
                break;
            }
            rec.l1Dropped = m_l1.eraseIf([&](const CacheEntry& entry) { return entry.model == id; });
            break;
        }
        case InvalidationKind::All: {
            {
                std::lock_guard lock(m_stateMutex);
                m_generation = std::max(m_generation, generation);
            }
            m_globalEpoch.fetch_add(1);
            rec.l1Dropped = m_l1.stats().entries;
            m_l1.clear();
            break;
        }
    }
    record(std::move(rec));
}

void TieredCache::reloadSharedState() {
    if (!m_l2) return;
    std::uint64_t generation = 0;
    if (auto value = m_l2->get(globalGenerationKey()); value && *value) {
        generation = std::strtoull((*value)->c_str(), nullptr, 10);
    }
    std::unordered_map<std::string, std::uint64_t> models;
    if (auto keys = m_l2->scanPrefix(store::keyPrefixOf({"cachegen", "model"}), 100'000); keys && !keys->keys.empty()) {
        if (auto values = m_l2->getMany(keys->keys)) {
            for (std::size_t i = 0; i < keys->keys.size(); ++i) {
                auto parts = store::decodeKey(keys->keys[i]);
                if (!parts || parts->size() != 3 || !(*values)[i]) continue;
                models[(*parts)[2]] = std::strtoull((*values)[i]->c_str(), nullptr, 10);
            }
        }
    }
    std::unordered_map<std::string, std::int64_t> items;
    if (auto fields = m_l2->hashGetAll(itemInvalidationsKey())) {
        for (const auto& [item, at] : *fields) items[item] = std::strtoll(at.c_str(), nullptr, 10);
    }
    std::lock_guard lock(m_stateMutex);
    m_generation = std::max(m_generation, generation);
    for (const auto& [model, gen] : models) {
        auto& current = m_modelGenerations[model];
        current = std::max(current, gen);
    }
    for (const auto& [item, at] : items) {
        auto& current = m_itemInvalidatedAt[item];
        current = std::max(current, at);
    }
    pruneItemStamps(unixMicros());
    // More shared state than the bounds allow: trust nothing older instead.
    if (m_itemInvalidatedAt.size() > kMaxItemStamps || m_modelGenerations.size() > kMaxModelGenerations) {
        m_itemInvalidatedAt.clear();
        m_modelGenerations.clear();
        ++m_generation;
        m_globalEpoch.fetch_add(1);
        m_l1.clear();
    }
}

void TieredCache::record(InvalidationRecord rec) {
    m_counters->invalidations.fetch_add(1);
    InvalidationListener listener;
    {
        std::lock_guard lock(m_stateMutex);
        m_log.push_back(rec);
        while (m_log.size() > kLogLength) m_log.pop_front();
        listener = m_listener;
    }
    if (listener) listener(rec);
}

CacheStats TieredCache::stats() const {
    CacheStats stats;
    stats.l1Hits = m_counters->l1Hits.load();
    stats.l1Misses = m_counters->l1Misses.load();
    stats.l2Hits = m_counters->l2Hits.load();
    stats.l2Misses = m_counters->l2Misses.load();
    stats.l2Errors = m_counters->l2Errors.load();
    stats.computes = m_counters->computes.load();
    stats.computeErrors = m_counters->computeErrors.load();
    stats.coalesced = m_counters->coalesced.load();
    stats.earlyRefreshes = m_counters->earlyRefreshes.load();
    stats.invalidations = m_counters->invalidations.load();
    stats.l1 = m_l1.stats();
    return stats;
}

CacheConfig TieredCache::config() const {
    std::lock_guard lock(m_configMutex);
    return m_config;
}

void TieredCache::setConfig(const CacheConfig& config) {
    {
        std::lock_guard lock(m_configMutex);
        m_config.l1MaxEntries = config.l1MaxEntries;
        m_config.l1MaxBytes = config.l1MaxBytes;
        m_config.ttl = config.ttl;
        m_config.jitter = std::clamp(config.jitter, 0.0, 0.5);
        m_config.xfetchBeta = std::max(0.0, config.xfetchBeta);
    }
    m_l1.setLimits(config.l1MaxEntries, config.l1MaxBytes);
}

std::vector<InvalidationRecord> TieredCache::invalidationLog() const {
    std::lock_guard lock(m_stateMutex);
    return {m_log.begin(), m_log.end()};
}

void TieredCache::setDecoder(Decoder decoder) {
    m_decoder = std::move(decoder);
}

void TieredCache::setInvalidationListener(InvalidationListener listener) {
    std::lock_guard lock(m_stateMutex);
    m_listener = std::move(listener);
}

}  // namespace recdeck::cache

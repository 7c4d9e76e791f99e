#include "recdeck/features/feature_store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "recdeck/common/stopwatch.h"
#include "recdeck/common/text_checks.h"
#include "recdeck/store/memory_store.h"

namespace recdeck::features {

namespace {

using nlohmann::json;

std::string historyKey(std::string_view user) {
    return store::keyOf({"hist", user});
}
std::string userFeaturesKey(std::string_view user) {
    return store::keyOf({"feat", "user", user});
}
std::string itemFeaturesKey(std::string_view item) {
    return store::keyOf({"feat", "item", item});
}

bool isEngagement(store::EventType type) {
    return type != store::EventType::Impression;
}

// History members sort by time because the timestamp leads, zero-padded.
std::string encodeMember(const store::Event& event) {
    std::string ts = std::to_string(std::max<std::int64_t>(0, event.timestampMs));
    if (ts.size() < 15) ts.insert(0, 15 - ts.size(), '0');
    return ts + "|" + std::string(store::eventTypeName(event.type)) + "|" + event.itemId;
}

std::optional<RecentItem> decodeMember(std::string_view member) {
    const auto first = member.find('|');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = member.find('|', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const auto type = store::parseEventType(member.substr(first + 1, second - first - 1));
    if (!type) return std::nullopt;
    RecentItem item;
    item.type = *type;
    item.itemId = std::string(member.substr(second + 1));
    item.timestampMs = std::strtoll(std::string(member.substr(0, first)).c_str(), nullptr, 10);
    return item;
}

// Identifies a training snapshot, so features cached under another one are recomputed.
std::string fingerprint(const BaseData& base) {
    if (!base.dataset || !base.matrix) return "none";
    return std::to_string(base.dataset->users.size()) + "/" + std::to_string(base.dataset->catalog.size()) + "/" +
           std::to_string(base.matrix->nonZeros()) + "/" + std::to_string(base.matrix->latestTimestamp());
}

json encodeUser(const UserFeatures& f, const std::string& base) {
    json recent = json::array();
    for (const auto& r : f.recent) recent.push_back({r.itemId, store::eventTypeName(r.type), r.timestampMs});
    json affinity = json::array();
    for (const auto& c : f.categoryAffinity) affinity.push_back({c.category, c.share});
    json out = {
        {"base", base},        {"history", f.history}, {"owned", f.owned},         {"length", f.historyLength},
        {"recent", recent},    {"affinity", affinity}, {"purchases", f.purchases}, {"last_active", f.lastActiveMs},
        {"at", f.computedAtMs}};
    if (f.trainedUser) out["trained"] = *f.trainedUser;
    return out;
}

// A record cached by this or another instance, or written by anyone with access to the
// store: trusted only once it is consistent with the training snapshot (indices in range,
// sorted and unique; the training row the user really has; bounded lists). Anything else
// is recomputed.
std::optional<UserFeatures> decodeUser(std::string_view text, std::string_view userId, const std::string& base,
                                       const BaseData& data, std::size_t recentLimit) {
    const json in = json::parse(text, nullptr, false);
    if (!in.is_object()) return std::nullopt;
    try {
        if (in.at("base").get<std::string>() != base) return std::nullopt;
        const std::size_t itemCount = data.matrix ? data.matrix->itemCount() : 0;
        std::optional<Index> row;
        if (data.dataset && data.matrix) {
            if (auto found = data.dataset->users.find(userId); found && *found < data.matrix->userCount()) row = found;
        }
        const auto indices = [&](const char* field) -> std::optional<std::vector<Index>> {
            auto values = in.at(field).get<std::vector<Index>>();
            if (values.size() > itemCount) return std::nullopt;
            for (std::size_t i = 0; i < values.size(); ++i) {
                if (values[i] >= itemCount || (i > 0 && values[i] <= values[i - 1])) return std::nullopt;
            }
            return values;
        };
        UserFeatures f;
        f.userId = std::string(userId);
        if (in.contains("trained")) f.trainedUser = in.at("trained").get<Index>();
        if (f.trainedUser != row) return std::nullopt;
        auto history = indices("history");
        auto owned = indices("owned");
        if (!history || !owned) return std::nullopt;
        f.history = std::move(*history);
        f.owned = std::move(*owned);
        f.historyLength = in.at("length").get<std::size_t>();
        const auto& recent = in.at("recent");
        if (!recent.is_array() || recent.size() > recentLimit) return std::nullopt;
        for (const auto& r : recent) {
            RecentItem item;
            item.itemId = r.at(0).get<std::string>();
            if (!idProblem(item.itemId).empty()) return std::nullopt;
            const auto type = store::parseEventType(r.at(1).get<std::string>());
            if (!type) return std::nullopt;
            item.type = *type;
            item.timestampMs = r.at(2).get<std::int64_t>();
            f.recent.push_back(std::move(item));
        }
        const auto& affinity = in.at("affinity");
        const std::size_t categories = data.dataset ? data.dataset->catalog.categories().size() : 0;
        if (!affinity.is_array() || affinity.size() > categories) return std::nullopt;
        for (const auto& c : affinity) {
            CategoryShare share{c.at(0).get<std::string>(), c.at(1).get<double>()};
            if (!data.dataset || !data.dataset->catalog.categories().find(share.category)) return std::nullopt;
            if (!(share.share >= 0.0 && share.share <= 1.0)) return std::nullopt;
            f.categoryAffinity.push_back(std::move(share));
        }
        f.purchases = in.at("purchases").get<std::size_t>();
        f.lastActiveMs = in.at("last_active").get<std::int64_t>();
        f.computedAtMs = in.at("at").get<std::int64_t>();
        f.fromCache = true;
        return f;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

// An item record: only its counts come from the store (they include other instances'
// engagement); what the catalog says is taken from the catalog.
std::optional<ItemFeatures> decodeItem(std::string_view text, const std::string& itemId, const std::string& base) {
    const json in = json::parse(text, nullptr, false);
    if (!in.is_object()) return std::nullopt;
    try {
        if (in.at("base").get<std::string>() != base) return std::nullopt;
        ItemFeatures f;
        f.itemId = itemId;
        f.popularity = in.at("popularity").get<double>();
        f.recentEngagement = in.at("recent").get<double>();
        f.ageDays = in.at("age_days").get<double>();
        f.computedAtMs = in.at("at").get<std::int64_t>();
        for (double value : {f.popularity, f.recentEngagement, f.ageDays}) {
            if (!(std::isfinite(value) && value >= 0.0)) return std::nullopt;
        }
        return f;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

}  // namespace

struct FeatureStore::Impl {
    std::shared_ptr<store::KeyValueStore> store;
    FeatureConfig config;

    // The training snapshot with what is derived from it once.
    struct Snapshot {
        BaseData data;
        std::string fingerprint;
        std::vector<std::uint32_t> popularity;  // distinct training users per item
    };
    mutable std::mutex baseMutex;
    std::shared_ptr<const Snapshot> base;

    static std::shared_ptr<const Snapshot> makeSnapshot(BaseData data) {
        auto snap = std::make_shared<Snapshot>();
        snap->fingerprint = fingerprint(data);
        if (data.matrix) snap->popularity = data.matrix->itemPopularity();
        snap->data = std::move(data);
        return snap;
    }

    // Events this instance ingested, kept locally too when the store can fail: the
    // history survives a store outage, and writes that failed are retried once the store
    // answers again. Bounded by config.localHistoryMembers events across users.
    bool keepLocal = true;
    mutable std::mutex localMutex;
    std::unordered_map<std::string, std::set<std::string>> localHistory;
    std::deque<std::string> localOrder;  // users in first-seen order: the oldest go first
    std::size_t localMembers = 0;        // events in localHistory
    std::vector<std::pair<std::string, std::string>> pendingWrites;

    // Item engagement since training, for catalog items only: the total, and counts in
    // kTrendBuckets buckets of the trending window (a ring: the newest bucket and the
    // kTrendBuckets - 1 before it).
    static constexpr std::size_t kTrendBuckets = 24;
    struct Engagement {
        double total = 0;
        std::int64_t newest = std::numeric_limits<std::int64_t>::min();
        std::array<float, kTrendBuckets> counts{};

        static std::size_t slot(std::int64_t bucket) {
            const auto n = static_cast<std::int64_t>(kTrendBuckets);
            return static_cast<std::size_t>(((bucket % n) + n) % n);
        }
        void add(std::int64_t bucket) {
            const auto n = static_cast<std::int64_t>(kTrendBuckets);
            if (newest == std::numeric_limits<std::int64_t>::min() || bucket - newest >= n) {
                counts.fill(0.0F);
                newest = bucket;
            } else if (bucket > newest) {
                for (std::int64_t b = newest + 1; b <= bucket; ++b) counts[slot(b)] = 0.0F;  // < n steps
                newest = bucket;
            } else if (bucket <= newest - n) {
                return;  // older than every bucket kept: counts in the total only
            }
            counts[slot(bucket)] += 1.0F;
        }
        double recent(std::int64_t nowBucket) const {
            const auto n = static_cast<std::int64_t>(kTrendBuckets);
            if (newest == std::numeric_limits<std::int64_t>::min()) return 0.0;
            double sum = 0;
            for (std::int64_t b = std::max(newest, nowBucket) - n + 1; b <= std::min(newest, nowBucket); ++b) {
                if (b > newest - n && b > nowBucket - n) sum += counts[slot(b)];
            }
            return sum;
        }
    };
    mutable std::mutex itemMutex;
    std::unordered_map<std::string, Engagement> engagement;

    std::atomic<std::uint64_t> userHits{0}, userComputes{0}, itemHits{0}, itemComputes{0}, refreshes{0}, storeErrors{0};

    static constexpr std::size_t kPendingLimit = 100'000;

    std::int64_t bucketOf(std::int64_t timestampMs) const {
        const std::int64_t width =
            std::max<std::int64_t>(1, config.trendingWindow.count() / static_cast<std::int64_t>(kTrendBuckets));
        return timestampMs / width;
    }

    std::shared_ptr<const Snapshot> snapshot() const {
        std::lock_guard lock(baseMutex);
        return base;
    }

    // Under localMutex.
    void rememberLocally(const std::string& user, const std::string& member) {
        auto [it, inserted] = localHistory.try_emplace(user);
        if (inserted) localOrder.push_back(user);
        if (it->second.insert(member).second) ++localMembers;
        while (it->second.size() > config.maxEventHistory) {
            it->second.erase(it->second.begin());
            --localMembers;
        }
        // The oldest users go first; the one just written is the newest, so it stays
        // unless it alone exceeds the budget.
        while (localMembers > config.localHistoryMembers && localOrder.size() > 1) {
            const auto oldest = localHistory.find(localOrder.front());
            if (oldest != localHistory.end()) {
                localMembers -= oldest->second.size();
                localHistory.erase(oldest);
            }
            localOrder.pop_front();
        }
    }

    // Under localMutex.
    void keepForRetry(const std::string& user, const std::vector<std::string>& members) {
        for (const auto& member : members) {
            if (pendingWrites.size() >= kPendingLimit) return;
            pendingWrites.emplace_back(user, member);
        }
    }

    // Adds members to the users' histories (one pipelined round trip), renews their
    // expiry and trims those grown past the bound. False when the store failed; the
    // writes are then kept for a retry.
    bool writeHistories(std::map<std::string, std::vector<std::string>>& byUser) {
        if (byUser.empty()) return true;
        std::vector<store::SetAddition> additions;
        additions.reserve(byUser.size());
        for (auto& [user, members] : byUser) additions.push_back({historyKey(user), members, config.historyTtl});
        auto added = store->setAddMany(additions);
        if (!added) {
            storeErrors.fetch_add(1);
            std::lock_guard lock(localMutex);
            for (const auto& [user, members] : byUser) keepForRetry(user, members);
            return false;
        }
        // Trimmed back to the bound once it is exceeded by a quarter, so a busy user
        // costs a trim every maxEventHistory / 4 events, not every event.
        const std::size_t trimAt = config.maxEventHistory + std::max<std::size_t>(1, config.maxEventHistory / 4);
        std::size_t i = 0;
        for (const auto& entry : byUser) {
            if ((*added)[i++].size > trimAt) trim(entry.first);
        }
        return true;
    }

    void flushPending() {
        std::vector<std::pair<std::string, std::string>> pending;
        {
            std::lock_guard lock(localMutex);
            if (pendingWrites.empty()) return;
            pending.swap(pendingWrites);
        }
        std::map<std::string, std::vector<std::string>> byUser;
        for (auto& [user, member] : pending) byUser[user].push_back(std::move(member));
        (void)writeHistories(byUser);
    }

    void trim(const std::string& user) {
        auto members = store->setMembers(historyKey(user));
        if (!members || members->size() <= config.maxEventHistory) return;
        const std::size_t excess = members->size() - config.maxEventHistory;
        std::vector<std::string> oldest(members->begin(), members->begin() + static_cast<std::ptrdiff_t>(excess));
        (void)store->setRemove(historyKey(user), oldest);
    }

    UserFeatures compute(std::string_view userId, const BaseData& data, std::vector<RecentItem> events,
                         std::string degraded) const {
        UserFeatures f;
        f.userId = std::string(userId);
        f.degraded = std::move(degraded);
        f.computedAtMs = unixMillis();
        std::set<Index> history;
        std::set<Index> owned;
        std::vector<RecentItem> recent;
        if (data.dataset && data.matrix) {
            if (auto row = data.dataset->users.find(userId); row && *row < data.matrix->userCount()) {
                f.trainedUser = *row;
                const auto items = data.matrix->itemsOf(*row);
                const auto stamps = data.matrix->timestampsOf(*row);
                for (std::size_t i = 0; i < items.size(); ++i) {
                    history.insert(items[i]);
                    owned.insert(items[i]);
                    f.lastActiveMs = std::max(f.lastActiveMs, stamps[i] * 1000);
                    recent.push_back(
                        {data.dataset->catalog.items().id(items[i]), store::EventType::Rating, stamps[i] * 1000});
                }
                f.historyLength = items.size();
            }
        }
        std::sort(events.begin(), events.end(),
                  [](const auto& a, const auto& b) { return a.timestampMs < b.timestampMs; });
        for (const RecentItem& event : events) {
            if (!isEngagement(event.type)) continue;
            ++f.historyLength;
            f.lastActiveMs = std::max(f.lastActiveMs, event.timestampMs);
            if (event.type == store::EventType::Purchase) ++f.purchases;
            recent.push_back(event);
            if (!data.dataset) continue;
            const auto index = data.dataset->catalog.items().find(event.itemId);
            if (!index || (data.matrix && *index >= data.matrix->itemCount())) continue;
            history.insert(*index);
            if (store::invalidatesUser(event.type)) owned.insert(*index);
        }
        std::stable_sort(recent.begin(), recent.end(),
                         [](const auto& a, const auto& b) { return a.timestampMs > b.timestampMs; });
        if (recent.size() > config.recentCount) recent.resize(config.recentCount);
        f.recent = std::move(recent);
        f.history.assign(history.begin(), history.end());
        f.owned.assign(owned.begin(), owned.end());
        if (data.dataset) {
            std::map<std::string, double> counts;
            double total = 0;
            const auto& catalog = data.dataset->catalog;
            for (Index item : f.history) {
                for (Index category : catalog.info(item).categories) {
                    counts[catalog.categories().id(category)] += 1.0;
                    total += 1.0;
                }
            }
            for (const auto& [category, count] : counts) f.categoryAffinity.push_back({category, count / total});
            std::stable_sort(f.categoryAffinity.begin(), f.categoryAffinity.end(),
                             [](const auto& a, const auto& b) { return a.share > b.share; });
        }
        return f;
    }

    // What the catalog says about an item (index, title, categories, age, training
    // popularity), without this instance's engagement.
    ItemFeatures describeItem(const std::string& itemId, const Snapshot& snap, std::int64_t now) const {
        const BaseData& data = snap.data;
        ItemFeatures f;
        f.itemId = itemId;
        f.computedAtMs = now;
        if (data.dataset) {
            if (auto index = data.dataset->catalog.items().find(itemId)) {
                f.index = *index;
                const auto& info = data.dataset->catalog.info(*index);
                f.title = std::string(data.dataset->catalog.displayName(*index));
                for (Index c : info.categories) f.categories.push_back(data.dataset->catalog.categories().id(c));
                if (info.releasedAt > 0)
                    f.ageDays = std::max(0.0, static_cast<double>(now / 1000 - info.releasedAt) / 86400.0);
                if (*index < snap.popularity.size()) f.popularity = snap.popularity[*index];
            }
        }
        return f;
    }

    ItemFeatures computeItem(const std::string& itemId, const Snapshot& snap, std::int64_t now) {
        ItemFeatures f = describeItem(itemId, snap, now);
        std::lock_guard lock(itemMutex);
        if (auto found = engagement.find(itemId); found != engagement.end()) {
            f.popularity += found->second.total;
            f.recentEngagement = found->second.recent(bucketOf(now));
        }
        return f;
    }
};

FeatureStore::FeatureStore(std::shared_ptr<store::KeyValueStore> store, BaseData base, FeatureConfig config)
    : m_impl(std::make_unique<Impl>()) {
    // The embedded store lives in this process and cannot fail: a local copy of the
    // histories would only hold them twice.
    m_impl->keepLocal = dynamic_cast<const store::MemoryStore*>(store.get()) == nullptr;
    m_impl->store = std::move(store);
    m_impl->config = config;
    m_impl->base = Impl::makeSnapshot(std::move(base));
}

FeatureStore::~FeatureStore() = default;

Result<UserFeatures> FeatureStore::user(std::string_view userId) {
    const auto snap = m_impl->snapshot();
    const std::string& base = snap->fingerprint;
    std::string degraded;
    if (auto cached = m_impl->store->get(userFeaturesKey(userId)); cached) {
        if (*cached) {
            if (auto features = decodeUser(**cached, userId, base, snap->data, m_impl->config.recentCount)) {
                m_impl->userHits.fetch_add(1);
                return *features;
            }
        }
    } else {
        m_impl->storeErrors.fetch_add(1);
        degraded = "feature store unavailable: " + cached.errorMessage();
    }
    m_impl->flushPending();
    std::set<std::string> members;
    if (degraded.empty()) {
        if (auto stored = m_impl->store->setMembers(historyKey(userId)); stored) {
            members.insert(stored->begin(), stored->end());
        } else {
            m_impl->storeErrors.fetch_add(1);
            degraded = "feature store unavailable: " + stored.errorMessage();
        }
    }
    {
        std::lock_guard lock(m_impl->localMutex);
        if (auto found = m_impl->localHistory.find(std::string(userId)); found != m_impl->localHistory.end()) {
            members.insert(found->second.begin(), found->second.end());
        }
    }
    std::vector<RecentItem> events;
    for (const auto& member : members) {
        if (auto event = decodeMember(member)) events.push_back(std::move(*event));
    }
    UserFeatures features = m_impl->compute(userId, snap->data, std::move(events), degraded);
    m_impl->userComputes.fetch_add(1);
    if (degraded.empty()) {
        if (!m_impl->store->set(userFeaturesKey(userId), encodeUser(features, base).dump(), m_impl->config.userTtl)) {
            m_impl->storeErrors.fetch_add(1);
        }
    }
    return features;
}

std::vector<ItemFeatures> FeatureStore::items(std::span<const std::string> itemIds) {
    std::vector<ItemFeatures> out(itemIds.size());
    if (itemIds.empty()) return out;
    const auto snap = m_impl->snapshot();
    const std::int64_t now = unixMillis();
    std::vector<std::string> keys;
    keys.reserve(itemIds.size());
    for (const auto& id : itemIds) keys.push_back(itemFeaturesKey(id));
    auto cached = m_impl->store->getMany(keys);
    if (!cached) m_impl->storeErrors.fetch_add(1);
    std::vector<store::KeyValue> writes;
    for (std::size_t i = 0; i < itemIds.size(); ++i) {
        bool found = false;
        if (cached && (*cached)[i]) {
            if (auto counts = decodeItem(*(*cached)[i], itemIds[i], snap->fingerprint)) {
                ItemFeatures f = m_impl->describeItem(itemIds[i], *snap, now);
                f.popularity = counts->popularity;
                f.recentEngagement = counts->recentEngagement;
                f.ageDays = counts->ageDays;
                f.computedAtMs = counts->computedAtMs;
                out[i] = std::move(f);
                found = true;
                m_impl->itemHits.fetch_add(1);
            }
        }
        if (found) continue;
        out[i] = m_impl->computeItem(itemIds[i], *snap, now);
        m_impl->itemComputes.fetch_add(1);
        json record = {{"base", snap->fingerprint},
                       {"title", out[i].title},
                       {"categories", out[i].categories},
                       {"popularity", out[i].popularity},
                       {"recent", out[i].recentEngagement},
                       {"age_days", out[i].ageDays},
                       {"at", now}};
        if (out[i].index) record["index"] = *out[i].index;
        writes.push_back({keys[i], record.dump(), m_impl->config.itemTtl});
    }
    if (cached && !writes.empty() && !m_impl->store->setMany(writes)) m_impl->storeErrors.fetch_add(1);
    return out;
}

std::vector<std::string> FeatureStore::onEvents(std::span<const store::Event> events) {
    const auto snap = m_impl->snapshot();
    const data::Dataset* dataset = snap->data.dataset.get();
    std::map<std::string, std::vector<std::string>> membersByUser;
    std::set<std::string> invalidated;
    {
        std::lock_guard lock(m_impl->itemMutex);
        for (const auto& event : events) {
            if (!isEngagement(event.type) || event.userId.empty()) continue;
            membersByUser[event.userId].push_back(encodeMember(event));
            if (store::invalidatesUser(event.type)) invalidated.insert(event.userId);
            // Only catalog items are counted, so ids a client makes up cost nothing.
            if (event.itemId.empty() || !dataset || !dataset->catalog.items().find(event.itemId)) continue;
            auto& counter = m_impl->engagement[event.itemId];
            counter.total += 1.0;
            counter.add(m_impl->bucketOf(event.timestampMs));
        }
    }
    if (m_impl->keepLocal) {
        std::lock_guard lock(m_impl->localMutex);
        for (const auto& [user, members] : membersByUser) {
            for (const auto& member : members) m_impl->rememberLocally(user, member);
        }
    }
    m_impl->flushPending();
    (void)m_impl->writeHistories(membersByUser);
    std::vector<std::string> dropped(invalidated.begin(), invalidated.end());
    if (!dropped.empty()) {
        std::vector<std::string> keys;
        for (const auto& user : dropped) keys.push_back(userFeaturesKey(user));
        if (!m_impl->store->remove(keys)) m_impl->storeErrors.fetch_add(1);
        m_impl->refreshes.fetch_add(dropped.size());
    }
    return dropped;
}

Status FeatureStore::refreshUser(std::string_view userId) {
    m_impl->refreshes.fetch_add(1);
    if (auto removed = m_impl->store->remove({userFeaturesKey(userId)}); !removed) return removed.error();
    return {};
}

void FeatureStore::setBase(BaseData base) {
    auto next = Impl::makeSnapshot(std::move(base));
    {
        // Engagement of items the new catalog does not have would never be read again.
        std::lock_guard lock(m_impl->itemMutex);
        const data::Dataset* dataset = next->data.dataset.get();
        std::erase_if(m_impl->engagement,
                      [&](const auto& entry) { return !dataset || !dataset->catalog.items().find(entry.first); });
    }
    std::lock_guard lock(m_impl->baseMutex);
    m_impl->base = std::move(next);
}

BaseData FeatureStore::base() const {
    return m_impl->snapshot()->data;
}

FeatureConfig FeatureStore::config() const {
    return m_impl->config;
}

FeatureStats FeatureStore::stats() const {
    FeatureStats stats;
    stats.userHits = m_impl->userHits.load();
    stats.userComputes = m_impl->userComputes.load();
    stats.itemHits = m_impl->itemHits.load();
    stats.itemComputes = m_impl->itemComputes.load();
    stats.refreshes = m_impl->refreshes.load();
    stats.storeErrors = m_impl->storeErrors.load();
    {
        std::lock_guard lock(m_impl->itemMutex);
        stats.trackedItems = m_impl->engagement.size();
    }
    std::lock_guard lock(m_impl->localMutex);
    stats.localEvents = m_impl->localMembers;
    stats.pendingWrites = m_impl->pendingWrites.size();
    return stats;
}

}  // namespace recdeck::features

#include "recdeck/experiments/experiment_registry.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stop_token>
#include <thread>

#include <nlohmann/json.hpp>

#include "experiment_db.h"
#include "recdeck/experiments/bandit.h"
#include "recdeck/experiments/experiment_json.h"

namespace recdeck::experiments {

using nlohmann::json;

namespace {

constexpr std::string_view kChannel = "exp-changes";
constexpr std::string_view kHashFormat = "1";

std::string storeKey(std::string_view key) {
    return store::keyOf({"exp", key});
}
std::string indexKey() {
    return store::keyOf({"exp-index"});
}

std::string inQuotes(std::string_view text) {
    return "'" + std::string(text) + "'";
}

bool isStringField(std::string_view name) {
    return name == "key" || name == "description" || name == "salt" || name == "layer" || name == "allocation" ||
           name == "primary_metric" || name == "state" || name == "frozen_results";
}

store::HashFields toHash(const Experiment& e) {
    store::HashFields fields;
    const json j = toJson(e);
    for (auto it = j.begin(); it != j.end(); ++it)
        fields[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
    fields["format"] = std::string(kHashFormat);
    return fields;
}

// A stored record is checked like a submitted one but keeps its weights bit for bit, so
// every instance derives the same bucket ranges from it.
Result<Experiment> checkedRecord(Experiment e, std::string_view where) {
    auto check = validated(e);
    if (!check) return Error::internal(std::string(where) + ": " + check.errorMessage());
    if (e.salt.empty()) return Error::internal(std::string(where) + ": salt is empty");
    return e;
}

Result<Experiment> fromHash(const store::HashFields& fields, std::string_view where) {
    json j = json::object();
    for (const auto& [name, value] : fields) {
        if (name == "format") continue;
        if (isStringField(name)) {
            j[name] = value;
            continue;
        }
        auto parsed = json::parse(value, nullptr, false);
        if (parsed.is_discarded())
            return Error::internal(std::string(where) + ": field " + name + " is not valid JSON");
        j[name] = std::move(parsed);
    }
    auto e = experimentFromJson(j, true);
    if (!e) return Error::internal(std::string(where) + ": " + e.errorMessage());
    return checkedRecord(std::move(e).value(), where);
}

std::string hasRunReason(const Experiment& e) {
    if (e.state == ExperimentState::Running)
        return "experiment " + inQuotes(e.key) +
               " is running: stop it or restart it with a new salt to change its allocation";
    return "experiment " + inQuotes(e.key) +
           " has run (it is stopped): restart it with a new salt to change its allocation";
}

}  // namespace

std::string_view changeKindName(ChangeKind kind) {
    switch (kind) {
        case ChangeKind::Created:
            return "created";
        case ChangeKind::Updated:
            return "updated";
        case ChangeKind::Started:
            return "started";
        case ChangeKind::Stopped:
            return "stopped";
        case ChangeKind::Restarted:
            return "restarted";
        case ChangeKind::Removed:
            return "removed";
        case ChangeKind::BanditUpdated:
            return "bandit_updated";
        case ChangeKind::Reloaded:
            return "reloaded";
    }
    return "updated";
}

namespace {
std::optional<ChangeKind> parseChangeKind(std::string_view name) {
    for (auto kind : {ChangeKind::Created, ChangeKind::Updated, ChangeKind::Started, ChangeKind::Stopped,
                      ChangeKind::Restarted, ChangeKind::Removed, ChangeKind::BanditUpdated, ChangeKind::Reloaded}) {
        if (changeKindName(kind) == name) return kind;
    }
    return std::nullopt;
}
}  // namespace

struct ExperimentRegistry::Impl {
    RegistryOptions options;
    std::unique_ptr<detail::ExperimentDb> db;
    std::shared_ptr<store::KeyValueStore> store;
    std::string instanceId = generateSalt();

    // Serialises changes, reloads and every use of db. Taken before dataMutex, never after.
    mutable std::mutex writeMutex;
    mutable std::mutex dataMutex;  // guards experiments
    std::map<std::string, Experiment, std::less<>> experiments;
    // The current table; the mutex is held only to copy or swap the pointer (libstdc++'s
    // std::atomic<std::shared_ptr> does the same with a spin lock).
    mutable std::mutex tableMutex;
    std::shared_ptr<const AssignmentTable> table = std::make_shared<const AssignmentTable>();

    std::shared_ptr<const AssignmentTable> currentTable() const {
        std::lock_guard lock(tableMutex);
        return table;
    }

    std::mutex listenerMutex;
    std::map<int, std::shared_ptr<const ChangeListener>> listeners;
    int nextListener = 1;

    std::mutex banditMutex;
    std::shared_ptr<const BanditSource> banditSource;

    store::Subscription subscription;
    std::mutex wakeMutex;
    std::condition_variable_any wake;
    std::jthread maintenance;

    std::int64_t now() const {
        if (options.clock) return options.clock();
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    // --- local state ---

    void rebuildTableLocked() {
        std::vector<Experiment> all;
        all.reserve(experiments.size());
        for (const auto& [key, e] : experiments) all.push_back(e);
        auto next = std::make_shared<const AssignmentTable>(all);
        std::lock_guard lock(tableMutex);
        table.swap(next);
    }

    void applyLocal(const Experiment& e) {
        std::lock_guard lock(dataMutex);
        experiments[e.key] = e;
        rebuildTableLocked();
    }

    void removeLocal(std::string_view key) {
        std::lock_guard lock(dataMutex);
        if (auto it = experiments.find(key); it != experiments.end()) experiments.erase(it);
        rebuildTableLocked();
    }

    std::optional<Experiment> local(std::string_view key) const {
        std::lock_guard lock(dataMutex);
        auto it = experiments.find(key);
        if (it == experiments.end()) return std::nullopt;
        return it->second;
    }

    std::vector<Experiment> localAll() const {
        std::lock_guard lock(dataMutex);
        std::vector<Experiment> out;
        out.reserve(experiments.size());
        for (const auto& [key, e] : experiments) out.push_back(e);
        return out;
    }

    void notify(const ExperimentChange& change) {
        std::vector<std::shared_ptr<const ChangeListener>> current;
        {
            std::lock_guard lock(listenerMutex);
            for (const auto& [id, listener] : listeners) current.push_back(listener);
        }
        for (const auto& listener : current) (*listener)(change);
    }

    // --- store ---

    Result<std::optional<Experiment>> readFromStore(std::string_view key) {
        auto fields = store->hashGetAll(storeKey(key));
        if (!fields)
            return Error::unavailable("cannot read experiment " + inQuotes(key) +
                                      " from the store: " + fields.errorMessage());
        if (fields->empty()) return std::optional<Experiment>();
        auto e = fromHash(*fields, "store record of experiment " + inQuotes(key));
        if (!e) return e.error();
        return std::optional<Experiment>(std::move(e).value());
    }

    Result<std::vector<Experiment>> readAllFromStore() {
        auto keys = store->setMembers(indexKey());
        if (!keys) return Error::unavailable("cannot list experiments in the store: " + keys.errorMessage());
        std::vector<Experiment> out;
        for (const auto& key : *keys) {
            auto e = readFromStore(key);
            if (!e) return e.error();
            if (e->has_value()) out.push_back(std::move(**e));
        }
        return out;
    }

    Status writeToStore(std::string_view key, const Experiment* record, ChangeKind kind) {
        if (!store) return {};
        if (record != nullptr) {
            if (auto s = store->hashSet(storeKey(key), toHash(*record)); !s) return s.error();
            if (auto s = store->setAdd(indexKey(), {key}); !s) return s.error();
        } else {
            const std::string k = storeKey(key);
            if (auto s = store->remove({std::string_view(k)}); !s) return s.error();
            if (auto s = store->setRemove(indexKey(), {key}); !s) return s.error();
        }
        const json message = {{"key", std::string(key)},
                              {"kind", std::string(changeKindName(kind))},
                              {"from", instanceId},
                              {"revision", record != nullptr ? record->revision : 0}};
        if (auto s = store->publish(kChannel, message.dump()); !s) return s.error();
        return {};
    }

    // Writes a change to SQLite and the store, both or neither (as far as the store allows).
    Status persist(std::string_view key, const Experiment* record, ChangeKind kind) {
        if (auto s = db->begin(); !s)
            return Error::internal("cannot save experiment " + inQuotes(key) + ": " + s.errorMessage());
        if (auto s = db->write(key, record, changeKindName(kind), now()); !s) {
            db->rollback();
            return Error::internal("cannot save experiment " + inQuotes(key) + ": " + s.errorMessage());
        }
        if (auto s = writeToStore(key, record, kind); !s) {
            db->rollback();
            return Error::unavailable("cannot share experiment " + inQuotes(key) + " through the store (" +
                                      store->describe() + "); nothing was changed: " + s.errorMessage());
        }
        if (auto s = db->commit(); !s)
            return Error::internal("experiment " + inQuotes(key) +
                                   " was shared through the store, but the local copy failed: " + s.errorMessage());
        return {};
    }

    // Mirrors a record read from the store into SQLite and memory. Caller holds writeMutex.
    bool syncOne(std::string_view key, const std::optional<Experiment>& fromStore) {
        const auto mine = local(key);
        if (fromStore) {
            if (mine && *mine == *fromStore) return false;
            if (db->begin()) {
                if (db->write(key, &*fromStore, "sync", now()))
                    (void)db->commit();
                else
                    db->rollback();
            }
            applyLocal(*fromStore);
            return true;
        }
        if (!mine) return false;
        if (db->begin()) {
            if (db->write(key, nullptr, "sync", now()))
                (void)db->commit();
            else
                db->rollback();
        }
        removeLocal(key);
        return true;
    }

    // The current record: fresh from the store when there is one (another instance may
    // have changed it), else the local one. Caller holds writeMutex.
    Result<std::optional<Experiment>> fresh(std::string_view key, std::vector<ExperimentChange>& changes) {
        if (!store) return local(key);
        auto e = readFromStore(key);
        if (!e) return e.error();
        if (syncOne(key, *e)) changes.push_back({std::string(key), ChangeKind::Reloaded, true});
        return std::move(e).value();
    }

    // Every record, fresh from the store when there is one. Caller holds writeMutex.
    Result<std::vector<Experiment>> freshAll(std::vector<ExperimentChange>& changes) {
        if (!store) return localAll();
        auto all = readAllFromStore();
        if (!all) return all.error();
        std::map<std::string, const Experiment*, std::less<>> byKey;
        for (const auto& e : *all) byKey[e.key] = &e;
        for (const auto& mine : localAll()) {
            if (!byKey.contains(mine.key) && syncOne(mine.key, std::nullopt))
                changes.push_back({mine.key, ChangeKind::Removed, true});
        }
        for (const auto& e : *all) {
            if (syncOne(e.key, e)) changes.push_back({e.key, ChangeKind::Reloaded, true});
        }
        return all;
    }

    // Places `next` (about to run) beside the running experiments (assignment.h planStart);
    // in Share mode the experiment giving up traffic is written first (so an instance
    // reading in between sees the two windows apart) and reported in `changes`. Caller
    // holds writeMutex.
    Status allocateTraffic(Experiment& next, StartMode mode, std::vector<ExperimentChange>& changes) {
        auto all = freshAll(changes);
        if (!all) return all.error();
        const StartPlan plan = planStart(*all, next, mode);
        next.trafficBegin = plan.window.begin;
        next.trafficEnd = plan.window.end;
        if (!plan.shrunk) return {};
        auto giver = local(*plan.shrunk);
        if (!giver || giver->state != ExperimentState::Running) return {};
        Experiment shrunk = *giver;
        shrunk.trafficBegin = plan.shrunkKeeps.begin;
        shrunk.trafficEnd = plan.shrunkKeeps.end;
        shrunk.updatedAtMs = now();
        shrunk.revision = giver->revision + 1;
        if (auto s = persist(shrunk.key, &shrunk, ChangeKind::Updated); !s)
            return Error{"cannot share the traffic of experiment " + inQuotes(shrunk.key) + ": " + s.errorMessage(),
                         s.errorKind()};
        applyLocal(shrunk);
        changes.push_back({shrunk.key, ChangeKind::Updated, false});
        return {};
    }

    // After writing a start: the key of a running experiment it conflicts with whose
    // window overlaps its own (another instance placed it at the same moment). Caller
    // holds writeMutex.
    Result<std::optional<std::string>> overlapAfterWrite(const Experiment& next) {
        if (!store || next.trafficEnd <= next.trafficBegin) return std::optional<std::string>();
        auto all = readAllFromStore();
        if (!all) return all.error();
        const TrafficRange mine{next.trafficBegin, next.trafficEnd};
        for (const auto& e : *all) {
            if (e.key == next.key || e.state != ExperimentState::Running || !conflicts(e, next)) continue;
            if (overlap(mine, TrafficRange{e.trafficBegin, e.trafficEnd}) > 0) return std::optional<std::string>(e.key);
        }
        return std::optional<std::string>();
    }

    // Writes `next` as a (re)start, undoing it if a conflicting window was taken
    // concurrently. (Were both kept, assignment would still give the shared buckets to
    // the earlier experiment alone; the undo keeps the later one from thinking it has them.)
    Status commitStart(const Experiment& next, const std::optional<Experiment>& previous, ChangeKind kind) {
        if (auto s = persist(next.key, &next, kind); !s) return s;
        auto overlapping = overlapAfterWrite(next);
        if (overlapping && !overlapping->has_value()) return {};
        Experiment undo = previous ? *previous : next;
        undo.revision = next.revision + 1;
        undo.updatedAtMs = now();
        (void)persist(next.key, previous ? &undo : nullptr, ChangeKind::Updated);
        if (!overlapping) {
            return Error{"cannot start experiment " + inQuotes(next.key) + ": " + overlapping.errorMessage(),
                         overlapping.errorKind()};
        }
        return Error::conflict("experiment " + inQuotes(**overlapping) + " took the same users while " +
                               inQuotes(next.key) + " was starting (on another instance, at the same moment); retry");
    }

    // Lets running experiments holding less than their coverage grow into free traffic
    // (assignment.h planTopUps). Caller holds writeMutex.
    void topUp(std::vector<ExperimentChange>& changes) {
        auto all = freshAll(changes);
        if (!all) return;
        for (const auto& [key, window] : planTopUps(*all)) {
            auto current = local(key);
            if (!current || current->state != ExperimentState::Running) continue;
            Experiment grown = *current;
            grown.trafficBegin = window.begin;
            grown.trafficEnd = window.end;
            grown.updatedAtMs = now();
            grown.revision = current->revision + 1;
            if (!persist(key, &grown, ChangeKind::Updated)) continue;  // the next resync retries
            applyLocal(grown);
            changes.push_back({key, ChangeKind::Updated, false});
        }
    }

    void onMessage(std::string_view message) {
        const json parsed = json::parse(message, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("key") || !parsed["key"].is_string()) {
            onGap();
            return;
        }
        if (parsed.value("from", std::string()) == instanceId) return;
        const std::string key = parsed["key"].get<std::string>();
        const auto kind = parseChangeKind(parsed.value("kind", std::string())).value_or(ChangeKind::Reloaded);
        bool changed = false;
        {
            std::lock_guard lock(writeMutex);
            auto e = readFromStore(key);
            if (!e) return;  // the periodic resync catches up
            changed = syncOne(key, *e);
        }
        if (changed) notify({key, kind, true});
    }

    void onGap() {
        std::vector<ExperimentChange> changes;
        {
            std::lock_guard lock(writeMutex);
            topUp(changes);
        }
        for (const auto& c : changes) notify(c);
    }

    void maintain(std::stop_token stop) {
        using Clock = std::chrono::steady_clock;
        auto nextResync = Clock::now() + options.resyncInterval;
        auto nextBandit = Clock::now() + options.banditInterval;
        const bool resync = options.resyncInterval.count() > 0 && store;
        const bool bandit = options.banditInterval.count() > 0;
        while (!stop.stop_requested()) {
            auto wakeAt = Clock::now() + std::chrono::hours(1);
            if (resync) wakeAt = std::min(wakeAt, nextResync);
            if (bandit) wakeAt = std::min(wakeAt, nextBandit);
            {
                std::unique_lock lock(wakeMutex);
                wake.wait_until(lock, stop, wakeAt, [] { return false; });
            }
            if (stop.stop_requested()) return;
            const auto t = Clock::now();
            if (resync && t >= nextResync) {
                onGap();
                nextResync = t + options.resyncInterval;
            }
            if (bandit && t >= nextBandit) {
                (void)refreshBandits(false);
                nextBandit = t + options.banditInterval;
            }
        }
    }

    Status refreshBandits(bool force);
};

Status ExperimentRegistry::Impl::refreshBandits(bool force) {
    std::shared_ptr<const BanditSource> source;
    {
        std::lock_guard lock(banditMutex);
        source = banditSource;
    }
    if (!source || !*source) return {};
    std::string problems;
    for (const auto& candidate : localAll()) {
        if (candidate.state != ExperimentState::Running || candidate.allocation != AllocationMode::Thompson) continue;
        // Counts are read without the registry's lock (the source takes its own).
        auto counts = (*source)(candidate);
        if (!counts || counts->size() != candidate.variants.size()) continue;

        std::vector<ExperimentChange> changes;
        std::optional<Experiment> updated;
        {
            std::lock_guard lock(writeMutex);
            auto current = fresh(candidate.key, changes);
            if (!current) {
                problems += current.errorMessage() + "; ";
                continue;
            }
            if (!current->has_value()) continue;
            const Experiment& e = **current;
            if (e.state != ExperimentState::Running || e.allocation != AllocationMode::Thompson ||
                e.startedAtMs != candidate.startedAtMs)
                continue;
            const std::int64_t t = now();
            if (!force && options.banditInterval.count() > 0 && e.banditUpdatedAtMs > 0 &&
                t - e.banditUpdatedAtMs < options.banditInterval.count())
                continue;
            ThompsonOptions thompson;
            thompson.floor = std::min(options.banditFloor, 1.0 / static_cast<double>(e.variants.size()));
            thompson.seed = static_cast<std::uint64_t>(t);
            auto allocation = thompsonAllocation(*counts, thompson);
            if (!allocation) {
                problems += e.key + ": " + allocation.errorMessage() + "; ";
                continue;
            }
            Experiment next = e;
            next.banditWeights = allocation->weights;
            next.banditUpdatedAtMs = t;
            next.updatedAtMs = t;
            next.revision = e.revision + 1;
            if (auto s = persist(next.key, &next, ChangeKind::BanditUpdated); !s) {
                problems += s.errorMessage() + "; ";
                continue;
            }
            applyLocal(next);
            updated = next;
        }
        for (const auto& c : changes) notify(c);
        if (updated) notify({updated->key, ChangeKind::BanditUpdated, false});
    }
    if (!problems.empty()) return Error::internal("bandit recomputation: " + problems.substr(0, problems.size() - 2));
    return {};
}

// ---------------------------------------------------------------------------------------

Result<std::unique_ptr<ExperimentRegistry>> ExperimentRegistry::open(RegistryOptions options) {
    if (!(options.banditFloor >= 0.0 && options.banditFloor < 0.5))
        return Error{"banditFloor: must be in [0, 0.5) (the minimum traffic share per arm), got " +
                     std::to_string(options.banditFloor)};
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->store = impl->options.store;
    auto db = detail::ExperimentDb::open(impl->options.sqlitePath);
    if (!db) return db.error();
    impl->db = std::move(db).value();

    Impl* raw = impl.get();
    if (impl->store) {
        // Subscribe before loading, so a change made in between is not missed.
        auto subscription = impl->store->subscribe(
            kChannel, [raw](std::string_view, std::string_view message) { raw->onMessage(message); },
            [raw](std::string_view) { raw->onGap(); });
        if (!subscription)
            return Error::unavailable("cannot subscribe to experiment changes on " + impl->store->describe() + ": " +
                                      subscription.errorMessage());
        impl->subscription = std::move(subscription).value();
    }
    {
        std::lock_guard lock(impl->writeMutex);
        auto fromDb = impl->db->loadAll();
        if (!fromDb) return fromDb.error();
        std::vector<Experiment> fromStore;
        if (impl->store) {
            auto all = impl->readAllFromStore();
            if (!all) return all.error();
            fromStore = std::move(all).value();
        }
        if (!fromStore.empty()) {
            // The store is the shared truth: mirror it into SQLite.
            {
                std::lock_guard data(impl->dataMutex);
                for (const auto& e : *fromDb) impl->experiments[e.key] = e;
            }
            std::map<std::string, bool> present;
            for (const auto& e : fromStore) present[e.key] = true;
            for (const auto& e : *fromDb) {
                if (!present.contains(e.key)) impl->syncOne(e.key, std::nullopt);
            }
            for (const auto& e : fromStore) impl->syncOne(e.key, e);
        } else {
            for (auto& e : *fromDb) {
                auto checked = checkedRecord(e, impl->options.sqlitePath.string() + ": experiment " + inQuotes(e.key));
                if (!checked) return checked.error();
                if (impl->store) {
                    if (auto s = impl->store->hashSet(storeKey(e.key), toHash(e)); !s) return s.error();
                    if (auto s = impl->store->setAdd(indexKey(), {std::string_view(e.key)}); !s) return s.error();
                }
                std::lock_guard data(impl->dataMutex);
                impl->experiments[e.key] = e;
            }
        }
        {
            std::lock_guard data(impl->dataMutex);
            impl->rebuildTableLocked();
        }
        // Records written before traffic windows, or experiments waiting for users whose
        // traffic was freed while no instance was running, are placed now.
        std::vector<ExperimentChange> ignored;
        impl->topUp(ignored);
    }
    if (impl->options.resyncInterval.count() > 0 || impl->options.banditInterval.count() > 0)
        impl->maintenance = std::jthread([raw](std::stop_token stop) { raw->maintain(std::move(stop)); });
    return std::unique_ptr<ExperimentRegistry>(new ExperimentRegistry(std::move(impl)));
}

ExperimentRegistry::ExperimentRegistry(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

ExperimentRegistry::~ExperimentRegistry() {
    m_impl->subscription.cancel();
    if (m_impl->maintenance.joinable()) {
        m_impl->maintenance.request_stop();
        m_impl->wake.notify_all();
        m_impl->maintenance.join();
    }
}

const RegistryOptions& ExperimentRegistry::options() const {
    return m_impl->options;
}

Result<Experiment> ExperimentRegistry::create(Experiment definition) {
    auto checked = validated(std::move(definition));
    if (!checked) return checked.error();
    Experiment next = std::move(checked).value();
    std::vector<ExperimentChange> changes;
    {
        std::lock_guard lock(m_impl->writeMutex);
        auto existing = m_impl->fresh(next.key, changes);
        if (!existing) return existing.error();
        if (existing->has_value())
            return Error::conflict("experiment " + inQuotes(next.key) + " already exists (" +
                                   std::string(stateName((*existing)->state)) + "); choose another key or edit it");
        if (next.salt.empty()) next.salt = generateSalt();
        const std::int64_t t = m_impl->now();
        next.state = ExperimentState::Draft;
        next.createdAtMs = t;
        next.updatedAtMs = t;
        next.startedAtMs = 0;
        next.stoppedAtMs = 0;
        next.trafficBegin = next.trafficEnd = 0;
        next.banditWeights.clear();
        next.banditUpdatedAtMs = 0;
        next.revision = 1;
        if (auto s = m_impl->persist(next.key, &next, ChangeKind::Created); !s) return s.error();
        m_impl->applyLocal(next);
    }
    for (const auto& c : changes) m_impl->notify(c);
    m_impl->notify({next.key, ChangeKind::Created, false});
    return next;
}

Result<Experiment> ExperimentRegistry::update(Experiment definition) {
    auto checked = validated(std::move(definition));
    if (!checked) return checked.error();
    const Experiment& wanted = *checked;
    std::vector<ExperimentChange> changes;
    Experiment next;
    {
        std::lock_guard lock(m_impl->writeMutex);
        auto existing = m_impl->fresh(wanted.key, changes);
        if (!existing) return existing.error();
        if (!existing->has_value())
            return Error::notFound("experiment " + inQuotes(wanted.key) + " does not exist; create it first");
        const Experiment& current = **existing;
        next = current;
        if (current.state == ExperimentState::Draft) {
            next.description = wanted.description;
            if (!wanted.salt.empty()) next.salt = wanted.salt;
            next.variants = wanted.variants;
            next.coverage = wanted.coverage;
            next.layer = wanted.layer;
            next.allocation = wanted.allocation;
        } else {
            Experiment compare = wanted;
            if (compare.salt.empty()) compare.salt = current.salt;
            if (allocationDiffers(current, compare)) return Error::conflict(hasRunReason(current));
            if (treatmentDiffers(current, compare)) {
                std::string which;
                for (std::size_t i = 0; i < current.variants.size(); ++i) {
                    if (current.variants[i].model != compare.variants[i].model ||
                        current.variants[i].ranking != compare.variants[i].ranking) {
                        which = current.variants[i].name;
                        break;
                    }
                }
                return Error::conflict("experiment " + inQuotes(current.key) + " is " +
                                       std::string(stateName(current.state)) + ": what variant " + inQuotes(which) +
                                       " serves (model, ranking) cannot change once it has run, or its results would "
                                       "mix two treatments; restart it with a new salt to change it");
            }
            next.description = wanted.description;
        }
        next.primaryMetric = wanted.primaryMetric;
        next.guardrails = wanted.guardrails;
        next.plan = wanted.plan;
        if (next == current) return next;
        next.updatedAtMs = m_impl->now();
        next.revision = current.revision + 1;
        if (auto s = m_impl->persist(next.key, &next, ChangeKind::Updated); !s) return s.error();
        m_impl->applyLocal(next);
    }
    for (const auto& c : changes) m_impl->notify(c);
    m_impl->notify({next.key, ChangeKind::Updated, false});
    return next;
}

Status ExperimentRegistry::remove(std::string_view key) {
    std::vector<ExperimentChange> changes;
    {
        std::lock_guard lock(m_impl->writeMutex);
        auto existing = m_impl->fresh(key, changes);
        if (!existing) return existing.error();
        if (!existing->has_value()) return Error::notFound("experiment " + inQuotes(key) + " does not exist");
        const Experiment& current = **existing;
        if (current.state == ExperimentState::Running)
            return Error::conflict("experiment " + inQuotes(key) +
                                   " is running: only a draft can be deleted (stop it to end it)");
        if (current.state == ExperimentState::Stopped)
            return Error::conflict("experiment " + inQuotes(key) +
                                   " has run (it is stopped): only a draft can be deleted, so its results stay on "
                                   "record");
        if (auto s = m_impl->persist(key, nullptr, ChangeKind::Removed); !s) return s;
        m_impl->removeLocal(key);
    }
    for (const auto& c : changes) m_impl->notify(c);
    m_impl->notify({std::string(key), ChangeKind::Removed, false});
    return {};
}

Result<Experiment> ExperimentRegistry::start(std::string_view key, StartMode mode) {
    std::vector<ExperimentChange> changes;
    Experiment next;
    {
        std::lock_guard lock(m_impl->writeMutex);
        auto existing = m_impl->fresh(key, changes);
        if (!existing) return existing.error();
        if (!existing->has_value()) return Error::notFound("experiment " + inQuotes(key) + " does not exist");
        const Experiment& current = **existing;
        if (current.state == ExperimentState::Running)
            return Error::conflict("experiment " + inQuotes(key) + " is already running");
        if (current.state == ExperimentState::Stopped)
            return Error::conflict(
                "experiment " + inQuotes(key) +
                " was stopped: restart it (with a new salt, so its users are assigned afresh) to run it again");
        next = current;
        const std::int64_t t = m_impl->now();
        next.state = ExperimentState::Running;
        next.startedAtMs = t;
        next.stoppedAtMs = 0;
        next.updatedAtMs = t;
        next.banditWeights.clear();
        next.banditUpdatedAtMs = 0;
        next.revision = current.revision + 1;
        if (auto s = m_impl->allocateTraffic(next, mode, changes); !s) return s.error();
        if (auto s = m_impl->commitStart(next, current, ChangeKind::Started); !s) return s.error();
        m_impl->applyLocal(next);
    }
    for (const auto& c : changes) m_impl->notify(c);
    m_impl->notify({next.key, ChangeKind::Started, false});
    return next;
}

Result<Experiment> ExperimentRegistry::stop(std::string_view key) {
    std::vector<ExperimentChange> changes;
    Experiment next;
    {
        std::lock_guard lock(m_impl->writeMutex);
        auto existing = m_impl->fresh(key, changes);
        if (!existing) return existing.error();
        if (!existing->has_value()) return Error::notFound("experiment " + inQuotes(key) + " does not exist");
        const Experiment& current = **existing;
        if (current.state == ExperimentState::Draft)
            return Error::conflict("experiment " + inQuotes(key) + " has not started: there is nothing to stop");
        if (current.state == ExperimentState::Stopped)
            return Error::conflict("experiment " + inQuotes(key) + " is already stopped");
        next = current;
        const std::int64_t t = m_impl->now();
        next.state = ExperimentState::Stopped;
        next.stoppedAtMs = t;
        next.updatedAtMs = t;
        next.revision = current.revision + 1;
        if (auto s = m_impl->persist(next.key, &next, ChangeKind::Stopped); !s) return s.error();
        m_impl->applyLocal(next);
        // Experiments waiting for (or short of) the users it held get them now.
        m_impl->topUp(changes);
    }
    for (const auto& c : changes) m_impl->notify(c);
    m_impl->notify({next.key, ChangeKind::Stopped, false});
    return next;
}

Result<Experiment> ExperimentRegistry::freeze(std::string_view key, std::int64_t startedAtMs, std::string readout) {
    std::vector<ExperimentChange> changes;
    Experiment next;
    {
        std::lock_guard lock(m_impl->writeMutex);
        auto existing = m_impl->fresh(key, changes);
        if (!existing) return existing.error();
        if (!existing->has_value()) return Error::notFound("experiment " + inQuotes(key) + " does not exist");
        const Experiment& current = **existing;
        if (current.state != ExperimentState::Stopped || current.startedAtMs != startedAtMs)
            return Error::conflict("experiment " + inQuotes(key) + " is not that stopped run");
        if (!current.frozenResults.empty()) return current;  // first writer wins; all agree
        next = current;
        next.frozenResults = std::move(readout);
        next.updatedAtMs = m_impl->now();
        next.revision = current.revision + 1;
        if (auto s = m_impl->persist(next.key, &next, ChangeKind::Updated); !s) return s.error();
        m_impl->applyLocal(next);
    }
    for (const auto& c : changes) m_impl->notify(c);
    m_impl->notify({next.key, ChangeKind::Updated, false});
    return next;
}

Result<Experiment> ExperimentRegistry::restart(std::string_view key, std::optional<Experiment> revised) {
    std::optional<Experiment> wanted;
    if (revised) {
        if (revised->key.empty()) revised->key = std::string(key);
        if (revised->key != key)
            return Error{"key: a restart keeps the key " + inQuotes(key) + ", got " + inQuotes(revised->key)};
        auto checked = validated(std::move(*revised));
        if (!checked) return checked.error();
        wanted = std::move(checked).value();
    }
    std::vector<ExperimentChange> changes;
    Experiment next;
    {
        std::lock_guard lock(m_impl->writeMutex);
        auto existing = m_impl->fresh(key, changes);
        if (!existing) return existing.error();
        if (!existing->has_value()) return Error::notFound("experiment " + inQuotes(key) + " does not exist");
        const Experiment& current = **existing;
        if (current.state == ExperimentState::Draft)
            return Error::conflict("experiment " + inQuotes(key) + " has never run: start it instead");
        next = current;
        if (wanted) {
            next.description = wanted->description;
            next.variants = wanted->variants;
            next.coverage = wanted->coverage;
            next.layer = wanted->layer;
            next.allocation = wanted->allocation;
            next.primaryMetric = wanted->primaryMetric;
            next.guardrails = wanted->guardrails;
            next.plan = wanted->plan;
        }
        next.salt = (wanted && !wanted->salt.empty() && wanted->salt != current.salt) ? wanted->salt : generateSalt();
        const std::int64_t t = m_impl->now();
        next.state = ExperimentState::Running;
        // A restart in the same millisecond still starts a new run (results key on it).
        next.startedAtMs = std::max(t, current.startedAtMs + 1);
        next.stoppedAtMs = 0;
        next.updatedAtMs = t;
        next.banditWeights.clear();
        next.banditUpdatedAtMs = 0;
        next.frozenResults.clear();
        next.revision = current.revision + 1;
        if (auto s = m_impl->allocateTraffic(next, StartMode::Queue, changes); !s) return s.error();
        if (auto s = m_impl->commitStart(next, current, ChangeKind::Restarted); !s) return s.error();
        m_impl->applyLocal(next);
    }
    for (const auto& c : changes) m_impl->notify(c);
    m_impl->notify({next.key, ChangeKind::Restarted, false});
    return next;
}

std::optional<Experiment> ExperimentRegistry::get(std::string_view key) const {
    return m_impl->local(key);
}

std::vector<Experiment> ExperimentRegistry::list() const {
    return m_impl->localAll();
}

std::vector<Experiment> ExperimentRegistry::running() const {
    std::vector<Experiment> out;
    for (auto& e : m_impl->localAll()) {
        if (e.state == ExperimentState::Running) out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(), [](const Experiment& a, const Experiment& b) {
        return std::tie(a.startedAtMs, a.key) < std::tie(b.startedAtMs, b.key);
    });
    return out;
}

std::optional<Assignment> ExperimentRegistry::assign(std::string_view userId) const {
    return m_impl->currentTable()->assign(userId);
}

std::vector<Assignment> ExperimentRegistry::assignAll(std::string_view userId) const {
    return m_impl->currentTable()->assignAll(userId);
}

std::shared_ptr<const AssignmentTable> ExperimentRegistry::table() const {
    return m_impl->currentTable();
}

int ExperimentRegistry::addListener(ChangeListener listener) {
    std::lock_guard lock(m_impl->listenerMutex);
    const int id = m_impl->nextListener++;
    m_impl->listeners[id] = std::make_shared<const ChangeListener>(std::move(listener));
    return id;
}

void ExperimentRegistry::removeListener(int handle) {
    std::lock_guard lock(m_impl->listenerMutex);
    m_impl->listeners.erase(handle);
}

Status ExperimentRegistry::reload() {
    if (!m_impl->store) return {};
    std::vector<ExperimentChange> changes;
    Status status;
    {
        std::lock_guard lock(m_impl->writeMutex);
        auto all = m_impl->freshAll(changes);
        if (!all) status = all.error();
    }
    for (const auto& c : changes) m_impl->notify(c);
    return status;
}

Status ExperimentRegistry::refreshBandits(bool force) {
    return m_impl->refreshBandits(force);
}

void ExperimentRegistry::setBanditSource(BanditSource source) {
    std::lock_guard lock(m_impl->banditMutex);
    m_impl->banditSource = source ? std::make_shared<const BanditSource>(std::move(source)) : nullptr;
}

}  // namespace recdeck::experiments

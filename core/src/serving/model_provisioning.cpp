#include "recdeck/serving/model_provisioning.h"
#include "recdeck/common/sub_task.h"

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "recdeck/common/private_files.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/fleet/model_artifacts.h"
#include "recdeck/models/model_factory.h"
#include "recdeck/models/model_file.h"

namespace recdeck::serving {

namespace {

using nlohmann::json;

bool isInteraction(store::EventType type) {
    return type == store::EventType::Click || type == store::EventType::AddToCart ||
           type == store::EventType::Purchase || type == store::EventType::Rating;
}

// The data plus the interaction events, in one dataset (new users after the known ones).
struct TrainingSet {
    std::shared_ptr<data::Dataset> dataset;
    std::shared_ptr<const data::InteractionMatrix> matrix;
    std::uint64_t eventRows = 0;
};

Result<TrainingSet> trainingSet(const ModelData& base, const EventSource* events, const TaskControl& control) {
    TrainingSet out;
    if (events == nullptr || !*events) {
        out.dataset = std::make_shared<data::Dataset>(*base.dataset);
        out.matrix = base.matrix;
        return out;
    }
    out.dataset = std::make_shared<data::Dataset>(*base.dataset);
    data::Dataset& d = *out.dataset;
    auto status = (*events)(
        [&](std::span<const store::Event> page) {
            for (const auto& e : page) {
                if (!isInteraction(e.type) || e.itemId.empty()) continue;
                const auto item = d.catalog.items().find(e.itemId);
                if (!item) continue;
                data::Interaction row;
                row.user = d.users.intern(e.userId);
                row.item = *item;
                row.rating = e.type == store::EventType::Rating ? static_cast<float>(e.value) : 1.0F;
                row.timestamp = e.timestampMs / 1000;
                d.interactions.push_back(row);
                ++out.eventRows;
            }
        },
        control);
    if (!status) return status.error();
    out.matrix = std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(d));
    return out;
}

std::string kindFor(std::string_view name, const data::InteractionMatrix& matrix) {
    if (name == "default") return std::string(models::defaultModelKind(matrix));
    return std::string(name);
}

}  // namespace

std::string dataFingerprint(const data::Dataset& dataset, const data::InteractionMatrix& matrix) {
    std::uint64_t hash = 1469598103934665603ULL;
    auto mix = [&hash](std::string_view text) {
        for (const char c : text) {
            hash ^= static_cast<unsigned char>(c);
            hash *= 1099511628211ULL;
        }
        hash ^= 0xFF;
        hash *= 1099511628211ULL;
    };
    for (std::size_t u = 0; u < matrix.userCount(); ++u) {
        mix(dataset.users.id(static_cast<data::Index>(u)));
        for (data::Index item : matrix.itemsOf(static_cast<data::Index>(u))) mix(dataset.catalog.items().id(item));
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
    return std::string(buffer) + "-" + std::to_string(matrix.nonZeros());
}

struct ModelProvisioning::Impl {
    ProvisioningConfig config;
    models::ModelRegistry& registry;
    bool fleet = false;
    std::unique_ptr<fleet::ModelArtifacts> artifacts;

    mutable std::mutex dataMutex;
    ModelData data;
    std::string autoDefault;     // the kind "default" resolves to for the data
    bool chosenDefault = false;  // the operator picked the default (embedded: default.json)

    std::mutex changeMutex;  // one training, import, default change or follow at a time

    mutable std::mutex statsMutex;
    ProvisioningStats stats;
    std::map<std::string, std::uint64_t> fleetVersions;

    std::mutex listenerMutex;
    std::function<void(const std::string&)> listener;

    // Follower (fleet mode).
    std::mutex wakeMutex;
    std::condition_variable wakeCv;
    bool wake = false;
    bool stopping = false;
    store::Subscription subscription;
    std::thread follower;

    Impl(ProvisioningConfig c, models::ModelRegistry& r) : config(std::move(c)), registry(r) {}

    ~Impl() {
        subscription.cancel();
        {
            std::lock_guard lock(wakeMutex);
            stopping = true;
        }
        wakeCv.notify_all();
        if (follower.joinable()) follower.join();
    }

    std::filesystem::path modelPath(std::string_view kind, bool previous = false) const {
        return config.modelsDir / (std::string(kind) + (previous ? ".previous.rdm" : ".rdm"));
    }
    std::filesystem::path defaultPath() const { return config.modelsDir / "default.json"; }

    void changed(const std::string& name) {
        std::function<void(const std::string&)> current;
        {
            std::lock_guard lock(listenerMutex);
            current = listener;
        }
        if (current) current(name);
    }

    void noteError(const std::string& error) {
        std::lock_guard lock(statsMutex);
        stats.lastError = error;
    }

    void noteMismatch(const std::string& what) {
        std::lock_guard lock(statsMutex);
        if (std::find(stats.mismatches.begin(), stats.mismatches.end(), what) == stats.mismatches.end())
            stats.mismatches.push_back(what);
    }

    // --- files ---

    static json metadataOf(const models::ModelEntry& entry, const ModelData& d) {
        return {{"fingerprint", d.fingerprint},
                {"training_seconds", entry.trainingSeconds},
                {"trained_at_ms", entry.trainedAtMs},
                {"version", entry.version},
                {"interactions", entry.interactions},
                {"offline_metrics", entry.offlineMetrics},
                {"data", d.description}};
    }

    // Saves an entry as the current file of its kind; the one it replaces becomes the
    // previous (for rollback). A model that cannot be saved is still served.
    void save(const models::ModelEntry& entry, const std::vector<std::string>& userIds, const ModelData& d) {
        std::error_code ec;
        (void)createPrivateDirectories(config.modelsDir);
        const auto path = modelPath(entry.name);
        if (std::filesystem::exists(path, ec)) std::filesystem::rename(path, modelPath(entry.name, true), ec);
        (void)models::ModelFile::save(path, *entry.model, d.dataset->catalog.items().ids(), userIds,
                                      metadataOf(entry, d));
    }

    // The entry kept in a file, if it was trained on `d` and is of `kind`.
    std::optional<models::ModelEntry> loadFile(const std::filesystem::path& path, const std::string& kind,
                                               const ModelData& d) const {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) return std::nullopt;
        auto file = models::ModelFile::load(path);
        if (!file || file->metadata.value("fingerprint", std::string()) != d.fingerprint ||
            file->itemIds != d.dataset->catalog.items().ids() || file->model->kind() != kind)
            return std::nullopt;
        models::ModelEntry entry;
        entry.name = kind;
        entry.model = file->model;
        entry.version = file->metadata.value("version", std::uint64_t{0});
        entry.trainedAtMs = file->metadata.value("trained_at_ms", std::int64_t{0});
        entry.trainingSeconds = file->metadata.value("training_seconds", 0.0);
        entry.interactions = file->metadata.value("interactions", std::uint64_t{0});
        entry.offlineMetrics = file->metadata.value("offline_metrics", json::object());
        return entry;
    }

    // --- training ---

    Result<std::pair<models::ModelEntry, TrainingSet>> trainEntry(const std::string& kind, const ModelData& d,
                                                                  const EventSource* events,
                                                                  const TaskControl& control) {
        auto set = trainingSet(d, events, subTask(control, 0.0, 0.1, "reading events"));
        if (!set) return set.error();
        auto model = models::createModel(kind);
        if (!model) return model.error();
        Stopwatch watch;
        if (auto status = (*model)->train(*set->matrix, subTask(control, 0.1, 1.0, "train " + kind)); !status)
            return status.error().kind == ErrorKind::Cancelled || control.cancelled()
                       ? Error::cancelled("training " + kind + " was cancelled")
                       : Error{"training " + kind + " failed: " + status.errorMessage(), status.errorKind()};
        models::ModelEntry entry;
        entry.name = kind;
        entry.model = std::shared_ptr<const models::Model>(std::move(*model));
        entry.trainingSeconds = watch.elapsedSeconds();
        entry.trainedAtMs = unixMillis();
        entry.interactions = set->dataset->interactions.size();
        return std::make_pair(std::move(entry), std::move(*set));
    }

    // Publishes a ModelFile's bytes as the next fleet version of entry.name; fills
    // entry.version from the fleet's counter.
    Status publishBytes(models::ModelEntry& entry, const std::string& bytes, std::uint64_t eventRows,
                        const ModelData& d) {
        fleet::ArtifactInfo info;
        info.name = entry.name;
        info.kind = std::string(entry.model->kind());
        info.trainedAtMs = entry.trainedAtMs;
        info.trainingSeconds = entry.trainingSeconds;
        info.interactions = entry.interactions;
        info.eventInteractions = eventRows;
        info.offlineMetrics = entry.offlineMetrics;
        info.datasetFingerprint = d.fingerprint;
        info.trainedBy = config.instance;
        auto published = artifacts->publish(std::move(info), bytes);
        if (!published) return published.error();
        entry.version = published->version;
        std::lock_guard lock(statsMutex);
        fleetVersions[entry.name] = entry.version;
        return {};
    }

    Status publishToFleet(models::ModelEntry& entry, const TrainingSet& set, const ModelData& d) {
        std::ostringstream bytes;
        if (auto s = models::ModelFile::write(bytes, *entry.model, d.dataset->catalog.items().ids(),
                                              set.dataset->users.ids(), metadataOf(entry, d));
            !s)
            return s;
        return publishBytes(entry, bytes.str(), set.eventRows, d);
    }

    // Serves a fleet artifact here when it fits the data; NotFound/Invalid/Conflict say why not.
    Result<models::ModelRegistry::EntryPtr> loadFromFleet(const std::string& name, std::uint64_t version,
                                                          const ModelData& d) {
        auto loaded = artifacts->load(name, version);
        if (!loaded) return loaded.error();
        const auto& [info, bytes] = *loaded;
        if (info.datasetFingerprint != d.fingerprint)
            return Error::conflict("model " + name + " v" + std::to_string(version) +
                                   " was trained on other data (fingerprint " + info.datasetFingerprint + ", here " +
                                   d.fingerprint + ")");
        std::istringstream in(bytes);
        auto file = models::ModelFile::read(in, "fleet model " + name + " v" + std::to_string(version));
        if (!file) return file.error();
        if (file->itemIds != d.dataset->catalog.items().ids())
            return Error::conflict("model " + name + " v" + std::to_string(version) + " has another catalog");
        models::ModelEntry entry;
        entry.name = name;
        entry.model = file->model;
        entry.version = info.version;
        entry.trainedAtMs = info.trainedAtMs;
        entry.trainingSeconds = info.trainingSeconds;
        entry.interactions = info.interactions;
        entry.offlineMetrics = info.offlineMetrics;
        save(entry, file->userIds, d);
        return registry.publish(std::move(entry));
    }

    // The kind's model for the data: a saved file trained on it, else trained now.
    Result<models::ModelRegistry::EntryPtr> provideLocal(const std::string& kind, const ModelData& d, bool publish,
                                                         const TaskControl& control) {
        if (config.reuseSaved) {
            if (auto entry = loadFile(modelPath(kind), kind, d)) {
                if (publish) {
                    std::ifstream in(modelPath(kind), std::ios::binary);
                    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                    if (auto s = publishBytes(*entry, bytes, 0, d); !s) {
                        noteError("publishing " + kind + " to the fleet: " + s.errorMessage());
                        entry->version = 0;
                    }
                }
                if (entry->version == 0) entry->version = registry.nextVersion(kind);
                return registry.publish(std::move(*entry));
            }
        }
        auto trained = trainEntry(kind, d, nullptr, control);
        if (!trained) return trained.error();
        auto& [entry, set] = *trained;
        if (publish) {
            if (auto s = publishToFleet(entry, set, d); !s) {
                noteError("publishing " + kind + " to the fleet: " + s.errorMessage());
                entry.version = 0;
            }
        }
        if (entry.version == 0) entry.version = registry.nextVersion(kind);
        save(entry, set.dataset->users.ids(), d);
        return registry.publish(std::move(entry));
    }

    // --- the default ---

    void loadChosenDefault() {
        std::ifstream in(defaultPath());
        if (!in) return;
        const json j = json::parse(in, nullptr, false);
        if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) return;
        const std::string name = j["name"].get<std::string>();
        if (registry.find(name)) {
            chosenDefault = true;
            (void)registry.setDefault(name);
        }
    }

    void saveChosenDefault(const std::string& name) {
        (void)createPrivateDirectories(config.modelsDir);
        (void)ensurePrivateFile(defaultPath());
        std::ofstream out(defaultPath());
        out << json{{"name", name}}.dump() << "\n";
    }

    // --- following the fleet ---

    Status followOnce() {
        std::lock_guard change(changeMutex);
        auto current = artifacts->current();
        if (!current) {
            noteError("following the fleet's models: " + current.errorMessage());
            return current.error();
        }
        {
            // The fleet's versions are known now, before this instance has loaded them.
            std::lock_guard lock(statsMutex);
            fleetVersions = *current;
        }
        const ModelData d = snapshot();
        for (const auto& [name, version] : *current) {
            const auto here = registry.find(name);
            if (here && here->version == version) continue;
            auto loaded = loadFromFleet(name, version, d);
            if (!loaded) {
                noteMismatch(loaded.errorMessage());
                continue;
            }
            {
                std::lock_guard lock(statsMutex);
                ++stats.swaps;
            }
            changed(name);
        }
        if (auto def = artifacts->defaultName();
            def && def->has_value() && registry.find(**def) && registry.defaultName() != **def) {
            (void)registry.setDefault(**def);
            changed(**def);
        }
        std::lock_guard lock(statsMutex);
        stats.lastSyncMs = unixMillis();
        return {};
    }

    void runFollower() {
        for (;;) {
            {
                std::unique_lock lock(wakeMutex);
                wakeCv.wait_for(lock, config.followInterval, [this] { return stopping || wake; });
                if (stopping) return;
                wake = false;
            }
            (void)followOnce();
        }
    }

    void startFollowing() {
        auto sub = config.store->subscribe(
            fleet::ModelArtifacts::kChannel,
            [this](std::string_view, std::string_view) {
                {
                    std::lock_guard lock(wakeMutex);
                    wake = true;
                }
                wakeCv.notify_all();
            },
            [this](std::string_view) {
                {
                    std::lock_guard lock(wakeMutex);
                    wake = true;
                }
                wakeCv.notify_all();
            });
        if (sub) subscription = std::move(*sub);  // else the poll alone follows
        follower = std::thread([this] { runFollower(); });
    }

    ModelData snapshot() const {
        std::lock_guard lock(dataMutex);
        return data;
    }
};

ModelProvisioning::ModelProvisioning(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ModelProvisioning::~ModelProvisioning() = default;

Result<std::unique_ptr<ModelProvisioning>> ModelProvisioning::open(ProvisioningConfig config,
                                                                   models::ModelRegistry& registry, ModelData data,
                                                                   const TaskControl& control) {
    auto impl = std::make_unique<Impl>(std::move(config), registry);
    Impl& p = *impl;
    p.fleet = p.config.store && p.config.store->describe() != "embedded";
    p.data = std::move(data);
    p.autoDefault = kindFor("default", *p.data.matrix);
    {
        std::lock_guard lock(p.statsMutex);
        p.stats.fleet = p.fleet;
    }

    std::vector<std::string> kinds;
    for (const auto& name : p.config.names) {
        const std::string kind = kindFor(name, *p.data.matrix);
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
    }
    std::map<std::string, std::uint64_t> fleetCurrent;
    if (p.fleet) {
        p.artifacts = std::make_unique<fleet::ModelArtifacts>(p.config.store);
        if (auto current = p.artifacts->current())
            fleetCurrent = *current;
        else
            p.noteError("reading the fleet's models: " + current.errorMessage());
    }
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        const std::string& kind = kinds[i];
        const TaskControl step = subTask(control, static_cast<double>(i) / static_cast<double>(kinds.size()),
                                         static_cast<double>(i + 1) / static_cast<double>(kinds.size()), kind);
        if (auto it = fleetCurrent.find(kind); it != fleetCurrent.end()) {
            auto loaded = p.loadFromFleet(kind, it->second, p.data);
            if (loaded) continue;
            p.noteMismatch(loaded.errorMessage() + "; serving a local one");
            auto local = p.provideLocal(kind, p.data, false, step);
            if (!local) return local.error();
            continue;
        }
        auto provided = p.provideLocal(kind, p.data, p.fleet && p.artifacts, step);
        if (!provided) return provided.error();
    }
    if (control.cancelled()) return Error::cancelled();

    // The default: the fleet's, else the operator's saved choice, else the data's strongest.
    bool settled = false;
    if (p.fleet) {
        if (auto def = p.artifacts->defaultName(); def && def->has_value() && registry.find(**def)) {
            settled = registry.setDefault(**def).ok();
        } else if (registry.find(p.autoDefault)) {
            (void)p.artifacts->proposeDefault(p.autoDefault);
            if (auto now = p.artifacts->defaultName(); now && now->has_value() && registry.find(**now))
                settled = registry.setDefault(**now).ok();
        }
    } else {
        p.loadChosenDefault();
        settled = p.chosenDefault;
    }
    if (!settled && registry.find(p.autoDefault)) (void)registry.setDefault(p.autoDefault);
    if (p.fleet) {
        std::lock_guard lock(p.statsMutex);
        p.fleetVersions = fleetCurrent;
    }
    if (p.fleet) p.startFollowing();
    return std::unique_ptr<ModelProvisioning>(new ModelProvisioning(std::move(impl)));
}

Result<TrainOutcome> ModelProvisioning::train(std::string_view name, const EventSource& events,
                                              const TaskControl& control) {
    std::lock_guard change(m_impl->changeMutex);
    const ModelData d = m_impl->snapshot();
    const std::string kind = kindFor(name, *d.matrix);
    auto trained = m_impl->trainEntry(kind, d, &events, control);
    if (!trained) return trained.error();
    auto& [entry, set] = *trained;
    TrainOutcome outcome;
    outcome.interactions = entry.interactions;
    outcome.eventInteractions = set.eventRows;
    if (m_impl->fleet) {
        if (auto s = m_impl->publishToFleet(entry, set, d); !s)
            return Error::unavailable("trained " + kind +
                                      " but could not publish it to the fleet: " + s.errorMessage());
        outcome.published = true;
    } else {
        entry.version = m_impl->registry.nextVersion(kind);
    }
    m_impl->save(entry, set.dataset->users.ids(), d);
    outcome.entry = m_impl->registry.publish(std::move(entry));
    if (name == "default") {
        (void)m_impl->registry.setDefault(kind);
        if (m_impl->fleet) (void)m_impl->artifacts->setDefault(kind);
    }
    m_impl->changed(kind);
    return outcome;
}

Status ModelProvisioning::setDefault(std::string_view name) {
    std::lock_guard change(m_impl->changeMutex);
    if (!m_impl->registry.find(name))
        return Error::notFound("no model named '" + std::string(name) + "' is served to make the default");
    if (m_impl->fleet) {
        if (auto s = m_impl->artifacts->setDefault(std::string(name)); !s) return s;
    } else {
        m_impl->chosenDefault = true;
        m_impl->saveChosenDefault(std::string(name));
    }
    if (auto s = m_impl->registry.setDefault(name); !s) return s;
    m_impl->changed(std::string(name));
    return {};
}

Result<models::ModelRegistry::EntryPtr> ModelProvisioning::rollback(std::string_view name) {
    std::lock_guard change(m_impl->changeMutex);
    const std::string kind(name);
    if (!m_impl->registry.find(kind)) return Error::notFound("no model named '" + kind + "' is served");
    const ModelData d = m_impl->snapshot();
    if (m_impl->fleet) {
        auto previous = m_impl->artifacts->rollback(kind);
        if (!previous) return previous.error();
        auto loaded = m_impl->loadFromFleet(kind, previous->version, d);
        if (!loaded) return loaded.error();
        {
            std::lock_guard lock(m_impl->statsMutex);
            m_impl->fleetVersions[kind] = previous->version;
        }
        m_impl->changed(kind);
        return loaded;
    }
    auto previous = m_impl->loadFile(m_impl->modelPath(kind, true), kind, d);
    if (!previous || previous->version == 0)
        return Error::conflict("model '" + kind + "' has no earlier version for this data to roll back to");
    // Swap the files: the rolled-back-from version becomes the previous one.
    std::error_code ec;
    const auto current = m_impl->modelPath(kind);
    const auto earlier = m_impl->modelPath(kind, true);
    const auto swap = m_impl->config.modelsDir / (kind + ".swap.rdm");
    std::filesystem::rename(current, swap, ec);
    std::filesystem::rename(earlier, current, ec);
    std::filesystem::rename(swap, earlier, ec);
    auto entry = m_impl->registry.publish(std::move(*previous));
    m_impl->changed(kind);
    return entry;
}

Status ModelProvisioning::replaceData(ModelData data, const TaskControl& control) {
    std::lock_guard change(m_impl->changeMutex);
    const std::string oldAuto = m_impl->autoDefault;
    const std::string newAuto = kindFor("default", *data.matrix);
    const std::string currentDefault = m_impl->registry.defaultName();
    // The same kinds as now; the auto-chosen default is resolved again for the new data.
    std::vector<std::string> kinds;
    for (const auto& entry : m_impl->registry.entries()) {
        const std::string kind = entry->name == oldAuto ? newAuto : entry->name;
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
    }
    if (std::find(kinds.begin(), kinds.end(), newAuto) == kinds.end()) kinds.push_back(newAuto);
    // Train everything before switching, so a failure or cancellation changes nothing.
    std::vector<std::pair<models::ModelEntry, TrainingSet>> trained;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        auto t = m_impl->trainEntry(kinds[i], data, nullptr,
                                    subTask(control, static_cast<double>(i) / static_cast<double>(kinds.size()),
                                            static_cast<double>(i + 1) / static_cast<double>(kinds.size()), kinds[i]));
        if (!t) return t.error();
        trained.push_back(std::move(*t));
    }
    {
        std::lock_guard lock(m_impl->dataMutex);
        m_impl->data = data;
        m_impl->autoDefault = newAuto;
    }
    for (auto& [entry, set] : trained) {
        // Versions continue above what this process has served: they never go back.
        entry.version = m_impl->registry.nextVersion(entry.name);
        m_impl->save(entry, set.dataset->users.ids(), data);
        m_impl->registry.publish(std::move(entry));
    }
    if (m_impl->fleet)
        m_impl->noteMismatch("models were retrained here for " + data.description +
                             "; they are not published to the fleet, which serves other data");
    const std::string wanted =
        m_impl->chosenDefault && m_impl->registry.find(currentDefault) ? currentDefault : newAuto;
    (void)m_impl->registry.setDefault(wanted);
    for (const auto& kind : kinds) m_impl->changed(kind);
    return {};
}

Status ModelProvisioning::follow() {
    if (!m_impl->fleet) return {};
    return m_impl->followOnce();
}

std::vector<ModelStatus> ModelProvisioning::list() const {
    std::map<std::string, std::uint64_t> fleetVersions;
    {
        std::lock_guard lock(m_impl->statsMutex);
        fleetVersions = m_impl->fleetVersions;
    }
    const std::string def = m_impl->registry.defaultName();
    std::vector<ModelStatus> out;
    for (const auto& entry : m_impl->registry.entries()) {
        ModelStatus s;
        s.name = entry->name;
        s.kind = std::string(entry->model->kind());
        s.version = entry->version;
        s.trainedAtMs = entry->trainedAtMs;
        s.trainingSeconds = entry->trainingSeconds;
        s.interactions = entry->interactions;
        s.offlineMetrics = entry->offlineMetrics;
        s.isDefault = entry->name == def;
        if (auto it = fleetVersions.find(entry->name); it != fleetVersions.end()) s.fleetVersion = it->second;
        out.push_back(std::move(s));
    }
    return out;
}

ModelData ModelProvisioning::data() const {
    return m_impl->snapshot();
}

ProvisioningStats ModelProvisioning::stats() const {
    std::lock_guard lock(m_impl->statsMutex);
    return m_impl->stats;
}

void ModelProvisioning::setChangeListener(std::function<void(const std::string& name)> listener) {
    std::lock_guard lock(m_impl->listenerMutex);
    m_impl->listener = std::move(listener);
}

}  // namespace recdeck::serving

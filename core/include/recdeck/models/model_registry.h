#pragma once
// ModelRegistry: the named models a process serves, each with a version that increments
// every time the name is (re)published, when and how long it trained, and offline metrics.
//
// Thread safety: every member function may be called concurrently. Readers get an
// immutable snapshot (shared_ptr<const ModelEntry>) that stays valid while a retrain
// publishes a newer version under the same name.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/models/model.h"

namespace recdeck::models {

struct ModelEntry {
    std::string name;
    std::uint64_t version = 0;     // 1 for the first publication of a name, then +1
    std::int64_t trainedAtMs = 0;  // Unix milliseconds
    double trainingSeconds = 0.0;
    std::uint64_t interactions = 0;                            // training rows (0 when unknown)
    nlohmann::json offlineMetrics = nlohmann::json::object();  // filled by the caller
    std::shared_ptr<const Model> model;
};

class ModelRegistry {
public:
    using EntryPtr = std::shared_ptr<const ModelEntry>;

    // Publishes `model` under `name` as the next version and returns that entry. The first
    // name ever published becomes the default unless one was set.
    EntryPtr publish(std::string name, std::shared_ptr<const Model> model, double trainingSeconds,
                     nlohmann::json offlineMetrics = nlohmann::json::object(), std::int64_t trainedAtMs = 0);
    // Publishes an entry as given, with its own version (a model file's, the fleet's):
    // version 0 takes the next version. Later publications of the name continue above
    // the highest version seen, so versions never go back (a rollback publishes an older
    // artifact under its own, older number).
    EntryPtr publish(ModelEntry entry);
    // The version the next publication of `name` would get.
    std::uint64_t nextVersion(std::string_view name) const;

    // Trains `model` (outside any lock), times it and publishes it. On error (including
    // cancellation) the registry is unchanged.
    Result<EntryPtr> trainAndPublish(std::string name, std::unique_ptr<Model> model,
                                     const data::InteractionMatrix& interactions, const TaskControl& control = {},
                                     nlohmann::json offlineMetrics = nlohmann::json::object());

    // Replaces the metrics of the current version of `name`; fails if the name is unknown
    // or its current version is not `version` (a retrain came in between).
    Status setOfflineMetrics(std::string_view name, std::uint64_t version, nlohmann::json metrics);

    EntryPtr find(std::string_view name) const;  // nullptr when unknown
    EntryPtr defaultEntry() const;               // nullptr when empty
    std::string defaultName() const;
    Status setDefault(std::string_view name);  // the name must be published
    bool remove(std::string_view name);        // the default moves to another name, if any
    std::vector<EntryPtr> entries() const;     // sorted by name

private:
    mutable std::shared_mutex m_mutex;
    std::map<std::string, EntryPtr, std::less<>> m_entries;
    std::map<std::string, std::uint64_t, std::less<>> m_lastVersion;  // survives remove()
    std::string m_default;
};

}  // namespace recdeck::models

#pragma once
// ModelProvisioning: the one owner of which models a process serves, in which version, and
// which one is the default — loaded, trained, published and followed here, nowhere else.
//
// Embedded mode: models live in the data folder (models/<name>.rdm, each with its version
// and training facts); a start loads the ones trained on the same data, else trains them.
// The default is the operator's choice (models/default.json) when they made one, else the
// strongest kind for the data ("default" resolved by models::defaultModelKind).
//
// Fleet mode (a shared store): the fleet's artifacts (fleet/model_artifacts.h) are the
// truth. A start loads the fleet's current version of every configured name trained on
// the same base data; a name the fleet does not have yet is provided locally and
// published, so the first instance seeds the fleet. Training anywhere publishes a new
// version; every instance follows models:current and models:default (pub/sub, and a poll
// every followInterval for lost messages) and swaps the new version in within that
// interval. A version trained on other data (another dataset fingerprint or catalog) is
// not loaded: the instance keeps what it has and reports the mismatch.
//
// Training data: the base dataset plus every interaction event (click, add_to_cart,
// purchase, rating) the EventSource yields — this process's log in embedded mode, the
// fleet's stream in fleet mode. Events of users unknown to the dataset add users (after
// the dataset's, so trained rows keep their indices); events of items outside the
// catalog are skipped.
//
// Thread safety: every method may be called from any thread; training, imports and
// default changes are serialised.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/data/dataset.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/models/model_registry.h"
#include "recdeck/store/event.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::serving {

// The data models are trained on, and must match to be served.
struct ModelData {
    std::shared_ptr<const data::Dataset> dataset;
    std::shared_ptr<const data::InteractionMatrix> matrix;
    std::string fingerprint;  // of the dataset (users, items, interactions)
    std::string description;  // "Demo world (seed 42)", a file name
};

// Hands the events to train on, a page at a time (interaction events are picked out by
// the receiver).
using EventSource =
    std::function<Status(const std::function<void(std::span<const store::Event>)>& page, const TaskControl& control)>;

struct ProvisioningConfig {
    std::filesystem::path modelsDir;
    // Kinds to serve ("popularity", "itemknn", "als", "ease", "blend") or "default".
    std::vector<std::string> names = {"popularity", "itemknn", "als", "default"};
    bool reuseSaved = true;
    std::shared_ptr<store::KeyValueStore> store;  // shared (Redis) = fleet mode
    std::string instance;                         // this instance's id, recorded in artifacts
    std::chrono::milliseconds followInterval{2'000};
};

struct TrainOutcome {
    models::ModelRegistry::EntryPtr entry;
    std::uint64_t interactions = 0;       // training rows
    std::uint64_t eventInteractions = 0;  // of which from events
    bool published = false;               // to the fleet
};

struct ModelStatus {
    std::string name;
    std::string kind;
    std::uint64_t version = 0;
    std::int64_t trainedAtMs = 0;
    double trainingSeconds = 0.0;
    std::uint64_t interactions = 0;
    nlohmann::json offlineMetrics = nlohmann::json::object();
    bool isDefault = false;
    std::uint64_t fleetVersion = 0;  // what the fleet serves (fleet mode), 0 when unknown
};

struct ProvisioningStats {
    bool fleet = false;
    std::uint64_t swaps = 0;              // fleet versions loaded since start
    std::int64_t lastSyncMs = 0;          // when the fleet was last followed successfully
    std::string lastError;                // of the latest failed follow, kept after recovery
    std::vector<std::string> mismatches;  // fleet models this instance cannot serve, and why
};

class ModelProvisioning {
public:
    // Provides every configured model for `data` (see above). Cancellable.
    static Result<std::unique_ptr<ModelProvisioning>> open(ProvisioningConfig config, models::ModelRegistry& registry,
                                                           ModelData data, const TaskControl& control = {});
    ~ModelProvisioning();
    ModelProvisioning(const ModelProvisioning&) = delete;
    ModelProvisioning& operator=(const ModelProvisioning&) = delete;

    // Trains `name` (a kind or "default") on the data plus the events, serves it as a new
    // version, saves it, and in fleet mode publishes it (the other instances follow).
    Result<TrainOutcome> train(std::string_view name, const EventSource& events, const TaskControl& control = {});
    // Makes `name` the default here and, in fleet mode, for the fleet. NotFound when it is
    // not served.
    Status setDefault(std::string_view name);
    // Serves the version of `name` before the current one (fleet: for the fleet; embedded:
    // the previous local file, kept as <name>.previous.rdm). Conflict when there is none.
    Result<models::ModelRegistry::EntryPtr> rollback(std::string_view name);
    // Retrains every served model on new data (a dataset import) and serves them; a failure
    // or cancellation changes nothing. The default stays the operator's choice when they
    // made one, else is resolved for the new data.
    Status replaceData(ModelData data, const TaskControl& control = {});
    // Follows the fleet now (also done every followInterval): loads new versions, the default.
    Status follow();

    std::vector<ModelStatus> list() const;
    ModelData data() const;
    ProvisioningStats stats() const;
    // Called after a model name starts serving another version (so caches drop its lists).
    void setChangeListener(std::function<void(const std::string& name)> listener);

private:
    struct Impl;
    explicit ModelProvisioning(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The fingerprint ModelData uses: a hash over the users' and items' ids and interactions.
std::string dataFingerprint(const data::Dataset& dataset, const data::InteractionMatrix& matrix);

}  // namespace recdeck::serving

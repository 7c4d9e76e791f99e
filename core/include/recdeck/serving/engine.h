#pragma once
// Engine: the whole recommendation core of one process, wired together — the store
// (embedded or Redis), the durable event log, the data and its serving snapshot, the
// trained models, the feature store, the tiered cache and the recommendation service.
// `recdeckd serve` and the console each own one Engine; in Redis mode several Engines in
// several processes share state through the store.
//
// Start-up (open): the data is the dataset named in the config (imported, then trained
// on — or the models already trained on the same data are loaded from the data folder),
// else the dataset the data folder was last given, else the deterministic demo world.
//
// Monitoring: every answer with recordImpression set, and every committed click and
// conversion, is recorded in monitor() (a request refused before the service, such as an
// HTTP 400, is the caller's to record).
//
// Experiments: every request is assigned by the experiment registry (the variant's model
// and ranking serve it); committed events feed the tracker behind the results.
//
// Events: ingest() validates and appends durably; once committed they update features,
// invalidate the users' cached lists (purchase, rating, add_to_cart), are attributed to
// the impression and experiment variant that led to them, and only then acknowledged.
//
// Thread safety: every method may be called concurrently, from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/cache/tiered_cache.h"
#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/data/importer.h"
#include "recdeck/data/synthetic_world.h"
#include "recdeck/experiments/experiment_registry.h"
#include "recdeck/experiments/experiment_tracker.h"
#include "recdeck/features/feature_store.h"
#include "recdeck/models/model_registry.h"
#include "recdeck/monitoring/monitor.h"
#include "recdeck/serving/event_pipeline.h"
#include "recdeck/serving/impression_tracker.h"
#include "recdeck/serving/model_provisioning.h"
#include "recdeck/serving/recommendation_service.h"
#include "recdeck/store/event_log.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::serving {

// An interactions file (any supported format) and optionally an items file.
struct DatasetSource {
    std::filesystem::path interactions;
    std::optional<std::filesystem::path> items;
};

struct EngineConfig {
    std::filesystem::path dataDir;   // events.db, models/, source.json; created if missing
    std::string store = "embedded";  // "embedded" or redis://[:password@]host:port/db
    // An existing store to use instead of opening `store` (engines of one process sharing
    // state, as instances share Redis: tests and benchmarks).
    std::shared_ptr<store::KeyValueStore> storeInstance;
    std::optional<DatasetSource> dataset;  // import and train at start
    data::WorldConfig demo;                // the demo world when there is no dataset
    // Registry names to have trained at start: kinds ("popularity", "itemknn", "als",
    // "ease", "blend") or "default" (the strongest kind that fits the catalog, which
    // becomes the registry's default).
    std::vector<std::string> models = {"popularity", "itemknn", "als", "default"};
    bool reuseSavedModels = true;  // load models trained on the same data, if saved
    cache::CacheConfig cache;
    features::FeatureConfig features;
    ranking::RankingParams ranking;  // the default ranking (diversity on)
    std::chrono::milliseconds attributionWindow{30 * 60 * 1000};
    std::size_t replayEvents = 200'000;  // recent events replayed into features (embedded)
    // The event pipeline's limits and fleet options (paths and store are the Engine's).
    EventPipelineConfig events;
};

// A user's state as an operator inspects it.
struct UserView {
    features::UserFeatures features;
    std::vector<store::Event> history;     // the user's events, oldest first
    std::vector<ImpressionRecord> recent;  // last lists shown, newest first
};

struct DataInfo {
    std::string description;  // "Demo world (seed 42)" or the interactions file name
    std::size_t users = 0;
    std::size_t items = 0;
    std::size_t categories = 0;
    std::size_t interactions = 0;
    std::vector<data::ImportReport> reports;  // of the files imported, if any
};

struct ReadyState {
    bool ready = false;
    std::vector<std::string> problems;  // why it is degraded ("store: Redis unreachable ...")
};

// Consequences of committed events, for observers such as live metrics.
struct EventOutcome {
    const store::Event* event = nullptr;
    std::optional<ImpressionRecord> attributedTo;  // the impression that showed the item
};

class Engine {
public:
    using EventObserver = std::function<void(std::span<const EventOutcome>)>;

    static Result<std::unique_ptr<Engine>> open(EngineConfig config, const TaskControl& control = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // --- serving ---
    Result<Recommendation> recommend(const RecommendationRequest& request);

    // --- events ---
    // Checks one event; the message names the field ("events[2].type: unknown ...").
    static Status validateEvent(const store::Event& event);
    // Validates all, then appends durably; `done` runs once they are committed (with the
    // last id) or failed. Invalid input calls `done` at once with the error.
    void ingest(std::vector<store::Event> events, store::EventLog::Done done);
    Result<std::int64_t> ingestAndWait(std::vector<store::Event> events);
    // Called on the event writer thread after each commit, before acknowledgement.
    void setEventObserver(EventObserver observer);

    // --- cache ---
    Status invalidate(cache::InvalidationKind kind, std::string_view id);

    // --- inspection ---
    Result<UserView> user(std::string_view userId, std::size_t historyLimit = 500);
    DataInfo dataInfo() const;
    ReadyState ready();

    // --- models (model_provisioning.h owns them) ---
    // Trains `name` (a kind or "default") on the current data plus the interaction events
    // (this process's, or in fleet mode the fleet's), serves it as a new version, saves it
    // and in fleet mode publishes it to every instance.
    Result<TrainOutcome> train(std::string_view name, const TaskControl& control = {});
    // The default model, here and (fleet mode) for the fleet.
    Status setDefaultModel(std::string_view name);
    // Serves the version before the current one of `name` (fleet-wide in fleet mode).
    Result<models::ModelRegistry::EntryPtr> rollbackModel(std::string_view name);
    ModelProvisioning& models();
    // Replaces the data with a dataset (import, then retrain every published model).
    Result<DataInfo> importDataset(const DatasetSource& source, const TaskControl& control = {});

    // --- parts ---
    models::ModelRegistry& registry();
    RecommendationService& service();
    cache::TieredCache& cache();
    features::FeatureStore& features();
    store::EventLog& eventLog();
    std::shared_ptr<store::KeyValueStore> store();
    ImpressionTracker& impressions();
    // Live figures: every served recommendation, impression, click and conversion; alert
    // rules are evaluated once a second; Prometheus families for models, cache and store.
    monitoring::Monitor& monitor();
    // Fleet mode: the whole fleet's traffic as its event stream shows it — served lists
    // (requests), items shown, clicks and conversions; no latency or cache tiers. Null in
    // embedded mode.
    const monitoring::Monitor* fleetMonitor() const;
    // A/B experiments: definitions (persisted in the data folder's experiments.db and in
    // the store, so instances sharing it assign identically) and their results, fed from
    // the committed events. Every request is assigned through the registry.
    experiments::ExperimentRegistry& experiments();
    experiments::ExperimentTracker& experimentResults();
    // The event log, the fleet stream and the readouts they feed.
    EventPipeline& events();
    std::shared_ptr<const ServingSnapshot> snapshot() const;
    // The synthetic world being served when the data is the demo world, else null (its
    // ground truth drives the traffic simulator).
    std::shared_ptr<const data::SyntheticWorld> demoWorld() const;
    const EngineConfig& config() const;

private:
    struct Impl;
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::serving

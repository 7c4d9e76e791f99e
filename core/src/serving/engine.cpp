#include "recdeck/serving/engine.h"
#include "recdeck/common/sub_task.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include "recdeck/common/private_files.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/common/text_checks.h"
#include "recdeck/fleet/fleet_keys.h"
#include "recdeck/fleet/stream_event.h"
#include "recdeck/models/model_factory.h"
#include "recdeck/models/model_file.h"
#include "recdeck/serving/model_choice.h"
#include "recdeck/store/store_factory.h"

namespace recdeck::serving {

namespace {

using nlohmann::json;

}  // namespace

struct Engine::Impl {
    EngineConfig config;
    std::shared_ptr<store::KeyValueStore> store;
    models::ModelRegistry registry;
    std::unique_ptr<features::FeatureStore> features;
    std::unique_ptr<cache::TieredCache> cache;
    std::unique_ptr<RecommendationService> service;
    ImpressionTracker impressions;
    monitoring::Monitor monitor;
    // Fleet mode: the fleet's traffic as its event stream shows it (served lists, items
    // shown, clicks, conversions; no latency), for the console's dashboard.
    std::unique_ptr<monitoring::Monitor> fleetMonitor;
    std::unique_ptr<experiments::ExperimentRegistry> experiments;
    std::unique_ptr<EventPipeline> pipeline;      // after the registry it reads: destroyed first
    std::unique_ptr<ModelProvisioning> models;    // owns which models serve, and the default
    std::jthread ticker;                          // evaluates alert rules once a second
    std::vector<prometheus::Gauge*> modelGauges;  // scrape hook only (scrapes are serialised)

    mutable std::mutex dataMutex;
    DataInfo info;
    std::shared_ptr<const data::SyntheticWorld> world;  // the demo world, if it is served

    std::mutex importMutex;  // one import at a time

    std::mutex observerMutex;
    std::shared_ptr<const EventObserver> observer;

    ~Impl() {
        // The service may still call the assigner; stop serving before the registry goes.
        if (service) service->setAssigner({});
        monitor.setVariantFilter({});
        if (ticker.joinable()) {
            ticker.request_stop();
            ticker.join();
        }
        // The log flushes and stops its writer before the consumers it calls go away.
        if (pipeline) {
            pipeline->setListener({});
            pipeline->setStreamObserver({});
        }
        pipeline.reset();
        if (models) models->setChangeListener({});
        models.reset();
    }

    Result<std::shared_ptr<const data::Dataset>> loadData(const std::optional<DatasetSource>& source, DataInfo& out,
                                                          const TaskControl& control,
                                                          std::shared_ptr<const data::SyntheticWorld>& demo) {
        demo.reset();
        if (!source) {
            auto generated = std::make_shared<data::SyntheticWorld>(config.demo);
            out.description = "Demo world (seed " + std::to_string(config.demo.seed) + ")";
            demo = generated;
            return std::shared_ptr<const data::Dataset>(generated, &generated->dataset());
        }
        auto dataset = std::make_shared<data::Dataset>();
        auto report = data::importInteractions(source->interactions, *dataset, subTask(control, 0.0, 0.8, "import"));
        if (!report) return report.error();
        out.reports.push_back(*report);
        if (source->items) {
            auto items = data::importItems(*source->items, *dataset, subTask(control, 0.8, 1.0, "import items"));
            if (!items) return items.error();
            out.reports.push_back(*items);
        }
        out.description = source->interactions.filename().string();
        return std::shared_ptr<const data::Dataset>(std::move(dataset));
    }

    void describe(DataInfo& out, const data::Dataset& dataset) {
        out.users = dataset.users.size();
        out.items = dataset.catalog.size();
        out.categories = dataset.catalog.categories().size();
        out.interactions = dataset.interactions.size();
    }

    // Interaction events to train on: the fleet's stream in fleet mode (every instance's),
    // else this process's log.
    Status forEachTrainingEvent(const std::function<void(std::span<const store::Event>)>& page,
                                const TaskControl& control) {
        if (pipeline->fleet()) {
            store::StreamId after;
            std::unordered_map<std::uint64_t, std::int64_t> lastIdOf;  // a resent suffix counts once
            for (;;) {
                if (control.cancelled()) return Error::cancelled();
                auto records = store->streamRead(fleet::kEventStreamKey, after, 5'000);
                if (!records) return Error::unavailable("reading the fleet's events: " + records.errorMessage());
                if (records->empty()) return {};
                std::vector<store::Event> events;
                events.reserve(records->size());
                for (const auto& record : *records) {
                    auto decoded = fleet::decodeStreamEvent(record.payload);
                    if (!decoded) continue;
                    std::int64_t& last = lastIdOf[decoded->instance];
                    if (decoded->event.id > 0 && decoded->event.id <= last) continue;
                    last = decoded->event.id;
                    events.push_back(std::move(decoded->event));
                }
                page(events);
                after = records->back().id;
            }
        }
        std::int64_t after = 0;
        for (;;) {
            if (control.cancelled()) return Error::cancelled();
            auto events = pipeline->log().readAfter(after, 10'000);
            if (!events) return events.error();
            if (events->empty()) return {};
            page(*events);
            after = events->back().id;
        }
    }

    void onCommitted(std::span<const store::Event> events) {
        for (const auto& user : features->onEvents(events)) (void)cache->invalidateUser(user);
        std::shared_ptr<const EventObserver> current;
        {
            std::lock_guard lock(observerMutex);
            current = observer;
        }
        std::vector<EventOutcome> outcomes;
        outcomes.reserve(events.size());
        for (const auto& event : events) {
            EventOutcome outcome;
            outcome.event = &event;
            if (event.type != store::EventType::Impression && !event.itemId.empty()) {
                outcome.attributedTo =
                    impressions.attribute(event.userId, event.itemId, event.timestampMs, config.attributionWindow);
            }
            if (event.type != store::EventType::Impression) {
                // Clicks and conversions count for the variant of the list that showed
                // the item (or the one the client names), else outside experiments.
                std::string variant;
                if (outcome.attributedTo && !outcome.attributedTo->experiment.empty()) {
                    variant = outcome.attributedTo->experiment + ":" + outcome.attributedTo->variant;
                } else if (!event.experiment.empty()) {
                    variant = event.experiment + ":" + event.variant;
                }
                const auto id = monitor.variantId(variant);
                if (event.type == store::EventType::Click) monitor.recordClick(id);
                if (event.type == store::EventType::AddToCart || event.type == store::EventType::Purchase) {
                    monitor.recordConversion(id);
                }
            }
            outcomes.push_back(std::move(outcome));
        }
        if (current && *current) (*current)(outcomes);
    }

    void onFleetEvents(std::span<const fleet::StreamEvent> events) {
        monitoring::Monitor& m = *fleetMonitor;
        for (const auto& sourced : events) {
            const store::Event& e = sourced.event;
            const std::int64_t second = e.timestampMs / 1000;
            switch (e.type) {
                case store::EventType::Impression:
                    if (!e.served) break;
                    {
                        monitoring::RequestSample sample;
                        m.recordRequest(sample, second);
                        m.recordImpressions(monitoring::kNoExperiment, static_cast<std::uint32_t>(e.items.size()),
                                            second);
                    }
                    break;
                case store::EventType::Click:
                    m.recordClick(monitoring::kNoExperiment, second);
                    break;
                case store::EventType::AddToCart:
                case store::EventType::Purchase:
                    m.recordConversion(monitoring::kNoExperiment, second);
                    break;
                case store::EventType::Rating:
                    break;
            }
        }
    }

    void onAnswer(const RecommendationRequest&, const Recommendation& answer) {
        ImpressionRecord record;
        record.requestId = answer.requestId;
        record.experiment = answer.experiment;
        record.variant = answer.variant;
        record.model = answer.model;
        record.atMs = unixMillis();
        store::Event event;
        event.type = store::EventType::Impression;
        event.timestampMs = record.atMs;
        event.userId = answer.userId;
        event.requestId = answer.requestId;
        event.experiment = answer.experiment;
        event.variant = answer.variant;
        event.model = answer.model;
        event.served = true;
        for (const auto& item : answer.items()) record.items.push_back(item.itemId);
        event.items = record.items;
        measure(answer);
        impressions.record(answer.userId, std::move(record));
        pipeline->record(std::move(event));
    }

    void measure(const Recommendation& answer) {
        const auto variant =
            monitor.variantId(answer.experiment.empty() ? std::string() : answer.experiment + ":" + answer.variant);
        monitoring::RequestSample sample;
        sample.latencyUs = answer.timings.totalUs;
        sample.tier = answer.tier;
        sample.variant = variant;
        sample.outcome = answer.fallback() ? monitoring::Outcome::Fallback : monitoring::Outcome::Ok;
        sample.stageUs[static_cast<std::size_t>(monitoring::Stage::Cache)] = answer.timings.cacheUs;
        if (answer.tier == cache::Tier::Compute && answer.timings.scoringUs > 0) {
            sample.stageUs[static_cast<std::size_t>(monitoring::Stage::Features)] = answer.timings.featuresUs;
            sample.stageUs[static_cast<std::size_t>(monitoring::Stage::Candidates)] = answer.timings.candidatesUs;
            sample.stageUs[static_cast<std::size_t>(monitoring::Stage::Scoring)] = answer.timings.scoringUs;
            sample.stageUs[static_cast<std::size_t>(monitoring::Stage::Ranking)] = answer.timings.rankingUs;
        }
        monitor.recordRequest(sample);
        monitor.recordImpressions(variant, static_cast<std::uint32_t>(answer.items().size()));
        monitor.recordList(answer.list->itemIndices, answer.list->ild);
    }

    // Prometheus families the Monitor does not know about, refreshed on every scrape.
    void registerGauges() {
        auto& prom = *monitor.registry();
        auto& modelInfo = prometheus::BuildGauge()
                              .Name("recdeck_model_info")
                              .Help("Models served (1 per name and version; default=\"true\" marks the default)")
                              .Register(prom);
        auto& cacheEntries = prometheus::BuildGauge()
                                 .Name("recdeck_cache_entries")
                                 .Help("Entries in the in-process L1 cache")
                                 .Register(prom);
        auto& cacheBytes = prometheus::BuildGauge()
                               .Name("recdeck_cache_bytes")
                               .Help("Approximate bytes held by the L1 cache")
                               .Register(prom);
        auto& storeUp = prometheus::BuildGauge()
                            .Name("recdeck_store_up")
                            .Help("1 when the key-value store (embedded or Redis) answers")
                            .Register(prom);
        auto& queue = prometheus::BuildGauge()
                          .Name("recdeck_event_log_queue")
                          .Help("Events waiting to be committed to the event log")
                          .Register(prom);
        auto& events = prometheus::BuildGauge()
                           .Name("recdeck_event_log_last_id")
                           .Help("Highest committed event id")
                           .Register(prom);
        auto& failedBatches = prometheus::BuildGauge()
                                  .Name("recdeck_event_log_failed_batches")
                                  .Help("Event log batches that failed to commit since start")
                                  .Register(prom)
                                  .Add({});
        auto& refused = prometheus::BuildGauge()
                            .Name("recdeck_event_log_refused")
                            .Help("Appends refused since start because the event log's queue was full")
                            .Register(prom)
                            .Add({});
        auto& unpublished = prometheus::BuildGauge()
                                .Name("recdeck_fleet_unpublished_events")
                                .Help("Committed events not yet in the fleet stream (0 in embedded mode)")
                                .Register(prom)
                                .Add({});
        auto& readerLag = prometheus::BuildGauge()
                              .Name("recdeck_fleet_reader_lag_seconds")
                              .Help("How far this instance's readout is behind the end of the fleet stream")
                              .Register(prom)
                              .Add({});
        auto& pending = prometheus::BuildGauge()
                            .Name("recdeck_experiment_outcomes_waiting")
                            .Help("Clicks and conversions waiting for the impression that led to them")
                            .Register(prom)
                            .Add({});
        auto& entries = cacheEntries.Add({});
        auto& bytes = cacheBytes.Add({});
        auto& up = storeUp.Add({{"store", store->describe()}});
        auto& queued = queue.Add({});
        auto& lastId = events.Add({});
        monitor.setScrapeHook([this, &modelInfo, &entries, &bytes, &up, &queued, &lastId, &failedBatches, &refused,
                               &unpublished, &readerLag, &pending](prometheus::Registry&) {
            // Only current versions are exposed: earlier ones are removed on each scrape.
            for (auto* gauge : modelGauges) modelInfo.Remove(gauge);
            modelGauges.clear();
            const std::string defaultName = registry.defaultName();
            for (const auto& entry : registry.entries()) {
                auto& gauge = modelInfo.Add({{"model", entry->name},
                                             {"version", std::to_string(entry->version)},
                                             {"kind", std::string(entry->model->kind())},
                                             {"default", entry->name == defaultName ? "true" : "false"}});
                gauge.Set(1.0);
                modelGauges.push_back(&gauge);
            }
            const auto stats = cache->stats();
            entries.Set(static_cast<double>(stats.l1.entries));
            bytes.Set(static_cast<double>(stats.l1.bytes));
            up.Set(store->healthy() ? 1.0 : 0.0);
            const PipelineStats flow = pipeline->stats();
            queued.Set(static_cast<double>(flow.log.queued));
            lastId.Set(static_cast<double>(flow.log.lastId));
            failedBatches.Set(static_cast<double>(flow.log.failedBatches));
            refused.Set(static_cast<double>(flow.log.refused));
            unpublished.Set(flow.publisher ? static_cast<double>(flow.publisher->lagEvents()) : 0.0);
            readerLag.Set(flow.reader ? static_cast<double>(flow.reader->lagMs()) / 1000.0 : 0.0);
            pending.Set(static_cast<double>(flow.tracker.pending));
        });
    }

    void replay() {
        if (config.replayEvents == 0 || store->describe() != "embedded") return;
        const std::int64_t last = pipeline->log().stats().lastId;
        std::int64_t after = std::max<std::int64_t>(0, last - static_cast<std::int64_t>(config.replayEvents));
        while (after < last) {
            auto page = pipeline->log().readAfter(after, 10'000);
            if (!page || page->empty()) break;
            features->onEvents(*page);
            after = page->back().id;
        }
    }

    void saveSource(const DatasetSource& source) {
        json state = {{"interactions", std::filesystem::absolute(source.interactions).string()}};
        if (source.items) state["items"] = std::filesystem::absolute(*source.items).string();
        (void)ensurePrivateFile(config.dataDir / "source.json");
        std::ofstream out(config.dataDir / "source.json");
        out << state.dump(2) << "\n";
    }

    std::optional<DatasetSource> savedSource() const {
        std::ifstream in(config.dataDir / "source.json");
        if (!in) return std::nullopt;
        const json state = json::parse(in, nullptr, false);
        if (!state.is_object() || !state.contains("interactions")) return std::nullopt;
        DatasetSource source;
        source.interactions = state.value("interactions", std::string());
        if (state.contains("items")) source.items = std::filesystem::path(state.value("items", std::string()));
        if (!std::filesystem::exists(source.interactions)) return std::nullopt;
        if (source.items && !std::filesystem::exists(*source.items)) source.items.reset();
        return source;
    }
};

Engine::Engine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::open(EngineConfig config, const TaskControl& control) {
    if (config.dataDir.empty()) return Error{"no data folder given"};
    // The data folder and what RecDeck creates in it are private to the user (0700 / 0600).
    if (auto created = createPrivateDirectories(config.dataDir); !created) return created.error();

    auto impl = std::make_unique<Impl>();
    impl->config = std::move(config);
    Impl& e = *impl;

    control.report(0.0, "opening store");
    if (e.config.storeInstance) {
        e.store = e.config.storeInstance;
    } else {
        auto store = store::openStore(e.config.store);
        if (!store) return store.error();
        e.store = std::shared_ptr<store::KeyValueStore>(std::move(*store));
    }

    control.report(0.01, "loading experiments and events");
    experiments::RegistryOptions experimentOptions;
    experimentOptions.sqlitePath = e.config.dataDir / "experiments.db";
    experimentOptions.store = e.store;
    auto registry = experiments::ExperimentRegistry::open(std::move(experimentOptions));
    if (!registry) return registry.error();
    e.experiments = std::move(*registry);
    // Metrics labels: only variants of experiments the registry knows (monitor.h).
    e.monitor.setVariantFilter([raw = impl.get()](std::string_view name) {
        const auto colon = name.find(':');
        if (colon == std::string_view::npos) return false;
        const auto experiment = raw->experiments->get(name.substr(0, colon));
        if (!experiment) return false;
        const auto variant = name.substr(colon + 1);
        return std::any_of(experiment->variants.begin(), experiment->variants.end(),
                           [&](const auto& v) { return v.name == variant; });
    });
    EventPipelineConfig pipelineConfig = e.config.events;
    pipelineConfig.logPath = e.config.dataDir / "events.db";
    pipelineConfig.store = e.store;
    pipelineConfig.tracker.attributionWindow = e.config.attributionWindow;
    auto pipeline =
        EventPipeline::open(std::move(pipelineConfig), *e.experiments, subTask(control, 0.01, 0.02, "events"));
    if (!pipeline) return pipeline.error();
    e.pipeline = std::move(*pipeline);

    // Data: the configured dataset, else the folder's last one, else the demo world.
    std::optional<DatasetSource> source = e.config.dataset ? e.config.dataset : e.savedSource();
    control.report(0.02, source ? "importing " + source->interactions.filename().string() : "generating demo world");
    auto dataset = e.loadData(source, e.info, subTask(control, 0.02, 0.15, "data"), e.world);
    if (!dataset) return dataset.error();
    if (source && e.config.dataset) e.saveSource(*source);
    e.describe(e.info, **dataset);
    auto matrix = std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(**dataset));
    if (control.cancelled()) return Error::cancelled();

    ProvisioningConfig provisioning;
    provisioning.modelsDir = e.config.dataDir / "models";
    provisioning.names = e.config.models;
    provisioning.reuseSaved = e.config.reuseSavedModels;
    provisioning.store = e.store;
    provisioning.instance = fleet::instanceText(e.pipeline->instance());
    auto models =
        ModelProvisioning::open(std::move(provisioning), e.registry,
                                ModelData{*dataset, matrix, dataFingerprint(**dataset, *matrix), e.info.description},
                                subTask(control, 0.15, 0.95, "models"));
    if (!models) return models.error();
    e.models = std::move(*models);

    control.report(0.96, "starting service");
    e.features =
        std::make_unique<features::FeatureStore>(e.store, features::BaseData{*dataset, matrix}, e.config.features);
    e.cache = std::make_unique<cache::TieredCache>(e.store, e.config.cache);
    e.service = std::make_unique<RecommendationService>(e.registry, *e.features, *e.cache);
    e.service->setSnapshot(ServingSnapshot::build(*dataset, matrix));
    e.service->setDefaultRanking(e.config.ranking);
    e.service->setAssigner([raw = impl.get()](std::string_view userId) -> std::optional<VariantAssignment> {
        auto assignment = raw->experiments->assign(userId);
        if (!assignment) return std::nullopt;
        return variantAssignment(std::move(*assignment), raw->config.ranking);
    });
    Impl* raw = impl.get();
    e.service->setObserver([raw](const RecommendationRequest& r, const Recommendation& a) { raw->onAnswer(r, a); });
    e.replay();
    e.pipeline->setListener([raw](std::span<const store::Event> events) { raw->onCommitted(events); });
    if (e.pipeline->fleet()) {
        e.fleetMonitor = std::make_unique<monitoring::Monitor>();
        e.fleetMonitor->setCatalogSize((*dataset)->catalog.size());
        e.pipeline->setStreamObserver(
            [raw](std::span<const fleet::StreamEvent> events) { raw->onFleetEvents(events); });
    }
    // A model that starts serving another version (trained here or anywhere in the fleet)
    // drops its cached lists.
    e.models->setChangeListener([raw](const std::string& name) { (void)raw->cache->invalidateModel(name); });
    e.monitor.setCatalogSize((*dataset)->catalog.size());
    e.registerGauges();
    e.ticker = std::jthread([raw](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        while (!stop.stop_requested()) {
            raw->monitor.evaluateAlerts(monitoring::systemUnixSeconds());
            raw->pipeline->maintain();
            std::unique_lock lock(mutex);
            wake.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
        }
    });
    control.report(1.0, "ready");
    return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Result<Recommendation> Engine::recommend(const RecommendationRequest& request) {
    return m_impl->service->recommend(request);
}

// The edge check of every event the service keeps (HTTP, the console, the simulator):
// what passes is stored, becomes features and history, and may become a metrics label,
// so every string is bounded and well-formed here and nowhere else.
Status Engine::validateEvent(const store::Event& event) {
    const auto invalid = [](std::string_view field, const std::string& problem) {
        return Error::invalid(std::string(field) + ": " + problem);
    };
    if (auto problem = idProblem(event.userId); !problem.empty()) return invalid("user_id", problem);
    if (event.type == store::EventType::Impression) {
        if (event.items.empty() && event.itemId.empty())
            return Error::invalid("items: an impression names the items shown");
    } else if (event.itemId.empty()) {
        return Error::invalid("item_id: must not be empty for a " + std::string(store::eventTypeName(event.type)));
    }
    if (!event.itemId.empty()) {
        if (auto problem = idProblem(event.itemId); !problem.empty()) return invalid("item_id", problem);
    }
    if (event.items.size() > kMaxListLength) {
        return invalid("items", "at most " + std::to_string(kMaxListLength) + " items (the longest list served), got " +
                                    std::to_string(event.items.size()));
    }
    for (std::size_t i = 0; i < event.items.size(); ++i) {
        if (auto problem = idProblem(event.items[i]); !problem.empty()) {
            return invalid("items[" + std::to_string(i) + "]", problem);
        }
    }
    if (!std::isfinite(event.value)) return invalid("value", "must be a finite number");
    if (event.type == store::EventType::Rating && !(event.value >= 0.0 && event.value <= 100.0)) {
        return Error::invalid("value: a rating must be a number between 0 and 100");
    }
    // 0 means "now" (ingest fills it in).
    if (event.timestampMs != 0) {
        if (auto problem = eventTimeProblem(event.timestampMs, unixMillis()); !problem.empty()) {
            return invalid("timestamp", problem);
        }
    }
    if (!event.requestId.empty()) {
        if (auto problem = idProblem(event.requestId, kMaxRequestIdBytes); !problem.empty()) {
            return invalid("request_id", problem);
        }
    }
    // Experiment and variant names may become metrics labels: the key follows the
    // registry's key rules, the variant its name rules (1-64 bytes of printable UTF-8).
    if (!event.experiment.empty()) {
        if (auto problem = experiments::keyProblem(event.experiment); !problem.empty()) {
            return invalid("experiment", problem);
        }
        if (auto problem = idProblem(event.variant, experiments::kMaxVariantNameBytes); !problem.empty()) {
            return invalid("variant", problem);
        }
    } else if (!event.variant.empty()) {
        return invalid("variant", "given without an experiment");
    }
    if (!event.model.empty()) {
        if (auto problem = nameProblem(event.model, kMaxModelNameBytes); !problem.empty())
            return invalid("model", problem);
    }
    return {};
}

namespace {

// Validates every event (the message names the one at fault) and stamps missing times.
// Events arriving over the service are never "served": only the Engine records those.
Status prepareEvents(std::vector<store::Event>& events) {
    const std::int64_t now = unixMillis();
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (auto valid = Engine::validateEvent(events[i]); !valid) {
            const std::string where = events.size() > 1 ? "events[" + std::to_string(i) + "]." : std::string();
            return Error::invalid(where + valid.errorMessage());
        }
        if (events[i].timestampMs <= 0) events[i].timestampMs = now;
        events[i].served = false;
    }
    return {};
}

}  // namespace

void Engine::ingest(std::vector<store::Event> events, store::EventLog::Done done) {
    if (auto prepared = prepareEvents(events); !prepared) {
        if (done) done(Result<std::int64_t>(prepared.error()));
        return;
    }
    m_impl->pipeline->ingest(std::move(events), std::move(done));
}

Result<std::int64_t> Engine::ingestAndWait(std::vector<store::Event> events) {
    if (auto prepared = prepareEvents(events); !prepared) return prepared.error();
    return m_impl->pipeline->ingestAndWait(std::move(events));
}

void Engine::setEventObserver(EventObserver observer) {
    auto shared = std::make_shared<const EventObserver>(std::move(observer));
    std::lock_guard lock(m_impl->observerMutex);
    m_impl->observer = std::move(shared);
}

Status Engine::invalidate(cache::InvalidationKind kind, std::string_view id) {
    switch (kind) {
        case cache::InvalidationKind::User:
            (void)m_impl->features->refreshUser(id);
            return m_impl->cache->invalidateUser(id);
        case cache::InvalidationKind::Item:
            return m_impl->cache->invalidateItem(id);
        case cache::InvalidationKind::Model:
            return m_impl->cache->invalidateModel(id);
        case cache::InvalidationKind::All:
            return m_impl->cache->invalidateAll();
    }
    return {};
}

Result<UserView> Engine::user(std::string_view userId, std::size_t historyLimit) {
    if (userId.empty() || userId.size() > kMaxUserIdBytes) return Error{"user_id: must be 1 to 256 bytes"};
    auto features = m_impl->features->user(userId);
    if (!features) return features.error();
    UserView view;
    view.features = std::move(*features);
    if (auto history = m_impl->pipeline->log().userEvents(userId, historyLimit)) view.history = std::move(*history);
    view.recent = m_impl->impressions.recent(userId);
    return view;
}

DataInfo Engine::dataInfo() const {
    std::lock_guard lock(m_impl->dataMutex);
    return m_impl->info;
}

ReadyState Engine::ready() {
    ReadyState state;
    if (auto ping = m_impl->store->ping(); !ping) state.problems.push_back("store: " + ping.errorMessage());
    const PipelineStats events = m_impl->pipeline->stats();
    if (events.log.failing) state.problems.push_back("event log: the last write failed: " + events.log.lastError);
    const std::size_t queueLimit = std::max<std::size_t>(1, m_impl->config.events.log.maxQueued);
    if (events.log.queued * 10 >= queueLimit * 8)
        state.problems.push_back("event log: " + std::to_string(events.log.queued) +
                                 " events wait for the disk (limit " + std::to_string(queueLimit) + ")");
    if (events.publisher && events.publisher->failing)
        state.problems.push_back("fleet stream: " + std::to_string(events.publisher->lagEvents()) +
                                 " events wait to be appended: " + events.publisher->lastError);
    if (events.reader && events.reader->failing)
        state.problems.push_back("fleet readouts: cannot read the stream: " + events.reader->lastError);
    else if (events.reader && events.reader->lagMs() > 10'000)
        state.problems.push_back("fleet readouts: " + std::to_string(events.reader->lagMs() / 1000) +
                                 " s behind the stream");
    if (!m_impl->registry.defaultEntry()) state.problems.push_back("no model loaded");
    if (!m_impl->service->snapshot()) state.problems.push_back("no data loaded");
    state.ready = state.problems.empty();
    return state;
}

Result<TrainOutcome> Engine::train(std::string_view name, const TaskControl& control) {
    Impl* raw = m_impl.get();
    const EventSource events = [raw](const std::function<void(std::span<const store::Event>)>& page,
                                     const TaskControl& c) { return raw->forEachTrainingEvent(page, c); };
    return m_impl->models->train(name, events, control);
}

Status Engine::setDefaultModel(std::string_view name) {
    return m_impl->models->setDefault(name);
}

Result<models::ModelRegistry::EntryPtr> Engine::rollbackModel(std::string_view name) {
    return m_impl->models->rollback(name);
}

ModelProvisioning& Engine::models() {
    return *m_impl->models;
}

Result<DataInfo> Engine::importDataset(const DatasetSource& source, const TaskControl& control) {
    std::lock_guard lock(m_impl->importMutex);
    DataInfo info;
    std::shared_ptr<const data::SyntheticWorld> world;
    auto dataset = m_impl->loadData(source, info, subTask(control, 0.0, 0.2, "data"), world);
    if (!dataset) return dataset.error();
    m_impl->describe(info, **dataset);
    auto matrix = std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(**dataset));
    // Retrain every served model before switching, so a failure or cancellation changes nothing.
    if (auto replaced = m_impl->models->replaceData(
            ModelData{*dataset, matrix, dataFingerprint(**dataset, *matrix), info.description},
            subTask(control, 0.2, 0.95, "models"));
        !replaced) {
        return replaced.error();
    }
    m_impl->features->setBase(features::BaseData{*dataset, matrix});
    m_impl->service->setSnapshot(ServingSnapshot::build(*dataset, matrix));
    m_impl->monitor.setCatalogSize((*dataset)->catalog.size());
    (void)m_impl->cache->invalidateAll();
    m_impl->saveSource(source);
    {
        std::lock_guard dataLock(m_impl->dataMutex);
        m_impl->info = info;
        m_impl->world = world;  // an imported dataset replaces the demo world
    }
    control.report(1.0, "ready");
    return info;
}

models::ModelRegistry& Engine::registry() {
    return m_impl->registry;
}
RecommendationService& Engine::service() {
    return *m_impl->service;
}
cache::TieredCache& Engine::cache() {
    return *m_impl->cache;
}
features::FeatureStore& Engine::features() {
    return *m_impl->features;
}
store::EventLog& Engine::eventLog() {
    return m_impl->pipeline->log();
}
std::shared_ptr<store::KeyValueStore> Engine::store() {
    return m_impl->store;
}
ImpressionTracker& Engine::impressions() {
    return m_impl->impressions;
}
monitoring::Monitor& Engine::monitor() {
    return m_impl->monitor;
}
const monitoring::Monitor* Engine::fleetMonitor() const {
    return m_impl->fleetMonitor.get();
}
experiments::ExperimentRegistry& Engine::experiments() {
    return *m_impl->experiments;
}
experiments::ExperimentTracker& Engine::experimentResults() {
    return m_impl->pipeline->tracker();
}
EventPipeline& Engine::events() {
    return *m_impl->pipeline;
}
std::shared_ptr<const ServingSnapshot> Engine::snapshot() const {
    return m_impl->service->snapshot();
}
std::shared_ptr<const data::SyntheticWorld> Engine::demoWorld() const {
    std::lock_guard lock(m_impl->dataMutex);
    return m_impl->world;
}
const EngineConfig& Engine::config() const {
    return m_impl->config;
}

}  // namespace recdeck::serving

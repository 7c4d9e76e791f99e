#include "recdeck/serving/engine.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <future>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "recdeck/common/private_files.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/common/text_checks.h"
#include "recdeck/models/model_factory.h"
#include "recdeck/models/model_file.h"
#include "recdeck/store/store_factory.h"

namespace recdeck::serving {

namespace {

using nlohmann::json;

// Identifies the training data, so saved models are reused only on the same data.
std::string fingerprintOf(const data::Dataset& dataset, const data::InteractionMatrix& matrix) {
    std::uint64_t hash = 1469598103934665603ULL;
    auto mix = [&hash](std::string_view text) {
        for (unsigned char c : text) {
            hash ^= c;
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

TaskControl subTask(const TaskControl& parent, double from, double to, std::string prefix) {
    TaskControl child;
    child.stop = parent.stop;
    if (parent.progress) {
        child.progress = [parent, from, to, prefix](double fraction, std::string_view stage) {
            parent.report(from + (to - from) * std::clamp(fraction, 0.0, 1.0),
                          stage.empty() ? prefix : prefix + ": " + std::string(stage));
        };
    }
    return child;
}

std::string kindFor(std::string_view name, const data::InteractionMatrix& matrix) {
    if (name == "default") return std::string(models::defaultModelKind(matrix));
    return std::string(name);
}

}  // namespace

struct Engine::Impl {
    EngineConfig config;
    std::shared_ptr<store::KeyValueStore> store;
    std::unique_ptr<store::EventLog> log;
    models::ModelRegistry registry;
    std::unique_ptr<features::FeatureStore> features;
    std::unique_ptr<cache::TieredCache> cache;
    std::unique_ptr<RecommendationService> service;
    ImpressionTracker impressions;
    metrics::Monitor monitor;
    std::unique_ptr<experiments::ExperimentRegistry> experiments;
    std::unique_ptr<experiments::ExperimentTracker> tracker;
    int listener = 0;
    std::jthread ticker;  // evaluates alert rules once a second
    std::vector<prometheus::Gauge*> modelGauges;  // scrape hook only (scrapes are serialised)

    mutable std::mutex dataMutex;
    DataInfo info;
    std::shared_ptr<const data::SyntheticWorld> world;  // the demo world, if it is served
    std::string fingerprint;
    std::string defaultKind;

    std::mutex trainMutex;  // one (re)training or import at a time

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
        if (log && listener != 0) log->removeListener(listener);
        // The log flushes and stops its writer before the consumers it calls go away.
        log.reset();
    }

    std::filesystem::path modelPath(std::string_view kind) const {
        return config.dataDir / "models" / (std::string(kind) + ".rdm");
    }

    Result<std::shared_ptr<const data::Dataset>> loadData(const std::optional<DatasetSource>& source,
                                                         DataInfo& out, const TaskControl& control) {
        if (!source) {
            auto generated = std::make_shared<data::SyntheticWorld>(config.demo);
            out.description = "Demo world (seed " + std::to_string(config.demo.seed) + ")";
            world = generated;
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

    // Loads a saved model trained on the same data, or trains and saves one.
    Result<models::ModelRegistry::EntryPtr> provide(const std::string& kind, const data::Dataset& dataset,
                                                    const data::InteractionMatrix& matrix, const std::string& fp,
                                                    bool reuse, const TaskControl& control) {
        const auto path = modelPath(kind);
        if (reuse && std::filesystem::exists(path)) {
            auto file = models::ModelFile::load(path);
            if (file && file->metadata.value("fingerprint", std::string()) == fp &&
                file->itemIds == dataset.catalog.items().ids() && file->model->kind() == kind) {
                return registry.publish(kind, file->model, file->metadata.value("training_seconds", 0.0),
                                        file->metadata.value("offline_metrics", json::object()),
                                        file->metadata.value("trained_at_ms", std::int64_t{0}));
            }
        }
        auto model = models::createModel(kind);
        if (!model) return model.error();
        auto entry = registry.trainAndPublish(kind, std::move(*model), matrix, control);
        if (!entry) return entry.error();
        json metadata = {{"fingerprint", fp},
                         {"training_seconds", (*entry)->trainingSeconds},
                         {"trained_at_ms", (*entry)->trainedAtMs},
                         {"data", info.description}};
        // A model that cannot be saved is still served; it is retrained next start.
        (void)createPrivateDirectories(path.parent_path());
        (void)models::ModelFile::save(path, *(*entry)->model, dataset.catalog.items().ids(), dataset.users.ids(), metadata);
        return *entry;
    }

    Status trainAll(const std::vector<std::string>& names, const data::Dataset& dataset,
                    const data::InteractionMatrix& matrix, const std::string& fp, bool reuse,
                    const TaskControl& control) {
        std::vector<std::string> kinds;
        for (const auto& name : names) {
            const std::string kind = kindFor(name, matrix);
            if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
            if (name == "default") defaultKind = kind;
        }
        for (std::size_t i = 0; i < kinds.size(); ++i) {
            const double from = static_cast<double>(i) / static_cast<double>(kinds.size());
            const double to = static_cast<double>(i + 1) / static_cast<double>(kinds.size());
            auto entry = provide(kinds[i], dataset, matrix, fp, reuse, subTask(control, from, to, "train " + kinds[i]));
            if (!entry) return Error{"training " + kinds[i] + " failed: " + entry.errorMessage()};
        }
        if (!defaultKind.empty()) return registry.setDefault(defaultKind);
        return {};
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
        if (tracker) tracker->onEvents(events);
        if (current && *current) (*current)(outcomes);
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
        log->appendAsync({std::move(event)});
    }

    void measure(const Recommendation& answer) {
        const auto variant =
            monitor.variantId(answer.experiment.empty() ? std::string() : answer.experiment + ":" + answer.variant);
        metrics::RequestSample sample;
        sample.latencyUs = answer.timings.totalUs;
        sample.tier = answer.tier;
        sample.variant = variant;
        sample.outcome = answer.fallback() ? metrics::Outcome::Fallback : metrics::Outcome::Ok;
        sample.stageUs[static_cast<std::size_t>(metrics::Stage::Cache)] = answer.timings.cacheUs;
        if (answer.tier == cache::Tier::Compute && answer.timings.scoringUs > 0) {
            sample.stageUs[static_cast<std::size_t>(metrics::Stage::Features)] = answer.timings.featuresUs;
            sample.stageUs[static_cast<std::size_t>(metrics::Stage::Candidates)] = answer.timings.candidatesUs;
            sample.stageUs[static_cast<std::size_t>(metrics::Stage::Scoring)] = answer.timings.scoringUs;
            sample.stageUs[static_cast<std::size_t>(metrics::Stage::Ranking)] = answer.timings.rankingUs;
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
        auto& cacheEntries =
            prometheus::BuildGauge().Name("recdeck_cache_entries").Help("Entries in the in-process L1 cache").Register(prom);
        auto& cacheBytes =
            prometheus::BuildGauge().Name("recdeck_cache_bytes").Help("Approximate bytes held by the L1 cache").Register(prom);
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
        auto& entries = cacheEntries.Add({});
        auto& bytes = cacheBytes.Add({});
        auto& up = storeUp.Add({{"store", store->describe()}});
        auto& pending = queue.Add({});
        auto& lastId = events.Add({});
        monitor.setScrapeHook([this, &modelInfo, &entries, &bytes, &up, &pending, &lastId](prometheus::Registry&) {
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
            const auto logStats = log->stats();
            pending.Set(static_cast<double>(logStats.queued));
            lastId.Set(static_cast<double>(logStats.lastId));
        });
    }

    void replay() {
        if (config.replayEvents == 0 || store->describe() != "embedded") return;
        const std::int64_t last = log->stats().lastId;
        std::int64_t after = std::max<std::int64_t>(0, last - static_cast<std::int64_t>(config.replayEvents));
        while (after < last) {
            auto page = log->readAfter(after, 10'000);
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

    auto log = store::EventLog::open(e.config.dataDir / "events.db");
    if (!log) return log.error();
    e.log = std::move(*log);

    // Data: the configured dataset, else the folder's last one, else the demo world.
    std::optional<DatasetSource> source = e.config.dataset ? e.config.dataset : e.savedSource();
    control.report(0.02, source ? "importing " + source->interactions.filename().string() : "generating demo world");
    auto dataset = e.loadData(source, e.info, subTask(control, 0.02, 0.15, "data"));
    if (!dataset) return dataset.error();
    if (source && e.config.dataset) e.saveSource(*source);
    e.describe(e.info, **dataset);
    auto matrix = std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(**dataset));
    e.fingerprint = fingerprintOf(**dataset, *matrix);
    if (control.cancelled()) return Error{"cancelled"};

    if (auto trained = e.trainAll(e.config.models, **dataset, *matrix, e.fingerprint, e.config.reuseSavedModels,
                                  subTask(control, 0.15, 0.95, "models"));
        !trained) {
        return trained.error();
    }

    control.report(0.95, "loading experiments");
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
    experiments::TrackerOptions trackerOptions;
    trackerOptions.attributionWindow = e.config.attributionWindow;
    e.tracker = std::make_unique<experiments::ExperimentTracker>(*e.experiments, trackerOptions);
    if (auto rebuilt = e.tracker->rebuild(*e.log); !rebuilt) return rebuilt.error();

    control.report(0.96, "starting service");
    e.features = std::make_unique<features::FeatureStore>(e.store, features::BaseData{*dataset, matrix}, e.config.features);
    e.cache = std::make_unique<cache::TieredCache>(e.store, e.config.cache);
    e.service = std::make_unique<RecommendationService>(e.registry, *e.features, *e.cache);
    e.service->setSnapshot(ServingSnapshot::build(*dataset, matrix));
    e.service->setDefaultRanking(e.config.ranking);
    e.service->setAssigner([raw = impl.get()](std::string_view userId) -> std::optional<VariantAssignment> {
        auto assignment = raw->experiments->assign(userId);
        if (!assignment) return std::nullopt;
        VariantAssignment out;
        out.experiment = std::move(assignment->experiment);
        out.variant = std::move(assignment->variant);
        out.model = std::move(assignment->model);
        if (assignment->ranking) {
            ranking::RankingParams params = raw->config.ranking;
            params.diversity = assignment->ranking->diversity;
            params.mmrLambda = assignment->ranking->mmrLambda;
            params.categoryCap = assignment->ranking->categoryCap;
            // A variant that names its lambda gets exactly that lambda, not the ILD target.
            params.ildTarget = 0.0;
            out.ranking = params;
        }
        return out;
    });
    Impl* raw = impl.get();
    e.service->setObserver([raw](const RecommendationRequest& r, const Recommendation& a) { raw->onAnswer(r, a); });
    e.replay();
    e.listener = e.log->addListener([raw](std::span<const store::Event> events) { raw->onCommitted(events); });
    e.monitor.setCatalogSize((*dataset)->catalog.size());
    e.registerGauges();
    e.ticker = std::jthread([raw](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        while (!stop.stop_requested()) {
            raw->monitor.evaluateAlerts(metrics::systemUnixSeconds());
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
        if (event.items.empty() && event.itemId.empty()) return Error::invalid("items: an impression names the items shown");
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
        if (auto problem = nameProblem(event.model, kMaxModelNameBytes); !problem.empty()) return invalid("model", problem);
    }
    return {};
}

void Engine::ingest(std::vector<store::Event> events, store::EventLog::Done done) {
    const std::int64_t now = unixMillis();
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (auto valid = validateEvent(events[i]); !valid) {
            const std::string where = events.size() > 1 ? "events[" + std::to_string(i) + "]." : std::string();
            if (done) done(Result<std::int64_t>(Error{where + valid.errorMessage()}));
            return;
        }
        if (events[i].timestampMs <= 0) events[i].timestampMs = now;
    }
    m_impl->log->appendAsync(std::move(events), std::move(done));
}

Result<std::int64_t> Engine::ingestAndWait(std::vector<store::Event> events) {
    auto promise = std::make_shared<std::promise<Result<std::int64_t>>>();
    auto future = promise->get_future();
    ingest(std::move(events), [promise](const Result<std::int64_t>& result) { promise->set_value(result); });
    return future.get();
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
        case cache::InvalidationKind::Item: return m_impl->cache->invalidateItem(id);
        case cache::InvalidationKind::Model: return m_impl->cache->invalidateModel(id);
        case cache::InvalidationKind::All: return m_impl->cache->invalidateAll();
    }
    return {};
}

Result<UserView> Engine::user(std::string_view userId, std::size_t historyLimit) {
    if (userId.empty() || userId.size() > kMaxUserIdBytes) return Error{"user_id: must be 1 to 256 bytes"};
    auto features = m_impl->features->user(userId);
    if (!features) return features.error();
    UserView view;
    view.features = std::move(*features);
    if (auto history = m_impl->log->userEvents(userId, historyLimit)) view.history = std::move(*history);
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
    if (!m_impl->registry.defaultEntry()) state.problems.push_back("no model loaded");
    if (!m_impl->service->snapshot()) state.problems.push_back("no data loaded");
    state.ready = state.problems.empty();
    return state;
}

Result<models::ModelRegistry::EntryPtr> Engine::train(std::string_view name, const TaskControl& control) {
    std::lock_guard lock(m_impl->trainMutex);
    const auto snapshot = m_impl->service->snapshot();
    const std::string kind = kindFor(name, *snapshot->matrix);
    auto entry = m_impl->provide(kind, *snapshot->dataset, *snapshot->matrix, m_impl->fingerprint, false, control);
    if (!entry) return entry.error();
    if (name == "default") {
        m_impl->defaultKind = kind;
        (void)m_impl->registry.setDefault(kind);
    }
    (void)m_impl->cache->invalidateModel(kind);
    return *entry;
}

Result<DataInfo> Engine::importDataset(const DatasetSource& source, const TaskControl& control) {
    std::lock_guard lock(m_impl->trainMutex);
    DataInfo info;
    auto dataset = m_impl->loadData(source, info, subTask(control, 0.0, 0.2, "data"));
    if (!dataset) return dataset.error();
    m_impl->describe(info, **dataset);
    auto matrix = std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(**dataset));
    const std::string fp = fingerprintOf(**dataset, *matrix);

    // The same models as now, retrained on the new data; "default" is resolved again.
    std::vector<std::string> kinds;
    std::string defaultKind;
    for (const auto& entry : m_impl->registry.entries()) {
        const bool isDefault = entry->name == m_impl->defaultKind;
        const std::string kind = isDefault ? kindFor("default", *matrix) : entry->name;
        if (isDefault) defaultKind = kind;
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
    }
    // Train everything before switching, so a failure or cancellation changes nothing.
    struct Trained {
        std::string kind;
        std::shared_ptr<const models::Model> model;
        double seconds;
    };
    std::vector<Trained> trained;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        auto model = models::createModel(kinds[i]);
        if (!model) return model.error();
        const double from = 0.2 + 0.75 * static_cast<double>(i) / static_cast<double>(kinds.size());
        const double to = 0.2 + 0.75 * static_cast<double>(i + 1) / static_cast<double>(kinds.size());
        Stopwatch watch;
        if (auto status = (*model)->train(*matrix, subTask(control, from, to, "train " + kinds[i])); !status) {
            return Error{"training " + kinds[i] + " failed: " + status.errorMessage()};
        }
        trained.push_back({kinds[i], std::shared_ptr<const models::Model>(std::move(*model)), watch.elapsedSeconds()});
    }
    m_impl->features->setBase(features::BaseData{*dataset, matrix});
    m_impl->service->setSnapshot(ServingSnapshot::build(*dataset, matrix));
    m_impl->monitor.setCatalogSize((*dataset)->catalog.size());
    for (const auto& t : trained) {
        auto entry = m_impl->registry.publish(t.kind, t.model, t.seconds);
        json metadata = {{"fingerprint", fp},
                         {"training_seconds", t.seconds},
                         {"trained_at_ms", entry->trainedAtMs},
                         {"data", info.description}};
        (void)models::ModelFile::save(m_impl->modelPath(t.kind), *t.model, (*dataset)->catalog.items().ids(),
                                      (*dataset)->users.ids(), metadata);
    }
    if (!defaultKind.empty()) {
        m_impl->defaultKind = defaultKind;
        (void)m_impl->registry.setDefault(defaultKind);
    }
    (void)m_impl->cache->invalidateAll();
    m_impl->saveSource(source);
    {
        std::lock_guard dataLock(m_impl->dataMutex);
        m_impl->info = info;
        m_impl->fingerprint = fp;
        m_impl->world.reset();  // an imported dataset replaces the demo world
    }
    control.report(1.0, "ready");
    return info;
}

models::ModelRegistry& Engine::registry() { return m_impl->registry; }
RecommendationService& Engine::service() { return *m_impl->service; }
cache::TieredCache& Engine::cache() { return *m_impl->cache; }
features::FeatureStore& Engine::features() { return *m_impl->features; }
store::EventLog& Engine::eventLog() { return *m_impl->log; }
std::shared_ptr<store::KeyValueStore> Engine::store() { return m_impl->store; }
ImpressionTracker& Engine::impressions() { return m_impl->impressions; }
metrics::Monitor& Engine::monitor() { return m_impl->monitor; }
experiments::ExperimentRegistry& Engine::experiments() { return *m_impl->experiments; }
experiments::ExperimentTracker& Engine::experimentResults() { return *m_impl->tracker; }
std::shared_ptr<const ServingSnapshot> Engine::snapshot() const { return m_impl->service->snapshot(); }
std::shared_ptr<const data::SyntheticWorld> Engine::demoWorld() const {
    std::lock_guard lock(m_impl->dataMutex);
    return m_impl->world;
}
const EngineConfig& Engine::config() const { return m_impl->config; }

}  // namespace recdeck::serving

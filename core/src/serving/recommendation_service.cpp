#include "recdeck/serving/recommendation_service.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <vector>

#include "recdeck/common/stopwatch.h"
#include "recdeck/metrics/offline_metrics.h"
#include "recdeck/serving/model_choice.h"

namespace recdeck::serving {

namespace {

std::string newRequestId() {
    static std::atomic<std::uint64_t> counter{0};
    static const std::uint64_t boot = static_cast<std::uint64_t>(unixMicros());
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%llx-%llx", static_cast<unsigned long long>(boot & 0xFFFFFFFFFFULL),
                  static_cast<unsigned long long>(counter.fetch_add(1) + 1));
    return buffer;
}

// Every ranking parameter that changes the list is part of the cache key.
std::string rankingKey(const ranking::RankingParams& p) {
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, "%d/%zu/%.4f/%zu/%.4f/%.4f/%.4f/%d", p.diversity ? 1 : 0, p.categoryCap,
                  p.mmrLambda, p.candidatePool, p.ildTarget, p.ildLambdaStep, p.ildLambdaFloor,
                  p.splitMultiCategory ? 1 : 0);
    return buffer;
}

}  // namespace

std::shared_ptr<const ServingSnapshot> ServingSnapshot::build(std::shared_ptr<const data::Dataset> dataset,
                                                              std::shared_ptr<const data::InteractionMatrix> matrix) {
    auto snapshot = std::make_shared<ServingSnapshot>();
    snapshot->dataset = std::move(dataset);
    snapshot->matrix = std::move(matrix);
    snapshot->popularity =
        std::make_shared<const ranking::PopularityStats>(ranking::PopularityStats::fromMatrix(*snapshot->matrix));
    snapshot->ranker = std::make_shared<const ranking::Ranker>(snapshot->dataset->catalog, *snapshot->popularity);
    return snapshot;
}

RecommendationService::RecommendationService(models::ModelRegistry& registry, features::FeatureStore& features,
                                             cache::TieredCache& cache)
    : m_registry(registry), m_features(features), m_cache(cache) {
    m_cache.setDecoder([this](const cache::CacheEntry& entry) -> std::shared_ptr<const cache::DecodedPayload> {
        auto list = decodeList(entry.payload);
        if (!list) return nullptr;
        prerender(**list);
        return std::shared_ptr<const RecommendationList>(std::move(*list));
    });
}

Status RecommendationService::validate(const RecommendationRequest& request) {
    if (request.userId.empty()) return Error{"user_id: must not be empty"};
    if (request.userId.size() > kMaxUserIdBytes) {
        return Error{"user_id: longer than " + std::to_string(kMaxUserIdBytes) + " bytes"};
    }
    if (request.n == 0 || request.n > kMaxListLength) {
        return Error{"n: must be between 1 and " + std::to_string(kMaxListLength)};
    }
    if (request.ranking) {
        const auto& r = *request.ranking;
        if (!(r.mmrLambda >= 0.0 && r.mmrLambda <= 1.0)) return Error{"diversity lambda: must be between 0 and 1"};
    }
    return {};
}

Result<Recommendation> RecommendationService::recommend(const RecommendationRequest& request) {
    Stopwatch total;
    if (auto valid = validate(request); !valid) return valid.error();

    std::shared_ptr<const ServingSnapshot> snapshot;
    std::shared_ptr<const Assigner> assigner;
    ranking::RankingParams params;
    std::shared_ptr<const Observer> observer;
    {
        std::lock_guard lock(m_mutex);
        snapshot = m_snapshot;
        assigner = m_assigner;
        params = m_defaultRanking;
        observer = m_observer;
    }
    if (!snapshot) return Error{"service not ready: no data loaded"};

    Recommendation answer;
    answer.userId = request.userId;
    answer.requestId = request.requestId.empty() ? newRequestId() : request.requestId;

    // Experiment assignment decides model and ranking unless the request names a model.
    auto choice = chooseModel(m_registry, assigner.get(), request.userId, request.model);
    if (!choice) return choice.error();
    if (choice->assignment) {
        answer.experiment = choice->assignment->experiment;
        answer.variant = choice->assignment->variant;
        if (choice->assignment->ranking) params = *choice->assignment->ranking;
    }
    if (request.ranking) params = *request.ranking;
    params.n = request.n;

    const models::ModelRegistry::EntryPtr model = std::move(choice->model);
    const std::string servedModel = model ? model->name : std::string("popularity-fallback");
    answer.model = servedModel;
    answer.modelVersion = model ? model->version : 0;

    cache::CacheKey key;
    key.user = request.userId;
    key.model = servedModel;
    key.variant = "n=" + std::to_string(request.n) + "|m=" + servedModel + "@" + std::to_string(answer.modelVersion) +
                  "|e=" + answer.experiment + ":" + answer.variant + "|r=" + rankingKey(params);

    Recommendation computed;
    auto computeEntry = [&]() -> Result<cache::CacheEntry> {
        return compute(request, *snapshot, model, params, computed);
    };
    auto served = request.bypassCache ? m_cache.refresh(key, computeEntry) : m_cache.getOrCompute(key, computeEntry);
    if (!served) return Error{"recommendation failed: " + served.errorMessage()};

    if (served->tier == cache::Tier::Compute && !served->coalesced && computed.list) {
        answer.timings = computed.timings;
        answer.degraded = computed.degraded;
    }
    answer.list = std::static_pointer_cast<const RecommendationList>(served->entry->decoded);
    if (!answer.list) {
        auto decoded = decodeList(served->entry->payload);
        if (!decoded) return Error{"recommendation failed: " + decoded.errorMessage()};
        answer.list = std::move(*decoded);
    }
    answer.model = servedModel;
    answer.modelVersion = answer.list->modelVersion;
    answer.tier = served->tier;
    answer.cached = served->tier != cache::Tier::Compute;
    if (!served->degraded.empty()) answer.degraded = served->degraded;

    answer.timings.totalUs = total.elapsedUs();
    const double stages =
        answer.timings.featuresUs + answer.timings.candidatesUs + answer.timings.scoringUs + answer.timings.rankingUs;
    answer.timings.cacheUs = std::max(0.0, answer.timings.totalUs - stages);
    if (request.recordImpression && observer && *observer) (*observer)(request, answer);
    return answer;
}

Result<cache::CacheEntry> RecommendationService::compute(const RecommendationRequest& request,
                                                         const ServingSnapshot& snapshot,
                                                         const models::ModelRegistry::EntryPtr& model,
                                                         const ranking::RankingParams& params,
                                                         Recommendation& answer) const {
    const data::Catalog& catalog = snapshot.dataset->catalog;
    Stopwatch stage;
    auto features = m_features.user(request.userId);
    if (!features) return features.error();
    answer.degraded = features->degraded;
    answer.timings.featuresUs = stage.elapsedUs();

    stage.restart();
    models::UserContext user;
    user.trainedUser = features->trainedUser;
    user.history = features->history;
    const std::vector<data::Index>& exclude = features->owned;
    thread_local std::vector<float> scores;
    scores.assign(catalog.size(), -std::numeric_limits<float>::infinity());
    answer.timings.candidatesUs = stage.elapsedUs();

    stage.restart();
    std::optional<std::string> failure;
    const models::Model* scorer = model ? model->model.get() : nullptr;
    if (!scorer) {
        failure = "no trained model";
    } else if (scorer->itemCount() > catalog.size()) {
        failure = "model '" + model->name + "' was trained on another catalog";
    } else {
        try {
            scorer->scoreAll(user, std::span<float>(scores.data(), scorer->itemCount()));
        } catch (const std::exception& error) {
            failure = "model '" + model->name + "' failed: " + error.what();
        } catch (...) {
            failure = "model '" + model->name + "' failed";
        }
    }
    answer.timings.scoringUs = stage.elapsedUs();

    stage.restart();
    ranking::RankingResult ranked = failure ? snapshot.ranker->rankPopular(user, params, exclude, failure)
                                            : snapshot.ranker->rankScores(scores, user, params, exclude, scorer);
    answer.timings.rankingUs = stage.elapsedUs();

    auto list = std::make_shared<RecommendationList>();
    list->fallback = ranked.fallback;
    list->coldStart = ranked.coldStart;
    list->computedAtMs = unixMillis();
    list->model = model ? model->name : std::string("popularity-fallback");
    list->modelVersion = model ? model->version : 0;
    list->items.reserve(ranked.items.size());
    cache::CacheEntry entry;
    entry.model = list->model;
    for (const ranking::RankedItem& r : ranked.items) {
        RecommendedItem item;
        item.itemId = catalog.items().id(r.item);
        item.title = std::string(catalog.displayName(r.item));
        for (data::Index c : catalog.info(r.item).categories) item.categories.push_back(catalog.categories().id(c));
        item.score = r.score;
        item.rankBefore = r.rankBefore;
        item.rankAfter = r.rankAfter;
        item.reason = r.reason;
        item.reasonKind = ranking::reasonKindName(r.reasonKind);
        if (r.becauseOf != data::kNoIndex) item.becauseOf = catalog.items().id(r.becauseOf);
        item.fromPopularity = r.fromPopularity;
        entry.items.push_back(item.itemId);
        list->itemIndices.push_back(r.item);
        list->items.push_back(std::move(item));
    }
    list->ild = metrics::intraListDistance(catalog, list->itemIndices);
    entry.payload = encodeList(*list);
    prerender(*list);
    entry.decoded = list;
    answer.list = std::move(list);
    return entry;
}

void RecommendationService::setRenderer(Renderer renderer) {
    auto shared = std::make_shared<const Renderer>(std::move(renderer));
    std::lock_guard lock(m_mutex);
    m_renderer = std::move(shared);
}

void RecommendationService::prerender(const RecommendationList& list) const {
    std::shared_ptr<const Renderer> renderer;
    {
        std::lock_guard lock(m_mutex);
        renderer = m_renderer;
    }
    if (renderer && *renderer) (void)list.rendered(*renderer);
}

void RecommendationService::setSnapshot(std::shared_ptr<const ServingSnapshot> snapshot) {
    std::lock_guard lock(m_mutex);
    m_snapshot = std::move(snapshot);
}

std::shared_ptr<const ServingSnapshot> RecommendationService::snapshot() const {
    std::lock_guard lock(m_mutex);
    return m_snapshot;
}

void RecommendationService::setAssigner(Assigner assigner) {
    auto shared = std::make_shared<const Assigner>(std::move(assigner));
    std::lock_guard lock(m_mutex);
    m_assigner = std::move(shared);
}

void RecommendationService::setDefaultRanking(const ranking::RankingParams& params) {
    std::lock_guard lock(m_mutex);
    m_defaultRanking = params;
}

ranking::RankingParams RecommendationService::defaultRanking() const {
    std::lock_guard lock(m_mutex);
    return m_defaultRanking;
}

void RecommendationService::setObserver(Observer observer) {
    auto shared = std::make_shared<const Observer>(std::move(observer));
    std::lock_guard lock(m_mutex);
    m_observer = std::move(shared);
}

}  // namespace recdeck::serving

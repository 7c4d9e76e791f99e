#pragma once
// RecommendationService: one recommendation request through the pipeline of DESIGN.md —
//
//   validate -> experiment assignment -> model + ranking parameters
//   -> tiered cache (L1 -> L2 -> compute, single flight)
//   -> compute: user features -> candidates (history, exclusions) -> model scores
//               -> diversity-aware ranking with reasons (popularity on failure)
//   -> answer with tier, variant, model, fallback and per-stage timings
//
// It holds no data of its own: the serving snapshot (catalog, training matrix,
// popularity, ranker), the models, the features and the cache are given to it. An
// observer (the Engine) turns each answer into an impression event and metrics.
//
// Thread safety: recommend() may run concurrently on any number of threads; the setters
// swap shared state atomically (requests in flight keep what they started with).

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "recdeck/cache/tiered_cache.h"
#include "recdeck/common/result.h"
#include "recdeck/data/dataset.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/features/feature_store.h"
#include "recdeck/models/model_registry.h"
#include "recdeck/ranking/popularity_stats.h"
#include "recdeck/ranking/ranker.h"
#include "recdeck/serving/recommendation.h"

namespace recdeck::serving {

// One consistent view of the data the service ranks with.
struct ServingSnapshot {
    std::shared_ptr<const data::Dataset> dataset;
    std::shared_ptr<const data::InteractionMatrix> matrix;
    std::shared_ptr<const ranking::PopularityStats> popularity;
    std::shared_ptr<const ranking::Ranker> ranker;  // refers to dataset->catalog and popularity

    static std::shared_ptr<const ServingSnapshot> build(std::shared_ptr<const data::Dataset> dataset,
                                                        std::shared_ptr<const data::InteractionMatrix> matrix);
};

// What an experiment decided for a user: which variant, served by which model and ranking.
struct VariantAssignment {
    std::string experiment;
    std::string variant;
    std::string model;  // registry name; "" = the default model
    std::optional<ranking::RankingParams> ranking;
};
using Assigner = std::function<std::optional<VariantAssignment>(std::string_view userId)>;

class RecommendationService {
public:
    using Observer = std::function<void(const RecommendationRequest&, const Recommendation&)>;

    RecommendationService(models::ModelRegistry& registry, features::FeatureStore& features, cache::TieredCache& cache);

    // Fails (Error) only for a bad request: empty or oversized user id, n out of range,
    // unknown model. Dependencies that fail degrade the answer instead (fallback,
    // degraded), so a valid request always gets a list.
    Result<Recommendation> recommend(const RecommendationRequest& request);

    void setSnapshot(std::shared_ptr<const ServingSnapshot> snapshot);
    std::shared_ptr<const ServingSnapshot> snapshot() const;
    void setAssigner(Assigner assigner);
    void setDefaultRanking(const ranking::RankingParams& params);
    ranking::RankingParams defaultRanking() const;
    // Called after every answer of a request with recordImpression set.
    void setObserver(Observer observer);
    // The presentation layer's rendering of a list (RecommendationList::rendered), run
    // when a list is computed or decoded from L2, before it enters L1, so the cache
    // counts the memo's bytes from the start. Optional.
    using Renderer = std::function<std::string(const RecommendationList&)>;
    void setRenderer(Renderer renderer);

    // Checks a request without serving it; the message names the field.
    static Status validate(const RecommendationRequest& request);

private:
    Result<cache::CacheEntry> compute(const RecommendationRequest& request, const ServingSnapshot& snapshot,
                                      const models::ModelRegistry::EntryPtr& model,
                                      const ranking::RankingParams& params, Recommendation& answer) const;
    void prerender(const RecommendationList& list) const;

    models::ModelRegistry& m_registry;
    features::FeatureStore& m_features;
    cache::TieredCache& m_cache;

    mutable std::mutex m_mutex;  // guards the five members below (copied out per request)
    std::shared_ptr<const ServingSnapshot> m_snapshot;
    std::shared_ptr<const Assigner> m_assigner;
    ranking::RankingParams m_defaultRanking;
    std::shared_ptr<const Observer> m_observer;
    std::shared_ptr<const Renderer> m_renderer;
};

}  // namespace recdeck::serving

#pragma once
// Offline evaluation for the Models panel: EVAL.md's metrics on a held-out split of the
// data being served, and the accuracy / diversity trade-off of the ranking stage.
//
//   current training interactions -> per-user stratified split (seeded)
//   -> each model retrained on the train part (same kind and hyper-parameters)
//   -> lists for a sample of test users through ranking::Ranker, once per diversity
//      setting (the served default, diversity off, fixed MMR lambdas, ILD targets)
//   -> metrics::evaluateOffline on the test part
//
// A model's scores for a user are computed once and re-ranked for every setting
// (scoreAndRank), so the trade-off curve costs ranking time only. It runs on a worker
// thread of the console.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/metrics/offline_metrics.h"
#include "recdeck/ranking/ranker.h"
#include "recdeck/serving/recommendation_service.h"

namespace recdeck::evaluation {

struct EvaluationSettings {
    double testFraction = 0.25;  // share of each user's items held out
    std::uint64_t seed = 7;      // split and user sample
    // Test users whose lists are ranked and scored (a deterministic sample; 0 = all).
    // Training always uses the whole train part.
    std::size_t maxUsers = 800;
    std::size_t k = 10;
    // Fixed-lambda settings of the curve (1 = relevance only).
    std::vector<double> lambdas = {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3};
    // ILD-target settings of the curve (the default ranking's target is added if missing).
    std::vector<double> ildTargets = {0.6, 0.65, 0.7, 0.75, 0.8};
};

// One ranking setting of the trade-off curve and what it scored.
struct TradeOffPoint {
    enum class Mode { Off, FixedLambda, IldTarget };
    Mode mode = Mode::FixedLambda;
    double setting = 1.0;     // lambda, or the ILD target; 0 for Off
    double ndcg = 0.0;        // ndcg@k
    double ild = 0.0;         // mean intra-list distance
    double meanLambda = 1.0;  // the MMR lambda the lists were ranked with, on average
    bool isDefault = false;   // the console's current default ranking
};

struct ModelToEvaluate {
    std::string name;  // registry name
    std::uint64_t version = 0;
    std::string kind;
    nlohmann::json params = nlohmann::json::object();
};

struct ModelEvaluation {
    std::string name;
    std::uint64_t version = 0;
    std::string kind;
    metrics::OfflineMetrics served;  // with the default (diversity-aware) ranking
    metrics::OfflineMetrics off;     // ranked by model score alone
    std::vector<TradeOffPoint> curve;
    double trainSeconds = 0.0;
    double rankSeconds = 0.0;
};

struct EvaluationRun {
    std::vector<ModelEvaluation> models;
    std::size_t trainRows = 0;
    std::size_t testRows = 0;
    std::size_t testUsers = 0;     // users with held-out items
    std::size_t sampledUsers = 0;  // of which ranked and scored
    EvaluationSettings settings;
    ranking::RankingParams defaultRanking;
    double seconds = 0.0;
};

// Evaluates `models` on `snapshot`'s data. Fails when the data is too small to split,
// a kind cannot be created, or the control asks to stop ("cancelled").
Result<EvaluationRun> evaluateModels(const serving::ServingSnapshot& snapshot,
                                     const std::vector<ModelToEvaluate>& models,
                                     const ranking::RankingParams& defaultRanking, const EvaluationSettings& settings,
                                     const TaskControl& control = {});

// What the registry stores for a model (ModelRegistry::setOfflineMetrics):
// metrics::toJson of the served ranking plus {"evaluation": {split, users, ranking, ...}}.
nlohmann::json registryMetrics(const ModelEvaluation& evaluation, const EvaluationRun& run);

// A short description of a ranking setting: "ILD target 0.70", "MMR λ 0.80, cap 3", "off".
std::string describeRanking(const ranking::RankingParams& params);

// --- reuse across starts -------------------------------------------------------------
// An evaluation's figures depend only on the data it splits, the model's kind and
// parameters, the settings and the default ranking (each model is retrained on the split,
// so the registry's version does not matter). The Models panel keeps them in the data
// folder under that key and evaluates at start only what it has not measured before.

// A digest of the data an evaluation uses: users, their items, and the items' categories.
std::string dataFingerprint(const serving::ServingSnapshot& snapshot);
std::string evaluationKey(const ModelToEvaluate& model, const std::string& fingerprint,
                          const EvaluationSettings& settings, const ranking::RankingParams& defaultRanking);

struct CachedEvaluation {
    ModelEvaluation evaluation;
    EvaluationRun run;  // its description (no models)
    std::int64_t savedAtMs = 0;
};
using EvaluationCache = std::map<std::string, CachedEvaluation>;

// The cache in `file`: empty when missing, unreadable or of another format (it is only a
// cache: the next evaluation rewrites it).
EvaluationCache loadEvaluationCache(const std::filesystem::path& file);
// Writes the cache atomically (temporary file, then rename).
Status saveEvaluationCache(const std::filesystem::path& file, const EvaluationCache& cache);

}  // namespace recdeck::evaluation

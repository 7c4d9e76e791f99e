#include "recdeck/evaluation/model_evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

#include "recdeck/common/private_files.h"
#include "recdeck/common/random.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/common/sub_task.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/data/split.h"
#include "recdeck/evaluation/score_and_rank.h"
#include "recdeck/models/model_factory.h"
#include "recdeck/ranking/popularity_stats.h"

namespace recdeck::evaluation {

namespace {

using data::Index;

struct Setting {
    ranking::RankingParams params;
    TradeOffPoint point;
};

bool near(double a, double b) {
    return std::abs(a - b) < 1e-9;
}

// The curve's settings, built around the default ranking so that only the diversity knob
// varies; exactly one of them is marked as the default.
std::vector<Setting> curveSettings(const ranking::RankingParams& base, const EvaluationSettings& settings,
                                   bool hasCategories) {
    std::vector<Setting> out;
    auto add = [&](ranking::RankingParams params, TradeOffPoint::Mode mode, double value) {
        params.n = settings.k;
        TradeOffPoint point;
        point.mode = mode;
        point.setting = value;
        out.push_back({params, point});
    };
    ranking::RankingParams off = base;
    off.diversity = false;
    add(off, TradeOffPoint::Mode::Off, 0.0);
    if (hasCategories) {
        std::vector<double> lambdas = settings.lambdas;
        std::vector<double> targets = settings.ildTargets;
        if (base.diversity && base.ildTarget <= 0.0 &&
            std::none_of(lambdas.begin(), lambdas.end(), [&](double l) { return near(l, base.mmrLambda); })) {
            lambdas.push_back(base.mmrLambda);
        }
        if (base.diversity && base.ildTarget > 0.0 &&
            std::none_of(targets.begin(), targets.end(), [&](double t) { return near(t, base.ildTarget); })) {
            targets.push_back(base.ildTarget);
        }
        std::sort(lambdas.begin(), lambdas.end(), std::greater<>());
        std::sort(targets.begin(), targets.end());
        for (double lambda : lambdas) {
            ranking::RankingParams params = base;
            params.diversity = true;
            params.ildTarget = 0.0;
            params.mmrLambda = lambda;
            add(params, TradeOffPoint::Mode::FixedLambda, lambda);
        }
        for (double target : targets) {
            ranking::RankingParams params = base;
            params.diversity = true;
            params.ildTarget = target;
            add(params, TradeOffPoint::Mode::IldTarget, target);
        }
    }
    // Mark the default: the point whose knob equals the default ranking's.
    for (auto& setting : out) {
        const auto& p = setting.point;
        if (!base.diversity || !hasCategories) {
            setting.point.isDefault = p.mode == TradeOffPoint::Mode::Off;
        } else if (base.ildTarget > 0.0) {
            setting.point.isDefault = p.mode == TradeOffPoint::Mode::IldTarget && near(p.setting, base.ildTarget);
        } else {
            setting.point.isDefault = p.mode == TradeOffPoint::Mode::FixedLambda && near(p.setting, base.mmrLambda);
        }
    }
    return out;
}

// A deterministic sample of the users with held-out items, ascending.
std::vector<Index> sampleUsers(const metrics::UserItemLists& testItems, std::size_t maxUsers, std::uint64_t seed) {
    std::vector<Index> users;
    for (std::size_t u = 0; u < testItems.size(); ++u) {
        if (!testItems[u].empty()) users.push_back(static_cast<Index>(u));
    }
    if (maxUsers == 0 || users.size() <= maxUsers) return users;
    SplitMix64 random(seed ^ 0x5eed5eedULL);
    for (std::size_t i = 0; i < maxUsers; ++i) {  // partial Fisher-Yates
        const auto j = i + static_cast<std::size_t>(random.below(users.size() - i));
        std::swap(users[i], users[j]);
    }
    users.resize(maxUsers);
    std::sort(users.begin(), users.end());
    return users;
}

}  // namespace

Result<EvaluationRun> evaluateModels(const serving::ServingSnapshot& snapshot,
                                     const std::vector<ModelToEvaluate>& models,
                                     const ranking::RankingParams& defaultRanking, const EvaluationSettings& settings,
                                     const TaskControl& control) {
    Stopwatch total;
    if (!snapshot.dataset || !snapshot.matrix) return Error{"no data is loaded"};
    const data::Dataset& dataset = *snapshot.dataset;
    const std::size_t userCount = dataset.users.size();
    const std::size_t itemCount = dataset.catalog.size();

    control.report(0.0, "splitting");
    const data::Split split = data::stratifiedSplit(dataset.interactions, settings.testFraction, settings.seed);
    if (split.test.empty()) {
        return Error{"the data is too small to hold out a test part (every user needs at least 2 items)"};
    }
    const auto trainMatrix = data::InteractionMatrix::fromInteractions(split.train, userCount, itemCount);
    metrics::UserItemLists allTest = metrics::itemsByUser(split.test, userCount);
    const std::vector<Index> users = sampleUsers(allTest, settings.maxUsers, settings.seed);
    const auto testUsers = static_cast<std::size_t>(
        std::count_if(allTest.begin(), allTest.end(), [](const auto& items) { return !items.empty(); }));
    metrics::UserItemLists testItems(userCount);
    for (Index u : users) testItems[u] = std::move(allTest[u]);

    EvaluationRun run;
    run.trainRows = split.train.size();
    run.testRows = split.test.size();
    run.testUsers = testUsers;
    run.sampledUsers = users.size();
    run.settings = settings;
    run.defaultRanking = defaultRanking;

    const auto popularity = ranking::PopularityStats::fromMatrix(trainMatrix);
    const ranking::Ranker ranker(dataset.catalog, popularity);
    const std::vector<Setting> grid = curveSettings(defaultRanking, settings, dataset.catalog.hasCategories());
    const std::size_t trainItems = metrics::distinctItemCount(split.train);

    for (std::size_t m = 0; m < models.size(); ++m) {
        const ModelToEvaluate& spec = models[m];
        const double from = 0.02 + 0.98 * static_cast<double>(m) / static_cast<double>(models.size());
        const double to = 0.02 + 0.98 * static_cast<double>(m + 1) / static_cast<double>(models.size());
        const double trainedAt = from + (to - from) * 0.7;

        auto created = models::createModel(spec.kind, spec.params, itemCount);
        if (!created) created = models::createModel(spec.kind);
        if (!created) return Error{"model '" + spec.name + "': " + created.errorMessage()};
        std::unique_ptr<models::Model> model = std::move(*created);

        ModelEvaluation evaluation;
        evaluation.name = spec.name;
        evaluation.version = spec.version;
        evaluation.kind = spec.kind;
        Stopwatch trainWatch;
        if (auto status = model->train(trainMatrix, subTask(control, from, trainedAt, "train " + spec.name)); !status) {
            if (control.cancelled()) return Error::cancelled();
            return Error{"training '" + spec.name + "' on the train part failed: " + status.errorMessage()};
        }
        evaluation.trainSeconds = trainWatch.elapsedSeconds();
        if (control.cancelled()) return Error::cancelled();

        // lists[setting][user]
        std::vector<metrics::UserItemLists> lists(grid.size(), metrics::UserItemLists(userCount));
        std::vector<std::vector<double>> lambdas(grid.size(), std::vector<double>(users.size(), 1.0));
        std::vector<ranking::RankingParams> params;
        params.reserve(grid.size());
        for (const Setting& setting : grid) params.push_back(setting.params);
        Stopwatch rankWatch;
        scoreAndRank(
            *model, trainMatrix, users, ranker, params,
            [&](std::size_t i, std::size_t s, ranking::RankingResult&& ranked) {
                auto& list = lists[s][users[i]];
                list.reserve(ranked.items.size());
                for (const auto& item : ranked.items) list.push_back(item.item);
                lambdas[s][i] = ranked.mmrLambda;
            },
            subTask(control, trainedAt, to, "rank " + spec.name));
        if (control.cancelled()) return Error::cancelled();
        evaluation.rankSeconds = rankWatch.elapsedSeconds();

        for (std::size_t s = 0; s < grid.size(); ++s) {
            metrics::OfflineEvaluationInput input;
            input.recommendations = lists[s];
            input.testItems = testItems;
            input.trainItemCount = trainItems;
            input.catalog = &dataset.catalog;
            input.k = settings.k;
            const metrics::OfflineMetrics result = metrics::evaluateOffline(input);
            TradeOffPoint point = grid[s].point;
            point.ndcg = result.ndcg;
            point.ild = result.ild.value_or(0.0);
            double sum = 0.0;
            for (double l : lambdas[s]) sum += l;
            point.meanLambda = users.empty() ? 1.0 : sum / static_cast<double>(users.size());
            if (point.mode == TradeOffPoint::Mode::Off) evaluation.off = result;
            if (point.isDefault) evaluation.served = result;
            if (result.ild) evaluation.curve.push_back(point);
        }
        run.models.push_back(std::move(evaluation));
    }
    control.report(1.0, "done");
    run.seconds = total.elapsedSeconds();
    return run;
}

nlohmann::json registryMetrics(const ModelEvaluation& evaluation, const EvaluationRun& run) {
    nlohmann::json out = metrics::toJson(evaluation.served);
    char split[64];
    std::snprintf(split, sizeof split, "per-user stratified %.0f/%.0f, seed %llu",
                  (1.0 - run.settings.testFraction) * 100.0, run.settings.testFraction * 100.0,
                  static_cast<unsigned long long>(run.settings.seed));
    out["evaluation"] = {
        {"split", split},
        {"sampled_users", run.sampledUsers},
        {"test_users", run.testUsers},
        {"ranking", describeRanking(run.defaultRanking)},
        {"ndcg_diversity_off", evaluation.off.ndcg},
        {"ild_diversity_off", evaluation.off.ild ? nlohmann::json(*evaluation.off.ild) : nlohmann::json()},
        {"train_seconds", evaluation.trainSeconds},
        {"version", evaluation.version}};
    return out;
}

std::string describeRanking(const ranking::RankingParams& params) {
    char text[96];
    if (!params.diversity) return "diversity off";
    if (params.ildTarget > 0.0) {
        std::snprintf(text, sizeof text, "ILD target %.2f, cap %zu", params.ildTarget, params.categoryCap);
    } else {
        std::snprintf(text, sizeof text, "MMR \xce\xbb %.2f, cap %zu", params.mmrLambda, params.categoryCap);
    }
    return text;
}

}  // namespace recdeck::evaluation

// --- reuse across starts -----------------------------------------------------------------

namespace recdeck::evaluation {

namespace {

constexpr int kCacheFormat = 1;

nlohmann::json optionalJson(const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json();
}

std::optional<double> optionalFrom(const nlohmann::json& value) {
    if (!value.is_number()) return std::nullopt;
    return value.get<double>();
}

nlohmann::json metricsJson(const metrics::OfflineMetrics& m) {
    return {{"k", m.k},
            {"precision", m.precision},
            {"recall", m.recall},
            {"ndcg", m.ndcg},
            {"map", m.map},
            {"coverage", optionalJson(m.coverage)},
            {"ild", optionalJson(m.ild)},
            {"test_users", m.testUsers},
            {"evaluated_users", m.evaluatedUsers},
            {"recommended_users", m.recommendedUsers},
            {"ild_users", m.ildUsers},
            {"distinct_recommended", m.distinctRecommended},
            {"train_items", m.trainItems}};
}

metrics::OfflineMetrics metricsFrom(const nlohmann::json& j) {
    metrics::OfflineMetrics m;
    m.k = j.value("k", std::size_t{10});
    m.precision = j.value("precision", 0.0);
    m.recall = j.value("recall", 0.0);
    m.ndcg = j.value("ndcg", 0.0);
    m.map = j.value("map", 0.0);
    m.coverage = optionalFrom(j.value("coverage", nlohmann::json()));
    m.ild = optionalFrom(j.value("ild", nlohmann::json()));
    m.testUsers = j.value("test_users", std::size_t{0});
    m.evaluatedUsers = j.value("evaluated_users", std::size_t{0});
    m.recommendedUsers = j.value("recommended_users", std::size_t{0});
    m.ildUsers = j.value("ild_users", std::size_t{0});
    m.distinctRecommended = j.value("distinct_recommended", std::size_t{0});
    m.trainItems = j.value("train_items", std::size_t{0});
    return m;
}

nlohmann::json rankingJson(const ranking::RankingParams& p) {
    return {{"n", p.n},
            {"diversity", p.diversity},
            {"category_cap", p.categoryCap},
            {"split_multi_category", p.splitMultiCategory},
            {"mmr_lambda", p.mmrLambda},
            {"ild_target", p.ildTarget}};
}

void rankingFrom(const nlohmann::json& j, ranking::RankingParams& p) {
    p.n = j.value("n", p.n);
    p.diversity = j.value("diversity", p.diversity);
    p.categoryCap = j.value("category_cap", p.categoryCap);
    p.splitMultiCategory = j.value("split_multi_category", p.splitMultiCategory);
    p.mmrLambda = j.value("mmr_lambda", p.mmrLambda);
    p.ildTarget = j.value("ild_target", p.ildTarget);
}

}  // namespace

std::string dataFingerprint(const serving::ServingSnapshot& snapshot) {
    std::uint64_t hash = 1469598103934665603ULL;
    auto mix = [&hash](std::string_view text) {
        for (const unsigned char c : text) {
            hash ^= c;
            hash *= 1099511628211ULL;
        }
        hash ^= 0xFF;
        hash *= 1099511628211ULL;
    };
    std::size_t pairs = 0;
    if (snapshot.dataset && snapshot.matrix) {
        const auto& dataset = *snapshot.dataset;
        const auto& matrix = *snapshot.matrix;
        for (std::size_t u = 0; u < matrix.userCount(); ++u) {
            mix(dataset.users.id(static_cast<data::Index>(u)));
            for (const data::Index item : matrix.itemsOf(static_cast<data::Index>(u))) {
                mix(dataset.catalog.items().id(item));
                ++pairs;
            }
        }
        for (std::size_t i = 0; i < dataset.catalog.size(); ++i) {
            for (const data::Index c : dataset.catalog.info(static_cast<data::Index>(i)).categories)
                mix(dataset.catalog.categories().id(c));
            mix("|");
        }
    }
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%016llx-%zu", static_cast<unsigned long long>(hash), pairs);
    return buffer;
}

std::string evaluationKey(const ModelToEvaluate& model, const std::string& fingerprint,
                          const EvaluationSettings& settings, const ranking::RankingParams& defaultRanking) {
    const nlohmann::json key = {{"kind", model.kind},
                                {"params", model.params},
                                {"data", fingerprint},
                                {"test_fraction", settings.testFraction},
                                {"seed", settings.seed},
                                {"max_users", settings.maxUsers},
                                {"k", settings.k},
                                {"lambdas", settings.lambdas},
                                {"ild_targets", settings.ildTargets},
                                {"ranking", rankingJson(defaultRanking)}};
    return key.dump();
}

EvaluationCache loadEvaluationCache(const std::filesystem::path& file) {
    EvaluationCache cache;
    std::ifstream in(file, std::ios::binary);
    if (!in) return cache;
    const nlohmann::json root = nlohmann::json::parse(in, nullptr, false);
    if (root.is_discarded() || !root.is_object() || root.value("format", 0) != kCacheFormat) return cache;
    try {
        for (const auto& entry : root.at("entries")) {
            CachedEvaluation cached;
            ModelEvaluation& e = cached.evaluation;
            const auto& ev = entry.at("evaluation");
            e.name = ev.at("name").get<std::string>();
            e.version = ev.value("version", std::uint64_t{0});
            e.kind = ev.value("kind", std::string());
            e.served = metricsFrom(ev.at("served"));
            e.off = metricsFrom(ev.at("off"));
            e.trainSeconds = ev.value("train_seconds", 0.0);
            e.rankSeconds = ev.value("rank_seconds", 0.0);
            for (const auto& p : ev.at("curve")) {
                TradeOffPoint point;
                point.mode = static_cast<TradeOffPoint::Mode>(std::clamp(p.value("mode", 1), 0, 2));
                point.setting = p.value("setting", 1.0);
                point.ndcg = p.value("ndcg", 0.0);
                point.ild = p.value("ild", 0.0);
                point.meanLambda = p.value("mean_lambda", 1.0);
                point.isDefault = p.value("default", false);
                e.curve.push_back(point);
            }
            const auto& run = entry.at("run");
            cached.run.trainRows = run.value("train_rows", std::size_t{0});
            cached.run.testRows = run.value("test_rows", std::size_t{0});
            cached.run.testUsers = run.value("test_users", std::size_t{0});
            cached.run.sampledUsers = run.value("sampled_users", std::size_t{0});
            cached.run.seconds = run.value("seconds", 0.0);
            cached.run.settings.testFraction = run.value("test_fraction", cached.run.settings.testFraction);
            cached.run.settings.seed = run.value("seed", cached.run.settings.seed);
            cached.run.settings.maxUsers = run.value("max_users", cached.run.settings.maxUsers);
            cached.run.settings.k = run.value("k", cached.run.settings.k);
            rankingFrom(run.value("ranking", nlohmann::json::object()), cached.run.defaultRanking);
            cached.savedAtMs = entry.value("saved_at", std::int64_t{0});
            cache[entry.at("key").get<std::string>()] = std::move(cached);
        }
    } catch (const nlohmann::json::exception&) {
        return {};  // a damaged cache is no cache
    }
    return cache;
}

Status saveEvaluationCache(const std::filesystem::path& file, const EvaluationCache& cache) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& [key, cached] : cache) {
        const ModelEvaluation& e = cached.evaluation;
        nlohmann::json curve = nlohmann::json::array();
        for (const auto& p : e.curve) {
            curve.push_back({{"mode", static_cast<int>(p.mode)},
                             {"setting", p.setting},
                             {"ndcg", p.ndcg},
                             {"ild", p.ild},
                             {"mean_lambda", p.meanLambda},
                             {"default", p.isDefault}});
        }
        const EvaluationRun& run = cached.run;
        entries.push_back({{"key", key},
                           {"saved_at", cached.savedAtMs},
                           {"evaluation",
                            {{"name", e.name},
                             {"version", e.version},
                             {"kind", e.kind},
                             {"served", metricsJson(e.served)},
                             {"off", metricsJson(e.off)},
                             {"train_seconds", e.trainSeconds},
                             {"rank_seconds", e.rankSeconds},
                             {"curve", std::move(curve)}}},
                           {"run",
                            {{"train_rows", run.trainRows},
                             {"test_rows", run.testRows},
                             {"test_users", run.testUsers},
                             {"sampled_users", run.sampledUsers},
                             {"seconds", run.seconds},
                             {"test_fraction", run.settings.testFraction},
                             {"seed", run.settings.seed},
                             {"max_users", run.settings.maxUsers},
                             {"k", run.settings.k},
                             {"ranking", rankingJson(run.defaultRanking)}}}});
    }
    const nlohmann::json root = {{"format", kCacheFormat}, {"entries", std::move(entries)}};
    // Private like every file of the data folder (common/private_files.h).
    if (auto s = createPrivateDirectories(file.parent_path()); !s) return s;
    const std::filesystem::path temporary = file.string() + ".tmp";
    if (auto s = ensurePrivateFile(temporary); !s) return s;
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) return Error{"cannot write " + temporary.string()};
        out << root.dump();
        if (!out) return Error{"cannot write " + temporary.string()};
    }
    std::error_code ec;
    std::filesystem::rename(temporary, file, ec);
    if (ec) return Error{"cannot replace " + file.string() + ": " + ec.message()};
    return {};
}

}  // namespace recdeck::evaluation

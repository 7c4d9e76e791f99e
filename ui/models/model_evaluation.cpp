#include "models/model_evaluation.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>

#include "recdeck/common/parallel.h"
#include "recdeck/common/random.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/data/split.h"
#include "recdeck/models/model_factory.h"
#include "recdeck/ranking/popularity_stats.h"

namespace recdeck::ui {

namespace {

using data::Index;

TaskControl subTask(const TaskControl& parent, double from, double to, std::string prefix) {
    TaskControl child;
    child.stop = parent.stop;
    if (parent.progress) {
        child.progress = [parent, from, to, prefix = std::move(prefix)](double fraction, std::string_view stage) {
            parent.report(from + (to - from) * std::clamp(fraction, 0.0, 1.0),
                          stage.empty() ? prefix : prefix + ": " + std::string(stage));
        };
    }
    return child;
}

struct Setting {
    ranking::RankingParams params;
    TradeOffPoint point;
};

bool near(double a, double b) { return std::abs(a - b) < 1e-9; }

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

Result<EvaluationRun> evaluateModels(const serving::ServingSnapshot& snapshot, const std::vector<ModelToEvaluate>& models,
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
            if (control.cancelled()) return Error{"cancelled"};
            return Error{"training '" + spec.name + "' on the train part failed: " + status.errorMessage()};
        }
        evaluation.trainSeconds = trainWatch.elapsedSeconds();
        if (control.cancelled()) return Error{"cancelled"};

        // lists[setting][user]
        std::vector<metrics::UserItemLists> lists(grid.size(), metrics::UserItemLists(userCount));
        std::vector<std::vector<double>> lambdas(grid.size(), std::vector<double>(users.size(), 1.0));
        Stopwatch rankWatch;
        constexpr std::size_t kBlock = 16;
        const std::size_t blocks = (users.size() + kBlock - 1) / kBlock;
        std::atomic<std::size_t> next{0};
        std::atomic<std::size_t> finished{0};
        const std::string stage = "rank " + spec.name;
        parallelFor(defaultThreadCount(), [&](std::size_t, std::size_t) {
            std::vector<float> scores(model->itemCount());
            for (std::size_t block = next++; block < blocks; block = next++) {
                if (control.cancelled()) return;
                const std::size_t end = std::min(users.size(), (block + 1) * kBlock);
                for (std::size_t i = block * kBlock; i < end; ++i) {
                    const Index user = users[i];
                    const models::UserContext context{user, trainMatrix.itemsOf(user)};
                    model->scoreAll(context, scores);
                    for (std::size_t s = 0; s < grid.size(); ++s) {
                        const auto ranked = ranker.rankScores(scores, context, grid[s].params);
                        auto& list = lists[s][user];
                        list.reserve(ranked.items.size());
                        for (const auto& item : ranked.items) list.push_back(item.item);
                        lambdas[s][i] = ranked.mmrLambda;
                    }
                }
                const std::size_t done = ++finished;
                control.report(trainedAt + (to - trainedAt) * static_cast<double>(done) / static_cast<double>(blocks),
                               stage);
            }
        });
        if (control.cancelled()) return Error{"cancelled"};
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
    out["evaluation"] = {{"split", split},
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

}  // namespace recdeck::ui

#include <QTest>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stop_token>
#include <vector>

#include "recdeck/data/synthetic_world.h"
#include "recdeck/evaluation/batch_recommendations.h"
#include "recdeck/evaluation/model_evaluation.h"
#include "recdeck/evaluation/offline_data.h"
#include "recdeck/evaluation/score_and_rank.h"
#include "recdeck/models/model_factory.h"
#include "test_support.h"

using namespace recdeck;
using data::Index;

namespace {

std::shared_ptr<const serving::ServingSnapshot> smallWorld() {
    data::WorldConfig config;
    config.seed = 3;
    config.users = 200;
    config.items = 150;
    config.meanInteractionsPerUser = 20.0;
    const data::SyntheticWorld world(config);
    auto dataset = std::make_shared<const data::Dataset>(world.dataset());
    auto matrix = std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromInteractions(
        dataset->interactions, dataset->users.size(), dataset->catalog.size()));
    return serving::ServingSnapshot::build(std::move(dataset), std::move(matrix));
}

std::unique_ptr<models::Model> trained(const std::string& kind, const data::InteractionMatrix& matrix) {
    auto model = models::createModel(kind, nlohmann::json::object(), matrix.itemCount());
    if (!model) return nullptr;
    if (!(*model)->train(matrix, {})) return nullptr;
    return std::move(*model);
}

std::vector<Index> itemsOf(const ranking::RankingResult& ranked) {
    std::vector<Index> items;
    for (const auto& item : ranked.items) items.push_back(item.item);
    return items;
}

}  // namespace

class TestEvaluation : public QObject {
    Q_OBJECT

private slots:
    void scoreAndRankRanksEveryUserUnderEverySetting() {
        const auto snapshot = smallWorld();
        const auto& matrix = *snapshot->matrix;
        const auto model = trained("itemknn", matrix);
        QVERIFY(model);
        std::vector<ranking::RankingParams> settings(2);
        settings[0].n = 5;
        settings[0].diversity = false;
        settings[1].n = 8;
        std::vector<Index> users;
        for (Index u = 0; u < matrix.userCount(); u += 3) users.push_back(u);

        std::vector<std::vector<std::vector<Index>>> lists(users.size(), std::vector<std::vector<Index>>(2));
        std::atomic<std::size_t> calls{0};
        std::atomic<int> reports{0};
        TaskControl control;
        control.progress = [&](double, std::string_view) { ++reports; };
        const bool finished = evaluation::scoreAndRank(
            *model, matrix, users, *snapshot->ranker, settings,
            [&](std::size_t i, std::size_t s, ranking::RankingResult&& ranked) {
                ++calls;
                lists[i][s] = itemsOf(ranked);
            },
            control);
        QVERIFY(finished);
        QCOMPARE(calls.load(), users.size() * settings.size());
        QVERIFY(reports.load() > 0);

        // The same lists as scoring and ranking each user alone.
        std::vector<float> scores(model->itemCount());
        for (std::size_t i = 0; i < users.size(); ++i) {
            const models::UserContext context{users[i], matrix.itemsOf(users[i])};
            model->scoreAll(context, scores);
            for (std::size_t s = 0; s < settings.size(); ++s) {
                QCOMPARE(lists[i][s], itemsOf(snapshot->ranker->rankScores(scores, context, settings[s])));
                QVERIFY(lists[i][s].size() <= settings[s].n);
            }
        }
    }

    void scoreAndRankStopsWhenAsked() {
        const auto snapshot = smallWorld();
        const auto model = trained("popularity", *snapshot->matrix);
        QVERIFY(model);
        std::stop_source stop;
        stop.request_stop();
        TaskControl control;
        control.stop = stop.get_token();
        const std::vector<Index> users = {0, 1, 2};
        const ranking::RankingParams params;
        std::atomic<std::size_t> calls{0};
        QVERIFY(!evaluation::scoreAndRank(
            *model, *snapshot->matrix, users, *snapshot->ranker, std::span(&params, 1),
            [&](std::size_t, std::size_t, ranking::RankingResult&&) { ++calls; }, control));
        QCOMPARE(calls.load(), std::size_t{0});
    }

    void evaluatesModelsOnAHeldOutSplit() {
        const auto snapshot = smallWorld();
        evaluation::EvaluationSettings settings;
        settings.maxUsers = 60;
        settings.lambdas = {1.0, 0.5};
        settings.ildTargets = {0.6};
        const std::vector<evaluation::ModelToEvaluate> specs = {{"popularity", 1, "popularity"},
                                                                {"itemknn", 2, "itemknn"}};
        const ranking::RankingParams ranking;  // the default: ILD target
        auto run = evaluation::evaluateModels(*snapshot, specs, ranking, settings);
        QVERIFY2(run.ok(), run.ok() ? "" : run.errorMessage().c_str());
        QCOMPARE(run->models.size(), std::size_t{2});
        QCOMPARE(run->sampledUsers, std::size_t{60});
        QVERIFY(run->testUsers >= run->sampledUsers);
        QVERIFY(run->trainRows > run->testRows);
        for (const auto& model : run->models) {
            QCOMPARE(model.served.k, settings.k);
            QCOMPARE(model.served.testUsers, std::size_t{60});
            QVERIFY(model.served.ndcg >= 0.0 && model.served.ndcg <= 1.0);
            // Off, two lambdas, the listed target and the default's target.
            QCOMPARE(model.curve.size(), std::size_t{5});
            std::size_t defaults = 0;
            for (const auto& point : model.curve) {
                if (!point.isDefault) continue;
                ++defaults;
                QCOMPARE(point.mode, evaluation::TradeOffPoint::Mode::IldTarget);
                QCOMPARE(point.ndcg, model.served.ndcg);
            }
            QCOMPARE(defaults, std::size_t{1});
        }
        // Deterministic: the same split, sample and lists again.
        auto again = evaluation::evaluateModels(*snapshot, specs, ranking, settings);
        QVERIFY(again.ok());
        for (std::size_t m = 0; m < specs.size(); ++m) {
            QCOMPARE(again->models[m].served.ndcg, run->models[m].served.ndcg);
            QCOMPARE(again->models[m].off.precision, run->models[m].off.precision);
        }
        const auto json = evaluation::registryMetrics(run->models[1], *run);
        QCOMPARE(json.at("ndcg").get<double>(), run->models[1].served.ndcg);
        QCOMPARE(json.at("evaluation").at("sampled_users").get<std::size_t>(), std::size_t{60});
    }

    void evaluationCanBeCancelled() {
        const auto snapshot = smallWorld();
        std::stop_source stop;
        stop.request_stop();
        TaskControl control;
        control.stop = stop.get_token();
        auto run = evaluation::evaluateModels(*snapshot, {{"popularity", 1, "popularity"}}, {}, {}, control);
        QVERIFY(!run.ok());
        QCOMPARE(run.errorKind(), ErrorKind::Cancelled);
    }

    void evaluationCacheRoundTrips() {
        const auto dir = test::makeTempDir("recdeck-evaluation");
        const auto file = dir / "cache" / "evaluations.json";
        evaluation::CachedEvaluation cached;
        cached.evaluation.name = "als";
        cached.evaluation.version = 4;
        cached.evaluation.kind = "als";
        cached.evaluation.served.ndcg = 0.25;
        cached.evaluation.served.ild = 0.7;
        cached.evaluation.off.ndcg = 0.3;
        cached.evaluation.curve.push_back({evaluation::TradeOffPoint::Mode::IldTarget, 0.7, 0.25, 0.7, 0.6, true});
        cached.run.sampledUsers = 800;
        cached.run.settings.seed = 11;
        cached.run.defaultRanking.ildTarget = 0.7;
        cached.savedAtMs = 1234;
        evaluation::EvaluationCache cache;
        cache["key"] = cached;
        QVERIFY(evaluation::saveEvaluationCache(file, cache).ok());

        const auto loaded = evaluation::loadEvaluationCache(file);
        QCOMPARE(loaded.size(), std::size_t{1});
        const auto& back = loaded.at("key");
        QCOMPARE(back.evaluation.name, std::string("als"));
        QCOMPARE(back.evaluation.version, std::uint64_t{4});
        QCOMPARE(back.evaluation.served.ndcg, 0.25);
        QCOMPARE(back.evaluation.served.ild.value_or(0.0), 0.7);
        QVERIFY(!back.evaluation.served.coverage);
        QCOMPARE(back.evaluation.off.ndcg, 0.3);
        QCOMPARE(back.evaluation.curve.size(), std::size_t{1});
        QVERIFY(back.evaluation.curve[0].isDefault);
        QCOMPARE(back.evaluation.curve[0].meanLambda, 0.6);
        QCOMPARE(back.run.sampledUsers, std::size_t{800});
        QCOMPARE(back.run.settings.seed, std::uint64_t{11});
        QCOMPARE(back.run.defaultRanking.ildTarget, 0.7);
        QCOMPARE(back.savedAtMs, std::int64_t{1234});

        // A damaged cache is no cache.
        std::ofstream(file, std::ios::trunc) << "{\"format\": 1, \"entries\": [{\"key\": 3}]}";
        QVERIFY(evaluation::loadEvaluationCache(file).empty());
        QVERIFY(evaluation::loadEvaluationCache(dir / "missing.json").empty());
        std::filesystem::remove_all(dir);
    }

    void evaluationKeysFollowWhatChangesTheFigures() {
        const auto snapshot = smallWorld();
        const std::string fingerprint = evaluation::dataFingerprint(*snapshot);
        QCOMPARE(evaluation::dataFingerprint(*smallWorld()), fingerprint);
        const evaluation::ModelToEvaluate als{"als", 1, "als"};
        evaluation::ModelToEvaluate retrained = als;
        retrained.version = 2;
        const evaluation::EvaluationSettings settings;
        const ranking::RankingParams ranking;
        const std::string key = evaluation::evaluationKey(als, fingerprint, settings, ranking);
        QCOMPARE(evaluation::evaluationKey(retrained, fingerprint, settings, ranking), key);
        ranking::RankingParams other = ranking;
        other.diversity = false;
        QVERIFY(evaluation::evaluationKey(als, fingerprint, settings, other) != key);
        QCOMPARE(evaluation::describeRanking(other), std::string("diversity off"));
    }

    void batchRecommendationsCoverEveryTrainUser() {
        const auto golden = test::goldenDataDir() / "cli" / "eval_small";
        auto loaded = evaluation::loadOfflineData(golden / "train.tsv", golden / "items.csv");
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.errorMessage().c_str());
        evaluation::OfflineData& data = **loaded;
        auto model = evaluation::trainModel(data, "popularity");
        QVERIFY(model.ok());
        QVERIFY(!evaluation::trainModel(data, "no-such-kind").ok());

        const auto batch = evaluation::recommendForTrainUsers(data, *model->model, 3, true);
        QCOMPARE(batch.lists.size(), data.trainUsers);
        QVERIFY(batch.diversity);
        for (std::size_t u = 0; u < batch.lists.size(); ++u) {
            const auto& list = batch.lists[u];
            QVERIFY(list.items.size() <= 3);
            QCOMPARE(list.scores.size(), list.items.size());
            for (const Index item : list.items) {
                const auto owned = data.matrix.itemsOf(static_cast<Index>(u));
                QVERIFY(std::find(owned.begin(), owned.end(), item) == owned.end());
            }
        }

        // The file reads back as the same lists.
        const auto dir = test::makeTempDir("recdeck-batch");
        const auto file = dir / "recs.tsv";
        QVERIFY(evaluation::writeRecommendations(file, data, batch, 3, evaluation::ScoreColumn::Rank).ok());
        auto read = evaluation::readRecommendations(file, data);
        QVERIFY2(read.ok(), read.ok() ? "" : read.errorMessage().c_str());
        const auto lists = batch.itemLists();
        for (std::size_t u = 0; u < lists.size(); ++u) {
            QCOMPARE(u < read->size() ? (*read)[u] : std::vector<Index>{}, lists[u]);
        }
        std::filesystem::remove_all(dir);
    }
};

QTEST_APPLESS_MAIN(TestEvaluation)
#include "test_evaluation.moc"

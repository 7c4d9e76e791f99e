#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include <Eigen/LU>
#include <nlohmann/json.hpp>

#include "recdeck/common/random.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/data/split.h"
#include "recdeck/data/synthetic_world.h"
#include "recdeck/models/als_model.h"
#include "recdeck/models/blend_model.h"
#include "recdeck/models/ease_model.h"
#include "recdeck/models/item_knn_model.h"
#include "recdeck/models/model_factory.h"
#include "recdeck/models/model_file.h"
#include "recdeck/models/model_registry.h"
#include "recdeck/models/popularity_model.h"
#include "test_support.h"

using namespace recdeck;
using namespace recdeck::models;
using data::Index;

Q_DECLARE_METATYPE(std::vector<float>)
Q_DECLARE_METATYPE(std::vector<Index>)

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// One synthetic world, split once, shared by the accuracy tests.
struct Fixture {
    // Taste outweighs popularity clearly, so personalisation has something to find.
    data::SyntheticWorld world{data::WorldConfig{.seed = 11, .users = 1200, .items = 600, .tasteStrength = 6.0}};
    data::Split split = data::stratifiedSplit(world.dataset().interactions, 0.25, 3);
    data::InteractionMatrix train = data::InteractionMatrix::fromInteractions(split.train, world.dataset().users.size(),
                                                                              world.dataset().catalog.size());
    std::unordered_map<Index, std::vector<Index>> heldOut;

    Fixture() {
        for (const auto& row : split.test) heldOut[row.user].push_back(row.item);
        for (auto& [user, items] : heldOut) std::sort(items.begin(), items.end());
    }
    UserContext context(Index user) const { return {user, train.itemsOf(user)}; }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

// EVAL.md's ndcg@k: mean over held-out users of DCG / IDCG, binary relevance.
double ndcgAt(const Model& model, std::size_t k) {
    const auto& f = fixture();
    double total = 0.0;
    for (const auto& [user, items] : f.heldOut) {
        const auto recs = model.recommend(f.context(user), k, f.train.itemsOf(user));
        double dcg = 0.0, idcg = 0.0;
        for (std::size_t r = 0; r < recs.size(); ++r) {
            if (std::binary_search(items.begin(), items.end(), recs[r].item)) dcg += 1.0 / std::log(2.0 + double(r));
        }
        for (std::size_t r = 0; r < std::min(k, items.size()); ++r) idcg += 1.0 / std::log(2.0 + double(r));
        total += dcg / idcg;
    }
    return total / double(f.heldOut.size());
}

std::unique_ptr<Model> make(const char* kind, const nlohmann::json& params = nlohmann::json::object()) {
    auto model = createModel(kind, params);
    if (!model) qFatal("createModel(%s): %s", kind, model.errorMessage().c_str());
    return std::move(*model);
}

// Trained once per kind on the fixture (small, fast settings for ALS).
const Model& trained(const char* kind) {
    static std::unordered_map<std::string, std::unique_ptr<Model>> cache;
    auto& slot = cache[kind];
    if (!slot) {
        const nlohmann::json smallAls{{"factors", 32}, {"iterations", 10}};
        nlohmann::json params = nlohmann::json::object();
        if (std::string(kind) == "als") params = smallAls;
        if (std::string(kind) == "blend") {
            params = {
                {"members",
                 {{{"kind", "ease"}, {"weight", 1.0}}, {{"kind", "als"}, {"params", smallAls}, {"weight", 1.0}}}}};
        }
        slot = make(kind, params);
        const auto status = slot->train(fixture().train, {});
        if (!status) qFatal("train %s: %s", kind, status.errorMessage().c_str());
    }
    return *slot;
}

std::vector<float> scoresOf(const Model& model, const UserContext& user) {
    std::vector<float> scores(model.itemCount());
    model.scoreAll(user, scores);
    return scores;
}

std::string serialise(const Model& model) {
    std::vector<std::string> itemIds(model.itemCount());
    for (std::size_t i = 0; i < itemIds.size(); ++i) itemIds[i] = "item-" + std::to_string(i);
    std::ostringstream out(std::ios::binary);
    const auto status = ModelFile::write(out, model, itemIds, {"u1", "u2"}, {{"note", "test"}});
    if (!status) qFatal("write: %s", status.errorMessage().c_str());
    return out.str();
}

Result<ModelFile> deserialise(const std::string& bytes) {
    std::istringstream in(bytes, std::ios::binary);
    return ModelFile::read(in, "memory");
}

}  // namespace

class TestModels : public QObject {
    Q_OBJECT
private slots:
    // --- topK -------------------------------------------------------------------------
    void topKSelectsBestFirst_data() {
        QTest::addColumn<std::vector<float>>("scores");
        QTest::addColumn<int>("k");
        QTest::addColumn<std::vector<Index>>("exclude");
        QTest::addColumn<std::vector<Index>>("expected");
        const float nan = std::numeric_limits<float>::quiet_NaN();
        QTest::newRow("plain") << std::vector<float>{0.1F, 0.9F, 0.5F, 0.7F} << 2 << std::vector<Index>{}
                               << std::vector<Index>{1, 3};
        QTest::newRow("k larger than n") << std::vector<float>{0.3F, 0.2F} << 5 << std::vector<Index>{}
                                         << std::vector<Index>{0, 1};
        QTest::newRow("k zero") << std::vector<float>{0.3F, 0.2F} << 0 << std::vector<Index>{} << std::vector<Index>{};
        QTest::newRow("empty scores") << std::vector<float>{} << 3 << std::vector<Index>{} << std::vector<Index>{};
        QTest::newRow("ties by lower index") << std::vector<float>{0.5F, 0.7F, 0.5F, 0.7F, 0.5F} << 4
                                             << std::vector<Index>{} << std::vector<Index>{1, 3, 0, 2};
        QTest::newRow("exclusions") << std::vector<float>{0.9F, 0.8F, 0.7F, 0.6F} << 2 << std::vector<Index>{0, 2}
                                    << std::vector<Index>{1, 3};
        QTest::newRow("exclusions beyond range")
            << std::vector<float>{0.9F, 0.8F} << 2 << std::vector<Index>{1, 7} << std::vector<Index>{0};
        QTest::newRow("-inf and NaN skipped")
            << std::vector<float>{-kInf, 0.1F, nan, -5.0F} << 4 << std::vector<Index>{} << std::vector<Index>{1, 3};
        QTest::newRow("negative scores kept")
            << std::vector<float>{-3.0F, -1.0F, -2.0F} << 2 << std::vector<Index>{} << std::vector<Index>{1, 2};
        QTest::newRow("all excluded") << std::vector<float>{1.0F, 2.0F} << 2 << std::vector<Index>{0, 1}
                                      << std::vector<Index>{};
        QTest::newRow("+inf first") << std::vector<float>{1.0F, kInf, 2.0F} << 1 << std::vector<Index>{}
                                    << std::vector<Index>{1};
    }
    void topKSelectsBestFirst() {
        QFETCH(std::vector<float>, scores);
        QFETCH(int, k);
        QFETCH(std::vector<Index>, exclude);
        QFETCH(std::vector<Index>, expected);
        const auto result = topK(scores, static_cast<std::size_t>(k), exclude);
        std::vector<Index> items;
        for (const auto& scored : result) {
            items.push_back(scored.item);
            QCOMPARE(scored.score, scores[scored.item]);
        }
        QCOMPARE(items, expected);
    }
    void topKMatchesFullSortOnRandomScores() {
        SplitMix64 rng(5);
        for (int round = 0; round < 20; ++round) {
            std::vector<float> scores(200);
            // Few distinct values, so ties are common.
            for (auto& s : scores) s = float(rng.below(20));
            std::vector<Index> exclude;
            for (Index i = 0; i < 200; ++i)
                if (rng.below(4) == 0) exclude.push_back(i);
            std::vector<ScoredItem> all;
            for (Index i = 0; i < 200; ++i)
                if (!std::binary_search(exclude.begin(), exclude.end(), i)) all.push_back({i, scores[i]});
            std::stable_sort(all.begin(), all.end(), [](auto a, auto b) { return a.score > b.score; });
            all.resize(std::min<std::size_t>(all.size(), 17));
            QCOMPARE(topK(scores, 17, exclude), all);
        }
    }

    // --- popularity ---------------------------------------------------------------------
    void popularityCountsDistinctUsers() {
        data::Dataset d;
        d.addInteraction("u1", "a", 5, 100);
        d.addInteraction("u1", "a", 4, 200);  // same user twice: counts once
        d.addInteraction("u2", "a", 3, 300);
        d.addInteraction("u2", "b", 3, 300);
        d.addInteraction("u3", "c", 3, 300);
        d.addInteraction("u1", "c", 3, 300);
        d.addInteraction("u2", "c", 3, 300);
        const auto m = data::InteractionMatrix::fromDataset(d);
        PopularityModel model;
        QVERIFY(model.train(m, {}).ok());
        QCOMPARE(model.scores(), (std::vector<float>{2.0F, 1.0F, 3.0F}));
        // Identical for every user, whatever their history.
        const std::vector<Index> history{0};
        QCOMPARE(scoresOf(model, {0, history}), scoresOf(model, {std::nullopt, {}}));
        const auto recs = model.recommend({std::nullopt, {}}, 3, history);
        QCOMPARE(recs.size(), std::size_t{2});
        QCOMPARE(recs[0].item, Index{2});
    }
    void popularityDecayIgnoresStrayTimestamps() {
        // One timestamp in microseconds must not make every other interaction "ancient".
        const std::int64_t now = 1'500'000'000;
        data::Dataset d;
        for (int u = 0; u < 300; ++u) d.addInteraction("u" + std::to_string(u), "a", 1, now - 86400 * (u % 5));
        d.addInteraction("stray", "b", 1, now * 1'000'000);
        PopularityModel model(PopularityParams{30.0});
        QVERIFY(model.train(data::InteractionMatrix::fromDataset(d), {}).ok());
        QVERIFY(model.scores()[0] > 250.0F);
        QCOMPARE(model.scores()[1], 1.0F);
    }
    void popularityDecaysWithAge_data() {
        QTest::addColumn<double>("halfLifeDays");
        QTest::addColumn<double>("ageDays");
        QTest::newRow("one half-life") << 10.0 << 10.0;
        QTest::newRow("two half-lives") << 10.0 << 20.0;
        QTest::newRow("fresh") << 3.0 << 0.0;
        QTest::newRow("half a half-life") << 4.0 << 2.0;
    }
    void popularityDecaysWithAge() {
        QFETCH(double, halfLifeDays);
        QFETCH(double, ageDays);
        const std::int64_t latest = 1'700'000'000;
        data::Dataset d;
        d.addInteraction("u1", "new", 1, latest);
        d.addInteraction("u1", "old", 1, latest - std::int64_t(ageDays * 86400));
        PopularityModel model(PopularityParams{halfLifeDays});
        QVERIFY(model.train(data::InteractionMatrix::fromDataset(d), {}).ok());
        QCOMPARE(model.scores()[0], 1.0F);
        QVERIFY(std::abs(model.scores()[1] - float(std::pow(0.5, ageDays / halfLifeDays))) < 1e-6F);
    }

    // --- accuracy on a synthetic world -------------------------------------------------
    void personalisedModelsBeatPopularity_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("itemknn") << "itemknn";
        QTest::newRow("als") << "als";
        QTest::newRow("ease") << "ease";
        QTest::newRow("blend") << "blend";
    }
    void personalisedModelsBeatPopularity() {
        QFETCH(QString, kind);
        const double baseline = ndcgAt(trained("popularity"), 10);
        const double ndcg = ndcgAt(trained(kind.toStdString().c_str()), 10);
        qInfo("%s ndcg@10 %.4f vs popularity %.4f", qPrintable(kind), ndcg, baseline);
        QVERIFY(baseline > 0.0);
        // A clear margin: at least 25% better than the baseline.
        QVERIFY2(ndcg > 1.25 * baseline, qPrintable(QString("%1: %2 vs %3").arg(kind).arg(ndcg).arg(baseline)));
    }
    void recommendationsNeverIncludeExcludedItems_data() {
        QTest::addColumn<QString>("kind");
        for (const char* kind : {"popularity", "itemknn", "als", "ease", "blend"}) QTest::newRow(kind) << kind;
    }
    void recommendationsNeverIncludeExcludedItems() {
        QFETCH(QString, kind);
        const Model& model = trained(kind.toStdString().c_str());
        const auto& f = fixture();
        for (Index user = 0; user < 200; ++user) {
            const auto history = f.train.itemsOf(user);
            const auto recs = model.recommend(f.context(user), 50, history);
            QCOMPARE(recs.size(), std::size_t{50});
            for (const auto& r : recs) QVERIFY(!std::binary_search(history.begin(), history.end(), r.item));
            for (std::size_t i = 1; i < recs.size(); ++i) QVERIFY(recs[i - 1].score >= recs[i].score);
        }
    }

    // --- item-kNN ------------------------------------------------------------------------
    void itemKnnSimilarityIsShrunkCosine() {
        // Items: a (users 0,1,2), b (users 0,1), c (user 2), d (user 3).
        std::vector<data::Interaction> rows{{0, 0}, {1, 0}, {2, 0}, {0, 1}, {1, 1}, {2, 2}, {3, 3}};
        const auto m = data::InteractionMatrix::fromInteractions(rows, 4, 4);
        ItemKnnModel model(ItemKnnParams{.neighbours = 10, .shrinkage = 1.0, .threads = 2});
        QVERIFY(model.train(m, {}).ok());
        QVERIFY(std::abs(model.similarity(0, 1) - float(2.0 / (std::sqrt(6.0) + 1.0))) < 1e-6F);
        QVERIFY(std::abs(model.similarity(2, 0) - float(1.0 / (std::sqrt(3.0) + 1.0))) < 1e-6F);
        QCOMPARE(model.similarity(1, 2), 0.0F);  // never co-occur
        QCOMPARE(model.similarity(3, 0), 0.0F);
        QCOMPARE(model.similarity(0, 0), 0.0F);  // no self-similarity
        // Score = sum of similarities from the history; explain = the strongest one.
        const std::vector<Index> history{1, 2};
        const auto scores = scoresOf(model, {std::nullopt, history});
        QVERIFY(std::abs(scores[0] - (model.similarity(1, 0) + model.similarity(2, 0))) < 1e-6F);
        QCOMPARE(model.explain({std::nullopt, history}, 0), std::optional<Index>(1));
        QCOMPARE(model.explain({std::nullopt, history}, 3), std::nullopt);
    }
    void itemKnnKeepsTopNeighbours() {
        ItemKnnModel model(ItemKnnParams{.neighbours = 5, .shrinkage = 0.0, .threads = 2});
        QVERIFY(model.train(fixture().train, {}).ok());
        QVERIFY(model.storedSimilarities() <= 5 * model.itemCount());
        QVERIFY(model.storedSimilarities() >= 4 * model.itemCount());
    }

    // --- ALS -----------------------------------------------------------------------------
    void alsIsDeterministicAcrossThreadCounts() {
        AlsModel one(AlsParams{.factors = 8, .iterations = 3, .seed = 9, .threads = 1});
        AlsModel two(AlsParams{.factors = 8, .iterations = 3, .seed = 9, .threads = 2});
        AlsModel other(AlsParams{.factors = 8, .iterations = 3, .seed = 10, .threads = 2});
        QVERIFY(one.train(fixture().train, {}).ok());
        QVERIFY(two.train(fixture().train, {}).ok());
        QVERIFY(other.train(fixture().train, {}).ok());
        QVERIFY(one.itemFactors() == two.itemFactors());
        QVERIFY(one.userFactors() == two.userFactors());
        QVERIFY(one.itemFactors() != other.itemFactors());
    }
    void alsReportsProgressPerIteration() {
        std::vector<double> fractions;
        TaskControl control;
        control.progress = [&](double fraction, std::string_view) { fractions.push_back(fraction); };
        AlsModel model(AlsParams{.factors = 8, .iterations = 4});
        QVERIFY(model.train(fixture().train, control).ok());
        QCOMPARE(fractions, (std::vector<double>{0.25, 0.5, 0.75, 1.0}));
    }
    void alsFoldInRanksHeldOutItemsHigh() {
        const auto& model = dynamic_cast<const AlsModel&>(trained("als"));
        const auto& f = fixture();
        // Users treated as unseen: folded in from their training history only.
        double heldOutRank = 0.0, randomRank = 0.0;
        std::size_t heldOutCount = 0, randomCount = 0;
        SplitMix64 rng(1);
        for (Index user = 0; user < 150; ++user) {
            const auto it = f.heldOut.find(user);
            if (it == f.heldOut.end()) continue;
            const auto scores = scoresOf(model, {std::nullopt, f.train.itemsOf(user)});
            auto rankOf = [&](Index item) {
                double above = 0;
                for (float s : scores) above += s > scores[item] ? 1 : 0;
                return above / double(scores.size());
            };
            for (Index item : it->second) {
                heldOutRank += rankOf(item);
                ++heldOutCount;
                randomRank += rankOf(Index(rng.below(scores.size())));
                ++randomCount;
            }
        }
        heldOutRank /= double(heldOutCount);
        randomRank /= double(randomCount);
        qInfo("mean relative rank: held-out %.3f, random %.3f", heldOutRank, randomRank);
        QVERIFY(heldOutRank < 0.5 * randomRank);
    }
    void alsUsesTrainedFactorsUnlessHistoryChanged() {
        const auto& model = dynamic_cast<const AlsModel&>(trained("als"));
        const auto& f = fixture();
        const Index user = 4;
        const Eigen::VectorXf stored = model.userFactors().row(user).transpose();
        QVERIFY(model.userVector({user, f.train.itemsOf(user)}) == stored);
        QVERIFY(model.userVector({user, {}}) == stored);
        // Same items in another order with a duplicate: still the training history.
        std::vector<Index> shuffled(f.train.itemsOf(user).begin(), f.train.itemsOf(user).end());
        std::reverse(shuffled.begin(), shuffled.end());
        shuffled.push_back(shuffled.front());
        QVERIFY(model.userVector({user, shuffled}) == stored);
        // A new event: folded in, close in direction to the trained vector.
        std::vector<Index> extended(f.train.itemsOf(user).begin(), f.train.itemsOf(user).end());
        const auto recs = model.recommend({user, extended}, 1, extended);
        extended.push_back(recs.front().item);
        const Eigen::VectorXf folded = model.userVector({user, extended});
        QVERIFY(folded != stored);
        QVERIFY(folded.dot(stored) / (folded.norm() * stored.norm()) > 0.8F);
    }

    // --- EASE ----------------------------------------------------------------------------
    void easeZeroDiagonalAndVocabularyCap() {
        EaseModel model(EaseParams{.lambda = 100.0, .maxItems = 200});
        QVERIFY(model.train(fixture().train, {}).ok());
        QCOMPARE(model.vocabulary().size(), std::size_t{200});
        const auto popularity = fixture().train.itemPopularity();
        std::uint32_t weakestInside = std::numeric_limits<std::uint32_t>::max();
        std::vector<bool> inside(model.itemCount(), false);
        for (Index item : model.vocabulary()) {
            inside[item] = true;
            weakestInside = std::min(weakestInside, popularity[item]);
            QCOMPARE(model.weight(item, item), 0.0F);
        }
        const auto scores = scoresOf(model, fixture().context(0));
        for (std::size_t i = 0; i < scores.size(); ++i) {
            if (!inside[i]) {
                QCOMPARE(scores[i], -kInf);
                QVERIFY(popularity[i] <= weakestInside);
            } else {
                QVERIFY(std::isfinite(scores[i]));
            }
        }
        EaseModel strict(EaseParams{.lambda = 100.0, .maxItems = 200, .restrictVocabulary = false});
        const auto status = strict.train(fixture().train, {});
        QVERIFY(!status);
        QVERIFY(status.errorMessage().find("cap") != std::string::npos);
    }
    void easeMatchesClosedFormOnTinyMatrix() {
        std::vector<data::Interaction> rows{{0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 0}, {2, 2}, {3, 0}, {3, 1}, {3, 2}};
        const auto m = data::InteractionMatrix::fromInteractions(rows, 4, 3);
        const double lambda = 2.0;
        EaseModel model(EaseParams{.lambda = lambda});
        QVERIFY(model.train(m, {}).ok());
        Eigen::MatrixXd x = Eigen::MatrixXd(m.toEigen().cast<double>());
        const Eigen::MatrixXd p = (x.transpose() * x + lambda * Eigen::MatrixXd::Identity(3, 3)).inverse();
        for (Index i = 0; i < 3; ++i) {
            for (Index j = 0; j < 3; ++j) {
                const double expected = i == j ? 0.0 : -p(i, j) / p(j, j);
                QVERIFY2(std::abs(model.weight(i, j) - expected) < 1e-5, qPrintable(QString("B(%1,%2)").arg(i).arg(j)));
            }
        }
    }

    void blendStandardisesAndSumsMembers() {
        const auto& blend = dynamic_cast<const BlendModel&>(trained("blend"));
        const auto context = fixture().context(3);
        const auto combined = scoresOf(blend, context);
        std::vector<float> expected(combined.size(), 0.0F);
        for (const auto& member : blend.members()) {
            const auto part = scoresOf(*member.model, context);
            double mean = 0.0, sq = 0.0;
            for (float v : part) mean += v;
            mean /= double(part.size());
            for (float v : part) sq += (v - mean) * (v - mean);
            const double sd = std::sqrt(sq / double(part.size()));
            for (std::size_t i = 0; i < part.size(); ++i) expected[i] += float(member.weight * (part[i] - mean) / sd);
        }
        for (std::size_t i = 0; i < combined.size(); ++i) QVERIFY(std::abs(combined[i] - expected[i]) < 1e-3F);
        // The first member that can explain (EASE) does.
        const auto recs = blend.recommend(context, 1, context.history);
        QCOMPARE(blend.explain(context, recs.front().item),
                 blend.members().front().model->explain(context, recs.front().item));
    }

    void defaultBlendTunesItselfOnTrainingData() {
        auto model = make("default");
        auto* blend = dynamic_cast<BlendModel*>(model.get());
        QVERIFY(blend && blend->tunes());
        QCOMPARE(model->params().at("tune").get<bool>(), true);
        std::vector<std::string> stages;
        TaskControl control;
        double last = 0.0;
        bool monotonic = true;
        control.progress = [&](double fraction, std::string_view stage) {
            monotonic = monotonic && fraction + 1e-9 >= last;
            last = fraction;
            stages.emplace_back(stage);
        };
        QVERIFY(model->train(fixture().train, control).ok());
        QVERIFY(monotonic);
        QVERIFY(
            std::any_of(stages.begin(), stages.end(), [](const std::string& s) { return s.starts_with("tuning: "); }));
        const std::string note = model->trainingNote();
        QVERIFY2(note.find("validation nDCG@10") != std::string::npos, note.c_str());

        // The choice is a grid point, recorded in the parameters, and a model built from
        // those parameters has the same members.
        const auto params = model->params();
        const double lambda = params.at("members").at(0).at("params").at("lambda").get<double>();
        QVERIFY(lambda == 100.0 || lambda == 200.0 || lambda == 400.0 || lambda == 800.0);
        QCOMPARE(params.at("members").at(0).at("kind").get<std::string>(), std::string("ease"));
        auto rebuilt = createModel("blend", params);
        QVERIFY(rebuilt.ok());
        QVERIFY((*rebuilt)->params() == params);
        // Tuning picks among real models: the result clearly beats popularity.
        QVERIFY(ndcgAt(*model, 10) > ndcgAt(trained("popularity"), 10) + 0.02);
        // And it survives a model file.
        const auto file = deserialise(serialise(*model));
        QVERIFY2(file.ok(), file.ok() ? "" : file.errorMessage().c_str());
        const auto context = fixture().context(5);
        QCOMPARE(scoresOf(*file->model, context), scoresOf(*model, context));
    }

    void selfTuningBlendAcceptsOnlyEaseAndAls() {
        const auto refused = createModel(
            "blend", nlohmann::json::parse(R"({"members": [{"kind": "itemknn"}, {"kind": "als"}], "tune": true})"));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.errorMessage().find("self-tuning") != std::string::npos, refused.errorMessage().c_str());
        QVERIFY(!createModel("blend", nlohmann::json::parse(R"({"members": [{"kind": "als"}], "tune": "yes"})")).ok());
        QVERIFY(!createModel("blend", nlohmann::json::parse(R"({"members": [{"kind": "als"}], "surprise": 1})")).ok());
        // Without "tune", an explicit blend keeps its members as given.
        auto fixed = createModel("blend", nlohmann::json::parse(R"({"members": [{"kind": "ease"}, {"kind": "als"}]})"));
        QVERIFY(fixed.ok());
        QVERIFY(!dynamic_cast<BlendModel&>(**fixed).tunes());
    }

    // --- cancellation --------------------------------------------------------------------
    void cancelledTrainingStops_data() {
        QTest::addColumn<QString>("kind");
        for (const char* kind : {"popularity", "itemknn", "als", "ease", "blend"}) QTest::newRow(kind) << kind;
    }
    void cancelledTrainingStops() {
        QFETCH(QString, kind);
        std::stop_source source;
        source.request_stop();
        TaskControl control;
        control.stop = source.get_token();
        auto model = make(kind.toStdString().c_str());
        const auto status = model->train(fixture().train, control);
        QVERIFY(!status);
        QCOMPARE(status.errorMessage(), std::string("cancelled"));
        QVERIFY(!model->trained());
    }
    void alsCancelledMidwayStopsEarly() {
        std::stop_source source;
        int reports = 0;
        TaskControl control;
        control.stop = source.get_token();
        control.progress = [&](double, std::string_view) {
            if (++reports == 2) source.request_stop();
        };
        AlsModel model(AlsParams{.factors = 8, .iterations = 50});
        const auto status = model.train(fixture().train, control);
        QVERIFY(!status);
        QCOMPARE(reports, 2);
        QVERIFY(!model.trained());
    }

    // --- model files ---------------------------------------------------------------------
    void saveLoadRoundTripGivesIdenticalScores_data() {
        QTest::addColumn<QString>("kind");
        for (const char* kind : {"popularity", "itemknn", "als", "ease", "blend"}) QTest::newRow(kind) << kind;
    }
    void saveLoadRoundTripGivesIdenticalScores() {
        QFETCH(QString, kind);
        const Model& model = trained(kind.toStdString().c_str());
        const auto dir = test::makeTempDir("recdeck-models");
        const auto path = dir / "model.rdm";
        std::vector<std::string> itemIds(fixture().world.dataset().catalog.items().ids());
        const std::vector<std::string>& userIds = fixture().world.dataset().users.ids();
        QVERIFY(ModelFile::save(path, model, itemIds, userIds, {{"dataset", "synthetic"}}).ok());
        auto loaded = ModelFile::load(path);
        std::filesystem::remove_all(dir);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.errorMessage().c_str());
        QCOMPARE(loaded->model->kind(), model.kind());
        QVERIFY(loaded->model->params() == model.params());
        QCOMPARE(loaded->itemIds, itemIds);
        QCOMPARE(loaded->userIds, userIds);
        QCOMPARE(loaded->metadata.at("dataset").get<std::string>(), std::string("synthetic"));
        std::vector<Index> stranger{3, 14, 15, 92};
        for (Index user : {Index{0}, Index{7}, Index{500}}) {
            QCOMPARE(scoresOf(*loaded->model, fixture().context(user)), scoresOf(model, fixture().context(user)));
        }
        QCOMPARE(scoresOf(*loaded->model, {std::nullopt, stranger}), scoresOf(model, {std::nullopt, stranger}));
    }
    void damagedFilesAreRejected_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expectedMessage");
        for (const char* kind : {"popularity", "itemknn", "als", "ease", "blend"}) {
            QTest::newRow(qPrintable(QString("%1 wrong magic").arg(kind))) << kind << "magic"
                                                                           << "not a RecDeck model";
            QTest::newRow(qPrintable(QString("%1 wrong version").arg(kind))) << kind << "version"
                                                                             << "version 7";
            QTest::newRow(qPrintable(QString("%1 truncated").arg(kind))) << kind << "truncate"
                                                                         << "truncated";
            QTest::newRow(qPrintable(QString("%1 header only").arg(kind))) << kind << "header"
                                                                           << "truncated";
            QTest::newRow(qPrintable(QString("%1 flipped byte").arg(kind))) << kind << "flip"
                                                                            << "checksum";
            QTest::newRow(qPrintable(QString("%1 trailing bytes").arg(kind))) << kind << "append"
                                                                              << "follow";
            QTest::newRow(qPrintable(QString("%1 empty").arg(kind))) << kind << "empty"
                                                                     << "not a RecDeck model";
        }
    }
    void damagedFilesAreRejected() {
        QFETCH(QString, kind);
        QFETCH(QString, damage);
        QFETCH(QString, expectedMessage);
        std::string bytes = serialise(trained(kind.toStdString().c_str()));
        QVERIFY(deserialise(bytes).ok());
        const std::size_t headerSize = ModelFile::kMagic.size() + 4 + 8 + 8;
        if (damage == "magic") bytes[0] = 'X';
        if (damage == "version") bytes[ModelFile::kMagic.size()] = 7;
        if (damage == "truncate") bytes.resize(bytes.size() * 2 / 3);
        if (damage == "header") bytes.resize(headerSize - 3);
        if (damage == "flip") bytes[headerSize + (bytes.size() - headerSize) / 2] ^= 0x5A;
        if (damage == "append") bytes += "extra";
        if (damage == "empty") bytes.clear();
        const auto loaded = deserialise(bytes);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.errorMessage().find(expectedMessage.toStdString()) != std::string::npos,
                 loaded.errorMessage().c_str());
    }
    void truncatedParameterBlocksAreRejected_data() {
        QTest::addColumn<QString>("kind");
        for (const char* kind : {"popularity", "itemknn", "als", "ease", "blend"}) QTest::newRow(kind) << kind;
    }
    void truncatedParameterBlocksAreRejected() {
        // Below the checksum: every prefix of a parameter block must fail cleanly.
        QFETCH(QString, kind);
        const Model& model = trained(kind.toStdString().c_str());
        std::ostringstream out(std::ios::binary);
        model.saveParameters(out);
        const std::string block = out.str();
        const std::size_t step = std::max<std::size_t>(1, block.size() / 97);
        for (std::size_t length = 0; length < block.size(); length += step) {
            auto fresh = make(kind.toStdString().c_str());
            std::istringstream in(block.substr(0, length), std::ios::binary);
            QVERIFY2(!fresh->loadParameters(in).ok(), qPrintable(QString("prefix %1 accepted").arg(length)));
        }
    }
    void corruptedStructureIsRejected() {
        // A well-formed block whose neighbour index points outside the catalog.
        const auto& model = trained("itemknn");
        std::ostringstream out(std::ios::binary);
        model.saveParameters(out);
        std::string block = out.str();
        // Layout: u64 n + n u32 popularity, u64 n+1 + offsets, u64 m + neighbours ...
        const std::size_t n = model.itemCount();
        const std::size_t neighboursAt = 8 + 4 * n + 8 + 8 * (n + 1) + 8;
        const Index bad = 0xFFFFFF00U;
        std::memcpy(block.data() + neighboursAt, &bad, sizeof bad);
        ItemKnnModel fresh;
        std::istringstream in(block, std::ios::binary);
        const auto status = fresh.loadParameters(in);
        QVERIFY(!status);
        QVERIFY(status.errorMessage().find("out of range") != std::string::npos);
    }
    void untrainedOrMismatchedModelsAreNotSaved() {
        std::ostringstream out;
        PopularityModel untrained;
        QVERIFY(!ModelFile::write(out, untrained, {}, {}).ok());
        QVERIFY(!ModelFile::write(out, trained("popularity"), {"only-one"}, {}).ok());
    }

    // --- factory -------------------------------------------------------------------------
    void factoryCreatesKindsAndRejectsBadParams() {
        for (auto kind : modelKinds()) {
            auto model = createModel(kind);
            QVERIFY(model.ok());
            QCOMPARE((*model)->kind(), kind);
        }
        QCOMPARE(defaultModelKind(1682), std::string_view("blend"));
        QCOMPARE(defaultModelKind(EaseModel::kDefaultMaxItems + 1), std::string_view("als"));
        QCOMPARE((*createModel("default", nlohmann::json::object(), 100))->kind(), std::string_view("blend"));
        QCOMPARE((*createModel("default", nlohmann::json::object(), 1'000'000))->kind(), std::string_view("als"));
        // On data: above the cap EASE stays the default only while its vocabulary holds
        // most of the interactions.
        const std::size_t cap = EaseModel::kDefaultMaxItems;
        std::vector<data::Interaction> flat, headHeavy;
        for (Index item = 0; item < Index(cap + cap / 4); ++item) {
            flat.push_back({item % 50, item});
            const Index copies = item < cap ? 10 : 1;
            for (Index c = 0; c < copies; ++c) headHeavy.push_back({c, item});
        }
        const auto flatMatrix = data::InteractionMatrix::fromInteractions(flat, 50, cap + cap / 4);
        const auto headMatrix = data::InteractionMatrix::fromInteractions(headHeavy, 10, cap + cap / 4);
        QCOMPARE(defaultModelKind(flatMatrix), std::string_view("als"));
        QCOMPARE(defaultModelKind(headMatrix), std::string_view("blend"));
        QCOMPARE(defaultModelKind(fixture().train), std::string_view("blend"));
        auto als = createModel("als", {{"factors", 16}, {"alpha", 3.5}});
        QVERIFY(als.ok());
        QCOMPARE((*als)->params().at("factors").get<int>(), 16);
        QVERIFY(!createModel("svd").ok());
        const auto unknownKey = createModel("itemknn", {{"neighbors", 10}});
        QVERIFY(!unknownKey.ok());
        QVERIFY(unknownKey.errorMessage().find("'neighbors'") != std::string::npos);
        QVERIFY(!createModel("als", {{"factors", "many"}}).ok());
        QVERIFY(!createModel("als", {{"factors", 0}}).ok());
        QVERIFY(!createModel("als", {{"factors", 2.5}}).ok());
        QVERIFY(!createModel("ease", {{"lambda", -1}}).ok());
        QVERIFY(!createModel("popularity", nlohmann::json::array()).ok());
        QVERIFY(!createModel("blend", {{"members", {{{"kind", "blend"}}}}}).ok());
        QVERIFY(!createModel("blend", {{"members", {{{"kind", "als"}, {"weight", -1}}}}}).ok());
        QVERIFY(!createModel("blend", {{"members", {{{"kind", "als"}, {"params", {{"factors", 0}}}}}}}).ok());
        QVERIFY(!createModel("blend", {{"parts", nlohmann::json::array()}}).ok());
    }

    // --- registry ------------------------------------------------------------------------
    void registryVersionsAndSnapshots() {
        ModelRegistry registry;
        QVERIFY(registry.defaultEntry() == nullptr);
        auto first = registry.trainAndPublish("main", make("popularity"), fixture().train);
        QVERIFY(first.ok());
        QCOMPARE((*first)->version, std::uint64_t{1});
        QVERIFY((*first)->trainingSeconds >= 0.0);
        QVERIFY((*first)->trainedAtMs > 0);
        QCOMPARE(registry.defaultName(), std::string("main"));
        const auto snapshot = registry.find("main");
        auto second = registry.trainAndPublish("main", make("itemknn", {{"neighbours", 20}}), fixture().train, {},
                                               {{"ndcg", 0.3}});
        QVERIFY(second.ok());
        QCOMPARE((*second)->version, std::uint64_t{2});
        // The old snapshot is still whole; new readers see the new version.
        QCOMPARE(snapshot->version, std::uint64_t{1});
        QCOMPARE(snapshot->model->kind(), std::string_view("popularity"));
        QCOMPARE(registry.find("main")->model->kind(), std::string_view("itemknn"));
        QCOMPARE(registry.find("main")->offlineMetrics.at("ndcg").get<double>(), 0.3);
        QVERIFY(registry.setOfflineMetrics("main", 2, {{"ndcg", 0.4}}).ok());
        QVERIFY(!registry.setOfflineMetrics("main", 1, {{"ndcg", 0.5}}).ok());
        QCOMPARE(registry.find("main")->offlineMetrics.at("ndcg").get<double>(), 0.4);
        QCOMPARE(registry.find("main")->version, std::uint64_t{2});

        registry.publish("other", registry.find("main")->model, 0.5);
        QVERIFY(!registry.setDefault("missing").ok());
        QVERIFY(registry.setDefault("other").ok());
        QCOMPARE(registry.defaultEntry()->name, std::string("other"));
        QCOMPARE(registry.entries().size(), std::size_t{2});
        QVERIFY(registry.remove("other"));
        QCOMPARE(registry.defaultName(), std::string("main"));
        registry.publish("other", registry.find("main")->model, 0.5);
        QCOMPARE(registry.find("other")->version, std::uint64_t{2});  // versions never reused

        std::stop_source cancel;
        cancel.request_stop();
        TaskControl control;
        control.stop = cancel.get_token();
        QVERIFY(!registry.trainAndPublish("main", make("popularity"), fixture().train, control).ok());
        QCOMPARE(registry.find("main")->version, std::uint64_t{2});
    }
    void registryReadersSeeConsistentSnapshotsDuringRetrain() {
        ModelRegistry registry;
        auto model = std::shared_ptr<const Model>(make("popularity"));
        registry.publish("m", model, 0.0, {{"v", 1}});
        std::atomic<bool> stop{false};
        std::atomic<int> inconsistencies{0};
        std::atomic<std::uint64_t> lastSeen{0};
        std::vector<std::jthread> readers;
        for (int r = 0; r < 2; ++r) {
            readers.emplace_back([&] {
                std::uint64_t previous = 0;
                while (!stop.load()) {
                    const auto entry = registry.find("m");
                    // Metrics are published with the version they describe.
                    if (!entry || entry->offlineMetrics.at("v").get<std::uint64_t>() != entry->version ||
                        entry->version < previous) {
                        ++inconsistencies;
                    }
                    previous = entry ? entry->version : previous;
                    lastSeen = previous;
                }
            });
        }
        for (std::uint64_t v = 2; v <= 500; ++v) registry.publish("m", model, 0.0, {{"v", v}});
        stop = true;
        readers.clear();
        QCOMPARE(inconsistencies.load(), 0);
        QCOMPARE(registry.find("m")->version, std::uint64_t{500});
    }
};

QTEST_APPLESS_MAIN(TestModels)
#include "test_models.moc"

// The ranking stage on a small hand-built catalog, with tiny fake models.
//
// Catalog (index: title [categories]); categories are interned in this order:
// Drama 0, Comedy 1, Action 2, Horror 3, SciFi 4.
//    0 Drama A [Drama]      4 Drama E [Drama]          8  Action Comedy [Action, Comedy]
//    1 Drama B [Drama]      5 Comedy A [Comedy]        9  Horror A [Horror]
//    2 Drama C [Drama]      6 Comedy B [Comedy]        10 Untagged (no categories)
//    3 Drama D [Drama]      7 Action A [Action]        11 SciFi A [SciFi]
//
// Model scores used by most tests ("kScores"): 0:10 1:9 2:8 3:7 4:6 5:5 6:4 7:3 8:2 9:1
// 10:0.5 11:0.25, i.e. score order = index order. With 11 in the history, the pool is
// items 0..10, min-max relevance rel(i) = (s(i) - 0.5) / 9.5:
//    rel 0:1  1:.8947  2:.7895  3:.6842  4:.5789  5:.4737  6:.3684  7:.2632  8:.1579  9:.0526  10:0
//
// Popularity ("allTime", distinct users): 0:50 1:40 2:30 3:20 4:10 5:45 6:35 7:25 8:15
// 9:5 10:60 11:1 -> popularity order 10, 0, 5, 1, 6, 2, 7, 3, 8, 4, 9, 11. Recent counts are
// a tenth of all-time except item 7 (10): recent total 41.1, all-time total 336; item 7's
// recent share .2433 / all-time share .0744 = lift 3.27 >= 1.5, every other item's lift is
// (a/10/41.1) / (a/336) = .82 -> only item 7 trends.

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/common/random.h"
#include "recdeck/data/catalog.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/metrics/offline_metrics.h"
#include "recdeck/models/model.h"
#include "recdeck/ranking/popularity_stats.h"
#include "recdeck/ranking/ranker.h"

using recdeck::data::Catalog;
using recdeck::data::Index;
using recdeck::models::UserContext;
using recdeck::ranking::PopularityStats;
using recdeck::ranking::RankedItem;
using recdeck::ranking::Ranker;
using recdeck::ranking::RankingParams;
using recdeck::ranking::RankingResult;
using recdeck::ranking::ReasonKind;

using Items = std::vector<Index>;
Q_DECLARE_METATYPE(Items)
Q_DECLARE_METATYPE(std::vector<float>)

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

Catalog makeCatalog() {
    Catalog c;
    const std::vector<std::pair<std::string, std::vector<std::string>>> items = {
        {"Drama A", {"Drama"}},   {"Drama B", {"Drama"}},   {"Drama C", {"Drama"}},
        {"Drama D", {"Drama"}},   {"Drama E", {"Drama"}},   {"Comedy A", {"Comedy"}},
        {"Comedy B", {"Comedy"}}, {"Action A", {"Action"}}, {"Action Comedy", {"Action", "Comedy"}},
        {"Horror A", {"Horror"}}, {"Untagged", {}},         {"SciFi A", {"SciFi"}},
    };
    for (std::size_t i = 0; i < items.size(); ++i)
        c.describeItem("m" + std::to_string(i), items[i].first, items[i].second);
    return c;
}

PopularityStats makePopularity() {
    const std::vector<float> allTime = {50, 40, 30, 20, 10, 45, 35, 25, 15, 5, 60, 1};
    std::vector<float> recent(allTime.size());
    for (std::size_t i = 0; i < allTime.size(); ++i) recent[i] = allTime[i] / 10.0F;
    recent[7] = 10.0F;
    return PopularityStats(allTime, recent);
}

const std::vector<float> kScores = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5F, 0.25F};

// A model that returns fixed scores and, optionally, fixed explanations.
class FixedModel : public recdeck::models::Model {
public:
    explicit FixedModel(std::vector<float> scores, std::map<Index, Index> explanations = {})
        : m_scores(std::move(scores)), m_explanations(std::move(explanations)) {}
    std::string_view kind() const override { return "fixed"; }
    nlohmann::json params() const override { return nlohmann::json::object(); }
    recdeck::Status train(const recdeck::data::InteractionMatrix&, const recdeck::TaskControl&) override { return {}; }
    std::size_t itemCount() const override { return m_scores.size(); }
    void scoreAll(const UserContext&, std::span<float> out) const override {
        std::copy(m_scores.begin(), m_scores.end(), out.begin());
    }
    std::optional<Index> explain(const UserContext&, Index item) const override {
        const auto it = m_explanations.find(item);
        if (it == m_explanations.end()) return std::nullopt;
        return it->second;
    }
    void saveParameters(std::ostream&) const override {}
    recdeck::Status loadParameters(std::istream&) override { return {}; }

private:
    std::vector<float> m_scores;
    std::map<Index, Index> m_explanations;
};

class ThrowingModel : public FixedModel {
public:
    ThrowingModel() : FixedModel(kScores) {}
    std::string_view kind() const override { return "throwing"; }
    void scoreAll(const UserContext&, std::span<float>) const override {
        throw std::runtime_error("factor file corrupted");
    }
};

class PopularityLikeModel : public FixedModel {
public:
    using FixedModel::FixedModel;
    std::string_view kind() const override { return "popularity"; }
};

class UntrainedModel : public FixedModel {
public:
    UntrainedModel() : FixedModel({}) {}
};

struct Fixture {
    Catalog catalog = makeCatalog();
    PopularityStats popularity = makePopularity();
    Ranker ranker{catalog, popularity};
};

Items itemsOf(const RankingResult& r) {
    Items out;
    for (const RankedItem& i : r.items) out.push_back(i.item);
    return out;
}

RankingParams params(std::size_t n, bool diversity, std::size_t cap, double lambda) {
    RankingParams p;
    p.n = n;
    p.diversity = diversity;
    p.categoryCap = cap;
    p.mmrLambda = lambda;
    p.ildTarget = 0.0;  // fixed-lambda mode: these cases trace MMR at the lambda given
    return p;
}

// ILD target mode over the ladder 1, 0.9, ..., 0.3 (or down to `floor`).
RankingParams targetParams(std::size_t n, std::size_t cap, double target, double floor = 0.3) {
    RankingParams p;
    p.n = n;
    p.diversity = true;
    p.categoryCap = cap;
    p.ildTarget = target;
    p.ildLambdaStep = 0.1;
    p.ildLambdaFloor = floor;
    return p;
}

QByteArray describe(const RankingResult& r) {
    std::string s;
    for (const RankedItem& i : r.items) s += std::to_string(i.item) + " ";
    return QByteArray::fromStdString(s);
}

}  // namespace

class TestRanker : public QObject {
    Q_OBJECT
private slots:
    void historyAndExclusionsAreNeverRecommended_data() {
        QTest::addColumn<bool>("diversity");
        QTest::newRow("diversity off") << false;
        QTest::newRow("diversity on") << true;
    }
    void historyAndExclusionsAreNeverRecommended() {
        QFETCH(bool, diversity);
        Fixture f;
        const FixedModel model(kScores);
        const Items history = {0, 5, 2};
        const Items exclude = {7, 0};
        const UserContext user{std::nullopt, history};
        const RankingResult r = f.ranker.rank(&model, user, params(12, diversity, 3, 0.7), exclude);
        // 12 items, 4 distinct excluded (0, 2, 5, 7): exactly the 8 others come back.
        QCOMPARE(r.items.size(), std::size_t{8});
        for (const RankedItem& i : r.items) {
            QVERIFY2(i.item != 0 && i.item != 2 && i.item != 5 && i.item != 7, describe(r).constData());
        }
        QCOMPARE(r.excluded, std::size_t{4});
        QCOMPARE(r.candidates, std::size_t{8});
        QVERIFY(!r.fallback);
        QCOMPARE(r.toppedUp, std::size_t{0});
    }

    void diversityOffRanksByScore() {
        Fixture f;
        const FixedModel model(kScores);
        const Items history = {11, 1};
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, params(4, false, 1, 0.1));
        // Cap and lambda are ignored: 0, 2, 3, 4 (1 is in the history).
        QCOMPARE(itemsOf(r), (Items{0, 2, 3, 4}));
        for (const RankedItem& i : r.items) {
            QCOMPARE(i.rankBefore, i.rankAfter);
            QCOMPARE(i.score, kScores[i.item]);
            QVERIFY(!i.capRelaxed && !i.fromPopularity);
        }
    }

    void mmrWithLambdaOneAndNoCapEqualsScoreOrder_data() {
        QTest::addColumn<quint64>("seed");
        QTest::newRow("seed 1") << quint64{1};
        QTest::newRow("seed 7") << quint64{7};
        QTest::newRow("seed 2024") << quint64{2024};
    }
    void mmrWithLambdaOneAndNoCapEqualsScoreOrder() {
        QFETCH(quint64, seed);
        Fixture f;
        recdeck::SplitMix64 rng(seed);
        std::vector<float> scores(f.catalog.size());
        for (float& s : scores) s = static_cast<float>(rng.uniform());
        const Items history = {static_cast<Index>(rng.below(scores.size()))};
        // Expected: every other item by descending score (ties by index).
        Items expected;
        for (Index i = 0; i < scores.size(); ++i) {
            if (i != history[0]) expected.push_back(i);
        }
        std::stable_sort(expected.begin(), expected.end(), [&](Index a, Index b) { return scores[a] > scores[b]; });
        expected.resize(6);
        const FixedModel model(scores);
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, params(6, true, 0, 1.0));
        QCOMPARE(itemsOf(r), expected);
        for (const RankedItem& i : r.items) QCOMPARE(i.rankBefore, i.rankAfter);
    }

    // Hand-traced MMR on kScores (history {11}, no cap), n = 4:
    //   lambda 1:   relevance only -> 0 1 2 3
    //   lambda .9:  step 2: 1 -> .9*.8947 - .1*1 = .7053 beats 5 -> .9*.4737 = .4263; steps 3-4
    //               likewise 2 (.6105) and 3 (.5158) beat 5 (.4263)      -> 0 1 2 3
    //   lambda .8:  2: .5158 vs .3789 -> 1; 3: .4316 vs .3789 -> 2; 4: 3 -> .3474 < 5 -> .3789
    //                                                                      -> 0 1 2 5
    //   lambda .7:  2: 1 -> .7*.8947 - .3 = .3263 < 5 -> .7*.4737 = .3316 -> 5; 3: 1 (.3263)
    //               beats 7 (.1842); 4: 2 (.7*.7895 - .3 = .2526) beats 7  -> 0 5 1 2
    //   lambda .5:  2: 5 (.2368) beats 1 (-.0526); 3: 7 (.1316) beats 9 (.0263), 8 is at
    //               .5*.1579 - .5*.7071 (shares Comedy with 5); 4: 9 (.0263) beats 10 (0)
    //                                                                      -> 0 5 7 9
    void mmrFollowsTheHandTrace_data() {
        QTest::addColumn<double>("lambda");
        QTest::addColumn<Items>("expected");
        QTest::addColumn<double>("ild");
        // ILD of 0 1 2 5: three Drama pairs at distance 0, three pairs with 5 at 1 -> 3/6.
        QTest::newRow("lambda 1") << 1.0 << Items{0, 1, 2, 3} << 0.0;
        QTest::newRow("lambda 0.9") << 0.9 << Items{0, 1, 2, 3} << 0.0;
        QTest::newRow("lambda 0.8") << 0.8 << Items{0, 1, 2, 5} << 0.5;
        QTest::newRow("lambda 0.7") << 0.7 << Items{0, 5, 1, 2} << 0.5;
        QTest::newRow("lambda 0.5") << 0.5 << Items{0, 5, 7, 9} << 1.0;
    }
    void mmrFollowsTheHandTrace() {
        QFETCH(double, lambda);
        QFETCH(Items, expected);
        QFETCH(double, ild);
        Fixture f;
        const FixedModel model(kScores);
        const Items history = {11};
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, params(4, true, 0, lambda));
        QCOMPARE(itemsOf(r), expected);
        const auto got = recdeck::metrics::intraListDistance(f.catalog, itemsOf(r));
        QVERIFY(got && std::fabs(*got - ild) < 1e-12);
        for (std::size_t i = 0; i < r.items.size(); ++i) {
            QCOMPARE(r.items[i].rankAfter, i);
            QCOMPARE(r.items[i].rankBefore, static_cast<std::size_t>(r.items[i].item));  // score order = index order
        }
    }

    void smallerLambdaIncreasesDiversity() {
        // Random scores over a larger catalog where most items share 3 categories: a small
        // lambda gives a clearly more diverse list than relevance alone.
        recdeck::SplitMix64 rng(99);
        Catalog catalog;
        const std::vector<std::string> names = {"a", "b", "c", "d", "e", "f"};
        for (int i = 0; i < 300; ++i) {
            std::vector<std::string> cats = {names[rng.below(3)]};
            if (rng.uniform() < 0.3) cats.push_back(names[3 + rng.below(3)]);
            catalog.describeItem("i" + std::to_string(i), "Item " + std::to_string(i), cats);
        }
        const PopularityStats popularity(std::vector<float>(300, 1.0F), {});
        const Ranker ranker(catalog, popularity);
        std::vector<float> scores(300);
        for (float& s : scores) s = static_cast<float>(rng.uniform());
        const FixedModel model(scores);
        const Items history = {0};
        const auto ildAt = [&](double lambda) {
            const RankingResult r = ranker.rank(&model, {std::nullopt, history}, params(10, true, 0, lambda));
            return *recdeck::metrics::intraListDistance(catalog, itemsOf(r));
        };
        const double relevanceOnly = ildAt(1.0);
        const double balanced = ildAt(0.5);
        const double diverse = ildAt(0.3);
        QVERIFY2(balanced > relevanceOnly, QByteArray::number(relevanceOnly) + " vs " + QByteArray::number(balanced));
        QVERIFY2(diverse > relevanceOnly + 0.1,
                 QByteArray::number(relevanceOnly) + " vs " + QByteArray::number(diverse));
    }

    // kScores, history {11}, lambda 1 (cap alone), n = 5:
    //   cap 2: 0 1 (Drama full), 2 3 4 skipped, 5 6 (Comedy full), 7        -> 0 1 5 6 7
    //   cap 1: 0, 5, 6 skipped (Comedy), 7, 8 skipped (Action and Comedy), 9, 10 (no
    //          category: never capped)                                       -> 0 5 7 9 10
    //   cap 3 (the default): 0 1 2, then 5 6 -> 0 1 2 5 6
    void categoryCapIsRespected_data() {
        QTest::addColumn<int>("cap");
        QTest::addColumn<Items>("expected");
        QTest::newRow("cap 2") << 2 << Items{0, 1, 5, 6, 7};
        QTest::newRow("cap 1") << 1 << Items{0, 5, 7, 9, 10};
        QTest::newRow("cap 3") << 3 << Items{0, 1, 2, 5, 6};
    }
    void categoryCapIsRespected() {
        QFETCH(int, cap);
        QFETCH(Items, expected);
        Fixture f;
        const FixedModel model(kScores);
        const Items history = {11};
        const RankingResult r =
            f.ranker.rank(&model, {std::nullopt, history}, params(5, true, static_cast<std::size_t>(cap), 1.0));
        QCOMPARE(itemsOf(r), expected);
        // The default split counting: an item with c categories adds 1/c to each.
        std::map<Index, double> perCategory;
        for (const RankedItem& i : r.items) {
            QVERIFY(!i.capRelaxed);
            const auto& cats = f.catalog.info(i.item).categories;
            for (Index c : cats) perCategory[c] += 1.0 / static_cast<double>(cats.size());
        }
        for (const auto& [category, count] : perCategory) QVERIFY(count <= cap + 1e-9);
    }

    // Catalog AB1, AB2, AB3 [A, B], A1 [A], C1 [C]; scores 10, 9, 8, 7, 1; cap 2, n = 3.
    //   split (1/2 per category): AB1 -> A .5 B .5, AB2 -> A 1 B 1, AB3 -> A 1.5 B 1.5 fits
    //                             -> AB1 AB2 AB3
    //   full (1 per category):    AB1 -> A 1 B 1, AB2 -> A 2 B 2, AB3 and A1 over the cap,
    //                             C1 fits -> AB1 AB2 C1
    void capCountsMultiCategoryItemsAsConfigured_data() {
        QTest::addColumn<bool>("split");
        QTest::addColumn<Items>("expected");
        QTest::newRow("split") << true << Items{0, 1, 2};
        QTest::newRow("full") << false << Items{0, 1, 4};
    }
    void capCountsMultiCategoryItemsAsConfigured() {
        QFETCH(bool, split);
        QFETCH(Items, expected);
        Catalog catalog;
        catalog.describeItem("ab1", "AB1", {"A", "B"});
        catalog.describeItem("ab2", "AB2", {"A", "B"});
        catalog.describeItem("ab3", "AB3", {"A", "B"});
        catalog.describeItem("a1", "A1", {"A"});
        catalog.describeItem("c1", "C1", {"C"});
        catalog.describeItem("seen", "Seen", {"C"});
        const PopularityStats popularity(std::vector<float>(6, 1.0F), {});
        const Ranker ranker(catalog, popularity);
        const FixedModel model({10, 9, 8, 7, 1, 0});
        const Items history = {5};
        RankingParams p = params(3, true, 2, 1.0);
        p.splitMultiCategory = split;
        const RankingResult r = ranker.rank(&model, {std::nullopt, history}, p);
        QCOMPARE(itemsOf(r), expected);
        for (const RankedItem& i : r.items) QVERIFY(!i.capRelaxed);
    }

    void capFillsWithBestRemainingWhenCategoriesRunOut() {
        // Only Drama candidates: with a cap of 2 the list still has n = 4 items, the last two
        // picked past the cap in score order.
        Fixture f;
        const std::vector<recdeck::models::ScoredItem> candidates = {{3, 7}, {0, 10}, {4, 6}, {1, 9}, {2, 8}};
        const Items history = {11};
        const RankingResult r = f.ranker.rankCandidates(candidates, {std::nullopt, history}, params(4, true, 2, 1.0));
        QCOMPARE(itemsOf(r), (Items{0, 1, 2, 3}));
        QCOMPARE(r.items[0].capRelaxed, false);
        QCOMPARE(r.items[1].capRelaxed, false);
        QCOMPARE(r.items[2].capRelaxed, true);
        QCOMPARE(r.items[3].capRelaxed, true);
    }

    void candidateListDropsHistoryAndKeepsBestDuplicate() {
        Fixture f;
        const std::vector<recdeck::models::ScoredItem> candidates = {{9, 1.0F}, {5, 3.0F},    {9, 4.0F},
                                                                     {0, 9.0F}, {7, kNegInf}, {6, 2.0F}};
        const Items history = {0};
        const RankingResult r = f.ranker.rankCandidates(candidates, {std::nullopt, history}, params(3, false, 3, 1.0));
        // 0 is history, 7 is -inf; 9 keeps its best score 4.
        QCOMPARE(itemsOf(r), (Items{9, 5, 6}));
        QCOMPARE(r.items[0].score, 4.0F);
        QCOMPARE(r.excluded, std::size_t{1});
    }

    void everyItemHasAReasonOfTheRightKind() {
        Fixture f;
        // Scores put 1, 7, 9, 10 and 3 on top; the model explains 1 by history item 4.
        std::vector<float> scores(12, 0.0F);
        scores[1] = 10;
        scores[7] = 9;
        scores[9] = 8;
        scores[10] = 7;
        scores[3] = 6;
        const FixedModel model(scores, {{1, 4}});
        const Items history = {4, 0};
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, params(5, false, 3, 1.0));
        QCOMPARE(itemsOf(r), (Items{1, 7, 9, 10, 3}));
        // 1: explained by the model -> history item 4 (Drama E).
        QCOMPARE(r.items[0].reasonKind, ReasonKind::BecauseYouLiked);
        QCOMPARE(r.items[0].reason, std::string("Because you liked Drama E"));
        QCOMPARE(r.items[0].becauseOf, Index{4});
        // 7: trending (see the popularity table above).
        QCOMPARE(r.items[1].reasonKind, ReasonKind::TrendingNow);
        QCOMPARE(r.items[1].reason, std::string("Trending now"));
        // 9: Horror, unlike anything in the history, not trending.
        QCOMPARE(r.items[2].reasonKind, ReasonKind::PopularInCategory);
        QCOMPARE(r.items[2].reason, std::string("Popular in Horror"));
        // 10: no categories, no explanation.
        QCOMPARE(r.items[3].reasonKind, ReasonKind::PickedForYou);
        QCOMPARE(r.items[3].reason, std::string("Picked for you"));
        // 3: Drama; the model does not explain it, so the most similar history item names
        // it: 0 and 4 are both Drama (cosine 1); 0 is more popular (50 > 10).
        QCOMPARE(r.items[4].reasonKind, ReasonKind::BecauseYouLiked);
        QCOMPARE(r.items[4].becauseOf, Index{0});
        QCOMPARE(r.items[4].reason, std::string("Because you liked Drama A"));
        for (const RankedItem& i : r.items) QVERIFY(!i.reason.empty());
    }

    void aPopularityModelGetsPopularityReasons() {
        // Item 2 is Drama like the history item 1, but a popularity model did not pick it
        // for that: "Popular in Drama", not "Because you liked Drama B".
        Fixture f;
        std::vector<float> scores(12, 0.0F);
        scores[2] = 5;
        scores[7] = 4;
        const PopularityLikeModel model(scores);
        const Items history = {1};
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, params(2, false, 3, 1.0));
        QCOMPARE(itemsOf(r), (Items{2, 7}));
        QCOMPARE(r.items[0].reasonKind, ReasonKind::PopularInCategory);
        QCOMPARE(r.items[0].reason, std::string("Popular in Drama"));
        QCOMPARE(r.items[1].reasonKind, ReasonKind::TrendingNow);
        QVERIFY(!r.items[0].fromPopularity);  // still the model's list
        QVERIFY(!r.fallback);
    }

    void explanationOutsideTheHistoryIsIgnored() {
        Fixture f;
        std::vector<float> scores(12, 0.0F);
        scores[2] = 5;
        const FixedModel model(scores, {{2, 9}});  // 9 is not in the history
        const Items history = {1};
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, params(1, false, 3, 1.0));
        QCOMPARE(r.items[0].item, Index{2});
        QCOMPARE(r.items[0].becauseOf, Index{1});  // category match with Drama B instead
    }

    void coldStartUsersGetPopularityWithASayingReason() {
        Fixture f;
        const FixedModel model(kScores);
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, {}}, params(4, false, 3, 1.0));
        QVERIFY(r.coldStart);
        QVERIFY(!r.fallback);
        QCOMPARE(itemsOf(r), (Items{10, 0, 5, 1}));  // popularity order
        QCOMPARE(r.items[0].score, 60.0F);
        for (const RankedItem& i : r.items) {
            QCOMPARE(i.reasonKind, ReasonKind::ColdStart);
            QVERIFY(i.fromPopularity);
            QVERIFY2(i.reason.ends_with(" (no history yet)"), i.reason.c_str());
        }
        QCOMPARE(r.items[0].reason, std::string("Popular with everyone (no history yet)"));
        QCOMPARE(r.items[1].reason, std::string("Popular in Drama (no history yet)"));
    }

    void coldStartStillDiversifies() {
        // Popularity order 10, 0, 5, 1, 6, 2, 7, ...; cap 1 keeps one Drama and one Comedy:
        // 10 (none), 0 (Drama), 5 (Comedy), 7 (Action), 9 (Horror).
        Fixture f;
        const RankingResult r = f.ranker.rank(nullptr, {std::nullopt, {}}, params(5, true, 1, 1.0));
        QCOMPARE(itemsOf(r), (Items{10, 0, 5, 7, 9}));
        QCOMPARE(r.items[3].reason, std::string("Trending now (no history yet)"));
    }

    void failuresFallBackToPopularity_data() {
        QTest::addColumn<int>("failure");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no model") << 0 << "no model";
        QTest::newRow("throws") << 1 << "model 'throwing' failed: factor file corrupted";
        QTest::newRow("NaN score") << 2 << "NaN";
        QTest::newRow("+inf score") << 3 << "+infinity";
        QTest::newRow("untrained") << 4 << "not trained";
        QTest::newRow("scores nothing") << 5 << "scored none";
    }
    void failuresFallBackToPopularity() {
        QFETCH(int, failure);
        QFETCH(QString, mentions);
        Fixture f;
        std::vector<float> nan = kScores;
        nan[3] = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> inf = kScores;
        inf[6] = std::numeric_limits<float>::infinity();
        const FixedModel nanModel(nan);
        const FixedModel infModel(inf);
        const ThrowingModel throwing;
        const UntrainedModel untrained;
        const FixedModel nothing(std::vector<float>(12, kNegInf));
        const recdeck::models::Model* models[] = {nullptr, &throwing, &nanModel, &infModel, &untrained, &nothing};
        // History 10 and 7 (Action): the popularity order without them is 0, 5, 1, 6, 2, ...
        const Items history = {10, 7};
        const RankingResult r = f.ranker.rank(models[failure], {std::nullopt, history}, params(4, false, 3, 1.0));
        QVERIFY(r.fallback);
        QVERIFY2(QString::fromStdString(*r.fallback).contains(mentions), r.fallback->c_str());
        QVERIFY(!r.coldStart);
        QCOMPARE(itemsOf(r), (Items{0, 5, 1, 6}));
        for (const RankedItem& i : r.items) QVERIFY(i.fromPopularity);
        QCOMPARE(r.items[0].reasonKind, ReasonKind::PopularInCategory);
        QCOMPARE(r.items[0].reason, std::string("Popular in Drama"));
    }

    void popularReasonNamesTheUsersCategory() {
        // Fallback for a user whose history is Action: item 8 (Action, Comedy) is "Popular in
        // Action" although Comedy has the lower category index; 10 has no category.
        Fixture f;
        const Items history = {7};
        const RankingResult r = f.ranker.rank(nullptr, {std::nullopt, history}, params(12, false, 3, 1.0));
        const auto find = [&](Index item) {
            return *std::find_if(r.items.begin(), r.items.end(),
                                 [item](const RankedItem& i) { return i.item == item; });
        };
        QCOMPARE(find(8).reason, std::string("Popular in Action"));
        QCOMPARE(find(10).reasonKind, ReasonKind::PopularOverall);
        QCOMPARE(find(10).reason, std::string("Popular with everyone"));
    }

    void shortModelListsAreToppedUpByPopularity() {
        Fixture f;
        std::vector<float> scores(12, kNegInf);
        scores[9] = 2;
        scores[3] = 1;
        const FixedModel model(scores);
        const Items history = {10};
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, params(5, true, 3, 0.7));
        // The model's two, then popularity without 10, 9, 3: 0, 5, 1.
        QCOMPARE(itemsOf(r), (Items{9, 3, 0, 5, 1}));
        QCOMPARE(r.toppedUp, std::size_t{3});
        QVERIFY(!r.fallback);
        QVERIFY(!r.items[1].fromPopularity);
        QVERIFY(r.items[2].fromPopularity);
        QCOMPARE(r.items[2].rankBefore, std::size_t{2});
        QCOMPARE(r.items[4].rankBefore, std::size_t{4});
        QCOMPARE(r.items[2].score, 50.0F);
    }

    void fewerItemsOnlyWhenFewerAreEligible() {
        Fixture f;
        const FixedModel model(kScores);
        Items history(12);
        std::iota(history.begin(), history.end(), Index{0});
        history.resize(10);  // only 10 and 11 left
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, params(5, true, 3, 0.7));
        QCOMPARE(itemsOf(r), (Items{10, 11}));
    }

    void tiesBreakByLowerIndexAndRunsRepeat() {
        Fixture f;
        const FixedModel model(std::vector<float>(12, 1.0F));
        const Items history = {11};
        const RankingResult a = f.ranker.rank(&model, {std::nullopt, history}, params(6, false, 3, 0.7));
        QCOMPARE(itemsOf(a), (Items{0, 1, 2, 3, 4, 5}));
        // Diversity on equal scores: relevance is 1 everywhere, MMR then spreads categories.
        const RankingResult b1 = f.ranker.rank(&model, {std::nullopt, history}, params(6, true, 3, 0.7));
        const RankingResult b2 = f.ranker.rank(&model, {std::nullopt, history}, params(6, true, 3, 0.7));
        QCOMPARE(itemsOf(b1), itemsOf(b2));
        for (std::size_t i = 0; i < b1.items.size(); ++i) QCOMPARE(b1.items[i].reason, b2.items[i].reason);
        // Hand trace: 0 (Drama); then every non-Drama item has value .7, Drama ones .4: 5
        // (Comedy); then 7 (Action; 6 shares Comedy with 5, 8 shares too); 9 (Horror); 10
        // (none); then all remaining are similar to something: 1 (Drama, sim 1 to 0) vs 6
        // (sim 1 to 5) vs 8 (sim .7071) -> 8 has the highest value .7 - .3 * .7071.
        QCOMPARE(itemsOf(b1), (Items{0, 5, 7, 9, 10, 8}));
    }

    // ILD target mode on kScores, history {11}, no cap, n = 4. Fixed-lambda lists from the
    // hand trace above (ILD = mean of the 6 pairwise distances):
    //   1, .9 -> 0 1 2 3 (ILD 0);  .8 -> 0 1 2 5 (.5);  .7 -> 0 5 1 2 (.5);
    //   .6: step 2: 5 (.6*.4737 = .2842) beats 1 (.6*.8947 - .4 = .1368); step 3: 7
    //       (.6*.2632 = .1579) beats 1 (.1368); step 4: 1 (.1368) beats 9 (.0316)
    //       -> 0 5 7 1: only the pair 0-1 shares a category, ILD 5/6 = .8333;
    //   .5 -> 0 5 7 9 (ILD 1; .4 and .3 cannot do better, so ties keep .5).
    // The largest lambda whose list reaches the target wins; none -> the most diverse.
    void ildTargetTakesTheLargestLambdaThatReachesIt_data() {
        QTest::addColumn<double>("target");
        QTest::addColumn<double>("floor");
        QTest::addColumn<double>("lambda");
        QTest::addColumn<Items>("expected");
        QTest::newRow("target 0: fixed lambda .8") << 0.0 << 0.3 << 0.8 << Items{0, 1, 2, 5};
        QTest::newRow("target .5") << 0.5 << 0.3 << 0.8 << Items{0, 1, 2, 5};
        QTest::newRow("target .75") << 0.75 << 0.3 << 0.6 << Items{0, 5, 7, 1};
        QTest::newRow("target .8333") << 0.8333 << 0.3 << 0.6 << Items{0, 5, 7, 1};
        QTest::newRow("target .9") << 0.9 << 0.3 << 0.5 << Items{0, 5, 7, 9};
        QTest::newRow("unreachable: most diverse") << 1.5 << 0.3 << 0.5 << Items{0, 5, 7, 9};
        QTest::newRow("floor .6: most diverse above it") << 0.9 << 0.6 << 0.6 << Items{0, 5, 7, 1};
        QTest::newRow("floor .85: only 1 and .9") << 0.5 << 0.85 << 1.0 << Items{0, 1, 2, 3};
    }
    void ildTargetTakesTheLargestLambdaThatReachesIt() {
        QFETCH(double, target);
        QFETCH(double, floor);
        QFETCH(double, lambda);
        QFETCH(Items, expected);
        Fixture f;
        const FixedModel model(kScores);
        const Items history = {11};
        RankingParams p = targetParams(4, 0, target, floor);
        p.mmrLambda = 0.8;  // used only when the target is off
        const RankingResult r = f.ranker.rank(&model, {std::nullopt, history}, p);
        QCOMPARE(itemsOf(r), expected);
        QVERIFY2(std::fabs(r.mmrLambda - lambda) < 1e-9, QByteArray::number(r.mmrLambda));
    }

    // On random catalogs and scores, the target mode's list is exactly the fixed-lambda list
    // of the rung it reports, every larger rung's list falls short of the target (by
    // metrics::intraListDistance), and when the chosen list falls short too, no rung does
    // better.
    void ildTargetAgreesWithFixedLambdaLists_data() {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<double>("target");
        QTest::addColumn<int>("cap");
        QTest::addColumn<double>("step");
        QTest::addColumn<int>("categories");  // above 64 the ranker cannot use bit masks
        QTest::newRow("seed 3, .8, cap 3") << quint64{3} << 0.8 << 3 << 0.1 << 8;
        QTest::newRow("seed 5, .75, no cap") << quint64{5} << 0.75 << 0 << 0.1 << 8;
        QTest::newRow("seed 8, .85, cap 2") << quint64{8} << 0.85 << 2 << 0.1 << 8;
        QTest::newRow("seed 13, .95, cap 3") << quint64{13} << 0.95 << 3 << 0.1 << 8;
        QTest::newRow("seed 21, .8, cap 3, step .05") << quint64{21} << 0.8 << 3 << 0.05 << 8;
        QTest::newRow("seed 34, .9, no cap, step .05") << quint64{34} << 0.9 << 0 << 0.05 << 8;
        QTest::newRow("seed 55, .9, cap 3, 90 categories") << quint64{55} << 0.9 << 3 << 0.1 << 90;
    }
    void ildTargetAgreesWithFixedLambdaLists() {
        QFETCH(quint64, seed);
        QFETCH(double, target);
        QFETCH(int, cap);
        QFETCH(double, step);
        QFETCH(int, categories);
        recdeck::SplitMix64 rng(seed);
        Catalog catalog;
        const std::vector<std::string> names = {"a", "b", "c", "d", "e", "f", "g", "h"};
        // Rare extra categories, interned first so that a, b, ... get indices above 64.
        for (int c = 8; c < categories; ++c) catalog.addCategory("extra" + std::to_string(c));
        const std::size_t itemCount = 400;
        for (std::size_t i = 0; i < itemCount; ++i) {
            // Skewed categories: most items share "a" or "b", a few carry 2-3 others.
            std::vector<std::string> cats = {names[rng.uniform() < 0.7 ? rng.below(2) : rng.below(names.size())]};
            while (rng.uniform() < 0.35 && cats.size() < 3) cats.push_back(names[rng.below(names.size())]);
            if (categories > 8 && rng.uniform() < 0.2)
                cats.push_back("extra" + std::to_string(8 + rng.below(static_cast<std::uint64_t>(categories - 8))));
            if (rng.uniform() < 0.03) cats.clear();
            catalog.describeItem("i" + std::to_string(i), "Item " + std::to_string(i), cats);
        }
        const PopularityStats popularity(std::vector<float>(itemCount, 1.0F), {});
        const Ranker ranker(catalog, popularity);
        std::vector<double> ladder;  // 1, 1 - step, ... >= 0.3
        for (int rung = 0; 1.0 - rung * step >= 0.3 - 1e-9; ++rung) ladder.push_back(1.0 - rung * step);
        int reachedBelowOne = 0;
        for (int user = 0; user < 30; ++user) {
            std::vector<float> scores(itemCount);
            for (float& s : scores) s = static_cast<float>(rng.uniform() * rng.uniform());
            const FixedModel model(scores);
            const Items history = {static_cast<Index>(rng.below(itemCount)), static_cast<Index>(rng.below(itemCount))};
            RankingParams p = targetParams(10, static_cast<std::size_t>(cap), target);
            p.ildLambdaStep = step;
            const RankingResult r = ranker.rank(&model, {std::nullopt, history}, p);
            QCOMPARE(r.items.size(), std::size_t{10});
            std::vector<double> distances;
            std::size_t chosenRung = ladder.size();
            for (std::size_t rung = 0; rung < ladder.size(); ++rung) {
                const RankingResult fixed = ranker.rank(&model, {std::nullopt, history},
                                                        params(10, true, static_cast<std::size_t>(cap), ladder[rung]));
                distances.push_back(*recdeck::metrics::intraListDistance(catalog, itemsOf(fixed)));
                if (std::fabs(ladder[rung] - r.mmrLambda) < 1e-9) {
                    chosenRung = rung;
                    QCOMPARE(itemsOf(r), itemsOf(fixed));
                }
            }
            QVERIFY2(chosenRung < ladder.size(), QByteArray::number(r.mmrLambda));
            for (std::size_t rung = 0; rung < chosenRung; ++rung) QVERIFY(distances[rung] < target);
            if (distances[chosenRung] < target) {
                for (double d : distances) QVERIFY(d <= distances[chosenRung]);
            } else if (chosenRung > 0) {
                ++reachedBelowOne;
            }
        }
        QVERIFY2(reachedBelowOne > 0, "the cases should exercise the ladder");
    }

    void ildTargetRanksUncategorisedItemsByScore() {
        // No categories at all: every list has distance 1, so lambda 1 serves and the list
        // is the score order.
        Catalog catalog;
        for (int i = 0; i < 8; ++i) catalog.describeItem("u" + std::to_string(i), "U", {});
        const PopularityStats popularity(std::vector<float>(8, 1.0F), {});
        const Ranker ranker(catalog, popularity);
        const FixedModel model({1, 5, 3, 7, 2, 8, 4, 6});
        const Items history = {0};
        const RankingResult r = ranker.rank(&model, {std::nullopt, history}, targetParams(4, 3, 0.75));
        QCOMPARE(itemsOf(r), (Items{5, 3, 7, 1}));
        QCOMPARE(r.mmrLambda, 1.0);
    }

    void reasonKindNamesAreStable() {
        QCOMPARE(std::string(recdeck::ranking::reasonKindName(ReasonKind::BecauseYouLiked)),
                 std::string("because_you_liked"));
        QCOMPARE(std::string(recdeck::ranking::reasonKindName(ReasonKind::ColdStart)), std::string("cold_start"));
    }

    // Trending rule on direct counts. Totals: all-time 100; the "recent" column's total is
    // given per row.
    void trendingRule_data() {
        QTest::addColumn<std::vector<float>>("recent");
        QTest::addColumn<Items>("trending");
        // all-time: 40 30 20 10.
        // recent 4 3 2 1 (total 10): shares equal all-time shares, lift 1 -> none.
        QTest::newRow("steady") << std::vector<float>{4, 3, 2, 1} << Items{};
        // recent 2 2 2 4 (total 10): item 3 share .4 vs .1 -> lift 4; item 2 .2 vs .2 -> 1;
        // item 1 .2 vs .3; item 0 .2 vs .4.
        QTest::newRow("rising tail") << std::vector<float>{2, 2, 2, 4} << Items{3};
        // recent 0 0 0 2: lift 10 but only 2 recent users (< 3) -> none.
        QTest::newRow("too few recent users") << std::vector<float>{0, 0, 0, 2} << Items{};
        // recent 0 0 3 3 (total 6): item 2 .5 vs .2 -> 2.5; item 3 .5 vs .1 -> 5; both trend.
        QTest::newRow("two rising") << std::vector<float>{0, 0, 3, 3} << Items{2, 3};
        QTest::newRow("no recent data") << std::vector<float>{} << Items{};
    }
    void trendingRule() {
        QFETCH(std::vector<float>, recent);
        QFETCH(Items, trending);
        const PopularityStats stats({40, 30, 20, 10}, recent);
        Items got;
        for (Index i = 0; i < 4; ++i) {
            if (stats.trending(i)) got.push_back(i);
        }
        QCOMPARE(got, trending);
        QCOMPARE(Items(stats.ranking().begin(), stats.ranking().end()), (Items{0, 1, 2, 3}));
    }

    void trendingOnlyAmongTheTopRecentItems() {
        // Same "two rising" counts, but only the single most recently popular item may trend;
        // items 2 and 3 tie on 3 recent users and the lower index wins.
        recdeck::ranking::TrendingRule rule;
        rule.maxItems = 1;
        const PopularityStats stats({40, 30, 20, 10}, {0, 0, 3, 3}, rule);
        QVERIFY(stats.trending(2));
        QVERIFY(!stats.trending(3));
    }

    void popularityFromMatrixCountsUsersAndRecentWindow() {
        // Day = 86400 s. Newest interaction at day 100; the default window is 30 days, so
        // "recent" means timestamp > day 70.
        constexpr std::int64_t kDay = 86400;
        std::vector<recdeck::data::Interaction> rows;
        // Item 0: 6 users long ago. Item 1: 4 users, all recent. Item 2: one user twice.
        for (Index u = 0; u < 6; ++u) rows.push_back({u, 0, 1.0F, 10 * kDay});
        for (Index u = 0; u < 4; ++u) rows.push_back({u, 1, 1.0F, (90 + u) * kDay});
        rows.push_back({5, 2, 1.0F, 20 * kDay});
        rows.push_back({5, 2, 1.0F, 100 * kDay});
        const auto matrix = recdeck::data::InteractionMatrix::fromInteractions(rows, 6, 3);
        const PopularityStats stats = PopularityStats::fromMatrix(matrix);
        QCOMPARE(stats.count(0), 6.0F);
        QCOMPARE(stats.count(1), 4.0F);
        QCOMPARE(stats.count(2), 1.0F);  // distinct users, not rows
        QCOMPARE(stats.recentCount(0), 0.0F);
        QCOMPARE(stats.recentCount(1), 4.0F);
        QCOMPARE(stats.recentCount(2), 1.0F);  // its latest timestamp is recent
        // Item 1: recent share 4/5 = .8, all-time 4/11 = .36 -> lift 2.2, 4 users -> trends.
        // Item 2: 1 recent user (< 3) -> does not.
        QVERIFY(stats.trending(1));
        QVERIFY(!stats.trending(0));
        QVERIFY(!stats.trending(2));
        QCOMPARE(Items(stats.ranking().begin(), stats.ranking().end()), (Items{0, 1, 2}));
        QCOMPARE(stats.count(99), 0.0F);
    }
};

QTEST_APPLESS_MAIN(TestRanker)
#include "test_ranker.moc"

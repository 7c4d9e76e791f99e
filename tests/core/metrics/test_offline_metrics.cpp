// Offline metrics against hand-computed cases (EVAL.md's definitions). Notation used in
// the comments: L(r) = 1 / ln(1 + r), the discount of rank r:
//   L(1) = 1/ln 2 = 1.442695, L(2) = 1/ln 3 = 0.910239, L(3) = 1/ln 4 = 0.721348,
//   L(4) = 1/ln 5 = 0.621335, L(5) = 1/ln 6 = 0.558111.

#include <QTest>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/data/catalog.h"
#include "recdeck/data/dataset.h"
#include "recdeck/metrics/offline_metrics.h"

using recdeck::data::Catalog;
using recdeck::data::Index;
using recdeck::metrics::OfflineEvaluationInput;
using recdeck::metrics::OfflineMetrics;
using recdeck::metrics::UserItemLists;

using Items = std::vector<Index>;
Q_DECLARE_METATYPE(Items)
Q_DECLARE_METATYPE(UserItemLists)
Q_DECLARE_METATYPE(std::optional<double>)

namespace {

constexpr double kTolerance = 1e-9;

bool near(double a, double b) {
    return std::fabs(a - b) <= kTolerance;
}

// Items "0".."9" (index == id) with these categories:
//   0: -    1: A    2: A,B    3: C    4: (none)    5: A    6: A    7: A    8: B,C    9: B
Catalog smallCatalog() {
    Catalog catalog;
    const std::vector<std::vector<std::string>> categories = {
        {}, {"A"}, {"A", "B"}, {"C"}, {}, {"A"}, {"A"}, {"A"}, {"B", "C"}, {"B"},
    };
    for (std::size_t i = 0; i < categories.size(); ++i) {
        const Index index = catalog.describeItem(std::to_string(i), "Item " + std::to_string(i), categories[i]);
        Q_ASSERT(index == i);
    }
    return catalog;
}

}  // namespace

class TestOfflineMetrics : public QObject {
    Q_OBJECT
private slots:
    void scoreUser_data() {
        QTest::addColumn<Items>("recommended");
        QTest::addColumn<Items>("relevant");  // sorted, unique
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("hits");
        QTest::addColumn<double>("precision");
        QTest::addColumn<double>("recall");
        QTest::addColumn<double>("ndcg");
        QTest::addColumn<double>("ap");

        // Every slot a hit: DCG = IDCG; AP = (1/1 + 2/2 + 3/3) / 3 = 1.
        QTest::newRow("perfect") << Items{1, 2, 3} << Items{1, 2, 3} << 3 << 3 << 1.0 << 1.0 << 1.0 << 1.0;
        // Hits at ranks 1 and 3 of 4, three relevant:
        //   precision 2/4, recall 2/3,
        //   ndcg = (L(1) + L(3)) / (L(1) + L(2) + L(3)) = 2.164043 / 3.074282 = 0.703918,
        //   AP = (1/1 + 2/3) / min(3, 4) = 1.666667 / 3 = 0.555556.
        QTest::newRow("hits at 1 and 3") << Items{5, 9, 7, 8} << Items{5, 7, 11} << 4 << 2 << 0.5 << 2.0 / 3.0
                                         << 0.7039180890341346 << 0.5555555555555556;
        // Longer than k: only [4, 1] counts; hit at rank 2, three relevant:
        //   precision 1/2, recall 1/3, ndcg = L(2) / (L(1) + L(2)) = 0.910239 / 2.352934 = 0.386853,
        //   AP = (1/2) / min(3, 2) = 0.25.
        QTest::newRow("cut to k") << Items{4, 1, 2, 3} << Items{1, 2, 3} << 2 << 1 << 0.5 << 1.0 / 3.0
                                  << 0.3868528072345415 << 0.25;
        // The repeated 1 keeps rank 2 but is not a second hit; 2 is a hit at rank 3:
        //   precision 2/3, recall 2/2, ndcg = (L(1) + L(3)) / (L(1) + L(2)) = 2.164043 / 2.352934
        //   = 0.919721, AP = (1/1 + 2/3) / 2 = 0.833333.
        QTest::newRow("duplicate counts once")
            << Items{1, 1, 2} << Items{1, 2} << 3 << 2 << 2.0 / 3.0 << 1.0 << 0.9197207891481874 << 0.8333333333333334;
        QTest::newRow("no hits") << Items{7, 8} << Items{1} << 10 << 0 << 0.0 << 0.0 << 0.0 << 0.0;
        // One item of a possible k = 10: precision divides by k, not by the list length:
        //   precision 1/10, recall 1/2, ndcg = L(1) / (L(1) + L(2)) = 0.613147, AP = 1 / min(2, 10).
        QTest::newRow("shorter than k") << Items{2} << Items{2, 3} << 10 << 1 << 0.1 << 0.5 << 0.6131471927654584
                                        << 0.5;
        // Five relevant, k = 2, both slots hit: IDCG has only min(5, 2) = 2 ranks, so ndcg = 1;
        //   recall 2/5, AP = (1/1 + 2/2) / 2 = 1.
        QTest::newRow("more relevant than k")
            << Items{1, 2} << Items{1, 2, 3, 4, 5} << 2 << 2 << 1.0 << 0.4 << 1.0 << 1.0;
        // Single relevant item at rank 5: ndcg = L(5) / L(1) = ln 2 / ln 6 = 0.386853,
        //   AP = (1/5) / 1 = 0.2.
        QTest::newRow("hit at last rank")
            << Items{9, 8, 7, 6, 1} << Items{1} << 5 << 1 << 0.2 << 1.0 << 0.3868528072345416 << 0.2;
        QTest::newRow("empty relevant") << Items{1, 2} << Items{} << 2 << 0 << 0.0 << 0.0 << 0.0 << 0.0;
        QTest::newRow("empty list") << Items{} << Items{1} << 2 << 0 << 0.0 << 0.0 << 0.0 << 0.0;
    }
    void scoreUser() {
        QFETCH(Items, recommended);
        QFETCH(Items, relevant);
        QFETCH(int, k);
        QFETCH(int, hits);
        QFETCH(double, precision);
        QFETCH(double, recall);
        QFETCH(double, ndcg);
        QFETCH(double, ap);
        const auto s = recdeck::metrics::scoreUser(recommended, relevant, static_cast<std::size_t>(k));
        QCOMPARE(s.hits, static_cast<std::size_t>(hits));
        QVERIFY2(near(s.precision, precision), std::to_string(s.precision).c_str());
        QVERIFY2(near(s.recall, recall), std::to_string(s.recall).c_str());
        QVERIFY2(near(s.ndcg, ndcg), std::to_string(s.ndcg).c_str());
        QVERIFY2(near(s.averagePrecision, ap), std::to_string(s.averagePrecision).c_str());
    }

    void categoryCosine_data() {
        QTest::addColumn<int>("a");
        QTest::addColumn<int>("b");
        QTest::addColumn<double>("cosine");
        QTest::newRow("same single category") << 1 << 5 << 1.0;
        QTest::newRow("itself") << 2 << 2 << 1.0;
        // {A} . {A,B} = 1, norms 1 and sqrt 2.
        QTest::newRow("one of two shared") << 1 << 2 << 1.0 / std::sqrt(2.0);
        // {A,B} . {B,C} = 1, norms sqrt 2 and sqrt 2.
        QTest::newRow("two and two, one shared") << 2 << 8 << 0.5;
        QTest::newRow("disjoint") << 1 << 3 << 0.0;
        QTest::newRow("no categories is a zero vector") << 4 << 1 << 0.0;
        QTest::newRow("both without categories") << 0 << 4 << 0.0;
        QTest::newRow("unknown to the catalog") << 1 << 42 << 0.0;
    }
    void categoryCosine() {
        QFETCH(int, a);
        QFETCH(int, b);
        QFETCH(double, cosine);
        const Catalog catalog = smallCatalog();
        const auto ia = static_cast<Index>(a);
        const auto ib = static_cast<Index>(b);
        QVERIFY(near(recdeck::metrics::categoryCosine(catalog, ia, ib), cosine));
        QVERIFY(near(recdeck::metrics::categoryCosine(catalog, ib, ia), cosine));  // symmetric
    }

    void intraListDistance_data() {
        QTest::addColumn<Items>("items");
        QTest::addColumn<std::optional<double>>("distance");
        QTest::newRow("empty") << Items{} << std::optional<double>();
        QTest::newRow("one item") << Items{1} << std::optional<double>();
        QTest::newRow("one item repeated") << Items{1, 1, 1} << std::optional<double>();
        QTest::newRow("same category") << Items{5, 6, 7} << std::optional<double>(0.0);
        // Pairs: (1,2) 1 - 1/sqrt 2 = 0.292893, (1,3) 1, (2,3) 1 -> 2.292893 / 3 = 0.764298.
        QTest::newRow("mixed") << Items{1, 2, 3} << std::optional<double>((3.0 - 1.0 / std::sqrt(2.0)) / 3.0);
        // The repeated 2 is ignored: same as {1, 2, 3}.
        QTest::newRow("mixed with repeat")
            << Items{1, 2, 2, 3} << std::optional<double>((3.0 - 1.0 / std::sqrt(2.0)) / 3.0);
        // (0,4): both zero vectors -> distance 1.
        QTest::newRow("no categories") << Items{0, 4} << std::optional<double>(1.0);
        // (2,8) 0.5, (2,9) 1 - 1/sqrt 2, (8,9) 1 - 1/sqrt 2 -> (0.5 + 2 * 0.292893) / 3 = 0.361929.
        QTest::newRow("overlapping pairs")
            << Items{2, 8, 9} << std::optional<double>((0.5 + 2.0 * (1.0 - 1.0 / std::sqrt(2.0))) / 3.0);
    }
    void intraListDistance() {
        QFETCH(Items, items);
        QFETCH(std::optional<double>, distance);
        const auto got = recdeck::metrics::intraListDistance(smallCatalog(), items);
        QCOMPARE(got.has_value(), distance.has_value());
        if (got) QVERIFY2(near(*got, *distance), std::to_string(*got).c_str());
    }

    // One small population scored whole. Users (k = 3 unless the row says otherwise):
    //   u0: recs [1, 2, 3]      test {1, 4}
    //   u1: recs [5, 6, 7]      no test rows (coverage and ILD only)
    //   u2: no recs             test {2}     (counts 0 in ndcg, absent from the others)
    //   u3: recs [2, 2, 4, 9]   test rows 4, 2, 2 (a set: {2, 4})
    //   u4: recs [9]            test {9}     (one item: left out of ILD)
    void evaluateOffline_data() {
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("withCatalog");
        QTest::addColumn<int>("trainItems");
        QTest::addColumn<double>("precision");
        QTest::addColumn<double>("recall");
        QTest::addColumn<double>("ndcg");
        QTest::addColumn<double>("map");
        QTest::addColumn<std::optional<double>>("coverage");
        QTest::addColumn<std::optional<double>>("ild");
        QTest::addColumn<int>("evaluatedUsers");
        QTest::addColumn<int>("ildUsers");

        // k = 3.
        //   u0: [1,2,3] hit at 1 -> P 1/3, R 1/2, ndcg L(1)/(L(1)+L(2)) = 0.613147, AP (1/1)/2 = 0.5
        //   u3: [2,2,4] hits at 1 and 3 (rank 2 is the repeat) -> P 2/3, R 2/2,
        //       ndcg (L(1)+L(3))/(L(1)+L(2)) = 0.919721, AP (1 + 2/3)/2 = 0.833333
        //   u4: [9] hit at 1 -> P 1/3, R 1, ndcg 1, AP 1
        //   U = {u0, u3, u4}; test users = {u0, u2, u3, u4}
        //   precision (1/3 + 2/3 + 1/3)/3 = 0.444444; recall (0.5 + 1 + 1)/3 = 0.833333
        //   ndcg (0.613147 + 0 + 0.919721 + 1)/4 = 0.633217; map (0.5 + 0.833333 + 1)/3 = 0.777778
        //   coverage: {1,2,3} u {5,6,7} u {2,4} u {9} = 8 items / 10 = 0.8
        //   ILD: u0 (1 - 1/sqrt2 + 1 + 1)/3 = 0.764298, u1 0, u3 [2,4] 1 -> (0.764298 + 0 + 1)/3 = 0.588099
        QTest::newRow("k=3") << 3 << true << 10 << 4.0 / 9.0 << 2.5 / 3.0 << 0.6332169954784115 << 0.7777777777777778
                             << std::optional<double>(0.8) << std::optional<double>(0.5880992465348281) << 3 << 3;
        // k = 1: lists [1], [5], -, [2], [9]; every test user with a list hits at rank 1.
        //   precision 1; recall (1/2 + 1/2 + 1)/3 = 0.666667; ndcg (1 + 0 + 1 + 1)/4 = 0.75 (IDCG
        //   over min(|test|, 1) = 1 rank); map 1; coverage {1, 5, 2, 9} = 4/10; no list has 2 items.
        QTest::newRow("k=1") << 1 << true << 10 << 1.0 << 2.0 / 3.0 << 0.75 << 1.0 << std::optional<double>(0.4)
                             << std::optional<double>() << 3 << 0;
        // No catalog and unknown train size: accuracy unchanged, coverage and ILD not computed.
        QTest::newRow("no catalog, no train")
            << 3 << false << 0 << 4.0 / 9.0 << 2.5 / 3.0 << 0.6332169954784115 << 0.7777777777777778
            << std::optional<double>() << std::optional<double>() << 3 << 0;
    }
    void evaluateOffline() {
        QFETCH(int, k);
        QFETCH(bool, withCatalog);
        QFETCH(int, trainItems);
        QFETCH(double, precision);
        QFETCH(double, recall);
        QFETCH(double, ndcg);
        QFETCH(double, map);
        QFETCH(std::optional<double>, coverage);
        QFETCH(std::optional<double>, ild);
        QFETCH(int, evaluatedUsers);
        QFETCH(int, ildUsers);

        const UserItemLists recs = {{1, 2, 3}, {5, 6, 7}, {}, {2, 2, 4, 9}, {9}};
        // Shorter than recs on purpose: u4's test list is present, a missing list means none.
        const UserItemLists test = {{4, 1}, {}, {2}, {4, 2, 2}, {9}};
        const Catalog catalog = smallCatalog();
        OfflineEvaluationInput input;
        input.recommendations = recs;
        input.testItems = test;
        input.trainItemCount = static_cast<std::size_t>(trainItems);
        input.catalog = withCatalog ? &catalog : nullptr;
        input.k = static_cast<std::size_t>(k);
        const OfflineMetrics m = recdeck::metrics::evaluateOffline(input);

        QVERIFY2(near(m.precision, precision), std::to_string(m.precision).c_str());
        QVERIFY2(near(m.recall, recall), std::to_string(m.recall).c_str());
        QVERIFY2(near(m.ndcg, ndcg), std::to_string(m.ndcg).c_str());
        QVERIFY2(near(m.map, map), std::to_string(m.map).c_str());
        QCOMPARE(m.coverage.has_value(), coverage.has_value());
        if (coverage) QVERIFY(near(*m.coverage, *coverage));
        QCOMPARE(m.ild.has_value(), ild.has_value());
        if (ild) QVERIFY2(near(*m.ild, *ild), std::to_string(*m.ild).c_str());
        QCOMPARE(m.testUsers, std::size_t{4});
        QCOMPARE(m.evaluatedUsers, static_cast<std::size_t>(evaluatedUsers));
        QCOMPARE(m.recommendedUsers, std::size_t{4});
        QCOMPARE(m.ildUsers, static_cast<std::size_t>(ildUsers));
    }

    void testUsersBeyondTheRecommendationsCountZero() {
        // Two test users, only the first has a list (a perfect one): ndcg = (1 + 0)/2 while
        // precision, recall and map average over U = {u0} only.
        const UserItemLists recs = {{7}};
        const UserItemLists test = {{7}, {3}};
        OfflineEvaluationInput input;
        input.recommendations = recs;
        input.testItems = test;
        input.k = 1;
        const OfflineMetrics m = recdeck::metrics::evaluateOffline(input);
        QVERIFY(near(m.ndcg, 0.5));
        QVERIFY(near(m.precision, 1.0));
        QVERIFY(near(m.recall, 1.0));
        QVERIFY(near(m.map, 1.0));
        QCOMPARE(m.testUsers, std::size_t{2});
        QCOMPARE(m.evaluatedUsers, std::size_t{1});
    }

    void idsOutsideTrainAreOrdinaryItems() {
        // A recommendations file from elsewhere, mapped into the same index space: 42 is
        // in neither train (items 0..3) nor the catalog, 9 is only in this user's test rows.
        // A hit is membership in the test rows, nothing else: 9 hits at rank 2, 42 never
        // does, and both count as recommended items for coverage: {42, 9, 1} / 4 train items.
        const UserItemLists recs = {{42, 9, 1}};
        const UserItemLists test = {{9}};
        OfflineEvaluationInput input;
        input.recommendations = recs;
        input.testItems = test;
        input.trainItemCount = 4;
        input.k = 3;
        const OfflineMetrics m = recdeck::metrics::evaluateOffline(input);
        QVERIFY(near(m.precision, 1.0 / 3.0));
        QVERIFY(near(m.recall, 1.0));
        QVERIFY(near(m.ndcg, std::log(2.0) / std::log(3.0)));  // L(2) / L(1)
        QVERIFY(near(m.map, 0.5));                             // (1/2) / min(1, 3)
        QVERIFY(m.coverage && near(*m.coverage, 0.75));
    }

    void emptyInputGivesZeros() {
        const OfflineMetrics m = recdeck::metrics::evaluateOffline({});
        QCOMPARE(m.precision, 0.0);
        QCOMPARE(m.ndcg, 0.0);
        QCOMPARE(m.testUsers, std::size_t{0});
        QVERIFY(!m.coverage);
        QVERIFY(!m.ild);
    }

    void catalogWithoutCategoriesLeavesIldOut() {
        // Without any category every item would be a zero vector and ILD a meaningless 1.
        Catalog plain;
        for (int i = 0; i < 4; ++i) plain.addItem(std::to_string(i));
        const UserItemLists recs = {{0, 1, 2}};
        OfflineEvaluationInput input;
        input.recommendations = recs;
        input.catalog = &plain;
        input.trainItemCount = 4;
        const OfflineMetrics m = recdeck::metrics::evaluateOffline(input);
        QVERIFY(!m.ild);
        QVERIFY(m.coverage && near(*m.coverage, 0.75));
    }

    void helpersGroupRowsAndCountItems() {
        std::vector<recdeck::data::Interaction> rows = {
            {0, 3, 1.0F, 0}, {2, 1, 1.0F, 0}, {0, 3, 1.0F, 5}, {0, 2, 1.0F, 0}};
        const UserItemLists lists = recdeck::metrics::itemsByUser(rows, 3);
        QCOMPARE(lists.size(), std::size_t{3});
        QCOMPARE(lists[0], (Items{3, 3, 2}));
        QVERIFY(lists[1].empty());
        QCOMPARE(lists[2], (Items{1}));
        QCOMPARE(recdeck::metrics::distinctItemCount(rows), std::size_t{3});
    }

    void jsonUsesTheContractKeys() {
        OfflineMetrics m;
        m.precision = 0.25;
        m.recall = 0.5;
        m.ndcg = 0.75;
        m.map = 0.125;
        m.coverage = 0.0625;
        const nlohmann::json j = recdeck::metrics::toJson(m);
        QCOMPARE(j.at("precision").get<double>(), 0.25);
        QCOMPARE(j.at("recall").get<double>(), 0.5);
        QCOMPARE(j.at("ndcg").get<double>(), 0.75);
        QCOMPARE(j.at("map").get<double>(), 0.125);
        QCOMPARE(j.at("coverage").get<double>(), 0.0625);
        QVERIFY(j.at("ild").is_null());
        QCOMPARE(j.at("k").get<int>(), 10);
    }
};

QTEST_APPLESS_MAIN(TestOfflineMetrics)
#include "test_offline_metrics.moc"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "recdeck/common/random.h"
#include "recdeck/data/dataset.h"
#include "recdeck/data/id_map.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/data/split.h"
#include "recdeck/data/synthetic_world.h"

using namespace recdeck::data;

namespace {

using Row = std::tuple<Index, Index, float, std::int64_t>;

std::vector<Row> rowsOf(const std::vector<Interaction>& interactions) {
    std::vector<Row> rows;
    rows.reserve(interactions.size());
    for (const auto& r : interactions) rows.emplace_back(r.user, r.item, r.rating, r.timestamp);
    return rows;
}

std::set<std::pair<Index, Index>> pairsOf(const std::vector<Interaction>& interactions) {
    std::set<std::pair<Index, Index>> pairs;
    for (const auto& r : interactions) pairs.emplace(r.user, r.item);
    return pairs;
}

// A small world's history plus repeated (user, item) rows and users with a single item.
Dataset splitInput() {
    WorldConfig config;
    config.seed = 11;
    config.users = 300;
    config.items = 400;
    Dataset d = SyntheticWorld(config).dataset();
    for (std::size_t i = 0; i < d.interactions.size(); i += 5) {
        Interaction again = d.interactions[i];
        again.timestamp += 60;
        d.interactions.push_back(again);
    }
    d.addInteraction("single_a", "item_0001", 1, 1);
    d.addInteraction("single_b", "item_0002", 1, 2);
    d.addInteraction("single_b", "item_0002", 1, 3);  // one distinct item, seen twice
    return d;
}

WorldConfig smallWorld(std::uint64_t seed) {
    WorldConfig config;
    config.seed = seed;
    config.users = 400;
    config.items = 600;
    return config;
}

}  // namespace

class TestData : public QObject {
    Q_OBJECT
private slots:
    void idMapIsStableAndDense() {
        IdMap map;
        QCOMPARE(map.intern("b"), Index{0});
        QCOMPARE(map.intern("a"), Index{1});
        QCOMPARE(map.intern("b"), Index{0});
        QCOMPARE(map.size(), std::size_t{2});
        QCOMPARE(map.id(1), std::string("a"));
        QVERIFY(!map.find("zzz"));
        QCOMPARE(*map.find("a"), Index{1});
    }
    void catalogDescribesItems() {
        Catalog catalog;
        const Index plain = catalog.addItem("42");
        const Index movie = catalog.describeItem("7", "Heat (1995)", {"Crime", "Action", "Crime"});
        QCOMPARE(catalog.displayName(plain), std::string_view("42"));
        QCOMPARE(catalog.displayName(movie), std::string_view("Heat (1995)"));
        QCOMPARE(catalog.info(movie).categories.size(), std::size_t{2});
        QCOMPARE(catalog.describedCount(), std::size_t{1});
    }
    void matrixMergesDuplicatesAndSortsRows() {
        Dataset d;
        d.addInteraction("u1", "i2", 4, 100);
        d.addInteraction("u1", "i1", 3, 50);
        d.addInteraction("u1", "i2", 5, 300);
        d.addInteraction("u2", "i1", 1, 10);
        const auto m = InteractionMatrix::fromDataset(d);
        QCOMPARE(m.userCount(), std::size_t{2});
        QCOMPARE(m.itemCount(), std::size_t{2});
        QCOMPARE(m.nonZeros(), std::size_t{3});
        const auto row = m.itemsOf(0);
        QCOMPARE(row.size(), std::size_t{2});
        QCOMPARE(row[0], Index{0});  // i2 was interned first
        QCOMPARE(m.timestampsOf(0)[0], std::int64_t{300});
        QCOMPARE(m.countsOf(0)[0], std::uint32_t{2});
        QVERIFY(m.contains(1, 1));
        QVERIFY(!m.contains(1, 0));
        QCOMPARE(m.itemPopularity(), (std::vector<std::uint32_t>{1, 2}));
        QCOMPARE(m.latestTimestamp(), std::int64_t{300});
        const auto e = m.toEigen();
        QCOMPARE(e.nonZeros(), Eigen::Index{3});
        QCOMPARE(e.coeff(0, 0), 1.0F);
    }
    void emptyUsersHaveEmptyRows() {
        const auto m = InteractionMatrix::fromInteractions({}, 3, 5);
        QCOMPARE(m.userCount(), std::size_t{3});
        QVERIFY(m.itemsOf(2).empty());
    }

    // ---- stratifiedSplit -------------------------------------------------------------------
    void splitIsDeterministicForASeed() {
        const Dataset d = splitInput();
        const Split a = stratifiedSplit(d.interactions, 0.25, 99);
        const Split b = stratifiedSplit(d.interactions, 0.25, 99);
        QCOMPARE(rowsOf(a.train), rowsOf(b.train));
        QCOMPARE(rowsOf(a.test), rowsOf(b.test));
        const Split c = stratifiedSplit(d.interactions, 0.25, 100);
        QVERIFY(rowsOf(a.test) != rowsOf(c.test));
    }

    void splitKeepsEveryRowOnExactlyOneSide() {
        const Dataset d = splitInput();
        const Split split = stratifiedSplit(d.interactions, 0.25, 7);
        QCOMPARE(split.train.size() + split.test.size(), d.interactions.size());
        auto all = rowsOf(d.interactions);
        auto both = rowsOf(split.train);
        const auto test = rowsOf(split.test);
        both.insert(both.end(), test.begin(), test.end());
        std::sort(all.begin(), all.end());
        std::sort(both.begin(), both.end());
        QCOMPARE(both, all);

        // No (user, item) pair on both sides, even when the pair has several rows.
        const auto trainPairs = pairsOf(split.train);
        for (const auto& pair : pairsOf(split.test)) QVERIFY(trainPairs.count(pair) == 0);
    }

    void splitHoldsOutAQuarterOfEachUsersItems_data() {
        QTest::addColumn<double>("fraction");
        QTest::newRow("25%") << 0.25;
        QTest::newRow("10%") << 0.10;
        QTest::newRow("50%") << 0.50;
    }

    void splitHoldsOutAQuarterOfEachUsersItems() {
        QFETCH(double, fraction);
        const Dataset d = splitInput();
        const Split split = stratifiedSplit(d.interactions, fraction, 3);
        std::map<Index, std::set<Index>> distinct;
        std::map<Index, std::set<Index>> held;
        for (const auto& r : d.interactions) distinct[r.user].insert(r.item);
        for (const auto& r : split.test) held[r.user].insert(r.item);
        std::size_t totalDistinct = 0;
        std::size_t totalHeld = 0;
        for (const auto& [user, items] : distinct) {
            const std::size_t n = items.size();
            const std::size_t got = held.count(user) ? held[user].size() : 0;
            totalDistinct += n;
            totalHeld += got;
            if (n < 2) {
                QCOMPARE(got, std::size_t{0});  // users with one item stay in train
                continue;
            }
            // round(fraction * n), but at least one item on each side.
            const double target = fraction * static_cast<double>(n);
            QVERIFY2(got >= 1 && got <= n - 1, qPrintable(QString("user %1: %2 of %3").arg(user).arg(got).arg(n)));
            QVERIFY2(std::abs(static_cast<double>(got) - target) <= 0.5 + 1e-9 || got == 1 || got == n - 1,
                     qPrintable(QString("user %1: %2 of %3 held out").arg(user).arg(got).arg(n)));
        }
        const double share = static_cast<double>(totalHeld) / static_cast<double>(totalDistinct);
        QVERIFY2(std::abs(share - fraction) < 0.02, qPrintable(QString::number(share)));
        for (const char* single : {"single_a", "single_b"}) {
            QVERIFY(held.count(*d.users.find(single)) == 0);
        }
    }

    // ---- SyntheticWorld ----------------------------------------------------------------------
    void worldIsReproducibleFromItsSeed() {
        const SyntheticWorld a(smallWorld(5));
        const SyntheticWorld b(smallWorld(5));
        QCOMPARE(a.dataset().users.ids(), b.dataset().users.ids());
        QCOMPARE(a.dataset().catalog.items().ids(), b.dataset().catalog.items().ids());
        QCOMPARE(a.dataset().catalog.categories().ids(), b.dataset().catalog.categories().ids());
        QCOMPARE(rowsOf(a.dataset().interactions), rowsOf(b.dataset().interactions));
        for (Index i = 0; i < a.dataset().catalog.size(); ++i) {
            QCOMPARE(a.dataset().catalog.info(i).title, b.dataset().catalog.info(i).title);
            QCOMPARE(a.dataset().catalog.info(i).categories, b.dataset().catalog.info(i).categories);
        }
        QCOMPARE(a.truePreference(3, 17), b.truePreference(3, 17));

        const SyntheticWorld c(smallWorld(6));
        QVERIFY(rowsOf(a.dataset().interactions) != rowsOf(c.dataset().interactions));
        QVERIFY(a.truePreference(3, 17) != c.truePreference(3, 17));
    }

    void worldHasALongTailOfPopularity() {
        const SyntheticWorld world(smallWorld(8));
        const auto& d = world.dataset();
        std::vector<std::size_t> counts(d.catalog.size(), 0);
        for (const auto& r : d.interactions) ++counts[r.item];
        std::sort(counts.rbegin(), counts.rend());
        const std::size_t head = counts.size() / 10;
        std::size_t inHead = 0;
        std::size_t total = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            total += counts[i];
            if (i < head) inHead += counts[i];
        }
        const double share = static_cast<double>(inHead) / static_cast<double>(total);
        // Uniform popularity would give about 10%; a long tail gives several times that.
        QVERIFY2(share > 0.35, qPrintable(QString("top 10% of items hold %1 of interactions").arg(share)));
        QVERIFY(counts.back() < counts.front() / 10);
    }

    void worldItemsHaveTitlesAndCategories() {
        const SyntheticWorld world(smallWorld(9));
        const auto& catalog = world.dataset().catalog;
        QCOMPARE(catalog.size(), std::size_t{600});
        QCOMPARE(world.dataset().users.size(), std::size_t{400});
        QCOMPARE(catalog.describedCount(), catalog.size());
        for (Index i = 0; i < catalog.size(); ++i) {
            const ItemInfo& info = catalog.info(i);
            QVERIFY(!info.title.empty());
            QVERIFY(!info.categories.empty());
            for (Index c : info.categories) QVERIFY(c < catalog.categories().size());
        }
        for (const auto& r : world.dataset().interactions) {
            QVERIFY(r.user < world.dataset().users.size());
            QVERIFY(r.item < catalog.size());
        }
    }

    void truePreferenceIsAProbabilityThatFavoursHistory() {
        const SyntheticWorld world(smallWorld(10));
        const auto& d = world.dataset();
        for (Index u = 0; u < d.users.size(); u += 7) {
            for (Index i = 0; i < d.catalog.size(); ++i) {
                const double p = world.truePreference(u, i);
                QVERIFY(p >= 0.0 && p <= 1.0);
            }
        }
        recdeck::SplitMix64 rng(123);
        double history = 0.0;
        double random = 0.0;
        for (const auto& r : d.interactions) {
            history += world.truePreference(r.user, r.item);
            random += world.truePreference(r.user, static_cast<Index>(rng.below(d.catalog.size())));
        }
        history /= static_cast<double>(d.interactions.size());
        random /= static_cast<double>(d.interactions.size());
        QVERIFY2(history > 1.5 * random, qPrintable(QString("history %1, random %2").arg(history).arg(random)));
    }
};

QTEST_APPLESS_MAIN(TestData)
#include "test_data.moc"

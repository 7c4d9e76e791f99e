#include <QTest>

#include "recdeck/data/dataset.h"
#include "recdeck/data/id_map.h"
#include "recdeck/data/interaction_matrix.h"

using namespace recdeck::data;

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
};

QTEST_APPLESS_MAIN(TestData)
#include "test_data.moc"

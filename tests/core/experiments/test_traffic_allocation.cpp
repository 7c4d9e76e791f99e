// Which running experiments may share users, and how the traffic is split between those
// that may not (assignment.h "Scope", "Conflict", "Windows"). The rule is a pure function
// of the definitions, checked here row by row; the registry tests check that starts,
// stops and several instances apply it.

#include <QStringList>
#include <QTest>

#include <cmath>

#include <nlohmann/json.hpp>

#include "recdeck/experiments/assignment.h"
#include "recdeck/experiments/experiment_json.h"

using namespace recdeck::experiments;

namespace {

// One experiment written as "key scope coverage begin-end [layer]", where scope is model,
// ranking, both or aa (sets nothing), begin-end its stored window and coverage a fraction.
// Listed experiments are running and started in the order listed; "-" as the window of a
// candidate (not running) leaves it empty.
Experiment parse(const QString& spec, std::int64_t startedAt) {
    const QStringList parts = spec.split(' ', Qt::SkipEmptyParts);
    Q_ASSERT(parts.size() >= 4);
    Experiment e;
    e.key = parts[0].toStdString();
    e.salt = "salt-" + e.key;
    const QString scope = parts[1];
    Variant control{"control", 0.5, "", std::nullopt};
    Variant treatment{"treatment", 0.5, "", std::nullopt};
    if (scope == "model" || scope == "both") {
        control.model = "popularity";
        treatment.model = "als";
    }
    if (scope == "ranking" || scope == "both") treatment.ranking = VariantRanking{false, 1.0, 0};
    e.variants = {control, treatment};
    e.coverage = parts[2].toDouble();
    if (parts[3] != "-") {
        const QStringList range = parts[3].split('-');
        e.trafficBegin = range[0].toUInt();
        e.trafficEnd = range[1].toUInt();
    }
    if (parts.size() > 4) e.layer = parts[4].toStdString();
    e.state = ExperimentState::Running;
    e.startedAtMs = startedAt;
    return e;
}

std::vector<Experiment> parseAll(const QStringList& specs) {
    std::vector<Experiment> all;
    std::int64_t t = 1000;
    for (const auto& spec : specs) all.push_back(parse(spec, t += 10));
    return all;
}

QString rangeText(const TrafficRange& r) {
    return QString("%1-%2").arg(r.begin).arg(r.end);
}

}  // namespace

class TestTrafficAllocation : public QObject {
    Q_OBJECT

private slots:
    void conflictReason_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("reason");
        QTest::newRow("two model experiments") << "a model 1 -"
                                               << "b model 1 -"
                                               << "both set the model";
        QTest::newRow("model and ranking may overlap") << "a model 1 -"
                                                       << "b ranking 1 -"
                                                       << "";
        QTest::newRow("both against ranking") << "a both 1 -"
                                              << "b ranking 1 -"
                                              << "both set the ranking";
        QTest::newRow("both against both") << "a both 1 -"
                                           << "b both 1 -"
                                           << "both set the model and the ranking";
        QTest::newRow("an A/A test against a model test") << "a aa 1 -"
                                                          << "b model 1 -"
                                                          << "both set the model";
        QTest::newRow("an A/A test against a ranking test") << "a aa 1 -"
                                                            << "b ranking 1 -"
                                                            << "both set the ranking";
        QTest::newRow("one layer excludes different scopes") << "a model 1 - home"
                                                             << "b ranking 1 - home"
                                                             << "both are in layer 'home'";
        QTest::newRow("different layers, same scope") << "a model 1 - home"
                                                      << "b model 1 - search"
                                                      << "both set the model";
        QTest::newRow("different layers, different scopes") << "a model 1 - home"
                                                            << "b ranking 1 - search"
                                                            << "";
    }
    void conflictReason() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, reason);
        const Experiment x = parse(a, 1);
        const Experiment y = parse(b, 2);
        QCOMPARE(QString::fromStdString(recdeck::experiments::conflictReason(x, y)), reason);
        QCOMPARE(QString::fromStdString(recdeck::experiments::conflictReason(y, x)), reason);  // symmetric
        QCOMPARE(conflicts(x, y), !reason.isEmpty());
    }

    void planStart_data() {
        QTest::addColumn<QStringList>("running");
        QTest::addColumn<QString>("candidate");
        QTest::addColumn<bool>("share");
        QTest::addColumn<QString>("window");
        QTest::addColumn<QString>("shrunk");  // "key keeps begin-end" or ""
        QTest::addColumn<int>("served");
        QTest::addColumn<QString>("heldBy");

        QTest::newRow("nothing running") << QStringList{} << "c model 1 -" << false << "0-10000"
                                         << "" << 10000 << "";
        QTest::newRow("coverage is honoured") << QStringList{} << "c model 0.25 -" << false << "0-2500"
                                              << "" << 2500 << "";
        QTest::newRow("a conflicting experiment holds everything: wait")
            << QStringList{"a model 1 0-10000"} << "c model 1 -" << false << "0-0"
            << "" << 0 << "a";
        QTest::newRow("a conflicting experiment holds everything: share half")
            << QStringList{"a model 1 0-10000"} << "c model 1 -" << true << "5000-10000"
            << "a keeps 0-5000" << 5000 << "a";
        QTest::newRow("share takes at most the coverage")
            << QStringList{"a model 1 0-10000"} << "c model 0.2 -" << true << "8000-10000"
            << "a keeps 0-8000" << 2000 << "";
        QTest::newRow("share is not needed when the coverage fits")
            << QStringList{"a model 0.5 0-5000"} << "c model 0.5 -" << true << "5000-10000"
            << "" << 5000 << "";
        QTest::newRow("what is free, when less than the coverage")
            << QStringList{"a model 0.5 0-5000"} << "c model 1 -" << false << "5000-10000"
            << "" << 5000 << "a";
        QTest::newRow("share: half the largest window and the free traffic after it")
            << QStringList{"a model 0.8 0-8000"} << "c model 0.5 -" << true << "4000-9000"
            << "a keeps 0-4000" << 5000 << "";
        QTest::newRow("share: the largest of several conflicting windows")
            << QStringList{"a model 0.4 0-4000", "b model 0.6 4000-10000"} << "c model 0.5 -" << true << "7000-10000"
            << "b keeps 4000-7000" << 3000 << "a,b";
        QTest::newRow("the first gap that fits")
            << QStringList{"a model 0.2 0-2000", "b model 0.3 5000-8000"} << "c model 0.3 -" << false << "2000-5000"
            << "" << 3000 << "";
        QTest::newRow("the largest gap when none fits")
            << QStringList{"a model 0.2 0-2000", "b model 0.3 5000-8000"} << "c model 0.4 -" << false << "2000-5000"
            << "" << 3000 << "a,b";
        QTest::newRow("different scopes prefer free traffic")
            << QStringList{"a model 0.5 0-5000"} << "c ranking 0.5 -" << false << "5000-10000"
            << "" << 5000 << "";
        QTest::newRow("different scopes overlap when nothing is free; the earlier serves")
            << QStringList{"a model 1 0-10000"} << "c ranking 0.5 -" << false << "0-5000"
            << "" << 0 << "a";
        QTest::newRow("a layer excludes different scopes")
            << QStringList{"a model 0.6 0-6000 home"} << "c ranking 0.5 - home" << false << "6000-10000"
            << "" << 4000 << "a";
        QTest::newRow("an A/A test avoids everything")
            << QStringList{"a ranking 0.3 0-3000"} << "c aa 0.8 -" << false << "3000-10000"
            << "" << 7000 << "a";
        QTest::newRow("an experiment setting both avoids both kinds")
            << QStringList{"a model 0.3 0-3000", "b ranking 0.3 3000-6000"} << "c both 0.4 -" << false << "6000-10000"
            << "" << 4000 << "";
    }
    void planStart() {
        QFETCH(QStringList, running);
        QFETCH(QString, candidate);
        QFETCH(bool, share);
        QFETCH(QString, window);
        QFETCH(QString, shrunk);
        QFETCH(int, served);
        QFETCH(QString, heldBy);
        const auto all = parseAll(running);
        Experiment c = parse(candidate, 0);
        c.state = ExperimentState::Draft;
        const StartPlan plan = recdeck::experiments::planStart(all, c, share ? StartMode::Share : StartMode::Queue);
        QCOMPARE(rangeText(plan.window), window);
        QCOMPARE(plan.shrunk
                     ? QString("%1 keeps %2").arg(QString::fromStdString(*plan.shrunk), rangeText(plan.shrunkKeeps))
                     : QString(),
                 shrunk);
        QCOMPARE(static_cast<int>(plan.share.served), served);
        QStringList holders;
        for (const auto& key : plan.share.heldBy) holders << QString::fromStdString(key);
        QCOMPARE(holders.join(','), heldBy);
        QCOMPARE(plan.share.requested, c.coverageBuckets());
        if (plan.shrunk) {
            QVERIFY(plan.shrunkShare);
            QCOMPARE(plan.shrunkShare->served, plan.shrunkKeeps.size());
        }
        // Whatever the mode, the candidate never shares a bucket with a conflicting window.
        for (const auto& other : all) {
            if (!conflicts(other, c)) continue;
            TrafficRange theirs{other.trafficBegin, other.trafficEnd};
            if (plan.shrunk && other.key == *plan.shrunk) theirs = plan.shrunkKeeps;
            QCOMPARE(overlap(plan.window, theirs), 0u);
        }
    }

    void trafficShares_data() {
        QTest::addColumn<QStringList>("running");
        QTest::addColumn<QStringList>("expected");  // "key served/requested heldBy"
        QTest::newRow("apart") << QStringList{"a model 0.5 0-5000", "b model 0.5 5000-10000"}
                               << QStringList{"a 5000/5000 ", "b 5000/5000 "};
        QTest::newRow("waiting") << QStringList{"a model 1 0-10000", "b model 1 0-0"}
                                 << QStringList{"a 10000/10000 ", "b 0/10000 a"};
        QTest::newRow("overlapping windows left by a race: the earlier keeps them")
            << QStringList{"a model 0.6 0-6000", "b model 0.5 5000-10000"}
            << QStringList{"a 6000/6000 ", "b 4000/5000 a"};
        QTest::newRow("different scopes sharing users: the earlier serves them")
            << QStringList{"a model 1 0-10000", "b ranking 0.5 0-5000"} << QStringList{"a 10000/10000 ", "b 0/5000 a"};
        QTest::newRow("a later overlapping experiment does not take users")
            << QStringList{"a ranking 0.5 0-5000", "b model 1 0-10000"}
            << QStringList{"a 5000/5000 ", "b 5000/10000 a"};
    }
    void trafficShares() {
        QFETCH(QStringList, running);
        QFETCH(QStringList, expected);
        QStringList got;
        for (const auto& share : recdeck::experiments::trafficShares(parseAll(running))) {
            QStringList holders;
            for (const auto& key : share.heldBy) holders << QString::fromStdString(key);
            got << QString("%1 %2/%3 %4")
                       .arg(QString::fromStdString(share.key))
                       .arg(share.served)
                       .arg(share.requested)
                       .arg(holders.join(','));
        }
        QCOMPARE(got, expected);
    }

    void topUps_data() {
        QTest::addColumn<QStringList>("running");
        QTest::addColumn<QStringList>("expected");  // "key begin-end"
        QTest::newRow("nothing short") << QStringList{"a model 0.5 0-5000", "b model 0.5 5000-10000"} << QStringList{};
        QTest::newRow("a waiting experiment is placed") << QStringList{"b model 1 0-0"} << QStringList{"b 0-10000"};
        QTest::newRow("a partial one grows right")
            << QStringList{"a model 0.3 0-3000", "b model 1 3000-6000"} << QStringList{"b 3000-10000"};
        QTest::newRow("and left when the right is taken")
            << QStringList{"b model 0.5 2000-5000", "c model 0.5 5000-10000"} << QStringList{"b 0-5000"};
        QTest::newRow("the earlier waiting experiment first")
            << QStringList{"b model 1 0-0", "c model 1 0-0"} << QStringList{"b 0-10000"};
        QTest::newRow("two waiting experiments that fit side by side")
            << QStringList{"b model 0.5 0-0", "c model 0.5 0-0"} << QStringList{"b 0-5000", "c 5000-10000"};
        QTest::newRow("blocked on both sides: stays")
            << QStringList{"a model 0.2 0-2000", "b model 0.5 2000-4000", "c model 0.6 4000-10000"} << QStringList{};
        QTest::newRow("a window overlapping a conflicting one is left alone")
            << QStringList{"a model 0.6 0-6000", "b model 0.5 5000-8000"} << QStringList{};
    }
    void topUps() {
        QFETCH(QStringList, running);
        QFETCH(QStringList, expected);
        const auto all = parseAll(running);
        QStringList got;
        for (const auto& [key, window] : planTopUps(all)) got << QString::fromStdString(key) + " " + rangeText(window);
        QCOMPARE(got, expected);
        // A grown window contains the old one: nobody leaves, nobody changes variant.
        for (const auto& [key, window] : planTopUps(all)) {
            for (const auto& e : all) {
                if (e.key != key || e.trafficEnd <= e.trafficBegin) continue;
                QVERIFY(window.begin <= e.trafficBegin && window.end >= e.trafficEnd);
            }
        }
    }

    // The table built from the definitions assigns exclusively where experiments conflict,
    // in the shares the windows say, identically from a JSON copy (another process).
    void assignmentFollowsWindows() {
        auto all = parseAll({"a model 0.5 0-5000", "b model 0.5 5000-10000", "c ranking 1 0-10000"});
        const AssignmentTable table(all);
        std::vector<Experiment> copied;
        for (const auto& e : all) {
            auto back = experimentFromJson(nlohmann::json::parse(toJson(e).dump()), true);
            QVERIFY(back.ok());
            copied.push_back(std::move(back).value());
        }
        const AssignmentTable other(copied);
        constexpr int kUsers = 100'000;
        int inA = 0;
        int inB = 0;
        int inC = 0;
        for (int i = 0; i < kUsers; ++i) {
            const std::string user = "visitor-" + std::to_string(i);
            const auto every = table.assignAll(user);
            bool a = false;
            bool b = false;
            for (const auto& x : every) {
                a = a || x.experiment == "a";
                b = b || x.experiment == "b";
                inC += x.experiment == "c" ? 1 : 0;
            }
            QVERIFY(!(a && b));  // a and b both set the model
            inA += a ? 1 : 0;
            inB += b ? 1 : 0;
            const auto mine = table.assign(user);
            const auto theirs = other.assign(user);
            QCOMPARE(mine.has_value(), theirs.has_value());
            if (mine) {
                QCOMPARE(mine->experiment, theirs->experiment);
                QCOMPARE(mine->variant, theirs->variant);
            }
        }
        // Shares within 4 standard errors (p = 0.5: 4 * 0.00158).
        QVERIFY2(std::abs(inA / double(kUsers) - 0.5) < 0.0064, qPrintable(QString::number(inA)));
        QVERIFY2(std::abs(inB / double(kUsers) - 0.5) < 0.0064, qPrintable(QString::number(inB)));
        QCOMPARE(inC, kUsers);  // c overlaps both (it sets the ranking)
    }

    void trafficHashReference() {
        // Computed independently in Python from the definition in assignment.h.
        QCOMPARE(static_cast<quint64>(assignmentHash({"traffic:u7"})), Q_UINT64_C(0xa791cfa88515f551));
        QCOMPARE(trafficBucketOf("u7"), 4577u);
        QCOMPARE(trafficBucketOf("user_0007"), 4817u);
    }
};

QTEST_GUILESS_MAIN(TestTrafficAllocation)
#include "test_traffic_allocation.moc"

// Attribution of events to variants, the results readout and its statistics, the
// metric-over-time series, rebuilding from the event log and the Thompson bandit.
//
// Statistics are checked against the statistics module's functions on the same counts
// (they are tested against independent references in test_statistics.cpp); the delta
// method for CTR against a two-pass computation from per-user values and by simulation.

#include <QTest>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "recdeck/common/random.h"
#include "recdeck/experiments/bandit.h"
#include "recdeck/experiments/bayesian.h"
#include "recdeck/experiments/experiment_results.h"
#include "recdeck/experiments/experiment_tracker.h"
#include "recdeck/experiments/sequential.h"
#include "recdeck/experiments/statistics.h"
#include "recdeck/store/event_log.h"
#include "recdeck/store/memory_store.h"
#include "test_experiment_engine.h"
#include "test_support.h"

using namespace recdeck::experiments;
using exptest::twoArms;
using recdeck::SplitMix64;
using recdeck::store::Event;
using recdeck::store::EventType;
using recdeck::store::MemoryStore;

namespace {

constexpr std::int64_t kWindowMs = 30 * 60 * 1000;

Event impressionOf(const std::string& user, const std::string& experiment, const std::string& variant,
                   std::vector<std::string> items, std::int64_t atMs) {
    Event e;
    e.type = EventType::Impression;
    e.userId = user;
    e.experiment = experiment;
    e.variant = variant;
    e.items = std::move(items);
    e.timestampMs = atMs;
    e.served = true;  // as the service records the lists it served
    return e;
}

Event actionOf(EventType type, const std::string& user, const std::string& item, std::int64_t atMs) {
    Event e;
    e.type = type;
    e.userId = user;
    e.itemId = item;
    e.timestampMs = atMs;
    return e;
}

VariantCounts arm(std::uint64_t users, std::uint64_t clickers) {
    VariantCounts c;
    c.users = users;
    c.clickers = clickers;
    c.clicks = clickers;
    c.lists = users;
    c.itemsShown = 10 * users;
    return c;
}

Experiment runningExperiment(std::vector<std::string> names, std::int64_t startedAt) {
    Experiment e;
    e.key = "exp";
    e.salt = "s";
    for (const auto& n : names) e.variants.push_back(Variant{n, 1.0, "", std::nullopt});
    e = *validated(e);
    e.state = ExperimentState::Running;
    e.startedAtMs = startedAt;
    return e;
}

bool close(double a, double b, double tolerance = 1e-12) {
    return std::abs(a - b) <= tolerance * std::max(1.0, std::abs(b));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Attribution

void TestExperimentEngine::attribution_data() {
    QTest::addColumn<qint64>("offsetMs");  // after the impression
    QTest::addColumn<QString>("item");
    QTest::addColumn<QString>("user");
    QTest::addColumn<int>("type");   // 0 click, 1 add_to_cart, 2 purchase
    QTest::addColumn<int>("order");  // 0: the impression arrives first; 1: the outcome does (another instance)
    QTest::addColumn<int>("clicks");
    QTest::addColumn<int>("conversions");

    QTest::newRow("click inside the window") << qint64(60'000) << "i2"
                                             << "u1" << 0 << 0 << 1 << 0;
    QTest::newRow("click at the window's end") << qint64(kWindowMs) << "i2"
                                               << "u1" << 0 << 0 << 1 << 0;
    QTest::newRow("click just after the window") << qint64(kWindowMs + 1) << "i2"
                                                 << "u1" << 0 << 0 << 0 << 0;
    QTest::newRow("click before the impression") << qint64(-1) << "i2"
                                                 << "u1" << 0 << 0 << 0 << 0;
    QTest::newRow("click on an item not shown") << qint64(60'000) << "i9"
                                                << "u1" << 0 << 0 << 0 << 0;
    QTest::newRow("click by another user") << qint64(60'000) << "i2"
                                           << "u2" << 0 << 0 << 0 << 0;
    QTest::newRow("add to cart inside the window") << qint64(5'000) << "i3"
                                                   << "u1" << 1 << 0 << 0 << 1;
    QTest::newRow("purchase inside the window") << qint64(kWindowMs - 1) << "i1"
                                                << "u1" << 2 << 0 << 0 << 1;
    QTest::newRow("purchase after the window") << qint64(kWindowMs + 60'000) << "i1"
                                               << "u1" << 2 << 0 << 0 << 0;
    QTest::newRow("late impression, click inside") << qint64(5'000) << "i2"
                                                   << "u1" << 0 << 1 << 1 << 0;
    QTest::newRow("late impression, purchase inside") << qint64(5'000) << "i1"
                                                      << "u1" << 2 << 1 << 0 << 1;
    QTest::newRow("late impression, click outside") << qint64(kWindowMs + 1) << "i2"
                                                    << "u1" << 0 << 1 << 0 << 0;
    QTest::newRow("late impression lacks the item") << qint64(5'000) << "i9"
                                                    << "u1" << 0 << 1 << 0 << 0;
    QTest::newRow("late impression, click before it") << qint64(-1) << "i2"
                                                      << "u1" << 0 << 1 << 0 << 0;
}

void TestExperimentEngine::attribution() {
    QFETCH(qint64, offsetMs);
    QFETCH(QString, item);
    QFETCH(QString, user);
    QFETCH(int, type);
    QFETCH(int, order);
    QFETCH(int, clicks);
    QFETCH(int, conversions);

    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("x")));
    EXP_OK(registry->start("x"));
    ExperimentTracker tracker(*registry);

    const std::int64_t shownAt = now() + 1000;
    const std::vector<Event> shown = {impressionOf("u1", "x", "treatment", {"i1", "i2", "i3"}, shownAt),
                                      impressionOf("u2", "x", "control", {"i7"}, shownAt)};
    const EventType types[] = {EventType::Click, EventType::AddToCart, EventType::Purchase};
    const std::vector<Event> action = {
        actionOf(types[type], user.toStdString(), item.toStdString(), shownAt + offsetMs)};
    if (order == 0) {
        tracker.onEvents(shown);
        tracker.onEvents(action);
    } else {
        tracker.onEvents(action);
        tracker.onEvents(shown);
    }

    const auto counts = tracker.counts("x");
    QVERIFY(counts);
    const VariantCounts& t = (*counts)[1];
    QCOMPARE(t.users, std::uint64_t{1});
    QCOMPARE(t.itemsShown, std::uint64_t{3});
    QCOMPARE(t.lists, std::uint64_t{1});
    QCOMPARE(t.clicks, static_cast<std::uint64_t>(clicks));
    QCOMPARE(t.clickers, static_cast<std::uint64_t>(clicks));
    QCOMPARE(t.conversions, static_cast<std::uint64_t>(conversions));
    QCOMPARE(t.converters, static_cast<std::uint64_t>(conversions));
    QCOMPARE((*counts)[0].clicks + (*counts)[0].conversions, std::uint64_t{0});
    QCOMPARE(tracker.stats().attributed, static_cast<std::uint64_t>(clicks + conversions));
}

// Builds a run from events: per variant `users` users shown 3 items, the first `clickers`
// of them click (the first 10 of those twice), the first `converters` buy.
struct ArmPlan {
    std::string variant;
    int users;
    int clickers;
    int converters;
};

static std::vector<Event> eventsFor(const std::string& experiment, const std::vector<ArmPlan>& plans, std::int64_t at) {
    std::vector<Event> events;
    for (const auto& plan : plans) {
        for (int u = 0; u < plan.users; ++u) {
            const std::string user = plan.variant + "-user-" + std::to_string(u);
            events.push_back(impressionOf(user, experiment, plan.variant, {"a", "b", "c"}, at));
            if (u < plan.clickers) events.push_back(actionOf(EventType::Click, user, "b", at + 1));
            if (u < plan.clickers && u < 10) events.push_back(actionOf(EventType::Click, user, "c", at + 2));
            if (u < plan.converters) events.push_back(actionOf(EventType::Purchase, user, "b", at + 3));
        }
    }
    return events;
}

void TestExperimentEngine::countsFromEvents() {
    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    Experiment e = twoArms("cnt");
    e.guardrails = {Metric::ConversionRate};
    EXP_OK(registry->create(e));
    EXP_OK(registry->start("cnt"));
    ExperimentTracker tracker(*registry);
    tracker.onEvents(eventsFor("cnt", {{"control", 400, 60, 12}, {"treatment", 400, 90, 30}}, now() + 10));
    // A second list to 50 control users adds lists and items, not users.
    std::vector<Event> again;
    for (int u = 0; u < 50; ++u)
        again.push_back(impressionOf("control-user-" + std::to_string(u), "cnt", "control", {"d", "e"}, now() + 20));
    tracker.onEvents(again);

    const auto counts = tracker.counts("cnt");
    QVERIFY(counts);
    const VariantCounts& c = (*counts)[0];
    const VariantCounts& t = (*counts)[1];
    QCOMPARE(c.users, std::uint64_t{400});
    QCOMPARE(c.lists, std::uint64_t{450});
    QCOMPARE(c.itemsShown, std::uint64_t{1300});
    QCOMPARE(c.clicks, std::uint64_t{70});
    QCOMPARE(c.clickers, std::uint64_t{60});
    QCOMPARE(c.conversions, std::uint64_t{12});
    QCOMPARE(c.converters, std::uint64_t{12});
    QCOMPARE(t.users, std::uint64_t{400});
    QCOMPARE(t.clicks, std::uint64_t{100});
    QCOMPARE(t.clickers, std::uint64_t{90});
    QCOMPARE(t.converters, std::uint64_t{30});
    // Per-user sums: control users 0-9 clicked twice and saw 5 items, 10-49 once with 5,
    // 50-59 once with 3; the rest never clicked (40 of them saw 5 items, 300 saw 3).
    QCOMPARE(c.sumClicksSquared, std::uint64_t{10 * 4 + 50 * 1});
    QCOMPARE(c.sumItemsSquared, std::uint64_t{50 * 25 + 350 * 9});
    QCOMPARE(c.sumClicksItems, std::uint64_t{10 * 2 * 5 + 40 * 5 + 10 * 3});

    // The readout is the statistics functions on these counts.
    auto results = tracker.results("cnt");
    EXP_OK(results);
    QCOMPARE(results->variants[0].counts, c);
    QCOMPARE(results->variants[1].counts, t);
    const auto z = zTest({400, 60}, {400, 90}, 0.05);
    EXP_OK(z);
    const auto& cmp = results->comparisons.at(0);
    QCOMPARE(cmp.primary.pValue, z->pValue);
    QCOMPARE(cmp.primary.diff, z->diff);
    QCOMPARE(cmp.primary.ciLow, z->ciLow);
    QCOMPARE(cmp.primary.ciHigh, z->ciHigh);
    QCOMPARE(*cmp.primary.relativeLift, *z->relativeLift);
    QCOMPARE(cmp.pValueHolm, z->pValue);
    const auto guard = zTest({400, 12}, {400, 30}, 0.05);
    QCOMPARE(cmp.guardrails.at(0).pValue, guard->pValue);
    // One look (results()) with tau = observed control rate * planned 10 %.
    const auto look = sequentialLook({400, 60}, {400, 90}, SequentialOptions{0.05, 0.15 * 0.10});
    EXP_OK(look);
    QVERIFY(cmp.sequential.available);
    QCOMPARE(cmp.sequential.looks, 1);
    QVERIFY(close(cmp.sequential.pValue, std::min(1.0, look->pValue)));
    QVERIFY(close(cmp.sequential.ciLow, look->ciLow));
    QVERIFY(cmp.sequential.peekingSafe);
    // A second read with no new data shows the same look: reading keeps no state.
    auto again2 = tracker.results("cnt");
    QCOMPARE(again2->comparisons[0].sequential.looks, 1);
    QVERIFY(close(again2->comparisons[0].sequential.pValue, cmp.sequential.pValue));
}

void TestExperimentEngine::resultsMatchStatistics() {
    const Experiment e = runningExperiment({"control", "treatment"}, now());
    const std::vector<VariantCounts> counts = {arm(5000, 600), arm(5000, 690)};
    auto r = analyze(e, counts, {now(), {}});
    EXP_OK(r);
    const auto z = zTest({5000, 600}, {5000, 690});
    const auto bayes = compareBayes({5000, 600}, {5000, 690});
    const std::vector<std::uint64_t> users = {5000, 5000};
    const std::vector<double> weights = {0.5, 0.5};
    const auto srm = sampleRatioMismatch(users, weights);
    EXP_OK(z);
    EXP_OK(bayes);
    EXP_OK(srm);
    const auto& c = r->comparisons.at(0);
    QCOMPARE(c.primary.z, z->z);
    QCOMPARE(c.primary.pValue, z->pValue);
    QCOMPARE(c.primary.ciLow, z->ciLow);
    QCOMPARE(c.primary.ciHigh, z->ciHigh);
    QCOMPARE(*c.primary.relativeCiLow, *z->relativeCiLow);
    QCOMPARE(*c.primary.relativeCiHigh, *z->relativeCiHigh);
    QCOMPARE(*c.chanceToBeatControl, bayes->chanceToBeatControl);
    QCOMPARE(*c.expectedLossControl, bayes->expectedLossControl);
    QCOMPARE(*c.expectedLossTreatment, bayes->expectedLossTreatment);
    QCOMPARE(r->srm.pValue, srm->pValue);
    QCOMPARE(r->srm.chiSquare, srm->chiSquare);
    QCOMPARE(r->variants[1].clickRate, 690.0 / 5000.0);
    QCOMPARE(r->variants[1].ctr, 690.0 / 50000.0);
    // Planned sample: baseline = control's 12 %, +10 %.
    SampleSizeRequest request;
    request.baseline = 0.12;
    request.mde = 0.10;
    const auto planned = sampleSize(request);
    QCOMPARE(*c.plannedUsersPerVariant, planned->perVariant);
    QVERIFY(c.significant == (z->pValue < 0.05));
}

void TestExperimentEngine::holmAndBayesAcrossTreatments() {
    const Experiment e = runningExperiment({"control", "b", "c", "d"}, now());
    const std::vector<VariantCounts> counts = {arm(4000, 400), arm(4000, 470), arm(4000, 458), arm(4000, 395)};
    auto r = analyze(e, counts, {now(), {}});
    EXP_OK(r);
    std::vector<double> raw;
    std::vector<ArmCounts> arms = {{4000, 400}};
    for (std::size_t i = 1; i < counts.size(); ++i) {
        raw.push_back(zTest({4000, 400}, {4000, counts[i].clickers})->pValue);
        arms.push_back({4000, counts[i].clickers});
    }
    const auto holm = holmAdjust(raw);
    const auto multi = compareBayesArms(arms, 0);
    EXP_OK(holm);
    EXP_OK(multi);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        QCOMPARE(r->comparisons[i].primary.pValue, raw[i]);
        QCOMPARE(r->comparisons[i].pValueHolm, (*holm)[i]);
        QCOMPARE(r->comparisons[i].significant, (*holm)[i] < 0.05);
        QVERIFY(r->comparisons[i].pValueHolm >= raw[i]);
    }
    for (std::size_t i = 0; i < arms.size(); ++i) QCOMPARE(*r->variants[i].chanceToBeBest, multi->chanceToBeBest[i]);
    QVERIFY(r->comparisons[0].significant);   // 11.75 % vs 10 %: p 0.012, Holm 0.036
    QVERIFY(raw[1] < 0.05);                   // 11.45 % vs 10 %: p 0.036 alone,
    QVERIFY(!r->comparisons[1].significant);  // but Holm 0.072 among three treatments
    QVERIFY(!r->comparisons[2].significant);  // 9.9 % vs 10 %
    QCOMPARE(r->kind, VerdictKind::Winning);
    // The planned sample carries the same correction: three treatments, alpha / 3.
    SampleSizeRequest request;
    request.baseline = 0.10;  // the control's observed click rate
    request.mde = e.plan.relativeEffect;
    request.alpha = 0.05 / 3.0;
    request.power = e.plan.power;
    const auto planned = sampleSize(request);
    EXP_OK(planned);
    QCOMPARE(*r->comparisons[0].plannedUsersPerVariant, planned->perVariant);
}

void TestExperimentEngine::srm_data() {
    QTest::addColumn<quint64>("control");
    QTest::addColumn<quint64>("treatment");
    QTest::addColumn<bool>("mismatch");
    QTest::newRow("52/48 of 10,000 at 50/50") << quint64(5200) << quint64(4800) << true;
    QTest::newRow("50.2/49.8 of 10,000") << quint64(5020) << quint64(4980) << false;
    QTest::newRow("52/48 of 1,000: too few to tell") << quint64(520) << quint64(480) << false;
    QTest::newRow("52/48 of 100,000") << quint64(52000) << quint64(48000) << true;
}

void TestExperimentEngine::srm() {
    QFETCH(quint64, control);
    QFETCH(quint64, treatment);
    QFETCH(bool, mismatch);
    const Experiment e = runningExperiment({"control", "treatment"}, now());
    const std::vector<VariantCounts> counts = {arm(control, control / 10), arm(treatment, treatment / 10)};
    auto r = analyze(e, counts, {now(), {}});
    EXP_OK(r);
    QVERIFY(r->srm.applicable);
    QCOMPARE(r->srm.mismatch, mismatch);
    const std::vector<std::uint64_t> users = {control, treatment};
    const std::vector<double> weights = {1.0, 1.0};
    QCOMPARE(r->srm.pValue, sampleRatioMismatch(users, weights)->pValue);
    if (mismatch) {
        QCOMPARE(r->kind, VerdictKind::SampleRatioMismatch);
        QVERIFY2(r->verdict.find("users split 52.0/48.0% against the configured 50.0/50.0%") != std::string::npos,
                 r->verdict.c_str());
    } else {
        QVERIFY(r->kind != VerdictKind::SampleRatioMismatch);
    }
}

void TestExperimentEngine::verdicts_data() {
    QTest::addColumn<quint64>("cu");
    QTest::addColumn<quint64>("cx");
    QTest::addColumn<quint64>("tu");
    QTest::addColumn<quint64>("tx");
    QTest::addColumn<double>("days");  // since the start
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("safe");
    QTest::addColumn<bool>("stopped");  // at `days`
    // Planned sample at a 10 % baseline, +10 %, alpha 0.05, power 0.8: 14,751 per variant.
    QTest::newRow("winning after the plan")
        << quint64(20000) << quint64(2000) << quint64(20000) << quint64(2400) << 7.0 << int(VerdictKind::Winning)
        << "treatment 'treatment' is winning: +20.0% click rate (95% CI +" << true << false;
    QTest::newRow("losing after the plan")
        << quint64(20000) << quint64(2400) << quint64(20000) << quint64(2000) << 7.0 << int(VerdictKind::Losing)
        << "treatment 'treatment' is losing: -16.7% click rate (95% CI -" << true << false;
    QTest::newRow("not significant, half way")
        << quint64(2000) << quint64(200) << quint64(2000) << quint64(210) << 1.0 << int(VerdictKind::NotEnoughData)
        << "not enough data yet: about 6 more days at current traffic for the planned effect (+10.0% click rate needs "
           "14,751 users per variant; 2,000 so far)"
        << false << false;
    QTest::newRow("too small to judge")
        << quint64(50) << quint64(5) << quint64(50) << quint64(9) << 0.1 << int(VerdictKind::NotEnoughData)
        << "not enough data yet: treatment 'treatment' has 50 users and 9 users with a click" << false << false;
    QTest::newRow("no difference after the plan")
        << quint64(20000) << quint64(2000) << quint64(20000) << quint64(2010) << 7.0 << int(VerdictKind::NoDifference)
        << "no significant difference: +0.5% click rate" << true << false;
    QTest::newRow("stopped half way")
        << quint64(2000) << quint64(200) << quint64(2000) << quint64(210) << 1.0 << int(VerdictKind::NotEnoughData)
        << "inconclusive: stopped before the planned sample (14,751 users per variant; 2,000 reached); so far +5.0%"
        << false << true;
    QTest::newRow("stopped while winning, before confirmation")
        << quint64(3000) << quint64(300) << quint64(3000) << quint64(390) << 1.0 << int(VerdictKind::Winning)
        << "provisional: it was stopped before the peeking-safe test or the planned sample confirmed it" << false
        << true;
}

void TestExperimentEngine::verdicts() {
    QFETCH(quint64, cu);
    QFETCH(quint64, cx);
    QFETCH(quint64, tu);
    QFETCH(quint64, tx);
    QFETCH(double, days);
    QFETCH(int, kind);
    QFETCH(QString, text);
    QFETCH(bool, safe);
    QFETCH(bool, stopped);
    Experiment e = runningExperiment({"control", "treatment"}, now());
    if (stopped) {
        e.state = ExperimentState::Stopped;
        e.stoppedAtMs = now() + static_cast<std::int64_t>(days * 86'400'000.0);
    }
    const std::vector<VariantCounts> counts = {arm(cu, cx), arm(tu, tx)};
    auto r = analyze(e, counts, {now() + static_cast<std::int64_t>((stopped ? days + 3 : days) * 86'400'000.0), {}});
    EXP_OK(r);
    const auto& c = r->comparisons.at(0);
    QVERIFY2(QString::fromStdString(c.verdict).contains(text), c.verdict.c_str());
    QCOMPARE(int(c.kind), kind);
    QCOMPARE(c.safeToStop, safe);
    QCOMPARE(r->verdict, c.verdict);
    if (kind == int(VerdictKind::Winning) && safe) {
        QVERIFY(c.verdict.find("chance to beat control; safe to stop") != std::string::npos);
        QVERIFY(c.verdict.find(">99.9% chance") != std::string::npos);
    }
}

// ---------------------------------------------------------------------------------------
// CTR by the delta method

namespace {
struct UserValues {
    std::vector<double> clicks;
    std::vector<double> items;
};

// Users with 1-20 items each and a per-user click probability drawn around `rate`.
UserValues drawUsers(SplitMix64& rng, int users, double rate) {
    UserValues v;
    for (int u = 0; u < users; ++u) {
        const auto n = 1 + rng.below(20);
        const double p = std::clamp(rate * (0.2 + 1.6 * rng.uniform()), 0.0, 1.0);
        std::uint64_t c = 0;
        for (std::uint64_t i = 0; i < n; ++i) c += rng.uniform() < p ? 1 : 0;
        v.items.push_back(static_cast<double>(n));
        v.clicks.push_back(static_cast<double>(c));
    }
    return v;
}

VariantCounts countsOf(const UserValues& v) {
    VariantCounts c;
    for (std::size_t u = 0; u < v.items.size(); ++u) {
        const auto n = static_cast<std::uint64_t>(v.items[u]);
        const auto k = static_cast<std::uint64_t>(v.clicks[u]);
        c.users += 1;
        c.itemsShown += n;
        c.clicks += k;
        c.clickers += k > 0 ? 1 : 0;
        c.sumItemsSquared += n * n;
        c.sumClicksSquared += k * k;
        c.sumClicksItems += k * n;
    }
    return c;
}

// Var(R) by the textbook two-pass sample (co)variances.
double deltaVariance(const UserValues& v) {
    const double n = static_cast<double>(v.items.size());
    double mc = 0;
    double mn = 0;
    for (std::size_t u = 0; u < v.items.size(); ++u) {
        mc += v.clicks[u] / n;
        mn += v.items[u] / n;
    }
    double scc = 0;
    double snn = 0;
    double scn = 0;
    for (std::size_t u = 0; u < v.items.size(); ++u) {
        scc += (v.clicks[u] - mc) * (v.clicks[u] - mc);
        snn += (v.items[u] - mn) * (v.items[u] - mn);
        scn += (v.clicks[u] - mc) * (v.items[u] - mn);
    }
    scc /= n - 1;
    snn /= n - 1;
    scn /= n - 1;
    const double r = mc / mn;
    return (scc - 2 * r * scn + r * r * snn) / (n * mn * mn);
}
}  // namespace

void TestExperimentEngine::ctrDeltaMethod() {
    SplitMix64 rng(2024);
    const UserValues control = drawUsers(rng, 800, 0.08);
    const UserValues treatment = drawUsers(rng, 800, 0.10);
    const auto m = compareCtr(countsOf(control), countsOf(treatment), 0.05);
    QVERIFY(m.available);
    const double se = std::sqrt(deltaVariance(control) + deltaVariance(treatment));
    const double diff = countsOf(treatment).ctr() - countsOf(control).ctr();
    QVERIFY(close(m.diff, diff));
    QVERIFY2(close(m.z, diff / se, 1e-9), qPrintable(QString("%1 vs %2").arg(m.z).arg(diff / se)));
    QVERIFY(close(m.pValue, std::erfc(std::abs(diff / se) / std::sqrt(2.0)), 1e-9));
    QVERIFY(close(m.ciHigh - m.ciLow, 2 * 1.959963984540054 * se, 1e-9));
    QVERIFY(m.relativeLift && close(*m.relativeLift, countsOf(treatment).ctr() / countsOf(control).ctr() - 1.0));

    // Through analyze() with ctr as the primary metric.
    Experiment e = runningExperiment({"control", "treatment"}, now());
    e.primaryMetric = Metric::Ctr;
    const std::vector<VariantCounts> counts = {countsOf(control), countsOf(treatment)};
    auto r = analyze(e, counts, {now(), {}});
    EXP_OK(r);
    QVERIFY(close(r->comparisons[0].primary.z, m.z));
    QVERIFY(!r->comparisons[0].sequential.available);
    QVERIFY(r->comparisons[0].chanceToBeatControl.has_value());
    QVERIFY(close(*r->comparisons[0].chanceToBeatControl, 0.5 * std::erfc(-m.z / std::sqrt(2.0)), 1e-9));
}

void TestExperimentEngine::ctrDeltaMethodNullRate() {
    // Under no difference, with clustered clicks, the delta-method test rejects ~5 %.
    SplitMix64 rng(77);
    int rejected = 0;
    constexpr int kExperiments = 400;
    for (int i = 0; i < kExperiments; ++i) {
        const auto m = compareCtr(countsOf(drawUsers(rng, 300, 0.1)), countsOf(drawUsers(rng, 300, 0.1)), 0.05);
        rejected += m.pValue < 0.05 ? 1 : 0;
    }
    const double rate = static_cast<double>(rejected) / kExperiments;
    QVERIFY2(rate > 0.02 && rate < 0.085, qPrintable(QString::number(rate)));
}

void TestExperimentEngine::resultsJson() {
    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("js")));
    ExperimentTracker tracker(*registry);
    auto draft = tracker.results("js");
    EXP_OK(draft);
    QCOMPARE(draft->kind, VerdictKind::NotStarted);
    QVERIFY(!tracker.results("missing").ok());

    EXP_OK(registry->start("js"));
    tracker.onEvents(eventsFor("js", {{"control", 150, 20, 0}, {"treatment", 150, 30, 0}}, now() + 5));
    auto r = tracker.results("js");
    EXP_OK(r);
    const auto j = toJson(*r);
    QCOMPARE(j["variants"].size(), std::size_t{2});
    for (const char* key : {"name", "users", "impressions", "lists", "clicks", "conversions", "ctr", "click_rate",
                            "conversion_rate", "weight"})
        QVERIFY2(j["variants"][0].contains(key), key);
    QCOMPARE(j["variants"][1]["name"].get<std::string>(), std::string("treatment"));
    QCOMPARE(j["variants"][1]["users"].get<std::uint64_t>(), std::uint64_t{150});
    QCOMPARE(j["variants"][1]["impressions"].get<std::uint64_t>(), std::uint64_t{450});
    QCOMPARE(j["variants"][1]["clicks"].get<std::uint64_t>(), std::uint64_t{40});
    QCOMPARE(j["variants"][1]["ctr"].get<double>(), 40.0 / 450.0);
    for (const char* key : {"p_value", "mismatch", "chi_square", "applicable"}) QVERIFY2(j["srm"].contains(key), key);
    for (const char* key : {"p_value", "p_value_holm", "ci_low", "ci_high", "relative_lift", "chance_to_beat_control",
                            "expected_loss_control", "sequential", "verdict", "status"})
        QVERIFY2(j["comparisons"][0].contains(key), key);
    QCOMPARE(j["comparisons"][0]["sequential"]["peeking_safe"].get<bool>(), true);
    QCOMPARE(j["state"].get<std::string>(), std::string("running"));
    QVERIFY(!j["verdict"].get<std::string>().empty());
}

void TestExperimentEngine::seriesAndRebuild() {
    m_now = (m_now.load() / 60'000 + 1) * 60'000;  // minutes of event time start on the minute
    const auto dir = freshDir();
    auto registry = openRegistry(dir / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("rb")));
    EXP_OK(registry->start("rb"));
    const std::int64_t start = now();
    auto log = recdeck::store::EventLog::open(dir / "events.db");
    EXP_OK(log);
    ExperimentTracker live(*registry);
    (*log)->addListener([&](std::span<const Event> committed) { live.onEvents(committed); });

    // An event from before the start, then three minutes of traffic.
    EXP_OK((*log)->append({impressionOf("early", "rb", "control", {"a"}, start - 5000)}));
    for (int minute = 0; minute < 3; ++minute) {
        const std::int64_t at = start + minute * 60'000 + 1000;
        std::vector<ArmPlan> plans = {{"control", 40, 4 + minute, 0}, {"treatment", 40, 8 + minute, 0}};
        auto events = eventsFor("rb", plans, at);
        for (auto& event : events) event.userId += "-m" + std::to_string(minute);
        EXP_OK((*log)->append(std::move(events)));
    }
    const auto liveCounts = live.counts("rb");
    QVERIFY(liveCounts);
    QCOMPARE((*liveCounts)[0].users, std::uint64_t{120});
    QCOMPARE((*liveCounts)[1].clickers, std::uint64_t{8 + 9 + 10});
    const auto series = live.series("rb");
    QCOMPARE(series.size(), std::size_t{3});
    QCOMPARE(series[0].atMs, (start + 1000) / 60'000 * 60'000);
    QCOMPARE(series[1].atMs - series[0].atMs, std::int64_t{60'000});
    QCOMPARE(series[0].values[1], 8.0 / 40.0);    // cumulative at the end of minute 1
    QCOMPARE(series[2].values[1], 27.0 / 120.0);  // and of minute 3
    QCOMPARE(series[2].users[0], std::uint64_t{120});

    // A new tracker (a restarted process) rebuilds the same numbers from the log.
    ExperimentTracker rebuilt(*registry);
    QVERIFY(!rebuilt.counts("rb") || (*rebuilt.counts("rb"))[0].users == 0);
    EXP_OK(rebuilt.rebuild(**log));
    QCOMPARE(*rebuilt.counts("rb"), *liveCounts);
    const auto rebuiltSeries = rebuilt.series("rb");
    QCOMPARE(rebuiltSeries.size(), series.size());
    for (std::size_t i = 0; i < series.size(); ++i) {
        QCOMPARE(rebuiltSeries[i].atMs, series[i].atMs);
        QCOMPARE(rebuiltSeries[i].values, series[i].values);
    }
    // Rebuilding a tracker that already counted live does not count twice, and later
    // live events still count once.
    EXP_OK(live.rebuild(**log));
    QCOMPARE(*live.counts("rb"), *liveCounts);
    EXP_OK((*log)->append({impressionOf("late", "rb", "treatment", {"z"}, start + 200'000)}));
    QCOMPARE((*live.counts("rb"))[1].users, (*liveCounts)[1].users + 1);
    QCOMPARE(live.stats().lastEventId, (*log)->stats().lastId);
}

void TestExperimentEngine::restartStartsResultsAfresh() {
    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("rs")));
    EXP_OK(registry->start("rs"));
    ExperimentTracker tracker(*registry);
    const std::int64_t first = now() + 10;
    tracker.onEvents(std::vector<Event>{impressionOf("u1", "rs", "treatment", {"i1"}, first),
                                        impressionOf("u2", "rs", "control", {"i2"}, first)});
    QCOMPARE((*tracker.counts("rs"))[1].users, std::uint64_t{1});

    tick(60'000);
    EXP_OK(registry->restart("rs"));
    const auto fresh = tracker.counts("rs");
    QVERIFY(fresh);
    QCOMPARE((*fresh)[0].users + (*fresh)[1].users, std::uint64_t{0});
    // A click following an impression of the old run does not count in the new one; an
    // impression stamped before the new start is outside the run.
    tracker.onEvents(std::vector<Event>{actionOf(EventType::Click, "u1", "i1", now() + 5),
                                        impressionOf("u3", "rs", "control", {"i3"}, now() - 1),
                                        impressionOf("u4", "rs", "control", {"i4"}, now() + 1)});
    QCOMPARE((*tracker.counts("rs"))[0].users, std::uint64_t{1});
    QCOMPARE((*tracker.counts("rs"))[1].clicks, std::uint64_t{0});
    EXP_OK(registry->stop("rs"));
    QVERIFY(tracker.counts("rs").has_value());  // a stopped experiment keeps its results
}

// Regression: an impression posted by a client naming an experiment and a variant made
// its user count (200 forged users were counted). Only served impressions count.
void TestExperimentEngine::clientImpressionsDoNotCount() {
    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("forged")));
    EXP_OK(registry->start("forged"));
    ExperimentTracker tracker(*registry);
    std::vector<Event> forged;
    for (int u = 0; u < 200; ++u) {
        Event e = impressionOf("f" + std::to_string(u), "forged", "treatment", {"a"}, now() + 5);
        e.served = false;
        forged.push_back(e);
        forged.push_back(actionOf(EventType::Click, e.userId, "a", now() + 6));
    }
    tracker.onEvents(forged);
    const auto counts = tracker.counts("forged");
    QVERIFY(counts);
    QCOMPARE((*counts)[1].users + (*counts)[0].users, std::uint64_t{0});
    QCOMPARE((*counts)[1].clicks, std::uint64_t{0});
    QCOMPARE(tracker.stats().ignored, std::uint64_t{200});
}

// The fleet's stream may carry an instance's suffix twice; ids are per instance, so the
// same id from two instances is two events.
void TestExperimentEngine::eachInstanceCountsOnce() {
    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("multi")));
    EXP_OK(registry->start("multi"));
    ExperimentTracker tracker(*registry);
    Event a = impressionOf("ua", "multi", "control", {"i1"}, now() + 5);
    a.id = 7;
    Event b = impressionOf("ub", "multi", "control", {"i1"}, now() + 5);
    b.id = 7;
    Event click = actionOf(EventType::Click, "ua", "i1", now() + 6);
    click.id = 8;  // committed on instance 2 after b, clicked on a list instance 1 served
    const std::vector<SourcedEvent> stream = {{1, &a}, {2, &b}, {1, &a}, {2, &click}, {2, &click}, {2, &b}};
    tracker.onEvents(stream);
    const auto counts = tracker.counts("multi");
    QCOMPARE((*counts)[0].users, std::uint64_t{2});
    QCOMPARE((*counts)[0].lists, std::uint64_t{2});
    QCOMPARE((*counts)[0].clicks, std::uint64_t{1});
    QCOMPARE(tracker.stats().duplicates, std::uint64_t{3});
}

// Regression: a stopped experiment's clicks kept growing (clicks after the stop were
// attributed to lists shown before it) and its readout changed after a backend switch.
void TestExperimentEngine::stoppedRunStopsCountingAndFreezes() {
    const auto dir = freshDir();
    auto registry = openRegistry(dir / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("fz")));
    EXP_OK(registry->start("fz"));
    ExperimentTracker tracker(*registry);
    tracker.onEvents(eventsFor("fz", {{"control", 150, 30, 5}, {"treatment", 150, 45, 9}}, now() + 10));
    tick(120'000);
    EXP_OK(registry->stop("fz"));
    const auto atStop = *tracker.counts("fz");
    QVERIFY(!tracker.freezeSnapshot("missing").has_value());
    // A click after the stop on a list shown before it does not count.
    tracker.onEvents(std::vector<Event>{actionOf(EventType::Click, "control-user-100", "a", now() + 1000)});
    QCOMPARE(*tracker.counts("fz"), atStop);

    const auto snapshot = tracker.freezeSnapshot("fz");
    QVERIFY(snapshot.has_value());
    const auto stopped = registry->get("fz");
    EXP_OK(registry->freeze("fz", stopped->startedAtMs, *snapshot));
    QVERIFY(!tracker.freezeSnapshot("fz").has_value());  // frozen already
    const auto frozenResults = tracker.results("fz");
    EXP_OK(frozenResults);

    // A tracker that never saw a single event (another backend, another process) reads the
    // same frozen readout.
    ExperimentTracker elsewhere(*registry);
    QCOMPARE(*elsewhere.counts("fz"), atStop);
    const auto there = elsewhere.results("fz");
    EXP_OK(there);
    QCOMPARE(there->verdict, frozenResults->verdict);
    QCOMPARE(elsewhere.series("fz").size(), tracker.series("fz").size());
    // The second freeze of the run changes nothing; a restart starts afresh.
    EXP_OK(registry->freeze("fz", stopped->startedAtMs, "{}"));
    QCOMPARE(*elsewhere.counts("fz"), atStop);
    QCOMPARE(registry->freeze("fz", stopped->startedAtMs + 1, *snapshot).errorKind(), recdeck::ErrorKind::Conflict);
    tick(1000);
    EXP_OK(registry->restart("fz"));
    QVERIFY(registry->get("fz")->frozenResults.empty());
    QCOMPARE((*elsewhere.counts("fz"))[0].users, std::uint64_t{0});
}

// A tracker restored from a checkpoint continues exactly as the one that wrote it.
void TestExperimentEngine::checkpointRestoresTheSameState() {
    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("cp")));
    EXP_OK(registry->start("cp"));
    ExperimentTracker original(*registry);
    const std::int64_t at = now() + 10;
    auto first = eventsFor("cp", {{"control", 120, 20, 4}, {"treatment", 120, 35, 6}}, at);
    for (std::size_t i = 0; i < first.size(); ++i) first[i].id = static_cast<std::int64_t>(i + 1);
    // One outcome whose impression is still on its way when the checkpoint is taken.
    Event early = actionOf(EventType::Click, "waiting-user", "w", at + 100);
    early.id = 9'000;
    std::vector<SourcedEvent> part1;
    for (const auto& e : first) part1.push_back({5, &e});
    part1.push_back({6, &early});
    original.onEvents(part1);
    QCOMPARE(original.stats().pending, std::size_t{1});

    ExperimentTracker restored(*registry);
    EXP_OK(restored.restore(original.checkpoint()));
    QCOMPARE(*restored.counts("cp"), *original.counts("cp"));
    QCOMPARE(restored.stats().pending, std::size_t{1});
    QCOMPARE(restored.checkpoint(), original.checkpoint());

    // The same continuation (a resend of the first events included) gives the same state.
    Event late = impressionOf("waiting-user", "cp", "treatment", {"w"}, at + 50);
    late.id = 1;
    Event click = actionOf(EventType::Click, "control-user-50", "c", at + 200);
    click.id = 9'001;
    std::vector<SourcedEvent> part2 = {{5, &first[0]}, {7, &late}, {6, &click}};
    original.onEvents(part2);
    restored.onEvents(part2);
    QCOMPARE(*restored.counts("cp"), *original.counts("cp"));
    QCOMPARE((*original.counts("cp"))[1].clickers, std::uint64_t{36});  // 35 + the late one
    QCOMPARE((*original.counts("cp"))[0].clickers, std::uint64_t{21});
    QCOMPARE(original.stats().late, std::uint64_t{1});
    QCOMPARE(restored.results("cp")->verdict, original.results("cp")->verdict);
    QCOMPARE(restored.checkpoint(), original.checkpoint());

    QCOMPARE(restored.restore("not a checkpoint").errorKind(), recdeck::ErrorKind::Invalid);
    QCOMPARE(*restored.counts("cp"), *original.counts("cp"));  // unchanged by a bad one
    const std::string good = original.checkpoint();
    for (std::size_t cut : {std::size_t{1}, good.size() / 3, good.size() - 1})
        QVERIFY(!restored.restore(std::string_view(good).substr(0, cut)).ok());
}

// Instances read results at different times; reading must not feed the state, or their
// peeking-safe monitors (and readouts) would drift apart.
void TestExperimentEngine::readingDoesNotChangeTheState() {
    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("ro")));
    EXP_OK(registry->start("ro"));
    ExperimentTracker tracker(*registry);
    tracker.onEvents(eventsFor("ro", {{"control", 300, 40, 0}, {"treatment", 300, 70, 0}}, now() + 10));
    const std::string before = tracker.checkpoint();
    const auto a = tracker.results("ro");
    const auto b = tracker.results("ro");
    EXP_OK(a);
    EXP_OK(b);
    QCOMPARE(tracker.checkpoint(), before);
    QCOMPARE(a->verdict, b->verdict);
}

void TestExperimentEngine::banditFollowsResults() {
    auto registry =
        openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>(), std::chrono::milliseconds(60'000));
    QVERIFY(registry);
    Experiment e = twoArms("bandit", "bandit-salt");
    e.allocation = AllocationMode::Thompson;
    EXP_OK(registry->create(e));
    EXP_OK(registry->start("bandit"));
    ExperimentTracker tracker(*registry);

    // Before any recomputation the configured weights apply.
    std::size_t treatment = 0;
    for (int i = 0; i < 20000; ++i) treatment += registry->assign("b" + std::to_string(i))->variantIndex;
    QVERIFY(std::abs(static_cast<double>(treatment) / 20000.0 - 0.5) < 0.02);

    tracker.onEvents(eventsFor("bandit", {{"control", 300, 15, 0}, {"treatment", 300, 60, 0}}, now() + 1));
    EXP_OK(registry->refreshBandits(true));
    const auto updated = registry->get("bandit");
    QCOMPARE(updated->banditWeights.size(), std::size_t{2});
    QCOMPARE(updated->banditUpdatedAtMs, now());
    QVERIFY2(updated->banditWeights[1] > 0.9, qPrintable(QString::number(updated->banditWeights[1])));
    QVERIFY(updated->banditWeights[0] >= 0.05 - 1e-12);  // the floor per arm
    // The same weights as the bandit module's allocation on these counts.
    const std::vector<ArmCounts> arms = {{300, 15}, {300, 60}};
    ThompsonOptions thompson;
    thompson.floor = 0.05;
    const auto expected = thompsonAllocation(arms, thompson);
    EXP_OK(expected);
    QVERIFY(close(updated->banditWeights[1], expected->weights[1], 1e-9));

    treatment = 0;
    for (int i = 0; i < 20000; ++i) treatment += registry->assign("b" + std::to_string(i))->variantIndex;
    QVERIFY(std::abs(static_cast<double>(treatment) / 20000.0 - updated->banditWeights[1]) < 0.01);

    // Not recomputed again within the interval (unless forced).
    tick(1000);
    EXP_OK(registry->refreshBandits(false));
    QCOMPARE(registry->get("bandit")->banditUpdatedAtMs, updated->banditUpdatedAtMs);
    auto r = tracker.results("bandit");
    EXP_OK(r);
    QVERIFY(!r->srm.applicable);
    QCOMPARE(r->variants[1].trafficShare, updated->banditWeights[1]);
    QVERIFY(!r->notes.empty());
}

void TestExperimentEngine::concurrentEventsAndReads() {
    // Two writers feed events while readers take results and series; the totals add up.
    auto registry = openRegistry(freshDir() / "experiments.db", std::make_shared<MemoryStore>());
    QVERIFY(registry);
    EXP_OK(registry->create(twoArms("cc")));
    EXP_OK(registry->start("cc"));
    ExperimentTracker tracker(*registry);
    const std::int64_t at = now() + 1;
    auto writer = [&](const std::string& variant) {
        for (int batch = 0; batch < 20; ++batch) {
            auto events = eventsFor("cc", {{variant, 50, 10, 2}}, at + batch);
            for (auto& e : events) e.userId += "-b" + std::to_string(batch);
            tracker.onEvents(events);
        }
    };
    std::atomic<bool> done{false};
    std::thread reader([&] {
        while (!done.load()) {
            auto r = tracker.results("cc");
            if (!r.ok()) return;
            (void)tracker.series("cc");
        }
    });
    std::thread w1(writer, "control");
    std::thread w2(writer, "treatment");
    w1.join();
    w2.join();
    done = true;
    reader.join();
    const auto counts = tracker.counts("cc");
    QVERIFY(counts);
    for (const auto& c : *counts) {
        QCOMPARE(c.users, std::uint64_t{1000});
        QCOMPARE(c.clickers, std::uint64_t{200});
        QCOMPARE(c.converters, std::uint64_t{40});
    }
}

QTEST_GUILESS_MAIN(TestExperimentEngine)

// Live monitoring: latency percentiles from the log-scale histogram against exact
// percentiles, per-second rates and ratios, per-variant CTR, tier hit rates, coverage and
// ILD, the ring's wrap-around after an hour, exact sums under concurrent recording, the
// alert state machine, and the Prometheus exposition (parsed by prometheus_client when
// python3-prometheus-client is installed). Time is driven by explicit unix seconds.

#include <QProcess>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <latch>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "recdeck/common/random.h"
#include "recdeck/metrics/latency_histogram.h"
#include "recdeck/monitoring/alert_rules.h"
#include "recdeck/monitoring/monitor.h"
#include "test_support.h"

using namespace recdeck::monitoring;
namespace metrics = recdeck::metrics;
using recdeck::cache::Tier;

Q_DECLARE_METATYPE(std::vector<double>)
Q_DECLARE_METATYPE(std::vector<std::uint64_t>)

namespace {

constexpr std::int64_t kT0 = 1'700'000'000;  // an arbitrary unix second
const double kBinRatio = std::pow(10.0, 0.1);

// A clock the tests set (MonitorOptions::clock is a plain function pointer).
std::atomic<std::int64_t> g_now{kT0};
std::int64_t fakeClock() {
    return g_now.load();
}

MonitorOptions fakeTime(std::vector<AlertRule> rules = {}) {
    MonitorOptions options;
    options.clock = &fakeClock;
    options.alertRules = std::move(rules);
    return options;
}

RequestSample request(double latencyUs, std::optional<Tier> tier = Tier::L1, Outcome outcome = Outcome::Ok,
                      VariantId variant = kNoExperiment) {
    RequestSample s;
    s.latencyUs = latencyUs;
    s.tier = tier;
    s.outcome = outcome;
    s.variant = variant;
    return s;
}

// Nearest-rank percentile: the smallest value with at least q * n values at or below it.
double exactPercentile(std::vector<double> values, double q) {
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
    return values[std::max<std::size_t>(rank, 1) - 1];
}

// Within one histogram bin of the exact value (absolute below 10 µs, relative above).
bool withinBin(double estimateUs, double exactUs) {
    if (exactUs < metrics::LatencyHistogram::kLowestEdgeUs)
        return std::fabs(estimateUs - exactUs) <= metrics::LatencyHistogram::kLowestEdgeUs;
    return estimateUs <= exactUs * kBinRatio * (1 + 1e-12) && estimateUs >= exactUs / kBinRatio * (1 - 1e-12);
}

enum class Shape { Uniform, LogUniform, Exponential, Constant, Bimodal, Tiny, FewValues };

std::vector<double> latencySet(Shape shape, std::size_t n, std::uint64_t seed) {
    recdeck::SplitMix64 rng(seed);
    std::vector<double> v;
    for (std::size_t i = 0; i < n; ++i) {
        switch (shape) {
            case Shape::Uniform:
                v.push_back(100.0 + rng.uniform() * 9'900.0);
                break;
            case Shape::LogUniform:
                v.push_back(std::exp(std::log(20.0) + rng.uniform() * std::log(1e5)));
                break;
            case Shape::Exponential:
                v.push_back(-500.0 * std::log(1.0 - rng.uniform()));
                break;
            case Shape::Constant:
                v.push_back(1'500.0);
                break;
            case Shape::Bimodal:
                v.push_back(rng.uniform() < 0.9 ? 200.0 * (0.9 + 0.2 * rng.uniform())
                                                : 40'000.0 * (0.9 + 0.2 * rng.uniform()));
                break;
            case Shape::Tiny:
                v.push_back(rng.uniform() * 9.5);
                break;
            case Shape::FewValues:
                v.push_back(std::vector<double>{30, 70, 150, 900, 4'000, 12'000, 250'000}[i % 7]);
                break;
        }
    }
    return v;
}

std::optional<double> sampleValue(const std::vector<SeriesPoint>& points, std::int64_t second) {
    for (const auto& p : points)
        if (p.second == second) return p.value;
    return std::nullopt;
}

// Runs prometheus_client's parser on the text; "type|name|k=v,...|value" per sample.
// Empty optional when python3-prometheus-client is not installed.
std::optional<std::set<std::string>> parseWithPrometheusClient(const std::string& text, QString& error) {
    // Debian's interpreter first: python3-prometheus-client installs into its dist-packages,
    // which another python3 earlier on PATH may not see.
    QString python;
    for (const QString& candidate : {QStringLiteral("/usr/bin/python3"), QStringLiteral("python3")}) {
        QProcess probe;
        probe.start(candidate, {"-c", "import prometheus_client.parser"});
        if (probe.waitForFinished(20'000) && probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0) {
            python = candidate;
            break;
        }
    }
    if (python.isEmpty()) return std::nullopt;

    const auto dir = recdeck::test::makeTempDir("recdeck-monitor");
    const auto file = dir / "metrics.txt";
    std::ofstream(file) << text;
    const char* script =
        "import sys\n"
        "from prometheus_client.parser import text_string_to_metric_families\n"
        "for fam in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
        "    for s in fam.samples:\n"
        "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))\n"
        "        print(fam.type + '|' + s.name + '|' + labels + '|' + repr(float(s.value)))\n";
    QProcess parser;
    parser.start(python, {"-c", script, QString::fromStdString(file.string())});
    const bool finished = parser.waitForFinished(20'000);
    std::filesystem::remove_all(dir);
    std::set<std::string> samples;
    if (!finished || parser.exitCode() != 0) {
        error = QString::fromUtf8(parser.readAllStandardError());
        return samples;
    }
    for (const QByteArray& line : parser.readAllStandardOutput().split('\n'))
        if (!line.isEmpty()) samples.insert(line.toStdString());
    return samples;
}

}  // namespace

class TestMonitor : public QObject {
    Q_OBJECT
private slots:
    void init() { g_now = kT0; }

    void names() {
        std::set<std::string> seen;
        for (std::size_t i = 0; i < kSeriesKindCount; ++i) {
            const auto kind = static_cast<SeriesKind>(i);
            QVERIFY(seen.insert(seriesKindName(kind)).second);
            QCOMPARE(parseSeriesKind(seriesKindName(kind)), std::optional<SeriesKind>(kind));
        }
        QCOMPARE(seriesKindName(SeriesKind::LatencyP95Ms), "latency_p95_ms");
        QCOMPARE(seriesKindName(SeriesKind::Coverage1h), "coverage_1h");
        QVERIFY(!parseSeriesKind("p95"));
        for (AlertMetric m : {AlertMetric::Ctr, AlertMetric::ConversionRate, AlertMetric::P95LatencyMs,
                              AlertMetric::HitRate, AlertMetric::ErrorRate})
            QCOMPARE(parseAlertMetric(alertMetricName(m)), std::optional<AlertMetric>(m));
    }

    // --- Histogram --------------------------------------------------------------------
    void histogramBins() {
        QCOMPARE(metrics::LatencyHistogram::binOf(-5.0), std::size_t{0});
        QCOMPARE(metrics::LatencyHistogram::binOf(std::nan("")), std::size_t{0});
        QCOMPARE(metrics::LatencyHistogram::binOf(9.999), std::size_t{0});
        QCOMPARE(metrics::LatencyHistogram::binOf(10.0), std::size_t{1});
        QCOMPARE(metrics::LatencyHistogram::binOf(100.0), std::size_t{11});  // decades fall on edges
        QCOMPARE(metrics::LatencyHistogram::lowerEdgeUs(11), 100.0);
        QCOMPARE(metrics::LatencyHistogram::binOf(99.999), std::size_t{10});
        QCOMPARE(metrics::LatencyHistogram::binOf(9'999'999.0), metrics::LatencyHistogram::kBinCount - 2);
        QCOMPARE(metrics::LatencyHistogram::binOf(1e7), metrics::LatencyHistogram::kBinCount - 1);
        for (std::size_t b = 1; b + 1 < metrics::LatencyHistogram::kBinCount; ++b) {
            const double lo = metrics::LatencyHistogram::lowerEdgeUs(b);
            const double hi = metrics::LatencyHistogram::upperEdgeUs(b);
            QVERIFY2(std::fabs(hi / lo - kBinRatio) < 1e-9, qPrintable(QString("bin %1").arg(b)));
            QCOMPARE(metrics::LatencyHistogram::binOf(lo), b);
            QCOMPARE(metrics::LatencyHistogram::binOf(std::nextafter(hi, 0.0)), b);
        }
        metrics::LatencyHistogram empty;
        QCOMPARE(empty.percentileUs(0.5), 0.0);
    }

    void percentiles_data() {
        QTest::addColumn<int>("shape");
        QTest::addColumn<int>("n");
        QTest::newRow("uniform 100us..10ms") << int(Shape::Uniform) << 5'000;
        QTest::newRow("log-uniform 20us..2s") << int(Shape::LogUniform) << 20'000;
        QTest::newRow("exponential mean 500us") << int(Shape::Exponential) << 10'000;
        QTest::newRow("constant 1.5ms") << int(Shape::Constant) << 100;
        QTest::newRow("bimodal 200us / 40ms") << int(Shape::Bimodal) << 3'000;
        QTest::newRow("under 10us") << int(Shape::Tiny) << 1'000;
        QTest::newRow("seven values") << int(Shape::FewValues) << 7;
        QTest::newRow("single value") << int(Shape::FewValues) << 1;
    }

    void percentiles() {
        QFETCH(int, shape);
        QFETCH(int, n);
        const auto values =
            latencySet(static_cast<Shape>(shape), static_cast<std::size_t>(n), 42 + std::uint64_t(shape));

        // Spread over 10 seconds: the windowed percentile merges the seconds' histograms.
        Monitor monitor(fakeTime());
        metrics::LatencyHistogram direct;
        std::vector<metrics::LatencyHistogram> perSecond(10);
        for (std::size_t i = 0; i < values.size(); ++i) {
            monitor.recordRequest(request(values[i]), kT0 + std::int64_t(i % 10));
            direct.add(values[i]);
            perSecond[i % 10].add(values[i]);
        }
        const MonitorSummary s = monitor.summary(10, kT0 + 10);
        QCOMPARE(s.requests, std::uint64_t(n));
        const std::vector<std::pair<double, double>> figures = {
            {0.50, s.latencyP50Ms}, {0.95, s.latencyP95Ms}, {0.99, s.latencyP99Ms}};
        for (const auto& [q, ms] : figures) {
            const double exact = exactPercentile(values, q);
            QVERIFY2(withinBin(ms * 1e3, exact),
                     qPrintable(QString("q %1: histogram %2 us, exact %3 us").arg(q).arg(ms * 1e3).arg(exact)));
            QVERIFY(withinBin(direct.percentileUs(q), exact));
            QVERIFY(std::fabs(ms * 1e3 - direct.percentileUs(q)) <= 1e-6 * std::max(1.0, ms * 1e3));
        }
        // Each second's point is that second's own percentile.
        const auto p95 = monitor.series(SeriesKind::LatencyP95Ms, 10, std::nullopt, kT0 + 10);
        QCOMPARE(p95.size(), std::size_t{10});
        for (std::size_t k = 0; k < 10; ++k) {
            QCOMPARE(p95[k].second, kT0 + std::int64_t(k));
            QCOMPARE(p95[k].value, perSecond[k].percentileUs(0.95) / 1e3);
        }
    }

    // --- Rates ------------------------------------------------------------------------
    void ratesPerSecond() {
        Monitor monitor(fakeTime());
        // kT0: 3 ok, 1 client error, 1 server error; kT0+1 idle; kT0+2: 8 ok, 2 fallbacks.
        for (int i = 0; i < 3; ++i) monitor.recordRequest(request(1'000), kT0);
        monitor.recordRequest(request(200, std::nullopt, Outcome::ClientError), kT0);
        monitor.recordRequest(request(3'000, Tier::Compute, Outcome::ServerError), kT0);
        for (int i = 0; i < 8; ++i) monitor.recordRequest(request(500), kT0 + 2);
        for (int i = 0; i < 2; ++i) monitor.recordRequest(request(9'000, Tier::Compute, Outcome::Fallback), kT0 + 2);
        monitor.recordRequest(request(1'000), kT0 + 3);  // the current second: not yet shown

        const std::int64_t now = kT0 + 3;
        const auto values = [&](SeriesKind kind) {
            std::vector<double> v;
            const auto points = monitor.series(kind, 4, std::nullopt, now);
            for (std::size_t i = 0; i < points.size(); ++i) {
                if (points[i].second != kT0 - 1 + std::int64_t(i)) return std::vector<double>{-1};
                v.push_back(points[i].value);
            }
            return v;
        };
        QCOMPARE(values(SeriesKind::RequestsPerSecond), (std::vector<double>{0, 5, 0, 10}));
        QCOMPARE(values(SeriesKind::ErrorRate), (std::vector<double>{0, 0.2, 0, 0}));
        QCOMPARE(values(SeriesKind::ClientErrorRate), (std::vector<double>{0, 0.2, 0, 0}));
        QCOMPARE(values(SeriesKind::FallbackRate), (std::vector<double>{0, 0, 0, 0.2}));
        // Mean: (3 * 1000 + 200 + 3000) / 5 = 1240 us; (8 * 500 + 2 * 9000) / 10 = 2200 us.
        const auto mean = values(SeriesKind::LatencyMeanMs);
        QCOMPARE(mean.size(), std::size_t{4});
        QVERIFY(std::fabs(mean[1] - 1.24) < 1e-9 && std::fabs(mean[3] - 2.2) < 1e-9 && mean[2] == 0.0);

        const MonitorSummary s = monitor.summary(3, now);
        QCOMPARE(s.fromSecond, kT0);
        QCOMPARE(s.toSecond, kT0 + 2);
        QCOMPARE(s.requests, std::uint64_t{15});
        QCOMPARE(s.requestsPerSecond, 5.0);
        QCOMPARE(s.serverErrors, std::uint64_t{1});
        QCOMPARE(s.clientErrors, std::uint64_t{1});
        QCOMPARE(s.fallbacks, std::uint64_t{2});
        QVERIFY(std::fabs(s.errorRate - 1.0 / 15.0) < 1e-12);
        QVERIFY(std::fabs(s.latencyMeanMs - (3 * 1000 + 200 + 3000 + 8 * 500 + 2 * 9000) / 15.0 / 1e3) < 1e-9);
        // The clock-driven overloads read the same.
        g_now = now;
        QCOMPARE(monitor.summary(3).requests, std::uint64_t{15});
        monitor.recordRequest(request(1'000));  // at the clock's second (kT0 + 3)
        QCOMPARE(monitor.summary(1, now + 1).requests, std::uint64_t{2});
    }

    void stageLatencies() {
        Monitor monitor(fakeTime());
        RequestSample computed = request(5'000, Tier::Compute);
        computed.stageUs = {100, 400, 1'000, 2'000, 1'500};
        RequestSample hit = request(50, Tier::L1);
        hit.stageUs[std::size_t(Stage::Cache)] = 40;
        monitor.recordRequest(computed, kT0);
        monitor.recordRequest(hit, kT0);
        monitor.recordRequest(hit, kT0);
        const MonitorSummary s = monitor.summary(1, kT0 + 1);
        QVERIFY(std::fabs(s.stageMeanMs[std::size_t(Stage::Cache)] - 0.060) < 1e-12);  // (100 + 40 + 40) / 3
        QVERIFY(std::fabs(s.stageMeanMs[std::size_t(Stage::Scoring)] - 2.0) < 1e-12);  // computed only
        QVERIFY(std::fabs(s.stageMeanMs[std::size_t(Stage::Ranking)] - 1.5) < 1e-12);
        const auto features = monitor.series(SeriesKind::StageFeaturesMs, 1, std::nullopt, kT0 + 1);
        QCOMPARE(features.size(), std::size_t{1});
        QVERIFY(std::fabs(features[0].value - 0.4) < 1e-12);
    }

    // --- Variants and CTR -----------------------------------------------------------------
    void ctrPerVariant_data() {
        QTest::addColumn<std::vector<std::uint64_t>>("controlCounts");  // impressions, clicks, conversions
        QTest::addColumn<std::vector<std::uint64_t>>("treatmentCounts");
        QTest::newRow("treatment better")
            << std::vector<std::uint64_t>{1'000, 20, 5} << std::vector<std::uint64_t>{1'000, 35, 9};
        QTest::newRow("uneven traffic") << std::vector<std::uint64_t>{3'000, 30, 0}
                                        << std::vector<std::uint64_t>{500, 25, 4};
        QTest::newRow("no clicks") << std::vector<std::uint64_t>{400, 0, 0} << std::vector<std::uint64_t>{600, 0, 0};
        QTest::newRow("treatment idle") << std::vector<std::uint64_t>{800, 8, 1} << std::vector<std::uint64_t>{0, 0, 0};
    }

    void ctrPerVariant() {
        QFETCH(std::vector<std::uint64_t>, controlCounts);
        QFETCH(std::vector<std::uint64_t>, treatmentCounts);
        Monitor monitor(fakeTime());
        QCOMPARE(monitor.variantId(""), kNoExperiment);
        const VariantId control = monitor.variantId("exp:control");
        const VariantId treatment = monitor.variantId("exp:treatment");
        QVERIFY(control != treatment && control != kNoExperiment);
        QCOMPARE(monitor.variantId("exp:control"), control);

        // Spread each variant's events over 4 seconds; impressions in batches of 10 (or fewer).
        const auto feed = [&](VariantId v, const std::vector<std::uint64_t>& c) {
            for (std::uint64_t i = 0; i < c[0]; i += 10)
                monitor.recordImpressions(v, std::uint32_t(std::min<std::uint64_t>(10, c[0] - i)),
                                          kT0 + std::int64_t(i / 10 % 4));
            for (std::uint64_t i = 0; i < c[1]; ++i) monitor.recordClick(v, kT0 + std::int64_t(i % 4));
            for (std::uint64_t i = 0; i < c[2]; ++i) monitor.recordConversion(v, kT0 + std::int64_t(i % 4));
        };
        feed(control, controlCounts);
        feed(treatment, treatmentCounts);
        monitor.recordImpressions(kNoExperiment, 100, kT0);
        monitor.recordClick(kNoExperiment, kT0);

        const MonitorSummary s = monitor.summary(60, kT0 + 10);
        const auto ratio = [](std::uint64_t a, std::uint64_t b) { return b == 0 ? 0.0 : double(a) / double(b); };
        QCOMPARE(s.variants.size(), std::size_t{3});
        for (const auto& [id, counts] : {std::pair{control, controlCounts}, std::pair{treatment, treatmentCounts}}) {
            const VariantSummary& vs = s.variants[id];
            QCOMPARE(vs.id, id);
            QCOMPARE(vs.impressions, counts[0]);
            QCOMPARE(vs.clicks, counts[1]);
            QCOMPARE(vs.conversions, counts[2]);
            QCOMPARE(vs.ctr, ratio(counts[1], counts[0]));
            QCOMPARE(vs.conversionRate, ratio(counts[2], counts[0]));
        }
        QCOMPARE(s.variants[control].name, std::string("exp:control"));
        const std::uint64_t impressions = controlCounts[0] + treatmentCounts[0] + 100;
        const std::uint64_t clicks = controlCounts[1] + treatmentCounts[1] + 1;
        QCOMPARE(s.impressions, impressions);
        QCOMPARE(s.ctr, ratio(clicks, impressions));

        // The per-variant series: summed over its seconds it gives the variant's counts.
        const auto sum = [&](SeriesKind kind, std::optional<VariantId> v) {
            double total = 0;
            for (const auto& p : monitor.series(kind, 10, v, kT0 + 10)) total += p.value;
            return total;
        };
        QCOMPARE(sum(SeriesKind::ClicksPerSecond, control), double(controlCounts[1]));
        QCOMPARE(sum(SeriesKind::ImpressionsPerSecond, treatment), double(treatmentCounts[0]));
        QCOMPARE(sum(SeriesKind::ImpressionsPerSecond, std::nullopt), double(impressions));
        // A second's CTR is that second's clicks / impressions.
        const auto ctr = monitor.series(SeriesKind::Ctr, 10, treatment, kT0 + 10);
        const auto clicksAt = monitor.series(SeriesKind::ClicksPerSecond, 10, treatment, kT0 + 10);
        const auto imprAt = monitor.series(SeriesKind::ImpressionsPerSecond, 10, treatment, kT0 + 10);
        for (std::size_t i = 0; i < ctr.size(); ++i)
            QCOMPARE(ctr[i].value, imprAt[i].value == 0 ? 0.0 : clicksAt[i].value / imprAt[i].value);
        // Kinds not kept per variant answer nothing for a variant.
        QVERIFY(monitor.series(SeriesKind::LatencyP95Ms, 10, control, kT0 + 10).empty());
        QVERIFY(!isPerVariant(SeriesKind::L1HitRate));
    }

    void recordEvent_data() {
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("items");    // entries in Event::items
        QTest::addColumn<bool>("itemId");  // Event::itemId set
        QTest::addColumn<int>("impressions");
        QTest::addColumn<int>("clicks");
        QTest::addColumn<int>("conversions");
        QTest::newRow("impression of a list") << "impression" << 10 << false << 10 << 0 << 0;
        QTest::newRow("impression of one item") << "impression" << 0 << true << 1 << 0 << 0;
        QTest::newRow("empty impression") << "impression" << 0 << false << 0 << 0 << 0;
        QTest::newRow("click") << "click" << 0 << true << 0 << 1 << 0;
        QTest::newRow("add to cart") << "add_to_cart" << 0 << true << 0 << 0 << 1;
        QTest::newRow("purchase") << "purchase" << 0 << true << 0 << 0 << 1;
        QTest::newRow("rating") << "rating" << 0 << true << 0 << 0 << 0;
    }

    void recordEvent() {
        QFETCH(QString, type);
        QFETCH(int, items);
        QFETCH(bool, itemId);
        QFETCH(int, impressions);
        QFETCH(int, clicks);
        QFETCH(int, conversions);
        Monitor monitor(fakeTime());
        const VariantId v = monitor.variantId("exp:b");
        recdeck::store::Event event;
        event.type = *recdeck::store::parseEventType(type.toStdString());
        event.timestampMs = (kT0 + 5) * 1000 + 999;  // the event's own second, not the clock's
        for (int i = 0; i < items; ++i) event.items.push_back(std::to_string(i));
        if (itemId) event.itemId = "42";
        monitor.recordEvent(event, v);
        const auto s = monitor.summary(1, kT0 + 6);
        QCOMPARE(s.variants[v].impressions, std::uint64_t(impressions));
        QCOMPARE(s.variants[v].clicks, std::uint64_t(clicks));
        QCOMPARE(s.variants[v].conversions, std::uint64_t(conversions));
        QCOMPARE(monitor.summary(5, kT0 + 5).impressions + monitor.summary(5, kT0 + 5).clicks, std::uint64_t{0});
    }

    void variantOverflow() {
        Monitor monitor(fakeTime());
        std::set<VariantId> ids;
        for (std::size_t i = 1; i < kMaxVariants - 2; ++i) ids.insert(monitor.variantId("e:v" + std::to_string(i)));
        QCOMPARE(ids.size(), kMaxVariants - 3);
        const VariantId last = monitor.variantId("e:last");
        QCOMPARE(last, VariantId(kMaxVariants - 2));
        QCOMPARE(monitor.variantId("e:extra1"), kOtherVariants);
        QCOMPARE(monitor.variantId("e:extra2"), kOtherVariants);
        QCOMPARE(monitor.variantNames().size(), kMaxVariants);
        QCOMPARE(monitor.variantNames()[kOtherVariants], std::string("(other)"));
        monitor.recordImpressions(kOtherVariants, 7, kT0);
        const auto s = monitor.summary(1, kT0 + 1);
        QCOMPARE(s.variants.back().id, kOtherVariants);
        QCOMPARE(s.variants.back().impressions, std::uint64_t{7});
    }

    void unregisteredVariantCountsAsOther() {
        Monitor monitor(fakeTime());
        monitor.recordClick(VariantId{9}, kT0);  // never handed out
        const auto s = monitor.summary(1, kT0 + 1);
        QCOMPARE(s.clicks, std::uint64_t{1});
        QCOMPARE(s.variants.back().id, kOtherVariants);
    }

    // Regression: a few hundred junk experiment names in events grew /metrics from 3.8 KB
    // to 300 KB and pushed real experiments into "(other)". Only admitted names take a
    // label; the rest share "(other)" and add nothing to the exposition.
    void junkVariantNamesNeitherGrowMetricsNorDisplaceRealOnes() {
        Monitor monitor(fakeTime());
        monitor.setVariantFilter([](std::string_view name) { return name.starts_with("real:"); });
        const VariantId control = monitor.variantId("real:control");
        monitor.recordImpressions(control, 1, kT0);
        const std::size_t before = monitor.prometheusText().size();
        for (int i = 0; i < 500; ++i) {
            const std::string junk = "junk" + std::to_string(i) + ":" + std::string(2000, 'x');
            const VariantId id = monitor.variantId(junk);
            QCOMPARE(id, kOtherVariants);
            monitor.recordClick(id, kT0);
        }
        const VariantId treatment = monitor.variantId("real:treatment");
        QVERIFY(treatment != kOtherVariants);
        QVERIFY(treatment != control);
        const std::string text = monitor.prometheusText();
        // "(other)" adds one label per family, nothing per junk name.
        QVERIFY2(text.size() < before + 2000, qPrintable(QString::number(text.size())));
        QVERIFY(text.find("junk") == std::string::npos);
        QVERIFY(text.find("real:control") != std::string::npos);
        QCOMPARE(monitor.variantNames().size(), kMaxVariants);  // "(other)" is in use
        QCOMPARE(monitor.variantNames()[control], std::string("real:control"));
    }

    // --- Cache tiers ------------------------------------------------------------------------
    void hitRates() {
        Monitor monitor(fakeTime());
        // Second 1: 6 L1, 3 L2, 1 compute and 2 requests rejected before the cache.
        for (int i = 0; i < 6; ++i) monitor.recordRequest(request(50, Tier::L1), kT0);
        for (int i = 0; i < 3; ++i) monitor.recordRequest(request(400, Tier::L2), kT0);
        monitor.recordRequest(request(4'000, Tier::Compute), kT0);
        for (int i = 0; i < 2; ++i) monitor.recordRequest(request(20, std::nullopt, Outcome::ClientError), kT0);
        // Second 2: 1 L1, 3 compute.
        monitor.recordRequest(request(50, Tier::L1), kT0 + 1);
        for (int i = 0; i < 3; ++i) monitor.recordRequest(request(4'000, Tier::Compute), kT0 + 1);

        const auto at = [&](SeriesKind kind, std::int64_t second) {
            return sampleValue(monitor.series(kind, 5, std::nullopt, kT0 + 3), second).value_or(-1);
        };
        QCOMPARE(at(SeriesKind::L1HitRate, kT0), 0.6);
        QCOMPARE(at(SeriesKind::L2HitRate, kT0), 0.3);
        QCOMPARE(at(SeriesKind::ComputeRate, kT0), 0.1);
        QCOMPARE(at(SeriesKind::HitRate, kT0), 0.9);
        QCOMPARE(at(SeriesKind::L1HitRate, kT0 + 1), 0.25);
        QCOMPARE(at(SeriesKind::HitRate, kT0 + 1), 0.25);
        QCOMPARE(at(SeriesKind::HitRate, kT0 + 2), 0.0);  // idle: no traffic, not stale data

        const MonitorSummary s = monitor.summary(3, kT0 + 3);
        QCOMPARE(s.l1Hits, std::uint64_t{7});
        QCOMPARE(s.l2Hits, std::uint64_t{3});
        QCOMPARE(s.computes, std::uint64_t{4});
        QCOMPARE(s.requests, std::uint64_t{16});
        QCOMPARE(s.l1HitRate, 7.0 / 14.0);
        QCOMPARE(s.hitRate, 1.0 - 4.0 / 14.0);
    }

    // --- Coverage and diversity ----------------------------------------------------------------
    void coverageAndDiversity() {
        Monitor monitor(fakeTime());
        monitor.setCatalogSize(20);
        QCOMPARE(monitor.catalogSize(), std::size_t{20});
        const std::vector<std::uint32_t> a{0, 1, 2, 3};
        const std::vector<std::uint32_t> b{2, 3, 4, 5, 25};  // 25 is outside the catalog
        const std::vector<std::uint32_t> c{10, 11};
        monitor.recordList(a, 0.5, kT0);
        monitor.recordList(b, 0.7, kT0 + 30);
        monitor.recordList(c, std::nullopt, kT0 + 100);  // no ILD: coverage only

        // Window [kT0 + 1, kT0 + 61]: items 2..5 (0 and 1 were last seen at kT0).
        MonitorSummary s = monitor.summary(60, kT0 + 61);
        QCOMPARE(s.distinctItems, std::size_t{4});
        QCOMPARE(s.coverage, 0.2);
        QCOMPARE(s.lists, std::uint64_t{1});
        QVERIFY(std::fabs(s.diversity - 0.7) < 1e-9);
        // Window [kT0 - 19, kT0 + 101]: items 0..5, 10, 11; ILD of a and b.
        s = monitor.summary(120, kT0 + 101);
        QCOMPARE(s.distinctItems, std::size_t{8});
        QCOMPARE(s.coverage, 0.4);
        QCOMPARE(s.lists, std::uint64_t{2});
        QVERIFY(std::fabs(s.diversity - 0.6) < 1e-9);

        // Diversity over the trailing minute at each second.
        const auto diversity = monitor.series(SeriesKind::Diversity1m, 120, std::nullopt, kT0 + 110);
        QCOMPARE(diversity.size(), std::size_t{120});
        QCOMPARE(sampleValue(diversity, kT0 - 1).value(), 0.0);
        QVERIFY(std::fabs(sampleValue(diversity, kT0 + 29).value() - 0.5) < 1e-9);
        QVERIFY(std::fabs(sampleValue(diversity, kT0 + 30).value() - 0.6) < 1e-9);
        QVERIFY(std::fabs(sampleValue(diversity, kT0 + 59).value() - 0.6) < 1e-9);
        QVERIFY(std::fabs(sampleValue(diversity, kT0 + 60).value() - 0.7) < 1e-9);  // a left the window
        QCOMPARE(sampleValue(diversity, kT0 + 90).value(), 0.0);
        const auto lists = monitor.series(SeriesKind::ListsPerSecond, 120, std::nullopt, kT0 + 110);
        QCOMPARE(sampleValue(lists, kT0 + 30).value(), 1.0);

        // Coverage series: sampled by the once-per-second tick only.
        monitor.evaluateAlerts(kT0 + 31);  // 1 min: items 0..5 -> 6 / 20
        monitor.evaluateAlerts(kT0 + 61);  // 1 min: [kT0 + 1, kT0 + 61] -> 4 / 20
        const auto coverage = monitor.series(SeriesKind::Coverage1m, 60, std::nullopt, kT0 + 70);
        QCOMPARE(coverage.size(), std::size_t{2});
        QCOMPARE(coverage[0].second, kT0 + 31);
        QCOMPARE(coverage[0].value, 0.3);
        QCOMPARE(coverage[1].value, 0.2);
        const auto hour = monitor.series(SeriesKind::Coverage1h, 60, std::nullopt, kT0 + 70);
        QCOMPARE(hour.size(), std::size_t{2});
        QCOMPARE(hour[1].value, 0.3);

        // Growing the catalog keeps the stamps; the denominator follows.
        monitor.setCatalogSize(40);
        s = monitor.summary(60, kT0 + 61);
        QCOMPARE(s.distinctItems, std::size_t{4});
        QCOMPARE(s.coverage, 0.1);
    }

    void catalogResizeWhileRecording() {
        Monitor monitor(fakeTime());
        monitor.setCatalogSize(1'000);
        std::atomic<bool> stop{false};
        std::atomic<int> written{0};
        std::jthread writer([&] {
            std::vector<std::uint32_t> list(10);
            for (std::uint32_t n = 0; !stop.load(); ++n) {
                for (std::uint32_t k = 0; k < list.size(); ++k) list[k] = (n * 10 + k) % 2'000;
                monitor.recordList(list, 0.5, kT0);
                written.fetch_add(1);
            }
        });
        // Resize 200 times while the writer runs (each resize keeps its array: bounded).
        for (int wait = 0; wait < 10'000 && written.load() < 100; ++wait)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        for (int round = 0; round < 200; ++round) {
            monitor.setCatalogSize(round % 2 ? 500 : 1'500);
            std::this_thread::yield();
        }
        stop = true;
        writer.join();
        monitor.setCatalogSize(2'000);
        monitor.recordList(std::vector<std::uint32_t>{1'999}, std::nullopt, kT0);
        const auto s = monitor.summary(1, kT0 + 1);
        QCOMPARE(s.catalogSize, std::size_t{2'000});
        QVERIFY(s.distinctItems >= 1 && s.distinctItems <= 1'501);  // stamps of items past 1500 were never kept
        QVERIFY(s.lists > 0);
    }

    // --- Ring ------------------------------------------------------------------------------------
    void ringWrapAround() {
        Monitor monitor(fakeTime());
        for (std::int64_t t = 0; t < Monitor::kHistorySeconds; ++t) monitor.recordRequest(request(100), kT0 + t);
        QCOMPARE(monitor.summary(3600, kT0 + 3600).requests, std::uint64_t{3600});

        // kT0 + 3600 lands in kT0's bucket: the old second is reset by its first writer.
        monitor.recordRequest(request(100), kT0 + 3600);
        monitor.recordRequest(request(100), kT0 + 3600);
        MonitorSummary s = monitor.summary(3600, kT0 + 3601);
        QCOMPARE(s.requests, std::uint64_t{3599 + 2});
        const auto rps = monitor.series(SeriesKind::RequestsPerSecond, 3600, std::nullopt, kT0 + 3601);
        QCOMPARE(rps.size(), std::size_t{3600});
        QCOMPARE(rps.front().second, kT0 + 1);
        QCOMPARE(rps.front().value, 1.0);
        QCOMPARE(rps.back().second, kT0 + 3600);
        QCOMPARE(rps.back().value, 2.0);
        // kT0 itself is gone: asking for it reads zero, not the new lap's data.
        QCOMPARE(monitor.series(SeriesKind::RequestsPerSecond, 1, std::nullopt, kT0 + 1).front().value, 0.0);

        // A sample older than its bucket's second is dropped (and still counted for Prometheus).
        monitor.recordRequest(request(100), kT0);
        QCOMPARE(monitor.droppedSamples(), std::uint64_t{1});
        QCOMPARE(monitor.summary(3600, kT0 + 3601).requests, std::uint64_t{3601});
        QVERIFY(monitor.prometheusText().find("recdeck_requests_total{status=\"ok\"} 3603") != std::string::npos);

        // After an idle gap longer than the history, stale buckets read as zero traffic.
        monitor.recordRequest(request(100), kT0 + 10'000);
        s = monitor.summary(3600, kT0 + 10'001);
        QCOMPARE(s.requests, std::uint64_t{1});
        double total = 0;
        for (const auto& p : monitor.series(SeriesKind::RequestsPerSecond, 3600, std::nullopt, kT0 + 10'001))
            total += p.value;
        QCOMPARE(total, 1.0);
    }

    void concurrentRecordingSumsExactly() {
        Monitor monitor(fakeTime());
        constexpr int kThreads = 4;
        constexpr int kPerThread = 40'000;
        constexpr std::uint64_t kPerSecond = 400;  // 160,000 samples over 400 seconds
        constexpr std::int64_t kSeconds = std::int64_t(kThreads * kPerThread / kPerSecond);
        // The previous lap fills the same buckets, so the threads race to reset each of them.
        for (std::int64_t t = 0; t < kSeconds; ++t)
            for (int i = 0; i < 3; ++i) monitor.recordRequest(request(100), kT0 - 3600 + t);

        // A shared ticket picks the second, so all threads write the same second at once
        // and reach each new second together.
        std::atomic<std::uint64_t> ticket{0};
        std::vector<VariantId> ids(kThreads);
        std::latch start(kThreads);
        {
            std::vector<std::jthread> threads;
            for (int th = 0; th < kThreads; ++th) {
                threads.emplace_back([&, th] {
                    start.arrive_and_wait();
                    const VariantId shared = monitor.variantId("exp:shared");
                    ids[std::size_t(th)] = monitor.variantId("exp:t" + std::to_string(th));
                    for (int i = 0; i < kPerThread; ++i) {
                        const std::uint64_t n = ticket.fetch_add(1);
                        const std::int64_t second = kT0 + std::int64_t(n / kPerSecond);
                        const Tier tier = n % 3 == 0 ? Tier::L1 : n % 3 == 1 ? Tier::L2 : Tier::Compute;
                        const Outcome outcome = n % 50 == 0 ? Outcome::ServerError : Outcome::Ok;
                        monitor.recordRequest(request(100.0 + double(n % 1000), tier, outcome, ids[std::size_t(th)]),
                                              second);
                        monitor.recordImpressions(shared, 2, second);
                        if (n % 10 == 0) monitor.recordClick(shared, second);
                    }
                });
            }
        }
        constexpr std::uint64_t kTotal = std::uint64_t(kThreads) * kPerThread;
        QCOMPARE(std::set<VariantId>(ids.begin(), ids.end()).size(), std::size_t(kThreads));
        const MonitorSummary s = monitor.summary(kSeconds, kT0 + kSeconds);
        QCOMPARE(s.requests, kTotal);
        QCOMPARE(s.serverErrors, kTotal / 50);
        QCOMPARE(s.l1Hits + s.l2Hits + s.computes, kTotal);
        QCOMPARE(s.l1Hits, (kTotal + 2) / 3);
        QCOMPARE(s.impressions, kTotal * 2);
        QCOMPARE(s.clicks, kTotal / 10);
        for (int th = 0; th < kThreads; ++th)
            QCOMPARE(s.variants[ids[std::size_t(th)]].requests, std::uint64_t(kPerThread));
        QCOMPARE(monitor.droppedSamples(), std::uint64_t{0});
        // Each second got exactly its share (nothing landed in, or was wiped by, a reset).
        for (const auto& p : monitor.series(SeriesKind::RequestsPerSecond, kSeconds, std::nullopt, kT0 + kSeconds))
            QCOMPARE(p.value, double(kPerSecond));
        for (const auto& p : monitor.series(SeriesKind::ImpressionsPerSecond, kSeconds, std::nullopt, kT0 + kSeconds))
            QCOMPARE(p.value, double(2 * kPerSecond));
        const std::string text = monitor.prometheusText();
        const std::string ok =
            "recdeck_requests_total{status=\"ok\"} " + std::to_string(kTotal - kTotal / 50 + 3 * kSeconds);
        QVERIFY2(text.find(ok) != std::string::npos, ok.c_str());
    }

    // --- Alerts ------------------------------------------------------------------------------------
    void alertStateMachine_data() {
        QTest::addColumn<double>("threshold");
        QTest::addColumn<int>("comparison");
        QTest::addColumn<int>("minTraffic");
        QTest::addColumn<int>("forSeconds");
        QTest::addColumn<std::vector<double>>("values");  // NaN: nothing to measure
        QTest::addColumn<std::vector<std::uint64_t>>("traffic");
        QTest::addColumn<QString>("states");  // O ok, P pending, F firing, one per second
        QTest::addColumn<QString>("since");   // index of the second each state began, per second

        const double nan = std::nan("");
        const int below = int(Comparison::Below);
        const int above = int(Comparison::Above);
        QTest::newRow("ok -> pending -> firing -> ok")
            << 0.01 << below << 200 << 2 << std::vector<double>{0.02, 0.005, 0.005, 0.004, 0.003, 0.02}
            << std::vector<std::uint64_t>{300, 300, 300, 300, 300, 300} << "OPPFFO"
            << "011335";
        QTest::newRow("too little traffic never alerts")
            << 0.01 << below << 200 << 0 << std::vector<double>{0.0, 0.0, 0.0}
            << std::vector<std::uint64_t>{0, 150, 199} << "OOO"
            << "000";
        QTest::newRow("traffic falls under the minimum while firing")
            << 0.01 << below << 200 << 0 << std::vector<double>{0.0, 0.0, 0.0}
            << std::vector<std::uint64_t>{250, 200, 100} << "FFO"
            << "002";
        QTest::newRow("for 0 fires at once") << 50.0 << above << 100 << 0 << std::vector<double>{80, 90, 10}
                                             << std::vector<std::uint64_t>{100, 100, 100} << "FFO"
                                             << "002";
        QTest::newRow("a flap restarts pending")
            << 50.0 << above << 100 << 2 << std::vector<double>{80, 80, 10, 80, 80, 80}
            << std::vector<std::uint64_t>{100, 100, 100, 100, 100, 100} << "PPOPPF"
            << "002335";
        QTest::newRow("equal to the threshold does not breach")
            << 0.5 << below << 0 << 0 << std::vector<double>{0.5, 0.49} << std::vector<std::uint64_t>{10, 10} << "OF"
            << "01";
        QTest::newRow("no value") << 0.5 << below << 0 << 0 << std::vector<double>{nan, nan}
                                  << std::vector<std::uint64_t>{0, 0} << "OO"
                                  << "00";
    }

    void alertStateMachine() {
        QFETCH(double, threshold);
        QFETCH(int, comparison);
        QFETCH(int, minTraffic);
        QFETCH(int, forSeconds);
        QFETCH(std::vector<double>, values);
        QFETCH(std::vector<std::uint64_t>, traffic);
        QFETCH(QString, states);
        QFETCH(QString, since);

        AlertStatus status;
        status.rule = {
            "rule",    AlertMetric::Ctr, static_cast<Comparison>(comparison), threshold, 60, std::uint64_t(minTraffic),
            forSeconds};
        QVERIFY(validateAlertRule(status.rule).ok());
        const std::int64_t base = 1'000;
        QString got;
        QString gotSince;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::optional<double> value = std::isnan(values[i]) ? std::nullopt : std::optional(values[i]);
            status = stepAlert(status, value, traffic[i], base + std::int64_t(i));
            got += status.state == AlertState::Ok ? 'O' : status.state == AlertState::Pending ? 'P' : 'F';
            gotSince += QString::number(status.sinceSecond - base);
            QCOMPARE(status.evaluatedSecond, base + std::int64_t(i));
            QCOMPARE(status.enoughTraffic, traffic[i] >= std::uint64_t(minTraffic));
        }
        QCOMPARE(got, states);
        QCOMPARE(gotSince, since);
    }

    void alertRuleValidation_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<int>("window");
        QTest::addColumn<int>("forSeconds");
        QTest::addColumn<QString>("field");  // empty: valid
        QTest::newRow("valid") << "r" << 0.1 << 60 << 0 << "";
        QTest::newRow("empty name") << "" << 0.1 << 60 << 0 << "name";
        QTest::newRow("infinite threshold") << "r" << std::numeric_limits<double>::infinity() << 60 << 0 << "threshold";
        QTest::newRow("window 0") << "r" << 0.1 << 0 << 0 << "window";
        QTest::newRow("window past the history") << "r" << 0.1 << 3601 << 0 << "window";
        QTest::newRow("negative for") << "r" << 0.1 << 60 << -1 << "for";
    }

    void alertRuleValidation() {
        QFETCH(QString, name);
        QFETCH(double, threshold);
        QFETCH(int, window);
        QFETCH(int, forSeconds);
        QFETCH(QString, field);
        const AlertRule rule{name.toStdString(), AlertMetric::ErrorRate, Comparison::Above, threshold, window, 0,
                             forSeconds};
        const recdeck::Status status = validateAlertRule(rule);
        QCOMPARE(status.ok(), field.isEmpty());
        if (!status.ok())
            QVERIFY2(status.errorMessage().find("'" + field.toStdString() + "'") != std::string::npos,
                     status.errorMessage().c_str());
    }

    void alertsOnMonitor() {
        // CTR below 1% over 60 s with at least 200 impressions, for 5 s.
        Monitor monitor(fakeTime({{"ctr_low", AlertMetric::Ctr, Comparison::Below, 0.01, 60, 200, 5}}));
        std::int64_t t = kT0;
        const auto tick = [&](std::uint32_t impressions, int clicks) {
            if (impressions) monitor.recordImpressions(kNoExperiment, impressions, t);
            for (int i = 0; i < clicks; ++i) monitor.recordClick(kNoExperiment, t);
            ++t;
            monitor.evaluateAlerts(t);
            return monitor.alerts().front();
        };
        // 100 impressions / s, 0.5% CTR: ok while under 200 impressions, then pending, firing.
        AlertStatus a = tick(100, 0);
        QCOMPARE(a.state, AlertState::Ok);
        QCOMPARE(a.enoughTraffic, false);
        a = tick(100, 1);  // 200 impressions, 1 click
        QCOMPARE(a.state, AlertState::Pending);
        QCOMPARE(a.sinceSecond, t);
        QVERIFY(std::fabs(*a.value - 0.005) < 1e-12);
        const std::int64_t pendingSince = t;
        for (int i = 0; i < 4; ++i) QCOMPARE(tick(100, 0).state, AlertState::Pending);
        a = tick(100, 0);
        QCOMPARE(a.state, AlertState::Firing);
        QCOMPARE(a.sinceSecond, pendingSince + 5);
        QVERIFY(monitor.prometheusText().find("recdeck_alert_firing{rule=\"ctr_low\"} 1") != std::string::npos);

        // Traffic stops: once the window holds fewer than 200 impressions the rule is ok.
        int idle = 0;
        while (monitor.alerts().front().state == AlertState::Firing && idle < 120) {
            tick(0, 0);
            ++idle;
        }
        QCOMPARE(monitor.alerts().front().state, AlertState::Ok);
        // 7 s of 100 impressions (kT0 .. kT0 + 6): under 200 once only kT0 + 6 is in the window
        // [now - 60, now - 1], at now = kT0 + 66, the 59th idle tick.
        QCOMPARE(idle, 59);
        QVERIFY(monitor.prometheusText().find("recdeck_alert_firing{rule=\"ctr_low\"} 0") != std::string::npos);

        // Rules change at run time; an unchanged rule keeps its state, a changed one restarts.
        QVERIFY(!monitor
                     .setAlertRules({{"x", AlertMetric::Ctr, Comparison::Below, 0.1, 60, 0, 0},
                                     {"x", AlertMetric::Ctr, Comparison::Below, 0.2, 60, 0, 0}})
                     .ok());
        QCOMPARE(monitor.alertRules().size(), std::size_t{1});  // unchanged after the error
        QVERIFY(
            monitor.upsertAlertRule({"p95_high", AlertMetric::P95LatencyMs, Comparison::Above, 50.0, 60, 10, 0}).ok());
        for (int i = 0; i < 20; ++i) monitor.recordRequest(request(80'000), t);
        ++t;
        monitor.evaluateAlerts(t);
        const auto statuses = monitor.alerts();
        QCOMPARE(statuses.size(), std::size_t{2});
        QCOMPARE(statuses[1].state, AlertState::Firing);
        QVERIFY(*statuses[1].value > 50.0);
        QVERIFY(monitor.prometheusText().find("recdeck_alert_firing{rule=\"p95_high\"} 1") != std::string::npos);
        QVERIFY(monitor.removeAlertRule("p95_high"));
        QVERIFY(!monitor.removeAlertRule("p95_high"));
        QVERIFY(monitor.prometheusText().find("rule=\"p95_high\"") == std::string::npos);
    }

    void defaultRulesStayQuietWhenIdle() {
        Monitor monitor(fakeTime(defaultAlertRules()));
        QCOMPARE(monitor.alertRules().size(), defaultAlertRules().size());
        // An idle hour, then a trickle of traffic with CTR 0 and every request computed.
        for (std::int64_t t = kT0; t < kT0 + 400; ++t) {
            if (t >= kT0 + 250) {  // 150 events at most in any window: under every minimum
                monitor.recordImpressions(kNoExperiment, 1, t);
                monitor.recordRequest(request(90'000, Tier::Compute), t);
            }
            monitor.evaluateAlerts(t + 1);
        }
        for (const AlertStatus& a : monitor.alerts()) {
            QVERIFY2(a.state == AlertState::Ok, a.rule.name.c_str());
            QVERIFY(!a.enoughTraffic);
        }
    }

    // --- Prometheus ------------------------------------------------------------------------------
    void prometheusExposition() {
        Monitor monitor(fakeTime({{"ctr_low", AlertMetric::Ctr, Comparison::Below, 0.5, 60, 1, 0}}));
        const VariantId a = monitor.variantId("exp:a");
        g_now = kT0 + 10;
        monitor.recordRequest(request(40, Tier::L1, Outcome::Ok, a), kT0);                 // le 5e-05
        monitor.recordRequest(request(2'000, Tier::L2, Outcome::Ok, a), kT0);              // le 0.0025
        monitor.recordRequest(request(2'000'000, Tier::Compute, Outcome::Fallback), kT0);  // +Inf
        monitor.recordRequest(request(300, std::nullopt, Outcome::ClientError), kT0);      // le 0.0005
        monitor.recordRequest(request(7'000, Tier::Compute, Outcome::ServerError), kT0);   // le 0.01
        monitor.recordImpressions(a, 100, kT0);
        for (int i = 0; i < 7; ++i) monitor.recordClick(a, kT0);
        monitor.recordConversion(a, kT0);
        monitor.recordImpressions(kNoExperiment, 50, kT0 + 1);
        monitor.evaluateAlerts(kT0 + 10);  // CTR 7 / 150 < 0.5: firing

        // The owner's own figures, set at scrape time.
        auto& info =
            prometheus::BuildGauge().Name("recdeck_model_info").Help("Served model").Register(*monitor.registry());
        int scrapes = 0;
        monitor.setScrapeHook([&](prometheus::Registry&) {
            ++scrapes;
            info.Add({{"model", "als"}, {"version", "3"}}).Set(1.0);
        });

        std::string text = monitor.prometheusText();
        QCOMPARE(scrapes, 1);
        QVERIFY(text.find("# TYPE recdeck_requests_total counter") != std::string::npos);
        QVERIFY(text.find("# TYPE recdeck_request_duration_seconds histogram") != std::string::npos);

        // Scrape again after more traffic: counters are cumulative, not re-added.
        monitor.recordRequest(request(60, Tier::L1, Outcome::Ok, a), kT0 + 2);
        text = monitor.prometheusText();
        QCOMPARE(scrapes, 2);

        QString error;
        const auto samples = parseWithPrometheusClient(text, error);
        if (!samples) {
            if (recdeck::test::requirePrerequisites())
                QFAIL("python3-prometheus-client is required in CI to check the exposition");
            QSKIP("python3-prometheus-client is not installed: exposition not checked by its parser");
        }
        QVERIFY2(!samples->empty(), qPrintable("prometheus_client could not parse the exposition: " + error));
        const std::vector<std::string> expected = {
            "counter|recdeck_requests_total|status=ok|4.0",
            "counter|recdeck_requests_total|status=client_error|1.0",
            "counter|recdeck_requests_total|status=server_error|1.0",
            "counter|recdeck_fallbacks_total||1.0",
            "counter|recdeck_cache_requests_total|tier=l1|2.0",
            "counter|recdeck_cache_requests_total|tier=l2|1.0",
            "counter|recdeck_cache_requests_total|tier=compute|2.0",
            "histogram|recdeck_request_duration_seconds_bucket|le=5e-05|1.0",
            "histogram|recdeck_request_duration_seconds_bucket|le=0.0001|2.0",
            "histogram|recdeck_request_duration_seconds_bucket|le=0.0005|3.0",
            "histogram|recdeck_request_duration_seconds_bucket|le=0.0025|4.0",
            "histogram|recdeck_request_duration_seconds_bucket|le=0.01|5.0",
            "histogram|recdeck_request_duration_seconds_bucket|le=1|5.0",
            "histogram|recdeck_request_duration_seconds_bucket|le=+Inf|6.0",
            "histogram|recdeck_request_duration_seconds_count||6.0",
            "counter|recdeck_impressions_total|variant=exp:a|100.0",
            "counter|recdeck_impressions_total|variant=none|50.0",
            "counter|recdeck_clicks_total|variant=exp:a|7.0",
            "counter|recdeck_clicks_total|variant=none|0.0",
            "counter|recdeck_conversions_total|variant=exp:a|1.0",
            "gauge|recdeck_ctr|variant=exp:a|0.07",
            "gauge|recdeck_ctr|variant=none|0.0",
            "gauge|recdeck_alert_firing|rule=ctr_low|1.0",
            "gauge|recdeck_model_info|model=als,version=3|1.0",
            "counter|recdeck_monitor_dropped_samples_total||0.0",
        };
        for (const std::string& sample : expected)
            QVERIFY2(samples->count(sample) == 1, qPrintable(QString::fromStdString("missing sample: " + sample)));
        // The sum is in seconds: 40 us + 2 ms + 2 s + 300 us + 7 ms + 60 us.
        const auto sum = std::find_if(samples->begin(), samples->end(), [](const std::string& s) {
            return s.rfind("histogram|recdeck_request_duration_seconds_sum||", 0) == 0;
        });
        QVERIFY(sum != samples->end());
        const double seconds = std::stod(sum->substr(sum->rfind('|') + 1));
        QVERIFY2(std::fabs(seconds - 2.0094) < 1e-9, sum->c_str());
    }
};

QTEST_GUILESS_MAIN(TestMonitor)
#include "test_monitor.moc"

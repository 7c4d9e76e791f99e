// bench_monitor: cost of Monitor's hot path (recordRequest and friends) on one thread and
// on two threads writing the same seconds, and of the read side (series, summary,
// evaluateAlerts, prometheusText) over a full hour of history. Recording is timed in
// batches (ns per call = batch time / batch size); the figures are p50 / p95 / p99 over
// batches and calls per second. Heap allocations during recording are counted through a
// replaced global operator new. It never fails on a figure.
//
//     bench_monitor [--batches N] [--batch-size B]

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "recdeck/common/random.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/monitoring/monitor.h"

using namespace recdeck::monitoring;
using recdeck::cache::Tier;

namespace {
// Allocations made by timed recording calls (counted only while a thread's flag is set,
// so thread start-up, the reader thread and the result vectors stay out).
std::atomic<std::uint64_t> g_allocations{0};
thread_local bool t_counting = false;
}  // namespace

void* operator new(std::size_t size) {
    if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

struct Figures {
    double p50 = 0;
    double p95 = 0;
    double p99 = 0;
    double callsPerSecond = 0;
};

Figures summarize(std::vector<double> values, double callsPerSecond) {
    std::sort(values.begin(), values.end());
    const auto at = [&](double q) {
        return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
    };
    return {at(0.50), at(0.95), at(0.99), callsPerSecond};
}

void printRecord(const char* what, const Figures& f) {
    std::printf("%-44s p50 %7.1f ns  p95 %7.1f ns  p99 %7.1f ns  %12.0f calls/s\n", what, f.p50, f.p95, f.p99,
                f.callsPerSecond);
}

void printRead(const char* what, const Figures& f) {
    std::printf("%-44s p50 %8.1f us  p95 %8.1f us  p99 %8.1f us\n", what, f.p50, f.p95, f.p99);
}

// Runs `threads` threads, each timing `batches` batches of `batchSize` calls of op(thread, i).
Figures timeRecording(unsigned threads, std::size_t batches, std::size_t batchSize,
                      const std::function<void(unsigned, std::size_t)>& op) {
    std::vector<std::vector<double>> perThread(threads);
    std::atomic<unsigned> ready{0};
    const recdeck::Stopwatch wall;
    {
        std::vector<std::jthread> workers;
        for (unsigned t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                ready.fetch_add(1);
                while (ready.load() < threads) {
                }
                perThread[t].reserve(batches);
                std::size_t i = 0;
                for (std::size_t b = 0; b < batches; ++b) {
                    const recdeck::Stopwatch batch;
                    t_counting = true;
                    for (std::size_t k = 0; k < batchSize; ++k) op(t, i++);
                    t_counting = false;
                    perThread[t].push_back(batch.elapsedSeconds() * 1e9 / static_cast<double>(batchSize));
                }
            });
        }
    }
    const double seconds = wall.elapsedSeconds();
    std::vector<double> all;
    for (auto& v : perThread) all.insert(all.end(), v.begin(), v.end());
    return summarize(std::move(all), static_cast<double>(threads * batches * batchSize) / seconds);
}

Figures timeReads(std::size_t repeats, const std::function<void()>& op) {
    std::vector<double> micros;
    for (std::size_t r = 0; r < repeats; ++r) {
        const recdeck::Stopwatch one;
        op();
        micros.push_back(one.elapsedUs());
    }
    return summarize(std::move(micros), 0);
}

RequestSample sampleFor(std::size_t i, VariantId variant, bool stages) {
    RequestSample s;
    s.latencyUs = 50.0 + static_cast<double>((i * 7919) % 20'000);
    s.tier = i % 10 < 7 ? Tier::L1 : i % 10 < 9 ? Tier::L2 : Tier::Compute;
    s.outcome = i % 200 == 0 ? Outcome::ServerError : Outcome::Ok;
    s.variant = variant;
    if (stages) s.stageUs = {5.0, 40.0, 120.0, 800.0, 200.0};
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t batches = 2'000;
    std::size_t batchSize = 1'000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--batches") == 0) batches = std::strtoul(argv[i + 1], nullptr, 10);
        if (std::strcmp(argv[i], "--batch-size") == 0) batchSize = std::strtoul(argv[i + 1], nullptr, 10);
    }
    std::printf("bench_monitor: %zu batches of %zu calls per thread, %u hardware threads\n\n", batches, batchSize,
                std::thread::hardware_concurrency());

    Monitor monitor;
    const VariantId control = monitor.variantId("exp:control");
    const VariantId treatment = monitor.variantId("exp:treatment");
    monitor.setCatalogSize(100'000);
    const std::int64_t now = systemUnixSeconds();

    // Warm up: claim this second's bucket and touch the code paths.
    for (std::size_t i = 0; i < 10'000; ++i) monitor.recordRequest(sampleFor(i, control, true));

    const std::uint64_t allocationsBefore = g_allocations.load();
    std::uint64_t calls = 0;
    printRecord("recordRequest, 1 thread, clock", timeRecording(1, batches, batchSize, [&](unsigned, std::size_t i) {
                    monitor.recordRequest(sampleFor(i, i % 2 ? control : treatment, false));
                }));
    calls += batches * batchSize;
    printRecord("recordRequest, 1 thread, 5 stages, clock",
                timeRecording(1, batches, batchSize, [&](unsigned, std::size_t i) {
                    monitor.recordRequest(sampleFor(i, i % 2 ? control : treatment, true));
                }));
    calls += batches * batchSize;
    printRecord("recordRequest, 1 thread, explicit second",
                timeRecording(1, batches, batchSize, [&](unsigned, std::size_t i) {
                    monitor.recordRequest(sampleFor(i, control, false), now + static_cast<std::int64_t>(i / 100'000));
                }));
    calls += batches * batchSize;
    printRecord("recordRequest, 2 threads, 5 stages, clock",
                timeRecording(2, batches, batchSize, [&](unsigned t, std::size_t i) {
                    monitor.recordRequest(sampleFor(i, t ? control : treatment, true));
                }));
    calls += 2 * batches * batchSize;
    printRecord("recordImpressions(10) + recordClick, 1 thread",
                timeRecording(1, batches, batchSize, [&](unsigned, std::size_t i) {
                    monitor.recordImpressions(control, 10);
                    if (i % 20 == 0) monitor.recordClick(control);
                }));
    calls += batches * batchSize;
    recdeck::SplitMix64 rng(7);
    std::vector<std::uint32_t> list(10);
    printRecord("recordList(10 items, ild), 1 thread",
                timeRecording(1, batches / 4, batchSize, [&](unsigned, std::size_t) {
                    for (auto& item : list) item = static_cast<std::uint32_t>(rng.below(100'000));
                    monitor.recordList(list, 0.6);
                }));
    calls += batches / 4 * batchSize;
    {
        // Writers while a reader pulls a 5-minute summary in a loop (readers never block writers).
        std::atomic<bool> stop{false};
        std::jthread reader([&] {
            while (!stop.load()) (void)monitor.summary(300);
        });
        printRecord("recordRequest, 1 thread, reader looping",
                    timeRecording(1, batches, batchSize, [&](unsigned, std::size_t i) {
                        monitor.recordRequest(sampleFor(i, control, true));
                    }));
        stop = true;
    }
    calls += batches * batchSize;
    const std::uint64_t allocations = g_allocations.load() - allocationsBefore;
    std::printf("heap allocations inside %llu timed recording calls: %llu\n\n", static_cast<unsigned long long>(calls),
                static_cast<unsigned long long>(allocations));

    // A full hour of history: 200 requests, 500 impressions, 20 lists every second.
    Monitor full;
    const VariantId a = full.variantId("exp:a");
    const VariantId b = full.variantId("exp:b");
    full.setCatalogSize(100'000);
    const recdeck::Stopwatch fill;
    for (std::int64_t t = now - Monitor::kHistorySeconds; t < now; ++t) {
        for (std::size_t i = 0; i < 200; ++i) full.recordRequest(sampleFor(i, i % 2 ? a : b, true), t);
        full.recordImpressions(a, 250, t);
        full.recordImpressions(b, 250, t);
        for (int c = 0; c < 5; ++c) full.recordClick(c % 2 ? a : b, t);
        for (int l = 0; l < 20; ++l) {
            for (auto& item : list) item = static_cast<std::uint32_t>(rng.below(100'000));
            full.recordList(list, 0.5, t);
        }
    }
    std::printf("filled one hour (%.0f samples) in %.2f s\n\n", 3600.0 * (200 + 3 + 20), fill.elapsedSeconds());

    constexpr std::size_t kRepeats = 200;
    printRead("series(requests/s, 60 s)",
              timeReads(kRepeats, [&] { (void)full.series(SeriesKind::RequestsPerSecond, 60); }));
    printRead("series(p95, 60 s)", timeReads(kRepeats, [&] { (void)full.series(SeriesKind::LatencyP95Ms, 60); }));
    printRead("series(p95, 15 min)", timeReads(kRepeats, [&] { (void)full.series(SeriesKind::LatencyP95Ms, 900); }));
    printRead("series(p95, 1 h)", timeReads(kRepeats / 4, [&] { (void)full.series(SeriesKind::LatencyP95Ms, 3600); }));
    printRead("series(ctr of a variant, 1 h)",
              timeReads(kRepeats / 4, [&] { (void)full.series(SeriesKind::Ctr, 3600, a); }));
    printRead("series(diversity 15m, 1 h)",
              timeReads(kRepeats / 4, [&] { (void)full.series(SeriesKind::Diversity15m, 3600); }));
    printRead("summary(1 min)", timeReads(kRepeats, [&] { (void)full.summary(60); }));
    printRead("summary(5 min)", timeReads(kRepeats, [&] { (void)full.summary(300); }));
    printRead("summary(1 h)", timeReads(kRepeats / 4, [&] { (void)full.summary(3600); }));
    std::int64_t tick = now;
    printRead("evaluateAlerts (4 default rules, 100k items)",
              timeReads(kRepeats / 4, [&] { full.evaluateAlerts(tick++); }));
    printRead("prometheusText()", timeReads(kRepeats, [&] { (void)full.prometheusText(); }));
    // What the console pulls each second: ~10 series over 15 min plus a 5-minute summary.
    printRead("dashboard refresh (10 series x 15 min + summary)", timeReads(kRepeats / 4, [&] {
                  for (SeriesKind kind :
                       {SeriesKind::RequestsPerSecond, SeriesKind::ErrorRate, SeriesKind::LatencyP50Ms,
                        SeriesKind::LatencyP95Ms, SeriesKind::LatencyP99Ms, SeriesKind::Ctr, SeriesKind::L1HitRate,
                        SeriesKind::L2HitRate, SeriesKind::HitRate, SeriesKind::Diversity1m})
                      (void)full.series(kind, 900);
                  (void)full.summary(300);
              }));
    return 0;
}

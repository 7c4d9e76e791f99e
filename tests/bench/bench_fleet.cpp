// bench_fleet: what fleet mode costs and how fresh its readouts are, with two engines on one
// real redis-server (started on a free loopback port) and one embedded engine beside them.
// Prints figures; never fails on one.
//
//   - recommend() latency, embedded vs fleet (the fleet adds nothing to the request path:
//     the impression goes to the local log, the stream is appended by another thread);
//   - events acknowledged per second through both instances at once, and how long until
//     the stream holds them all (events/s into the stream);
//   - readout freshness: a list served by instance A, its click acknowledged by instance
//     B, until both A's and B's readouts count the click (p50 / p95 / p99).
//
//     bench_fleet [--seconds S] [--rounds N]

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "recdeck/common/stopwatch.h"
#include "recdeck/serving/engine.h"
#include "redis_server.h"
#include "test_support.h"

using namespace recdeck;
using Clock = std::chrono::steady_clock;

namespace {

struct Quantiles {
    double p50 = 0, p95 = 0, p99 = 0;
};

Quantiles quantiles(std::vector<double> v) {
    if (v.empty()) return {};
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]; };
    return {at(0.50), at(0.95), at(0.99)};
}

serving::EngineConfig configFor(const std::filesystem::path& dir, const std::string& store) {
    serving::EngineConfig config;
    config.dataDir = dir;
    config.store = store;
    config.demo.users = 2000;
    config.demo.items = 1500;
    config.demo.seed = 9;
    config.models = {"popularity", "als"};
    return config;
}

std::unique_ptr<serving::Engine> open(const serving::EngineConfig& config) {
    auto engine = serving::Engine::open(config);
    if (!engine) {
        std::fprintf(stderr, "bench_fleet: %s\n", engine.errorMessage().c_str());
        std::exit(1);
    }
    return std::move(*engine);
}

Quantiles requestLatency(serving::Engine& engine, int requests) {
    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(requests));
    for (int i = 0; i < requests; ++i) {
        serving::RecommendationRequest request;
        request.userId = "u" + std::to_string(i % 500);  // half computed, half cached
        request.n = 10;
        Stopwatch watch;
        (void)engine.recommend(request);
        micros.push_back(watch.elapsedSeconds() * 1e6);
    }
    return quantiles(std::move(micros));
}

std::uint64_t clicksOf(serving::Engine& engine, const std::string& key) {
    const auto counts = engine.experimentResults().counts(key);
    std::uint64_t clicks = 0;
    if (counts)
        for (const auto& c : *counts) clicks += c.clicks;
    return clicks;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 5.0;
    int rounds = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
        if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
    }
    test::RedisServer redis;
    std::string error;
    if (!redis.start(&error)) {
        std::fprintf(stderr, "bench_fleet: redis-server: %s\n", error.c_str());
        return 1;
    }
    const auto dir = test::makeTempDir("recdeck-bench-fleet");
    auto a = open(configFor(dir / "a", redis.url()));
    auto b = open(configFor(dir / "b", redis.url()));
    auto embedded = open(configFor(dir / "embedded", "embedded"));
    std::printf(
        "bench_fleet: two fleet engines on redis-server :%u, one embedded; demo world 2000 users x 1500 items\n",
        static_cast<unsigned>(redis.port()));

    // --- the request path ---
    const Quantiles local = requestLatency(*embedded, 2000);
    const Quantiles fleet = requestLatency(*a, 2000);
    std::printf("recommend() embedded       p50 %7.1f us  p95 %7.1f us  p99 %7.1f us\n", local.p50, local.p95,
                local.p99);
    std::printf("recommend() fleet (Redis)  p50 %7.1f us  p95 %7.1f us  p99 %7.1f us  (L2 in Redis included)\n",
                fleet.p50, fleet.p95, fleet.p99);

    // --- events through both instances into the stream ---
    std::atomic<std::uint64_t> acknowledged{0};
    const auto until = Clock::now() + std::chrono::duration<double>(seconds);
    auto drive = [&](serving::Engine& engine, const std::string& prefix) {
        std::uint64_t n = 0;
        while (Clock::now() < until) {
            std::vector<store::Event> batch;
            for (int i = 0; i < 100; ++i) {
                store::Event e;
                e.type = store::EventType::Click;
                e.userId = prefix + std::to_string(n % 5000);
                e.itemId = "i" + std::to_string(n % 1500);
                ++n;
                batch.push_back(std::move(e));
            }
            if (engine.ingestAndWait(std::move(batch))) acknowledged += 100;
        }
    };
    Stopwatch throughput;
    std::thread ta([&] { drive(*a, "ta-"); });
    std::thread tb([&] { drive(*b, "tb-"); });
    ta.join();
    tb.join();
    const double ackSeconds = throughput.elapsedSeconds();
    (void)a->events().syncFleet(std::chrono::seconds(120));
    (void)b->events().syncFleet(std::chrono::seconds(120));
    const double streamSeconds = throughput.elapsedSeconds();
    std::printf(
        "events: %llu acknowledged through two instances in %.1f s = %.0f events/s; all in the stream "
        "after %.1f s = %.0f events/s into the stream\n",
        static_cast<unsigned long long>(acknowledged.load()), ackSeconds,
        static_cast<double>(acknowledged.load()) / ackSeconds, streamSeconds,
        static_cast<double>(acknowledged.load()) / streamSeconds);

    // --- readout freshness ---
    experiments::Experiment experiment;
    experiment.key = "bench-fresh";
    experiment.variants = {{"a", 0.5, "popularity", std::nullopt}, {"b", 0.5, "als", std::nullopt}};
    if (!a->experiments().create(experiment) || !a->experiments().start("bench-fresh")) {
        std::fprintf(stderr, "bench_fleet: could not start the experiment\n");
        return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // b's registry follows
    std::vector<double> freshA;
    std::vector<double> freshB;
    for (int r = 0; r < rounds; ++r) {
        serving::RecommendationRequest request;
        request.userId = "fresh-" + std::to_string(r);
        request.n = 10;
        auto list = a->recommend(request);
        if (!list || list->items().empty()) continue;
        const std::uint64_t beforeA = clicksOf(*a, "bench-fresh");
        const std::uint64_t beforeB = clicksOf(*b, "bench-fresh");
        store::Event click;
        click.type = store::EventType::Click;
        click.userId = request.userId;
        click.itemId = list->items().front().itemId;
        Stopwatch watch;
        if (!b->ingestAndWait({click})) continue;
        double seenA = -1;
        double seenB = -1;
        while ((seenA < 0 || seenB < 0) && watch.elapsedSeconds() < 10.0) {
            if (seenA < 0 && clicksOf(*a, "bench-fresh") > beforeA) seenA = watch.elapsedSeconds() * 1000.0;
            if (seenB < 0 && clicksOf(*b, "bench-fresh") > beforeB) seenB = watch.elapsedSeconds() * 1000.0;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        if (seenA >= 0) freshA.push_back(seenA);
        if (seenB >= 0) freshB.push_back(seenB);
    }
    const Quantiles qa = quantiles(freshA);
    const Quantiles qb = quantiles(freshB);
    std::printf("readout freshness (click acknowledged by B on a list A served, until counted), %zu rounds:\n",
                freshA.size());
    std::printf("  on A  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms\n", qa.p50, qa.p95, qa.p99);
    std::printf("  on B  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms\n", qb.p50, qb.p95, qb.p99);

    a.reset();
    b.reset();
    embedded.reset();
    std::filesystem::remove_all(dir);
    return 0;
}

// bench_memory: resident memory of a serving Engine while a stream of distinct users —
// each seen once, as unauthenticated traffic or an id-rotating client would — asks for
// recommendations and clicks. Prints the process's resident set (VmRSS) and what each
// bounded structure holds at checkpoints, the cost per distinct user, and whether the
// stated budget held. Never fails on a figure.
//
//     bench_memory [--users N] [--items N] [--threads N] [--redis URL] [--budget-mb MB]
//                  [--experiment]
//
// Defaults: 1,000,000 users, 100,000 items, 2 threads, the embedded store, a budget of
// 1,280 MB (embedded) or 1,024 MB (Redis: lists, features and histories live in Redis,
// whose own memory is printed when redis-cli is on PATH). The model is popularity (the
// users are all new, so every list is a cold-start list). --experiment runs an A/B
// experiment over every user, so its per-user readout state is measured too.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "recdeck/common/stopwatch.h"
#include "recdeck/serving/engine.h"
#include "recdeck/store/memory_store.h"
#include "recdeck/store/redis_url.h"
#include "recdeck/store/store_factory.h"

using namespace recdeck;

namespace {

std::size_t residentBytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
    }
    return 0;
}

double mb(std::size_t bytes) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

std::string redisMemory(const std::string& url) {
    auto parsed = store::RedisUrl::parse(url);
    if (!parsed) return "?";
    const std::string command = "redis-cli -h " + parsed->host + " -p " + std::to_string(parsed->port) +
                                " info memory 2>/dev/null | grep '^used_memory_human:'";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return "?";
    char buffer[256] = {};
    std::string out = std::fgets(buffer, sizeof buffer, pipe) ? buffer : "?";
    ::pclose(pipe);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    const auto colon = out.find(':');
    return colon == std::string::npos ? out : out.substr(colon + 1);
}

struct Options {
    std::size_t users = 1'000'000;
    std::size_t items = 100'000;
    unsigned threads = 2;
    std::string redis;
    std::size_t budgetMb = 0;
    bool experiment = false;
};

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        const char* value = nullptr;
        if (arg == "--users" && (value = next()))
            o.users = std::strtoull(value, nullptr, 10);
        else if (arg == "--items" && (value = next()))
            o.items = std::strtoull(value, nullptr, 10);
        else if (arg == "--threads" && (value = next()))
            o.threads = static_cast<unsigned>(std::strtoul(value, nullptr, 10));
        else if (arg == "--redis" && (value = next()))
            o.redis = value;
        else if (arg == "--budget-mb" && (value = next()))
            o.budgetMb = std::strtoull(value, nullptr, 10);
        else
            return false;
    }
    o.threads = std::clamp(o.threads, 1U, 16U);
    if (o.budgetMb == 0) o.budgetMb = o.redis.empty() ? 1280 : 1024;
    return o.users > 0 && o.items >= 100;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse(argc, argv, options)) {
        std::fprintf(stderr,
                     "usage: bench_memory [--users N] [--items N] [--threads N] [--redis URL] [--budget-mb MB] "
                     "[--experiment]\n");
        return 2;
    }
    const auto dir = std::filesystem::temp_directory_path() / ("recdeck-bench-memory-" + std::to_string(::getpid()));
    serving::EngineConfig config;
    config.dataDir = dir;
    config.demo.items = options.items;
    config.demo.users = 2000;
    config.demo.categories = 20;
    config.models = {"popularity"};
    std::shared_ptr<store::MemoryStore> memory;
    if (options.redis.empty()) {
        memory = std::make_shared<store::MemoryStore>();
        config.storeInstance = memory;
    } else {
        auto spec = store::RedisUrl::commandLineStore(options.redis);
        if (!spec) {
            std::fprintf(stderr, "bench_memory: %s\n", spec.errorMessage().c_str());
            return 2;
        }
        store::RedisStoreOptions redisOptions;
        redisOptions.keyPrefix = "recdeck-bench-memory:" + std::to_string(unixMillis()) + ":";
        auto opened = store::openStore(*spec, redisOptions);
        if (!opened) {
            std::fprintf(stderr, "bench_memory: %s\n", opened.errorMessage().c_str());
            return 1;
        }
        config.storeInstance = std::move(*opened);
    }
    std::printf("bench_memory: %zu distinct users, %zu items, %u threads, %s store\n", options.users, options.items,
                options.threads, options.redis.empty() ? "embedded" : "Redis");
    const std::size_t beforeOpen = residentBytes();
    auto engine = serving::Engine::open(config);
    if (!engine) {
        std::fprintf(stderr, "bench_memory: %s\n", engine.errorMessage().c_str());
        return 1;
    }
    serving::Engine& e = **engine;
    if (options.experiment) {
        experiments::Experiment definition;
        definition.key = "bench";
        definition.variants = {{"control", 0.5, "popularity", std::nullopt}, {"treatment", 0.5, "", std::nullopt}};
        auto created = e.experiments().create(definition);
        auto started = created ? e.experiments().start("bench") : Result<experiments::Experiment>(created.error());
        if (!started) {
            std::fprintf(stderr, "bench_memory: %s\n", started.errorMessage().c_str());
            return 1;
        }
    }
    // Warm up: the ranking's buffers, the first lists.
    for (int i = 0; i < 200; ++i) {
        serving::RecommendationRequest request;
        request.userId = "warm-up-" + std::to_string(i % 20);
        (void)e.recommend(request);
    }
    (void)e.eventLog().flush();
    const std::size_t baseline = residentBytes();
    std::printf("resident before open %.0f MB, after open and warm-up %.0f MB (catalog, model, ring buffers)\n\n",
                mb(beforeOpen), mb(baseline));
    std::printf("%9s %9s %8s %8s %9s %9s %9s %9s %8s %8s\n", "users", "RSS MB", "B/user", "L1 MB", "L1 n", "store MB",
                "impr MB", "local ev", "items", "req/s");

    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<std::size_t> failures{0};
    std::size_t peak = baseline;
    const Stopwatch wall;
    const auto worker = [&] {
        std::vector<store::Event> batch;
        std::vector<std::future<Result<std::int64_t>>> inFlight;
        const auto send = [&] {
            if (batch.empty()) return;
            auto promise = std::make_shared<std::promise<Result<std::int64_t>>>();
            inFlight.push_back(promise->get_future());
            e.ingest(std::move(batch), [promise](const Result<std::int64_t>& r) { promise->set_value(r); });
            batch.clear();
            // At most 4 batches in flight per thread (bounded memory of our own).
            while (inFlight.size() > 4) {
                if (!inFlight.front().get()) failures.fetch_add(1);
                inFlight.erase(inFlight.begin());
            }
        };
        for (std::size_t i = next.fetch_add(1); i < options.users; i = next.fetch_add(1)) {
            serving::RecommendationRequest request;
            request.userId = "visitor-" + std::to_string(i);
            auto answer = e.recommend(request);
            if (!answer || answer->items().empty()) {
                failures.fetch_add(1);
            } else {
                store::Event click;
                click.type = store::EventType::Click;
                click.userId = request.userId;
                click.itemId = answer->items()[i % answer->items().size()].itemId;
                click.requestId = answer->requestId;
                batch.push_back(std::move(click));
                if (batch.size() >= 500) send();
            }
            done.fetch_add(1);
        }
        send();
        for (auto& f : inFlight)
            if (!f.get()) failures.fetch_add(1);
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < options.threads; ++t) threads.emplace_back(worker);

    const auto print = [&](std::size_t users) {
        const std::size_t rss = residentBytes();
        peak = std::max(peak, rss);
        const auto cache = e.cache().stats();
        const double perUser =
            users > 0 ? (static_cast<double>(rss) - static_cast<double>(baseline)) / static_cast<double>(users) : 0.0;
        const std::string storeMb =
            memory ? std::to_string(static_cast<long>(mb(memory->stats().bytes))) : redisMemory(options.redis);
        const auto features = e.features().stats();
        std::printf("%9zu %9.0f %8.0f %8.0f %9zu %9s %9.1f %9zu %8zu %8.0f\n", users, mb(rss), perUser,
                    mb(cache.l1.bytes), cache.l1.entries, storeMb.c_str(), mb(e.impressions().bytes()),
                    features.localEvents, features.trackedItems, static_cast<double>(users) / wall.elapsedSeconds());
        std::fflush(stdout);
    };
    std::size_t checkpoint = std::min<std::size_t>(options.users, 50'000);
    while (true) {
        const std::size_t now = done.load();
        if (now >= checkpoint) {
            print(now);
            if (checkpoint >= options.users) break;
            checkpoint = std::min(options.users, checkpoint < 200'000 ? checkpoint * 2 : checkpoint + 200'000);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (auto& t : threads) t.join();
    (void)e.eventLog().flush();
    print(done.load());

    const std::size_t final = residentBytes();
    peak = std::max(peak, final);
    std::printf(
        "\npeak resident %.0f MB, budget %zu MB: %s; %.0f bytes per distinct user above the warm baseline; "
        "%zu failed requests or batches; %.0f s\n",
        mb(peak), options.budgetMb, mb(peak) <= static_cast<double>(options.budgetMb) ? "held" : "EXCEEDED",
        (static_cast<double>(final) - static_cast<double>(baseline)) / static_cast<double>(options.users),
        failures.load(), wall.elapsedSeconds());
    if (memory) {
        const auto stats = memory->stats();
        std::printf("embedded store: %zu keys, %.0f MB counted (limit %.0f MB), %llu evicted, %llu writes refused\n",
                    stats.keys, mb(stats.bytes), mb(store::MemoryStoreOptions{}.maxBytes),
                    static_cast<unsigned long long>(stats.evictions),
                    static_cast<unsigned long long>(stats.refusedWrites));
    }
    const auto cache = e.cache().stats();
    std::printf("L1: %zu entries, %.0f MB counted (limit %.0f MB), %llu evictions\n", cache.l1.entries,
                mb(cache.l1.bytes), mb(e.cache().config().l1MaxBytes),
                static_cast<unsigned long long>(cache.l1.evictions));
    std::printf("impressions tracked for %zu users (%.0f MB)\n", e.impressions().users(), mb(e.impressions().bytes()));
    engine->reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    return 0;
}

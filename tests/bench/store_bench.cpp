// store_bench: latency of the KeyValueStore operations on the request path, against the
// embedded MemoryStore and a RedisStore on a real redis-server (started on a free
// loopback port). Prints p50 / p95 / p99 in microseconds and operations per second;
// it never fails on a figure.
//
//     store_bench [--ops N] [--value-bytes B]

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "recdeck/common/random.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/store/memory_store.h"
#include "recdeck/store/redis_store.h"
#include "redis_server.h"

using namespace recdeck::store;

namespace {

constexpr std::size_t kKeys = 10'000;

struct Figures {
    double p50 = 0;
    double p95 = 0;
    double p99 = 0;
    double opsPerSecond = 0;
};

Figures summarize(std::vector<double> micros, double wallSeconds, std::size_t operations) {
    std::sort(micros.begin(), micros.end());
    const auto at = [&](double q) {
        const auto index = static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1));
        return micros[index];
    };
    return {at(0.50), at(0.95), at(0.99), static_cast<double>(operations) / wallSeconds};
}

void print(const std::string& backend, const std::string& operation, const Figures& f) {
    std::printf("%-10s %-22s p50 %8.1f us   p95 %8.1f us   p99 %8.1f us   %10.0f ops/s\n", backend.c_str(),
                operation.c_str(), f.p50, f.p95, f.p99, f.opsPerSecond);
}

// Times `operations` calls of op(i) on one thread; a failed call stops the run.
Figures timeSerial(std::size_t operations, const std::function<bool(std::size_t)>& op) {
    std::vector<double> micros;
    micros.reserve(operations);
    const recdeck::Stopwatch wall;
    for (std::size_t i = 0; i < operations; ++i) {
        const recdeck::Stopwatch one;
        if (!op(i)) {
            std::fprintf(stderr, "store_bench: operation %zu failed\n", i);
            std::exit(1);
        }
        micros.push_back(one.elapsedUs());
    }
    return summarize(std::move(micros), wall.elapsedSeconds(), operations);
}

// The same with `threads` callers at once (each does operations / threads calls).
Figures timeParallel(std::size_t operations, unsigned threads, const std::function<bool(std::size_t)>& op) {
    std::vector<std::vector<double>> perThread(threads);
    const std::size_t each = operations / threads;
    const recdeck::Stopwatch wall;
    {
        std::vector<std::jthread> workers;
        for (unsigned t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                perThread[t].reserve(each);
                for (std::size_t i = 0; i < each; ++i) {
                    const recdeck::Stopwatch one;
                    if (!op(t * each + i)) std::exit(1);
                    perThread[t].push_back(one.elapsedUs());
                }
            });
        }
    }
    const double seconds = wall.elapsedSeconds();
    std::vector<double> all;
    for (auto& part : perThread) all.insert(all.end(), part.begin(), part.end());
    return summarize(std::move(all), seconds, each * threads);
}

void run(const std::string& backend, KeyValueStore& store, std::size_t operations, std::size_t valueBytes) {
    std::vector<std::string> keys;
    keys.reserve(kKeys);
    for (std::size_t i = 0; i < kKeys; ++i) keys.push_back(keyOf({"bench", "recs", std::to_string(i), "10"}));
    const std::string value(valueBytes, 'x');
    std::vector<KeyValue> entries;
    for (const auto& key : keys) entries.push_back({key, value, std::chrono::minutes(10)});
    for (std::size_t i = 0; i < entries.size(); i += 1000) {
        const auto end = std::min(entries.size(), i + 1000);
        if (!store.setMany(std::span<const KeyValue>(entries.data() + i, end - i))) std::exit(1);
    }

    recdeck::SplitMix64 random(42);
    std::vector<std::size_t> picks(operations * 10);
    for (auto& pick : picks) pick = static_cast<std::size_t>(random.below(kKeys));

    print(backend, "get (hit)", timeSerial(operations, [&](std::size_t i) {
              auto result = store.get(keys[picks[i]]);
              return result.ok() && result->has_value();
          }));
    print(backend, "getMany(10)", timeSerial(operations / 4, [&](std::size_t i) {
              std::vector<std::string_view> batch;
              for (std::size_t j = 0; j < 10; ++j) batch.push_back(keys[picks[i * 10 + j]]);
              auto result = store.getMany(batch);
              return result.ok() && result->size() == 10;
          }));
    print(backend, "set (ttl 10 min)", timeSerial(operations, [&](std::size_t i) {
              return store.set(keys[picks[i]], value, std::chrono::minutes(10)).ok();
          }));
    print(backend, "get (hit), 4 threads", timeParallel(operations, 4, [&](std::size_t i) {
              auto result = store.get(keys[picks[i]]);
              return result.ok() && result->has_value();
          }));
    if (!store.remove(keys)) std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t operations = 20'000;
    std::size_t valueBytes = 512;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--ops") == 0)
            operations = std::max<std::size_t>(100, std::strtoull(argv[i + 1], nullptr, 10));
        if (std::strcmp(argv[i], "--value-bytes") == 0) valueBytes = std::strtoull(argv[i + 1], nullptr, 10);
    }
    std::printf(
        "store_bench: %zu keys of %zu bytes, %zu operations per figure (getMany: a quarter), "
        "%u hardware threads\n",
        kKeys, valueBytes, operations, std::thread::hardware_concurrency());

    MemoryStore memory;
    run("memory", memory, operations, valueBytes);

    recdeck::test::RedisServer server;
    std::string error;
    if (!recdeck::test::RedisServer::executable()) {
        std::printf("redis      skipped: redis-server not found on PATH\n");
        return 0;
    }
    if (!server.start(&error)) {
        std::fprintf(stderr, "store_bench: %s\n", error.c_str());
        return 1;
    }
    auto redis = RedisStore::open(server.url());
    if (!redis) {
        std::fprintf(stderr, "store_bench: %s\n", redis.errorMessage().c_str());
        return 1;
    }
    std::printf("redis      %s (loopback, pool of %zu connections)\n", (*redis)->describe().c_str(),
                RedisStoreOptions{}.poolSize);
    run("redis", **redis, operations, valueBytes);
    return 0;
}

#include "recdeck/common/parallel.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace recdeck {

unsigned defaultThreadCount() {
    return std::max(1U, std::thread::hardware_concurrency());
}

void parallelFor(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body, unsigned threads) {
    if (n == 0) return;
    if (threads == 0) threads = defaultThreadCount();
    const std::size_t workers = std::min<std::size_t>(threads, n);
    if (workers <= 1) {
        body(0, n);
        return;
    }
    std::exception_ptr firstError;
    std::mutex errorMutex;
    auto run = [&](std::size_t begin, std::size_t end) {
        try {
            body(begin, end);
        } catch (...) {
            std::lock_guard lock(errorMutex);
            if (!firstError) firstError = std::current_exception();
        }
    };
    const std::size_t chunk = (n + workers - 1) / workers;
    std::vector<std::jthread> pool;
    pool.reserve(workers - 1);
    for (std::size_t w = 1; w < workers; ++w) {
        const std::size_t begin = w * chunk;
        if (begin >= n) break;
        pool.emplace_back(run, begin, std::min(n, begin + chunk));
    }
    run(0, std::min(n, chunk));
    pool.clear();  // joins
    if (firstError) std::rethrow_exception(firstError);
}

}  // namespace recdeck

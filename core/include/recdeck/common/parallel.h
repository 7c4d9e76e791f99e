#pragma once
// parallelFor: splits [0, n) into contiguous chunks over worker threads (default: every
// hardware thread). The body must be safe to call concurrently on disjoint ranges.

#include <cstddef>
#include <functional>

namespace recdeck {

// Number of worker threads used by default (hardware concurrency, at least 1).
unsigned defaultThreadCount();

// Calls body(begin, end) on disjoint chunks covering [0, n); returns when all are done.
// Exceptions thrown by a chunk are rethrown in the caller (the first one wins).
void parallelFor(std::size_t n, const std::function<void(std::size_t begin, std::size_t end)>& body,
                 unsigned threads = 0);

}  // namespace recdeck

#pragma once
// Monotonic wall-clock timing for stage latencies and benchmarks.

#include <chrono>
#include <cstdint>

namespace recdeck {

class Stopwatch {
public:
    using Clock = std::chrono::steady_clock;
    Stopwatch() : m_start(Clock::now()) {}
    void restart() { m_start = Clock::now(); }
    double elapsedSeconds() const { return std::chrono::duration<double>(Clock::now() - m_start).count(); }
    double elapsedMs() const { return elapsedSeconds() * 1e3; }
    double elapsedUs() const { return elapsedSeconds() * 1e6; }

private:
    Clock::time_point m_start;
};

// Milliseconds since the Unix epoch (wall clock), for event timestamps.
inline std::int64_t unixMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Microseconds since the Unix epoch (wall clock), to order events within one millisecond.
inline std::int64_t unixMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace recdeck

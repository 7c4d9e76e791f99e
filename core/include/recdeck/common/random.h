#pragma once
// A small, portable, seeded random source. Standard library distributions differ between
// implementations, so anything that must be reproducible everywhere (synthetic worlds,
// splits, the simulator) draws from here.

#include <cmath>
#include <cstdint>
#include <numbers>

namespace recdeck {

class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform integer in [0, n); n > 0.
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    // Standard normal (Box-Muller).
    double normal() {
        double u1 = uniform();
        while (u1 <= 0.0) u1 = uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    // Standard Gumbel, for sampling without replacement by perturbed top-k.
    double gumbel() {
        double u = uniform();
        while (u <= 0.0) u = uniform();
        return -std::log(-std::log(u));
    }

private:
    std::uint64_t m_state;
};

}  // namespace recdeck

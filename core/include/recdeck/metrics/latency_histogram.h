#pragma once
// LatencyHistogram: request latencies counted in log-scale bins, small enough to keep one
// per second for an hour and to merge across any window, with percentiles read back by
// interpolating inside the bin that holds the requested rank.
//
// Bins (kBinCount = 62): bin 0 holds [0, 10 µs); bins 1..60 split [10 µs, 10 s) into 10
// bins per decade (each bin's upper edge is 10^0.1 = 1.2589 times its lower edge); bin 61
// holds everything from 10 s up. A percentile is therefore exact to within one bin:
// relative error below 26% in [10 µs, 10 s), absolute error below 10 µs under it, and
// values of 10 s or more read as 10 s.
//
// Thread safety: a plain value type (no synchronisation); Monitor keeps atomic copies.

#include <array>
#include <cstddef>
#include <cstdint>

namespace recdeck::metrics {

class LatencyHistogram {
public:
    static constexpr std::size_t kBinsPerDecade = 10;
    static constexpr std::size_t kDecades = 6;  // 10 µs .. 10 s
    static constexpr std::size_t kBinCount = kBinsPerDecade * kDecades + 2;
    static constexpr double kLowestEdgeUs = 10.0;
    static constexpr double kHighestEdgeUs = 10'000'000.0;

    // The bin holding a latency in µs (negative or NaN counts as 0).
    static std::size_t binOf(double latencyUs);
    // Lower and upper edge of a bin in µs (bin 0 starts at 0; the last bin's upper edge is
    // reported as kHighestEdgeUs, where its percentiles are clamped).
    static double lowerEdgeUs(std::size_t bin);
    static double upperEdgeUs(std::size_t bin);

    void add(double latencyUs, std::uint64_t count = 1) { addToBin(binOf(latencyUs), count); }
    void addToBin(std::size_t bin, std::uint64_t count);
    void merge(const LatencyHistogram& other);
    void clear() {
        m_counts.fill(0);
        m_total = 0;
    }

    std::uint64_t total() const { return m_total; }
    std::uint64_t count(std::size_t bin) const { return m_counts[bin]; }

    // The q-quantile in µs, q in [0, 1]: the latency below which a fraction q of the
    // samples lies, interpolated geometrically inside its bin (linearly in bin 0).
    // 0 when the histogram is empty.
    double percentileUs(double q) const;

private:
    std::array<std::uint64_t, kBinCount> m_counts{};
    std::uint64_t m_total = 0;
};

}  // namespace recdeck::metrics

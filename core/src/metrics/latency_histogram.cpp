#include "recdeck/metrics/latency_histogram.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace recdeck::metrics {

namespace {

constexpr std::size_t kLogEdges = LatencyHistogram::kBinsPerDecade * LatencyHistogram::kDecades + 1;

// Edges of the log bins in µs: kLowestEdgeUs * 10^(k / kBinsPerDecade), k = 0 .. 60.
// Whole decades are set exactly so that 100 µs, 1 ms, ... fall on an edge.
const std::array<double, kLogEdges>& logEdges() {
    static const std::array<double, kLogEdges> edges = [] {
        std::array<double, kLogEdges> e{};
        for (std::size_t k = 0; k < kLogEdges; ++k) {
            e[k] = LatencyHistogram::kLowestEdgeUs *
                   std::pow(10.0, static_cast<double>(k) / static_cast<double>(LatencyHistogram::kBinsPerDecade));
            if (k % LatencyHistogram::kBinsPerDecade == 0)
                e[k] = LatencyHistogram::kLowestEdgeUs *
                       std::pow(10.0, static_cast<double>(k / LatencyHistogram::kBinsPerDecade));
        }
        return e;
    }();
    return edges;
}

}  // namespace

std::size_t LatencyHistogram::binOf(double latencyUs) {
    if (!(latencyUs >= kLowestEdgeUs)) return 0;  // also NaN and negatives
    if (latencyUs >= kHighestEdgeUs) return kBinCount - 1;
    const auto& edges = logEdges();
    // First edge greater than the value: the value lies in the log bin ending there.
    const auto it = std::upper_bound(edges.begin(), edges.end(), latencyUs);
    return static_cast<std::size_t>(it - edges.begin());
}

double LatencyHistogram::lowerEdgeUs(std::size_t bin) {
    assert(bin < kBinCount);
    if (bin == 0) return 0.0;
    return logEdges()[bin - 1];
}

double LatencyHistogram::upperEdgeUs(std::size_t bin) {
    assert(bin < kBinCount);
    if (bin >= kBinCount - 1) return kHighestEdgeUs;
    return logEdges()[bin];
}

void LatencyHistogram::addToBin(std::size_t bin, std::uint64_t count) {
    assert(bin < kBinCount);
    m_counts[bin] += count;
    m_total += count;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t b = 0; b < kBinCount; ++b) m_counts[b] += other.m_counts[b];
    m_total += other.m_total;
}

double LatencyHistogram::percentileUs(double q) const {
    if (m_total == 0) return 0.0;
    q = std::clamp(q, 0.0, 1.0);
    const double rank = q * static_cast<double>(m_total);
    double before = 0.0;
    for (std::size_t b = 0; b < kBinCount; ++b) {
        if (m_counts[b] == 0) continue;
        const double n = static_cast<double>(m_counts[b]);
        if (before + n >= rank) {
            if (b == kBinCount - 1) return kHighestEdgeUs;
            const double fraction = std::clamp((rank - before) / n, 0.0, 1.0);
            const double lo = lowerEdgeUs(b);
            const double hi = upperEdgeUs(b);
            if (b == 0) return hi * fraction;
            return lo * std::pow(hi / lo, fraction);
        }
        before += n;
    }
    return kHighestEdgeUs;  // unreachable: the last non-empty bin reaches m_total
}

}  // namespace recdeck::metrics

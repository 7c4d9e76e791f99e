#include "recdeck/sim/user_population.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace recdeck::sim {

namespace {

constexpr std::uint64_t kLookBack = 4096;
constexpr int kLookBackTries = 8;
constexpr std::uint64_t kPopulationSalt = 0x5EED0F9E0B1E5ULL;
constexpr std::uint64_t kNewcomerSalt = 0x0DDBA11C0FFEEULL;

std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace

std::uint64_t requestStream(std::uint64_t seed, std::uint64_t index) {
    return mix64(mix64(seed) ^ (index * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL));
}

UserPopulation::UserPopulation(const GroundTruth& truth, UserMix mix, std::uint64_t seed)
    : m_truth(truth), m_mix(std::move(mix)), m_seed(seed) {
    const std::size_t personas = truth.personaCount();
    assert(personas > 0);
    m_mix.activitySkew = std::isfinite(m_mix.activitySkew) ? std::max(0.0, m_mix.activitySkew) : 1.0;
    m_mix.newUserFraction = std::clamp(m_mix.newUserFraction, 0.0, 1.0);
    m_mix.newcomerReturnFraction = std::clamp(m_mix.newcomerReturnFraction, 0.0, 1.0 - m_mix.newUserFraction);

    // A seeded shuffle picks the members (when fewer than all) and their activity ranks.
    std::vector<std::size_t> order(personas);
    std::iota(order.begin(), order.end(), std::size_t{0});
    SplitMix64 rng(mix64(seed ^ kPopulationSalt));
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    const std::size_t size = m_mix.population == 0 ? personas : std::min(m_mix.population, personas);
    order.resize(size);
    m_members = std::move(order);

    m_cumulative.resize(size);
    double total = 0.0;
    for (std::size_t r = 0; r < size; ++r) {
        total += std::pow(static_cast<double>(r + 1), -m_mix.activitySkew);
        m_cumulative[r] = total;
    }
    for (double& c : m_cumulative) c /= total;
    m_cumulative.back() = 1.0;
}

std::size_t UserPopulation::zipfRank(double u) const {
    const auto found = std::upper_bound(m_cumulative.begin(), m_cumulative.end(), u);
    return std::min<std::size_t>(static_cast<std::size_t>(found - m_cumulative.begin()), m_cumulative.size() - 1);
}

bool UserPopulation::isNewcomer(std::uint64_t index) const {
    SplitMix64 rng(requestStream(m_seed, index));
    return rng.uniform() < m_mix.newUserFraction;
}

Visit UserPopulation::newcomer(std::uint64_t index, bool firstVisit) const {
    Visit visit;
    visit.userId = m_mix.newcomerPrefix + std::to_string(index);
    SplitMix64 rng(mix64(requestStream(m_seed, index) ^ kNewcomerSalt));
    visit.persona = static_cast<std::size_t>(rng.below(m_truth.personaCount()));
    visit.newcomer = true;
    visit.firstVisit = firstVisit;
    return visit;
}

Visit UserPopulation::pick(std::uint64_t index, SplitMix64& rng) const {
    // The first draw alone decides a newcomer's first visit, so isNewcomer() can replay it.
    const double u = rng.uniform();
    if (u < m_mix.newUserFraction) return newcomer(index, true);
    if (u < m_mix.newUserFraction + m_mix.newcomerReturnFraction && index > 0) {
        const std::uint64_t span = std::min(index, kLookBack);
        for (int t = 0; t < kLookBackTries; ++t) {
            const std::uint64_t earlier = index - 1 - rng.below(span);
            if (isNewcomer(earlier)) return newcomer(earlier, false);
        }
    }
    Visit visit;
    visit.persona = m_members[zipfRank(rng.uniform())];
    visit.userId = m_truth.personaId(visit.persona);
    return visit;
}

Visit UserPopulation::pick(std::uint64_t index) const {
    SplitMix64 rng(requestStream(m_seed, index));
    return pick(index, rng);
}

}  // namespace recdeck::sim

#pragma once
// Thompson-sampling allocation for a conversion-rate bandit. Each arm has the Beta-Binomial
// posterior Beta(1 + successes, 1 + trials - successes) (see bayesian.h); traffic goes to
// each arm in proportion to the probability that it is the best arm, which is what drawing
// one posterior sample per arm and serving the argmax does on average.
//
// Probability of being best:
//   2 arms:   exact, P(p_1 > p_0) by the closed-form sum in bayesian.h;
//   3+ arms:  seeded Monte Carlo: `draws` rounds, each drawing one Beta sample per arm and
//             counting the argmax. The standard error of each probability is
//             sqrt(p (1 - p) / draws) (<= 0.0016 at the default 100,000 draws). Beta
//             samples are X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) drawn by Marsaglia &
//             Tsang (2000) "A simple method for generating gamma variables" from
//             recdeck::SplitMix64, so results are identical on every platform.
//             BanditMethod::Quadrature gives the deterministic integral instead.
//
// Floor: with floor f, every arm gets at least f of the traffic (so no arm starves and the
// estimates keep improving); the rest is shared in proportion to the probability of being
// best. Requires f * arms <= 1.
//
// Thread safety: functions are pure; pass each thread its own SplitMix64.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "recdeck/common/random.h"
#include "recdeck/common/result.h"
#include "recdeck/experiments/bayesian.h"

namespace recdeck::experiments {

// Gamma(shape, 1) by Marsaglia-Tsang; shape > 0 (shape < 1 uses Gamma(shape + 1) * U^(1/shape)).
double sampleGamma(SplitMix64& rng, double shape);
// Beta(a, b) as X / (X + Y); a, b > 0.
double sampleBeta(SplitMix64& rng, double a, double b);

enum class BanditMethod {
    Automatic,   // exact for 2 arms, Monte Carlo for more
    MonteCarlo,  // always Monte Carlo
    Quadrature,  // always the deterministic integral (bayesian.h probabilityBest)
};

struct ThompsonOptions {
    double floor = 0.0;           // minimum traffic share per arm, in [0, 1 / arms]
    std::size_t draws = 100000;   // Monte Carlo rounds, >= 1
    std::uint64_t seed = 0x5EED;  // Monte Carlo seed
    BanditMethod method = BanditMethod::Automatic;
};

struct ThompsonAllocation {
    std::vector<double> probabilityBest;  // per arm, sums to 1
    std::vector<double> weights;          // traffic shares after the floor, sum to 1
    bool monteCarlo = false;              // probabilityBest was estimated by sampling
    double maxStandardError = 0.0;        // largest Monte Carlo standard error (0 if exact)
};

// Arms as (trials, successes) = (users, conversions). Errors: fewer than 2 arms,
// successes > trials, floor out of range, draws == 0.
Result<ThompsonAllocation> thompsonAllocation(std::span<const ArmCounts> arms, const ThompsonOptions& options = {});

// Applies a floor to shares that sum to 1: arms below the floor are raised to it and the
// others scaled down proportionally, repeated until every share is >= floor.
// Errors: floor < 0 or floor * shares.size() > 1, a share negative or not finite.
Result<std::vector<double>> applyFloor(std::span<const double> shares, double floor);

// One Thompson decision for a single request: draws once from every posterior and returns
// the index of the largest draw. posteriors must not be empty.
std::size_t thompsonChoose(SplitMix64& rng, std::span<const BetaPosterior> posteriors);

}  // namespace recdeck::experiments

#pragma once
// UserPopulation: who makes the k-th request of a run. A pure function of (seed, k), so a
// request's user does not depend on thread timing, and a run is reproducible.
//
// The mix (UserMix):
//   - returning users: `population` personas of the truth (a seeded random subset when
//     fewer than all), visiting with Zipf-like frequency — the persona of activity rank r
//     (0-based, ranks shuffled by the seed) is chosen with weight 1 / (r + 1)^activitySkew,
//     so a few users come back often and most rarely (skew 0 = uniform);
//   - brand-new users: a fraction `newUserFraction` of requests comes from a user the
//     service has never seen (cold start). Their id is `newcomerPrefix` + the request
//     index; their tastes are those of a random persona of the whole truth;
//   - newcomers coming back: a fraction `newcomerReturnFraction` of requests comes from a
//     newcomer of one of the previous 4,096 requests (when one is found among eight random
//     looks back; else a returning user is chosen instead), so the service's learning
//     about new users shows.
//
// Thread safety: immutable once built; pick() may be called concurrently.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "recdeck/common/random.h"
#include "recdeck/sim/ground_truth.h"

namespace recdeck::sim {

struct UserMix {
    std::size_t population = 0;            // returning users (0 or > personas = every persona)
    double activitySkew = 1.0;             // Zipf exponent of visit frequency, >= 0
    double newUserFraction = 0.05;         // [0, 1]
    double newcomerReturnFraction = 0.05;  // [0, 1 - newUserFraction]
    std::string newcomerPrefix = "newcomer-";
};

// The user of one request.
struct Visit {
    std::string userId;
    std::size_t persona = 0;  // whose preferences they have
    bool newcomer = false;    // a user created by the simulator (not one of the truth's)
    bool firstVisit = false;  // a newcomer's first request (the service cannot know them)
};

class UserPopulation {
public:
    // `truth` must have at least one persona and outlive the population.
    UserPopulation(const GroundTruth& truth, UserMix mix, std::uint64_t seed);

    // The user of request `index`. `rng` must be a fresh SplitMix64(requestStream(seed,
    // index)); pick draws from it first (the simulator then keeps drawing from it for the
    // clicks of that request).
    Visit pick(std::uint64_t index, SplitMix64& rng) const;
    Visit pick(std::uint64_t index) const;

    std::size_t size() const { return m_members.size(); }
    const UserMix& mix() const { return m_mix; }
    // The persona of activity rank `rank` (0 = most active).
    std::size_t memberAt(std::size_t rank) const { return m_members[rank]; }
    // True when request `index` is a newcomer's first visit.
    bool isNewcomer(std::uint64_t index) const;

private:
    Visit newcomer(std::uint64_t index, bool firstVisit) const;
    std::size_t zipfRank(double u) const;

    const GroundTruth& m_truth;
    UserMix m_mix;
    std::uint64_t m_seed;
    std::vector<std::size_t> m_members;  // personas by activity rank
    std::vector<double> m_cumulative;    // normalised cumulative weights by rank
};

// The seed of request `index`'s own random stream in a run seeded with `seed`.
std::uint64_t requestStream(std::uint64_t seed, std::uint64_t index);

}  // namespace recdeck::sim

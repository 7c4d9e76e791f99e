#pragma once
// A deterministic synthetic world for the demo and for tests: users with latent tastes,
// items with categories and readable titles, long-tail popularity, and an interaction
// history sampled from the users' true preferences. The same seed always gives the same
// world. Ground truth (truePreference) drives the traffic simulator's clicks.

#include <cstdint>
#include <string>
#include <vector>

#include "recdeck/data/dataset.h"

namespace recdeck::data {

struct WorldConfig {
    std::uint64_t seed = 42;
    std::size_t users = 2000;
    std::size_t items = 1500;
    std::size_t categories = 12;
    std::size_t latentDims = 8;
    double meanInteractionsPerUser = 30.0;
    double popularityExponent = 1.1;  // Zipf-like long tail of item popularity
    double tasteStrength = 3.0;       // how much latent taste outweighs popularity
};

class SyntheticWorld {
public:
    explicit SyntheticWorld(WorldConfig config = {});

    const WorldConfig& config() const { return m_config; }
    // Users "user_0001"..., items "item_0001"... with titles and categories, and history.
    const Dataset& dataset() const { return m_dataset; }
    // Probability in [0, 1] that `user` engages with `item` when shown it (ground truth).
    double truePreference(Index user, Index item) const;

private:
    WorldConfig m_config;
    Dataset m_dataset;
    std::vector<float> m_userTaste;   // users x latentDims
    std::vector<float> m_itemTraits;  // items x latentDims
    std::vector<float> m_itemBias;    // log popularity
};

}  // namespace recdeck::data

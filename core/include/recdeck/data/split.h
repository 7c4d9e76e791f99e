#pragma once
// Train/test splits for offline evaluation.

#include <cstdint>
#include <vector>

#include "recdeck/data/dataset.h"

namespace recdeck::data {

struct Split {
    std::vector<Interaction> train;
    std::vector<Interaction> test;
};

// Per-user stratified random split: for every user, round(testFraction * n) of their
// distinct items go to test (users with fewer than 2 items stay wholly in train).
// Deterministic for a given seed.
Split stratifiedSplit(const std::vector<Interaction>& interactions, double testFraction, std::uint64_t seed);

}  // namespace recdeck::data

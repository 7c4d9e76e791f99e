#pragma once
// Hyper-parameter choice on the training data alone: a seeded share of each user's items
// is held out as a validation set, candidates are trained on the rest, and each is scored
// by nDCG@k on the held-out items (binary relevance, the offline evaluator's definition).
// Test data never takes part.

#include <cstdint>
#include <span>
#include <vector>

#include "recdeck/data/interaction_matrix.h"

namespace recdeck::models::detail {

struct ValidationUser {
    data::Index user = data::kNoIndex;
    std::vector<data::Index> heldOut;  // sorted
};

struct ValidationSplit {
    data::InteractionMatrix train;      // every user's remaining items
    std::vector<ValidationUser> users;  // at most maxUsers, each with >= 1 held-out item
};

// Users with at least minItems items give up round(fraction * count) of them (>= 1).
ValidationSplit validationSplit(const data::InteractionMatrix& interactions, double fraction, std::uint64_t seed,
                                std::size_t maxUsers, std::size_t minItems = 5);

// nDCG@k of one ranking (scores over every item; `exclude` sorted) against `relevant`
// (sorted, distinct): metrics::scoreUser's, the offline evaluator's definition.
double ndcgAtK(std::span<const float> scores, std::span<const data::Index> exclude,
               std::span<const data::Index> relevant, std::size_t k);

}  // namespace recdeck::models::detail

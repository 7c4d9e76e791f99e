#pragma once
// "The most active users": the users with the most distinct items in the training data.
// The cache warm-up warms them, the User inspector opens on one of them.

#include <cstddef>
#include <string>
#include <vector>

#include "recdeck/serving/recommendation_service.h"

namespace recdeck::serving {

// The ids of the n users with the most distinct items in the snapshot's training matrix,
// most active first; ties keep the lower index, so the order is stable. Fewer when the
// data has fewer users (every user, in that order, for n = SIZE_MAX); none without data.
std::vector<std::string> mostActiveUsers(const ServingSnapshot& snapshot, std::size_t n);

}  // namespace recdeck::serving

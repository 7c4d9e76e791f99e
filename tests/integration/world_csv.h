#pragma once
// A synthetic world's interactions as a CSV file a service imports at start
// (`user,item,timestamp,title,category`, ids as in the world), so a test process and a
// `recdeckd serve` know the same users and items.

#include <filesystem>

#include "recdeck/data/synthetic_world.h"

namespace recdeck::test {

// Writes dir/interactions.csv and returns its path.
std::filesystem::path writeWorldCsv(const std::filesystem::path& dir, const data::WorldConfig& config);

}  // namespace recdeck::test

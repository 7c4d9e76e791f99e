#pragma once
// The demo: what a first start on the synthetic demo world sets up, and whose tastes
// simulated users follow on whatever an engine serves. Both faces (the console's
// simulator and `recdeckd simulate`) take them from here.

#include <memory>
#include <string_view>

#include "recdeck/common/result.h"
#include "recdeck/serving/engine.h"
#include "recdeck/sim/ground_truth.h"

namespace recdeck::sim {

// The experiment a first start runs on the demo world, so the experiment readout is live
// from the first minute: the personalised default model against plain popularity.
inline constexpr std::string_view kDemoExperiment = "homepage-personalisation";

// Creates and starts kDemoExperiment when `engine` serves the demo world, has no
// experiment yet and has both models; otherwise does nothing. Returns what the registry
// refused, if anything.
Status setUpDemoExperiment(serving::Engine& engine);

// The ground truth simulated users follow on what `engine` serves: the demo world's hidden
// tastes when it serves that world; else, since a real dataset has no known tastes, its
// own interactions (users "like" what they interacted with; lists leave those out, so
// most clicks come from a small curiosity rate).
std::unique_ptr<GroundTruth> truthOf(const serving::Engine& engine);

}  // namespace recdeck::sim

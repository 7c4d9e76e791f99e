#pragma once
// Warming the recommendation cache: ask the engine for the lists of the most active users
// (by distinct items in the training data) before they come back, so their next request
// is a cache hit. The Cache panel runs it on a worker thread.

#include <cstddef>
#include <string>
#include <vector>

#include "recdeck/common/task.h"
#include "recdeck/serving/engine.h"
#include "recdeck/serving/most_active_users.h"

namespace recdeck::serving {

struct WarmUpSummary {
    std::size_t requested = 0;      // users chosen (min(n, users in the data))
    std::size_t warmed = 0;         // users whose list is now cached
    std::size_t alreadyCached = 0;  // of those, answered from a cache tier (nothing to do)
    std::size_t failed = 0;         // requests the engine refused
    bool cancelled = false;
    double seconds = 0.0;    // wall time of the whole run
    std::string firstError;  // the first refusal, if any
};

// Requests the default list (n = 10, no impression recorded: warm-up is not traffic) for
// each of the n most active users (mostActiveUsers). Reports progress after every user and
// stops between users when control.stop is requested. Thread-safe (the engine is).
WarmUpSummary warmUpUsers(Engine& engine, std::size_t n, const TaskControl& control);

}  // namespace recdeck::serving

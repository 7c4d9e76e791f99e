#include "recdeck/serving/cache_warm_up.h"

#include <chrono>

namespace recdeck::serving {

WarmUpSummary warmUpUsers(Engine& engine, std::size_t n, const TaskControl& control) {
    const auto start = std::chrono::steady_clock::now();
    WarmUpSummary summary;
    const auto snapshot = engine.snapshot();
    const std::vector<std::string> users = snapshot ? mostActiveUsers(*snapshot, n) : std::vector<std::string>{};
    summary.requested = users.size();
    control.report(0.0, "choosing users");
    for (std::size_t i = 0; i < users.size(); ++i) {
        if (control.cancelled()) {
            summary.cancelled = true;
            break;
        }
        RecommendationRequest request;
        request.userId = users[i];
        request.recordImpression = false;
        const auto answer = engine.recommend(request);
        if (answer) {
            ++summary.warmed;
            if (answer->tier != cache::Tier::Compute) ++summary.alreadyCached;
        } else {
            ++summary.failed;
            if (summary.firstError.empty()) summary.firstError = answer.errorMessage();
        }
        control.report(static_cast<double>(i + 1) / static_cast<double>(users.size()), "warming");
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace recdeck::serving

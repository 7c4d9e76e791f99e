#include "recdeck/ui/cache/cache_warm_up.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace recdeck::ui {

std::vector<std::string> mostActiveUsers(const serving::ServingSnapshot& snapshot, std::size_t n) {
    if (!snapshot.matrix || !snapshot.dataset) return {};
    const data::InteractionMatrix& matrix = *snapshot.matrix;
    const std::size_t users = std::min(matrix.userCount(), snapshot.dataset->users.size());
    std::vector<data::Index> order(users);
    std::iota(order.begin(), order.end(), data::Index{0});
    const std::size_t take = std::min(n, users);
    const auto& offsets = matrix.rowOffsets();
    auto activity = [&](data::Index user) { return offsets[user + 1] - offsets[user]; };
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(take), order.end(),
                      [&](data::Index a, data::Index b) {
                          const auto ra = activity(a);
                          const auto rb = activity(b);
                          return ra != rb ? ra > rb : a < b;
                      });
    std::vector<std::string> ids;
    ids.reserve(take);
    for (std::size_t i = 0; i < take; ++i) ids.push_back(snapshot.dataset->users.id(order[i]));
    return ids;
}

WarmUpSummary warmUpUsers(serving::Engine& engine, std::size_t n, const TaskControl& control) {
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
        serving::RecommendationRequest request;
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

}  // namespace recdeck::ui

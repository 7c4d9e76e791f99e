#include "recdeck/serving/most_active_users.h"

#include <algorithm>
#include <numeric>

namespace recdeck::serving {

std::vector<std::string> mostActiveUsers(const ServingSnapshot& snapshot, std::size_t n) {
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

}  // namespace recdeck::serving

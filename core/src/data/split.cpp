#include "recdeck/data/split.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "recdeck/common/random.h"

namespace recdeck::data {

Split stratifiedSplit(const std::vector<Interaction>& interactions, double testFraction, std::uint64_t seed) {
    // Group row indices by user, then by distinct item, so every row of one (user, item)
    // pair lands on the same side.
    std::unordered_map<Index, std::vector<std::size_t>> rowsByUser;
    for (std::size_t i = 0; i < interactions.size(); ++i) rowsByUser[interactions[i].user].push_back(i);

    std::vector<Index> users;
    users.reserve(rowsByUser.size());
    for (const auto& [user, rows] : rowsByUser) users.push_back(user);
    std::sort(users.begin(), users.end());

    std::vector<bool> toTest(interactions.size(), false);
    SplitMix64 rng(seed);
    for (Index user : users) {
        const auto& rows = rowsByUser[user];
        std::vector<Index> items;
        items.reserve(rows.size());
        for (std::size_t row : rows) items.push_back(interactions[row].item);
        std::sort(items.begin(), items.end());
        items.erase(std::unique(items.begin(), items.end()), items.end());
        if (items.size() < 2) continue;
        // Fisher-Yates with the portable generator.
        for (std::size_t i = items.size() - 1; i > 0; --i) std::swap(items[i], items[rng.below(i + 1)]);
        auto testCount = static_cast<std::size_t>(std::lround(testFraction * static_cast<double>(items.size())));
        testCount = std::clamp<std::size_t>(testCount, 1, items.size() - 1);
        std::vector<Index> testItems(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(testCount));
        std::sort(testItems.begin(), testItems.end());
        for (std::size_t row : rows) {
            if (std::binary_search(testItems.begin(), testItems.end(), interactions[row].item)) toTest[row] = true;
        }
    }
    Split split;
    for (std::size_t i = 0; i < interactions.size(); ++i) {
        (toTest[i] ? split.test : split.train).push_back(interactions[i]);
    }
    return split;
}

}  // namespace recdeck::data

#pragma once
// The transpose of an InteractionMatrix (item -> users, ascending), built once per
// training run by the models that walk co-occurrences. Internal.

#include <cstddef>
#include <span>
#include <vector>

#include "recdeck/data/interaction_matrix.h"

namespace recdeck::models::detail {

struct ItemUsers {
    std::vector<std::size_t> offsets;  // items + 1
    std::vector<data::Index> users;
    std::vector<std::uint32_t> counts;  // raw interaction count of each (item, user) entry

    explicit ItemUsers(const data::InteractionMatrix& m) : offsets(m.itemCount() + 1, 0) {
        for (data::Index item : m.columnIndices()) ++offsets[item + 1];
        for (std::size_t i = 0; i < m.itemCount(); ++i) offsets[i + 1] += offsets[i];
        users.resize(m.nonZeros());
        counts.resize(m.nonZeros());
        std::vector<std::size_t> cursor(offsets.begin(), offsets.end() - 1);
        for (std::size_t u = 0; u < m.userCount(); ++u) {
            const auto items = m.itemsOf(static_cast<data::Index>(u));
            const auto rowCounts = m.countsOf(static_cast<data::Index>(u));
            for (std::size_t k = 0; k < items.size(); ++k) {
                const std::size_t at = cursor[items[k]]++;
                users[at] = static_cast<data::Index>(u);
                counts[at] = rowCounts[k];
            }
        }
    }
    std::size_t itemCount() const { return offsets.size() - 1; }
    std::span<const data::Index> usersOf(data::Index item) const {
        return {users.data() + offsets[item], users.data() + offsets[item + 1]};
    }
    std::span<const std::uint32_t> countsOf(data::Index item) const {
        return {counts.data() + offsets[item], counts.data() + offsets[item + 1]};
    }
    std::size_t degree(data::Index item) const { return offsets[item + 1] - offsets[item]; }
};

}  // namespace recdeck::models::detail

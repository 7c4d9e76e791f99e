#include "validation_split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "recdeck/common/random.h"
#include "recdeck/metrics/offline_metrics.h"
#include "recdeck/models/model.h"

namespace recdeck::models::detail {

ValidationSplit validationSplit(const data::InteractionMatrix& interactions, double fraction, std::uint64_t seed,
                                std::size_t maxUsers, std::size_t minItems) {
    const std::size_t users = interactions.userCount();
    // Which users validate: a seeded sample of the eligible ones, in user order.
    std::vector<data::Index> eligible;
    for (std::size_t u = 0; u < users; ++u) {
        if (interactions.itemsOf(static_cast<data::Index>(u)).size() >= minItems)
            eligible.push_back(static_cast<data::Index>(u));
    }
    SplitMix64 random(seed);
    if (eligible.size() > maxUsers) {
        for (std::size_t i = 0; i < maxUsers; ++i) {
            const auto j = i + static_cast<std::size_t>(random.next() % (eligible.size() - i));
            std::swap(eligible[i], eligible[j]);
        }
        eligible.resize(maxUsers);
        std::sort(eligible.begin(), eligible.end());
    }

    ValidationSplit split;
    std::vector<data::Interaction> kept;
    kept.reserve(interactions.nonZeros());
    std::size_t next = 0;
    for (std::size_t u = 0; u < users; ++u) {
        const auto user = static_cast<data::Index>(u);
        const auto items = interactions.itemsOf(user);
        const auto times = interactions.timestampsOf(user);
        std::vector<bool> held(items.size(), false);
        if (next < eligible.size() && eligible[next] == user) {
            ++next;
            const auto count = std::max<std::size_t>(
                1, static_cast<std::size_t>(std::lround(fraction * static_cast<double>(items.size()))));
            std::vector<std::size_t> order(items.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            for (std::size_t i = 0; i < count; ++i) {
                const auto j = i + static_cast<std::size_t>(random.next() % (order.size() - i));
                std::swap(order[i], order[j]);
                held[order[i]] = true;
            }
            ValidationUser v;
            v.user = user;
            for (std::size_t i = 0; i < items.size(); ++i)
                if (held[i]) v.heldOut.push_back(items[i]);
            split.users.push_back(std::move(v));
        }
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!held[i]) kept.push_back({user, items[i], 1.0F, times[i]});
        }
    }
    split.train = data::InteractionMatrix::fromInteractions(kept, users, interactions.itemCount());
    return split;
}

double ndcgAtK(std::span<const float> scores, std::span<const data::Index> exclude,
               std::span<const data::Index> relevant, std::size_t k) {
    if (relevant.empty()) return 0.0;
    const auto top = topK(scores, k, exclude);
    std::vector<data::Index> list;
    list.reserve(top.size());
    for (const auto& scored : top) list.push_back(scored.item);
    return metrics::scoreUser(list, relevant, k).ndcg;
}

}  // namespace recdeck::models::detail

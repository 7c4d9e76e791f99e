#include "recdeck/models/item_knn_model.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>

#include <nlohmann/json.hpp>

#include "binary_io.h"
#include "history.h"
#include "item_users.h"
#include "params_json.h"
#include "recdeck/common/parallel.h"

namespace recdeck::models {

nlohmann::json ItemKnnModel::params() const {
    return {{"neighbours", m_params.neighbours}, {"shrinkage", m_params.shrinkage}, {"threads", m_params.threads}};
}

Result<ItemKnnParams> ItemKnnModel::parseParams(const nlohmann::json& json) {
    ItemKnnParams p;
    detail::ParamReader reader("itemknn", json);
    reader.onlyKeys({"neighbours", "shrinkage", "threads"});
    reader.number("neighbours", p.neighbours, 1, 1e7);
    reader.number("shrinkage", p.shrinkage, 0.0, 1e9);
    reader.number("threads", p.threads, 0, 1024);
    if (!reader.ok()) return reader.error();
    return p;
}

Status ItemKnnModel::train(const data::InteractionMatrix& interactions, const TaskControl& control) {
    const std::size_t items = interactions.itemCount();
    const detail::ItemUsers byItem(interactions);
    std::vector<std::uint32_t> popularity(items);
    for (std::size_t i = 0; i < items; ++i)
        popularity[i] = static_cast<std::uint32_t>(byItem.degree(static_cast<Index>(i)));

    struct Neighbour {
        Index item;
        float sim;
    };
    std::vector<std::vector<Neighbour>> rows(items);
    const unsigned threads = m_params.threads == 0 ? defaultThreadCount() : m_params.threads;
    // Items differ wildly in cost (a popular item meets most of the catalog), so workers
    // pull items from a shared counter instead of taking fixed ranges.
    std::atomic<std::size_t> nextItem{0};
    std::atomic<std::size_t> done{0};
    const std::size_t keep = m_params.neighbours;
    const auto shrink = static_cast<float>(m_params.shrinkage);
    parallelFor(threads, [&](std::size_t, std::size_t) {
        std::vector<std::uint32_t> counts(items, 0);
        std::vector<Index> touched;
        std::vector<Neighbour> candidates;
        for (;;) {
            if (control.cancelled()) return;
            const std::size_t i = nextItem.fetch_add(1, std::memory_order_relaxed);
            if (i >= items) return;
            touched.clear();
            for (Index user : byItem.usersOf(static_cast<Index>(i))) {
                for (Index j : interactions.itemsOf(user)) {
                    if (counts[j]++ == 0) touched.push_back(j);
                }
            }
            candidates.clear();
            const auto popI = static_cast<float>(popularity[i]);
            for (Index j : touched) {
                if (j != i) {
                    const float denominator = std::sqrt(popI * static_cast<float>(popularity[j])) + shrink;
                    candidates.push_back({j, static_cast<float>(counts[j]) / denominator});
                }
                counts[j] = 0;
            }
            auto better = [](const Neighbour& a, const Neighbour& b) {
                return a.sim > b.sim || (a.sim == b.sim && a.item < b.item);
            };
            if (candidates.size() > keep) {
                std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(keep),
                                 candidates.end(), better);
                candidates.resize(keep);
            }
            std::sort(candidates.begin(), candidates.end(),
                      [](const Neighbour& a, const Neighbour& b) { return a.item < b.item; });
            rows[i] = candidates;
            const std::size_t finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
            if (finished % 512 == 0) {
                control.report(static_cast<double>(finished) / static_cast<double>(items), "item similarities");
            }
        }
    });
    if (control.cancelled()) return Error::cancelled();

    m_offsets.assign(items + 1, 0);
    for (std::size_t i = 0; i < items; ++i) m_offsets[i + 1] = m_offsets[i] + rows[i].size();
    m_neighbours.resize(m_offsets.back());
    m_similarities.resize(m_offsets.back());
    for (std::size_t i = 0; i < items; ++i) {
        for (std::size_t k = 0; k < rows[i].size(); ++k) {
            m_neighbours[m_offsets[i] + k] = rows[i][k].item;
            m_similarities[m_offsets[i] + k] = rows[i][k].sim;
        }
    }
    m_popularity = std::move(popularity);
    control.report(1.0, "item similarities");
    return {};
}

void ItemKnnModel::scoreAll(const UserContext& user, std::span<float> out) const {
    assert(out.size() == itemCount());
    std::vector<Index> scratch;
    const auto history = detail::cleanHistory(user.history, itemCount(), scratch);
    if (history.empty()) {
        // Cold start: popularity, scaled into [0, 1].
        const auto top = static_cast<float>(std::max<std::uint32_t>(
            1, m_popularity.empty() ? 1 : *std::max_element(m_popularity.begin(), m_popularity.end())));
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(m_popularity[i]) / top;
        return;
    }
    std::fill(out.begin(), out.end(), 0.0F);
    for (Index h : history) {
        for (std::uint64_t k = m_offsets[h]; k < m_offsets[h + 1]; ++k) out[m_neighbours[k]] += m_similarities[k];
    }
}

float ItemKnnModel::similarity(Index a, Index b) const {
    if (a >= itemCount()) return 0.0F;
    const auto first = m_neighbours.begin() + static_cast<std::ptrdiff_t>(m_offsets[a]);
    const auto last = m_neighbours.begin() + static_cast<std::ptrdiff_t>(m_offsets[a + 1]);
    const auto it = std::lower_bound(first, last, b);
    if (it == last || *it != b) return 0.0F;
    return m_similarities[static_cast<std::size_t>(it - m_neighbours.begin())];
}

std::optional<Index> ItemKnnModel::explain(const UserContext& user, Index item) const {
    std::vector<Index> scratch;
    std::optional<Index> best;
    float bestSim = 0.0F;
    for (Index h : detail::cleanHistory(user.history, itemCount(), scratch)) {
        const float sim = similarity(h, item);
        if (sim > bestSim) {
            bestSim = sim;
            best = h;
        }
    }
    return best;
}

void ItemKnnModel::saveParameters(std::ostream& out) const {
    detail::BinaryWriter writer(out);
    writer.array(std::span<const std::uint32_t>(m_popularity));
    writer.array(std::span<const std::uint64_t>(m_offsets));
    writer.array(std::span<const Index>(m_neighbours));
    writer.array(std::span<const float>(m_similarities));
}

Status ItemKnnModel::loadParameters(std::istream& in) {
    detail::BinaryReader reader(in, "itemknn parameters");
    std::vector<std::uint32_t> popularity;
    std::vector<std::uint64_t> offsets;
    std::vector<Index> neighbours;
    std::vector<float> sims;
    if (!reader.array(popularity, "popularity") || !reader.array(offsets, "row offsets", popularity.size() + 1) ||
        !reader.array(neighbours, "neighbours") || !reader.array(sims, "similarities", neighbours.size())) {
        return Error{reader.error()};
    }
    // Structural checks, so a corrupted file cannot make scoring read out of bounds.
    if (offsets.front() != 0 || offsets.back() != neighbours.size()) {
        return Error{"itemknn parameters: row offsets do not cover the neighbour list"};
    }
    for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
        if (offsets[i] > offsets[i + 1]) return Error{"itemknn parameters: row offsets are not ascending"};
        for (std::uint64_t k = offsets[i]; k < offsets[i + 1]; ++k) {
            if (neighbours[k] >= popularity.size() || (k > offsets[i] && neighbours[k - 1] >= neighbours[k])) {
                return Error{"itemknn parameters: neighbour list of item " + std::to_string(i) +
                             " is out of range or unsorted"};
            }
        }
    }
    m_popularity = std::move(popularity);
    m_offsets = std::move(offsets);
    m_neighbours = std::move(neighbours);
    m_similarities = std::move(sims);
    return {};
}

}  // namespace recdeck::models

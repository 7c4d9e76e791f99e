#include "recdeck/data/interaction_matrix.h"

#include <algorithm>
#include <cassert>

namespace recdeck::data {

InteractionMatrix InteractionMatrix::fromDataset(const Dataset& dataset) {
    return fromInteractions(dataset.interactions, dataset.users.size(), dataset.catalog.size());
}

InteractionMatrix InteractionMatrix::fromInteractions(std::span<const Interaction> interactions, std::size_t users,
                                                      std::size_t items) {
    InteractionMatrix m;
    m.m_itemCount = items;
    // Counting sort by user, then sort each row by item and merge duplicates.
    std::vector<std::size_t> offsets(users + 1, 0);
    for (const Interaction& row : interactions) {
        assert(row.user < users && row.item < items);
        ++offsets[row.user + 1];
    }
    for (std::size_t u = 0; u < users; ++u) offsets[u + 1] += offsets[u];
    std::vector<std::pair<Index, std::int64_t>> raw(interactions.size());
    {
        std::vector<std::size_t> cursor(offsets.begin(), offsets.end() - 1);
        for (const Interaction& row : interactions) raw[cursor[row.user]++] = {row.item, row.timestamp};
    }
    m.m_rowOffsets.assign(users + 1, 0);
    m.m_items.reserve(raw.size());
    m.m_timestamps.reserve(raw.size());
    m.m_counts.reserve(raw.size());
    for (std::size_t u = 0; u < users; ++u) {
        auto first = raw.begin() + static_cast<std::ptrdiff_t>(offsets[u]);
        auto last = raw.begin() + static_cast<std::ptrdiff_t>(offsets[u + 1]);
        std::sort(first, last);
        for (auto it = first; it != last; ++it) {
            if (!m.m_items.empty() && m.m_items.size() > m.m_rowOffsets[u] && m.m_items.back() == it->first) {
                m.m_timestamps.back() = std::max(m.m_timestamps.back(), it->second);
                ++m.m_counts.back();
            } else {
                m.m_items.push_back(it->first);
                m.m_timestamps.push_back(it->second);
                m.m_counts.push_back(1);
            }
            m.m_latestTimestamp = std::max(m.m_latestTimestamp, it->second);
        }
        m.m_rowOffsets[u + 1] = m.m_items.size();
    }
    return m;
}

bool InteractionMatrix::contains(Index user, Index item) const {
    if (user >= userCount()) return false;
    const auto row = itemsOf(user);
    return std::binary_search(row.begin(), row.end(), item);
}

std::vector<std::uint32_t> InteractionMatrix::itemPopularity() const {
    std::vector<std::uint32_t> counts(m_itemCount, 0);
    for (Index item : m_items) ++counts[item];
    return counts;
}

Eigen::SparseMatrix<float, Eigen::RowMajor> InteractionMatrix::toEigen() const {
    using Matrix = Eigen::SparseMatrix<float, Eigen::RowMajor>;
    Matrix matrix(static_cast<Eigen::Index>(userCount()), static_cast<Eigen::Index>(m_itemCount));
    std::vector<Eigen::Triplet<float>> triplets;
    triplets.reserve(m_items.size());
    for (std::size_t u = 0; u < userCount(); ++u) {
        for (Index item : itemsOf(static_cast<Index>(u))) {
            triplets.emplace_back(static_cast<int>(u), static_cast<int>(item), 1.0F);
        }
    }
    matrix.setFromTriplets(triplets.begin(), triplets.end());
    matrix.makeCompressed();
    return matrix;
}

}  // namespace recdeck::data

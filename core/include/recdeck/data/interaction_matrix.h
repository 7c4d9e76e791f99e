#pragma once
// InteractionMatrix: the implicit-feedback matrix users x items in compressed sparse row
// form, duplicates merged (one entry per user-item pair, with the latest timestamp and the
// count of raw interactions). This is what models train on. Immutable once built.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/SparseCore>

#include "recdeck/data/dataset.h"

namespace recdeck::data {

class InteractionMatrix {
public:
    InteractionMatrix() = default;
    // rows = users.size(), cols = catalog.size() at the time of the call.
    static InteractionMatrix fromDataset(const Dataset& dataset);
    static InteractionMatrix fromInteractions(std::span<const Interaction> interactions, std::size_t users,
                                              std::size_t items);

    std::size_t userCount() const { return m_rowOffsets.empty() ? 0 : m_rowOffsets.size() - 1; }
    std::size_t itemCount() const { return m_itemCount; }
    std::size_t nonZeros() const { return m_items.size(); }

    // Items of a user, ascending by index.
    std::span<const Index> itemsOf(Index user) const {
        return {m_items.data() + m_rowOffsets[user], m_items.data() + m_rowOffsets[user + 1]};
    }
    std::span<const std::int64_t> timestampsOf(Index user) const {
        return {m_timestamps.data() + m_rowOffsets[user], m_timestamps.data() + m_rowOffsets[user + 1]};
    }
    std::span<const std::uint32_t> countsOf(Index user) const {
        return {m_counts.data() + m_rowOffsets[user], m_counts.data() + m_rowOffsets[user + 1]};
    }
    bool contains(Index user, Index item) const;
    // Number of distinct users per item.
    std::vector<std::uint32_t> itemPopularity() const;
    std::int64_t latestTimestamp() const { return m_latestTimestamp; }

    // Binary matrix (1 per entry) for linear-algebra models.
    Eigen::SparseMatrix<float, Eigen::RowMajor> toEigen() const;

    const std::vector<std::size_t>& rowOffsets() const { return m_rowOffsets; }
    const std::vector<Index>& columnIndices() const { return m_items; }

private:
    std::vector<std::size_t> m_rowOffsets;
    std::vector<Index> m_items;
    std::vector<std::int64_t> m_timestamps;
    std::vector<std::uint32_t> m_counts;
    std::size_t m_itemCount = 0;
    std::int64_t m_latestTimestamp = 0;
};

}  // namespace recdeck::data

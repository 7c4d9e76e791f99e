#pragma once
// ItemKnnModel: item-based collaborative filtering on binary implicit feedback.
// sim(i, j) = |U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + shrinkage), the cosine of the items'
// user sets damped for pairs with little support; each item keeps its `neighbours` most
// similar items (sparse rows). A user's score for item j is the sum of sim(h, j) over the
// history items h that have j among their neighbours. explain() names the history item
// most similar to the recommended one.
//
// Training walks co-occurrences sparsely (cost ~ sum over users of |history|^2) in
// parallel over items. Thread safety: as Model (immutable after train/load).

#include <cstdint>
#include <vector>

#include "recdeck/models/model.h"

namespace recdeck::models {

struct ItemKnnParams {
    std::size_t neighbours = 400;  // kept per item, >= 1
    double shrinkage = 100.0;      // added to the cosine denominator, >= 0
    unsigned threads = 0;          // worker threads for training, 0 = all hardware threads
};

class ItemKnnModel final : public Model {
public:
    explicit ItemKnnModel(ItemKnnParams params = {}) : m_params(params) {}

    std::string_view kind() const override { return "itemknn"; }
    nlohmann::json params() const override;
    static Result<ItemKnnParams> parseParams(const nlohmann::json& json);

    Status train(const data::InteractionMatrix& interactions, const TaskControl& control) override;
    std::size_t itemCount() const override { return m_popularity.size(); }
    void scoreAll(const UserContext& user, std::span<float> out) const override;
    std::optional<Index> explain(const UserContext& user, Index item) const override;
    void saveParameters(std::ostream& out) const override;
    Status loadParameters(std::istream& in) override;

    // sim(a, b) as stored (0 when b is not among a's neighbours).
    float similarity(Index a, Index b) const;
    std::size_t storedSimilarities() const { return m_neighbours.size(); }

private:
    ItemKnnParams m_params;
    std::vector<std::uint32_t> m_popularity;  // distinct users per item (cold-start order)
    // CSR rows: neighbours of item i at [m_offsets[i], m_offsets[i+1]), ascending by index.
    std::vector<std::uint64_t> m_offsets;
    std::vector<Index> m_neighbours;
    std::vector<float> m_similarities;
};

}  // namespace recdeck::models

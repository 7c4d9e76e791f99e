#pragma once
// BlendModel: a weighted sum of other models' scores, each standardised per user (mean 0,
// standard deviation 1 over the items it can score), so members on different scales
// count as their weights say. An item any member cannot score (-infinity) stays
// unscored. The default blend, EASE + implicit ALS at equal weight, is RecDeck's default
// model: the two make different errors (item-item regression vs low-rank factors) and
// on MovieLens validation splits their blend beat both members (figures in the notes at
// the top of tests/bench/bench_models.cpp).
//
// Thread safety: as Model (immutable after train/load).

#include <memory>
#include <vector>

#include "recdeck/models/model.h"

namespace recdeck::models {

struct BlendMember {
    std::unique_ptr<Model> model;
    double weight = 1.0;  // > 0
};

class BlendModel final : public Model {
public:
    // Members must not be blends. Use createModel("blend", params) to build from JSON:
    // {"members": [{"kind": "ease", "params": {...}, "weight": 1.0}, ...]}.
    explicit BlendModel(std::vector<BlendMember> members);
    static Result<std::unique_ptr<BlendModel>> fromParams(const nlohmann::json& params);

    std::string_view kind() const override { return "blend"; }
    nlohmann::json params() const override;

    // Trains the members one after another; progress is split between them.
    Status train(const data::InteractionMatrix& interactions, const TaskControl& control) override;
    std::size_t itemCount() const override;
    void scoreAll(const UserContext& user, std::span<float> out) const override;
    // The first member (in order) that can explain the item.
    std::optional<Index> explain(const UserContext& user, Index item) const override;
    void saveParameters(std::ostream& out) const override;
    Status loadParameters(std::istream& in) override;

    const std::vector<BlendMember>& members() const { return m_members; }

private:
    std::vector<BlendMember> m_members;
};

}  // namespace recdeck::models

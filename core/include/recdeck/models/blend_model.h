#pragma once
// BlendModel: a weighted sum of other models' scores, each standardised per user (mean 0,
// standard deviation 1 over the items it can score), so members on different scales
// count as their weights say. An item any member cannot score (-infinity) stays
// unscored. The default blend, EASE + implicit ALS at equal weight, is RecDeck's default
// model: the two make different errors (item-item regression vs low-rank factors) and
// on MovieLens validation splits their blend beat both members (figures in the notes at
// the top of tests/bench/bench_models.cpp).
//
// Self-tuning ("tune": true, the default blend's setting): before training, EASE's λ and
// ALS's weight are chosen on the training data alone. 20% of the items of up to 1,000
// users (those with at least 5 items) are held out; EASE is trained on the rest for each
// λ of a grid (100, 200, 400, 800; only 150 and 400 when the vocabulary exceeds 2,500
// items, where one EASE fit costs seconds), ALS once, and every (λ, ALS weight in
// {0, 0.5, 1, 1.5}) pair is scored by nDCG@10 on the held-out items with the blend's own
// standardised sum. The best pair is kept (ties favour the earlier, smaller candidate;
// weight 0 drops ALS) and the members are trained on all the data. The chosen values are
// the model's parameters (and so recorded in its file); tuningSummary() says what was
// tried. With fewer than 50 validation users the defaults are kept.
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
    explicit BlendModel(std::vector<BlendMember> members, bool tune = false);
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
    bool tunes() const { return m_tune; }
    // What the last self-tuning tried and chose, one line; empty when it did not run.
    const std::string& tuningSummary() const { return m_tuningSummary; }
    std::string trainingNote() const override {
        return m_tuningSummary.empty() ? std::string() : "tuned " + m_tuningSummary;
    }

private:
    Status tune(const data::InteractionMatrix& interactions, const TaskControl& control);

    std::vector<BlendMember> m_members;
    bool m_tune = false;
    std::string m_tuningSummary;
};

}  // namespace recdeck::models

#pragma once
// PopularityModel: ranks items by how many distinct users interacted with them, optionally
// time-decayed so recent interest counts more. The same scores for every user: the
// baseline every personalised model must beat, and the cold-start fallback.
//
// Thread safety: as Model (immutable after train/load).

#include <vector>

#include "recdeck/models/model.h"

namespace recdeck::models {

struct PopularityParams {
    // Half-life of an interaction's weight, in days, measured back from the training
    // matrix's latest timestamp (stray timestamps more than a year past the 99th
    // percentile are ignored for that). 0 = no decay (plain count of distinct users).
    double halfLifeDays = 0.0;
};

class PopularityModel final : public Model {
public:
    explicit PopularityModel(PopularityParams params = {}) : m_params(params) {}

    std::string_view kind() const override { return "popularity"; }
    nlohmann::json params() const override;
    static Result<PopularityParams> parseParams(const nlohmann::json& json);

    Status train(const data::InteractionMatrix& interactions, const TaskControl& control) override;
    std::size_t itemCount() const override { return m_scores.size(); }
    void scoreAll(const UserContext& user, std::span<float> out) const override;
    void saveParameters(std::ostream& out) const override;
    Status loadParameters(std::istream& in) override;

    // Per-item scores (distinct users, or their decayed weight).
    const std::vector<float>& scores() const { return m_scores; }

private:
    PopularityParams m_params;
    std::vector<float> m_scores;
};

}  // namespace recdeck::models

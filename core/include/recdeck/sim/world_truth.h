#pragma once
// WorldTruth: the ground truth of a SyntheticWorld (the demo world). A persona is a world
// user; appeal is the world's own truePreference(user, item), which already makes an
// average item a few percent likely and a well-matched one several times likelier.
//
//   clickProbability    = truePreference(user, item) * positionAttention(position, decay)
//   purchaseProbability = min(1, purchaseScale * truePreference(user, item))
//
// so a list that matches the user's latent taste earns more clicks and converts more of
// them. Items that are not in the world are never clicked.
//
// Ownership: shares the world. Thread-safe (immutable).

#include <memory>
#include <string>

#include "recdeck/data/synthetic_world.h"
#include "recdeck/sim/ground_truth.h"

namespace recdeck::sim {

struct WorldTruthParams {
    double positionDecay = kDefaultPositionDecay;  // (0, 1]
    double purchaseScale = 0.5;                    // purchase given click per unit of preference
};

class WorldTruth final : public GroundTruth {
public:
    explicit WorldTruth(std::shared_ptr<const data::SyntheticWorld> world, WorldTruthParams params = {});

    std::size_t personaCount() const override;
    const std::string& personaId(std::size_t persona) const override;
    double clickProbability(std::size_t persona, std::string_view item, std::size_t position) const override;
    double purchaseProbability(std::size_t persona, std::string_view item) const override;
    std::string describe() const override;

    const data::SyntheticWorld& world() const { return *m_world; }

private:
    double preference(std::size_t persona, std::string_view item) const;

    std::shared_ptr<const data::SyntheticWorld> m_world;
    WorldTruthParams m_params;
};

}  // namespace recdeck::sim

#include "recdeck/sim/world_truth.h"

#include <algorithm>
#include <cassert>

namespace recdeck::sim {

WorldTruth::WorldTruth(std::shared_ptr<const data::SyntheticWorld> world, WorldTruthParams params)
    : m_world(std::move(world)), m_params(params) {
    assert(m_world);
}

std::size_t WorldTruth::personaCount() const {
    return m_world->dataset().users.size();
}

const std::string& WorldTruth::personaId(std::size_t persona) const {
    return m_world->dataset().users.id(static_cast<data::Index>(persona));
}

double WorldTruth::preference(std::size_t persona, std::string_view item) const {
    assert(persona < personaCount());
    const auto index = m_world->dataset().catalog.items().find(item);
    if (!index) return 0.0;
    return m_world->truePreference(static_cast<data::Index>(persona), *index);
}

double WorldTruth::clickProbability(std::size_t persona, std::string_view item, std::size_t position) const {
    return preference(persona, item) * positionAttention(position, m_params.positionDecay);
}

double WorldTruth::purchaseProbability(std::size_t persona, std::string_view item) const {
    return std::clamp(m_params.purchaseScale * preference(persona, item), 0.0, 1.0);
}

std::string WorldTruth::describe() const {
    const auto& c = m_world->config();
    return "demo world (seed " + std::to_string(c.seed) + ", " + std::to_string(c.users) + " users, " +
           std::to_string(c.items) + " items)";
}

}  // namespace recdeck::sim

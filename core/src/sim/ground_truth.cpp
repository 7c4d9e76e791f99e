#include "recdeck/sim/ground_truth.h"

#include <algorithm>
#include <cmath>

namespace recdeck::sim {

double positionAttention(std::size_t position, double decay) {
    const double d = std::isfinite(decay) ? std::clamp(decay, 1e-9, 1.0) : 1.0;
    return std::pow(d, static_cast<double>(position));
}

}  // namespace recdeck::sim

#include "recdeck/sim/target.h"

namespace recdeck::sim {

std::string errorKindOf(std::string_view message) {
    const auto colon = message.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 32) return "other";
    for (std::size_t i = 0; i < colon; ++i) {
        const char c = message[i];
        const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!word) return "other";
    }
    return std::string(message.substr(0, colon));
}

std::string errorKindOf(const Error& error) {
    return errorKindOf(error.message);
}

}  // namespace recdeck::sim

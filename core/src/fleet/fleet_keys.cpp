#include "recdeck/fleet/fleet_keys.h"

#include <charconv>
#include <cstdio>
#include <random>

namespace recdeck::fleet {

namespace {
constexpr std::string_view kInstanceMeta = "fleet.instance";
}

Result<std::uint64_t> instanceIdOf(store::EventLog& log) {
    auto stored = log.meta(kInstanceMeta);
    if (!stored) return stored.error();
    if (stored->has_value()) {
        std::uint64_t id = 0;
        const std::string& text = **stored;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id, 16);
        if (ec == std::errc{} && end == text.data() + text.size() && id != 0) return id;
    }
    std::random_device device;
    std::uint64_t id = 0;
    while (id == 0) id = (static_cast<std::uint64_t>(device()) << 32U) ^ device();
    if (auto saved = log.setMeta(kInstanceMeta, instanceText(id)); !saved) return saved.error();
    return id;
}

std::string instanceText(std::uint64_t instance) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(instance));
    return buffer;
}

}  // namespace recdeck::fleet

#include "recdeck/store/event.h"

#include <array>
#include <utility>

namespace recdeck::store {

namespace {
constexpr std::array<std::pair<EventType, std::string_view>, 5> kNames = {{
    {EventType::Impression, "impression"},
    {EventType::Click, "click"},
    {EventType::AddToCart, "add_to_cart"},
    {EventType::Purchase, "purchase"},
    {EventType::Rating, "rating"},
}};
}  // namespace

std::string_view eventTypeName(EventType type) {
    for (const auto& [value, name] : kNames) {
        if (value == type) return name;
    }
    return "unknown";
}

std::optional<EventType> parseEventType(std::string_view name) {
    for (const auto& [value, text] : kNames) {
        if (text == name) return value;
    }
    return std::nullopt;
}

bool invalidatesUser(EventType type) {
    return type == EventType::Purchase || type == EventType::Rating || type == EventType::AddToCart;
}

}  // namespace recdeck::store

#pragma once
// Event: one user action the service learns from (impression, click, add_to_cart,
// purchase, rating). Ids are external strings, exactly as clients send them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recdeck::store {

enum class EventType { Impression, Click, AddToCart, Purchase, Rating };

// "impression", "click", "add_to_cart", "purchase", "rating".
std::string_view eventTypeName(EventType type);
std::optional<EventType> parseEventType(std::string_view name);
// Purchases, ratings and add-to-cart change what a user "has": they invalidate the user's
// cached recommendations and refresh their features.
bool invalidatesUser(EventType type);

struct Event {
    std::int64_t id = 0;  // sequence number assigned by the EventLog (> 0 once durable)
    EventType type = EventType::Click;
    std::int64_t timestampMs = 0;  // milliseconds since the Unix epoch
    std::string userId;
    std::string itemId;              // empty for an impression of several items
    std::vector<std::string> items;  // impressions: the items shown, best first
    double value = 0.0;              // rating value (0 when not a rating)
    std::string requestId;           // the recommendation request this event follows, if known
    std::string experiment;          // experiment key and variant the user was served under
    std::string variant;
    std::string model;
    // True only for an impression the service itself served (the Engine records one per
    // answer). Experiments count only these: an impression a client posts, whatever
    // experiment and variant it names, is not evidence.
    bool served = false;
};

}  // namespace recdeck::store

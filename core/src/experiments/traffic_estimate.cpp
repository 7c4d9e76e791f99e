#include "recdeck/experiments/traffic_estimate.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace recdeck::experiments {

namespace {

constexpr double kDayMs = 86'400'000.0;

struct Seen {
    std::int64_t firstImpressionMs = 0;
    bool impression = false;
    bool clicked = false;
    bool converted = false;
};

}  // namespace

double RecentTraffic::spanDays() const {
    return toMs > fromMs ? static_cast<double>(toMs - fromMs) / kDayMs : 0.0;
}

double RecentTraffic::newUsersPerDay() const {
    const double half = spanDays() / 2.0;
    return half > 0.0 ? static_cast<double>(newLaterUsers) / half : 0.0;
}

std::optional<double> RecentTraffic::baseline(Metric metric) const {
    switch (metric) {
        case Metric::ClickRate:
            if (users == 0) return std::nullopt;
            return static_cast<double>(clickers) / static_cast<double>(users);
        case Metric::ConversionRate:
            if (users == 0) return std::nullopt;
            return static_cast<double>(converters) / static_cast<double>(users);
        case Metric::Ctr:
            if (itemsShown == 0) return std::nullopt;
            return static_cast<double>(clicks) / static_cast<double>(itemsShown);
    }
    return std::nullopt;
}

std::optional<double> RecentTraffic::daysToReach(double needed, double coverage) const {
    if (!(needed > 0.0) || !(coverage > 0.0) || spanDays() <= 0.0) return std::nullopt;
    const double wanted = needed / coverage;  // distinct users of the whole traffic
    const double present = static_cast<double>(users);
    if (present > 0.0 && wanted <= present) return spanDays() * wanted / present;
    const double rate = newUsersPerDay();
    if (rate <= 0.0) return std::nullopt;
    return spanDays() + (wanted - present) / rate;
}

RecentTraffic summariseTraffic(std::span<const store::Event> events, std::int64_t fromMs, std::int64_t toMs) {
    RecentTraffic out;
    out.fromMs = fromMs;
    out.toMs = std::max(fromMs, toMs);
    std::unordered_map<std::string_view, Seen> users;
    users.reserve(events.size() / 4 + 1);
    for (const auto& e : events) {
        if (e.timestampMs < fromMs || e.timestampMs >= toMs) continue;
        Seen& seen = users[e.userId];
        switch (e.type) {
            case store::EventType::Impression:
                if (!seen.impression || e.timestampMs < seen.firstImpressionMs) seen.firstImpressionMs = e.timestampMs;
                seen.impression = true;
                out.itemsShown += e.items.empty() ? (e.itemId.empty() ? 0 : 1) : e.items.size();
                break;
            case store::EventType::Click:
                seen.clicked = true;
                ++out.clicks;
                break;
            case store::EventType::AddToCart:
            case store::EventType::Purchase:
                seen.converted = true;
                break;
            default:
                break;
        }
    }
    const std::int64_t middle = fromMs + (out.toMs - fromMs) / 2;
    for (const auto& [id, seen] : users) {
        if (!seen.impression) continue;  // acted on something shown before the span
        ++out.users;
        if (seen.firstImpressionMs >= middle) ++out.newLaterUsers;
        if (seen.clicked) ++out.clickers;
        if (seen.converted) ++out.converters;
    }
    return out;
}

}  // namespace recdeck::experiments

#include "recdeck/fleet/stream_event.h"

#include <bit>
#include <cstring>

#include "recdeck/common/byte_codec.h"

namespace recdeck::fleet {

namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kServed = 1U;
constexpr std::uint8_t kHasValue = 2U;
constexpr std::uint8_t kKnownFlags = kServed | kHasValue;
// More items than any list the service shows or an event may carry.
constexpr std::size_t kMaxItems = 10'000;

}  // namespace

std::string encodeStreamEvent(std::uint64_t instance, const store::Event& event) {
    std::string out;
    out.reserve(64 + event.userId.size() + event.itemId.size() + event.requestId.size() + event.items.size() * 12);
    out.push_back(static_cast<char>(kVersion));
    appendVarint(out, instance);
    appendVarint(out, static_cast<std::uint64_t>(event.id));
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(event.type)));
    appendVarint(out, static_cast<std::uint64_t>(event.timestampMs));
    const bool hasValue = event.value != 0.0;
    out.push_back(static_cast<char>((event.served ? kServed : 0U) | (hasValue ? kHasValue : 0U)));
    if (hasValue) appendU64(out, std::bit_cast<std::uint64_t>(event.value));
    appendShortString(out, event.userId);
    appendShortString(out, event.itemId);
    appendVarint(out, event.items.size());
    for (const auto& item : event.items) appendShortString(out, item);
    appendShortString(out, event.requestId);
    appendShortString(out, event.experiment);
    appendShortString(out, event.variant);
    appendShortString(out, event.model);
    return out;
}

Result<StreamEvent> decodeStreamEvent(std::string_view payload) {
    const auto bad = [](std::string_view what) { return Error::invalid("fleet stream entry: " + std::string(what)); };
    ByteReader in(payload);
    std::uint8_t version = 0;
    if (!in.byte(version)) return bad("empty");
    if (version != kVersion) return bad("unknown version " + std::to_string(version));
    StreamEvent out;
    std::uint64_t id = 0;
    std::uint64_t timestamp = 0;
    std::uint8_t type = 0;
    std::uint8_t flags = 0;
    if (!in.varint(out.instance) || !in.varint(id) || !in.byte(type) || !in.varint(timestamp) || !in.byte(flags))
        return bad("truncated header");
    if (type > static_cast<std::uint8_t>(store::EventType::Rating)) return bad("unknown event type");
    if ((flags & ~kKnownFlags) != 0) return bad("unknown flags");
    if (id > static_cast<std::uint64_t>(INT64_MAX) || timestamp > static_cast<std::uint64_t>(INT64_MAX))
        return bad("id or timestamp out of range");
    store::Event& e = out.event;
    e.id = static_cast<std::int64_t>(id);
    e.type = static_cast<store::EventType>(type);
    e.timestampMs = static_cast<std::int64_t>(timestamp);
    e.served = (flags & kServed) != 0;
    if ((flags & kHasValue) != 0) {
        std::uint64_t bits = 0;
        if (!in.u64(bits)) return bad("truncated value");
        e.value = std::bit_cast<double>(bits);
    }
    std::size_t items = 0;
    if (!in.shortString(e.userId) || !in.shortString(e.itemId) || !in.shortCount(items)) return bad("truncated ids");
    if (items > kMaxItems) return bad("too many items");
    e.items.resize(items);
    for (auto& item : e.items)
        if (!in.shortString(item)) return bad("truncated items");
    if (!in.shortString(e.requestId) || !in.shortString(e.experiment) || !in.shortString(e.variant) ||
        !in.shortString(e.model))
        return bad("truncated fields");
    if (!in.atEnd()) return bad("trailing bytes");
    return out;
}

}  // namespace recdeck::fleet

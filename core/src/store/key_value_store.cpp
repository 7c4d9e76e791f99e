#include "recdeck/store/key_value_store.h"

#include <array>
#include <cassert>
#include <charconv>
#include <utility>

namespace recdeck::store {

namespace {

constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

void appendEncoded(std::string& out, std::string_view part) {
    for (const char ch : part) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4U]);
            out.push_back(kHex[c & 0x0FU]);
        }
    }
}

template <typename Parts>
std::string joinEncoded(const Parts& parts) {
    assert(parts.size() > 0 && "keyOf needs at least one part");
    std::size_t length = parts.size();
    for (const auto& part : parts) length += part.size();
    std::string out;
    out.reserve(length + 8);
    bool first = true;
    for (const auto& part : parts) {
        if (!first) out.push_back(':');
        first = false;
        appendEncoded(out, part);
    }
    return out;
}

Error invalidArgument(std::string_view operation, std::string_view what) {
    return Error{std::string(operation) + ": " + std::string(what)};
}

}  // namespace

std::string encodeKeyPart(std::string_view part) {
    std::string out;
    out.reserve(part.size());
    appendEncoded(out, part);
    return out;
}

std::string keyOf(std::initializer_list<std::string_view> parts) {
    return joinEncoded(parts);
}

std::string keyOf(std::span<const std::string> parts) {
    return joinEncoded(parts);
}

std::string keyPrefixOf(std::initializer_list<std::string_view> parts) {
    std::string key = joinEncoded(parts);
    key.push_back(':');
    return key;
}

Result<std::vector<std::string>> decodeKey(std::string_view key) {
    std::vector<std::string> parts(1);
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char c = key[i];
        if (c == ':') {
            parts.emplace_back();
        } else if (c == '%') {
            const int high = i + 1 < key.size() ? hexValue(key[i + 1]) : -1;
            const int low = i + 2 < key.size() ? hexValue(key[i + 2]) : -1;
            if (high < 0 || low < 0)
                return Error{"key '" + printableKey(key) + "': byte " + std::to_string(i) +
                             ": '%' must be followed by two hex digits"};
            parts.back().push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else {
            parts.back().push_back(c);
        }
    }
    return parts;
}

std::string printableKey(std::string_view key) {
    constexpr std::size_t kMaxShown = 80;
    std::string out;
    for (const char ch : key) {
        if (out.size() >= kMaxShown) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out.push_back(ch);
        } else {
            out += "\\x";
            out.push_back(kHex[c >> 4U]);
            out.push_back(kHex[c & 0x0FU]);
        }
    }
    return out;
}

StringSpan::StringSpan(std::initializer_list<std::string_view> items) noexcept
    : m_views(std::data(items)), m_size(items.size()) {}

Subscription::Subscription(Subscription&& other) noexcept : m_cancel(std::exchange(other.m_cancel, nullptr)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        cancel();
        m_cancel = std::exchange(other.m_cancel, nullptr);
    }
    return *this;
}

Subscription::~Subscription() {
    cancel();
}

void Subscription::cancel() {
    if (auto cancelNow = std::exchange(m_cancel, nullptr)) cancelNow();
}

// --- argument checks shared by every implementation ---

Result<std::optional<std::string>> KeyValueStore::get(std::string_view key) {
    return doGet(key);
}

Result<std::vector<std::optional<std::string>>> KeyValueStore::getMany(StringSpan keys) {
    if (keys.empty()) return std::vector<std::optional<std::string>>{};
    return doGetMany(keys);
}

Status KeyValueStore::set(std::string_view key, std::string_view value, Ttl ttl) {
    if (ttl < Ttl::zero())
        return invalidArgument("set", "ttl must be > 0 ms, or kNoExpiry; got " + std::to_string(ttl.count()));
    return doSet(key, value, ttl);
}

Status KeyValueStore::setMany(std::span<const KeyValue> entries) {
    if (entries.empty()) return {};
    for (const auto& entry : entries)
        if (entry.ttl < Ttl::zero())
            return invalidArgument("setMany", "ttl of '" + printableKey(entry.key) +
                                                  "' must be > 0 ms, or kNoExpiry; got " +
                                                  std::to_string(entry.ttl.count()));
    return doSetMany(entries);
}

Result<std::size_t> KeyValueStore::remove(StringSpan keys) {
    if (keys.empty()) return std::size_t{0};
    return doRemove(keys);
}

Result<bool> KeyValueStore::expire(std::string_view key, Ttl ttl) {
    if (ttl <= Ttl::zero())
        return invalidArgument("expire",
                               "ttl must be > 0 ms (use remove() to delete); got " + std::to_string(ttl.count()));
    return doExpire(key, ttl);
}

Result<bool> KeyValueStore::setIfAbsent(std::string_view key, std::string_view value, Ttl ttl) {
    if (ttl < Ttl::zero())
        return invalidArgument("setIfAbsent", "ttl must be > 0 ms, or kNoExpiry; got " + std::to_string(ttl.count()));
    return doSetIfAbsent(key, value, ttl);
}

Result<std::vector<StreamId>> KeyValueStore::streamAppend(std::string_view key, StringSpan payloads,
                                                          std::size_t maxEntries) {
    if (payloads.empty()) return std::vector<StreamId>{};
    return doStreamAppend(key, payloads, maxEntries);
}

Result<std::vector<StreamRecord>> KeyValueStore::streamRead(std::string_view key, StreamId after, std::size_t count) {
    if (count == 0) return invalidArgument("streamRead", "count must be > 0");
    return doStreamRead(key, after, count);
}

Result<StreamInfo> KeyValueStore::streamInfo(std::string_view key) {
    return doStreamInfo(key);
}

namespace {
Error streamsNotSupported(const KeyValueStore& store) {
    return Error::unavailable("streams are not supported by the " + store.describe() +
                              " store: the fleet's event stream needs Redis");
}
}  // namespace

Result<std::vector<StreamId>> KeyValueStore::doStreamAppend(std::string_view, StringSpan, std::size_t) {
    return streamsNotSupported(*this);
}
Result<std::vector<StreamRecord>> KeyValueStore::doStreamRead(std::string_view, StreamId, std::size_t) {
    return streamsNotSupported(*this);
}
Result<StreamInfo> KeyValueStore::doStreamInfo(std::string_view) {
    return streamsNotSupported(*this);
}

std::string StreamId::text() const {
    return std::to_string(ms) + "-" + std::to_string(seq);
}

std::optional<StreamId> StreamId::parse(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
    StreamId id;
    const auto* begin = text.data();
    const auto* end = text.data() + text.size();
    auto [p1, e1] = std::from_chars(begin, begin + dash, id.ms);
    if (e1 != std::errc{} || p1 != begin + dash) return std::nullopt;
    auto [p2, e2] = std::from_chars(begin + dash + 1, end, id.seq);
    if (e2 != std::errc{} || p2 != end) return std::nullopt;
    return id;
}

Result<std::int64_t> KeyValueStore::increment(std::string_view key, std::int64_t delta) {
    return doIncrement(key, delta);
}

Result<std::size_t> KeyValueStore::setAdd(std::string_view key, StringSpan members) {
    if (members.empty()) return std::size_t{0};
    return doSetAdd(key, members);
}

Result<std::vector<std::string>> KeyValueStore::setMembers(std::string_view key) {
    return doSetMembers(key);
}

Result<std::size_t> KeyValueStore::setRemove(std::string_view key, StringSpan members) {
    if (members.empty()) return std::size_t{0};
    return doSetRemove(key, members);
}

Result<std::vector<SetAddResult>> KeyValueStore::setAddMany(std::span<const SetAddition> additions) {
    std::vector<SetAddition> filled;
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i < additions.size(); ++i) {
        const auto& addition = additions[i];
        if (addition.ttl < Ttl::zero())
            return invalidArgument("setAddMany", "ttl of '" + printableKey(addition.key) +
                                                     "' must be > 0 ms, or kNoExpiry; got " +
                                                     std::to_string(addition.ttl.count()));
        if (!addition.members.empty()) positions.push_back(i);
    }
    std::vector<SetAddResult> results(additions.size());
    if (positions.empty()) return results;
    if (positions.size() == additions.size()) {
        auto done = doSetAddMany(additions);
        if (!done) return done.error();
        return done;
    }
    filled.reserve(positions.size());
    for (const std::size_t i : positions) filled.push_back(additions[i]);
    auto done = doSetAddMany(filled);
    if (!done) return done.error();
    for (std::size_t k = 0; k < positions.size(); ++k) results[positions[k]] = (*done)[k];
    return results;
}

Result<std::size_t> KeyValueStore::hashSet(std::string_view key, const HashFields& fields) {
    if (fields.empty()) return std::size_t{0};
    return doHashSet(key, fields);
}

Result<HashFields> KeyValueStore::hashGetAll(std::string_view key) {
    return doHashGetAll(key);
}

Result<std::size_t> KeyValueStore::hashDelete(std::string_view key, StringSpan fields) {
    if (fields.empty()) return std::size_t{0};
    return doHashDelete(key, fields);
}

Result<ScanResult> KeyValueStore::scanPrefix(std::string_view prefix, std::size_t maxKeys) {
    if (maxKeys == 0) return invalidArgument("scanPrefix", "maxKeys must be > 0");
    return doScanPrefix(prefix, maxKeys);
}

Status KeyValueStore::publish(std::string_view channel, std::string_view message) {
    return doPublish(channel, message);
}

Result<Subscription> KeyValueStore::subscribe(std::string_view channel, MessageHandler onMessage, GapHandler onGap) {
    if (!onMessage) return invalidArgument("subscribe", "a message handler is required");
    return doSubscribe(channel, std::move(onMessage), std::move(onGap));
}

Status KeyValueStore::ping() {
    return doPing();
}

}  // namespace recdeck::store

#pragma once
// Checks for the strings RecDeck keeps when they come from outside (HTTP bodies, files,
// the console, Redis): ids, names and timestamps are checked once, where they enter,
// and the layers behind trust them. Each check returns "" when the value is acceptable,
// else what is wrong in words a client can act on (without echoing the value: it may
// be huge or binary).
//
// Thread safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace recdeck {

// Longest user or item id, in bytes.
inline constexpr std::size_t kMaxIdBytes = 256;
// Longest request id, in bytes.
inline constexpr std::size_t kMaxRequestIdBytes = 128;
// Longest model name, in bytes.
inline constexpr std::size_t kMaxModelNameBytes = 128;
// Earliest event time accepted: 2000-01-01T00:00:00Z in ms since the epoch. Anything
// earlier is a mistake (often seconds sent where milliseconds were expected).
inline constexpr std::int64_t kEarliestEventMs = 946'684'800'000;
// How far into the future an event time may lie (client clocks run ahead): one hour.
inline constexpr std::int64_t kEventClockSkewMs = 3'600'000;

// True when text is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view text);

// An id (user, item): 1..maxBytes bytes of valid UTF-8 without control characters
// (U+0000..U+001F, U+007F).
std::string idProblem(std::string_view text, std::size_t maxBytes = kMaxIdBytes);

// A name used as a label (model names): 1..maxBytes bytes of letters, digits, '_', '.',
// '-' (ASCII).
std::string nameProblem(std::string_view text, std::size_t maxBytes);

// An event time in ms since the epoch: within [kEarliestEventMs, nowMs + kEventClockSkewMs].
std::string eventTimeProblem(std::int64_t timestampMs, std::int64_t nowMs);

}  // namespace recdeck

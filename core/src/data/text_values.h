#pragma once
// Internal to the data module: parsing of the values found in ratings and items files
// (numbers, timestamps, dates) and text-encoding repair. Pure functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace recdeck::data::detail {

// Without leading and trailing spaces, tabs and carriage returns.
std::string_view trimBlank(std::string_view text);
bool isBlank(std::string_view text);

bool isValidUtf8(std::string_view text);
// Appends `text` read as Windows-1252 (Latin-1 with printable 0x80-0x9F) as UTF-8.
void appendLatin1AsUtf8(std::string_view text, std::string& out);
// `text` itself when it is valid UTF-8; otherwise its Latin-1 reading, stored in `scratch`
// (the result then views `scratch`), and `converted` is set.
std::string_view toUtf8(std::string_view text, std::string& scratch, bool& converted);

// Lower-case ASCII without ' ', '_', '-' and '.': "User ID" and "user_id" give "userid".
std::string normalizedHeaderName(std::string_view name);

// A finite decimal number ("4", "-1.5", "3e2", "+2"; a lone decimal comma "4,5" too).
std::optional<double> parseNumber(std::string_view text);
// Unix seconds from integer or decimal seconds, milliseconds (|v| >= 1e11), microseconds
// (>= 1e14), nanoseconds (>= 1e17), or an ISO 8601 date / date-time. `text` is trimmed
// by the caller and not empty.
std::optional<std::int64_t> parseTimestamp(std::string_view text);
// "YYYY-MM-DD", optionally followed by 'T' or ' ' and "hh:mm[:ss[.fraction]]" and a zone
// ("Z", "+hh", "+hh:mm", "+hhmm"); no zone means UTC. Unix seconds.
std::optional<std::int64_t> parseIsoDateTime(std::string_view text);
// MovieLens u.item release dates: "01-Jan-1995" (month name case-insensitive).
std::optional<std::int64_t> parseDayMonthYear(std::string_view text);
// January 1st of the year a MovieLens title ends with ("Heat (1995)"), if any.
std::optional<std::int64_t> releaseFromTitle(std::string_view title);

// `text` shortened to about `maxChars` and safe to show in a one-line message: control
// characters and bytes that are not UTF-8 become '?'.
std::string printable(std::string_view text, std::size_t maxChars = 60);

}  // namespace recdeck::data::detail

#include "text_values.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

namespace recdeck::data::detail {

namespace {

bool isBlankChar(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

char lowerAscii(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Windows-1252 code points of bytes 0x80-0x9F; the five unassigned bytes keep their C1
// code point, as decoders commonly do.
constexpr std::array<char32_t, 32> kWindows1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

void appendUtf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        // Every Windows-1252 code point is in the Basic Multilingual Plane.
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Parses exactly `digits` decimal digits at text[pos].
std::optional<int> fixedDigits(std::string_view text, std::size_t pos, std::size_t digits) {
    if (pos + digits > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = pos; i < pos + digits; ++i) {
        if (!isDigit(text[i])) return std::nullopt;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

std::optional<std::int64_t> daysFromCivil(int y, int m, int d) {
    using namespace std::chrono;
    if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    const year_month_day date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;
    return sys_days{date}.time_since_epoch().count();
}

std::int64_t floorDiv(std::int64_t value, std::int64_t divisor) {
    std::int64_t q = value / divisor;
    if ((value % divisor != 0) && ((value < 0) != (divisor < 0))) --q;
    return q;
}

// Divisor that turns a raw epoch number into seconds, chosen by magnitude.
std::int64_t epochUnitDivisor(double magnitude) {
    if (magnitude >= 1e17) return 1'000'000'000;
    if (magnitude >= 1e14) return 1'000'000;
    if (magnitude >= 1e11) return 1'000;
    return 1;
}

}  // namespace

std::string_view trimBlank(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && isBlankChar(text[begin])) ++begin;
    while (end > begin && isBlankChar(text[end - 1])) --end;
    return text.substr(begin, end - begin);
}

bool isBlank(std::string_view text) {
    for (char c : text) {
        if (!isBlankChar(c)) return false;
    }
    return true;
}

bool isValidUtf8(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;   // no overlong forms
            if (c == 0xED) high = 0x9F;  // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;
            if (c == 0xF4) high = 0x8F;  // nothing above U+10FFFF
        } else {
            return false;
        }
        if (i + length > n) return false;
        if (s[i + 1] < low || s[i + 1] > high) return false;
        for (std::size_t k = 2; k < length; ++k) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
        }
        i += length;
    }
    return true;
}

void appendLatin1AsUtf8(std::string_view text, std::string& out) {
    out.reserve(out.size() + text.size() + text.size() / 4);
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80 && byte <= 0x9F) {
            appendUtf8(kWindows1252High[byte - 0x80U], out);
        } else {
            appendUtf8(byte, out);
        }
    }
}

std::string_view toUtf8(std::string_view text, std::string& scratch, bool& converted) {
    bool ascii = true;
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii || isValidUtf8(text)) return text;
    scratch.clear();
    appendLatin1AsUtf8(text, scratch);
    converted = true;
    return scratch;
}

std::string normalizedHeaderName(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (char c : trimBlank(name)) {
        if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '"') continue;
        out.push_back(lowerAscii(c));
    }
    return out;
}

std::optional<double> parseNumber(std::string_view text) {
    text = trimBlank(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty() || text.size() > 64) return std::nullopt;
    auto parse = [](std::string_view s) -> std::optional<double> {
        double value = 0.0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
        return value;
    };
    if (auto value = parse(text)) return value;
    // A decimal comma, as written by spreadsheets in many locales.
    const auto comma = text.find(',');
    if (comma == std::string_view::npos || text.find(',', comma + 1) != std::string_view::npos ||
        text.find('.') != std::string_view::npos) {
        return std::nullopt;
    }
    std::string copy(text);
    copy[comma] = '.';
    return parse(copy);
}

std::optional<std::int64_t> parseTimestamp(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::string_view digits = text;
    if (digits.front() == '+') digits.remove_prefix(1);
    std::int64_t integer = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), integer);
    if (ec == std::errc() && end == digits.data() + digits.size()) {
        const double magnitude = std::fabs(static_cast<double>(integer));
        return floorDiv(integer, epochUnitDivisor(magnitude));
    }
    if (ec == std::errc() && end < digits.data() + digits.size() && (*end == '.' || *end == 'e' || *end == 'E')) {
        if (auto value = parseNumber(digits)) {
            const double seconds = std::floor(*value / static_cast<double>(epochUnitDivisor(std::fabs(*value))));
            // Beyond +-2^62 seconds is no date; refuse rather than overflow.
            if (std::fabs(seconds) < 4.6e18) return static_cast<std::int64_t>(seconds);
            return std::nullopt;
        }
    }
    return parseIsoDateTime(text);
}

std::optional<std::int64_t> parseIsoDateTime(std::string_view text) {
    // Date: YYYY-MM-DD.
    const auto year = fixedDigits(text, 0, 4);
    if (!year || text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    const auto month = fixedDigits(text, 5, 2);
    const auto day = fixedDigits(text, 8, 2);
    if (!month || !day) return std::nullopt;
    const auto days = daysFromCivil(*year, *month, *day);
    if (!days) return std::nullopt;
    std::int64_t seconds = *days * 86400;
    std::size_t pos = 10;
    if (pos == text.size()) return seconds;

    // Time: hh:mm[:ss[.fraction]].
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    ++pos;
    const auto hour = fixedDigits(text, pos, 2);
    if (!hour || pos + 5 > text.size() || text[pos + 2] != ':') return std::nullopt;
    const auto minute = fixedDigits(text, pos + 3, 2);
    if (!minute || *hour > 23 || *minute > 59) return std::nullopt;
    pos += 5;
    int second = 0;
    if (pos < text.size() && text[pos] == ':') {
        const auto s = fixedDigits(text, pos + 1, 2);
        if (!s || *s > 60) return std::nullopt;  // 60: a leap second
        second = *s;
        pos += 3;
        if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
            ++pos;
            const std::size_t fractionStart = pos;
            while (pos < text.size() && isDigit(text[pos])) ++pos;
            if (pos == fractionStart) return std::nullopt;
        }
    }
    seconds += *hour * 3600LL + *minute * 60LL + second;
    if (pos == text.size()) return seconds;

    // Zone: Z, +hh, +hh:mm, +hhmm (or -).
    if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return seconds;
    if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const auto zoneHours = fixedDigits(text, pos, 2);
    if (!zoneHours || *zoneHours > 23) return std::nullopt;
    pos += 2;
    int zoneMinutes = 0;
    if (pos < text.size()) {
        if (text[pos] == ':') ++pos;
        const auto m = fixedDigits(text, pos, 2);
        if (!m || *m > 59 || pos + 2 != text.size()) return std::nullopt;
        zoneMinutes = *m;
    }
    // Local time = UTC + offset, so UTC = local - offset.
    return seconds - sign * (*zoneHours * 3600LL + zoneMinutes * 60LL);
}

std::optional<std::int64_t> parseDayMonthYear(std::string_view text) {
    static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
    const auto firstDash = text.find('-');
    if (firstDash == std::string_view::npos || firstDash == 0 || firstDash > 2) return std::nullopt;
    const auto day = fixedDigits(text, 0, firstDash);
    if (!day || text.size() != firstDash + 9 || text[firstDash + 4] != '-') return std::nullopt;
    std::string monthName;
    for (char c : text.substr(firstDash + 1, 3)) monthName.push_back(lowerAscii(c));
    int month = 0;
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (kMonths[i] == monthName) month = static_cast<int>(i) + 1;
    }
    const auto year = fixedDigits(text, firstDash + 5, 4);
    if (month == 0 || !year) return std::nullopt;
    const auto days = daysFromCivil(*year, month, *day);
    if (!days) return std::nullopt;
    return *days * 86400;
}

std::optional<std::int64_t> releaseFromTitle(std::string_view title) {
    title = trimBlank(title);
    if (title.size() < 6 || title.back() != ')' || title[title.size() - 6] != '(') return std::nullopt;
    const auto year = fixedDigits(title, title.size() - 5, 4);
    if (!year || *year < 1800 || *year > 2200) return std::nullopt;
    const auto days = daysFromCivil(*year, 1, 1);
    if (!days) return std::nullopt;
    return *days * 86400;
}

std::string printable(std::string_view text, std::size_t maxChars) {
    std::string out;
    std::size_t chars = 0;
    std::size_t i = 0;
    while (i < text.size() && chars < maxChars) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7F) {
            out.push_back('?');
            ++i;
        } else if (byte < 0x80) {
            out.push_back(static_cast<char>(byte));
            ++i;
        } else {
            std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
            if (i + length <= text.size() && isValidUtf8(text.substr(i, length))) {
                out.append(text.substr(i, length));
                i += length;
            } else {
                out.push_back('?');
                ++i;
            }
        }
        ++chars;
    }
    if (i < text.size()) out += "...";
    return out;
}

}  // namespace recdeck::data::detail

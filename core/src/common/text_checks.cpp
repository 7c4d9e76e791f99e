#include "recdeck/common/text_checks.h"

#include <algorithm>

namespace recdeck {

bool isValidUtf8(std::string_view text) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t code = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            code = lead & 0x1FU;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            code = lead & 0x0FU;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            code = lead & 0x07U;
        } else {
            return false;  // a continuation byte without a lead, or 0xF8..0xFF
        }
        if (n - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3FU);
        }
        static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < kSmallest[length]) return false;          // overlong
        if (code > 0x10FFFF) return false;                   // beyond Unicode
        if (code >= 0xD800 && code <= 0xDFFF) return false;  // UTF-16 surrogates
        i += length;
    }
    return true;
}

std::string idProblem(std::string_view text, std::size_t maxBytes) {
    if (text.empty()) return "must not be empty";
    if (text.size() > maxBytes) {
        return "must be at most " + std::to_string(maxBytes) + " bytes, got " + std::to_string(text.size());
    }
    const bool control = std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7F;
    });
    if (control) return "must not contain control characters";
    if (!isValidUtf8(text)) return "must be valid UTF-8";
    return {};
}

std::string nameProblem(std::string_view text, std::size_t maxBytes) {
    if (text.empty()) return "must not be empty";
    if (text.size() > maxBytes) {
        return "must be at most " + std::to_string(maxBytes) + " bytes, got " + std::to_string(text.size());
    }
    const bool allowed = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
    if (!allowed) return "may contain only letters, digits, '_', '.' and '-'";
    return {};
}

std::string eventTimeProblem(std::int64_t timestampMs, std::int64_t nowMs) {
    if (timestampMs < kEarliestEventMs) {
        // Seconds since the epoch for a recent date fall here.
        const bool looksLikeSeconds = timestampMs >= kEarliestEventMs / 1000 && timestampMs < kEarliestEventMs;
        return std::string("must be milliseconds since the Unix epoch, not before 2000-01-01") +
               (looksLikeSeconds ? " (this looks like seconds: multiply by 1000)" : "");
    }
    if (timestampMs > nowMs + kEventClockSkewMs) return "lies more than an hour in the future";
    return {};
}

}  // namespace recdeck

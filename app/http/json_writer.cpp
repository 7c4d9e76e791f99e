#include "recdeck/http/json_writer.h"

#include <charconv>
#include <cmath>

namespace recdeck::http {

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if it is not valid.
std::size_t utf8Length(std::string_view text, std::size_t i) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t minimum = 0;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) {
        length = 2;
        minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        length = 3;
        minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        length = 4;
        minimum = 0x10000;
    } else
        return 0;
    if (i + length > text.size()) return 0;
    std::uint32_t code = c & (0xFFU >> (length + 1));
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0) != 0x80) return 0;
        code = (code << 6) | (next & 0x3FU);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return length;
}

}  // namespace

bool isValidUtf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t length = utf8Length(text, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

void JsonWriter::string(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    m_out.push_back('"');
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            // Copy a run of plain ASCII at once.
            std::size_t end = i + 1;
            while (end < text.size()) {
                const auto d = static_cast<unsigned char>(text[end]);
                if (d < 0x20 || d == '"' || d == '\\' || d >= 0x80) break;
                ++end;
            }
            m_out.append(text.substr(i, end - i));
            i = end;
            continue;
        }
        switch (c) {
            case '"':
                m_out.append("\\\"");
                ++i;
                continue;
            case '\\':
                m_out.append("\\\\");
                ++i;
                continue;
            case '\n':
                m_out.append("\\n");
                ++i;
                continue;
            case '\r':
                m_out.append("\\r");
                ++i;
                continue;
            case '\t':
                m_out.append("\\t");
                ++i;
                continue;
            default:
                break;
        }
        if (c < 0x20) {
            m_out.append("\\u00");
            m_out.push_back(kHex[c >> 4]);
            m_out.push_back(kHex[c & 0xF]);
            ++i;
            continue;
        }
        const std::size_t length = utf8Length(text, i);
        if (length == 0) {
            m_out.append("\xEF\xBF\xBD");  // U+FFFD for a byte that is not valid UTF-8
            ++i;
        } else {
            m_out.append(text.substr(i, length));
            i += length;
        }
    }
    m_out.push_back('"');
}

void JsonWriter::number(double value) {
    if (!std::isfinite(value)) {
        null();
        return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_out.append(buffer, result.ptr);
}

void JsonWriter::number(std::int64_t value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_out.append(buffer, result.ptr);
}

void JsonWriter::number(std::uint64_t value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_out.append(buffer, result.ptr);
}

void JsonWriter::key(std::string_view name, bool first) {
    if (!first) m_out.push_back(',');
    string(name);
    m_out.push_back(':');
}

}  // namespace recdeck::http

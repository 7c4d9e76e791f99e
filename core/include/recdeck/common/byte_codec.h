#pragma once
// Compact little-endian encoding into strings, for values kept in a key-value store or a
// cache (not for files: see the models' format). ByteReader checks every length against
// the bytes left, so a truncated or corrupted value reads as a failure, never a crash.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace recdeck {

inline void appendU64(std::string& out, std::uint64_t value) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFU));
}

// LEB128: 7 bits a byte, low first; 1 byte below 128, at most 10.
inline void appendVarint(std::string& out, std::uint64_t value) {
    while (value >= 0x80U) {
        out.push_back(static_cast<char>((value & 0x7FU) | 0x80U));
        value >>= 7U;
    }
    out.push_back(static_cast<char>(value));
}

// A varint length, then the bytes.
inline void appendShortString(std::string& out, std::string_view text) {
    appendVarint(out, text.size());
    out.append(text);
}

// A u64 length, then the bytes.
inline void appendString(std::string& out, std::string_view text) {
    appendU64(out, text.size());
    out.append(text);
}

class ByteReader {
public:
    explicit ByteReader(std::string_view bytes) : m_bytes(bytes) {}

    bool byte(std::uint8_t& value) {
        if (m_pos >= m_bytes.size()) return false;
        value = static_cast<std::uint8_t>(m_bytes[m_pos++]);
        return true;
    }
    bool u64(std::uint64_t& value) {
        if (m_bytes.size() - m_pos < 8) return false;
        value = 0;
        for (std::size_t i = 0; i < 8; ++i) {
            value |= static_cast<std::uint64_t>(static_cast<unsigned char>(m_bytes[m_pos + i])) << (8 * i);
        }
        m_pos += 8;
        return true;
    }
    // A count that cannot exceed the bytes of the value (each element takes >= 1 byte).
    bool count(std::size_t& value) {
        std::uint64_t raw = 0;
        if (!u64(raw) || raw > m_bytes.size()) return false;
        value = static_cast<std::size_t>(raw);
        return true;
    }
    bool string(std::string& text) {
        std::size_t length = 0;
        if (!count(length) || length > m_bytes.size() - m_pos) return false;
        text.assign(m_bytes.substr(m_pos, length));
        m_pos += length;
        return true;
    }
    bool varint(std::uint64_t& value) {
        value = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            std::uint8_t b = 0;
            if (!byte(b)) return false;
            value |= static_cast<std::uint64_t>(b & 0x7FU) << shift;
            if ((b & 0x80U) == 0) return shift < 63 || b <= 1;  // the 10th byte holds 1 bit
        }
        return false;
    }
    // appendShortString's form; the length cannot exceed the bytes left.
    bool shortString(std::string& text) {
        std::uint64_t length = 0;
        if (!varint(length) || length > m_bytes.size() - m_pos) return false;
        text.assign(m_bytes.substr(m_pos, static_cast<std::size_t>(length)));
        m_pos += static_cast<std::size_t>(length);
        return true;
    }
    // A varint count of elements that each take at least one byte.
    bool shortCount(std::size_t& value) {
        std::uint64_t raw = 0;
        if (!varint(raw) || raw > m_bytes.size() - m_pos) return false;
        value = static_cast<std::size_t>(raw);
        return true;
    }
    bool atEnd() const { return m_pos == m_bytes.size(); }

private:
    std::string_view m_bytes;
    std::size_t m_pos = 0;
};

}  // namespace recdeck

#pragma once
// Little-endian binary encoding for model files. Every read is bounds-checked against the
// bytes left in the stream, so a truncated or corrupted file yields an error, never a
// huge allocation or a crash. Internal to the models module.

#include <bit>
#include <cstdint>
#include <cstring>
#include <istream>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace recdeck::models::detail {

template <typename T>
T byteSwap(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
    std::memcpy(&value, bytes, sizeof(T));
    return value;
}

class BinaryWriter {
public:
    explicit BinaryWriter(std::ostream& out) : m_out(out) {}

    template <typename T>
    void scalar(T value) {
        static_assert(std::is_arithmetic_v<T>);
        if constexpr (std::endian::native != std::endian::little) value = byteSwap(value);
        m_out.write(reinterpret_cast<const char*>(&value), sizeof(T));
    }
    void u32(std::uint32_t v) { scalar(v); }
    void u64(std::uint64_t v) { scalar(v); }
    void f32(float v) { scalar(v); }
    void f64(double v) { scalar(v); }

    void string(std::string_view s) {
        u64(s.size());
        m_out.write(s.data(), static_cast<std::streamsize>(s.size()));
    }
    // A length-prefixed array of arithmetic values.
    template <typename T>
    void array(std::span<const T> values) {
        static_assert(std::is_arithmetic_v<T>);
        u64(values.size());
        if constexpr (std::endian::native == std::endian::little) {
            m_out.write(reinterpret_cast<const char*>(values.data()),
                        static_cast<std::streamsize>(values.size_bytes()));
        } else {
            for (T v : values) scalar(v);
        }
    }
    bool ok() const { return static_cast<bool>(m_out); }

private:
    std::ostream& m_out;
};

class BinaryReader {
public:
    // `what` names the source in error messages ("model parameters").
    BinaryReader(std::istream& in, std::string what) : m_in(in), m_what(std::move(what)) {
        const auto start = m_in.tellg();
        if (start != std::streampos(-1)) {
            m_in.seekg(0, std::ios::end);
            const auto end = m_in.tellg();
            m_in.seekg(start);
            if (end != std::streampos(-1) && end >= start) m_remaining = static_cast<std::uint64_t>(end - start);
        }
    }

    bool failed() const { return !m_error.empty(); }
    const std::string& error() const { return m_error; }
    std::uint64_t remaining() const { return m_remaining; }

    template <typename T>
    bool scalar(T& value, std::string_view field) {
        static_assert(std::is_arithmetic_v<T>);
        if (!raw(&value, sizeof(T), field)) return false;
        if constexpr (std::endian::native != std::endian::little) value = byteSwap(value);
        return true;
    }
    bool u32(std::uint32_t& v, std::string_view field) { return scalar(v, field); }
    bool u64(std::uint64_t& v, std::string_view field) { return scalar(v, field); }
    bool f32(float& v, std::string_view field) { return scalar(v, field); }
    bool f64(double& v, std::string_view field) { return scalar(v, field); }

    bool string(std::string& s, std::string_view field) {
        std::uint64_t size = 0;
        if (!u64(size, field) || !checkAvailable(size, 1, field)) return false;
        s.resize(static_cast<std::size_t>(size));
        return raw(s.data(), s.size(), field);
    }
    // Reads a length-prefixed array; `expected` (if not npos) is the length it must have.
    template <typename T>
    bool array(std::vector<T>& values, std::string_view field,
               std::uint64_t expected = std::numeric_limits<std::uint64_t>::max()) {
        static_assert(std::is_arithmetic_v<T>);
        std::uint64_t count = 0;
        if (!u64(count, field)) return false;
        if (expected != std::numeric_limits<std::uint64_t>::max() && count != expected) {
            return fail(std::string(field) + ": expected " + std::to_string(expected) + " values, found " +
                        std::to_string(count));
        }
        if (!checkAvailable(count, sizeof(T), field)) return false;
        values.resize(static_cast<std::size_t>(count));
        if (!raw(values.data(), values.size() * sizeof(T), field)) return false;
        if constexpr (std::endian::native != std::endian::little) {
            for (T& v : values) v = byteSwap(v);
        }
        return true;
    }

    bool fail(std::string message) {
        if (m_error.empty()) m_error = m_what + ": " + std::move(message);
        return false;
    }

private:
    bool checkAvailable(std::uint64_t count, std::size_t elementSize, std::string_view field) {
        if (count > m_remaining / elementSize) {
            return fail(std::string(field) + ": declares " + std::to_string(count) + " elements but only " +
                        std::to_string(m_remaining) + " bytes remain (truncated or corrupted)");
        }
        return true;
    }
    bool raw(void* data, std::size_t size, std::string_view field) {
        if (failed()) return false;
        if (size > m_remaining) return fail(std::string(field) + ": unexpected end of data (truncated)");
        m_in.read(static_cast<char*>(data), static_cast<std::streamsize>(size));
        if (static_cast<std::size_t>(m_in.gcount()) != size) {
            return fail(std::string(field) + ": unexpected end of data (truncated)");
        }
        m_remaining -= size;
        return true;
    }

    std::istream& m_in;
    std::string m_what;
    std::string m_error;
    std::uint64_t m_remaining = std::numeric_limits<std::uint64_t>::max();
};

}  // namespace recdeck::models::detail

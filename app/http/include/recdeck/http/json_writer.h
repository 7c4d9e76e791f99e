#pragma once
// JsonWriter: appends JSON text to a string without building a document — for the
// recommendation answer, the hot path of the service. Strings are escaped per RFC 8259
// (invalid UTF-8 is replaced by U+FFFD); numbers use the shortest round-trip form;
// non-finite numbers are written as null.

#include <cstdint>
#include <string>
#include <string_view>

namespace recdeck::http {

// True when text is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool isValidUtf8(std::string_view text);

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : m_out(out) {}

    void raw(std::string_view text) { m_out.append(text); }
    void string(std::string_view text);
    void number(double value);
    void number(std::int64_t value);
    void number(std::uint64_t value);
    void boolean(bool value) { m_out.append(value ? "true" : "false"); }
    void null() { m_out.append("null"); }
    // "key": (with a comma before it unless first)
    void key(std::string_view name, bool first = false);
    // A string, or null when empty.
    void stringOrNull(std::string_view text) {
        if (text.empty())
            null();
        else
            string(text);
    }

private:
    std::string& m_out;
};

}  // namespace recdeck::http

#pragma once
// Strict reading of hyper-parameter JSON: unknown keys and wrong types are errors that
// name the model and the field. Internal.

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "recdeck/common/result.h"

namespace recdeck::models::detail {

class ParamReader {
public:
    ParamReader(std::string_view kind, const nlohmann::json& json) : m_kind(kind), m_json(json) {
        if (!m_json.is_null() && !m_json.is_object()) fail("parameters must be a JSON object");
    }

    // Reads a number in [min, max] into `value` if present.
    template <typename T>
    void number(const char* key, T& value, double min, double max) {
        if (!m_error.empty() || !m_json.is_object() || !m_json.contains(key)) return;
        const auto& v = m_json.at(key);
        if (!v.is_number()) {
            fail(std::string("'") + key + "' must be a number");
            return;
        }
        const double d = v.get<double>();
        if (!(d >= min && d <= max)) {
            fail(std::string("'") + key + "' must be in [" + format(min) + ", " + format(max) + "], got " + v.dump());
            return;
        }
        if constexpr (std::is_integral_v<T>) {
            if (!v.is_number_integer() && !v.is_number_unsigned()) {
                fail(std::string("'") + key + "' must be an integer, got " + v.dump());
                return;
            }
        }
        value = static_cast<T>(d);
    }
    void boolean(const char* key, bool& value) {
        if (!m_error.empty() || !m_json.is_object() || !m_json.contains(key)) return;
        const auto& v = m_json.at(key);
        if (!v.is_boolean()) {
            fail(std::string("'") + key + "' must be true or false");
            return;
        }
        value = v.get<bool>();
    }
    // Every key must be one of `known`.
    void onlyKeys(std::initializer_list<const char*> known) {
        if (!m_error.empty() || !m_json.is_object()) return;
        for (const auto& [key, unused] : m_json.items()) {
            bool found = false;
            for (const char* k : known) found = found || key == k;
            if (!found) {
                std::string list;
                for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
                fail("unknown parameter '" + key + "' (expected one of: " + list + ")");
                return;
            }
        }
    }
    void fail(const std::string& message) {
        if (m_error.empty()) m_error = std::string(m_kind) + " parameters: " + message;
    }
    bool ok() const { return m_error.empty(); }
    Error error() const { return Error{m_error}; }

private:
    static std::string format(double v) {
        nlohmann::json j = v;
        if (v == static_cast<double>(static_cast<long long>(v)) && v > -1e15 && v < 1e15) {
            j = static_cast<long long>(v);
        }
        return j.dump();
    }
    std::string_view m_kind;
    const nlohmann::json& m_json;
    std::string m_error;
};

}  // namespace recdeck::models::detail

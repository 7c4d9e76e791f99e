#include "recdeck/http/json_body.h"

#include <string>

namespace recdeck::http {

namespace {

using nlohmann::json;

// Builds the document with nlohmann's own DOM builder, refusing (returning false, which
// stops the parser at once) as soon as a limit is passed.
class BoundedSax {
public:
    BoundedSax(json& root, const JsonLimits& limits) : m_dom(root, false), m_limits(limits) {}

    bool null() { return counted() && m_dom.null(); }
    bool boolean(bool value) { return counted() && m_dom.boolean(value); }
    bool number_integer(json::number_integer_t value) { return counted() && m_dom.number_integer(value); }
    bool number_unsigned(json::number_unsigned_t value) { return counted() && m_dom.number_unsigned(value); }
    bool number_float(json::number_float_t value, const json::string_t& text) {
        return counted() && m_dom.number_float(value, text);
    }
    bool string(json::string_t& value) { return counted() && m_dom.string(value); }
    bool binary(json::binary_t& value) { return counted() && m_dom.binary(value); }
    bool start_object(std::size_t length) { return deeper() && m_dom.start_object(length); }
    bool key(json::string_t& value) { return m_dom.key(value); }
    bool end_object() {
        --m_depth;
        return m_dom.end_object();
    }
    bool start_array(std::size_t length) { return deeper() && m_dom.start_array(length); }
    bool end_array() {
        --m_depth;
        return m_dom.end_array();
    }
    bool parse_error(std::size_t position, const std::string& /*token*/, const nlohmann::detail::exception& /*error*/) {
        if (m_problem.empty()) {
            m_problem = "body: not valid JSON (at byte " + std::to_string(position > 0 ? position - 1 : 0) + ")";
        }
        return false;
    }

    const std::string& problem() const { return m_problem; }

private:
    bool counted() {
        if (++m_values <= m_limits.maxValues) return true;
        m_problem = "body: more than " + std::to_string(m_limits.maxValues) + " JSON values";
        return false;
    }
    bool deeper() {
        if (!counted()) return false;
        if (++m_depth <= m_limits.maxDepth) return true;
        m_problem = "body: JSON nested deeper than " + std::to_string(m_limits.maxDepth) + " levels";
        return false;
    }

    nlohmann::detail::json_sax_dom_parser<json> m_dom;
    const JsonLimits& m_limits;
    std::size_t m_depth = 0;
    std::size_t m_values = 0;
    std::string m_problem;
};

}  // namespace

Result<json> parseJson(std::string_view text, const JsonLimits& limits) {
    json document;
    BoundedSax sax(document, limits);
    const bool ok = json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json, true);
    if (!ok || !sax.problem().empty()) {
        // A half-built document is flat enough to free (its depth is bounded), but it is
        // never handed out.
        return Error::invalid(sax.problem().empty() ? std::string("body: not valid JSON") : sax.problem());
    }
    return document;
}

}  // namespace recdeck::http

#include "recdeck/http/request_parser.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>

namespace recdeck::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

std::string_view view(beast::string_view text) {
    return {text.data(), text.size()};
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// The headers the API reads (request.header() names), lower case.
const char* keptName(bhttp::field name) {
    switch (name) {
        case bhttp::field::host:
            return "host";
        case bhttp::field::origin:
            return "origin";
        case bhttp::field::content_type:
            return "content-type";
        case bhttp::field::authorization:
            return "authorization";
        default:
            return nullptr;
    }
}

}  // namespace

bool BodyBudget::take(std::size_t bytes) {
    std::size_t used = m_used.load(std::memory_order_relaxed);
    do {
        if (used + bytes > m_limit) return false;
    } while (!m_used.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
}

RequestParser::RequestParser(const HttpLimits& limits, BodyBudget* budget, HttpRequest& into)
    : m_limits(limits), m_budget(budget), m_request(into) {
    header_limit(static_cast<std::uint32_t>(m_limits.maxHeaderBytes));
    body_limit(static_cast<std::uint64_t>(m_limits.maxBodyBytes));
    m_request.method.clear();
    m_request.path.clear();
    m_request.segments.clear();
    m_request.query.clear();
    m_request.headers.clear();
    // An idle connection keeps a small body buffer, not the last large one.
    if (m_request.body.capacity() > 16 * 1024) std::string().swap(m_request.body);
    m_request.body.clear();
}

RequestParser::RequestParser(const HttpLimits& limits, BodyBudget* budget) : RequestParser(limits, budget, m_own) {}

RequestParser::~RequestParser() {
    if (m_budget != nullptr && m_reserved > 0) m_budget->give(m_reserved);
}

void RequestParser::refuse(int status, std::string code, std::string detail, beast::error_code& ec) {
    m_refusal = {status, std::move(code), std::move(detail)};
    ec = bhttp::error::bad_value;
}

void RequestParser::on_request_impl(bhttp::verb, beast::string_view methodText, beast::string_view target, int version,
                                    beast::error_code& ec) {
    if (version != 10 && version != 11) {
        return refuse(505, "http_version_not_supported", "this server speaks HTTP/1.0 and HTTP/1.1", ec);
    }
    m_request.method.assign(methodText.data(), methodText.size());
    if (auto status = setTarget(m_request, view(target)); !status) {
        return refuse(400, "bad_request", status.errorMessage(), ec);
    }
}

void RequestParser::on_response_impl(int, beast::string_view, int, beast::error_code& ec) {
    ec = bhttp::error::bad_version;  // never called for a request parser
}

void RequestParser::on_field_impl(bhttp::field name, beast::string_view nameText, beast::string_view value,
                                  beast::error_code& ec) {
    if (m_headerDone) return refuse(400, "bad_request", "chunk trailers are not accepted", ec);
    if (++m_fields > m_limits.maxHeaderFields) {
        return refuse(431, "header_too_large",
                      "more than " + std::to_string(m_limits.maxHeaderFields) + " header fields", ec);
    }
    const std::string_view text = view(value);
    switch (name) {
        case bhttp::field::content_length:
            if (m_contentLength) return refuse(400, "bad_request", "Content-Length is given more than once", ec);
            m_contentLength = true;
            if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                return refuse(400, "bad_request", "Content-Length must be a decimal number of bytes", ec);
            }
            return;
        case bhttp::field::transfer_encoding:
            if (m_transferEncoding) return refuse(400, "bad_request", "Transfer-Encoding is given more than once", ec);
            m_transferEncoding = true;
            if (!iequals(text, "chunked")) {
                return refuse(400, "bad_request", "the only Transfer-Encoding accepted is chunked", ec);
            }
            return;
        case bhttp::field::expect:
            if (!iequals(text, "100-continue")) {
                return refuse(417, "expectation_failed", "the only expectation accepted is 100-continue", ec);
            }
            m_expectContinue = true;
            return;
        default:
            break;
    }
    const char* kept = keptName(name);
    // By its text: Beast names it field::sec_fetch_site from Boost 1.83 on, field::unknown before.
    if (kept == nullptr && iequals(view(nameText), "sec-fetch-site")) {
        kept = "sec-fetch-site";
    }
    if (kept == nullptr) return;
    if (m_request.header(kept) != nullptr) {
        return refuse(400, "bad_request", std::string("the ") + kept + " header is given more than once", ec);
    }
    m_request.headers.emplace_back(kept, std::string(text));
}

void RequestParser::on_header_impl(beast::error_code& ec) {
    m_headerDone = true;
    if (m_transferEncoding && m_contentLength) {
        // Beast refuses the pair too; kept here so the rule does not depend on its version.
        return refuse(400, "bad_request", "Content-Length and Transfer-Encoding together", ec);
    }
}

void RequestParser::on_body_init_impl(boost::optional<std::uint64_t> const& contentLength, beast::error_code& ec) {
    // Chunked bodies have no announced length: they reserve the most they may grow to.
    const std::size_t wanted =
        contentLength ? static_cast<std::size_t>(std::min<std::uint64_t>(*contentLength, m_limits.maxBodyBytes))
                      : m_limits.maxBodyBytes;
    if (wanted == 0) return;
    if (m_budget != nullptr) {
        if (!m_budget->take(wanted)) {
            return refuse(503, "busy", "the server is reading too many request bodies at once; retry shortly", ec);
        }
        m_reserved = wanted;
    }
    if (contentLength) m_request.body.reserve(wanted);
}

std::size_t RequestParser::on_body_impl(beast::string_view body, beast::error_code&) {
    m_request.body.append(body.data(), body.size());
    return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code& ec) {
    if (m_request.body.size() + body.size() > m_limits.maxBodyBytes) {
        ec = bhttp::error::body_limit;
        return 0;
    }
    m_request.body.append(body.data(), body.size());
    return body.size();
}

void RequestParser::on_finish_impl(beast::error_code&) {}

Refusal RequestParser::refusal(const beast::error_code& error) const {
    if (m_refusal.status != 0) return m_refusal;
    if (error == bhttp::error::header_limit || error == bhttp::error::buffer_overflow) {
        return {431, "header_too_large",
                "the request line and headers are larger than " + std::to_string(m_limits.maxHeaderBytes) + " bytes"};
    }
    if (error == bhttp::error::bad_version) {
        return {505, "http_version_not_supported", "this server speaks HTTP/1.0 and HTTP/1.1"};
    }
    if (error == bhttp::error::body_limit) {
        return {
            413, "payload_too_large",
            "the body is larger than " + std::to_string(m_limits.maxBodyBytes) + " bytes (the most any route takes)"};
    }
    if (error.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category()) {
        // The client closed before or in the middle of a request: nobody to answer.
        if (error == bhttp::error::end_of_stream || error == bhttp::error::partial_message) return {};
        return {400, "bad_request", "the request is not well-formed HTTP/1.1"};
    }
    return {};  // a socket error or a timeout: the connection is gone or going
}

ParseOutcome parseRequest(std::string_view bytes, const HttpLimits& limits) {
    ParseOutcome outcome;
    RequestParser parser(limits, nullptr);
    parser.eager(true);
    beast::error_code ec;
    std::size_t offset = 0;
    while (!parser.is_done() && offset < bytes.size()) {
        const std::size_t used =
            parser.put(boost::asio::const_buffer(bytes.data() + offset, bytes.size() - offset), ec);
        offset += used;
        if (ec == bhttp::error::need_more) {
            ec = {};
            if (used == 0) break;
            continue;
        }
        if (ec) {
            outcome.refusal = parser.refusal(ec);
            if (outcome.refusal.status == 0) outcome.refusal = {400, "bad_request", "the request is not well-formed"};
            outcome.consumed = offset;
            return outcome;
        }
    }
    outcome.consumed = offset;
    if (!parser.is_done()) return outcome;
    outcome.complete = true;
    outcome.keepAlive = parser.keep_alive();
    outcome.request = std::move(parser.request());
    return outcome;
}

}  // namespace recdeck::http

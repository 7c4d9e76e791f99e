#pragma once
// RequestParser: one HTTP/1.x request read from bytes into an HttpRequest, on Boost.Beast's
// parser (request line, field syntax, Content-Length and chunked framing), with RecDeck's
// limits and strictness on top:
//
// - the request line and header fields together at most HttpLimits::maxHeaderBytes, and at
//   most maxHeaderFields fields (431);
// - a body at most maxBodyBytes: refused from its Content-Length before a byte of it is
//   read, or as soon as chunked data passes it (413);
// - Content-Length must be one field of digits only: repeated (even with the same value),
//   a list, a sign or an overflow is a 400; Transfer-Encoding must be exactly "chunked" and
//   never comes with Content-Length (400); chunk trailers are refused (400);
// - HTTP/1.0 and 1.1 only (505); an Expect other than 100-continue is 417;
// - only the headers the API reads are kept (host, origin, sec-fetch-site, content-type,
//   authorization), each at most once (400 when repeated: two Hosts or two Origins are
//   how requests get smuggled past a check);
// - bodies being read count against a BodyBudget shared by every connection; when it is
//   spent the request gets 503 before its body is read.
//
// A parse that fails leaves the connection unusable: the server answers refusal() (if it
// has a status) and closes.

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

#include "recdeck/http/http_types.h"

namespace recdeck::http {

struct HttpLimits {
    std::size_t maxHeaderBytes = 16 * 1024;  // request line and fields, CRLFs included
    std::size_t maxHeaderFields = 100;
    std::size_t maxBodyBytes = std::size_t{1} << 20;
};

// Bytes of request bodies held at once across the server. Thread-safe.
class BodyBudget {
public:
    explicit BodyBudget(std::size_t limit) : m_limit(limit) {}
    bool take(std::size_t bytes);
    void give(std::size_t bytes) { m_used.fetch_sub(bytes, std::memory_order_relaxed); }
    std::size_t used() const { return m_used.load(std::memory_order_relaxed); }

private:
    const std::size_t m_limit;
    std::atomic<std::size_t> m_used{0};
};

// Why a request was refused: the status to answer (0: close without an answer, e.g. the
// client went away), a stable code and a sentence.
struct Refusal {
    int status = 0;
    std::string code;
    std::string detail;
};

class RequestParser final : public boost::beast::http::basic_parser<true> {
public:
    // `budget` may be null (no shared limit); it must outlive the parser. The request is
    // parsed into `into` (cleared first, its capacity kept: a connection reuses one for
    // every request it sends), or into the parser's own.
    RequestParser(const HttpLimits& limits, BodyBudget* budget, HttpRequest& into);
    RequestParser(const HttpLimits& limits, BodyBudget* budget);
    ~RequestParser() override;
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;

    HttpRequest& request() { return m_request; }
    bool expectsContinue() const { return m_expectContinue; }
    // The answer for a parse that ended with `error`.
    Refusal refusal(const boost::beast::error_code& error) const;

private:
    void on_request_impl(boost::beast::http::verb method, boost::beast::string_view methodText,
                         boost::beast::string_view target, int version, boost::beast::error_code& ec) override;
    void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code& ec) override;
    void on_field_impl(boost::beast::http::field name, boost::beast::string_view nameText,
                       boost::beast::string_view value, boost::beast::error_code& ec) override;
    void on_header_impl(boost::beast::error_code& ec) override;
    void on_body_init_impl(boost::optional<std::uint64_t> const& contentLength, boost::beast::error_code& ec) override;
    std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                              boost::beast::error_code& ec) override;
    std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                   boost::beast::error_code& ec) override;
    void on_finish_impl(boost::beast::error_code& ec) override;

    void refuse(int status, std::string code, std::string detail, boost::beast::error_code& ec);

    HttpLimits m_limits;
    BodyBudget* m_budget;
    std::size_t m_reserved = 0;  // taken from m_budget
    HttpRequest m_own;
    HttpRequest& m_request;
    std::size_t m_fields = 0;
    bool m_headerDone = false;
    bool m_contentLength = false;
    bool m_transferEncoding = false;
    bool m_expectContinue = false;
    Refusal m_refusal;  // set by the checks above
};

// One request parsed from bytes held in memory (tests, the fuzz target). The server feeds
// the same parser from its sockets.
struct ParseOutcome {
    bool complete = false;     // a whole request was parsed
    HttpRequest request;       // when complete
    bool keepAlive = false;    // when complete
    Refusal refusal;           // when not complete: status 0 = more bytes were needed
    std::size_t consumed = 0;  // bytes of `bytes` that belong to this request
};
ParseOutcome parseRequest(std::string_view bytes, const HttpLimits& limits = {});

}  // namespace recdeck::http

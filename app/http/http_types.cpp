#include "recdeck/http/http_types.h"

#include <algorithm>

#include "recdeck/http/json_writer.h"

namespace recdeck::http {

namespace {

// More query parameters than any route reads is a malformed or hostile request.
constexpr std::size_t kMaxQueryParameters = 64;

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes text into out; in a query, '+' is a space. False on a bad escape.
bool percentDecode(std::string_view text, bool query, std::string& out) {
    out.clear();
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return false;
            const int high = hexValue(text[i + 1]);
            const int low = hexValue(text[i + 2]);
            if (high < 0 || low < 0) return false;
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else if (c == '+' && query) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

}  // namespace

const std::string* HttpRequest::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) return &value;
    }
    return nullptr;
}

const std::string* HttpRequest::queryValue(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return &value;
    }
    return nullptr;
}

Status setTarget(HttpRequest& request, std::string_view target) {
    if (target.empty() || target.front() != '/') return Error::invalid("the request target must be a path (\"/...\")");
    const std::size_t mark = target.find('?');
    const std::string_view rawPath = target.substr(0, mark);
    const std::string_view rawQuery = mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);

    request.segments.clear();
    request.query.clear();
    request.segments.reserve(static_cast<std::size_t>(std::count(rawPath.begin(), rawPath.end(), '/')));
    if (!rawQuery.empty()) {
        request.query.reserve(std::min<std::size_t>(
            kMaxQueryParameters, 1 + static_cast<std::size_t>(std::count(rawQuery.begin(), rawQuery.end(), '&'))));
    }
    if (!percentDecode(rawPath, false, request.path)) return Error::invalid("the path has a malformed %-escape");
    std::size_t start = 1;
    while (start <= rawPath.size()) {
        std::size_t end = rawPath.find('/', start);
        if (end == std::string_view::npos) end = rawPath.size();
        if (end > start) {
            std::string segment;
            if (!percentDecode(rawPath.substr(start, end - start), false, segment)) {
                return Error::invalid("the path has a malformed %-escape");
            }
            request.segments.push_back(std::move(segment));
        }
        start = end + 1;
    }

    start = 0;
    while (start < rawQuery.size()) {
        std::size_t end = rawQuery.find('&', start);
        if (end == std::string_view::npos) end = rawQuery.size();
        const std::string_view pair = rawQuery.substr(start, end - start);
        start = end + 1;
        if (pair.empty()) continue;
        if (request.query.size() >= kMaxQueryParameters) {
            return Error::invalid("more than " + std::to_string(kMaxQueryParameters) + " query parameters");
        }
        const std::size_t equals = pair.find('=');
        std::string name;
        std::string value;
        if (!percentDecode(pair.substr(0, equals), true, name) ||
            (equals != std::string_view::npos && !percentDecode(pair.substr(equals + 1), true, value))) {
            return Error::invalid("the query has a malformed %-escape");
        }
        request.query.emplace_back(std::move(name), std::move(value));
    }
    return {};
}

HttpResponse jsonError(int status, std::string_view code, std::string_view detail) {
    HttpResponse response;
    response.status = status;
    response.body.reserve(32 + code.size() + detail.size());
    JsonWriter w(response.body);
    response.body.push_back('{');
    w.key("error", true);
    w.string(code);
    w.key("detail");
    w.string(detail);
    response.body.push_back('}');
    return response;
}

std::string_view serverSideDetail(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Unavailable:
            return "a service this request needs is unavailable or overloaded; retry later";
        case ErrorKind::Cancelled:
            return "the request was cancelled";
        case ErrorKind::Internal:
            return "the server failed to handle this request; its log has the details";
        default:
            break;
    }
    return "the server failed to handle this request";
}

HttpResponse errorResponse(const Error& error) {
    const int status = errorHttpStatus(error.kind);
    if (status >= 500 || error.kind == ErrorKind::Cancelled) {
        HttpResponse response = jsonError(status, errorCode(error.kind), serverSideDetail(error.kind));
        if (error.kind == ErrorKind::Unavailable) response.headers.emplace_back("Retry-After", "1");
        return response;
    }
    return jsonError(status, errorCode(error.kind), error.message);
}

HttpResponse methodNotAllowed(std::string_view allow) {
    HttpResponse response = jsonError(405, "method_not_allowed", "use " + std::string(allow) + " for this path");
    response.headers.emplace_back("Allow", std::string(allow));
    return response;
}

std::string_view reasonPhrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 411:
            return "Length Required";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 417:
            return "Expectation Failed";
        case 421:
            return "Misdirected Request";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 499:
            return "Client Closed Request";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Unknown";
    }
}

}  // namespace recdeck::http

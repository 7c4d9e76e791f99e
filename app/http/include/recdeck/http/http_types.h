#pragma once
// Plain request and response values of the HTTP layer — no sockets, no Qt — so routes can
// be handled and tested in-process, and the transport (http_server.h) stays replaceable.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "recdeck/common/result.h"

namespace recdeck::http {

struct HttpRequest {
    std::string method;                                      // "GET", "POST", ... as sent
    std::string path;                                        // decoded path, e.g. "/users/u 1"
    std::vector<std::string> segments;                       // decoded segments, e.g. {"users", "u 1"}
    std::vector<std::pair<std::string, std::string>> query;  // decoded name/value pairs, in order
    // The headers the API reads (host, origin, sec-fetch-site, content-type,
    // authorization); names in lower case. The transport keeps no others.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // The first value of a header (name in lower case), or null.
    const std::string* header(std::string_view name) const;
    // The first value of a query parameter, or null.
    const std::string* queryValue(std::string_view name) const;
};

// Fills path, segments and query from an origin-form request target ("/a/b%20c?x=1&y").
// Path segments are percent-decoded one by one (an encoded '/' stays inside its segment);
// query names and values are form-decoded ('+' is a space). A target that is not of that
// form, or has a bad escape, is an Error (the transport answers 400).
Status setTarget(HttpRequest& request, std::string_view target);

struct HttpResponse {
    int status = 200;
    std::string body;
    std::string_view contentType = "application/json";         // a string with static storage
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, Retry-After, ...)
    bool close = false;                                        // the transport closes the connection after this answer
};

// {"error": code, "detail": detail} with the given 4xx/5xx status. `detail` is a sentence
// for a person; `code` a stable identifier for programs.
HttpResponse jsonError(int status, std::string_view code, std::string_view detail);
// The answer for an Error: status and code from its kind (result.h). Client errors carry
// their message (it is ours and names the field); server-side kinds (unavailable,
// internal) carry a fixed sentence, so no store, SQLite or address text leaves the process.
HttpResponse errorResponse(const Error& error);
// The fixed sentence errorResponse() uses for a kind that is not the client's fault.
std::string_view serverSideDetail(ErrorKind kind);
// 405 naming the methods the path takes, with the Allow header ("GET, POST").
HttpResponse methodNotAllowed(std::string_view allow);

// The reason phrase of a status ("Not Found"); "Unknown" for codes it does not know.
std::string_view reasonPhrase(int status);

}  // namespace recdeck::http

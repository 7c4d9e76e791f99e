#pragma once
// Who may call what, decided per request before any route runs:
//
// - The admin token. With one configured, admin routes (every path under /admin/, changes
//   to experiments) and the per-user route GET /users/{id} need
//   "Authorization: Bearer <token>", compared in constant time. A token file must hold at
//   least kMinTokenBytes and must not be readable by the group or others.
// - Browsers. A web page the operator visits can send requests to 127.0.0.1; the rules
//   below make sure it cannot change anything or read anything through DNS rebinding:
//   * Host: while the server listens on a loopback address, the Host header must name a
//     loopback host (localhost, *.localhost, 127.x.y.z, [::1]) — a rebound DNS name is
//     refused on every route (421);
//   * state-changing requests (any method but GET/HEAD) are refused (403) when they come
//     from another origin: an Origin header that is not this server's own (or "null"),
//     or Sec-Fetch-Site other than same-origin/none;
//   * they are refused (415) with the content types a page can send without a CORS
//     preflight (text/plain, application/x-www-form-urlencoded, multipart/form-data),
//     and any body must be application/json — so a cross-site "simple" request cannot
//     carry one.
//   Programs (curl, wrk, the console, other services) send no Origin and pass.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "recdeck/http/http_types.h"

namespace recdeck::http {

inline constexpr std::size_t kMinTokenBytes = 16;
inline constexpr std::size_t kMaxTokenBytes = 4096;

// Equality that takes the same time whatever the position of the first difference (and
// whatever b's length, for a given a).
bool constantTimeEquals(std::string_view expected, std::string_view given);

// True when no token is configured, or the request's Authorization header is
// "Bearer <token>".
bool hasAdminToken(const HttpRequest& request, std::string_view token);

// GET and HEAD (and OPTIONS, which no route takes) change nothing.
bool isStateChanging(std::string_view method);

// The refusal for a Host header that does not name a loopback host, when the server
// listens on one; nullopt when the request may go on. A request without Host passes (no
// browser sends one).
std::optional<HttpResponse> checkHost(const HttpRequest& request);

// The refusal for a state-changing request that comes from another origin or carries a
// content type a page can send without a preflight; nullopt when it may go on.
std::optional<HttpResponse> checkCrossSite(const HttpRequest& request);

// "application/json" or a "+json" type, parameters (charset) ignored.
bool isJsonContentType(std::string_view contentType);

// Reads an admin token file: the first line, trimmed. Refused when the file cannot be
// read, the token is shorter than kMinTokenBytes or longer than kMaxTokenBytes, or (POSIX)
// the file is readable by its group or others.
Result<std::string> loadAdminToken(const std::filesystem::path& file);

}  // namespace recdeck::http

#include "recdeck/http/request_policy.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <system_error>

namespace recdeck::http {

namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string lowered(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
        text.remove_suffix(1);
    }
    return text;
}

bool allDigits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct Authority {
    std::string host;  // lower case; IPv6 without brackets
    std::string port;  // digits, or empty
};

// "host", "host:port", "[v6]" or "[v6]:port"; nullopt when malformed.
std::optional<Authority> parseAuthority(std::string_view text) {
    Authority authority;
    if (text.empty()) return std::nullopt;
    if (text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        authority.host = lowered(text.substr(1, close - 1));
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':' || !allDigits(rest.substr(1))) return std::nullopt;
            authority.port = std::string(rest.substr(1));
        }
        return authority;
    }
    const std::size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
        if (text.find(':') != colon || !allDigits(text.substr(colon + 1))) return std::nullopt;
        authority.port = std::string(text.substr(colon + 1));
        text = text.substr(0, colon);
    }
    if (text.empty()) return std::nullopt;
    authority.host = lowered(text);
    return authority;
}

bool isLoopbackHost(const std::string& host) {
    if (host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
    if (host.size() > 10 && host.compare(host.size() - 10, 10, ".localhost") == 0) return true;
    // 127.0.0.0/8 as a dotted quad.
    if (host.rfind("127.", 0) != 0) return false;
    int parts = 0;
    std::size_t start = 0;
    while (start <= host.size()) {
        std::size_t end = host.find('.', start);
        if (end == std::string::npos) end = host.size();
        const std::string_view part(host.data() + start, end - start);
        if (!allDigits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) return false;
        ++parts;
        start = end + 1;
    }
    return parts == 4;
}

// The content type's "type/subtype", lower case, without parameters.
std::string mediaType(std::string_view contentType) {
    const std::size_t semicolon = contentType.find(';');
    return lowered(trimmed(contentType.substr(0, semicolon)));
}

}  // namespace

bool constantTimeEquals(std::string_view expected, std::string_view given) {
    // Walk `expected` whole whatever `given` holds; fold the length difference in.
    unsigned difference = expected.size() == given.size() ? 0U : 1U;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto a = static_cast<unsigned char>(expected[i]);
        const auto b = i < given.size() ? static_cast<unsigned char>(given[i]) : static_cast<unsigned char>(~a);
        difference |= static_cast<unsigned>(a ^ b);
    }
    return difference == 0;
}

bool hasAdminToken(const HttpRequest& request, std::string_view token) {
    if (token.empty()) return true;
    const std::string* header = request.header("authorization");
    if (header == nullptr) return false;
    std::string_view value = trimmed(*header);
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() < kScheme.size() || lowered(value.substr(0, kScheme.size())) != kScheme) return false;
    value.remove_prefix(kScheme.size());
    return constantTimeEquals(token, trimmed(value));
}

bool isStateChanging(std::string_view method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::optional<HttpResponse> checkHost(const HttpRequest& request) {
    const std::string* host = request.header("host");
    if (host == nullptr) return std::nullopt;
    const auto authority = parseAuthority(trimmed(*host));
    if (authority && isLoopbackHost(authority->host)) return std::nullopt;
    return jsonError(421, "misdirected_request",
                     "this server listens on a loopback address and answers only requests whose Host names it "
                     "(localhost, 127.0.0.1 or [::1])");
}

std::optional<HttpResponse> checkCrossSite(const HttpRequest& request) {
    if (!isStateChanging(request.method)) return std::nullopt;
    auto refuse = [] {
        return jsonError(403, "cross_site_request",
                         "requests from another origin (a web page) may not change anything here; call the API "
                         "from a program instead");
    };
    if (const std::string* site = request.header("sec-fetch-site")) {
        const std::string value = lowered(trimmed(*site));
        if (value != "same-origin" && value != "none") return refuse();
    }
    if (const std::string* origin = request.header("origin")) {
        // Same origin: scheme http(s), authority equal to the Host the request was sent to.
        const std::string value = lowered(trimmed(*origin));
        const std::size_t scheme = value.find("://");
        const std::string* host = request.header("host");
        if (scheme == std::string::npos || host == nullptr) return refuse();
        const std::string schemeName = value.substr(0, scheme);
        if (schemeName != "http" && schemeName != "https") return refuse();
        auto from = parseAuthority(std::string_view(value).substr(scheme + 3));
        auto to = parseAuthority(trimmed(*host));
        if (!from || !to) return refuse();
        const std::string defaultPort = schemeName == "https" ? "443" : "80";
        if (from->port.empty()) from->port = defaultPort;
        if (to->port.empty()) to->port = "80";
        if (from->host != to->host || from->port != to->port) return refuse();
    }
    if (const std::string* type = request.header("content-type")) {
        const std::string media = mediaType(*type);
        if (media == "text/plain" || media == "application/x-www-form-urlencoded" || media == "multipart/form-data") {
            return jsonError(415, "unsupported_media_type",
                             "form and text bodies are refused (a web page can send them to any address); send "
                             "JSON with Content-Type: application/json, or the fields in the query string");
        }
    }
    return std::nullopt;
}

bool isJsonContentType(std::string_view contentType) {
    const std::string media = mediaType(contentType);
    if (media == "application/json") return true;
    return media.rfind("application/", 0) == 0 && media.size() > 17 && media.compare(media.size() - 5, 5, "+json") == 0;
}

Result<std::string> loadAdminToken(const std::filesystem::path& file) {
    std::error_code error;
    const auto status = std::filesystem::status(file, error);
    if (error || !std::filesystem::is_regular_file(status)) {
        return Error::invalid("--admin-token-file: " + file.string() + " is not a readable file");
    }
#if !defined(_WIN32)
    using std::filesystem::perms;
    if ((status.permissions() & (perms::group_read | perms::others_read)) != perms::none) {
        return Error::invalid("--admin-token-file: " + file.string() +
                              " is readable by other users; make it private (chmod 600 " + file.string() + ")");
    }
#endif
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error::invalid("--admin-token-file: cannot read " + file.string());
    std::string line;
    line.resize(kMaxTokenBytes + 2);
    in.read(line.data(), static_cast<std::streamsize>(line.size()));
    line.resize(static_cast<std::size_t>(in.gcount()));
    const std::size_t newline = line.find('\n');
    if (newline == std::string::npos && line.size() > kMaxTokenBytes) {
        return Error::invalid("--admin-token-file: the token is longer than " + std::to_string(kMaxTokenBytes) +
                              " bytes");
    }
    const std::string token(trimmed(std::string_view(line).substr(0, newline)));
    if (token.size() < kMinTokenBytes) {
        return Error::invalid("--admin-token-file: the token in " + file.string() + " is shorter than " +
                              std::to_string(kMinTokenBytes) +
                              " bytes; use a long random one (e.g. openssl rand -hex 32)");
    }
    if (token.size() > kMaxTokenBytes) {
        return Error::invalid("--admin-token-file: the token is longer than " + std::to_string(kMaxTokenBytes) +
                              " bytes");
    }
    for (const char c : token) {
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) == 0x7F) {
            return Error::invalid("--admin-token-file: the token may not contain spaces or control characters");
        }
    }
    return token;
}

}  // namespace recdeck::http

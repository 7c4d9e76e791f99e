#include "recdeck/store/redis_url.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>

namespace recdeck::store {

namespace {

constexpr std::string_view kForm = "redis://[[user]:password@]host[:port][/db]";

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// The URL with its password replaced by "***", for error messages.
std::string masked(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return std::string(url.substr(0, 200));
    const auto authorityStart = scheme + 3;
    const auto authorityEnd = std::min(url.find('/', authorityStart), url.size());
    const auto at = url.substr(0, authorityEnd).rfind('@');
    if (at == std::string_view::npos || at < authorityStart) return std::string(url);
    const auto colon = url.substr(0, at).find(':', authorityStart);
    if (colon == std::string_view::npos) return std::string(url);
    return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::optional<std::string> percentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        unsigned value = 0;
        const auto* first = text.data() + i + 1;
        const auto [ptr, ec] = std::from_chars(first, first + 2, value, 16);
        if (ec != std::errc{} || ptr != first + 2) return std::nullopt;
        out.push_back(static_cast<char>(value));
        i += 2;
    }
    return out;
}

template <typename Int>
std::optional<Int> parseDecimal(std::string_view text) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    Int value{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

bool validHostName(std::string_view host) {
    return std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
    });
}

}  // namespace

Result<RedisUrl> RedisUrl::parse(std::string_view url) {
    const std::string shown = masked(url);
    const auto fail = [&](const std::string& what) {
        return Error{"Redis URL '" + shown + "': " + what + "; expected " + std::string(kForm)};
    };

    const auto schemeEnd = url.find("://");
    if (schemeEnd == std::string_view::npos) return fail("missing 'redis://'");
    const auto scheme = url.substr(0, schemeEnd);
    if (equalsIgnoreCase(scheme, "rediss"))
        return fail("TLS (rediss://) is not supported by this build (hiredis 0.14 has no TLS); "
                    "use redis:// on a trusted network or a TLS tunnel");
    if (!equalsIgnoreCase(scheme, "redis")) return fail("unsupported scheme '" + std::string(scheme) + "'");

    std::string_view rest = url.substr(schemeEnd + 3);
    if (rest.find_first_of("?#") != std::string_view::npos)
        return fail("query parameters and fragments ('?', '#') are not supported");

    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    const std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);

    RedisUrl out;
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const std::string_view userInfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const auto colon = userInfo.find(':');
        const auto user = percentDecode(userInfo.substr(0, colon));
        if (!user) return fail("bad percent-escape in the user name (write '%' as %25)");
        out.user = *user;
        if (colon != std::string_view::npos) {
            const auto password = percentDecode(userInfo.substr(colon + 1));
            if (!password) return fail("bad percent-escape in the password (write '%' as %25)");
            out.password = *password;
        }
    }

    std::string_view portText;
    bool hasPort = false;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return fail("missing ']' after the IPv6 address");
        out.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fail("unexpected '" + std::string(after) + "' after the IPv6 address");
            portText = after.substr(1);
            hasPort = true;
        }
        if (out.host.empty()) return fail("empty IPv6 address");
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
            return fail("too many ':' in host:port (write an IPv6 address in brackets: [::1])");
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            portText = authority.substr(colon + 1);
            hasPort = true;
        }
        if (out.host.empty()) return fail("missing host");
        if (!validHostName(out.host)) return fail("host '" + out.host + "' has characters a host name cannot have");
    }
    if (hasPort) {
        const auto port = parseDecimal<unsigned>(portText);
        if (!port || *port < 1 || *port > 65535)
            return fail("port '" + std::string(portText) + "' is not a number in 1..65535");
        out.port = static_cast<std::uint16_t>(*port);
    }

    if (path.size() > 1) {
        const auto db = parseDecimal<int>(path.substr(1));
        if (!db) return fail("database '" + std::string(path.substr(1)) + "' is not a number >= 0");
        out.db = *db;
    }
    return out;
}

Result<RedisUrl> RedisUrl::resolve(std::string_view url) {
    auto parsed = parse(url);
    if (!parsed) return parsed;
    if (parsed->password.empty()) {
        const char* fromEnvironment = std::getenv(kPasswordVariable);
        if (fromEnvironment != nullptr) parsed->password = fromEnvironment;
    }
    return parsed;
}

std::string RedisUrl::hostPort() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string RedisUrl::redacted() const { return "redis://" + hostPort() + "/" + std::to_string(db); }

}  // namespace recdeck::store

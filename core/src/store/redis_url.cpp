#include "recdeck/store/redis_url.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>

#include "recdeck/common/private_files.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::store {

namespace {

constexpr std::string_view kForm = "redis://[[user]:password@]host[:port][/db]";

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// The URL with its user information (user and password) replaced by "***", for error
// messages. The user information ends at the last '@' after the scheme: a password may
// hold '/', ':' or '@' unescaped, so neither a '/' nor an earlier '@' ends it.
std::string maskedUrl(std::string_view url) {
    constexpr std::size_t kShown = 200;  // a hostile URL is not echoed whole
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        // No scheme: nothing tells where a password would be, so show nothing after '@'.
        const auto at = url.find('@');
        return at == std::string_view::npos ? std::string(url.substr(0, kShown))
                                            : "***@" + std::string(url.substr(at + 1, kShown));
    }
    const auto at = url.rfind('@');
    if (at == std::string_view::npos || at < scheme + 3) return std::string(url.substr(0, kShown));
    return std::string(url.substr(0, scheme + 3)) + "***" + std::string(url.substr(at, kShown));
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
    const std::string shown = maskedUrl(url);
    const auto fail = [&](const std::string& what) {
        return Error{"Redis URL '" + shown + "': " + what + "; expected " + std::string(kForm)};
    };

    const auto schemeEnd = url.find("://");
    if (schemeEnd == std::string_view::npos) return fail("missing 'redis://'");
    const auto scheme = url.substr(0, schemeEnd);
    if (equalsIgnoreCase(scheme, "rediss"))
        return fail(
            "TLS (rediss://) is not supported by this build (hiredis 0.14 has no TLS); "
            "use redis:// on a trusted network or a TLS tunnel");
    if (!equalsIgnoreCase(scheme, "redis")) return fail("unsupported scheme '" + std::string(scheme) + "'");

    std::string_view rest = url.substr(schemeEnd + 3);
    RedisUrl out;
    // The user information ends at the last '@' (see maskedUrl()); host, port and database
    // follow it.
    std::string_view userInfo;
    bool hasUserInfo = false;
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        userInfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        hasUserInfo = true;
    }
    if (rest.find_first_of("?#") != std::string_view::npos)
        return fail("query parameters and fragments ('?', '#') are not supported");
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    const std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);

    if (hasUserInfo) {
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
        if (const char* fromEnvironment = std::getenv(kPasswordVariable); fromEnvironment != nullptr) {
            parsed->password = fromEnvironment;
        } else if (const char* file = std::getenv(kPasswordFileVariable); file != nullptr && *file != '\0') {
            auto secret = readSecretFile(file, std::string("Redis password (") + kPasswordFileVariable + ")");
            if (!secret) return secret.error();
            parsed->password = std::move(*secret);
        }
    }
    return parsed;
}

Result<std::string> RedisUrl::commandLineStore(std::string_view spec, const std::filesystem::path& passwordFile) {
    if (spec.empty() || spec == "embedded") {
        if (!passwordFile.empty()) return Error::invalid("--redis-password-file needs --redis URL");
        return std::string(spec);
    }
    auto url = parse(spec);
    if (!url) return url.error();
    if (!url->password.empty()) {
        return Error::invalid("--redis " + maskedUrl(spec) +
                              ": a password on the command line can be read by every user of this machine in the "
                              "process list; give it in " +
                              std::string(kPasswordVariable) +
                              ", or in a file only you can read with --redis-password-file FILE");
    }
    if (passwordFile.empty()) return std::string(spec);
    auto secret = readSecretFile(passwordFile, "Redis password");
    if (!secret) return Error::invalid("--redis-password-file: " + secret.errorMessage());
    url->password = std::move(*secret);
    return url->withCredentials();
}

std::string RedisUrl::masked(std::string_view url) {
    return maskedUrl(url);
}

std::string RedisUrl::withCredentials() const {
    std::string credentials;
    if (!user.empty() || !password.empty()) {
        credentials = encodeKeyPart(user);
        if (!password.empty()) credentials += ":" + encodeKeyPart(password);
        credentials += "@";
    }
    return "redis://" + credentials + hostPort() + "/" + std::to_string(db);
}

std::string RedisUrl::hostPort() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string RedisUrl::redacted() const {
    return "redis://" + hostPort() + "/" + std::to_string(db);
}

}  // namespace recdeck::store

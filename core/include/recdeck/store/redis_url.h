#pragma once
// RedisUrl: where a RedisStore connects, parsed from
//     redis://[[user]:password@]host[:port][/db]
// host is a name, an IPv4 address or a bracketed IPv6 address ("[::1]"); port defaults
// to 6379 (1..65535), db to 0. The user name and password are percent-decoded, so a
// password containing '@', ':' or '/' is written %40, %3A, %2F. Without a password in
// the URL, resolve() takes it from the environment variable RECDECK_REDIS_PASSWORD,
// which keeps it out of process listings and shell history. TLS ("rediss://") is not
// available with the hiredis this project builds on.

#include <cstdint>
#include <string>
#include <string_view>

#include "recdeck/common/result.h"

namespace recdeck::store {

struct RedisUrl {
    static constexpr const char* kPasswordVariable = "RECDECK_REDIS_PASSWORD";
    static constexpr std::uint16_t kDefaultPort = 6379;

    std::string host;
    std::uint16_t port = kDefaultPort;
    int db = 0;          // >= 0; the server decides the upper bound (SELECT fails past it)
    std::string user;      // empty: the default user (AUTH password)
    std::string password;  // empty: no AUTH

    // Parses url; fails with what is wrong and the expected form.
    static Result<RedisUrl> parse(std::string_view url);
    // parse(), then the password from RECDECK_REDIS_PASSWORD when the URL has none.
    static Result<RedisUrl> resolve(std::string_view url);

    // "redis://host:port/db": no user, no password; safe to log and display.
    std::string redacted() const;
    // "host:port" ("[::1]:6379" for IPv6), for messages.
    std::string hostPort() const;

    friend bool operator==(const RedisUrl&, const RedisUrl&) = default;
};

}  // namespace recdeck::store

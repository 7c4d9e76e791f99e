#pragma once
// RedisUrl: where a RedisStore connects, parsed from
//     redis://[[user]:password@]host[:port][/db]
// host is a name, an IPv4 address or a bracketed IPv6 address ("[::1]"); port defaults
// to 6379 (1..65535), db to 0. The user name and password are percent-decoded (a '%'
// is written %25); the user information ends at the last '@', so a password may also
// hold '/', ':' or '@' as they are. TLS ("rediss://") is not available with the hiredis
// this project builds on.
//
// Secrets. A password in a URL typed on a command line shows in every process listing
// (`ps`), so commandLineStore() refuses it: the password comes from the environment
// variable RECDECK_REDIS_PASSWORD, or from a file only its owner may read (named by
// --redis-password-file or RECDECK_REDIS_PASSWORD_FILE). No message, description or
// error ever contains the password: errors about a URL show it masked ("redis://***@h").

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "recdeck/common/result.h"

namespace recdeck::store {

struct RedisUrl {
    static constexpr const char* kPasswordVariable = "RECDECK_REDIS_PASSWORD";
    static constexpr const char* kPasswordFileVariable = "RECDECK_REDIS_PASSWORD_FILE";
    static constexpr std::uint16_t kDefaultPort = 6379;

    std::string host;
    std::uint16_t port = kDefaultPort;
    int db = 0;            // >= 0; the server decides the upper bound (SELECT fails past it)
    std::string user;      // empty: the default user (AUTH password)
    std::string password;  // empty: no AUTH

    // Parses url; fails with what is wrong and the expected form.
    static Result<RedisUrl> parse(std::string_view url);
    // parse(), then, when the URL has no password: RECDECK_REDIS_PASSWORD, else the file
    // named by RECDECK_REDIS_PASSWORD_FILE (readSecretFile rules: private, first line).
    static Result<RedisUrl> resolve(std::string_view url);

    // The store spec to open for a --redis value typed on a command line ("embedded", ""
    // or a URL): refuses a URL that holds a password, and with passwordFile (non-empty;
    // --redis-password-file) takes the password from that file. The spec returned may
    // then hold the password: keep it in memory, never print it (describe() and every
    // error message mask it).
    static Result<std::string> commandLineStore(std::string_view spec, const std::filesystem::path& passwordFile = {});

    // The URL with its user information masked ("redis://***@host:port/db"), for messages
    // about a URL that may not parse; at most ~200 characters of it.
    static std::string masked(std::string_view url);
    // The full URL, credentials percent-encoded, for opening a store in this process.
    std::string withCredentials() const;

    // "redis://host:port/db": no user, no password; safe to log and display.
    std::string redacted() const;
    // "host:port" ("[::1]:6379" for IPv6), for messages.
    std::string hostPort() const;

    friend bool operator==(const RedisUrl&, const RedisUrl&) = default;
};

}  // namespace recdeck::store

#pragma once
// The console's Redis settings: the URL a user types, the password kept apart from it,
// and the connection test behind the Backend card's "Test connection".
//
// Where the password lives: only in memory, for this session (in the engine config the
// console reopens with). QSettings keeps the redacted URL alone ("backend/store"); at the
// next start the core takes the password from RECDECK_REDIS_PASSWORD when the saved URL
// has none (store/redis_url.h).

#include <QString>

#include <optional>
#include <string>

namespace recdeck::ui {

struct RedisSettings {
    QString url;       // redis://host:port/db, without credentials
    QString password;  // may be empty (then RECDECK_REDIS_PASSWORD applies)

    // Splits a stored spec ("redis://:secret@host:6379/0") into URL and password.
    static RedisSettings fromSpec(const std::string& spec);
    // The spec the core opens: the URL with the password percent-encoded into it, or an
    // error naming what is wrong with the URL.
    std::optional<std::string> spec(QString* error) const;
    // The URL safe to show, log and save: never a password.
    QString redacted() const;
};

struct ConnectionTestResult {
    bool ok = false;
    QString message;           // the exact error, or what was reached
    QString server;            // redis://host:port/db (redacted)
    double connectMs = 0.0;    // connect + authenticate + select
    double roundTripMs = 0.0;  // best of three PINGs
    qint64 recdeckKeys = -1;   // keys under the recdeck: prefix (-1 when unknown)
    bool keysTruncated = false;
};

// Connects to `spec` (a short timeout), authenticates, PINGs and counts RecDeck's keys.
// Blocks for up to a few seconds: run it on a worker (runAsync).
ConnectionTestResult testRedisConnection(const std::string& spec);

}  // namespace recdeck::ui

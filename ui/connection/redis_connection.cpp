#include "recdeck/ui/connection/redis_connection.h"

#include <QObject>
#include <QUrl>

#include <algorithm>
#include <chrono>

#include "recdeck/common/stopwatch.h"
#include "recdeck/store/redis_store.h"
#include "recdeck/store/redis_url.h"

namespace recdeck::ui {

namespace {

QString encode(const std::string& text) {
    return QString::fromLatin1(QUrl::toPercentEncoding(QString::fromStdString(text)));
}

}  // namespace

RedisSettings RedisSettings::fromSpec(const std::string& spec) {
    RedisSettings settings;
    const auto url = store::RedisUrl::parse(spec);
    if (!url) {
        // Unparseable: show it without anything that looks like credentials.
        const QString text = QString::fromStdString(spec);
        const auto at = text.lastIndexOf(QLatin1Char('@'));
        settings.url = at < 0 ? text : QStringLiteral("redis://") + text.mid(at + 1);
        return settings;
    }
    settings.url = QString::fromStdString(url->redacted());
    settings.password = QString::fromStdString(url->password);
    return settings;
}

std::optional<std::string> RedisSettings::spec(QString* error) const {
    QString text = url.trimmed();
    if (text.isEmpty()) {
        if (error) *error = QObject::tr("Enter the Redis URL, such as redis://127.0.0.1:6379/0");
        return std::nullopt;
    }
    if (!text.contains(QStringLiteral("://"))) text.prepend(QStringLiteral("redis://"));
    const auto parsed = store::RedisUrl::parse(text.toStdString());
    if (!parsed) {
        if (error) *error = QString::fromStdString(parsed.errorMessage());
        return std::nullopt;
    }
    const std::string secret = password.isEmpty() ? parsed->password : password.toStdString();
    std::string out = "redis://";
    if (!parsed->user.empty() || !secret.empty()) {
        out += encode(parsed->user).toStdString();
        if (!secret.empty()) out += ":" + encode(secret).toStdString();
        out += "@";
    }
    out += parsed->hostPort() + "/" + std::to_string(parsed->db);
    return out;
}

QString RedisSettings::redacted() const {
    QString text = url.trimmed();
    if (!text.contains(QStringLiteral("://"))) text.prepend(QStringLiteral("redis://"));
    const auto parsed = store::RedisUrl::parse(text.toStdString());
    return parsed ? QString::fromStdString(parsed->redacted()) : text;
}

ConnectionTestResult testRedisConnection(const std::string& spec) {
    ConnectionTestResult result;
    const auto url = store::RedisUrl::resolve(spec);
    if (!url) {
        result.message = QString::fromStdString(url.errorMessage());
        return result;
    }
    result.server = QString::fromStdString(url->redacted());
    store::RedisStoreOptions options;
    options.connectTimeout = std::chrono::milliseconds(1500);
    options.commandTimeout = std::chrono::milliseconds(1500);
    options.poolSize = 1;
    options.verifyOnOpen = true;
    Stopwatch connect;
    auto opened = store::RedisStore::open(*url, options);
    if (!opened) {
        result.message = QString::fromStdString(opened.errorMessage());
        return result;
    }
    result.connectMs = connect.elapsedMs();
    store::RedisStore& redis = **opened;
    double best = -1.0;
    for (int i = 0; i < 3; ++i) {
        Stopwatch watch;
        if (auto ping = redis.ping(); !ping) {
            result.message = QString::fromStdString(ping.errorMessage());
            return result;
        }
        const double ms = watch.elapsedMs();
        best = best < 0 ? ms : std::min(best, ms);
    }
    result.roundTripMs = best;
    if (auto keys = redis.scanPrefix("", 10'000)) {
        result.recdeckKeys = static_cast<qint64>(keys->keys.size());
        result.keysTruncated = keys->truncated;
    }
    result.ok = true;
    result.message = QObject::tr("Connected to %1").arg(result.server);
    return result;
}

}  // namespace recdeck::ui

#include "recdeck/ui/common/format.h"

#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace recdeck::ui::format {

QString percent(double fraction, int decimals) {
    if (!std::isfinite(fraction)) return QStringLiteral("–");
    return QLocale().toString(fraction * 100.0, 'f', decimals) + QStringLiteral(" %");
}

QString signedPercent(double fraction, int decimals) {
    if (!std::isfinite(fraction)) return QStringLiteral("–");
    const QString text = percent(std::abs(fraction), decimals);
    return (fraction > 0 ? QStringLiteral("+") : fraction < 0 ? QStringLiteral("−") : QString()) + text;
}

QString milliseconds(double ms) {
    if (!std::isfinite(ms) || ms < 0) return QStringLiteral("–");
    if (ms < 1.0) return QLocale().toString(ms * 1000.0, 'f', 0) + QStringLiteral(" µs");
    if (ms < 100.0) return QLocale().toString(ms, 'f', 1) + QStringLiteral(" ms");
    if (ms < 10'000.0) return QLocale().toString(ms, 'f', 0) + QStringLiteral(" ms");
    return QLocale().toString(ms / 1000.0, 'f', 1) + QStringLiteral(" s");
}

QString count(double value) {
    if (!std::isfinite(value)) return QStringLiteral("–");
    const double magnitude = std::abs(value);
    if (magnitude >= 1e9) return QLocale().toString(value / 1e9, 'f', 1) + QStringLiteral(" G");
    if (magnitude >= 1e6) return QLocale().toString(value / 1e6, 'f', 1) + QStringLiteral(" M");
    if (magnitude >= 1e5) return QLocale().toString(value / 1e3, 'f', 0) + QStringLiteral(" k");
    return QLocale().toString(static_cast<qlonglong>(std::llround(value)));
}

QString rate(double perSecond) {
    if (!std::isfinite(perSecond)) return QStringLiteral("–");
    if (perSecond < 10) return QLocale().toString(perSecond, 'f', 1) + QStringLiteral(" /s");
    return count(perSecond) + QStringLiteral(" /s");
}

QString age(std::int64_t ms) {
    if (ms < 0) ms = 0;
    if (ms < 1500) return QStringLiteral("just now");
    const std::int64_t seconds = ms / 1000;
    if (seconds < 60) return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 3600) return QStringLiteral("%1 min").arg(seconds / 60);
    if (seconds < 86400) return QStringLiteral("%1 h").arg(seconds / 3600);
    return QStringLiteral("%1 d").arg(seconds / 86400);
}

QString ago(std::int64_t ms) {
    const QString text = age(ms);
    return ms < 1500 ? text : text + QStringLiteral(" ago");
}

QString looks(int count) {
    return count == 1 ? QStringLiteral("1 look") : QStringLiteral("%1 looks").arg(count);
}

QString timestamp(std::int64_t unixMs) {
    if (unixMs <= 0) return QStringLiteral("–");
    return QDateTime::fromMSecsSinceEpoch(unixMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString number(double value, int decimals) {
    if (!std::isfinite(value)) return QStringLiteral("–");
    return QLocale().toString(value, 'f', decimals);
}

}  // namespace recdeck::ui::format

#pragma once
// Wording shared by the Experiments panel's source files.

#include <QLocale>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cstdint>
#include <string>

#include "recdeck/experiments/assignment.h"
#include "recdeck/experiments/experiment.h"
#include "recdeck/ui/common/format.h"

namespace recdeck::ui::panel_text {

inline QString q(const std::string& text) {
    return QString::fromStdString(text);
}
inline QString quoted(const QString& key) {
    return QStringLiteral("\u201c%1\u201d").arg(key);
}

// "control (50 %), treatment (50 %)".
inline QString splitText(const experiments::Experiment& e) {
    QStringList parts;
    double sum = 0.0;
    for (const auto& v : e.variants) sum += v.weight;
    for (const auto& v : e.variants)
        parts << QStringLiteral("%1 (%2)").arg(q(v.name), format::percent(sum > 0 ? v.weight / sum : 0.0, 0));
    return parts.join(QStringLiteral(", "));
}

// "“a”", "“a” and “b”", "“a”, “b” and “c”".
inline QString keysText(const std::vector<std::string>& keys) {
    QStringList parts;
    for (const auto& k : keys) parts << quoted(q(k));
    if (parts.size() <= 1) return parts.join(QString());
    const QString last = parts.takeLast();
    return QStringLiteral("%1 and %2").arg(parts.join(QStringLiteral(", ")), last);
}

// The share of users a running experiment really gets, for its list row: "100 %",
// "40 % of 100 %", "waiting for users: all are in “x”".
inline QString shareText(const experiments::TrafficShare& share) {
    if (share.waiting()) {
        if (share.heldBy.empty()) return QStringLiteral("waiting for users");
        return QStringLiteral("waiting for users: all are in %1").arg(keysText(share.heldBy));
    }
    const QString got = format::percent(share.fraction(), share.fraction() < 0.1 ? 1 : 0);
    if (share.served >= share.requested) return got;
    return QStringLiteral("%1 of the %2 asked").arg(got, format::percent(share.requestedFraction(), 0));
}

// A sentence on what a running experiment gets: for the editor and the tooltips.
inline QString shareSentence(const experiments::TrafficShare& share) {
    const QString asked = format::percent(share.requestedFraction(), share.requestedFraction() < 0.1 ? 1 : 0);
    if (share.served >= share.requested) return QStringLiteral("It gets %1 of users, as its coverage asks.").arg(asked);
    const QString got = format::percent(share.fraction(), share.fraction() < 0.1 ? 1 : 0);
    const QString holders = keysText(share.heldBy);
    if (share.waiting())
        return QStringLiteral(
                   "It is waiting for users: every user it could have is in %1. It gets users as soon as %2 "
                   "stop%3 (or lower %4 coverage and restart).")
            .arg(holders, holders, share.heldBy.size() == 1 ? QStringLiteral("s") : QString(),
                 share.heldBy.size() == 1 ? QStringLiteral("its") : QStringLiteral("their"));
    return QStringLiteral("It gets %1 of users, not the %2 its coverage asks: the rest are in %3.")
        .arg(got, asked, holders);
}

// "45 s", "12 min", "3.5 h".
inline QString elapsedText(std::int64_t ms) {
    const double minutes = static_cast<double>(ms) / 60'000.0;
    if (minutes < 1.0) return QStringLiteral("%1 s").arg(std::max<std::int64_t>(1, ms / 1000));
    if (minutes < 120.0) return QStringLiteral("%1 min").arg(QLocale().toString(minutes, 'f', 0));
    return QStringLiteral("%1 h").arg(QLocale().toString(minutes / 60.0, 'f', 1));
}

}  // namespace recdeck::ui::panel_text

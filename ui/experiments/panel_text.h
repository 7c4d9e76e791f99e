#pragma once
// Wording shared by the Experiments panel's source files.

#include <QLocale>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/format.h"
#include "recdeck/experiments/experiment.h"

namespace recdeck::ui::panel_text {

inline QString q(const std::string& text) { return QString::fromStdString(text); }
inline QString quoted(const QString& key) { return QStringLiteral("\u201c%1\u201d").arg(key); }

// "control (50 %), treatment (50 %)".
inline QString splitText(const experiments::Experiment& e) {
    QStringList parts;
    double sum = 0.0;
    for (const auto& v : e.variants) sum += v.weight;
    for (const auto& v : e.variants)
        parts << QStringLiteral("%1 (%2)").arg(q(v.name), format::percent(sum > 0 ? v.weight / sum : 0.0, 0));
    return parts.join(QStringLiteral(", "));
}

// "45 s", "12 min", "3.5 h".
inline QString elapsedText(std::int64_t ms) {
    const double minutes = static_cast<double>(ms) / 60'000.0;
    if (minutes < 1.0) return QStringLiteral("%1 s").arg(std::max<std::int64_t>(1, ms / 1000));
    if (minutes < 120.0) return QStringLiteral("%1 min").arg(QLocale().toString(minutes, 'f', 0));
    return QStringLiteral("%1 h").arg(QLocale().toString(minutes / 60.0, 'f', 1));
}

}  // namespace recdeck::ui::panel_text

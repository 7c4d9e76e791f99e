#pragma once
// How the console writes numbers: one place, so every panel says "4.2 %" and "1.3 ms"
// the same way.

#include <QString>

#include <cstdint>

namespace recdeck::ui::format {

QString percent(double fraction, int decimals = 1);        // 0.0423 -> "4.2 %"
QString signedPercent(double fraction, int decimals = 1);  // 0.12 -> "+12.0 %"
QString milliseconds(double ms);                           // 0.042 -> "42 µs", 1.3 -> "1.3 ms"
QString count(double value);                               // 12345 -> "12,345"; 1.2e6 -> "1.2 M"
QString rate(double perSecond);                            // "1,234 /s"
QString age(std::int64_t ms);                              // "just now", "12 s", "3 min", "2 h"
QString ago(std::int64_t ms);                              // "just now", "12 s ago", "3 min ago"
QString looks(int count);                                  // "1 look", "7 looks"
QString timestamp(std::int64_t unixMs);                    // local "2026-11-28 23:14:05"
QString number(double value, int decimals = 2);

}  // namespace recdeck::ui::format

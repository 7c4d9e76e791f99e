#pragma once
// Turning the monitor's per-second series into chart lines: seconds to milliseconds,
// seconds without traffic left out of ratio lines (a ratio of nothing is not a zero),
// an optional trailing average for noisy ratios, and averaging into at most a few hundred
// points so an hour-long window stays cheap to draw. Pure functions, GUI-thread cheap.

#include <QList>
#include <QPointF>
#include <QString>

#include <cstdint>
#include <string>
#include <vector>

#include "recdeck/monitoring/monitor_types.h"

namespace recdeck::ui::live {

struct PointOptions {
    double scale = 1.0;  // multiplies every value (1 -> 100 for percentages)
    // Weights per second (the same seconds as the series, or a superset). When given,
    // seconds of weight 0 are left out and every average is weighted by it.
    const std::vector<monitoring::SeriesPoint>* weights = nullptr;
    std::int64_t fromSecond = 0;  // seconds before this are left out
    int smoothSeconds = 1;        // trailing average over this many seconds (>= 1)
    int maxPoints = 300;          // more seconds than this are averaged into buckets
};

// Chart points (x: ms since the epoch at the middle of the bucket, y: value * scale).
// Buckets are aligned on whole multiples of their size in unix seconds, so a line does not
// shift from one refresh to the next.
QList<QPointF> chartPoints(const std::vector<monitoring::SeriesPoint>& series, const PointOptions& options = {});

// The seconds one bucket spans for `seconds` seconds of data and at most maxPoints points.
int bucketSeconds(std::int64_t seconds, int maxPoints);

// The first second with a non-zero value (traffic started), or 0 when there is none.
std::int64_t firstActiveSecond(const std::vector<monitoring::SeriesPoint>& series);

// The sum of a series' values over its seconds (a count when the series is per second).
double total(const std::vector<monitoring::SeriesPoint>& series);

// A per-second average over a window, from its per-second counts.
struct WindowRate {
    double perSecond = 0.0;
    double count = 0.0;        // what was counted over `seconds`
    std::int64_t seconds = 0;  // the seconds averaged over
    bool wholeWindow = true;   // false: traffic began inside the window
};
// Over the whole window (the series' seconds), or, when the series shows traffic began
// inside it, over the complete seconds since (the first one is partial: traffic started
// part-way through it). Dividing by the window's full length would read 15 /s at 120 /s
// eight seconds after the start.
WindowRate windowRate(const std::vector<monitoring::SeriesPoint>& perSecond);

// "homepage:control" -> "homepage: control"; "" -> "outside experiments".
QString variantLabel(const std::string& name);
// A legend-sized name: "homepage:control" -> "control"; "" -> "no experiment".
QString variantShortLabel(const std::string& name);
// The experiment of a variant name: "homepage:control" -> "homepage"; "" for none.
QString experimentOf(const std::string& name);

// "1 min", "15 min", "1 h" for a window in seconds.
QString windowLabel(int seconds);

}  // namespace recdeck::ui::live

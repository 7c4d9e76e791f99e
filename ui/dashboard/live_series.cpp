#include "recdeck/ui/dashboard/live_series.h"

#include <QObject>

#include <algorithm>
#include <cmath>

namespace recdeck::ui::live {

namespace {

struct Sample {
    std::int64_t second = 0;
    double value = 0.0;
    double weight = 1.0;
};

double weightAt(const std::vector<monitoring::SeriesPoint>& weights, std::int64_t second) {
    if (weights.empty()) return 0.0;
    const std::int64_t offset = second - weights.front().second;
    if (offset >= 0 && offset < static_cast<std::int64_t>(weights.size()) &&
        weights[static_cast<std::size_t>(offset)].second == second) {
        return weights[static_cast<std::size_t>(offset)].value;
    }
    // Not contiguous: fall back to a search (the monitor's series are contiguous, so this
    // only runs for hand-made inputs).
    const auto it = std::lower_bound(weights.begin(), weights.end(), second,
                                     [](const monitoring::SeriesPoint& p, std::int64_t s) { return p.second < s; });
    return it != weights.end() && it->second == second ? it->value : 0.0;
}

}  // namespace

int bucketSeconds(std::int64_t seconds, int maxPoints) {
    if (maxPoints < 1 || seconds <= maxPoints) return 1;
    return static_cast<int>((seconds + maxPoints - 1) / maxPoints);
}

QList<QPointF> chartPoints(const std::vector<monitoring::SeriesPoint>& series, const PointOptions& options) {
    std::vector<Sample> samples;
    samples.reserve(series.size());
    for (const monitoring::SeriesPoint& point : series) {
        if (point.second < options.fromSecond || !std::isfinite(point.value)) continue;
        const double weight = options.weights ? weightAt(*options.weights, point.second) : 1.0;
        if (!(weight > 0.0)) continue;
        samples.push_back({point.second, point.value, weight});
    }
    if (samples.empty()) return {};

    // Trailing average over (second - smooth, second], weighted.
    const int smooth = std::max(1, options.smoothSeconds);
    if (smooth > 1) {
        std::vector<Sample> smoothed = samples;
        double sum = 0.0;
        double weights = 0.0;
        std::size_t tail = 0;
        for (std::size_t i = 0; i < samples.size(); ++i) {
            sum += samples[i].value * samples[i].weight;
            weights += samples[i].weight;
            while (samples[tail].second <= samples[i].second - smooth) {
                sum -= samples[tail].value * samples[tail].weight;
                weights -= samples[tail].weight;
                ++tail;
            }
            smoothed[i].value = weights > 0.0 ? sum / weights : samples[i].value;
        }
        samples = std::move(smoothed);
    }

    const std::int64_t span = samples.back().second - samples.front().second + 1;
    const int bucket = bucketSeconds(span, options.maxPoints);
    QList<QPointF> points;
    points.reserve(
        static_cast<qsizetype>(std::min<std::size_t>(samples.size(), static_cast<std::size_t>(span / bucket + 2))));
    std::size_t i = 0;
    while (i < samples.size()) {
        // Floor division, so buckets stay aligned for any second.
        const std::int64_t key =
            samples[i].second >= 0 ? samples[i].second / bucket : -((-samples[i].second + bucket - 1) / bucket);
        double sum = 0.0;
        double weights = 0.0;
        while (i < samples.size()) {
            const std::int64_t k =
                samples[i].second >= 0 ? samples[i].second / bucket : -((-samples[i].second + bucket - 1) / bucket);
            if (k != key) break;
            sum += samples[i].value * samples[i].weight;
            weights += samples[i].weight;
            ++i;
        }
        const double middle = static_cast<double>(key * bucket) + (bucket - 1) / 2.0;
        points.append(QPointF(middle * 1000.0, sum / weights * options.scale));
    }
    return points;
}

std::int64_t firstActiveSecond(const std::vector<monitoring::SeriesPoint>& series) {
    for (const monitoring::SeriesPoint& point : series) {
        if (point.value > 0.0) return point.second;
    }
    return 0;
}

double total(const std::vector<monitoring::SeriesPoint>& series) {
    double sum = 0.0;
    for (const monitoring::SeriesPoint& point : series) sum += point.value;
    return sum;
}

WindowRate windowRate(const std::vector<monitoring::SeriesPoint>& perSecond) {
    WindowRate rate;
    if (perSecond.empty()) return rate;
    std::size_t first = 0;
    while (first < perSecond.size() && !(perSecond[first].value > 0.0)) ++first;
    if (first == 0 || first == perSecond.size()) {
        first = 0;  // traffic from the window's first second on (or none): the whole window
    } else {
        // Quiet seconds, then traffic: count from the first complete second after the start
        // (unless the start is the last second there is).
        rate.wholeWindow = false;
        if (first + 1 < perSecond.size()) first += 1;
    }
    for (std::size_t i = first; i < perSecond.size(); ++i) rate.count += perSecond[i].value;
    rate.seconds = static_cast<std::int64_t>(perSecond.size() - first);
    rate.perSecond = rate.seconds > 0 ? rate.count / static_cast<double>(rate.seconds) : 0.0;
    return rate;
}

QString variantShortLabel(const std::string& name) {
    if (name.empty()) return QObject::tr("no experiment");
    const auto colon = name.find(':');
    if (colon == std::string::npos) return QString::fromStdString(name);
    return QString::fromStdString(name.substr(colon + 1));
}

QString experimentOf(const std::string& name) {
    const auto colon = name.find(':');
    return colon == std::string::npos ? QString() : QString::fromStdString(name.substr(0, colon));
}

QString variantLabel(const std::string& name) {
    if (name.empty()) return QObject::tr("outside experiments");
    const auto colon = name.find(':');
    if (colon == std::string::npos) return QString::fromStdString(name);
    return QString::fromStdString(name.substr(0, colon)) + QStringLiteral(": ") +
           QString::fromStdString(name.substr(colon + 1));
}

QString windowLabel(int seconds) {
    if (seconds >= 3600 && seconds % 3600 == 0) return QObject::tr("%1 h").arg(seconds / 3600);
    if (seconds >= 60 && seconds % 60 == 0) return QObject::tr("%1 min").arg(seconds / 60);
    return QObject::tr("%1 s").arg(seconds);
}

}  // namespace recdeck::ui::live

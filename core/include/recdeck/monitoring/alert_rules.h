#pragma once
// Alert rules over the live figures: "metric below/above threshold over the last window,
// for at least `for` seconds, once there is enough traffic to judge". The state machine
// follows Prometheus alerting rules: ok -> pending when the condition first holds,
// pending -> firing once it has held for `forSeconds`, back to ok as soon as it does not
// hold (or traffic drops under the minimum: an idle service has no CTR to alert on).
//
// Thread safety: value types and a pure function; Monitor serialises evaluation.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"

namespace recdeck::monitoring {

enum class AlertMetric {
    Ctr,             // clicks / impressions (traffic: impressions)
    ConversionRate,  // conversions / impressions (traffic: impressions)
    P95LatencyMs,    // windowed p95 of request latency, ms (traffic: requests)
    HitRate,         // 1 - computes / cache requests (traffic: requests that reached the cache)
    ErrorRate,       // server errors / requests (traffic: requests)
};
// "ctr", "conversion_rate", "p95_latency_ms", "hit_rate", "error_rate".
const char* alertMetricName(AlertMetric metric);
std::optional<AlertMetric> parseAlertMetric(std::string_view name);

enum class Comparison { Below, Above };
const char* comparisonName(Comparison comparison);  // "below", "above"

struct AlertRule {
    std::string name;  // unique, non-empty (the Prometheus `rule` label)
    AlertMetric metric = AlertMetric::Ctr;
    Comparison comparison = Comparison::Below;
    double threshold = 0.0;            // in the metric's unit (a rate in [0, 1], or ms)
    std::int64_t windowSeconds = 300;  // 1 .. 3600 (the history Monitor keeps)
    std::uint64_t minTraffic = 0;      // below this many events in the window: no judgement
    std::int64_t forSeconds = 0;       // >= 0; 0 fires on the first breaching evaluation

    bool operator==(const AlertRule&) const = default;
};

// Checks one rule: name, finite threshold, window and `for` ranges. The message names
// the rule and the field.
Status validateAlertRule(const AlertRule& rule);

// CTR below 1% over 5 min (min 200 impressions, for 2 min); p95 above 50 ms over 1 min
// (min 100 requests, for 30 s); hit rate below 50% over 5 min (min 200 requests, for
// 2 min); error rate above 5% over 1 min (min 100 requests, for 30 s).
std::vector<AlertRule> defaultAlertRules();

enum class AlertState { Ok, Pending, Firing };
const char* alertStateName(AlertState state);  // "ok", "pending", "firing"

struct AlertStatus {
    AlertRule rule;
    AlertState state = AlertState::Ok;
    std::int64_t sinceSecond = 0;      // unix second the current state was entered
    std::optional<double> value;       // the metric over the window at the last evaluation
    std::uint64_t traffic = 0;         // events behind `value` (see AlertMetric)
    bool enoughTraffic = false;        // traffic >= rule.minTraffic at the last evaluation
    std::int64_t evaluatedSecond = 0;  // 0 before the first evaluation
};

// One evaluation: the next status of `previous` given the metric over the window and the
// traffic behind it at `nowSecond`. `value` empty (nothing to measure) counts as not
// breaching, like insufficient traffic.
AlertStatus stepAlert(const AlertStatus& previous, std::optional<double> value, std::uint64_t traffic,
                      std::int64_t nowSecond);

}  // namespace recdeck::monitoring

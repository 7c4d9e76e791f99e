#include "recdeck/monitoring/alert_rules.h"

#include <array>
#include <cmath>
#include <utility>

namespace recdeck::monitoring {

namespace {

constexpr std::array<std::pair<AlertMetric, const char*>, 5> kMetricNames = {{
    {AlertMetric::Ctr, "ctr"},
    {AlertMetric::ConversionRate, "conversion_rate"},
    {AlertMetric::P95LatencyMs, "p95_latency_ms"},
    {AlertMetric::HitRate, "hit_rate"},
    {AlertMetric::ErrorRate, "error_rate"},
}};

constexpr std::int64_t kMaxWindowSeconds = 3600;

bool breaches(const AlertRule& rule, double value) {
    return rule.comparison == Comparison::Below ? value < rule.threshold : value > rule.threshold;
}

}  // namespace

const char* alertMetricName(AlertMetric metric) {
    for (const auto& [m, name] : kMetricNames)
        if (m == metric) return name;
    return "unknown";
}

std::optional<AlertMetric> parseAlertMetric(std::string_view name) {
    for (const auto& [m, n] : kMetricNames)
        if (name == n) return m;
    return std::nullopt;
}

const char* comparisonName(Comparison comparison) {
    return comparison == Comparison::Below ? "below" : "above";
}

const char* alertStateName(AlertState state) {
    switch (state) {
        case AlertState::Ok:
            return "ok";
        case AlertState::Pending:
            return "pending";
        case AlertState::Firing:
            return "firing";
    }
    return "unknown";
}

Status validateAlertRule(const AlertRule& rule) {
    const std::string who = rule.name.empty() ? std::string("alert rule") : "alert rule '" + rule.name + "'";
    if (rule.name.empty()) return Error{"alert rule: field 'name' is empty; expected a unique non-empty name"};
    if (!std::isfinite(rule.threshold)) return Error{who + ": field 'threshold' is not a finite number"};
    if (rule.windowSeconds < 1 || rule.windowSeconds > kMaxWindowSeconds)
        return Error{who + ": field 'window' is " + std::to_string(rule.windowSeconds) +
                     " s; expected 1 .. 3600 s (the history kept)"};
    if (rule.forSeconds < 0)
        return Error{who + ": field 'for' is " + std::to_string(rule.forSeconds) + " s; expected >= 0"};
    return {};
}

std::vector<AlertRule> defaultAlertRules() {
    return {
        {"ctr_low", AlertMetric::Ctr, Comparison::Below, 0.01, 300, 200, 120},
        {"latency_p95_high", AlertMetric::P95LatencyMs, Comparison::Above, 50.0, 60, 100, 30},
        {"hit_rate_low", AlertMetric::HitRate, Comparison::Below, 0.50, 300, 200, 120},
        {"error_rate_high", AlertMetric::ErrorRate, Comparison::Above, 0.05, 60, 100, 30},
    };
}

AlertStatus stepAlert(const AlertStatus& previous, std::optional<double> value, std::uint64_t traffic,
                      std::int64_t nowSecond) {
    AlertStatus next = previous;
    next.value = value;
    next.traffic = traffic;
    next.enoughTraffic = traffic >= previous.rule.minTraffic;
    next.evaluatedSecond = nowSecond;
    const bool breaching = next.enoughTraffic && value && breaches(previous.rule, *value);

    const auto enter = [&](AlertState state) {
        if (next.state != state) {
            next.state = state;
            next.sinceSecond = nowSecond;
        }
    };
    if (previous.evaluatedSecond == 0 && previous.sinceSecond == 0) next.sinceSecond = nowSecond;
    if (!breaching) {
        enter(AlertState::Ok);
    } else if (previous.state == AlertState::Ok) {
        enter(previous.rule.forSeconds == 0 ? AlertState::Firing : AlertState::Pending);
    } else if (previous.state == AlertState::Pending && nowSecond - previous.sinceSecond >= previous.rule.forSeconds) {
        enter(AlertState::Firing);
    }
    return next;
}

}  // namespace recdeck::monitoring

// Monitor's alert rules: configuration, the once-per-second evaluation, and the coverage
// sample taken on the same tick.

#include <algorithm>
#include <map>
#include <set>

#include "monitor_impl.h"
#include "recdeck/monitoring/monitor.h"

namespace recdeck::monitoring {

namespace {

Status validateRules(const std::vector<AlertRule>& rules) {
    std::set<std::string, std::less<>> names;
    for (const AlertRule& rule : rules) {
        if (Status valid = validateAlertRule(rule); !valid) return valid;
        if (!names.insert(rule.name).second)
            return Error{"alert rule '" + rule.name + "': field 'name' is used by another rule; expected unique names"};
    }
    return {};
}

AlertStatus freshStatus(AlertRule rule) {
    AlertStatus status;
    status.rule = std::move(rule);
    return status;
}

struct Measurement {
    std::optional<double> value;
    std::uint64_t traffic = 0;
};

Measurement measure(AlertMetric metric, const MonitorSummary& s) {
    const auto when = [](std::uint64_t traffic, double value) {
        return Measurement{traffic == 0 ? std::nullopt : std::optional<double>(value), traffic};
    };
    switch (metric) {
        case AlertMetric::Ctr:
            return when(s.impressions, s.ctr);
        case AlertMetric::ConversionRate:
            return when(s.impressions, s.conversionRate);
        case AlertMetric::P95LatencyMs:
            return when(s.requests, s.latencyP95Ms);
        case AlertMetric::HitRate:
            return when(s.l1Hits + s.l2Hits + s.computes, s.hitRate);
        case AlertMetric::ErrorRate:
            return when(s.requests, s.errorRate);
    }
    return {};
}

}  // namespace

Status Monitor::setAlertRules(std::vector<AlertRule> rules) {
    if (Status valid = validateRules(rules); !valid) return valid;
    std::lock_guard lock(m_impl->alertMutex);
    std::vector<AlertStatus> next;
    next.reserve(rules.size());
    for (AlertRule& rule : rules) {
        const auto same = std::find_if(m_impl->alerts.begin(), m_impl->alerts.end(),
                                       [&](const AlertStatus& s) { return s.rule == rule; });
        next.push_back(same != m_impl->alerts.end() ? *same : freshStatus(std::move(rule)));
    }
    m_impl->alerts = std::move(next);
    return {};
}

Status Monitor::upsertAlertRule(AlertRule rule) {
    if (Status valid = validateAlertRule(rule); !valid) return valid;
    std::lock_guard lock(m_impl->alertMutex);
    for (AlertStatus& status : m_impl->alerts) {
        if (status.rule.name == rule.name) {
            if (!(status.rule == rule)) status = freshStatus(std::move(rule));
            return {};
        }
    }
    m_impl->alerts.push_back(freshStatus(std::move(rule)));
    return {};
}

bool Monitor::removeAlertRule(std::string_view name) {
    std::lock_guard lock(m_impl->alertMutex);
    const auto erased = std::erase_if(m_impl->alerts, [&](const AlertStatus& s) { return s.rule.name == name; });
    return erased > 0;
}

std::vector<AlertRule> Monitor::alertRules() const {
    std::lock_guard lock(m_impl->alertMutex);
    std::vector<AlertRule> rules;
    rules.reserve(m_impl->alerts.size());
    for (const AlertStatus& status : m_impl->alerts) rules.push_back(status.rule);
    return rules;
}

std::vector<AlertStatus> Monitor::alerts() const {
    std::lock_guard lock(m_impl->alertMutex);
    return m_impl->alerts;
}

void Monitor::evaluateAlerts(std::int64_t nowSecond) {
    Impl& impl = *m_impl;
    {
        const detail::CoverageSample sample = impl.sampleCoverage(nowSecond);
        std::lock_guard lock(impl.coverageMutex);
        impl.coverageSamples[static_cast<std::size_t>(nowSecond) % impl.coverageSamples.size()] = sample;
    }

    std::lock_guard lock(impl.alertMutex);
    std::map<std::int64_t, MonitorSummary> byWindow;  // rules often share a window
    for (AlertStatus& status : impl.alerts) {
        auto it = byWindow.find(status.rule.windowSeconds);
        if (it == byWindow.end())
            it =
                byWindow.emplace(status.rule.windowSeconds, impl.summarize(status.rule.windowSeconds, nowSecond)).first;
        const Measurement m = measure(status.rule.metric, it->second);
        status = stepAlert(status, m.value, m.traffic, nowSecond);
    }
}

}  // namespace recdeck::monitoring

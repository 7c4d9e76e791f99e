#pragma once
// A row of alert badges: one red badge per firing rule, one amber badge per pending rule,
// or a single green "All clear" when nothing is wrong. Hovering a badge shows the rule,
// its value at the last evaluation and since when it is in that state.

#include <QList>
#include <QWidget>

#include <cstdint>
#include <vector>

#include "recdeck/monitoring/alert_rules.h"

class QLabel;
class QHBoxLayout;

namespace recdeck::ui {

class AlertBadges : public QWidget {
    Q_OBJECT
public:
    explicit AlertBadges(QWidget* parent = nullptr);

    // nowSecond: unix seconds, for "since 2 min".
    void setAlerts(const std::vector<monitoring::AlertStatus>& alerts, std::int64_t nowSecond);
    // The badges shown, left to right (for tests: their text and tool tips).
    QList<QLabel*> badges() const;

    // "CTR below 1.0 % over 5 min (at least 200 impressions, for 2 min)".
    static QString describeRule(const monitoring::AlertRule& rule);
    // A value in the rule's unit: "0.8 %", "62 ms".
    static QString formatValue(monitoring::AlertMetric metric, double value);

private:
    QLabel* badge(int index);

    QHBoxLayout* m_layout;
    QList<QLabel*> m_badges;
    int m_shown = 0;
};

}  // namespace recdeck::ui

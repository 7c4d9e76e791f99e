#include "recdeck/ui/dashboard/alert_badges.h"

#include <QHBoxLayout>
#include <QLabel>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/dashboard/live_series.h"

namespace recdeck::ui {

namespace {

using monitoring::AlertMetric;
using monitoring::AlertState;
using monitoring::AlertStatus;

QString metricName(AlertMetric metric) {
    switch (metric) {
        case AlertMetric::Ctr:
            return QObject::tr("CTR");
        case AlertMetric::ConversionRate:
            return QObject::tr("Conversion rate");
        case AlertMetric::P95LatencyMs:
            return QObject::tr("p95 latency");
        case AlertMetric::HitRate:
            return QObject::tr("Cache hit rate");
        case AlertMetric::ErrorRate:
            return QObject::tr("Error rate");
    }
    return QObject::tr("Metric");
}

QString trafficUnit(AlertMetric metric) {
    switch (metric) {
        case AlertMetric::Ctr:
        case AlertMetric::ConversionRate:
            return QObject::tr("impressions");
        case AlertMetric::HitRate:
            return QObject::tr("cached requests");
        case AlertMetric::P95LatencyMs:
        case AlertMetric::ErrorRate:
            return QObject::tr("requests");
    }
    return {};
}

QString since(std::int64_t sinceSecond, std::int64_t nowSecond) {
    if (sinceSecond <= 0) return QObject::tr("start-up");
    return QObject::tr("%1 (%2 ago)")
        .arg(format::timestamp(sinceSecond * 1000), format::age((nowSecond - sinceSecond) * 1000));
}

QString tooltip(const AlertStatus& status, std::int64_t nowSecond) {
    QString text = QObject::tr("<b>%1</b><br>%2")
                       .arg(QString::fromStdString(status.rule.name).toHtmlEscaped(),
                            AlertBadges::describeRule(status.rule).toHtmlEscaped());
    text +=
        QObject::tr("<br>State: %1 since %2")
            .arg(QString::fromLatin1(monitoring::alertStateName(status.state)), since(status.sinceSecond, nowSecond));
    if (status.value) {
        text += QObject::tr("<br>Value: %1 over %2 %3")
                    .arg(AlertBadges::formatValue(status.rule.metric, *status.value))
                    .arg(status.traffic)
                    .arg(trafficUnit(status.rule.metric));
    } else {
        text += QObject::tr("<br>Value: not measured yet");
    }
    if (!status.enoughTraffic && status.evaluatedSecond > 0)
        text += QObject::tr("<br><i>Not enough traffic to judge.</i>");
    return text;
}

}  // namespace

AlertBadges::AlertBadges(QWidget* parent) : QWidget(parent), m_layout(new QHBoxLayout(this)) {
    setObjectName(QStringLiteral("alertBadges"));
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(6);
    m_layout->addStretch(1);
}

QLabel* AlertBadges::badge(int index) {
    while (m_badges.size() <= index) {
        auto* label = new QLabel(this);
        label->setObjectName(QStringLiteral("badge"));
        label->setTextFormat(Qt::PlainText);
        m_layout->insertWidget(static_cast<int>(m_badges.size()), label);
        m_badges.append(label);
    }
    return m_badges[index];
}

QList<QLabel*> AlertBadges::badges() const {
    return m_badges.mid(0, m_shown);
}

void AlertBadges::setAlerts(const std::vector<monitoring::AlertStatus>& alerts, std::int64_t nowSecond) {
    int shown = 0;
    auto show = [&](const QString& text, const QColor& colour, const QString& tip) {
        QLabel* label = badge(shown++);
        if (label->text() != text) label->setText(text);
        const QString style = QStringLiteral("background:%1;").arg(theme::css(colour));
        if (label->styleSheet() != style) label->setStyleSheet(style);
        label->setToolTip(tip);
        label->setVisible(true);
    };
    // Firing first, then pending.
    for (AlertState wanted : {AlertState::Firing, AlertState::Pending}) {
        for (const AlertStatus& status : alerts) {
            if (status.state != wanted) continue;
            const QString value =
                status.value ? QStringLiteral(" · ") + formatValue(status.rule.metric, *status.value) : QString();
            const QString state = wanted == AlertState::Firing ? tr("firing") : tr("pending");
            show(QStringLiteral("%1 %2%3").arg(metricName(status.rule.metric), state, value),
                 wanted == AlertState::Firing ? theme::bad() : theme::warning(), tooltip(status, nowSecond));
        }
    }
    if (shown == 0) {
        QString tip = tr("<b>No alert is firing or pending.</b>");
        for (const AlertStatus& status : alerts) tip += QStringLiteral("<br><br>") + tooltip(status, nowSecond);
        if (alerts.empty()) tip = tr("No alert rules are defined.");
        show(alerts.empty() ? tr("No alert rules")
                            : tr("All clear · %n rule(s) watched", nullptr, static_cast<int>(alerts.size())),
             alerts.empty() ? theme::muted() : theme::good(), tip);
    }
    for (qsizetype i = shown; i < m_badges.size(); ++i) m_badges[i]->setVisible(false);
    m_shown = shown;
}

QString AlertBadges::describeRule(const monitoring::AlertRule& rule) {
    const QString comparison = rule.comparison == monitoring::Comparison::Below ? tr("below") : tr("above");
    QString text = tr("%1 %2 %3 over %4")
                       .arg(metricName(rule.metric), comparison, formatValue(rule.metric, rule.threshold),
                            live::windowLabel(static_cast<int>(rule.windowSeconds)));
    QStringList conditions;
    if (rule.minTraffic > 0) conditions << tr("at least %1 %2").arg(rule.minTraffic).arg(trafficUnit(rule.metric));
    if (rule.forSeconds > 0) conditions << tr("for %1").arg(live::windowLabel(static_cast<int>(rule.forSeconds)));
    if (!conditions.isEmpty())
        text += QStringLiteral(" (") + conditions.join(QStringLiteral(", ")) + QStringLiteral(")");
    return text;
}

QString AlertBadges::formatValue(monitoring::AlertMetric metric, double value) {
    return metric == AlertMetric::P95LatencyMs ? format::milliseconds(value)
                                               : format::percent(value, value < 0.1 ? 2 : 1);
}

}  // namespace recdeck::ui

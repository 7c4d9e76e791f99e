#pragma once
// The dashboard's headline figures over the chosen window: requests/s, p95 latency, CTR,
// conversion, cache hit rate, catalog coverage and diversity. A tile turns amber when its
// figure breaches an alert rule's threshold (or the rule is pending) and red while the
// rule fires. On a fleet's Redis the fleet's requests, CTR and conversion stand beside
// this console's — or in their place when the console serves no traffic itself.

#include <QWidget>

#include "recdeck/monitoring/monitor_types.h"

namespace recdeck::ui {

class KpiTile;
struct LiveSnapshot;

class KpiRow : public QWidget {
    Q_OBJECT
public:
    explicit KpiRow(QWidget* parent = nullptr);
    void setSnapshot(const LiveSnapshot& snapshot);

private:
    void showFleetOnly(const monitoring::MonitorSummary& fleet);

    KpiTile* m_requests;
    KpiTile* m_latency;
    KpiTile* m_ctr;
    KpiTile* m_conversion;
    KpiTile* m_hitRate;
    KpiTile* m_coverage;
    KpiTile* m_diversity;
};

}  // namespace recdeck::ui

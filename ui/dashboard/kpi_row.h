#pragma once
// The dashboard's headline figures over the chosen window: requests/s, p95 latency, CTR,
// conversion, cache hit rate, catalog coverage and diversity. A tile turns amber when its
// figure breaches an alert rule's threshold (or the rule is pending) and red while the
// rule fires.

#include <QWidget>

namespace recdeck::ui {

class KpiTile;
struct LiveSnapshot;

class KpiRow : public QWidget {
    Q_OBJECT
public:
    explicit KpiRow(QWidget* parent = nullptr);
    void setSnapshot(const LiveSnapshot& snapshot);

private:
    KpiTile* m_requests;
    KpiTile* m_latency;
    KpiTile* m_ctr;
    KpiTile* m_conversion;
    KpiTile* m_hitRate;
    KpiTile* m_coverage;
    KpiTile* m_diversity;
};

}  // namespace recdeck::ui

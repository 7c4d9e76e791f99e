#pragma once
// Dashboard: live traffic, latency, click-through, cache and catalog figures of the
// embedded engine (and of watched recdeckd instances), over a window of 1 min, 15 min or
// 1 h. It redraws only when LiveFeed delivers a snapshot (once a second), and only while
// it is visible: a hidden dashboard catches up from LiveFeed::latest() when shown.

#include <QWidget>

#include <memory>

class QLabel;
class QShowEvent;

namespace recdeck::ui {

class AlertBadges;
class ChartCard;
class EngineHost;
class FleetMonitor;
class KpiRow;
class LiveFeed;
class WindowSelector;
struct LiveSnapshot;

class DashboardPanel : public QWidget {
    Q_OBJECT
public:
    explicit DashboardPanel(EngineHost& host, LiveFeed& feed, FleetMonitor& fleet, QWidget* parent = nullptr);
    ~DashboardPanel() override;

    // Snapshots drawn so far (tests check that redraws follow the feed, not events).
    int redrawCount() const { return m_redraws; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    void chooseWindow(int seconds);
    void onSnapshot(const std::shared_ptr<const LiveSnapshot>& snapshot);
    void redraw(const LiveSnapshot& snapshot);
    void drawCharts(const LiveSnapshot& snapshot);
    void drawFleet(const LiveSnapshot& snapshot);
    ChartCard* makeChart(const QString& title, const char* id, const QString& valueTitle, const QString& tip);

    EngineHost& m_host;
    LiveFeed& m_feed;
    FleetMonitor& m_fleet;
    QLabel* m_subheading = nullptr;
    QLabel* m_updated = nullptr;
    WindowSelector* m_window = nullptr;
    AlertBadges* m_alerts = nullptr;
    KpiRow* m_kpis = nullptr;
    ChartCard* m_requests = nullptr;
    ChartCard* m_latency = nullptr;
    ChartCard* m_hitRate = nullptr;
    ChartCard* m_ctr = nullptr;
    ChartCard* m_conversion = nullptr;
    ChartCard* m_quality = nullptr;
    ChartCard* m_fleetChart = nullptr;
    int m_redraws = 0;
    bool m_stale = false;  // a snapshot arrived while hidden
};

}  // namespace recdeck::ui

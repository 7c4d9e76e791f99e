#pragma once
// Cache: the tiers of the recommendation cache (L1 in this process, L2 in the shared
// store, compute) with their sizes, hits, misses, evictions and rates; the hit rate per
// tier over the dashboard's window; expiry and size settings; operator invalidation with
// confirmation; warm-up of the most active users; and the log of invalidations.

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>

#include "recdeck/cache/tiered_cache.h"

class QComboBox;
class QLabel;
class QShowEvent;
class QTableView;

namespace recdeck::ui {

class CacheSettingsForm;
class ChartCard;
class EngineHost;
class InvalidationForm;
class InvalidationLogModel;
class LiveFeed;
class TierCard;
class WarmUpForm;
struct LiveSnapshot;

class CachePanel : public QWidget {
    Q_OBJECT
public:
    explicit CachePanel(EngineHost& host, LiveFeed& feed, QWidget* parent = nullptr);
    ~CachePanel() override;

    InvalidationLogModel* logModel() const { return m_logModel; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildLogCard();
    void onSnapshot(const std::shared_ptr<const LiveSnapshot>& snapshot);
    void redraw(const LiveSnapshot& snapshot);
    void drawTiers(const LiveSnapshot& snapshot);
    void drawChart(const LiveSnapshot& snapshot);
    void reloadLog();
    void sizeLogColumns();
    void updateRates(const cache::CacheStats& stats);

    EngineHost& m_host;
    LiveFeed& m_feed;
    TierCard* m_l1 = nullptr;
    TierCard* m_l2 = nullptr;
    TierCard* m_compute = nullptr;
    ChartCard* m_chart = nullptr;
    CacheSettingsForm* m_settings = nullptr;
    InvalidationForm* m_invalidation = nullptr;
    WarmUpForm* m_warmUp = nullptr;
    InvalidationLogModel* m_logModel = nullptr;
    QTableView* m_logView = nullptr;
    QComboBox* m_logFilter = nullptr;
    QLabel* m_logCount = nullptr;
    // The log's columns follow their contents until the user resizes one (then the
    // user's widths are kept, and saved).
    bool m_logColumnsUserSized = false;
    bool m_logColumnsSized = false;
    bool m_sizingLogColumns = false;
    QTimer m_logReload;  // coalesces invalidation signals (purchases invalidate users often)
    bool m_logInFlight = false;
    bool m_stale = false;
    // Per-second rates from the last two snapshots' cumulative counters (updated while
    // hidden too, so a panel that is shown again has rates over the last second).
    struct Rates {
        double l1Hits = 0, l1Misses = 0, l2Hits = 0, l2Misses = 0, computes = 0, evictions = 0;
        bool known = false;
    };
    std::optional<cache::CacheStats> m_previous;
    QElapsedTimer m_previousAt;
    Rates m_rates;
};

}  // namespace recdeck::ui

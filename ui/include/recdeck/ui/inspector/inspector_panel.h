#pragma once

#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>

#include "recdeck/serving/user_inspection.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace recdeck::ui {

class ActivityCard;
class EngineHost;
class FeaturesCard;
class HistoryTableModel;
class IdCompletionModel;
class ModelComparisonView;
class RecommendationsCard;

// User inspector: one user's recommendations, end to end — features and their freshness,
// history, the list with scores, reasons and what diversity moved, which variant, model
// and cache tier served it and where the time went; the user under two models side by
// side; and acting as the user (click, purchase) to watch invalidation and the new list.
//
// Inspection requests do not record impressions, so they never count as traffic.
class InspectorPanel : public QWidget {
    Q_OBJECT
public:
    explicit InspectorPanel(EngineHost& host, QWidget* parent = nullptr);
    ~InspectorPanel() override;

    // Inspects `userId` ("" = the current one). bypassCache computes the list afresh.
    void inspect(const QString& userId, bool bypassCache = false);
    QString currentUser() const { return m_userId; }
    // True while an inspection, comparison or event is in flight.
    bool busy() const { return m_pending > 0; }
    // Results received so far (tests wait on it).
    int inspections() const { return m_inspections; }
    int comparisons() const { return m_comparisons; }
    int recordedEvents() const { return m_recorded; }
    const std::optional<serving::UserInspection>& lastInspection() const { return m_last; }

    // Records an event of the current user on `itemId`, then re-inspects.
    void record(store::EventType type, const QString& itemId);

private:
    void onEngineOpened();
    void loadData();
    void fillModelChoosers();
    void apply(serving::UserInspection inspection, bool afterEvent);
    void compare();
    void onInvalidated(const QString& kind, const QString& id, bool remote);
    void setError(const QString& message);
    void tick();
    void beginWork();
    void endWork();
    QString servingModel() const;
    QString titleOf(const QString& itemId) const;

    EngineHost& m_host;
    QLineEdit* m_search;
    QComboBox* m_servingModel;
    QPushButton* m_inspectButton;
    QPushButton* m_refreshButton;
    QPushButton* m_recomputeButton;
    QLabel* m_status;
    QSplitter* m_splitter;
    QTabWidget* m_tabs;
    FeaturesCard* m_features;
    ActivityCard* m_activity;
    RecommendationsCard* m_recommendations;
    ModelComparisonView* m_comparison;
    QTableView* m_historyTable;
    QLabel* m_historySummary;
    HistoryTableModel* m_history;
    IdCompletionModel* m_users;
    IdCompletionModel* m_items;
    QTimer* m_clock;

    QString m_userId;
    bool m_pickingFirstView = false;  // inspecting the automatic first view, not a choice
    std::optional<serving::UserInspection> m_last;
    std::shared_ptr<const data::Dataset> m_dataset;
    quint64 m_generation = 0;  // inspections started; older answers are dropped
    quint64 m_compareGeneration = 0;
    int m_pending = 0;
    int m_inspections = 0;
    int m_comparisons = 0;
    int m_recorded = 0;
    // The event whose consequences the timeline is following, if any.
    struct Followed {
        QString itemId;
        QString type;
        std::optional<std::size_t> previousRank;  // 0-based position in the list before
        std::size_t previousPurchases = 0;
    };
    std::optional<Followed> m_followed;
};

}  // namespace recdeck::ui

#pragma once

#include <QFrame>

#include <cstdint>
#include <optional>

#include "recdeck/serving/recommendation.h"

class QLabel;
class QTableView;

namespace recdeck::ui {

class RecommendationTableModel;
class StageLatencyBar;

// One answer of the service for the inspected user: who served it (experiment variant,
// model and version, cache tier), notes (fallback, cold start, degraded), where the time
// went per stage, and the list with scores, reasons and the rank before diversity.
class RecommendationsCard : public QFrame {
    Q_OBJECT
public:
    explicit RecommendationsCard(QWidget* parent = nullptr);

    void setAnswer(const serving::Recommendation& answer);
    void setError(const QString& message);
    void clear(const QString& message);
    void refreshAges();

    const std::optional<serving::Recommendation>& answer() const { return m_answer; }
    QTableView* table() const { return m_table; }
    RecommendationTableModel* model() const { return m_model; }
    QString tierText() const;
    QString servedByText() const;

signals:
    // The user picked an item of the list (to record an event for it).
    void itemChosen(const QString& itemId);

private:
    void fitColumns();

    QLabel* m_tier;
    QLabel* m_servedBy;
    QLabel* m_notes;
    QLabel* m_total;
    QLabel* m_message;
    StageLatencyBar* m_latency;
    QTableView* m_table;
    bool m_columnsUserSized = false;  // the user dragged a column: keep their widths
    bool m_fittingColumns = false;
    RecommendationTableModel* m_model;
    std::optional<serving::Recommendation> m_answer;
};

}  // namespace recdeck::ui

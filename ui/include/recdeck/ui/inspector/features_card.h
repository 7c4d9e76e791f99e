#pragma once

#include <QFrame>

#include <cstdint>

#include "recdeck/features/feature_store.h"

class QGridLayout;
class QLabel;

namespace recdeck::ui {

class AffinityBars;

// A user's features as the service used them: interactions, purchases, what is never shown
// again, last activity, category affinities (bars) and how fresh the features are.
class FeaturesCard : public QFrame {
    Q_OBJECT
public:
    explicit FeaturesCard(QWidget* parent = nullptr);
    void setFeatures(const features::UserFeatures& features, std::size_t trainingRows, std::size_t eventRows);
    void clear(const QString& message);
    // Re-renders the ages ("computed 12 s ago") against the current time.
    void refreshAges();
    QString freshnessText() const;
    QString valueText(const QString& key) const;

private:
    QLabel* addRow(const QString& key, const QString& title, const QString& tip, int row);

    QGridLayout* m_grid;
    QLabel* m_user;
    QLabel* m_freshness;
    QLabel* m_interactions;
    QLabel* m_purchases;
    QLabel* m_owned;
    QLabel* m_lastActive;
    QLabel* m_training;
    AffinityBars* m_affinity;
    QLabel* m_affinityEmpty;
    std::int64_t m_computedAtMs = 0;
    std::int64_t m_lastActiveMs = 0;
    bool m_fromCache = false;
    QString m_degraded;
    bool m_hasFeatures = false;
};

}  // namespace recdeck::ui

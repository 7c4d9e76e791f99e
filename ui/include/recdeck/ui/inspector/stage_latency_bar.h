#pragma once

#include <QWidget>

#include "recdeck/serving/recommendation.h"

namespace recdeck::ui {

// Where one request's time went: a stacked bar of the pipeline stages (cache, features,
// candidates, scoring, ranking) with a legend of each stage's time.
class StageLatencyBar : public QWidget {
    Q_OBJECT
public:
    explicit StageLatencyBar(QWidget* parent = nullptr);
    void setTimings(const serving::StageTimings& timings);
    void clear();
    const serving::StageTimings& timings() const { return m_timings; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    serving::StageTimings m_timings;
    bool m_empty = true;
};

}  // namespace recdeck::ui

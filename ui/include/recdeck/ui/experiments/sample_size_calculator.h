#pragma once
// SampleSizeCalculator: how many users an experiment needs and how long that takes.
// Inputs: baseline rate (with where it came from), minimum detectable effect (relative or
// absolute), significance level, power, number of variants and coverage. Outputs: users
// per variant (the core's experiments::plannedSampleSize: with k variants every treatment
// is compared with the control under the Holm correction the results apply, so the plan
// uses alpha / (k - 1); with two variants it is the figure `recdeckd stats sample-size`
// prints), total users, the expected duration from distinct users (recent traffic:
// experiments::RecentTraffic, or a figure typed in), and a power curve at the corrected
// level. Everything recomputes as soon as an input changes; there is no button.

#include <QString>
#include <QWidget>

#include <cstdint>
#include <optional>

#include "recdeck/experiments/experiment.h"
#include "recdeck/experiments/statistics.h"
#include "recdeck/experiments/traffic_estimate.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace recdeck::ui {

class ChartCard;
class KpiTile;

class SampleSizeCalculator : public QWidget {
    Q_OBJECT
public:
    // Rates and levels as fractions (0.05 = 5 %), as statistics.h takes them.
    struct Inputs {
        double baseline = 0.05;
        double mde = 0.10;
        experiments::EffectScale scale = experiments::EffectScale::Relative;
        double alpha = 0.05;
        double power = 0.80;
        int variants = 2;
        double coverage = 1.0;
    };

    explicit SampleSizeCalculator(QWidget* parent = nullptr);

    // Sets every input at once (recomputes once; not reported as a user edit).
    void setInputs(const Inputs& inputs);
    Inputs inputs() const;
    // Recent traffic (nullopt when there is none) and how it was read, shown under the
    // traffic row. Unless the user types a figure, the duration comes from it.
    void setTraffic(std::optional<experiments::RecentTraffic> traffic, const QString& explanation);
    // Where the baseline came from ("12.3 % click rate of the users served in the last
    // 15 min", "a neutral default"), shown under it until the user edits it.
    void setBaselineSource(const QString& text);
    QString baselineSource() const;
    QString durationText() const;
    // Which experiment "Use in plan" writes to ("" = none: the button is disabled).
    void setPlanTarget(const QString& experimentKey, bool editable);

    // The last computation; an Error when the inputs are out of range.
    const Result<experiments::SampleSize>& result() const { return m_result; }
    std::int64_t perVariant() const { return m_result ? m_result->perVariant : 0; }
    std::optional<double> durationDays() const { return m_days; }

signals:
    // The user changed an input (not emitted by setInputs).
    void inputsEdited();
    // "Use in plan": the plan these inputs describe (baseline, relative effect, alpha, power).
    void planRequested(const experiments::ExperimentPlan& plan);

private:
    void recompute();
    void updatePowerCurve(const experiments::SampleSizeRequest& request, double chosen);
    void updateDuration();
    experiments::SampleSizeRequest request() const;
    int treatments() const;
    void onUserEdit();

    QDoubleSpinBox* m_baseline;
    QDoubleSpinBox* m_effect;
    QComboBox* m_scale;
    QDoubleSpinBox* m_alpha;
    QDoubleSpinBox* m_power;
    QSpinBox* m_variants;
    QDoubleSpinBox* m_coverage;
    QCheckBox* m_useTraffic;
    QSpinBox* m_usersPerDay;
    QLabel* m_trafficNote;
    QLabel* m_baselineNote;
    QLabel* m_error;
    QLabel* m_formula;
    QPushButton* m_usePlan;
    KpiTile* m_perVariantTile;
    KpiTile* m_totalTile;
    KpiTile* m_durationTile;
    ChartCard* m_chart;

    Result<experiments::SampleSize> m_result;
    std::optional<double> m_days;
    std::optional<experiments::RecentTraffic> m_traffic;
    QString m_trafficText;
    QString m_planKey;
    bool m_updating = false;
};

}  // namespace recdeck::ui

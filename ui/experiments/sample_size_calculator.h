#pragma once
// SampleSizeCalculator: how many users an experiment needs and how long that takes.
// Inputs: baseline rate, minimum detectable effect (relative or absolute), significance
// level, power, number of variants and coverage. Outputs: users per variant (the core's
// experiments::sampleSize, so the figure is the one `recdeckd stats sample-size` prints),
// total users, the expected duration at the current traffic, and a power curve (power
// against users per variant, with the chosen n marked). Everything recomputes as soon as
// an input changes; there is no button.

#include <QString>
#include <QWidget>

#include <cstdint>
#include <optional>

#include "recdeck/experiments/experiment.h"
#include "recdeck/experiments/statistics.h"

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
    // Eligible users per day at the current traffic, or nullopt when unknown, and how it
    // was estimated (shown under the duration). Used unless the user types a figure.
    void setTrafficEstimate(std::optional<double> usersPerDay, const QString& explanation);
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
    QLabel* m_error;
    QLabel* m_formula;
    QPushButton* m_usePlan;
    KpiTile* m_perVariantTile;
    KpiTile* m_totalTile;
    KpiTile* m_durationTile;
    ChartCard* m_chart;

    Result<experiments::SampleSize> m_result;
    std::optional<double> m_days;
    std::optional<double> m_estimate;
    QString m_estimateText;
    QString m_planKey;
    bool m_updating = false;
};

}  // namespace recdeck::ui

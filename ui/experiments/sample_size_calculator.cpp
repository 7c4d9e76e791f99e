#include "recdeck/ui/experiments/sample_size_calculator.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "recdeck/ui/common/adaptive_splitter.h"
#include "recdeck/ui/common/chart_card.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/kpi_tile.h"
#include "recdeck/ui/common/responsive_grid.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

using experiments::EffectScale;

namespace {

constexpr int kCurvePoints = 80;

QDoubleSpinBox* percentSpin(QWidget* parent, const QString& name, double min, double max, int decimals, double step) {
    auto* spin = new QDoubleSpinBox(parent);
    spin->setObjectName(name);
    spin->setRange(min, max);
    spin->setDecimals(decimals);
    spin->setSingleStep(step);
    spin->setSuffix(QStringLiteral(" %"));
    spin->setKeyboardTracking(true);
    spin->setMinimumWidth(120);
    return spin;
}

QString days(double value) {
    if (value < 1.0) {
        const double hours = value * 24.0;
        return hours < 1.0 ? SampleSizeCalculator::tr("< 1 hour")
                           : SampleSizeCalculator::tr("%1 hours").arg(QLocale().toString(std::ceil(hours), 'f', 0));
    }
    const double whole = std::ceil(value - 1e-9);
    if (whole > 3650) return SampleSizeCalculator::tr("over 10 years");
    return whole == 1.0 ? SampleSizeCalculator::tr("1 day")
                        : SampleSizeCalculator::tr("%1 days").arg(QLocale().toString(whole, 'f', 0));
}

}  // namespace

SampleSizeCalculator::SampleSizeCalculator(QWidget* parent) : QWidget(parent), m_result(Error{"not computed yet"}) {
    // --- inputs ---
    m_baseline = percentSpin(this, QStringLiteral("calcBaseline"), 0.01, 99.99, 2, 0.5);
    m_baseline->setToolTip(
        tr("The control's current rate of the metric: the share of users who click (or convert) today"));
    m_effect = percentSpin(this, QStringLiteral("calcEffect"), 0.01, 1000.0, 2, 1.0);
    m_effect->setToolTip(
        tr("The smallest change worth detecting. Relative: 10 % means 5.0 % → 5.5 %. "
           "Absolute: percentage points, 0.5 means 5.0 % → 5.5 %"));
    m_scale = new QComboBox(this);
    m_scale->setObjectName(QStringLiteral("calcEffectScale"));
    m_scale->addItem(tr("relative"), static_cast<int>(EffectScale::Relative));
    m_scale->addItem(tr("in points"), static_cast<int>(EffectScale::Absolute));
    m_scale->setToolTip(tr("Relative to the baseline (10 % of 5 % is 0.5 points), or absolute percentage points"));
    m_alpha = percentSpin(this, QStringLiteral("calcAlpha"), 0.1, 50.0, 1, 0.5);
    m_alpha->setToolTip(
        tr("Significance level α (two-sided): the chance of calling a difference when there is none. "
           "5 % means 95 % confidence"));
    m_power = percentSpin(this, QStringLiteral("calcPower"), 50.5, 99.9, 1, 5.0);
    m_power->setToolTip(tr("Power: the chance of detecting the effect when it is really there. 80 % is usual"));
    m_variants = new QSpinBox(this);
    m_variants->setObjectName(QStringLiteral("calcVariants"));
    m_variants->setRange(2, static_cast<int>(experiments::kMaxVariants));
    m_variants->setToolTip(tr("Variants including the control, each with an equal share"));
    m_coverage = percentSpin(this, QStringLiteral("calcCoverage"), 0.01, 100.0, 2, 5.0);
    m_coverage->setToolTip(tr("Share of all eligible users who enter the experiment"));
    m_useTraffic = new QCheckBox(tr("Use current traffic"), this);
    m_useTraffic->setObjectName(QStringLiteral("calcUseTraffic"));
    m_useTraffic->setChecked(true);
    m_useTraffic->setToolTip(
        tr("Estimate from the distinct users the service served recently; untick to type your own "
           "figure"));
    m_usersPerDay = new QSpinBox(this);
    m_usersPerDay->setObjectName(QStringLiteral("calcUsersPerDay"));
    m_usersPerDay->setRange(0, 2'000'000'000);
    m_usersPerDay->setGroupSeparatorShown(true);
    m_usersPerDay->setSuffix(tr(" new users/day"));
    m_usersPerDay->setSpecialValueText(tr("unknown"));
    m_usersPerDay->setEnabled(false);
    m_usersPerDay->setToolTip(
        tr("Distinct users not seen before, per day, before coverage (a user who returns "
           "counts once)"));

    auto* effectRow = new QHBoxLayout();
    effectRow->setSpacing(6);
    effectRow->addWidget(m_effect);
    effectRow->addWidget(m_scale, 1);
    auto* trafficRow = new QHBoxLayout();
    trafficRow->setSpacing(6);
    trafficRow->addWidget(m_usersPerDay, 1);
    trafficRow->addWidget(m_useTraffic);

    auto* inputs = new QFrame(this);
    inputs->setObjectName(QStringLiteral("card"));
    auto* inputsLayout = new QVBoxLayout(inputs);
    inputsLayout->setContentsMargins(14, 12, 14, 12);
    auto* inputsHeading = new QLabel(tr("What to detect"), inputs);
    inputsHeading->setObjectName(QStringLiteral("sectionHeading"));
    auto* form = new QFormLayout();
    form->setLabelAlignment(Qt::AlignRight);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(8);
    m_baselineNote = new QLabel(inputs);
    m_baselineNote->setObjectName(QStringLiteral("calcBaselineSource"));
    m_baselineNote->setWordWrap(true);
    m_baselineNote->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::muted())));
    form->addRow(tr("Baseline rate"), m_baseline);
    form->addRow(QString(), m_baselineNote);
    form->addRow(tr("Minimum detectable effect"), effectRow);
    form->addRow(tr("Significance level (α)"), m_alpha);
    form->addRow(tr("Power"), m_power);
    form->addRow(tr("Variants (incl. control)"), m_variants);
    form->addRow(tr("Coverage"), m_coverage);
    form->addRow(tr("Traffic"), trafficRow);
    m_trafficNote = new QLabel(inputs);
    m_trafficNote->setObjectName(QStringLiteral("muted"));
    m_trafficNote->setWordWrap(true);
    m_trafficNote->setText(tr("Waiting for traffic to estimate distinct users per day."));
    m_error = new QLabel(inputs);
    m_error->setObjectName(QStringLiteral("calculatorError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::bad())));
    m_error->setVisible(false);
    m_usePlan = new QPushButton(tr("Use in plan"), inputs);
    m_usePlan->setObjectName(QStringLiteral("calcUsePlan"));
    m_usePlan->setEnabled(false);
    m_usePlan->setToolTip(
        tr("Copy baseline, effect, α and power into the selected experiment's plan (undoable in Design)"));
    auto* planRow = new QHBoxLayout();
    planRow->addStretch(1);
    planRow->addWidget(m_usePlan);
    inputsLayout->addWidget(inputsHeading);
    inputsLayout->addLayout(form);
    inputsLayout->addWidget(m_trafficNote);
    inputsLayout->addWidget(m_error);
    inputsLayout->addStretch(1);
    inputsLayout->addLayout(planRow);
    inputs->setMaximumWidth(540);

    // --- outputs ---
    m_perVariantTile = new KpiTile(tr("Users per variant"), this);
    m_perVariantTile->setObjectName(QStringLiteral("calcPerVariantTile"));
    m_totalTile = new KpiTile(tr("Total users"), this);
    m_totalTile->setObjectName(QStringLiteral("calcTotalTile"));
    m_durationTile = new KpiTile(tr("Expected duration"), this);
    m_durationTile->setObjectName(QStringLiteral("calcDurationTile"));
    auto* tiles = new ResponsiveGrid(170, 3, this);
    tiles->setObjectName(QStringLiteral("calcTiles"));
    tiles->addWidget(m_perVariantTile);
    tiles->addWidget(m_totalTile);
    tiles->addWidget(m_durationTile);

    m_formula = new QLabel(this);
    m_formula->setObjectName(QStringLiteral("muted"));
    m_formula->setWordWrap(true);

    m_chart = new ChartCard(tr("Power curve"), this, ChartCard::XAxis::Value);
    m_chart->setObjectName(QStringLiteral("powerCurve"));
    m_chart->setValueTitle(tr("Power (%)"));
    m_chart->setXTitle(tr("Users per variant"));
    m_chart->setValueFormat(QStringLiteral("%.0f"));
    m_chart->setValueRange(0.0, 100.0);
    m_chart->setToolTip(
        tr("The chance of detecting the effect for each number of users per variant; "
           "the dashed lines mark the chosen power and the users it needs"));

    auto* outputsHost = new QWidget(this);
    auto* outputs = new QVBoxLayout(outputsHost);
    outputs->setContentsMargins(0, 0, 0, 0);
    outputs->setSpacing(12);
    outputs->addWidget(tiles);
    outputs->addWidget(m_formula);
    m_chart->setMinimumHeight(220);
    outputs->addWidget(m_chart, 1);

    // Inputs beside the figures when both fit, above them in a narrow window.
    auto* split = new AdaptiveSplitter();
    split->setObjectName(QStringLiteral("calculatorSplitter"));
    split->setHandleWidth(12);
    split->addWidget(inputs);
    split->addWidget(outputsHost);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    // Its own scroll area, as the other tabs have: a short window scrolls the calculator,
    // not the whole panel.
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("calculatorScroll"));
    scroll->setWidget(split);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setStyleSheet(QStringLiteral(
        "QScrollArea { background: transparent; } QScrollArea > QWidget > QWidget { background: transparent; }"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 12, 0, 0);
    layout->addWidget(scroll);

    // Defaults: the textbook example (5 % baseline, +10 % relative, α 5 %, power 80 %).
    setInputs(Inputs{});

    for (QDoubleSpinBox* spin : {m_baseline, m_effect, m_alpha, m_power, m_coverage})
        connect(spin, &QDoubleSpinBox::valueChanged, this, &SampleSizeCalculator::onUserEdit);
    connect(m_variants, &QSpinBox::valueChanged, this, &SampleSizeCalculator::onUserEdit);
    connect(m_scale, &QComboBox::currentIndexChanged, this, [this] {
        // Keep the meaning when switching scales: 10 % of 5 % is 0.5 points.
        if (!m_updating) {
            const QSignalBlocker block(m_effect);
            const double baseline = m_baseline->value();
            if (m_scale->currentData().toInt() == static_cast<int>(EffectScale::Absolute))
                m_effect->setValue(baseline * m_effect->value() / 100.0);
            else if (baseline > 0)
                m_effect->setValue(m_effect->value() / baseline * 100.0);
            m_effect->setSuffix(m_scale->currentData().toInt() == static_cast<int>(EffectScale::Absolute)
                                    ? tr(" pp")
                                    : QStringLiteral(" %"));
        }
        onUserEdit();
    });
    connect(m_usersPerDay, &QSpinBox::valueChanged, this, [this] {
        if (!m_updating) updateDuration();
    });
    connect(m_useTraffic, &QCheckBox::toggled, this, [this](bool on) {
        m_usersPerDay->setEnabled(!on);
        if (on)
            setTraffic(m_traffic, m_trafficText);
        else
            updateDuration();
    });
    connect(m_baseline, &QDoubleSpinBox::valueChanged, this, [this] {
        if (!m_updating) m_baselineNote->setText(tr("Typed in."));
    });
    connect(m_usePlan, &QPushButton::clicked, this, [this] {
        if (!m_result) return;
        experiments::ExperimentPlan plan;
        plan.baseline = m_result->baseline;
        plan.relativeEffect = m_result->relativeEffect;
        plan.alpha = m_alpha->value() / 100.0;
        plan.power = m_power->value() / 100.0;
        emit planRequested(plan);
    });
}

void SampleSizeCalculator::setInputs(const Inputs& in) {
    m_updating = true;
    {
        const QSignalBlocker b1(m_baseline), b2(m_effect), b3(m_scale), b4(m_alpha), b5(m_power), b6(m_variants),
            b7(m_coverage);
        const bool absolute = in.scale == EffectScale::Absolute;
        m_scale->setCurrentIndex(m_scale->findData(static_cast<int>(in.scale)));
        m_effect->setSuffix(absolute ? tr(" pp") : QStringLiteral(" %"));
        m_baseline->setValue(in.baseline * 100.0);
        m_effect->setValue(in.mde * 100.0);
        m_alpha->setValue(in.alpha * 100.0);
        m_power->setValue(in.power * 100.0);
        m_variants->setValue(in.variants);
        m_coverage->setValue(in.coverage * 100.0);
    }
    m_updating = false;
    recompute();
}

SampleSizeCalculator::Inputs SampleSizeCalculator::inputs() const {
    Inputs in;
    in.baseline = m_baseline->value() / 100.0;
    in.mde = m_effect->value() / 100.0;
    in.scale = static_cast<EffectScale>(m_scale->currentData().toInt());
    in.alpha = m_alpha->value() / 100.0;
    in.power = m_power->value() / 100.0;
    in.variants = m_variants->value();
    in.coverage = m_coverage->value() / 100.0;
    return in;
}

experiments::SampleSizeRequest SampleSizeCalculator::request() const {
    const Inputs in = inputs();
    experiments::SampleSizeRequest r;
    r.baseline = in.baseline;
    r.mde = in.mde;
    r.scale = in.scale;
    r.alpha = in.alpha;
    r.power = in.power;
    return r;
}

void SampleSizeCalculator::onUserEdit() {
    if (m_updating) return;
    recompute();
    emit inputsEdited();
}

void SampleSizeCalculator::setTraffic(std::optional<experiments::RecentTraffic> traffic, const QString& explanation) {
    m_traffic = traffic;
    m_trafficText = explanation;
    if (m_useTraffic->isChecked()) {
        m_updating = true;
        m_usersPerDay->setValue(traffic ? static_cast<int>(std::min(2e9, std::round(traffic->newUsersPerDay()))) : 0);
        m_updating = false;
        m_trafficNote->setText(explanation);
    }
    updateDuration();
}

void SampleSizeCalculator::setBaselineSource(const QString& text) {
    m_baselineNote->setText(text);
}

QString SampleSizeCalculator::baselineSource() const {
    return m_baselineNote->text();
}

QString SampleSizeCalculator::durationText() const {
    return m_durationTile->value() + QLatin1Char('\n') + m_durationTile->detail();
}

int SampleSizeCalculator::treatments() const {
    return std::max(1, m_variants->value() - 1);
}

void SampleSizeCalculator::setPlanTarget(const QString& experimentKey, bool editable) {
    m_planKey = experimentKey;
    m_usePlan->setEnabled(!experimentKey.isEmpty() && editable && m_result.ok());
    m_usePlan->setText(experimentKey.isEmpty() ? tr("Use in plan") : tr("Use in plan of %1").arg(experimentKey));
}

void SampleSizeCalculator::recompute() {
    const auto r = request();
    m_result = experiments::plannedSampleSize(r, treatments());
    m_usePlan->setEnabled(!m_planKey.isEmpty() && m_result.ok());
    if (!m_result) {
        m_error->setText(tr("Cannot compute: %1").arg(QString::fromStdString(m_result.errorMessage())));
        m_error->setVisible(true);
        m_perVariantTile->setValue(QStringLiteral("–"), tr("check the inputs"), KpiTile::State::Warning);
        m_totalTile->setValue(QStringLiteral("–"));
        m_formula->clear();
        m_chart->setSeries({});
        updateDuration();
        return;
    }
    m_error->setVisible(false);
    const auto& s = *m_result;
    const int variants = m_variants->value();
    const double total = static_cast<double>(s.perVariant) * variants;
    const int comparisons = treatments();
    const double levelPerComparison = r.alpha / comparisons;
    QString detail = tr("to detect %1 → %2").arg(format::percent(s.baseline, 2), format::percent(s.treatmentRate, 2));
    if (comparisons > 1)
        detail += tr(" in each of %1 comparisons (Holm: α %2 each)")
                      .arg(comparisons)
                      .arg(format::percent(levelPerComparison, 2));
    m_perVariantTile->setValue(QLocale().toString(static_cast<qlonglong>(s.perVariant)), detail);
    m_totalTile->setValue(QLocale().toString(static_cast<qlonglong>(total)),
                          tr("%1 variants × users per variant").arg(variants));
    const QString correction =
        comparisons > 1
            ? tr(" %1 treatments are each compared with the control, and the results adjust their p-values with Holm's "
                 "method; the plan uses α / %1 = %2 per comparison (Holm's strictest step), so each comparison keeps "
                 "its power.")
                  .arg(comparisons)
                  .arg(format::percent(levelPerComparison, 2))
            : QString();
    m_formula->setText(
        tr("Two-sided two-proportion z-test, pooled variance: n = (z₁₋α/₂ + z_power)² · 2p̄(1 − p̄) / (p₂ − p₁)², "
           "with z₁₋α/₂ = %1, z_power = %2, p̄ = %3. Relative effect %4, absolute %5 points. Assumes independent users "
           "and equal shares.")
            .arg(format::number(s.zAlpha, 3), format::number(s.zPower, 3),
                 format::percent((s.baseline + s.treatmentRate) / 2, 2), format::signedPercent(s.relativeEffect, 1),
                 format::number(s.absoluteEffect * 100.0, 2)) +
        correction);
    auto corrected = r;
    corrected.alpha = levelPerComparison;
    updatePowerCurve(corrected, s.perVariantExact);
    updateDuration();
}

void SampleSizeCalculator::updatePowerCurve(const experiments::SampleSizeRequest& r, double chosen) {
    ChartSeries curve{tr("Power"), {}, theme::accent(), false};
    const double xMax = std::max(10.0, chosen * 2.5);
    for (int i = 1; i <= kCurvePoints; ++i) {
        const double n = xMax * i / kCurvePoints;
        if (auto p = experiments::power(r, n)) curve.points.append(QPointF(n, *p * 100.0));
    }
    ChartSeries marker{tr("Chosen: %1 users, %2 power")
                           .arg(QLocale().toString(std::floor(chosen), 'f', 0), format::percent(r.power, 0)),
                       {QPointF(chosen, 0.0), QPointF(chosen, r.power * 100.0), QPointF(0.0, r.power * 100.0)},
                       theme::series(1),
                       true};
    m_chart->setSeries({curve, marker});
}

void SampleSizeCalculator::updateDuration() {
    m_days.reset();
    if (!m_result) {
        m_durationTile->setValue(QStringLiteral("–"));
        return;
    }
    const double perDay = m_usersPerDay->value();
    const double coverage = m_coverage->value() / 100.0;
    const double needed = static_cast<double>(m_result->perVariant) * m_variants->value();
    if (m_useTraffic->isChecked() && m_traffic && m_traffic->users > 0) {
        // Distinct users: those served recently enter as they come back, then new ones.
        const auto reach = m_traffic->daysToReach(needed, coverage);
        const QString pool = tr("%L1 users served in the last %2, %L3 new users/day")
                                 .arg(m_traffic->users)
                                 .arg(format::age(m_traffic->toMs - m_traffic->fromMs))
                                 .arg(static_cast<qulonglong>(std::llround(m_traffic->newUsersPerDay())));
        if (!reach) {
            const double most = std::floor(coverage * static_cast<double>(m_traffic->users));
            m_durationTile->setValue(tr("never at this traffic"),
                                     tr("the same %L1 users keep returning: at %2 coverage at most %L3 users, not the "
                                        "%L4 needed")
                                         .arg(m_traffic->users)
                                         .arg(format::percent(coverage, 0))
                                         .arg(static_cast<qulonglong>(most))
                                         .arg(static_cast<qulonglong>(needed)),
                                     KpiTile::State::Warning);
            return;
        }
        m_days = *reach;
        m_durationTile->setValue(days(*reach), pool + tr(" × %1 coverage").arg(format::percent(coverage, 0)),
                                 *reach > 60 ? KpiTile::State::Warning : KpiTile::State::Normal);
        return;
    }
    if (perDay <= 0) {
        m_durationTile->setValue(tr("unknown"), m_useTraffic->isChecked()
                                                    ? tr("no traffic measured yet: start traffic or type a figure")
                                                    : tr("type the eligible users per day"));
        return;
    }
    auto duration = experiments::experimentDuration(static_cast<double>(m_result->perVariant), m_variants->value(),
                                                    perDay, coverage);
    if (!duration) {
        m_durationTile->setValue(QStringLiteral("–"), QString::fromStdString(duration.errorMessage()),
                                 KpiTile::State::Warning);
        return;
    }
    m_days = duration->days;
    m_durationTile->setValue(days(duration->days),
                             tr("%1 users/day × %2 coverage").arg(format::count(perDay), format::percent(coverage, 0)),
                             duration->days > 60 ? KpiTile::State::Warning : KpiTile::State::Normal);
    if (!m_useTraffic->isChecked()) m_trafficNote->setText(tr("Using the figure you typed."));
}

}  // namespace recdeck::ui

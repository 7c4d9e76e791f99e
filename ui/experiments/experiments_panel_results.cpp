#include "experiments/experiments_panel.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

#include "adapters/engine_host.h"
#include "common/async.h"
#include "common/format.h"
#include "experiments/experiment_editor.h"
#include "experiments/panel_text.h"
#include "adapters/live_feed.h"
#include "common/theme.h"
#include "experiments/results_view.h"
#include "experiments/sample_size_calculator.h"

namespace recdeck::ui {

using experiments::Experiment;
using experiments::ExperimentResults;
using experiments::ExperimentState;
using namespace panel_text;

namespace {

constexpr std::size_t kMaxSamples = 2000;

}  // namespace

// --- results ---------------------------------------------------------------------------

void ExperimentsPanel::refreshResults() {
    std::shared_ptr<serving::Engine> engine = m_host.sharedEngine();
    const std::optional<Experiment> e = selectedExperiment();
    if (!engine || !e || m_editor->isNew()) return;
    if (m_resultsInFlight) {
        m_refreshAgain = true;
        return;
    }
    m_resultsInFlight = true;
    const std::string key = e->key;
    struct Fetch {
        Result<ExperimentResults> results;
        std::vector<experiments::SeriesPoint> series;
    };
    runAsync(
        this,
        [engine, key]() {
            auto& tracker = engine->experimentResults();
            return Fetch{tracker.results(key), tracker.series(key)};
        },
        [this, key](Fetch fetch) {
            m_resultsInFlight = false;
            onResults(key, std::move(fetch.results), std::move(fetch.series));
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refreshResults();
            }
        });
}

void ExperimentsPanel::onResults(const std::string& key, Result<ExperimentResults> results,
                                 std::vector<experiments::SeriesPoint> series) {
    if (q(key) != m_selected || m_editor->isNew()) return;
    if (!results) {
        m_results.reset();
        m_resultsView->showMessage(tr("Results unavailable"), q(results.errorMessage()));
        updateActions();
        return;
    }
    ExperimentResults& r = *results;
    if (r.state == ExperimentState::Draft) {
        m_results.reset();
        m_resultsView->showMessage(tr("Not started yet"),
                                   tr("%1 is a draft: nobody sees it. Review its design, then press Start to begin "
                                      "collecting results.").arg(quoted(q(key))));
        updateActions();
        emit resultsUpdated(q(key));
        return;
    }
    // Remember this look for the chart (finer than the tracker's one point per minute).
    RunHistory& history = m_history[key];
    if (history.startedAtMs != r.startedAtMs) history = RunHistory{r.startedAtMs, {}};
    std::uint64_t users = 0;
    for (const auto& v : r.variants) users += v.counts.users;
    if (users > 0 && (history.samples.empty() || r.computedAtMs > history.samples.back().atMs)) {
        Sample sample{r.computedAtMs, {}};
        for (const auto& v : r.variants) sample.values.push_back(v.primary);
        history.samples.push_back(std::move(sample));
        if (history.samples.size() > kMaxSamples) history.samples.erase(history.samples.begin(), history.samples.begin() + kMaxSamples / 2);
    }
    m_resultsView->setResults(r, chartSeries(r, series));
    m_results = std::move(r);
    // The observed control rate seeds the calculator's baseline when the plan has none.
    if (!m_calculatorTouched && !m_baselineSeeded) {
        if (const std::optional<Experiment> e = selectedExperiment(); e && e->plan.baseline <= 0.0 && !m_results->variants.empty() &&
                                                         m_results->variants[0].counts.users >= experiments::kMinUsersPerArm &&
                                                         m_results->primaryMetric != experiments::Metric::Ctr) {
            auto inputs = m_calculator->inputs();
            const double observed = m_results->variants[0].primary;
            if (observed > 0.0 && observed < 1.0) {
                inputs.baseline = std::round(observed * 1000.0) / 1000.0;
                m_calculator->setInputs(inputs);
                m_baselineSeeded = true;
            }
        }
    }
    updateTrafficEstimate();
    updateActions();
    emit resultsUpdated(q(key));
}

QList<ChartSeries> ExperimentsPanel::chartSeries(const ExperimentResults& r, const std::vector<experiments::SeriesPoint>& series) {
    const auto& samples = m_history[r.key].samples;
    const std::int64_t firstSample = samples.empty() ? r.computedAtMs : samples.front().atMs;
    QList<ChartSeries> out;
    for (std::size_t i = 0; i < r.variants.size(); ++i) {
        ChartSeries s;
        s.name = q(r.variants[i].name);
        s.color = theme::series(static_cast<int>(i));
        // The tracker's minute points (the value at the end of each step), before this
        // panel's own looks began.
        for (std::size_t k = 0; k < series.size(); ++k) {
            const auto& p = series[k];
            if (i >= p.values.size() || i >= p.users.size() || p.users[i] == 0) continue;
            const std::int64_t end = k + 1 < series.size() ? series[k + 1].atMs : std::min(p.atMs + 60'000, r.computedAtMs);
            if (end >= firstSample) continue;
            s.points.append(QPointF(static_cast<double>(end), p.values[i] * 100.0));
        }
        for (const auto& sample : samples) {
            if (i < sample.values.size()) s.points.append(QPointF(static_cast<double>(sample.atMs), sample.values[i] * 100.0));
        }
        out.append(s);
    }
    return out;
}

void ExperimentsPanel::seedCalculator(const Experiment& e) {
    auto inputs = m_calculator->inputs();
    if (e.plan.baseline > 0.0) inputs.baseline = e.plan.baseline;
    inputs.mde = e.plan.relativeEffect;
    inputs.scale = experiments::EffectScale::Relative;
    inputs.alpha = e.plan.alpha;
    inputs.power = e.plan.power;
    inputs.variants = static_cast<int>(std::max<std::size_t>(2, e.variants.size()));
    inputs.coverage = e.coverage;
    m_calculator->setInputs(inputs);
}

void ExperimentsPanel::onSnapshot(const LiveSnapshot& snapshot) {
    m_feedRequestsPerSecond = snapshot.window.requests > 0 ? std::optional<double>(snapshot.window.requestsPerSecond) : std::nullopt;
    updateTrafficEstimate();
}

void ExperimentsPanel::updateTrafficEstimate() {
    // Best: the users the selected running experiment gained per unit of time, scaled up
    // by its coverage to all eligible users.
    if (m_results && q(m_results->key) == m_selected && m_results->state == ExperimentState::Running &&
        m_results->startedAtMs > 0) {
        const std::optional<Experiment> e = selectedExperiment();
        const double coverage = e ? e->coverage : 1.0;
        const std::int64_t elapsed = m_results->computedAtMs - m_results->startedAtMs;
        std::uint64_t users = 0;
        for (const auto& v : m_results->variants) users += v.counts.users;
        if (elapsed >= 5'000 && users > 0 && coverage > 0.0) {
            const double perDay = static_cast<double>(users) / static_cast<double>(elapsed) * 86'400'000.0 / coverage;
            m_calculator->setTrafficEstimate(
                perDay, tr("≈ %1 eligible users/day: %2 users entered %3 in its first %4 at %5 coverage, extrapolated to a "
                           "day. Returning users count once, so this rate falls as a run ages (on the small demo world, "
                           "quickly); treat it as an upper bound.")
                            .arg(format::count(perDay), QLocale().toString(static_cast<qulonglong>(users)), quoted(m_selected),
                                 elapsedText(elapsed), format::percent(coverage, 0)));
            return;
        }
    }
    if (m_feedRequestsPerSecond && *m_feedRequestsPerSecond > 0.0) {
        const double perDay = *m_feedRequestsPerSecond * 86'400.0;
        m_calculator->setTrafficEstimate(
            perDay, tr("≈ %1 requests/day from the current %2 requests/s, counting every request as a new user: an upper "
                       "bound. Select a running experiment for an estimate from the users it actually gains.")
                        .arg(format::count(perDay), format::number(*m_feedRequestsPerSecond, 1)));
        return;
    }
    m_calculator->setTrafficEstimate(std::nullopt, tr("No traffic measured yet: start the traffic simulator (F6) or type "
                                                      "the eligible users per day."));
}

}  // namespace recdeck::ui

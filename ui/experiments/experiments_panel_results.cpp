#include "recdeck/ui/experiments/experiments_panel.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

#include "recdeck/serving/event_pipeline.h"
#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/adapters/live_feed.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/experiments/experiment_editor.h"
#include "recdeck/ui/experiments/panel_text.h"
#include "recdeck/ui/experiments/results_view.h"
#include "recdeck/ui/experiments/sample_size_calculator.h"

namespace recdeck::ui {

using experiments::Experiment;
using experiments::ExperimentResults;
using experiments::ExperimentState;
using namespace panel_text;

namespace {

constexpr std::size_t kMaxSamples = 2000;
constexpr std::int64_t kTrafficRefreshMs = 15'000;
constexpr std::int64_t kTrafficWindowMs = 15 * 60'000;
constexpr std::size_t kTrafficEventLimit = 150'000;

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
        bool fleet = false;
        bool frozen = false;
    };
    runAsync(
        this,
        [engine, key]() {
            auto& tracker = engine->experimentResults();
            const auto record = engine->experiments().get(key);
            return Fetch{tracker.results(key), tracker.series(key), engine->events().fleet(),
                         record && !record->frozenResults.empty()};
        },
        [this, key](Fetch fetch) {
            m_resultsInFlight = false;
            m_resultsView->setScope(fetch.fleet ? tr("Fleet readout: every instance's events on the shared Redis, each "
                                                     "counted once")
                                                : tr("Readout of this console's own traffic (embedded store)"));
            m_resultsView->setFrozen(fetch.frozen);
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
                                      "collecting results.")
                                       .arg(quoted(q(key))));
        updateActions();
        emit resultsUpdated(q(key));
        return;
    }
    // Remember this look for the chart (finer than the tracker's one point per minute).
    RunHistory& history = m_history[key];
    if (history.startedAtMs != r.startedAtMs) history = RunHistory{r.startedAtMs, {}};
    std::uint64_t users = 0;
    for (const auto& v : r.variants) users += v.counts.users;
    // A stopped run is frozen at its stop: no look after it goes on the chart.
    const bool afterStop = r.state == ExperimentState::Stopped && r.stoppedAtMs > 0 && r.computedAtMs > r.stoppedAtMs;
    if (users > 0 && !afterStop && (history.samples.empty() || r.computedAtMs > history.samples.back().atMs)) {
        Sample sample{r.computedAtMs, {}};
        for (const auto& v : r.variants) sample.values.push_back(v.primary);
        history.samples.push_back(std::move(sample));
        if (history.samples.size() > kMaxSamples)
            history.samples.erase(history.samples.begin(), history.samples.begin() + kMaxSamples / 2);
    }
    m_resultsView->setResults(r, chartSeries(r, series));
    m_results = std::move(r);
    updateActions();
    emit resultsUpdated(q(key));
}

QList<ChartSeries> ExperimentsPanel::chartSeries(const ExperimentResults& r,
                                                 const std::vector<experiments::SeriesPoint>& series) {
    const auto& samples = m_history[r.key].samples;
    // The chart ends where the run ended: at the stop, or now.
    const std::int64_t end = r.state == ExperimentState::Stopped && r.stoppedAtMs > 0
                                 ? std::min(r.stoppedAtMs, r.computedAtMs)
                                 : r.computedAtMs;
    const std::int64_t firstSample = samples.empty() ? end : samples.front().atMs;
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
            if (p.atMs > end) break;
            const std::int64_t stepEnd = std::min(k + 1 < series.size() ? series[k + 1].atMs : p.atMs + 60'000, end);
            if (stepEnd >= firstSample) continue;
            s.points.append(QPointF(static_cast<double>(stepEnd), p.values[i] * 100.0));
        }
        for (const auto& sample : samples) {
            if (sample.atMs > end) break;
            if (i < sample.values.size())
                s.points.append(QPointF(static_cast<double>(sample.atMs), sample.values[i] * 100.0));
        }
        out.append(s);
    }
    return out;
}

void ExperimentsPanel::seedCalculator(const Experiment& e) {
    auto inputs = m_calculator->inputs();
    inputs.mde = e.plan.relativeEffect;
    inputs.scale = experiments::EffectScale::Relative;
    inputs.alpha = e.plan.alpha;
    inputs.power = e.plan.power;
    inputs.variants = static_cast<int>(std::max<std::size_t>(2, e.variants.size()));
    inputs.coverage = e.coverage;
    m_calculator->setInputs(inputs);
    seedBaseline(e);
}

void ExperimentsPanel::seedBaseline(const Experiment& e) {
    auto inputs = m_calculator->inputs();
    const QString metric = QString::fromLatin1(experiments::metricLabel(e.primaryMetric).data());
    const std::optional<double> observed = m_traffic ? m_traffic->baseline(e.primaryMetric) : std::nullopt;
    QString source;
    if (e.plan.baseline > 0.0) {
        inputs.baseline = e.plan.baseline;
        source = tr("From the plan of %1.").arg(quoted(q(e.key)));
    } else if (observed && *observed > 0.0 && *observed < 1.0) {
        inputs.baseline = std::round(*observed * 10000.0) / 10000.0;
        const QString among = e.primaryMetric == experiments::Metric::Ctr
                                  ? tr("of the %L1 items shown").arg(m_traffic->itemsShown)
                                  : tr("among the %L1 users served").arg(m_traffic->users);
        source = tr("The %1 %2 in the last %3 (all traffic). Per user over a longer run it is higher: users have more "
                    "visits to act in.")
                     .arg(metric, among, format::age(m_traffic->toMs - m_traffic->fromMs));
    } else {
        inputs.baseline = 0.05;
        source = tr("A neutral default: no recent traffic to measure the %1 from. Type your own figure.").arg(metric);
    }
    m_calculator->setInputs(inputs);
    m_calculator->setBaselineSource(source);
}

void ExperimentsPanel::refreshTraffic(bool force) {
    std::shared_ptr<serving::Engine> engine = m_host.sharedEngine();
    const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
    if (!engine || m_trafficInFlight || (!force && now - m_trafficReadAtMs < kTrafficRefreshMs)) return;
    m_trafficInFlight = true;
    m_trafficReadAtMs = now;
    runAsync(
        this,
        [engine, now] {
            // The last minutes of events; a busy service is read up to a limit (then the
            // span ends at the last event read).
            const std::int64_t from = now - kTrafficWindowMs;
            auto events = engine->eventLog().range(from, now, kTrafficEventLimit);
            if (!events || events->empty()) return std::optional<experiments::RecentTraffic>();
            const std::int64_t to = events->size() >= kTrafficEventLimit ? events->back().timestampMs + 1 : now;
            auto traffic = experiments::summariseTraffic(*events, from, to);
            if (traffic.users == 0) return std::optional<experiments::RecentTraffic>();
            return std::optional<experiments::RecentTraffic>(traffic);
        },
        [this](std::optional<experiments::RecentTraffic> traffic) {
            m_trafficInFlight = false;
            m_traffic = traffic;
            applyTraffic();
        });
}

void ExperimentsPanel::applyTraffic() {
    if (!m_traffic) {
        m_calculator->setTraffic(std::nullopt, tr("No traffic in the last %1: start the traffic simulator (F6) or type "
                                                  "the new users per day.")
                                                   .arg(format::age(kTrafficWindowMs)));
    } else {
        const auto& t = *m_traffic;
        m_calculator->setTraffic(
            t,
            tr("%L1 distinct users were served in the last %2; %L3 of them were first seen in its second half, about "
               "%4 new users a day. A user who returns counts once, as in the results.")
                .arg(t.users)
                .arg(format::age(t.toMs - t.fromMs))
                .arg(t.newLaterUsers)
                .arg(format::count(t.newUsersPerDay())));
    }
    // The baseline follows the traffic until the user types one.
    if (!m_calculatorTouched && m_editor->hasDefinition()) seedBaseline(m_editor->definition());
}

}  // namespace recdeck::ui

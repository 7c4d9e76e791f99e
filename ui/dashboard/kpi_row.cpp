#include "recdeck/ui/dashboard/kpi_row.h"

#include <QVBoxLayout>

#include <optional>
#include <vector>

#include "recdeck/ui/adapters/live_feed.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/kpi_tile.h"
#include "recdeck/ui/common/responsive_grid.h"
#include "recdeck/ui/dashboard/live_series.h"

namespace recdeck::ui {

namespace {

using monitoring::AlertMetric;

// The tile state the alert rules give a figure measured over the dashboard's window.
KpiTile::State stateFor(const LiveSnapshot& snapshot, AlertMetric metric, double value, std::uint64_t traffic) {
    KpiTile::State state = KpiTile::State::Normal;
    for (const monitoring::AlertStatus& status : snapshot.alerts) {
        if (status.rule.metric != metric) continue;
        if (status.state == monitoring::AlertState::Firing) return KpiTile::State::Bad;
        if (status.state == monitoring::AlertState::Pending) state = KpiTile::State::Warning;
        const bool breached = status.rule.comparison == monitoring::Comparison::Above ? value > status.rule.threshold
                                                                                      : value < status.rule.threshold;
        if (breached && traffic >= status.rule.minTraffic && traffic > 0) state = KpiTile::State::Warning;
    }
    return state;
}

KpiTile* makeTile(const QString& title, const char* id, const QString& tip, QWidget* parent) {
    auto* tile = new KpiTile(title, parent);
    // The object name stays "card" (the theme styles cards by it); the property names the
    // figure for tests and accessibility.
    tile->setProperty("kpi", QString::fromLatin1(id));
    tile->setAccessibleName(title);
    tile->setToolTip(tip);
    return tile;
}

}  // namespace

KpiRow::KpiRow(QWidget* parent) : QWidget(parent) {
    m_requests = makeTile(tr("Requests / s"), "requests",
                          tr("Recommendation requests answered per second, averaged over the window (or over the "
                             "seconds since traffic started, when that is shorter)"),
                          this);
    m_latency = makeTile(tr("p95 latency"), "latency",
                         tr("95 % of requests were answered faster than this (end to end, in the engine)"), this);
    m_ctr =
        makeTile(tr("Click-through rate"), "ctr", tr("Clicks divided by recommended items shown (impressions)"), this);
    m_conversion = makeTile(tr("Conversion rate"), "conversion",
                            tr("Add-to-cart and purchase events divided by impressions"), this);
    m_hitRate = makeTile(tr("Cache hit rate"), "hitRate",
                         tr("Share of requests answered from a cache tier (L1 in this process, L2 in the shared "
                            "store) instead of being computed"),
                         this);
    m_coverage =
        makeTile(tr("Catalog coverage"), "coverage",
                 tr("Share of the catalog that appeared in at least one recommended list during the window"), this);
    m_diversity = makeTile(tr("Diversity"), "diversity",
                           tr("Mean intra-list distance of the lists served: 0 = every item in a list shares its "
                              "categories, 1 = no two items do"),
                           this);
    // One row on a wide screen, two in a 1024-pixel window.
    auto* grid = new ResponsiveGrid(170, 7, this);
    grid->setObjectName(QStringLiteral("kpiGrid"));
    for (KpiTile* tile : {m_requests, m_latency, m_ctr, m_conversion, m_hitRate, m_coverage, m_diversity}) {
        tile->setMinimumWidth(140);
        tile->setValue(QStringLiteral("–"), tr("Waiting for traffic…"));
        grid->addWidget(tile);
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(grid);
}

void KpiRow::setSnapshot(const LiveSnapshot& snapshot) {
    const monitoring::MonitorSummary& w = snapshot.window;
    const bool fleetTraffic = snapshot.fleet && snapshot.fleet->requests > 0;
    if (w.requests == 0) {
        for (KpiTile* tile : {m_requests, m_latency, m_ctr, m_conversion, m_hitRate, m_coverage, m_diversity}) {
            tile->setValue(QStringLiteral("–"), tr("Waiting for traffic…"));
        }
        if (fleetTraffic) showFleetOnly(*snapshot.fleet);
        return;
    }
    // The monitor divides by the whole window; right after traffic starts most of the
    // window is empty, so average over the seconds since traffic began instead (the
    // seconds the charts draw). The sub-line counts the same seconds.
    static const std::vector<monitoring::SeriesPoint> none;
    const auto series = snapshot.series.find(monitoring::SeriesKind::RequestsPerSecond);
    const live::WindowRate rate = live::windowRate(series == snapshot.series.end() ? none : series->second);
    const bool fromSeries = rate.seconds > 0;
    const double perSecond = fromSeries ? rate.perSecond : w.requestsPerSecond;
    const double counted = fromSeries ? rate.count : static_cast<double>(w.requests);
    const QString span = fromSeries && !rate.wholeWindow
                             ? tr("the last %1").arg(live::windowLabel(static_cast<int>(rate.seconds)))
                             : live::windowLabel(static_cast<int>(w.windowSeconds));
    const QString fleetRequests =
        fleetTraffic ? tr(" · fleet %1").arg(format::rate(snapshot.fleet->requestsPerSecond)) : QString();
    m_requests->setValue(
        format::rate(perSecond),
        tr("%1 in %2 · %3 errors").arg(format::count(counted), span, format::percent(w.errorRate)) + fleetRequests,
        stateFor(snapshot, AlertMetric::ErrorRate, w.errorRate, w.requests));
    m_latency->setValue(
        format::milliseconds(w.latencyP95Ms),
        tr("p50 %1 · p99 %2").arg(format::milliseconds(w.latencyP50Ms), format::milliseconds(w.latencyP99Ms)),
        stateFor(snapshot, AlertMetric::P95LatencyMs, w.latencyP95Ms, w.requests));
    if (w.impressions == 0) {
        m_ctr->setValue(QStringLiteral("–"), tr("No impressions yet"));
        m_conversion->setValue(QStringLiteral("–"), tr("No impressions yet"));
    } else {
        const bool fleetShown = fleetTraffic && snapshot.fleet->impressions > 0;
        m_ctr->setValue(format::percent(w.ctr, 2),
                        tr("%1 clicks / %2 shown")
                                .arg(format::count(static_cast<double>(w.clicks)),
                                     format::count(static_cast<double>(w.impressions))) +
                            (fleetShown ? tr(" · fleet %1").arg(format::percent(snapshot.fleet->ctr, 2)) : QString()),
                        stateFor(snapshot, AlertMetric::Ctr, w.ctr, w.impressions));
        m_conversion->setValue(
            format::percent(w.conversionRate, 2),
            tr("%1 carts and purchases").arg(format::count(static_cast<double>(w.conversions))) +
                (fleetShown ? tr(" · fleet %1").arg(format::percent(snapshot.fleet->conversionRate, 2)) : QString()),
            stateFor(snapshot, AlertMetric::ConversionRate, w.conversionRate, w.impressions));
    }
    const std::uint64_t cached = w.l1Hits + w.l2Hits + w.computes;
    m_hitRate->setValue(
        format::percent(w.hitRate),
        tr("L1 %1 · L2 %2 · computed %3")
            .arg(format::percent(w.l1HitRate, 0), format::percent(w.l2HitRate, 0), format::percent(w.computeRate, 0)),
        stateFor(snapshot, AlertMetric::HitRate, w.hitRate, cached));
    if (w.catalogSize == 0) {
        m_coverage->setValue(QStringLiteral("–"), tr("No catalog"));
    } else {
        m_coverage->setValue(format::percent(w.coverage), tr("%1 of %2 items shown")
                                                              .arg(format::count(static_cast<double>(w.distinctItems)),
                                                                   format::count(static_cast<double>(w.catalogSize))));
    }
    if (w.lists == 0) {
        m_diversity->setValue(QStringLiteral("–"), tr("No lists with categories"));
    } else {
        m_diversity->setValue(format::number(w.diversity, 2),
                              tr("mean over %1 lists (0–1)").arg(format::count(static_cast<double>(w.lists))));
    }
}

void KpiRow::showFleetOnly(const monitoring::MonitorSummary& fleet) {
    // This console serves no traffic of its own (the usual case on a fleet's Redis): the
    // tiles show the fleet's figures, from the event stream every instance appends to.
    m_requests->setValue(format::rate(fleet.requestsPerSecond),
                         tr("the fleet: %1 lists in %2")
                             .arg(format::count(static_cast<double>(fleet.requests)),
                                  live::windowLabel(static_cast<int>(fleet.windowSeconds))));
    if (fleet.impressions > 0) {
        m_ctr->setValue(format::percent(fleet.ctr, 2), tr("the fleet: %1 clicks / %2 shown")
                                                           .arg(format::count(static_cast<double>(fleet.clicks)),
                                                                format::count(static_cast<double>(fleet.impressions))));
        m_conversion->setValue(
            format::percent(fleet.conversionRate, 2),
            tr("the fleet: %1 carts and purchases").arg(format::count(static_cast<double>(fleet.conversions))));
    }
    const QString elsewhere = tr("The fleet's latency and cache figures: Fleet panel");
    m_latency->setValue(QStringLiteral("–"), elsewhere);
    m_hitRate->setValue(QStringLiteral("–"), elsewhere);
}

}  // namespace recdeck::ui

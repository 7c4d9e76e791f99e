#include "recdeck/ui/dashboard/dashboard_panel.h"

#include <QChartView>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSettings>
#include <QShowEvent>
#include <QVBoxLayout>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/adapters/fleet_monitor.h"
#include "recdeck/ui/adapters/live_feed.h"
#include "recdeck/ui/common/chart_card.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/panel_heading.h"
#include "recdeck/ui/common/responsive_grid.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/dashboard/alert_badges.h"
#include "recdeck/ui/dashboard/kpi_row.h"
#include "recdeck/ui/dashboard/live_series.h"
#include "recdeck/ui/dashboard/window_selector.h"

namespace recdeck::ui {

namespace {

using monitoring::SeriesKind;
using monitoring::SeriesPoint;

constexpr const char* kWindowKey = "dashboard/window";
// Per-second ratios of a few hundred impressions are noisy; a short trailing average makes
// the lines readable without hiding a real change for long.
constexpr int kRatioSmoothing = 5;

const std::vector<SeriesPoint>& seriesOf(const std::map<SeriesKind, std::vector<SeriesPoint>>& all, SeriesKind kind) {
    static const std::vector<SeriesPoint> none;
    const auto it = all.find(kind);
    return it == all.end() ? none : it->second;
}

QString emptyText() {
    return QObject::tr("Waiting for traffic…\nStart the simulator with “Start traffic” in the toolbar (F6).");
}

}  // namespace

DashboardPanel::DashboardPanel(EngineHost& host, LiveFeed& feed, FleetMonitor& fleet, QWidget* parent)
    : QWidget(parent), m_host(host), m_feed(feed), m_fleet(fleet) {
    auto* heading = panelHeading(tr("Dashboard"), this);
    m_subheading = panelSubheading(QString(), this);
    auto* titles = new QVBoxLayout();
    titles->setSpacing(2);
    titles->addWidget(heading);
    titles->addWidget(m_subheading);

    auto* windowLabel = new QLabel(tr("Window"), this);
    windowLabel->setObjectName(QStringLiteral("muted"));
    m_window = new WindowSelector(this);
    auto* header = new QHBoxLayout();
    header->addLayout(titles, 1);
    header->addWidget(windowLabel, 0, Qt::AlignVCenter);
    header->addWidget(m_window, 0, Qt::AlignVCenter);

    auto* alertsLabel = new QLabel(tr("Alerts"), this);
    alertsLabel->setObjectName(QStringLiteral("sectionHeading"));
    m_alerts = new AlertBadges(this);
    m_updated = new QLabel(tr("Waiting for the engine…"), this);
    m_updated->setObjectName(QStringLiteral("muted"));
    auto* alertRow = new QHBoxLayout();
    alertRow->setSpacing(10);
    alertRow->addWidget(alertsLabel);
    alertRow->addWidget(m_alerts, 1);
    alertRow->addWidget(m_updated);

    m_kpis = new KpiRow(this);

    m_requests = makeChart(tr("Requests per second"), "requests", tr("requests / s"),
                           tr("Recommendation requests answered per second by this console's engine"));
    m_latency = makeChart(tr("Latency"), "latency", tr("ms"),
                          tr("End-to-end request latency percentiles per second, in milliseconds"));
    m_hitRate = makeChart(tr("Cache hit rate by tier"), "hitRate", tr("% of requests"),
                          tr("Share of requests answered from L1 (this process), from L2 (the shared store) "
                             "or computed afresh, per second"));
    m_ctr = makeChart(
        tr("Click-through rate"), "ctr", tr("%"),
        tr("Clicks / impressions, overall and per experiment variant (%1-second average)").arg(kRatioSmoothing));
    m_conversion = makeChart(tr("Conversion rate"), "conversion", tr("%"),
                             tr("Add-to-cart and purchase events / impressions, overall and per experiment variant "
                                "(%1-second average)")
                                 .arg(kRatioSmoothing));
    m_quality = makeChart(tr("Coverage and diversity"), "quality", tr("fraction (0–1)"),
                          tr("Catalog coverage: share of items recommended in the trailing 1 or 15 minutes.\n"
                             "Diversity: mean intra-list distance of the lists served in the trailing minute."));
    m_fleetChart = makeChart(tr("Fleet: requests per second"), "fleet", tr("requests / s"),
                             tr("Requests per second of each watched recdeckd instance, beside this console's engine"));
    m_requests->setSubtitle(tr("Answered by this console's engine"));
    m_latency->setSubtitle(tr("End to end, percentiles per second"));
    m_hitRate->setSubtitle(tr("L1: this process · L2: the shared store"));
    m_ctr->setSubtitle(tr("Overall and per variant · %1 s average").arg(kRatioSmoothing));
    m_conversion->setSubtitle(tr("Overall and per variant · %1 s average").arg(kRatioSmoothing));
    m_quality->setSubtitle(tr("Catalog coverage · intra-list diversity"));
    m_fleetChart->setSubtitle(tr("Watched recdeckd instances beside this console"));
    m_hitRate->setValueRange(0.0, 100.0);
    m_quality->setValueRange(0.0, 1.0);
    m_requests->setValueFormat(QStringLiteral("%.0f"));
    m_latency->setValueFormat(QStringLiteral("%.2f"));
    m_hitRate->setValueFormat(QStringLiteral("%.0f"));
    m_ctr->setValueFormat(QStringLiteral("%.1f"));
    m_conversion->setValueFormat(QStringLiteral("%.2f"));
    m_quality->setValueFormat(QStringLiteral("%.2f"));
    m_fleetChart->setValueFormat(QStringLiteral("%.0f"));
    m_fleetChart->setVisible(false);

    // Three charts a row on a wide screen, two in a 1024-pixel window.
    auto* charts = new ResponsiveGrid(340, 3, this);
    charts->setObjectName(QStringLiteral("chartGrid"));
    for (ChartCard* card : {m_requests, m_latency, m_hitRate, m_ctr, m_conversion, m_quality})
        charts->addWidget(card, 1);

    auto* content = new QWidget(this);
    content->setObjectName(QStringLiteral("dashboardContent"));
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(12);
    layout->addLayout(header);
    layout->addLayout(alertRow);
    layout->addWidget(m_kpis);
    layout->addWidget(charts, 2);
    layout->addWidget(m_fleetChart, 1);

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->viewport()->setAutoFillBackground(false);
    content->setAutoFillBackground(false);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    const int window = QSettings().value(QLatin1String(kWindowKey), 60).toInt();
    m_window->setWindow(window);
    m_feed.setWindow(m_window->window());
    m_subheading->setText(tr("Live figures of this console's engine over the last %1, refreshed every second")
                              .arg(live::windowLabel(m_window->window())));
    connect(m_window, &WindowSelector::windowChanged, this, &DashboardPanel::chooseWindow);
    connect(&m_feed, &LiveFeed::updated, this, &DashboardPanel::onSnapshot);
}

DashboardPanel::~DashboardPanel() = default;

ChartCard* DashboardPanel::makeChart(const QString& title, const char* id, const QString& valueTitle,
                                     const QString& tip) {
    auto* card = new ChartCard(title, this);
    // The object name stays "card" (the theme styles cards by it); the property names the
    // chart for tests.
    card->setProperty("chart", QString::fromLatin1(id));
    card->setToolTip(tip);
    card->setValueTitle(valueTitle);
    card->setEmptyText(emptyText());
    card->view()->setMinimumHeight(190);
    return card;
}

void DashboardPanel::chooseWindow(int seconds) {
    QSettings().setValue(QLatin1String(kWindowKey), seconds);
    m_subheading->setText(tr("Live figures of this console's engine over the last %1, refreshed every second")
                              .arg(live::windowLabel(seconds)));
    m_feed.setWindow(seconds);  // pulls a new snapshot now
}

void DashboardPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) {
        if (const auto latest = m_feed.latest()) redraw(*latest);
    }
}

void DashboardPanel::onSnapshot(const std::shared_ptr<const LiveSnapshot>& snapshot) {
    if (!snapshot) return;
    if (!isVisible()) {
        m_stale = true;  // drawn when shown
        return;
    }
    redraw(*snapshot);
}

void DashboardPanel::redraw(const LiveSnapshot& snapshot) {
    m_stale = false;
    ++m_redraws;
    m_alerts->setAlerts(snapshot.alerts, snapshot.atSecond);
    m_kpis->setSnapshot(snapshot);
    m_updated->setText(
        tr("Updated %1").arg(QDateTime::fromSecsSinceEpoch(snapshot.atSecond).toString(QStringLiteral("HH:mm:ss"))));
    // The time axes choose hh:mm:ss or hh:mm from the span they show (ChartCard).
    drawCharts(snapshot);
    drawFleet(snapshot);
}

void DashboardPanel::drawCharts(const LiveSnapshot& snapshot) {
    const auto& requests = seriesOf(snapshot.series, SeriesKind::RequestsPerSecond);
    const std::int64_t from = live::firstActiveSecond(requests);
    if (from == 0) {
        // No traffic in the window: every chart shows its empty state.
        for (ChartCard* card : {m_requests, m_latency, m_hitRate, m_ctr, m_conversion, m_quality}) card->setSeries({});
        return;
    }
    auto line = [&](SeriesKind kind, double scale, bool weighted, int smooth = 1) {
        live::PointOptions options;
        options.scale = scale;
        options.weights = weighted ? &requests : nullptr;
        options.fromSecond = from;
        options.smoothSeconds = smooth;
        return live::chartPoints(seriesOf(snapshot.series, kind), options);
    };

    m_requests->setSeries({{tr("All requests"), line(SeriesKind::RequestsPerSecond, 1.0, false), theme::accent()}});
    m_latency->setSeries({{tr("p50"), line(SeriesKind::LatencyP50Ms, 1.0, true), theme::series(0)},
                          {tr("p95"), line(SeriesKind::LatencyP95Ms, 1.0, true), theme::series(1)},
                          {tr("p99"), line(SeriesKind::LatencyP99Ms, 1.0, true), theme::series(4)}});
    // Legend names stay short enough for a third of the window; the tooltips and subtitles
    // say what they stand for. Every line of a chart has its own colour.
    m_hitRate->setSeries({{tr("L1"), line(SeriesKind::L1HitRate, 100.0, true), theme::series(0)},
                          {tr("L2"), line(SeriesKind::L2HitRate, 100.0, true), theme::series(5)},
                          {tr("Computed"), line(SeriesKind::ComputeRate, 100.0, true), theme::series(1)}});
    m_quality->setSeries({{tr("Coverage 1m"), line(SeriesKind::Coverage1m, 1.0, false), theme::series(2)},
                          {tr("Coverage 15m"), line(SeriesKind::Coverage15m, 1.0, false), theme::series(5), true},
                          {tr("Diversity"), line(SeriesKind::Diversity1m, 1.0, false), theme::series(3)}});

    // Overall, then one line per experiment variant that had traffic in the window, named by
    // its variant alone ("control"); the experiment goes in the subtitle. A variant keeps its
    // colour (its position among every variant the monitor knows).
    struct Variant {
        const std::map<SeriesKind, std::vector<SeriesPoint>>* perKind;
        std::string name;
        int colour;
    };
    std::vector<Variant> active;
    QStringList experiments;
    int index = 0;
    for (const auto& [name, perKind] : snapshot.variants) {
        const int colour = index++;
        if (live::total(seriesOf(perKind, SeriesKind::RequestsPerSecond)) <= 0.0) continue;
        active.push_back({&perKind, name, colour});
        const QString experiment = live::experimentOf(name);
        if (!experiment.isEmpty() && !experiments.contains(experiment)) experiments << experiment;
    }
    // Two experiments with a variant of the same name: those keep their experiment's name.
    QStringList shortNames;
    for (const Variant& v : active) shortNames << live::variantShortLabel(v.name);
    const QString subtitle =
        experiments.isEmpty() ? tr("Overall · %1 s average").arg(kRatioSmoothing)
        : experiments.size() == 1
            ? tr("Variants of %1 · %2 s average").arg(experiments.first()).arg(kRatioSmoothing)
            : tr("Variants of %1 experiments · %2 s average").arg(experiments.size()).arg(kRatioSmoothing);
    for (auto [card, kind] : {std::pair{m_ctr, SeriesKind::Ctr}, std::pair{m_conversion, SeriesKind::ConversionRate}}) {
        QList<ChartSeries> lines;
        lines.append({tr("Overall"), line(kind, 100.0, true, kRatioSmoothing), theme::text()});
        for (std::size_t i = 0; i < active.size(); ++i) {
            const Variant& v = active[i];
            const auto& variantRequests = seriesOf(*v.perKind, SeriesKind::RequestsPerSecond);
            live::PointOptions options;
            options.scale = 100.0;
            options.weights = &variantRequests;
            options.fromSecond = from;
            options.smoothSeconds = kRatioSmoothing;
            const QString& shortName = shortNames[static_cast<qsizetype>(i)];
            const QString name = shortNames.count(shortName) > 1 ? live::variantLabel(v.name) : shortName;
            lines.append({name, live::chartPoints(seriesOf(*v.perKind, kind), options), theme::series(v.colour), true});
        }
        card->setSubtitle(subtitle);
        card->setSeries(lines);
    }
}

void DashboardPanel::drawFleet(const LiveSnapshot& snapshot) {
    const QList<InstanceState> states = m_fleet.states();
    const bool watching = !m_fleet.instances().isEmpty();
    if (m_fleetChart->isVisible() != watching) m_fleetChart->setVisible(watching);
    if (!watching) return;
    const double fromMs = static_cast<double>(snapshot.atSecond - snapshot.windowSeconds) * 1000.0;
    live::PointOptions options;
    options.fromSecond = snapshot.atSecond - snapshot.windowSeconds;
    QList<ChartSeries> lines;
    lines.append({tr("This console"),
                  live::chartPoints(seriesOf(snapshot.series, SeriesKind::RequestsPerSecond), options), theme::text()});
    int index = 0;
    for (const InstanceState& state : states) {
        QList<QPointF> points;
        for (const QPointF& point : state.requestsHistory) {
            if (point.x() >= fromMs) points.append(point);
        }
        QString name = state.url.authority();
        if (!state.reachable) name += tr(" (unreachable)");
        lines.append({name, points, theme::series(index++)});
    }
    m_fleetChart->setSeries(lines);
}

}  // namespace recdeck::ui

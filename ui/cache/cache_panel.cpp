#include "recdeck/ui/cache/cache_panel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QHBoxLayout>

#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSettings>
#include <QShowEvent>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>
#include "recdeck/ui/common/responsive_grid.h"

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/adapters/live_feed.h"
#include "recdeck/ui/cache/cache_settings_form.h"
#include "recdeck/ui/cache/invalidation_form.h"
#include "recdeck/ui/cache/invalidation_log_model.h"
#include "recdeck/ui/cache/tier_card.h"
#include "recdeck/ui/cache/warm_up_form.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/chart_card.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/panel_heading.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/dashboard/live_series.h"

namespace recdeck::ui {

namespace {

using monitoring::SeriesKind;

constexpr const char* kFilterKey = "cache/logFilter";
// Versioned: states saved before the columns were sized to their contents are dropped.
constexpr const char* kHeaderKey = "cache/logColumns";

enum L1Row { L1Hits, L1Misses, L1Entries, L1Memory, L1Evictions, L1Expired };
enum L2Row { L2Store, L2Hits, L2Misses, L2Errors, L2Health };
enum ComputeRow { CComputed, CShare, CCoalesced, CEarly, CErrors, CInvalidations };

QString bytes(double value) {
    if (value < 1024.0) return QObject::tr("%1 B").arg(value, 0, 'f', 0);
    if (value < 1024.0 * 1024.0) return QObject::tr("%1 KB").arg(value / 1024.0, 0, 'f', 1);
    if (value < 1024.0 * 1024.0 * 1024.0) return QObject::tr("%1 MB").arg(value / (1024.0 * 1024.0), 0, 'f', 1);
    return QObject::tr("%1 GB").arg(value / (1024.0 * 1024.0 * 1024.0), 0, 'f', 2);
}

QString countAndRate(std::uint64_t total, double perSecond, bool known) {
    const QString count = format::count(static_cast<double>(total));
    return known ? QObject::tr("%1 · %2").arg(count, format::rate(perSecond)) : count;
}

double ratio(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// The scrolled content. A resizable scroll area makes its widget as tall as the widget's
// height for the width, which for a layout is the *preferred* height (every chart at its
// size hint): the panel would scroll in a window it fits. Report the least height the
// layout can take instead; the layout hands out whatever more the viewport has.
class PanelContent : public QWidget {
public:
    using QWidget::QWidget;
    int heightForWidth(int width) const override {
        return layout() && layout()->hasHeightForWidth() ? layout()->totalMinimumHeightForWidth(width)
                                                         : QWidget::heightForWidth(width);
    }
};

}  // namespace

CachePanel::CachePanel(EngineHost& host, LiveFeed& feed, QWidget* parent)
    : QWidget(parent), m_host(host), m_feed(feed) {
    auto* heading = panelHeading(tr("Cache"), this);
    auto* subheading =
        panelSubheading(tr("Recommendation lists are served from L1 (this process's memory), then L2 (the "
                           "shared store), else computed. Totals since start-up; rates over the last second."),
                        this);
    subheading->setWordWrap(true);

    m_l1 =
        new TierCard(tr("L1 · this process"), tr("In-memory LRU, checked first"),
                     {tr("Hits"), tr("Misses"), tr("Entries"), tr("Memory"), tr("Evictions"), tr("Expired on access")},
                     {tr("Requests answered from this process's memory (total · per second)"),
                      tr("Requests L1 could not answer: they went on to L2 (total · per second)"),
                      tr("Lists held now, of the configured limit"), tr("Approximate memory held now, of the limit"),
                      tr("Lists dropped to stay within the limits (total · per second)"),
                      tr("Lists found past their time to live when requested")},
                     this);
    m_l1->setProperty("tier", QStringLiteral("l1"));
    m_l2 = new TierCard(
        tr("L2 · shared store"), tr("One hash per user in the store; shared by every instance"),
        {tr("Store"), tr("Hits"), tr("Misses"), tr("Errors"), tr("Health")},
        {tr("Where L2 lives: embedded (this process) or a Redis server"),
         tr("L1 misses answered from the store (total · per second)"),
         tr("L1 misses the store could not answer: they were computed (total · per second)"),
         tr("Store calls that failed; requests went on with L1 and compute"), tr("Whether the store answers now")},
        this);
    m_l2->setProperty("tier", QStringLiteral("l2"));
    m_compute =
        new TierCard(tr("Compute"), tr("Scoring and ranking a fresh list"),
                     {tr("Computed"), tr("Share of requests"), tr("Coalesced"), tr("Early refreshes"), tr("Errors"),
                      tr("Invalidations applied")},
                     {tr("Lists computed (total · per second)"), tr("Computed lists / all requests since start-up"),
                      tr("Requests that waited for another request's identical computation instead of "
                         "computing again (single flight)"),
                      tr("Lists recomputed shortly before expiry by one request (XFetch)"),
                      tr("Computations that failed"), tr("Invalidations applied here, local and remote")},
                     this);
    m_compute->setProperty("tier", QStringLiteral("compute"));
    // Each row re-flows in a narrow window (three tier cards become one or two a row).
    auto* tiers = new ResponsiveGrid(250, 3, this);
    tiers->setObjectName(QStringLiteral("tierGrid"));
    for (TierCard* card : {m_l1, m_l2, m_compute}) {
        card->setMinimumWidth(250);
        tiers->addWidget(card);
    }

    m_chart = new ChartCard(tr("Hit rate by tier"), this);
    m_chart->setProperty("chart", QStringLiteral("cacheHitRate"));
    m_chart->setValueTitle(tr("% of requests"));
    m_chart->setValueRange(0.0, 100.0);
    m_chart->setValueFormat(QStringLiteral("%.0f"));
    m_chart->setEmptyText(tr("Waiting for traffic…\nStart the simulator with “Start traffic” in the toolbar (F6)."));
    m_chart->setToolTip(tr("Share of requests answered by each tier per second, over the dashboard's window"));
    m_chart->view()->setMinimumHeight(170);

    m_settings = new CacheSettingsForm(host, this);
    m_invalidation = new InvalidationForm(host, this);
    m_warmUp = new WarmUpForm(host, this);

    auto* middle = new ResponsiveGrid(360, 2, this);
    middle->setObjectName(QStringLiteral("chartAndLogGrid"));
    middle->addWidget(m_chart, 1);
    middle->addWidget(buildLogCard(), 1);

    auto* actions = new ResponsiveGrid(300, 3, this);
    actions->setObjectName(QStringLiteral("actionGrid"));
    actions->addWidget(m_invalidation);
    actions->addWidget(m_settings);
    actions->addWidget(m_warmUp);

    auto* content = new PanelContent(this);
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(12);
    auto* titles = new QVBoxLayout();
    titles->setSpacing(2);
    titles->addWidget(heading);
    titles->addWidget(subheading);
    layout->addLayout(titles);
    layout->addWidget(tiers);
    layout->addWidget(middle, 1);
    layout->addWidget(actions);

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // The rows re-flow; a horizontal scroll bar appears only if a single card cannot fit.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    scroll->viewport()->setAutoFillBackground(false);
    content->setAutoFillBackground(false);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    m_logReload.setSingleShot(true);
    m_logReload.setInterval(500);
    connect(&m_logReload, &QTimer::timeout, this, &CachePanel::reloadLog);
    connect(&m_host, &EngineHost::opened, this, &CachePanel::reloadLog);
    connect(&m_host, &EngineHost::cacheInvalidated, this, [this] {
        if (!isVisible()) {
            m_stale = true;
            return;
        }
        if (!m_logReload.isActive()) m_logReload.start();
    });
    connect(m_invalidation, &InvalidationForm::applied, this, [this](const cache::InvalidationRecord& record) {
        m_logModel->markOperator(record);
        reloadLog();
    });
    connect(&m_feed, &LiveFeed::updated, this, &CachePanel::onSnapshot);
    reloadLog();
}

CachePanel::~CachePanel() {
    QSettings settings;
    if (m_logColumnsUserSized) {
        settings.setValue(QLatin1String(kHeaderKey), m_logView->horizontalHeader()->saveState());
    } else {
        settings.remove(QLatin1String(kHeaderKey));
    }
}

void CachePanel::sizeLogColumns() {
    if (m_logColumnsUserSized) return;
    m_sizingLogColumns = true;
    // Each column as wide as its header and the widest value it holds (every row, not just
    // those in view; the fixed vocabularies too, so the next kind of row fits), never
    // narrower than it already is: a live log must not make its columns jump back and forth.
    // The last column (problems) takes the rest.
    const QFontMetrics metrics(m_logView->font());
    const int padding = 2 * m_logView->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_logView) + 14;
    const QHash<int, QStringList> vocabulary{
        {InvalidationLogModel::Time, {QStringLiteral("00:00:00")}},
        {InvalidationLogModel::Kind, {tr("User"), tr("Item"), tr("Model"), tr("Everything")}},
        {InvalidationLogModel::Target, {QStringLiteral("user_00000"), tr("all lists")}},
        {InvalidationLogModel::Origin, {tr("Another instance"), tr("This instance"), tr("This panel")}},
        {InvalidationLogModel::Dropped, {QStringLiteral("0,000")}},
    };
    constexpr int kMaxTargetWidth = 240;  // longer ids are elided, in full in the tooltip
    QHeaderView* header = m_logView->horizontalHeader();
    const int rows = m_logModel->rowCount();
    for (auto it = vocabulary.cbegin(); it != vocabulary.cend(); ++it) {
        const int column = it.key();
        int text = 0;
        for (const QString& word : it.value()) text = std::max(text, metrics.horizontalAdvance(word));
        for (int row = 0; row < rows; ++row) {
            text = std::max(text, metrics.horizontalAdvance(m_logModel->index(row, column).data().toString()));
        }
        int width = std::max(header->sectionSizeHint(column), text + padding);
        if (column == InvalidationLogModel::Target) width = std::min(width, kMaxTargetWidth);
        if (m_logColumnsSized) width = std::max(width, header->sectionSize(column));
        if (header->sectionSize(column) != width) header->resizeSection(column, width);
    }
    m_logColumnsSized = true;
    m_sizingLogColumns = false;
}

QWidget* CachePanel::buildLogCard() {
    auto* card = new QFrame(this);
    card->setObjectName(QStringLiteral("card"));
    auto* heading = new QLabel(tr("Invalidation log"), card);
    heading->setObjectName(QStringLiteral("sectionHeading"));
    m_logCount = new QLabel(card);
    m_logCount->setObjectName(QStringLiteral("muted"));
    m_logFilter = new QComboBox(card);
    m_logFilter->setObjectName(QStringLiteral("invalidationLogFilter"));
    m_logFilter->setToolTip(tr("Which invalidations to list"));
    m_logFilter->addItem(tr("All invalidations"), static_cast<int>(InvalidationLogModel::Filter::All));
    m_logFilter->addItem(tr("From this panel"), static_cast<int>(InvalidationLogModel::Filter::Operator));
    m_logFilter->addItem(tr("Users"), static_cast<int>(InvalidationLogModel::Filter::Users));
    m_logFilter->addItem(tr("Items"), static_cast<int>(InvalidationLogModel::Filter::Items));
    m_logFilter->addItem(tr("Models"), static_cast<int>(InvalidationLogModel::Filter::Models));
    m_logFilter->addItem(tr("Everything"), static_cast<int>(InvalidationLogModel::Filter::Everything));

    m_logModel = new InvalidationLogModel(this);
    m_logView = new QTableView(card);
    m_logView->setObjectName(QStringLiteral("invalidationLog"));
    m_logView->setModel(m_logModel);
    m_logView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_logView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_logView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_logView->setAlternatingRowColors(true);
    m_logView->setShowGrid(false);
    m_logView->setWordWrap(false);
    m_logView->verticalHeader()->setVisible(false);
    m_logView->verticalHeader()->setDefaultSectionSize(24);
    QHeaderView* columns = m_logView->horizontalHeader();
    columns->setStretchLastSection(true);
    columns->setHighlightSections(false);
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setMinimumSectionSize(40);
    m_logView->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_logView->setMinimumHeight(150);
    sizeLogColumns();
    const QByteArray saved = QSettings().value(QLatin1String(kHeaderKey)).toByteArray();
    if (!saved.isEmpty() && columns->restoreState(saved)) m_logColumnsUserSized = true;
    connect(columns, &QHeaderView::sectionResized, this, [this](int column) {
        // The last column stretches with the view: only a drag of another one is the user's.
        if (!m_sizingLogColumns && column != InvalidationLogModel::Problem) m_logColumnsUserSized = true;
    });

    const int filter = m_logFilter->findData(QSettings().value(QLatin1String(kFilterKey), 0).toInt());
    m_logFilter->setCurrentIndex(std::max(0, filter));
    m_logModel->setFilter(static_cast<InvalidationLogModel::Filter>(m_logFilter->currentData().toInt()));
    connect(m_logFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int value = m_logFilter->currentData().toInt();
        QSettings().setValue(QLatin1String(kFilterKey), value);
        m_logModel->setFilter(static_cast<InvalidationLogModel::Filter>(value));
        m_logCount->setText(tr("%1 shown of the last %2").arg(m_logModel->rowCount()).arg(m_logModel->totalCount()));
    });

    auto* header = new QHBoxLayout();
    header->addWidget(heading);
    header->addWidget(m_logCount, 1);
    header->addWidget(m_logFilter);
    auto* layout = new QVBoxLayout(card);
    layout->setContentsMargins(12, 8, 12, 12);
    layout->setSpacing(8);
    layout->addLayout(header);
    layout->addWidget(m_logView, 1);
    return card;
}

void CachePanel::reloadLog() {
    auto engine = m_host.sharedEngine();
    if (!engine) return;
    if (m_logInFlight) {
        if (!m_logReload.isActive()) m_logReload.start();  // once more after this one
        return;
    }
    m_logInFlight = true;
    runAsync(
        this, [engine]() { return engine->cache().invalidationLog(); },
        [this](std::vector<cache::InvalidationRecord> log) {
            m_logInFlight = false;
            m_logModel->setLog(std::move(log));
            sizeLogColumns();
            if (m_logModel->totalCount() == 0) {
                m_logCount->setText(tr("none yet"));
            } else {
                m_logCount->setText(
                    tr("%1 shown of the last %2").arg(m_logModel->rowCount()).arg(m_logModel->totalCount()));
            }
        });
}

void CachePanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!m_stale) return;
    m_stale = false;
    if (const auto latest = m_feed.latest()) redraw(*latest);
    reloadLog();
}

void CachePanel::onSnapshot(const std::shared_ptr<const LiveSnapshot>& snapshot) {
    if (!snapshot) return;
    updateRates(snapshot->cache);
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    redraw(*snapshot);
}

void CachePanel::updateRates(const cache::CacheStats& stats) {
    if (m_previous && m_previousAt.isValid()) {
        const double seconds = static_cast<double>(m_previousAt.elapsed()) / 1000.0;
        if (seconds >= 0.2) {
            auto rate = [seconds](std::uint64_t now, std::uint64_t before) {
                return now >= before ? static_cast<double>(now - before) / seconds : 0.0;  // counters reset: reopened
            };
            const cache::CacheStats& p = *m_previous;
            m_rates.l1Hits = rate(stats.l1Hits, p.l1Hits);
            m_rates.l1Misses = rate(stats.l1Misses, p.l1Misses);
            m_rates.l2Hits = rate(stats.l2Hits, p.l2Hits);
            m_rates.l2Misses = rate(stats.l2Misses, p.l2Misses);
            m_rates.computes = rate(stats.computes, p.computes);
            m_rates.evictions = rate(stats.l1.evictions, p.l1.evictions);
            m_rates.known = true;
        }
    }
    m_previous = stats;
    m_previousAt.restart();
}

void CachePanel::redraw(const LiveSnapshot& snapshot) {
    m_stale = false;
    m_settings->setCurrent(snapshot.cacheConfig);
    drawTiers(snapshot);
    drawChart(snapshot);
}

void CachePanel::drawTiers(const LiveSnapshot& snapshot) {
    const cache::CacheStats& s = snapshot.cache;
    const cache::CacheConfig& c = snapshot.cacheConfig;
    const bool known = m_rates.known;
    const std::uint64_t requests = s.l1Hits + s.l1Misses;

    if (requests == 0) {
        m_l1->setHeadline(QStringLiteral("–"), tr("no requests yet"));
    } else {
        m_l1->setHeadline(format::percent(ratio(s.l1Hits, requests)), tr("of requests answered here"));
    }
    m_l1->setRow(L1Hits, countAndRate(s.l1Hits, m_rates.l1Hits, known));
    m_l1->setRow(L1Misses, countAndRate(s.l1Misses, m_rates.l1Misses, known));
    const bool entriesFull =
        c.l1MaxEntries > 0 && static_cast<double>(s.l1.entries) >= 0.95 * static_cast<double>(c.l1MaxEntries);
    m_l1->setRow(
        L1Entries,
        tr("%1 of %2")
            .arg(format::count(static_cast<double>(s.l1.entries)), format::count(static_cast<double>(c.l1MaxEntries))),
        entriesFull);
    const bool bytesFull =
        c.l1MaxBytes > 0 && static_cast<double>(s.l1.bytes) >= 0.95 * static_cast<double>(c.l1MaxBytes);
    m_l1->setRow(L1Memory,
                 tr("%1 of %2").arg(bytes(static_cast<double>(s.l1.bytes)), bytes(static_cast<double>(c.l1MaxBytes))),
                 bytesFull);
    m_l1->setRow(L1Evictions, countAndRate(s.l1.evictions, m_rates.evictions, known));
    m_l1->setRow(L1Expired, format::count(static_cast<double>(s.l1.expirations)));

    const std::uint64_t l2Lookups = s.l2Hits + s.l2Misses;
    if (!c.useL2) {
        m_l2->setHeadline(tr("off"), tr("L2 is not used by this engine"));
    } else if (l2Lookups == 0) {
        m_l2->setHeadline(QStringLiteral("–"), tr("no L1 misses yet"));
    } else {
        m_l2->setHeadline(format::percent(ratio(s.l2Hits, l2Lookups)), tr("of L1 misses answered here"));
    }
    const bool embedded = snapshot.store == "embedded";
    m_l2->setRow(L2Store, embedded ? tr("embedded (in this process)") : QString::fromStdString(snapshot.store));
    m_l2->setRow(L2Hits, countAndRate(s.l2Hits, m_rates.l2Hits, known));
    m_l2->setRow(L2Misses, countAndRate(s.l2Misses, m_rates.l2Misses, known));
    m_l2->setRow(L2Errors, format::count(static_cast<double>(s.l2Errors)), s.l2Errors > 0);
    if (snapshot.storeHealth.healthy) {
        m_l2->setRow(L2Health, tr("reachable"));
    } else {
        m_l2->setRow(L2Health, tr("unreachable — %1").arg(QString::fromStdString(snapshot.storeHealth.lastError)),
                     true);
    }

    m_compute->setHeadline(known ? format::rate(m_rates.computes) : QStringLiteral("–"), tr("lists computed"));
    m_compute->setRow(CComputed, countAndRate(s.computes, m_rates.computes, known));
    m_compute->setRow(CShare, requests == 0 ? QStringLiteral("–") : format::percent(ratio(s.computes, requests)));
    m_compute->setRow(CCoalesced, format::count(static_cast<double>(s.coalesced)));
    m_compute->setRow(CEarly, format::count(static_cast<double>(s.earlyRefreshes)));
    m_compute->setRow(CErrors, format::count(static_cast<double>(s.computeErrors)), s.computeErrors > 0);
    m_compute->setRow(CInvalidations, format::count(static_cast<double>(s.invalidations)));
}

void CachePanel::drawChart(const LiveSnapshot& snapshot) {
    static const std::vector<monitoring::SeriesPoint> none;
    auto seriesOf = [&](SeriesKind kind) -> const std::vector<monitoring::SeriesPoint>& {
        const auto it = snapshot.series.find(kind);
        return it == snapshot.series.end() ? none : it->second;
    };
    const auto& requests = seriesOf(SeriesKind::RequestsPerSecond);
    const std::int64_t from = live::firstActiveSecond(requests);
    if (from == 0) {
        m_chart->setSeries({});
        return;
    }
    auto line = [&](SeriesKind kind) {
        live::PointOptions options;
        options.scale = 100.0;
        options.weights = &requests;
        options.fromSecond = from;
        return live::chartPoints(seriesOf(kind), options);
    };
    m_chart->setTitle(tr("Hit rate by tier · last %1").arg(live::windowLabel(snapshot.windowSeconds)));
    m_chart->setSeries({{tr("L1 (this process)"), line(SeriesKind::L1HitRate), theme::series(0)},
                        {tr("L2 (shared store)"), line(SeriesKind::L2HitRate), theme::series(5)},
                        {tr("Computed"), line(SeriesKind::ComputeRate), theme::series(1)}});
    const auto axes = m_chart->chart()->axes(Qt::Horizontal);
    if (auto* axis = axes.isEmpty() ? nullptr : qobject_cast<QDateTimeAxis*>(axes.first())) {
        const QString format = snapshot.windowSeconds <= 120 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
        if (axis->format() != format) axis->setFormat(format);
    }
}

}  // namespace recdeck::ui

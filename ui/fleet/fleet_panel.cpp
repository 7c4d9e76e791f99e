#include "recdeck/ui/fleet/fleet_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include "recdeck/store/redis_url.h"
#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/adapters/fleet_monitor.h"
#include "recdeck/ui/common/chart_card.h"
#include "recdeck/ui/common/panel_heading.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/fleet/badge_delegate.h"
#include "recdeck/ui/fleet/fleet_table_model.h"
#include "recdeck/ui/fleet/local_engine_probe.h"

namespace recdeck::ui {

namespace {

QFrame* card(QWidget* parent) {
    auto* frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("card"));
    return frame;
}

// The store a console or instance names, comparable across spellings of the same server
// ("localhost" and "127.0.0.1"); empty for the embedded store.
QString storeKey(const QString& store) {
    if (store.isEmpty() || store == QLatin1String("embedded")) return {};
    const auto url = store::RedisUrl::parse(store.toStdString());
    if (!url) return store;
    QString host = QString::fromStdString(url->host).toLower();
    if (host == QLatin1String("localhost") || host == QLatin1String("[::1]") || host == QLatin1String("::1")) {
        host = QStringLiteral("127.0.0.1");
    }
    return QStringLiteral("%1:%2/%3").arg(host).arg(url->port).arg(url->db);
}

// The console's store, safe to show (never the password).
QString consoleStore(const EngineHost& host) {
    if (host.isOpen()) return host.backend();
    const QString configured = QString::fromStdString(host.config().store);
    if (configured.isEmpty() || configured == QLatin1String("embedded")) return QStringLiteral("embedded");
    const auto url = store::RedisUrl::parse(configured.toStdString());
    return url ? QString::fromStdString(url->redacted()) : QObject::tr("a Redis server");
}

}  // namespace

FleetPanel::FleetPanel(EngineHost& host, FleetMonitor& fleet, QWidget* parent)
    : QWidget(parent),
      m_host(host),
      m_fleet(fleet),
      m_local(new LocalEngineProbe(host, this)),
      m_model(new FleetTableModel(this)),
      m_address(new QLineEdit(this)),
      m_add(new QPushButton(tr("Add instance"), this)),
      m_remove(new QPushButton(tr("Remove"), this)),
      m_addError(new QLabel(this)),
      m_sharing(new QLabel(this)),
      m_emptyHint(new QLabel(this)),
      m_table(new QTableView(this)),
      m_chart(new ChartCard(tr("Requests per second by instance"), this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(12);

    auto* heading = panelHeading(tr("Fleet"), this);
    auto* subheading = panelSubheading(
        tr("The recdeckd instances this console watches, beside its own engine: health, readiness and live traffic, "
           "polled every 2 s over HTTP."),
        this);
    subheading->setWordWrap(true);
    layout->addWidget(heading);
    layout->addWidget(subheading);

    // --- add an instance ---
    auto* addCard = card(this);
    auto* addLayout = new QVBoxLayout(addCard);
    addLayout->setContentsMargins(14, 12, 14, 12);
    addLayout->setSpacing(8);
    auto* addTitle = new QLabel(tr("Watch a recdeckd instance"), addCard);
    addTitle->setObjectName(QStringLiteral("sectionHeading"));
    auto* addRow = new QHBoxLayout();
    addRow->setSpacing(8);
    m_address->setObjectName(QStringLiteral("fleetAddress"));
    m_address->setPlaceholderText(tr("Address of a running recdeckd serve, e.g. http://127.0.0.1:8000"));
    m_address->setToolTip(tr("The base address a recdeckd serve listens on: http://host:port (no path)"));
    m_address->setClearButtonEnabled(true);
    m_add->setObjectName(QStringLiteral("primary"));
    m_add->setAccessibleName(QStringLiteral("fleetAdd"));
    m_add->setToolTip(tr("Start polling this instance's /health, /ready and /metrics every 2 s"));
    m_remove->setObjectName(QStringLiteral("danger"));
    m_remove->setAccessibleName(QStringLiteral("fleetRemove"));
    m_remove->setToolTip(tr("Stop watching the selected instance (the instance itself keeps running)"));
    auto* pollNow = new QPushButton(tr("Refresh now"), addCard);
    pollNow->setToolTip(tr("Poll every instance now instead of waiting for the next 2 s tick"));
    addRow->addWidget(m_address, 1);
    addRow->addWidget(m_add);
    addRow->addSpacing(12);
    addRow->addWidget(m_remove);
    addRow->addWidget(pollNow);
    m_addError->setObjectName(QStringLiteral("fleetAddError"));
    m_addError->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::bad())));
    m_addError->setWordWrap(true);
    m_addError->hide();
    m_sharing->setObjectName(QStringLiteral("fleetSharing"));
    m_sharing->setWordWrap(true);
    m_sharing->setTextFormat(Qt::RichText);
    // An information icon beside the note (a theme icon, else the style's own: never a
    // character the font may lack).
    auto* infoIcon = new QLabel(addCard);
    infoIcon->setObjectName(QStringLiteral("fleetSharingIcon"));
    const QIcon info =
        QIcon::fromTheme(QStringLiteral("dialog-information"), style()->standardIcon(QStyle::SP_MessageBoxInformation));
    infoIcon->setPixmap(info.pixmap(QSize(16, 16), devicePixelRatioF()));
    infoIcon->setFixedSize(16, 16);
    auto* sharingRow = new QHBoxLayout();
    sharingRow->setSpacing(8);
    sharingRow->addWidget(infoIcon, 0, Qt::AlignTop);
    sharingRow->addWidget(m_sharing, 1);
    addLayout->addWidget(addTitle);
    addLayout->addLayout(addRow);
    addLayout->addWidget(m_addError);
    addLayout->addLayout(sharingRow);
    layout->addWidget(addCard);

    // --- the table ---
    auto* tableCard = card(this);
    auto* tableLayout = new QVBoxLayout(tableCard);
    tableLayout->setContentsMargins(14, 12, 14, 12);
    tableLayout->setSpacing(8);
    auto* tableTitle = new QLabel(tr("Instances"), tableCard);
    tableTitle->setObjectName(QStringLiteral("sectionHeading"));
    m_table->setObjectName(QStringLiteral("fleetTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(FleetTableModel::StateColumn,
                                      new BadgeDelegate(FleetTableModel::BadgeColorRole, m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(30);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setTextElideMode(Qt::ElideMiddle);  // a long store URL keeps its host and its db
    m_table->setMinimumHeight(130);
    // Short columns fit their header and values; the store and the last error share what is
    // left, so every column shows in full at 1440 px and nothing needs a scroll bar.
    QHeaderView* header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);  // over left-aligned values; figures say right
    header->setMinimumSectionSize(60);
    header->setStretchLastSection(false);
    for (int c = 0; c < FleetTableModel::ColumnCount; ++c)
        header->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FleetTableModel::StoreColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(FleetTableModel::ErrorColumn, QHeaderView::Stretch);
    m_emptyHint->setObjectName(QStringLiteral("fleetEmptyHint"));
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setTextFormat(Qt::RichText);
    m_emptyHint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_emptyHint->setText(
        tr("<b>No recdeckd instances watched yet.</b> The first row is this console's own engine. To watch a service, "
           "start one, for example<br><code>&nbsp;&nbsp;recdeckd serve --port 8000 --redis "
           "redis://127.0.0.1:6379/0</code><br>"
           "then enter its address (<code>http://127.0.0.1:8000</code>) above and press <i>Add instance</i>. Leave out "
           "<code>--redis</code> for a standalone instance with its own embedded store."));
    m_emptyHint->setStyleSheet(
        QStringLiteral("QLabel { background:#f8f9fb; border:1px dashed #cfd4dc; border-radius:6px; "
                       "padding:10px 12px; color:#374151; }"));
    tableLayout->addWidget(tableTitle);
    tableLayout->addWidget(m_table, 1);
    tableLayout->addWidget(m_emptyHint);
    layout->addWidget(tableCard, 3);

    // --- the chart ---
    m_chart->setObjectName(QStringLiteral("fleetChart"));
    m_chart->setValueTitle(tr("requests / s"));
    m_chart->setSubtitle(tr("This console's engine and every watched instance, from their /metrics"));
    m_chart->setValueFormat(QStringLiteral("%.0f"));
    m_chart->setAutoValueRange(true);
    m_chart->setEmptyText(tr("Requests per second appear here after two polls (about 4 s)."));
    layout->addWidget(m_chart, 4);

    connect(m_add, &QPushButton::clicked, this, [this] { addFromField(); });
    connect(m_address, &QLineEdit::returnPressed, this, [this] { addFromField(); });
    connect(m_address, &QLineEdit::textChanged, this, [this] {
        m_addError->hide();
        updateButtons();
    });
    connect(m_remove, &QPushButton::clicked, this, [this] { removeSelected(true); });
    connect(pollNow, &QPushButton::clicked, this, [this] {
        m_fleet.pollNow();
        m_local->pollNow();
    });
    connect(&fleet, &FleetMonitor::changed, this, &FleetPanel::refresh);
    connect(m_local, &LocalEngineProbe::changed, this, &FleetPanel::refresh);
    connect(&host, &EngineHost::opened, this, &FleetPanel::refresh);
    connect(&host, &EngineHost::openFailed, this, &FleetPanel::refresh);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FleetPanel::updateButtons);
    refresh();
}

bool FleetPanel::addFromField() {
    QString error;
    const QUrl url = FleetMonitor::normalizeUrl(m_address->text(), &error);
    if (url.isValid() && m_fleet.instances().contains(url)) {
        error = tr("%1 is already in the list.").arg(url.toString());
    }
    if (!error.isEmpty()) {
        m_addError->setText(error);
        m_addError->show();
        return false;
    }
    m_addError->hide();
    if (!m_fleet.addInstance(url)) return false;
    m_address->clear();
    const int row = m_model->rowOf(url);
    if (row >= 0) m_table->selectRow(row);
    return true;
}

void FleetPanel::removeSelected(bool confirm) {
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty() || rows.first().data(FleetTableModel::LocalRole).toBool()) return;
    const QUrl url = rows.first().data(FleetTableModel::UrlRole).toUrl();
    if (confirm &&
        QMessageBox::question(this, tr("Stop watching %1?").arg(url.toString()),
                              tr("The console stops polling %1 and forgets its history. The instance itself keeps "
                                 "running.")
                                  .arg(url.toString())) != QMessageBox::Yes) {
        return;
    }
    m_fleet.removeInstance(url);
}

void FleetPanel::refresh() {
    const QString mine = storeKey(consoleStore(m_host));
    QList<FleetRow> rows;
    FleetRow local{m_local->state(), true, false, false};
    rows.append(local);
    for (const InstanceState& state : m_fleet.states()) {
        const QString theirs = storeKey(state.store);
        const bool shares = !mine.isEmpty() && theirs == mine;
        // On one Redis the fleet serves one default model and version: flag any other.
        const bool differs = shares && state.reachable && !state.model.isEmpty() && !local.state.model.isEmpty() &&
                             state.model != local.state.model;
        rows.append(FleetRow{state, false, shares, differs});
    }
    const QUrl selected =
        m_table->selectionModel()->selectedRows().isEmpty()
            ? QUrl()
            : m_table->selectionModel()->selectedRows().first().data(FleetTableModel::UrlRole).toUrl();
    m_model->setRows(rows);
    const int row = selected.isValid() ? m_model->rowOf(selected) : -1;
    if (m_table->selectionModel()->selectedRows().isEmpty()) m_table->selectRow(row >= 0 ? row : 0);

    QList<ChartSeries> series;
    for (int i = 0; i < rows.size(); ++i) {
        const FleetRow& r = rows[i];
        if (r.state.requestsHistory.isEmpty()) continue;
        series.append(ChartSeries{r.local ? tr("This console") : r.state.displayName(), r.state.requestsHistory,
                                  theme::series(i), false});
    }
    m_chart->setSeries(series);
    m_emptyHint->setVisible(m_fleet.instances().isEmpty());
    updateSharingNote();
    updateButtons();
}

void FleetPanel::updateSharingNote() {
    const QString store = consoleStore(m_host);
    const QString mine = storeKey(store);
    const QList<InstanceState> states = m_fleet.states();
    if (mine.isEmpty()) {
        m_sharing->setText(
            tr("This console uses its <b>embedded</b> store, so experiments and cache invalidations "
               "made here stay in this app. To share experiments and invalidations with these "
               "instances, connect the console to the same Redis (<i>Connection &amp; data</i> panel)."));
        return;
    }
    if (states.isEmpty()) {
        m_sharing->setText(tr("This console uses <b>%1</b>. Instances started with <code>--redis %1</code> share its "
                              "experiments and cache invalidations.")
                               .arg(store.toHtmlEscaped()));
        return;
    }
    QStringList sharing;
    QStringList other;
    for (const InstanceState& s : states) {
        const QString name = s.displayName().toHtmlEscaped();
        if (s.store.isEmpty()) {
            other << tr("%1 (store not known yet)").arg(name);
        } else if (storeKey(s.store) == mine) {
            sharing << name;
        } else {
            other << tr("%1 (%2)").arg(name, s.store.toHtmlEscaped());
        }
    }
    QString text = tr("This console uses <b>%1</b>. ").arg(store.toHtmlEscaped());
    text +=
        sharing.isEmpty()
            ? tr("No instance reports the same store yet.")
            : tr("<span style=\"color:%1\">%2 of %3 report the same store</span> (%4): experiments and invalidations "
                 "made here reach them.")
                  .arg(theme::css(theme::good()))
                  .arg(sharing.size())
                  .arg(states.size())
                  .arg(sharing.join(QStringLiteral(", ")));
    if (!other.isEmpty()) text += QStringLiteral(" ") + tr("Not shared: %1.").arg(other.join(QStringLiteral(", ")));
    m_sharing->setText(text);
}

void FleetPanel::updateButtons() {
    m_add->setEnabled(!m_address->text().trimmed().isEmpty());
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    m_remove->setEnabled(!rows.isEmpty() && !rows.first().data(FleetTableModel::LocalRole).toBool());
}

}  // namespace recdeck::ui

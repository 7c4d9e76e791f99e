#include "recdeck/ui/shell/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include "recdeck/common/version.h"
#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/adapters/fleet_monitor.h"
#include "recdeck/ui/adapters/live_feed.h"
#include "recdeck/ui/cache/cache_panel.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/connection/connection_panel.h"
#include "recdeck/ui/dashboard/dashboard_panel.h"
#include "recdeck/ui/experiments/experiments_panel.h"
#include "recdeck/ui/fleet/fleet_panel.h"
#include "recdeck/ui/inspector/inspector_panel.h"
#include "recdeck/ui/models/models_panel.h"
#include "recdeck/ui/shell/help_dialog.h"

namespace recdeck::ui {

namespace {

QString dot(const QColor& colour) {
    return QStringLiteral("<span style=\"color:%1\">&#9679;</span>").arg(theme::css(colour));
}

}  // namespace

MainWindow::MainWindow(EngineHost& host, LiveFeed& feed, FleetMonitor& fleet, QWidget* parent)
    : QMainWindow(parent),
      m_host(host),
      m_feed(feed),
      m_navigation(new QListWidget(this)),
      m_stack(new QStackedWidget(this)) {
    setWindowTitle(tr("RecDeck"));
    setObjectName(QStringLiteral("mainWindow"));
    setMinimumSize(1024, 700);

    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setFocusPolicy(Qt::NoFocus);

    // Titles carry their menu mnemonic ("&&" is a literal ampersand); the navigation list
    // shows them without it.
    addPanel(QStringLiteral("dashboard"), tr("&Dashboard"), new DashboardPanel(host, feed, fleet, this));
    addPanel(QStringLiteral("experiments"), tr("&Experiments"), new ExperimentsPanel(host, feed, this));
    addPanel(QStringLiteral("inspector"), tr("User &inspector"), new InspectorPanel(host, this));
    addPanel(QStringLiteral("cache"), tr("&Cache"), new CachePanel(host, feed, this));
    addPanel(QStringLiteral("models"), tr("&Models"), new ModelsPanel(host, this));
    addPanel(QStringLiteral("connection"), tr("C&onnection && data"), new ConnectionPanel(host, this));
    addPanel(QStringLiteral("fleet"), tr("&Fleet"), new FleetPanel(host, fleet, this));
    connect(m_navigation, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto* brand = new QLabel(tr("RecDeck"), this);
    brand->setObjectName(QStringLiteral("brand"));
    auto* brandSub = new QLabel(tr("Recommendation console"), this);
    brandSub->setObjectName(QStringLiteral("brandSub"));
    brandSub->setWordWrap(true);
    auto* side = new QWidget(this);
    side->setFixedWidth(196);
    side->setStyleSheet(QStringLiteral("background:#1f2937;"));
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->setSpacing(0);
    sideLayout->addWidget(brand);
    sideLayout->addWidget(brandSub);
    sideLayout->addWidget(m_navigation, 1);

    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(side);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    createToolBar();
    createMenus();
    createStatusBar();
    restoreLayout();

    connect(&feed, &LiveFeed::updated, this, [this](const std::shared_ptr<const LiveSnapshot>& snapshot) {
        if (snapshot) onSnapshot(*snapshot);
    });
    connect(&host, &EngineHost::simulatorChanged, this, &MainWindow::updateSimulatorControls);
    connect(&host, &EngineHost::opening, this, [this](double fraction, const QString& stage) {
        m_progress->setVisible(true);
        m_progress->setValue(static_cast<int>(fraction * 100));
        m_progress->setFormat(stage + QStringLiteral("  %p%"));
    });
    connect(&host, &EngineHost::opened, this, [this] {
        m_progress->setVisible(false);
        updateDataLabel();
        updateSimulatorControls();
    });
    // An import switches the whole console to the new data: the status bar follows.
    connect(&host, &EngineHost::dataChanged, this, [this] {
        updateDataLabel();
        updateSimulatorControls();
    });
    if (host.isOpen()) {  // a window made after the engine opened
        updateDataLabel();
        updateSimulatorControls();
    }
    connect(&host, &EngineHost::openFailed, this, [this](const QString& message) {
        m_progress->setVisible(false);
        m_backend->setText(dot(theme::bad()) + tr(" Not connected"));
        QMessageBox::warning(this, tr("RecDeck could not start its backend"), message);
    });
}

MainWindow::~MainWindow() = default;

void MainWindow::addPanel(const QString& id, const QString& title, QWidget* widget) {
    widget->setObjectName(id + QStringLiteral("Panel"));
    m_ids << id;
    m_menuTitles << title;
    m_panels << widget;
    // Every panel scrolls when the window is shorter (or narrower) than it needs, so its
    // cards never get squeezed over each other; at 1024×700 and up most fit as they are.
    auto* scroll = new QScrollArea(m_stack);
    scroll->setObjectName(id + QStringLiteral("Scroll"));
    scroll->setWidget(widget);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->viewport()->setAutoFillBackground(false);
    m_stack->addWidget(scroll);
    QString plain = title;
    plain.replace(QStringLiteral("&&"), QStringLiteral("\x01"))
        .remove(QLatin1Char('&'))
        .replace(QLatin1Char('\x01'), QLatin1Char('&'));
    auto* item = new QListWidgetItem(plain, m_navigation);
    item->setData(Qt::UserRole, id);
}

void MainWindow::updateDataLabel() {
    serving::Engine* engine = m_host.engine();
    if (!engine) return;
    const auto info = engine->dataInfo();
    m_data->setText(tr("Data: %1 · %L2 users · %L3 items")
                        .arg(QString::fromStdString(info.description))
                        .arg(info.users)
                        .arg(info.items));
    m_data->setToolTip(
        tr("What the console serves and the simulated traffic uses; import another dataset in "
           "Connection & data"));
}

QWidget* MainWindow::panel(const QString& id) const {
    const auto index = m_ids.indexOf(id);
    return index < 0 ? nullptr : m_panels.value(index);
}

void MainWindow::showPanel(const QString& id) {
    const auto index = m_ids.indexOf(id);
    if (index >= 0) m_navigation->setCurrentRow(static_cast<int>(index));
}

QString MainWindow::currentPanel() const {
    return m_ids.value(m_navigation->currentRow());
}

void MainWindow::createToolBar() {
    auto* bar = addToolBar(tr("Traffic"));
    bar->setObjectName(QStringLiteral("trafficToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_simulatorAction = bar->addAction(tr("&Start traffic"));
    m_simulatorAction->setObjectName(QStringLiteral("simulatorAction"));
    m_simulatorAction->setCheckable(true);
    m_simulatorAction->setShortcut(QKeySequence(Qt::Key_F6));
    m_simulatorAction->setToolTip(tr("Start or stop the built-in traffic simulator (F6)"));
    connect(m_simulatorAction, &QAction::triggered, this, [this](bool on) {
        if (on)
            m_host.startSimulator();
        else
            m_host.stopSimulator();
    });
    bar->addSeparator();
    auto* label = new QLabel(tr("Simulated traffic:"), this);
    label->setContentsMargins(4, 0, 2, 0);
    bar->addWidget(label);
    m_rate = new QSpinBox(this);
    m_rate->setObjectName(QStringLiteral("simulatorRate"));
    m_rate->setRange(1, 5000);
    m_rate->setSingleStep(10);
    m_rate->setAccelerated(true);
    m_rate->setKeyboardTracking(false);  // typing "500" sets 500, not 5, 50 and then 500
    m_rate->setSuffix(tr(" requests/s"));
    m_rate->setValue(static_cast<int>(m_host.simulatorRate()));
    m_rate->setToolTip(tr("Requests per second the simulator sends"));
    connect(m_rate, &QSpinBox::valueChanged, this, [this](int value) { m_host.setSimulatorRate(value); });
    bar->addWidget(m_rate);
}

void MainWindow::createMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    for (int i = 0; i < m_ids.size(); ++i) {
        auto* action = view->addAction(m_menuTitles[i], this, [this, i] { m_navigation->setCurrentRow(i); });
        action->setObjectName(m_ids[i] + QStringLiteral("Action"));
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }

    auto* traffic = menuBar()->addMenu(tr("&Traffic"));
    traffic->addAction(m_simulatorAction);

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    auto* shortcuts = help->addAction(tr("&Keyboard shortcuts"), this, [this] { showHelp(HelpTopic::Shortcuts); });
    shortcuts->setObjectName(QStringLiteral("shortcutsAction"));
    shortcuts->setShortcut(QKeySequence(Qt::Key_F1));
    auto* verdict = help->addAction(tr("How to read a &verdict"), this, [this] { showHelp(HelpTopic::Verdict); });
    verdict->setObjectName(QStringLiteral("verdictHelpAction"));
    auto* readme = help->addAction(tr("&Documentation (README)"), this, [this] { showHelp(HelpTopic::Readme); });
    readme->setObjectName(QStringLiteral("readmeAction"));
    help->addSeparator();
    help->addAction(tr("&About RecDeck"), this, [this] {
        QMessageBox::about(this, tr("About RecDeck"),
                           tr("<b>RecDeck %1</b><p>Operator and experimentation console for recommendation systems.</p>"
                              "<p>Backend: %2</p>")
                               .arg(QString::fromLatin1(kVersion), m_host.backend()));
    });
}

void MainWindow::showHelp(HelpTopic topic) {
    if (!m_help) {
        m_help = new HelpDialog(this);
        m_help->setObjectName(QStringLiteral("helpDialog"));
    }
    m_help->showTopic(topic);
    m_help->show();
    m_help->raise();
    m_help->activateWindow();
}

void MainWindow::createStatusBar() {
    m_backend = new QLabel(tr("Starting…"), this);
    m_backend->setObjectName(QStringLiteral("statusBackend"));
    m_data = new QLabel(this);
    m_data->setObjectName(QStringLiteral("statusData"));
    m_model = new QLabel(this);
    m_model->setObjectName(QStringLiteral("statusModel"));
    m_simulator = new QLabel(this);
    m_simulator->setObjectName(QStringLiteral("statusSimulator"));
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(320);
    m_progress->setVisible(false);
    statusBar()->addWidget(m_backend);
    statusBar()->addWidget(m_data, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_model);
    statusBar()->addPermanentWidget(m_simulator);
}

void MainWindow::onSnapshot(const LiveSnapshot& snapshot) {
    const bool embedded = snapshot.store == "embedded";
    const QString store = embedded ? tr("Embedded store") : QString::fromStdString(snapshot.store);
    if (snapshot.storeHealth.healthy) {
        m_backend->setText(dot(theme::good()) + QStringLiteral(" ") + store);
        m_backend->setToolTip(embedded ? tr("Everything runs inside this app") : tr("Connected"));
    } else {
        m_backend->setText(dot(theme::bad()) + QStringLiteral(" ") + store + tr(" — unreachable"));
        m_backend->setToolTip(QString::fromStdString(snapshot.storeHealth.lastError));
    }
    m_model->setText(snapshot.model.empty()
                         ? tr("No model")
                         : tr("Model: %1 v%2").arg(QString::fromStdString(snapshot.model)).arg(snapshot.modelVersion));
    m_simulator->setToolTip(m_host.simulatorTruth());
    if (snapshot.simulator && snapshot.simulator->running) {
        m_simulator->setText(dot(theme::good()) + tr(" Traffic %1").arg(format::rate(snapshot.simulator->recentRate)));
    } else {
        m_simulator->setText(dot(theme::muted()) + tr(" Traffic stopped"));
    }
}

void MainWindow::updateSimulatorControls() {
    const bool running = m_host.simulatorRunning();
    m_simulatorAction->setEnabled(m_host.simulatorAvailable());
    m_simulatorAction->setChecked(running);
    m_simulatorAction->setText(running ? tr("&Stop traffic") : tr("&Start traffic"));
    const QSignalBlocker block(m_rate);
    m_rate->setValue(static_cast<int>(m_host.simulatorRate()));
}

void MainWindow::restoreLayout() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) resize(1440, 900);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const auto panelId = settings.value(QStringLiteral("window/panel"), QStringLiteral("dashboard")).toString();
    const auto index = m_ids.indexOf(panelId);
    m_navigation->setCurrentRow(index < 0 ? 0 : static_cast<int>(index));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/panel"), currentPanel());
    settings.setValue(QStringLiteral("traffic/rate"), m_host.simulatorRate());
    event->accept();
}

}  // namespace recdeck::ui

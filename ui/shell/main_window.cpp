#include "shell/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>

#include "data/data_panel.h"
#include "recdeck/common/version.h"

namespace recdeck::ui {

namespace {
QWidget* placeholder(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    return label;
}
}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_navigation(new QListWidget(this)),
      m_stack(new QStackedWidget(this)),
      m_dataPanel(new DataPanel(this)),
      m_backendLabel(new QLabel(tr("Backend: embedded"), this)),
      m_datasetLabel(new QLabel(this)) {
    setWindowTitle(tr("RecDeck"));
    setObjectName(QStringLiteral("mainWindow"));

    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setFixedWidth(170);
    m_navigation->setFrameShape(QFrame::NoFrame);

    addPanel(QStringLiteral("dashboard"), tr("Dashboard"), placeholder(tr("Live charts appear here."), this));
    addPanel(QStringLiteral("experiments"), tr("Experiments"), placeholder(tr("Experiments appear here."), this));
    addPanel(QStringLiteral("inspector"), tr("User inspector"), placeholder(tr("Inspect a user here."), this));
    addPanel(QStringLiteral("cache"), tr("Cache"), placeholder(tr("Cache tiers appear here."), this));
    addPanel(QStringLiteral("models"), tr("Models"), placeholder(tr("Models appear here."), this));
    addPanel(QStringLiteral("connection"), tr("Connection && data"), m_dataPanel);
    addPanel(QStringLiteral("fleet"), tr("Fleet"), placeholder(tr("recdeckd instances appear here."), this));
    connect(m_navigation, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_navigation);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    statusBar()->addWidget(m_backendLabel);
    statusBar()->addWidget(m_datasetLabel, 1);

    createMenus();
    restoreLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::addPanel(const QString& id, const QString& title, QWidget* widget) {
    widget->setObjectName(id + QStringLiteral("Panel"));
    m_ids << id;
    m_stack->addWidget(widget);
    auto* item = new QListWidgetItem(QString(title).replace(QStringLiteral("&&"), QStringLiteral("&")), m_navigation);
    item->setData(Qt::UserRole, id);
}

QStringList MainWindow::panelIds() const { return m_ids; }

QWidget* MainWindow::panel(const QString& id) const {
    const auto index = m_ids.indexOf(id);
    return index < 0 ? nullptr : m_stack->widget(static_cast<int>(index));
}

void MainWindow::showPanel(const QString& id) {
    const auto index = m_ids.indexOf(id);
    if (index >= 0) m_navigation->setCurrentRow(static_cast<int>(index));
}

void MainWindow::setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& sourceDescription) {
    if (dataset) {
        m_datasetLabel->setText(tr("%1: %L2 users, %L3 items").arg(sourceDescription).arg(dataset->users.size()).arg(dataset->catalog.size()));
    }
    m_dataPanel->setDataset(std::move(dataset), sourceDescription);
}

void MainWindow::createMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_ids.size(); ++i) {
        auto* action = view->addAction(m_navigation->item(i)->text(), this, [this, i] { m_navigation->setCurrentRow(i); });
        if (i < 9) action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About RecDeck"), this, [this] {
        QMessageBox::about(this, tr("About RecDeck"),
                           tr("<b>RecDeck %1</b><p>Operator and experimentation console for recommendation systems.</p>")
                               .arg(QString::fromLatin1(kVersion)));
    });
}

void MainWindow::restoreLayout() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) resize(1280, 800);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const auto panelId = settings.value(QStringLiteral("window/panel"), QStringLiteral("dashboard")).toString();
    const auto index = m_ids.indexOf(panelId);
    m_navigation->setCurrentRow(index < 0 ? 0 : static_cast<int>(index));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/panel"), m_ids.value(m_navigation->currentRow()));
    event->accept();
}

}  // namespace recdeck::ui

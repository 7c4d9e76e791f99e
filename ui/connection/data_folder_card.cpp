#include "recdeck/ui/connection/data_folder_card.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QUrl>
#include <QVBoxLayout>

#include "recdeck/ui/adapters/engine_host.h"

namespace recdeck::ui {

namespace {
const QString kSettingsKey = QStringLiteral("backend/data");

QString currentFolder(const EngineHost& host) {
    return QDir::toNativeSeparators(QString::fromStdString(host.config().dataDir.string()));
}
}  // namespace

DataFolderCard::DataFolderCard(EngineHost& host, QWidget* parent)
    : QFrame(parent),
      m_host(host),
      m_path(new QLabel(this)),
      m_pending(new QLabel(this)),
      m_change(new QPushButton(tr("Change…"), this)) {
    setObjectName(QStringLiteral("card"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(6);
    auto* title = new QLabel(tr("Data folder"), this);
    title->setObjectName(QStringLiteral("sectionHeading"));
    m_path->setObjectName(QStringLiteral("dataFolderPath"));
    m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_path->setWordWrap(true);
    m_path->setStyleSheet(QStringLiteral("font-family: monospace;"));
    auto* note = new QLabel(tr("Holds the event log (events.db), trained models and experiment definitions."), this);
    note->setObjectName(QStringLiteral("muted"));
    note->setWordWrap(true);
    m_pending->setObjectName(QStringLiteral("dataFolderPending"));
    m_pending->setWordWrap(true);
    m_pending->hide();
    auto* open = new QPushButton(tr("Open in file manager"), this);
    open->setToolTip(tr("Show the data folder in the system's file manager"));
    m_change->setToolTip(tr("Use another folder for the event log, models and experiments"));
    auto* buttons = new QHBoxLayout();
    buttons->addWidget(m_change);
    buttons->addWidget(open);
    buttons->addStretch(1);
    layout->addWidget(title);
    layout->addWidget(m_path);
    layout->addWidget(note);
    layout->addWidget(m_pending);
    layout->addLayout(buttons);

    connect(m_change, &QPushButton::clicked, this, &DataFolderCard::askForFolder);
    connect(open, &QPushButton::clicked, this, [this] {
        const QString folder = currentFolder(m_host);
        QDir().mkpath(folder);
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(folder))) {
            QMessageBox::information(this, tr("Data folder"),
                                     tr("No file manager could be started. The folder is:\n%1").arg(folder));
        }
    });
    connect(&host, &EngineHost::opened, this, &DataFolderCard::updateView);
    connect(&host, &EngineHost::opening, this, [this] { m_change->setEnabled(false); });
    connect(&host, &EngineHost::openFailed, this, &DataFolderCard::updateView);
    updateView();
}

void DataFolderCard::askForFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose the data folder"), currentFolder(m_host));
    if (folder.isEmpty()) return;
    QMessageBox box(QMessageBox::Question, tr("Use this data folder?"),
                    tr("Use %1 for the event log, models and experiments?\n\nReopening now restarts the engine: the "
                       "traffic simulator restarts and in-memory state is reset. A folder without data starts with the "
                       "demo world.")
                        .arg(QDir::toNativeSeparators(folder)),
                    QMessageBox::Cancel, this);
    QPushButton* now = box.addButton(tr("Reopen now"), QMessageBox::AcceptRole);
    QPushButton* later = box.addButton(tr("At next start"), QMessageBox::ActionRole);
    box.setDefaultButton(now);
    box.exec();
    if (box.clickedButton() == now)
        changeFolder(folder, When::Now);
    else if (box.clickedButton() == later)
        changeFolder(folder, When::NextStart);
}

void DataFolderCard::changeFolder(const QString& folder, When when) {
    QSettings().setValue(kSettingsKey, QDir::cleanPath(folder));
    if (when == When::Now) {
        serving::EngineConfig config = m_host.config();
        config.dataDir = QDir::cleanPath(folder).toStdString();
        config.dataset.reset();
        config.storeInstance.reset();
        m_host.open(config);
    }
    updateView();
}

void DataFolderCard::updateView() {
    const QString current = currentFolder(m_host);
    m_path->setText(current);
    const QString saved = QSettings().value(kSettingsKey).toString();
    const bool pending =
        !saved.isEmpty() && QDir::cleanPath(saved) != QDir::cleanPath(QDir::fromNativeSeparators(current));
    m_pending->setText(tr("From the next start: %1").arg(QDir::toNativeSeparators(saved)));
    m_pending->setVisible(pending && !m_host.isOpening());
    m_change->setEnabled(!m_host.isOpening());
}

}  // namespace recdeck::ui

#include "recdeck/ui/connection/dataset_card.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMetaObject>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/connection/import_dialog.h"
#include "recdeck/ui/connection/import_report_view.h"

namespace recdeck::ui {

namespace {

QLabel* statValue(const QString& objectName, QWidget* parent) {
    auto* label = new QLabel(QStringLiteral("–"), parent);
    label->setObjectName(objectName);
    label->setStyleSheet(QStringLiteral("font-size: 15pt; font-weight: 600; color: #111827;"));
    return label;
}

QString fileName(const std::filesystem::path& path) {
    return QString::fromStdString(path.filename().string());
}

}  // namespace

DatasetCard::DatasetCard(EngineHost& host, QWidget* parent)
    : QFrame(parent),
      m_host(host),
      m_description(new QLabel(this)),
      m_users(statValue(QStringLiteral("dataUsers"), this)),
      m_items(statValue(QStringLiteral("dataItems"), this)),
      m_categories(statValue(QStringLiteral("dataCategories"), this)),
      m_interactions(statValue(QStringLiteral("dataInteractions"), this)),
      m_import(new QPushButton(tr("Import dataset…"), this)),
      m_progressRow(new QWidget(this)),
      m_progress(new QProgressBar(this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_report(new ImportReportView(this)) {
    setObjectName(QStringLiteral("card"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(8);

    auto* header = new QHBoxLayout();
    auto* title = new QLabel(tr("Dataset"), this);
    title->setObjectName(QStringLiteral("sectionHeading"));
    m_import->setObjectName(QStringLiteral("primary"));
    m_import->setAccessibleName(QStringLiteral("importDataset"));
    m_import->setToolTip(tr("Replace the served data with a MovieLens or CSV dataset; every model is retrained on it"));
    header->addWidget(title);
    header->addStretch(1);
    header->addWidget(m_import);
    layout->addLayout(header);

    m_description->setObjectName(QStringLiteral("dataDescription"));
    m_description->setWordWrap(true);
    layout->addWidget(m_description);

    auto* stats = new QGridLayout();
    stats->setHorizontalSpacing(24);
    stats->setVerticalSpacing(0);
    const QList<QPair<QLabel*, QString>> tiles = {{m_users, tr("users")},
                                                  {m_items, tr("items")},
                                                  {m_categories, tr("categories")},
                                                  {m_interactions, tr("interactions")}};
    for (int i = 0; i < tiles.size(); ++i) {
        auto* caption = new QLabel(tiles[i].second, this);
        caption->setObjectName(QStringLiteral("muted"));
        stats->addWidget(tiles[i].first, 0, i);
        stats->addWidget(caption, 1, i);
    }
    stats->setColumnStretch(static_cast<int>(tiles.size()), 1);
    layout->addLayout(stats);

    auto* progressLayout = new QHBoxLayout(m_progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    m_progress->setObjectName(QStringLiteral("importProgress"));
    m_progress->setRange(0, 1000);
    m_cancel->setObjectName(QStringLiteral("danger"));
    m_cancel->setAccessibleName(QStringLiteral("cancelImport"));
    m_cancel->setToolTip(tr("Stop the import; the console keeps serving the previous data"));
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(m_cancel);
    m_progressRow->hide();
    layout->addWidget(m_progressRow);
    layout->addWidget(m_report, 1);

    connect(m_import, &QPushButton::clicked, this, &DatasetCard::askForFiles);
    connect(m_cancel, &QPushButton::clicked, this, &DatasetCard::cancelImport);
    connect(&host, &EngineHost::opened, this, [this] {
        refreshSummary();
        if (importing()) return;
        const auto info = m_host.engine()->dataInfo();
        if (info.reports.empty())
            m_report->clear();
        else
            m_report->showReports(info.reports,
                                  tr("Imported at start: %1").arg(QString::fromStdString(info.description)));
    });
    connect(&host, &EngineHost::opening, this, [this] { m_import->setEnabled(false); });
    connect(&host, &EngineHost::dataChanged, this, &DatasetCard::refreshSummary);
    refreshSummary();
}

void DatasetCard::refreshSummary() {
    if (!m_host.isOpen()) {
        m_description->setText(m_host.isOpening() ? tr("Opening the engine…") : tr("No engine is running."));
        m_import->setEnabled(false);
        return;
    }
    const serving::DataInfo info = m_host.engine()->dataInfo();
    const QLocale locale;
    m_description->setText(tr("Serving <b>%1</b>").arg(QString::fromStdString(info.description).toHtmlEscaped()));
    m_users->setText(locale.toString(static_cast<qulonglong>(info.users)));
    m_items->setText(locale.toString(static_cast<qulonglong>(info.items)));
    m_categories->setText(locale.toString(static_cast<qulonglong>(info.categories)));
    m_interactions->setText(locale.toString(static_cast<qulonglong>(info.interactions)));
    m_import->setEnabled(!importing());
}

void DatasetCard::askForFiles() {
    ImportDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted) return;
    if (const auto source = dialog.source()) startImport(*source);
}

void DatasetCard::setImporting(bool on) {
    m_progressRow->setVisible(on);
    m_import->setEnabled(!on && m_host.isOpen());
    m_cancel->setEnabled(on);
}

void DatasetCard::startImport(const serving::DatasetSource& source) {
    auto engine = m_host.sharedEngine();
    if (!engine || importing()) return;
    m_stop.emplace();
    const quint64 id = ++m_importId;
    m_report->clear();
    m_progress->setValue(0);
    m_progress->setFormat(tr("Reading %1…").arg(fileName(source.interactions)));
    setImporting(true);

    QPointer<DatasetCard> self(this);
    TaskControl control;
    control.stop = m_stop->get_token();
    control.progress = [self, id](double fraction, std::string_view stage) {
        const QString text = QString::fromUtf8(stage.data(), static_cast<qsizetype>(stage.size()));
        QMetaObject::invokeMethod(
            self,
            [self, id, fraction, text] {
                if (!self || id != self->m_importId || !self->importing()) return;
                self->m_progress->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000));
                self->m_progress->setFormat(QStringLiteral("%1 — %p%").arg(text));
            },
            Qt::QueuedConnection);
    };
    const QString name =
        fileName(source.interactions) + (source.items ? QStringLiteral(" + ") + fileName(*source.items) : QString());
    runAsync(
        this, [engine, source, control] { return engine->importDataset(source, control); },
        [this, engine, id, name](Result<serving::DataInfo> result) {
            if (id != m_importId) return;
            const bool cancelled = m_stop && m_stop->stop_requested();
            m_stop.reset();
            setImporting(false);
            if (!result) {
                const QString message = cancelled ? tr("Import cancelled; the console still serves the previous data.")
                                                  : QString::fromStdString(result.errorMessage());
                if (cancelled)
                    m_report->clear();
                else
                    m_report->showError(message);
                emit importFinished(false, message);
                return;
            }
            if (engine != m_host.sharedEngine()) {
                const QString message =
                    tr("The engine restarted during the import; open the data folder's dataset again.");
                m_report->showError(message);
                emit importFinished(false, message);
                return;
            }
            m_report->showReports(result->reports, tr("Imported %1").arg(name));
            refreshSummary();
            m_host.notifyDataChanged();
            m_host.notifyModelsChanged();
            emit importFinished(true, m_report->summary());
        });
}

void DatasetCard::cancelImport() {
    if (!m_stop) return;
    m_stop->request_stop();
    m_cancel->setEnabled(false);
    m_progress->setFormat(tr("Cancelling…"));
}

}  // namespace recdeck::ui

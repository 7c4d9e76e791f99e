#include "recdeck/ui/connection/export_card.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

constexpr const char* kFolderKey = "connection/exportFolder";

struct ExportOutcome {
    bool ok = false;
    QString message;
    int variants = 0;
};

}  // namespace

ExportCard::ExportCard(EngineHost& host, QWidget* parent)
    : QFrame(parent),
      m_host(host),
      m_experiment(new QComboBox(this)),
      m_csv(new QRadioButton(tr("CSV — a row per variant"), this)),
      m_json(new QRadioButton(tr("JSON — the full readout"), this)),
      m_export(new QPushButton(tr("Export…"), this)),
      m_status(new QLabel(this)) {
    setObjectName(QStringLiteral("card"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(8);
    auto* title = new QLabel(tr("Export experiment results"), this);
    title->setObjectName(QStringLiteral("sectionHeading"));
    auto* note = new QLabel(tr("Counts, rates, lifts with confidence intervals, p-values and the verdict, for a "
                               "spreadsheet or a report."),
                            this);
    note->setObjectName(QStringLiteral("muted"));
    note->setWordWrap(true);
    m_experiment->setObjectName(QStringLiteral("exportExperiment"));
    m_experiment->setToolTip(tr("The experiment whose results to save"));
    m_experiment->setMinimumWidth(200);
    auto* group = new QButtonGroup(this);
    group->addButton(m_csv);
    group->addButton(m_json);
    m_csv->setChecked(QSettings().value(QStringLiteral("connection/exportFormat"), QStringLiteral("csv")).toString() !=
                      QLatin1String("json"));
    m_json->setChecked(!m_csv->isChecked());
    m_export->setAccessibleName(QStringLiteral("exportResults"));
    m_export->setToolTip(tr("Choose where to save the results"));
    m_status->setObjectName(QStringLiteral("exportStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* row = new QHBoxLayout();
    row->addWidget(m_experiment, 1);
    row->addWidget(m_export);
    auto* formats = new QHBoxLayout();
    formats->addWidget(m_csv);
    formats->addWidget(m_json);
    formats->addStretch(1);
    layout->addWidget(title);
    layout->addWidget(note);
    layout->addLayout(row);
    layout->addLayout(formats);
    layout->addWidget(m_status);

    connect(m_export, &QPushButton::clicked, this, &ExportCard::askForPath);
    connect(m_csv, &QRadioButton::toggled, this, [](bool csv) {
        QSettings().setValue(QStringLiteral("connection/exportFormat"),
                             csv ? QStringLiteral("csv") : QStringLiteral("json"));
    });
    connect(&host, &EngineHost::opened, this, &ExportCard::reloadExperiments);
    connect(&host, &EngineHost::experimentsChanged, this, &ExportCard::reloadExperiments);
    reloadExperiments();
}

void ExportCard::reloadExperiments() {
    // Called when the engine opens (the demo experiment already exists then) and on every
    // change the experiment registry reports (created, edited, started, stopped, deleted).
    const QString current = m_experiment->currentData().toString();
    m_experiment->clear();
    int running = -1;
    if (serving::Engine* engine = m_host.engine()) {
        for (const auto& experiment : engine->experiments().list()) {
            const QString key = QString::fromStdString(experiment.key);
            const std::string_view name = experiments::stateName(experiment.state);
            const QString state = QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
            if (running < 0 && experiment.state == experiments::ExperimentState::Running)
                running = m_experiment->count();
            m_experiment->addItem(QStringLiteral("%1  (%2)").arg(key, state), key);
        }
    }
    // Keep the user's pick; else the first running experiment, else the first. Explicitly:
    // with a placeholder text set, QComboBox leaves the index at -1 (showing the
    // placeholder) when items arrive.
    int index = current.isEmpty() ? -1 : m_experiment->findData(current);
    if (index < 0) index = running >= 0 ? running : (m_experiment->count() > 0 ? 0 : -1);
    m_experiment->setCurrentIndex(index);
    const bool any = m_experiment->count() > 0;
    m_export->setEnabled(any);
    m_experiment->setEnabled(any);
    m_experiment->setPlaceholderText(any ? QString() : tr("No experiments yet (create one in Experiments)"));
}

QString ExportCard::selectedExperiment() const {
    return m_experiment->currentData().toString();
}

void ExportCard::askForPath() {
    const QString key = m_experiment->currentData().toString();
    if (key.isEmpty()) return;
    const ResultsFormat format = m_csv->isChecked() ? ResultsFormat::Csv : ResultsFormat::Json;
    QSettings settings;
    const QString folder =
        settings
            .value(QString::fromLatin1(kFolderKey), QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .toString();
    const QString suffix = format == ResultsFormat::Csv ? QStringLiteral("csv") : QStringLiteral("json");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save the results of %1").arg(key),
        QDir(folder).filePath(QStringLiteral("%1-results.%2").arg(key, suffix)),
        format == ResultsFormat::Csv ? tr("CSV files (*.csv)") : tr("JSON files (*.json)"));
    if (path.isEmpty()) return;
    settings.setValue(QString::fromLatin1(kFolderKey), QFileInfo(path).absolutePath());
    exportResults(key, path, format);
}

void ExportCard::exportResults(const QString& key, const QString& path, ResultsFormat format) {
    auto engine = m_host.sharedEngine();
    if (!engine) {
        emit exportFinished(false, tr("No engine is running."));
        return;
    }
    m_export->setEnabled(false);
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Computing the results of %1…").arg(key));
    runAsync(
        this,
        [engine, key, path, format] {
            ExportOutcome outcome;
            auto results = engine->experimentResults().results(key.toStdString());
            if (!results) {
                outcome.message = QString::fromStdString(results.errorMessage());
                return outcome;
            }
            outcome.message = writeResults(path, *results, format);
            outcome.ok = outcome.message.isEmpty();
            outcome.variants = static_cast<int>(results->variants.size());
            return outcome;
        },
        [this, key, path](ExportOutcome outcome) {
            m_export->setEnabled(m_experiment->count() > 0);
            const QString message = outcome.ok ? tr("Saved %1 (%2 variants) to %3")
                                                     .arg(key)
                                                     .arg(outcome.variants)
                                                     .arg(QDir::toNativeSeparators(path))
                                               : outcome.message;
            m_status->setStyleSheet(
                QStringLiteral("color:%1;").arg(theme::css(outcome.ok ? theme::good() : theme::bad())));
            m_status->setText(message);
            emit exportFinished(outcome.ok, message);
        });
}

}  // namespace recdeck::ui

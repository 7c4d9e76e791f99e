#include "recdeck/ui/connection/import_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include "recdeck/data/importer.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

struct Detection {
    bool ok = false;
    bool interactionsFormat = false;
    QString text;
};

constexpr const char* kLastFolderKey = "connection/importFolder";

}  // namespace

ImportDialog::ImportDialog(QWidget* parent) : QDialog(parent), m_buttons(new QDialogButtonBox(this)) {
    setWindowTitle(tr("Import a dataset"));
    setMinimumWidth(640);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(12);
    auto* intro = new QLabel(
        tr("Interactions: MovieLens u.data, ratings.dat or ratings.csv, or any CSV / TSV with a header naming user and "
           "item columns (rating, timestamp, category and title optional). Items (optional): u.item, movies.csv, "
           "movies.dat or a CSV with item, title and category columns. Formats are detected from the content."),
        this);
    intro->setWordWrap(true);
    intro->setObjectName(QStringLiteral("muted"));
    layout->addWidget(intro);

    auto* form = new QFormLayout();
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(4);
    auto addRow = [this, form](FileRow& row, const QString& label, const QString& objectName, bool interactions) {
        row.path = new QLineEdit(this);
        row.path->setObjectName(objectName);
        row.path->setPlaceholderText(interactions ? tr("ratings.csv, u.data, events.csv…")
                                                  : tr("optional: movies.csv, u.item…"));
        row.detection = new QLabel(this);
        row.detection->setObjectName(objectName + QStringLiteral("Detection"));
        row.detection->setWordWrap(true);
        auto* browseButton = new QPushButton(tr("Browse…"), this);
        auto* line = new QHBoxLayout();
        line->addWidget(row.path, 1);
        line->addWidget(browseButton);
        form->addRow(label, line);
        form->addRow(QString(), row.detection);
        connect(browseButton, &QPushButton::clicked, this, [this, &row, interactions] { browse(row, interactions); });
        connect(row.path, &QLineEdit::editingFinished, this, [this, &row, interactions] { detect(row, interactions); });
    };
    addRow(m_interactions, tr("Interactions file"), QStringLiteral("importInteractions"), true);
    addRow(m_items, tr("Items file"), QStringLiteral("importItems"), false);
    layout->addLayout(form);

    auto* note = new QLabel(tr("Importing replaces the data the console serves and retrains its models; requests keep "
                               "being answered meanwhile. Skipped or odd lines are reported afterwards."),
                            this);
    note->setWordWrap(true);
    layout->addWidget(note);

    m_buttons->addButton(QDialogButtonBox::Cancel);
    auto* import = m_buttons->addButton(tr("Import"), QDialogButtonBox::AcceptRole);
    import->setObjectName(QStringLiteral("primary"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateButtons();
}

void ImportDialog::setInteractionsFile(const QString& path) {
    m_interactions.path->setText(path);
    detect(m_interactions, true);
}

void ImportDialog::setItemsFile(const QString& path) {
    m_items.path->setText(path);
    detect(m_items, false);
}

QString ImportDialog::interactionsDetection() const {
    return m_interactions.detection->text();
}
QString ImportDialog::itemsDetection() const {
    return m_items.detection->text();
}

void ImportDialog::browse(FileRow& row, bool interactions) {
    QSettings settings;
    const QString start = row.path->text().isEmpty() ? settings.value(QString::fromLatin1(kLastFolderKey)).toString()
                                                     : QFileInfo(row.path->text()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
        this, interactions ? tr("Choose the interactions file") : tr("Choose the items file"), start,
        tr("Data files (*.csv *.tsv *.txt *.dat *.data *.item *.base *.test);;All files (*)"));
    if (path.isEmpty()) return;
    settings.setValue(QString::fromLatin1(kLastFolderKey), QFileInfo(path).absolutePath());
    row.path->setText(QDir::toNativeSeparators(path));
    detect(row, interactions);
}

void ImportDialog::detect(FileRow& row, bool interactions) {
    const QString path = row.path->text().trimmed();
    row.valid = false;
    const quint64 request = ++row.request;
    if (path.isEmpty()) {
        row.pending = false;
        row.detection->setText(interactions ? tr("Choose the file of user–item interactions.") : QString());
        row.valid = !interactions;
        updateButtons();
        emit detected();
        return;
    }
    row.pending = true;
    row.detection->setStyleSheet(QString());
    row.detection->setText(tr("Detecting the format…"));
    updateButtons();
    const std::filesystem::path file = QDir::fromNativeSeparators(path).toStdString();
    runAsync(
        this,
        [file] {
            Detection detection;
            auto format = data::detectFormat(file);
            if (!format) {
                detection.text = QString::fromStdString(format.errorMessage());
                return detection;
            }
            detection.ok = true;
            detection.interactionsFormat = data::isInteractionsFormat(*format);
            detection.text = QString::fromLatin1(data::formatName(*format));
            return detection;
        },
        [this, &row, request, interactions](Detection detection) {
            if (request != row.request) return;  // the path changed meanwhile
            row.pending = false;
            QString text;
            bool valid = false;
            if (!detection.ok) {
                text = detection.text;
            } else if (detection.interactionsFormat != interactions) {
                text = interactions ? tr("Detected %1: an items file, not interactions.").arg(detection.text)
                                    : tr("Detected %1: an interactions file, not items.").arg(detection.text);
            } else {
                valid = true;
                text = tr("Detected format: %1").arg(detection.text);
            }
            row.valid = valid;
            row.detection->setText(text);
            row.detection->setStyleSheet(
                QStringLiteral("color:%1;").arg(theme::css(valid ? theme::good() : theme::bad())));
            updateButtons();
            emit detected();
        });
}

std::optional<serving::DatasetSource> ImportDialog::source() const {
    if (!m_interactions.valid || m_interactions.pending || m_items.pending) return std::nullopt;
    const QString items = m_items.path->text().trimmed();
    if (!items.isEmpty() && !m_items.valid) return std::nullopt;
    serving::DatasetSource source;
    source.interactions = QDir::fromNativeSeparators(m_interactions.path->text().trimmed()).toStdString();
    if (!items.isEmpty()) source.items = QDir::fromNativeSeparators(items).toStdString();
    return source;
}

void ImportDialog::updateButtons() {
    for (QAbstractButton* button : m_buttons->buttons()) {
        if (m_buttons->buttonRole(button) == QDialogButtonBox::AcceptRole) button->setEnabled(source().has_value());
    }
}

}  // namespace recdeck::ui

#pragma once

#include <QFrame>

#include <optional>
#include <stop_token>

#include "recdeck/serving/engine.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace recdeck::ui {

class EngineHost;
class ImportReportView;

// The Dataset card: what the console serves (description, users, items, categories,
// interactions), "Import dataset…" (files chosen in ImportDialog, then
// Engine::importDataset on a worker with a progress bar and Cancel) and the report of the
// last import: rows imported, warnings by kind with examples, or the error with its
// file:line. A finished import tells the other panels (notifyDataChanged/ModelsChanged).
class DatasetCard : public QFrame {
    Q_OBJECT
public:
    explicit DatasetCard(EngineHost& host, QWidget* parent = nullptr);

    // Imports `source` into the running engine (what the dialog's Import does).
    void startImport(const serving::DatasetSource& source);
    void cancelImport();
    bool importing() const { return m_stop.has_value(); }
    ImportReportView* report() const { return m_report; }

signals:
    void importFinished(bool ok, const QString& message);

private:
    void askForFiles();
    void refreshSummary();
    void setImporting(bool on);

    EngineHost& m_host;
    QLabel* m_description;
    QLabel* m_users;
    QLabel* m_items;
    QLabel* m_categories;
    QLabel* m_interactions;
    QPushButton* m_import;
    QWidget* m_progressRow;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    ImportReportView* m_report;
    std::optional<std::stop_source> m_stop;
    quint64 m_importId = 0;
};

}  // namespace recdeck::ui

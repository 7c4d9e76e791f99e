#pragma once

#include <QFrame>

#include "recdeck/ui/experiments/results_export.h"

class QComboBox;
class QLabel;
class QPushButton;
class QRadioButton;

namespace recdeck::ui {

class EngineHost;

// The Export card: pick an experiment and save its results as CSV (a row per variant) or
// JSON (the full readout). Results are computed on a worker.
class ExportCard : public QFrame {
    Q_OBJECT
public:
    explicit ExportCard(EngineHost& host, QWidget* parent = nullptr);

    // Computes `key`'s results and writes them to `path`; emits exportFinished.
    void exportResults(const QString& key, const QString& path, ResultsFormat format);
    // The key of the experiment picked in the combo (empty when there is none).
    QString selectedExperiment() const;

signals:
    void exportFinished(bool ok, const QString& message);

private:
    void reloadExperiments();
    void askForPath();

    EngineHost& m_host;
    QComboBox* m_experiment;
    QRadioButton* m_csv;
    QRadioButton* m_json;
    QPushButton* m_export;
    QLabel* m_status;
};

}  // namespace recdeck::ui

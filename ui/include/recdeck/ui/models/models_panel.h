#pragma once

#include <QList>
#include <QString>
#include <QWidget>

#include <map>
#include <optional>
#include <string>

#include "recdeck/evaluation/model_evaluation.h"

class QComboBox;
class QLabel;
class QMessageBox;
class QProgressBar;
class QPushButton;
class QTableView;

namespace recdeck::ui {

class EngineHost;
class ModelTableModel;
class TaskProgress;
class TradeOffChart;

// Models: the registry's models with versions, training time and offline metrics; train or
// retrain with progress and cancel; evaluate on a held-out split (EVAL.md's metrics) and
// draw accuracy against diversity as the diversity setting varies; choose the default.
//
// Training and evaluation run on worker threads; their progress is coalesced onto the GUI
// thread. Evaluations are kept per model version, so revisiting the panel is instant.
class ModelsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelsPanel(EngineHost& host, QWidget* parent = nullptr);
    ~ModelsPanel() override;

    // Trains `name` (a kind or "default"); false if a training is already running.
    bool train(const QString& name);
    void cancelTraining();
    bool training() const;
    // Evaluates every registered model (or only `names`); false if one is already running.
    bool evaluate(const QStringList& names = {});
    void cancelEvaluation();
    bool evaluating() const;
    // Asks for confirmation, then makes the selected model the default.
    void askSetDefault();
    // Makes `name` the default without asking.
    bool setDefaultModel(const QString& name);

    // The evaluation kept for `name`, if any (of whichever version was evaluated).
    const evaluation::ModelEvaluation* evaluation(const QString& name) const;
    int finishedTrainings() const { return m_trainings; }
    int finishedEvaluations() const { return m_evaluations; }
    // Models whose figures came from an earlier evaluation of the same data (the data
    // folder's cache) when the engine opened, instead of being evaluated again.
    QStringList reusedEvaluations() const { return m_reused; }
    // True once the start-up look at the cache (and any evaluation it led to) is settled.
    bool startupSettled() const { return m_startupSettled; }
    QString lastError() const { return m_lastError; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void fitColumns();
    void spreadColumns();
    void onEngineOpened();
    // Takes what the cache knows for the current models; evaluates the rest if small.
    void restoreOrEvaluate();
    void saveCache();
    void refreshTable();
    void updateButtons();
    void updateChart();
    QString selectedName() const;

    EngineHost& m_host;
    ModelTableModel* m_table;
    QTableView* m_view;
    QPushButton* m_setDefault;
    QPushButton* m_retrain;
    QLabel* m_defaultNote;

    QComboBox* m_trainKind;
    QPushButton* m_trainButton;
    QPushButton* m_cancelTrain;
    QProgressBar* m_trainProgress;
    QLabel* m_trainStatus;
    TaskProgress* m_trainTask;

    QLabel* m_evaluateInfo;
    QPushButton* m_evaluateButton;
    QPushButton* m_cancelEvaluate;
    QProgressBar* m_evaluateProgress;
    QLabel* m_evaluateStatus;
    TaskProgress* m_evaluateTask;

    TradeOffChart* m_chart;
    QMessageBox* m_confirm = nullptr;

    evaluation::EvaluationSettings m_settings;
    std::map<std::string, evaluation::ModelEvaluation> m_kept;  // by registry name
    std::optional<evaluation::EvaluationRun> m_lastRun;         // the run's description (models moved out)
    bool m_autoEvaluated = false;
    evaluation::EvaluationCache m_cache;
    std::filesystem::path m_cacheFile;
    QStringList m_reused;
    bool m_startupSettled = false;
    quint64 m_openGeneration = 0;
    int m_trainings = 0;
    int m_evaluations = 0;
    QString m_lastError;
    // The table's columns follow their headers and values until the user drags one.
    QList<int> m_naturalWidths;
    bool m_columnsUserSized = false;
    bool m_fittingColumns = false;
};

}  // namespace recdeck::ui

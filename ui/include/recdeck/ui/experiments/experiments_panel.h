#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/experiments/experiment.h"
#include "recdeck/experiments/experiment_results.h"
#include "recdeck/experiments/experiment_tracker.h"
#include "recdeck/experiments/traffic_estimate.h"
#include "recdeck/ui/common/chart_card.h"

class QAction;
class QLabel;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace recdeck::experiments {
class ExperimentRegistry;
}

namespace recdeck::ui {

class ElidedLabel;
class EngineHost;
class ExperimentEditor;
class ExperimentListModel;
class LiveFeed;
struct LiveSnapshot;
class ResultsView;
class SampleSizeCalculator;

// Experiments: A/B experiments: set up, size, run and read.
//
// The list of the registry's experiments (state badges, start time, primary metric) with
// New / Start / Stop / Restart / Delete; for the selected experiment, tabs with its
// results (verdict, SRM and peeking-safe indicators, a table per variant, the primary
// metric over time), its design (ExperimentEditor, undoable) and a sample-size calculator.
// Registry changes and results run off the GUI thread; refusals show in the panel.
class ExperimentsPanel : public QWidget {
    Q_OBJECT
public:
    // Asks the user to confirm an action with a consequence. `accept` labels the button
    // that goes ahead. True = go ahead. The default shows a QMessageBox named
    // "confirmDialog" whose accepting button is named "confirmAccept".
    using Confirmer = std::function<bool(const QString& title, const QString& text, const QString& accept)>;
    // Asks the user to pick one of several ways to go ahead; the index of the choice, or -1
    // to cancel. The default shows the same QMessageBox with the first choice's button
    // named "confirmAccept" and the others "confirmChoice1", "confirmChoice2", ...
    // setConfirmer() also answers choices (with the first one) until setChooser() is called.
    using Chooser = std::function<int(const QString& title, const QString& text, const QStringList& choices)>;

    explicit ExperimentsPanel(EngineHost& host, LiveFeed& feed, QWidget* parent = nullptr);
    ~ExperimentsPanel() override;

    void setConfirmer(Confirmer confirmer);
    void setChooser(Chooser chooser);
    // Selects an experiment by key (false when not listed).
    bool selectExperiment(const QString& key);
    QString selectedKey() const { return m_selected; }
    // The last results read for the selected experiment (nullopt before the first read).
    const std::optional<experiments::ExperimentResults>& currentResults() const { return m_results; }

    ExperimentEditor* editor() const { return m_editor; }
    SampleSizeCalculator* calculator() const { return m_calculator; }
    ResultsView* resultsView() const { return m_resultsView; }

    // The buttons' actions (each asks for confirmation where it has a consequence).
    void newExperiment();
    void startSelected();
    void stopSelected();
    void restartSelected();
    void deleteSelected();
    // Writes the selected experiment's results as CSV / its definition as JSON; with an
    // empty path a file dialog asks. False when nothing was written.
    bool exportResults(const QString& path = {});
    bool exportDefinition(const QString& path = {});
    // Reads the selected experiment's results now (asynchronously).
    void refreshResults();

signals:
    // A refresh of the selected experiment's results arrived.
    void resultsUpdated(const QString& key);
    // A registry change asked from this panel finished (ok = applied).
    void actionFinished(const QString& action, const QString& key, bool ok, const QString& message);

private:
    using Change = std::function<Result<experiments::Experiment>(experiments::ExperimentRegistry&)>;
    struct Sample {
        std::int64_t atMs = 0;
        std::vector<double> values;
    };
    struct RunHistory {
        std::int64_t startedAtMs = 0;
        std::vector<Sample> samples;
    };

    void onOpened();
    void reloadList();
    void reloadModels();
    void onSelectionChanged();
    void showSelected(const QString& key);
    void updateActions();
    void updateHeader();
    // A copy of the selected experiment as listed now: never a pointer into the list model,
    // which the 1 Hz refresh replaces (also while a confirmation dialog runs its event loop).
    std::optional<experiments::Experiment> selectedExperiment() const;
    bool confirm(const QString& title, const QString& text, const QString& accept);
    int choose(const QString& title, const QString& text, const QStringList& choices);
    void runChange(const QString& action, const QString& key, Change change,
                   std::function<void(const experiments::Experiment&)> onSuccess = {});
    void onSave(const experiments::Experiment& definition, bool create);
    void onResults(const std::string& key, Result<experiments::ExperimentResults> results,
                   std::vector<experiments::SeriesPoint> series);
    QList<ChartSeries> chartSeries(const experiments::ExperimentResults& results,
                                   const std::vector<experiments::SeriesPoint>& series);
    // Reads the last minutes of events (off the GUI thread) for the calculator's traffic
    // and baseline; at most every kTrafficRefreshMs unless forced.
    void refreshTraffic(bool force = false);
    void applyTraffic();
    void seedCalculator(const experiments::Experiment& experiment);
    void seedBaseline(const experiments::Experiment& experiment);
    void showMessage(const QString& text, bool error);
    void hideMessage();
    void saveSettings() const;
    // Shows as many list columns as fit (the least needed go first) and gives the list the
    // height of its rows (within limits) until the user drags the splitter.
    void fitList();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    EngineHost& m_host;
    LiveFeed& m_feed;
    Confirmer m_confirmer;
    Chooser m_chooser;

    ExperimentListModel* m_listModel;
    QTableView* m_list;
    QSplitter* m_splitter;
    QTabWidget* m_tabs;
    QLabel* m_title;
    QLabel* m_badge;
    ElidedLabel* m_description;
    QLabel* m_message;
    QWidget* m_messageBar;
    QPushButton* m_new;
    QPushButton* m_start;
    QPushButton* m_stop;
    QPushButton* m_restart;
    QPushButton* m_delete;
    QPushButton* m_export;
    QAction* m_exportResults;
    QAction* m_exportDefinition;
    ResultsView* m_resultsView;
    ExperimentEditor* m_editor;
    SampleSizeCalculator* m_calculator;
    QTimer* m_timer;

    QString m_selected;
    bool m_busy = false;
    bool m_resultsInFlight = false;
    bool m_refreshAgain = false;
    bool m_changingSelection = false;
    bool m_calculatorTouched = false;
    bool m_splitterDragged = false;
    std::optional<experiments::ExperimentResults> m_results;
    std::map<std::string, RunHistory> m_history;
    std::optional<experiments::RecentTraffic> m_traffic;
    std::int64_t m_trafficReadAtMs = 0;
    bool m_trafficInFlight = false;
};

}  // namespace recdeck::ui

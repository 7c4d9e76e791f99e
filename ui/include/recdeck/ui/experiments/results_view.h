#pragma once
// ResultsView: the readout of one experiment for a product manager: the verdict in plain
// language on a prominent card (one line per treatment, the guardrails it was given, and,
// once stopped, that the figures are frozen at the stop), the sample-ratio and
// peeking-safe indicators, progress to the planned sample, a table per variant and the
// primary metric over time. The page scrolls when the window is too short for it.

#include <QList>
#include <QString>
#include <QWidget>

#include "recdeck/experiments/experiment_results.h"
#include "recdeck/ui/common/chart_card.h"

class QFrame;
class QLabel;
class QStackedWidget;
class QTableView;

namespace recdeck::ui {

class KpiTile;
class ResultsTableModel;

class ResultsView : public QWidget {
    Q_OBJECT
public:
    explicit ResultsView(QWidget* parent = nullptr);

    // Shows a readout and its metric-over-time chart (one series per variant).
    void setResults(const experiments::ExperimentResults& results, const QList<ChartSeries>& chart);
    // Whether a stopped run's readout is frozen for good (Experiment::frozenResults), or
    // the late events from before its stop are still being counted. Before setResults().
    void setFrozen(bool frozen) { m_frozenForGood = frozen; }
    // Shows a message instead of results (nothing selected, a draft, an error).
    void showMessage(const QString& title, const QString& text);
    // Whose events the readout counts (the fleet's on a shared Redis, or this console's),
    // shown with the verdict's notes.
    void setScope(const QString& scope);
    QString scope() const { return m_scope; }

    ResultsTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    ChartCard* chart() const { return m_chart; }
    QString verdictHeadline() const;
    QString verdictText() const;
    // The guardrail line of the verdict card ("" without guardrails) and the frozen note
    // of a stopped run ("" while it runs).
    QString guardrailText() const;
    QString frozenText() const;

    // The results table's column widths follow the header texts and the values until the
    // user drags one; then the user's widths are kept. columnState() is the header state
    // to save (empty while the widths are automatic).
    QByteArray columnState() const;
    void restoreColumnState(const QByteArray& state);

signals:
    void columnsResizedByUser();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void fitColumns(bool allowShrink);
    void spreadColumns();
    void fitTableHeight();

    void updateVerdict(const experiments::ExperimentResults& results);
    void updateIndicators(const experiments::ExperimentResults& results);

    QStackedWidget* m_stack;
    QLabel* m_messageTitle;
    QLabel* m_messageText;
    QFrame* m_verdictCard;
    QLabel* m_verdictHeadline;
    QLabel* m_verdictText;
    QLabel* m_guardrails;
    QLabel* m_frozen;
    QLabel* m_notes;
    QString m_scope;
    KpiTile* m_srm;
    KpiTile* m_peeking;
    KpiTile* m_progress;
    KpiTile* m_runtime;
    ResultsTableModel* m_model;
    QTableView* m_table;
    ChartCard* m_chart;
    bool m_frozenForGood = true;
    bool m_columnsUserSized = false;
    bool m_fittingColumns = false;
    bool m_shrinkColumns = true;  // the next fit may narrow columns (a new shape of results)
    QList<int> m_naturalWidths;   // what each column needs (header and values)
};

}  // namespace recdeck::ui

#pragma once
// One row per variant of an experiment's readout: users, impressions, clicks, CTR, click
// and conversion rates, and for each treatment its lift over the control on the primary
// metric with the 95 % interval, the p-value (Holm-adjusted with several treatments), the
// chance to beat the control and the expected loss of shipping it.

#include <QAbstractTableModel>

#include "recdeck/experiments/experiment_results.h"

namespace recdeck::ui {

class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Variant,
        Share,
        Users,
        Impressions,
        Clicks,
        Ctr,
        ClickRate,
        ConversionRate,
        Lift,
        PValue,
        ChanceToBeat,
        ExpectedLoss,
        ColumnCount
    };
    // The raw number behind a cell (for sorting, tests and export); invalid when none.
    static constexpr int ValueRole = Qt::UserRole + 1;

    explicit ResultsTableModel(QObject* parent = nullptr);

    void setResults(const experiments::ExperimentResults& results);
    void clear();
    const experiments::ExperimentResults& results() const { return m_results; }
    // The comparison of the variant in `row` (nullptr for the control or when none).
    const experiments::Comparison* comparison(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant display(int row, Column column) const;
    QVariant value(int row, Column column) const;
    QVariant tooltip(int row, Column column) const;

    experiments::ExperimentResults m_results;
};

}  // namespace recdeck::ui

#pragma once
// The experiments of the registry as a table: key, state (drawn as a coloured badge), the
// share of users a running experiment really gets (assignment.h trafficShares: "waiting
// for users: all are in x" when it gets none), variants, primary metric, when the current
// run started and the last change.

#include <QAbstractTableModel>
#include <QStyledItemDelegate>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "recdeck/experiments/assignment.h"
#include "recdeck/experiments/experiment.h"

namespace recdeck::ui {

class ExperimentListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Key, State, Users, Variants, Metric, Started, Updated, ColumnCount };
    static constexpr int KeyRole = Qt::UserRole + 1;    // QString
    static constexpr int StateRole = Qt::UserRole + 2;  // int (ExperimentState)

    explicit ExperimentListModel(QObject* parent = nullptr);

    // Replaces the list (the registry's list(), by key).
    void setExperiments(std::vector<experiments::Experiment> list);
    const std::vector<experiments::Experiment>& experiments() const { return m_list; }
    // Row of `key`, -1 when absent.
    int rowOf(const QString& key) const;
    const experiments::Experiment* at(int row) const;
    // What a running experiment gets (nullopt for drafts and stopped ones).
    std::optional<experiments::TrafficShare> share(const QString& key) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<experiments::Experiment> m_list;
    std::map<std::string, experiments::TrafficShare, std::less<>> m_shares;
};

// Paints the State column as a rounded badge: draft grey, running green, stopped slate.
class StateBadgeDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    static QColor colour(experiments::ExperimentState state);
};

}  // namespace recdeck::ui

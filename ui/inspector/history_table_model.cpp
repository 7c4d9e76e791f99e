#include "recdeck/ui/inspector/history_table_model.h"

#include <QBrush>
#include <QDateTime>
#include <QStringList>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

QString typeText(const serving::HistoryRow& row) {
    if (row.fromTraining) return QObject::tr("interaction");
    QString text = QString::fromStdString(row.type);
    text.replace(QLatin1Char('_'), QLatin1Char(' '));
    return text;
}

QColor typeColour(const std::string& type) {
    if (type == "purchase") return theme::good();
    if (type == "add_to_cart" || type == "rating") return theme::series(3);
    if (type == "click") return theme::accent();
    return theme::muted();
}

}  // namespace

HistoryTableModel::HistoryTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void HistoryTableModel::setRows(std::vector<serving::HistoryRow> rows) {
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int HistoryTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int HistoryTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const serving::HistoryRow& row = m_rows[static_cast<std::size_t>(index.row())];
    if (role == Qt::ForegroundRole) {
        if (index.column() == TypeColumn) return QBrush(row.fromTraining ? theme::muted() : typeColour(row.type));
        if (row.fromTraining && index.column() == TimeColumn) return QBrush(theme::muted());
        return {};
    }
    if (role == Qt::ToolTipRole) {
        if (row.fromTraining)
            return tr("From the training data the models learned from (id %1)").arg(QString::fromStdString(row.itemId));
        if (row.type == "impression") return tr("A list shown to the user (served traffic)");
        return tr("Event from the event log (id %1)").arg(QString::fromStdString(row.itemId));
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case TimeColumn:
            if (row.atMs <= 0) return QStringLiteral("–");
            // Training data is historical: a date says enough; live events get the time.
            return row.fromTraining ? QDateTime::fromMSecsSinceEpoch(row.atMs).toString(QStringLiteral("yyyy-MM-dd"))
                                    : format::timestamp(row.atMs);
        case TypeColumn:
            return typeText(row);
        case ItemColumn:
            return QString::fromStdString(row.title);
        case CategoriesColumn: {
            QStringList names;
            for (const auto& name : row.categories) names << QString::fromStdString(name);
            return names.join(QStringLiteral(", "));
        }
        default:
            return {};
    }
}

QVariant HistoryTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case TimeColumn:
            return tr("Time");
        case TypeColumn:
            return tr("Event");
        case ItemColumn:
            return tr("Item");
        case CategoriesColumn:
            return tr("Categories");
        default:
            return {};
    }
}

}  // namespace recdeck::ui

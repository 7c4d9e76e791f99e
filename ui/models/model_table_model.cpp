#include "recdeck/ui/models/model_table_model.h"

#include <QBrush>
#include <QFont>

#include <optional>

#include "recdeck/common/stopwatch.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

const char* metricKey(int column) {
    switch (column) {
        case ModelTableModel::NdcgColumn:
            return "ndcg";
        case ModelTableModel::PrecisionColumn:
            return "precision";
        case ModelTableModel::RecallColumn:
            return "recall";
        case ModelTableModel::CoverageColumn:
            return "coverage";
        case ModelTableModel::IldColumn:
            return "ild";
        default:
            return nullptr;
    }
}

std::optional<double> metricOf(const models::ModelEntry& entry, const char* key) {
    const auto& metrics = entry.offlineMetrics;
    if (!metrics.is_object()) return std::nullopt;
    const auto it = metrics.find(key);
    if (it == metrics.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

QString seconds(double s) {
    if (s < 1.0) return format::milliseconds(s * 1000.0);
    if (s < 120.0) return QStringLiteral("%1 s").arg(QString::number(s, 'f', 1));
    return QStringLiteral("%1 min").arg(QString::number(s / 60.0, 'f', 1));
}

}  // namespace

ModelTableModel::ModelTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ModelTableModel::setEntries(std::vector<models::ModelRegistry::EntryPtr> entries, const QString& defaultName) {
    beginResetModel();
    m_entries = std::move(entries);
    m_default = defaultName;
    endResetModel();
}

models::ModelRegistry::EntryPtr ModelTableModel::entry(int row) const {
    if (row < 0 || row >= rowCount()) return nullptr;
    return m_entries[static_cast<std::size_t>(row)];
}

int ModelTableModel::rowOf(const QString& name) const {
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        if (QString::fromStdString(m_entries[i]->name) == name) return static_cast<int>(i);
    }
    return -1;
}

int ModelTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int ModelTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModelTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const auto& entry = *m_entries[static_cast<std::size_t>(index.row())];
    const QString name = QString::fromStdString(entry.name);
    const bool isDefault = name == m_default;
    const int column = index.column();
    const char* key = metricKey(column);

    if (role == Qt::UserRole) return name;
    if (role == Qt::FontRole && column == NameColumn && isDefault) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::ForegroundRole) {
        if (column == NameColumn && isDefault) return QBrush(theme::accent());
        if (key && !metricOf(entry, key)) return QBrush(theme::muted());
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        if (column == NameColumn || column == KindColumn || column == TrainedColumn) return {};
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        if (column == NameColumn && isDefault) return tr("The default model: serves every user outside an experiment");
        if (key && !metricOf(entry, key)) return tr("Not evaluated yet: press Evaluate");
        if (key) {
            const auto evaluation = entry.offlineMetrics.find("evaluation");
            if (evaluation != entry.offlineMetrics.end() && evaluation->is_object()) {
                return tr("On a %1 of the data, %2 sampled test users, ranking: %3")
                    .arg(QString::fromStdString(evaluation->value("split", std::string())))
                    .arg(evaluation->value("sampled_users", 0))
                    .arg(QString::fromStdString(evaluation->value("ranking", std::string())));
            }
        }
        if (column == TrainedColumn && entry.trainedAtMs > 0) {
            return format::ago(unixMillis() - entry.trainedAtMs);
        }
        return {};
    }
    if (role != Qt::DisplayRole) return {};
    switch (column) {
        case NameColumn:
            return isDefault ? QStringLiteral("★ ") + name : name;
        case KindColumn:
            return entry.model ? QString::fromUtf8(entry.model->kind().data(),
                                                   static_cast<qsizetype>(entry.model->kind().size()))
                               : QStringLiteral("–");
        case VersionColumn:
            return QStringLiteral("v%1").arg(entry.version);
        case TrainedColumn:
            return format::timestamp(entry.trainedAtMs);
        case TrainingTimeColumn:
            return seconds(entry.trainingSeconds);
        default:
            break;
    }
    if (!key) return {};
    const auto value = metricOf(entry, key);
    if (!value) return QStringLiteral("–");
    if (column == CoverageColumn) return format::percent(*value);
    return QString::number(*value, 'f', 3);
}

QVariant ModelTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    static const char* const titles[] = {QT_TR_NOOP("Model"),        QT_TR_NOOP("Kind"),      QT_TR_NOOP("Version"),
                                         QT_TR_NOOP("Trained at"),   QT_TR_NOOP("Training"),  QT_TR_NOOP("nDCG@10"),
                                         QT_TR_NOOP("Precision@10"), QT_TR_NOOP("Recall@10"), QT_TR_NOOP("Coverage"),
                                         QT_TR_NOOP("Diversity")};
    static const char* const tips[] = {
        QT_TR_NOOP("Registry name; ★ marks the default model"),
        QT_TR_NOOP("The algorithm: popularity, item-kNN, ALS (matrix factorisation), EASE, or blend (EASE + ALS)"),
        QT_TR_NOOP("Increments every time the model is retrained"),
        QT_TR_NOOP("When this version finished training"),
        QT_TR_NOOP("How long training took"),
        QT_TR_NOOP("Ranking accuracy on held-out items: 1 = every held-out item at the top (higher is better)"),
        QT_TR_NOOP("Share of the 10 recommended items the user went on to interact with"),
        QT_TR_NOOP("Share of the user's held-out items that made the top 10"),
        QT_TR_NOOP("Share of the catalog that appears in someone's list"),
        QT_TR_NOOP("Intra-list diversity: mean category distance between the items of a list (0 = all alike, 1 = all "
                   "different)")};
    if (section < 0 || section >= ColumnCount) return {};
    if (role == Qt::DisplayRole) return tr(titles[section]);
    if (role == Qt::ToolTipRole) return tr(tips[section]);
    if (role == Qt::TextAlignmentRole) {
        // As the values below: names and dates left, figures right.
        const bool text = section == NameColumn || section == KindColumn || section == TrainedColumn;
        return QVariant::fromValue((text ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
    }
    return {};
}

}  // namespace recdeck::ui

#include "recdeck/ui/experiments/variant_table_model.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>
#include <cmath>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

using experiments::Variant;
using experiments::VariantRanking;

namespace {

VariantTableModel::RankingChoice rankingChoice(const Variant& variant) {
    if (!variant.ranking) return VariantTableModel::DefaultRanking;
    return variant.ranking->diversity ? VariantTableModel::DiversityOn : VariantTableModel::DiversityOff;
}

QString rankingText(VariantTableModel::RankingChoice choice) {
    switch (choice) {
        case VariantTableModel::DefaultRanking:
            return VariantTableModel::tr("Service default");
        case VariantTableModel::DiversityOn:
            return VariantTableModel::tr("Diversity on");
        case VariantTableModel::DiversityOff:
            return VariantTableModel::tr("Diversity off");
    }
    return {};
}

double weightSum(const std::vector<Variant>& variants) {
    double sum = 0.0;
    for (const auto& v : variants) sum += std::max(0.0, v.weight);
    return sum;
}

}  // namespace

VariantTableModel::VariantTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void VariantTableModel::setVariants(const std::vector<Variant>& variants) {
    if (variants.size() == m_variants.size()) {
        m_variants = variants;
        if (!m_variants.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_variants = variants;
    endResetModel();
}

void VariantTableModel::setEditable(bool editable) {
    if (m_editable == editable) return;
    beginResetModel();  // flags change for every cell
    m_editable = editable;
    endResetModel();
}

void VariantTableModel::setDefaultModelName(const QString& name) {
    m_defaultModel = name;
    if (!m_variants.empty()) emit dataChanged(index(0, Model), index(rowCount() - 1, Model));
}

QString VariantTableModel::defaultModelLabel() const {
    return m_defaultModel.isEmpty() ? tr("Default model") : tr("Default model (%1)").arg(m_defaultModel);
}

bool VariantTableModel::applyEdit(std::vector<Variant>& variants, int row, Column column, const QVariant& value) {
    if (row < 0 || row >= static_cast<int>(variants.size())) return false;
    Variant& v = variants[static_cast<std::size_t>(row)];
    switch (column) {
        case Name:
            v.name = value.toString().trimmed().toStdString();
            return true;
        case Weight:
            v.weight = value.toDouble();
            return true;
        case Model:
            v.model = value.toString().toStdString();
            return true;
        case Ranking: {
            const int choice = value.toInt();
            if (choice == DefaultRanking) {
                v.ranking.reset();
            } else {
                VariantRanking ranking = v.ranking.value_or(VariantRanking{});
                ranking.diversity = choice == DiversityOn;
                v.ranking = ranking;
            }
            return true;
        }
        case Lambda:
            if (!v.ranking) return false;
            v.ranking->mmrLambda = std::clamp(value.toDouble(), 0.0, 1.0);
            return true;
        case Cap:
            if (!v.ranking) return false;
            v.ranking->categoryCap = static_cast<std::size_t>(std::max(0, value.toInt()));
            return true;
        case Share:
        case ColumnCount:
            return false;
    }
    return false;
}

int VariantTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_variants.size());
}

int VariantTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VariantTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const Variant& v = m_variants[static_cast<std::size_t>(index.row())];
    const auto column = static_cast<Column>(index.column());
    const bool ranked = v.ranking.has_value() && v.ranking->diversity;
    if (role == Qt::DisplayRole) {
        switch (column) {
            case Name:
                return QString::fromStdString(v.name) + (index.row() == 0 ? tr("  (control)") : QString());
            case Weight:
                return format::number(v.weight, 2);
            case Share: {
                const double sum = weightSum(m_variants);
                return sum > 0 ? format::percent(std::max(0.0, v.weight) / sum, 1) : QStringLiteral("–");
            }
            case Model:
                return v.model.empty() ? defaultModelLabel() : QString::fromStdString(v.model);
            case Ranking:
                return rankingText(rankingChoice(v));
            case Lambda:
                return ranked ? format::number(v.ranking->mmrLambda, 2) : QStringLiteral("–");
            case Cap:
                if (!ranked) return QStringLiteral("–");
                return v.ranking->categoryCap == 0 ? tr("no cap") : QString::number(v.ranking->categoryCap);
            case ColumnCount:
                break;
        }
    } else if (role == Qt::EditRole) {
        switch (column) {
            case Name:
                return QString::fromStdString(v.name);
            case Weight:
                return v.weight;
            case Share:
                return {};
            case Model:
                return QString::fromStdString(v.model);
            case Ranking:
                return static_cast<int>(rankingChoice(v));
            case Lambda:
                return v.ranking ? v.ranking->mmrLambda : VariantRanking{}.mmrLambda;
            case Cap:
                return static_cast<int>(v.ranking ? v.ranking->categoryCap : VariantRanking{}.categoryCap);
            case ColumnCount:
                break;
        }
    } else if (role == Qt::ForegroundRole) {
        if (column == Share || ((column == Lambda || column == Cap) && !ranked)) return theme::muted();
    } else if (role == Qt::TextAlignmentRole) {
        if (column == Weight || column == Share || column == Lambda || column == Cap)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ToolTipRole) {
        switch (column) {
            case Name:
                return index.row() == 0 ? tr("The first variant is the control every other variant is compared with")
                                        : QVariant();
            case Weight:
                return tr(
                    "Relative weight: the variants' weights are normalised to shares of the experiment's traffic");
            case Share:
                return tr("Share of the experiment's users this variant gets");
            case Model:
                return tr("The model that ranks this variant's lists");
            case Ranking:
                return tr(
                    "Service default: the console's usual diversity-aware ranking. Diversity on: MMR with the λ "
                    "and cap set here. Diversity off: ranked by model score alone");
            case Lambda:
                return tr("MMR λ in [0, 1]: 1 ranks by relevance only, lower values trade relevance for variety");
            case Cap:
                return tr("At most this many items of one category in a list (0 = no cap)");
            default:
                break;
        }
    }
    return {};
}

bool VariantTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !index.isValid() || !(flags(index) & Qt::ItemIsEditable)) return false;
    if (data(index, Qt::EditRole) == value) return false;
    if (m_onEdit) m_onEdit(index.row(), static_cast<Column>(index.column()), value);
    return true;
}

Qt::ItemFlags VariantTableModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (!m_editable) return f;
    const Variant& v = m_variants[static_cast<std::size_t>(index.row())];
    const auto column = static_cast<Column>(index.column());
    const bool ranked = v.ranking.has_value() && v.ranking->diversity;
    if (column == Share) return f;
    if ((column == Lambda || column == Cap) && !ranked) return f;
    return f | Qt::ItemIsEditable;
}

QVariant VariantTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
        switch (static_cast<Column>(section)) {
            case Name:
                return tr("Variant");
            case Weight:
                return tr("Weight");
            case Share:
                return tr("Traffic share");
            case Model:
                return tr("Model");
            case Ranking:
                return tr("Ranking");
            case Lambda:
                return tr("MMR λ");
            case Cap:
                return tr("Category cap");
            case ColumnCount:
                break;
        }
    } else if (role == Qt::ToolTipRole) {
        return data(index(0, section), Qt::ToolTipRole);
    }
    return {};
}

// --- delegate --------------------------------------------------------------------------

VariantDelegate::VariantDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

QWidget* VariantDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                       const QModelIndex& index) const {
    const auto* model = qobject_cast<const VariantTableModel*>(index.model());
    switch (static_cast<VariantTableModel::Column>(index.column())) {
        case VariantTableModel::Model: {
            auto* combo = new QComboBox(parent);
            combo->setObjectName(QStringLiteral("variantModelEditor"));
            combo->addItem(model ? model->defaultModelLabel() : tr("Default model"), QString());
            for (const QString& name : m_models) combo->addItem(name, name);
            return combo;
        }
        case VariantTableModel::Ranking: {
            auto* combo = new QComboBox(parent);
            combo->setObjectName(QStringLiteral("variantRankingEditor"));
            combo->addItem(tr("Service default"), VariantTableModel::DefaultRanking);
            combo->addItem(tr("Diversity on"), VariantTableModel::DiversityOn);
            combo->addItem(tr("Diversity off"), VariantTableModel::DiversityOff);
            return combo;
        }
        case VariantTableModel::Weight: {
            auto* spin = new QDoubleSpinBox(parent);
            spin->setRange(0.01, 1000.0);
            spin->setDecimals(2);
            spin->setSingleStep(0.1);
            return spin;
        }
        case VariantTableModel::Lambda: {
            auto* spin = new QDoubleSpinBox(parent);
            spin->setRange(0.0, 1.0);
            spin->setDecimals(2);
            spin->setSingleStep(0.05);
            return spin;
        }
        case VariantTableModel::Cap: {
            auto* spin = new QSpinBox(parent);
            spin->setRange(0, 1000);
            spin->setSpecialValueText(tr("no cap"));
            return spin;
        }
        case VariantTableModel::Name: {
            auto* edit = new QLineEdit(parent);
            edit->setMaxLength(64);
            return edit;
        }
        default:
            break;
    }
    return QStyledItemDelegate::createEditor(parent, option, index);
}

void VariantDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
    if (auto* combo = qobject_cast<QComboBox*>(editor)) {
        const int at = combo->findData(index.data(Qt::EditRole));
        combo->setCurrentIndex(std::max(0, at));
        return;
    }
    QStyledItemDelegate::setEditorData(editor, index);
}

void VariantDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const {
    if (auto* combo = qobject_cast<QComboBox*>(editor)) {
        model->setData(index, combo->currentData(), Qt::EditRole);
        return;
    }
    QStyledItemDelegate::setModelData(editor, model, index);
}

}  // namespace recdeck::ui

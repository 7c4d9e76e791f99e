#pragma once
// The variants of the definition being edited, as a table: name, weight (and the share it
// gives), model, ranking (the service's default, diversity on or off), MMR lambda and
// category cap. Edits do not change the model directly: they go to the edit handler (the
// editor turns them into undo commands and sets the variants back).

#include <QAbstractTableModel>
#include <QStringList>
#include <QStyledItemDelegate>

#include <functional>
#include <vector>

#include "recdeck/experiments/experiment.h"

namespace recdeck::ui {

class VariantTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Weight, Share, Model, Ranking, Lambda, Cap, ColumnCount };
    // Values of the Ranking column (EditRole).
    enum RankingChoice { DefaultRanking = 0, DiversityOn = 1, DiversityOff = 2 };
    using EditHandler = std::function<void(int row, Column column, const QVariant& value)>;

    explicit VariantTableModel(QObject* parent = nullptr);

    void setVariants(const std::vector<experiments::Variant>& variants);
    const std::vector<experiments::Variant>& variants() const { return m_variants; }
    // Read-only while the experiment runs (what a variant serves and its weight are locked).
    void setEditable(bool editable);
    void setEditHandler(EditHandler handler) { m_onEdit = std::move(handler); }
    // How "" (the default model) reads: "Default model (als)".
    void setDefaultModelName(const QString& name);
    QString defaultModelLabel() const;

    // Applies an edit to a copy of the variants: the one place that knows the columns'
    // meaning, used by the editor's undo commands.
    static bool applyEdit(std::vector<experiments::Variant>& variants, int row, Column column, const QVariant& value);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<experiments::Variant> m_variants;
    EditHandler m_onEdit;
    bool m_editable = true;
    QString m_defaultModel;
};

// Editors for the variant cells: a model combo (the registry's models plus the default),
// a ranking combo, and spin boxes with the fields' ranges.
class VariantDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit VariantDelegate(QObject* parent = nullptr);
    void setModelNames(const QStringList& names) { m_models = names; }

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;

private:
    QStringList m_models;
};

}  // namespace recdeck::ui

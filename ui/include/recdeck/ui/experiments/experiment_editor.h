#pragma once
// ExperimentEditor: the definition of one experiment as a form — key, description,
// variants (name, weight, model, ranking), coverage, layer, salt, allocation mode,
// primary and guardrail metrics and the plan. Every edit is an undo command on the
// editor's QUndoStack (Undo / Redo buttons, Ctrl+Z and Ctrl+Shift+Z). Save asks the owner
// to write the definition (create or update) off the GUI thread and report back.
//
// What may change follows the registry's rules: a draft may change anything but its key
// once saved; a running or stopped experiment only its description, metrics and plan
// (the allocation and what a variant serves are locked, so every user of a run stays in
// one treatment). Validation runs on every edit and shows its message inline.

#include <QString>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

#include "recdeck/experiments/experiment.h"
#include "recdeck/ui/experiments/experiment_commands.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QUndoStack;

namespace recdeck::ui {

class VariantDelegate;
class VariantTableModel;

class ExperimentEditor : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentEditor(QWidget* parent = nullptr);
    ~ExperimentEditor() override;

    // Edits a stored experiment (the undo history starts afresh).
    void loadStored(const experiments::Experiment& stored);
    // Edits a new, unsaved draft.
    void loadNew(const experiments::Experiment& draft);
    // Nothing to edit.
    void clear();
    // The owner saved the definition: `stored` is what the registry keeps (normalised
    // weights, generated salt). The history is kept; the editor is clean again.
    void markSaved(const experiments::Experiment& stored);
    // The stored record changed outside this editor (a start, another instance). Without
    // unsaved edits the editor shows it; with them it keeps them and says so.
    void storedChanged(const experiments::Experiment& stored);
    // A refusal or failure of the last save, shown inline until the next edit.
    void showError(const QString& message);

    // Every experiment of the registry, so the editor can say what share of users this one
    // gets (running) or would get if started now (drafts): assignment.h's rule.
    void setTrafficContext(std::vector<experiments::Experiment> all);
    QString shareNote() const;

    // The registry's model names and the default model's name, for the variant table.
    void setModels(const QStringList& names, const QString& defaultName);
    // Replaces the plan (one undoable edit); false when there is nothing to edit.
    bool applyPlan(const experiments::ExperimentPlan& plan);

    bool hasDefinition() const { return m_hasDefinition; }
    bool isNew() const { return m_hasDefinition && !m_stored.has_value(); }
    bool isDirty() const;
    // True when the allocation (variants, coverage, layer, salt, mode) may be edited.
    bool allocationEditable() const;
    const experiments::Experiment& definition() const { return m_draft; }
    const std::optional<experiments::Experiment>& stored() const { return m_stored; }
    QUndoStack* undoStack() const { return m_undo; }
    // "" when the definition is valid.
    QString validationMessage() const { return m_validation; }

signals:
    void saveRequested(const recdeck::experiments::Experiment& definition, bool create);
    // The user discarded a new, unsaved draft.
    void newDiscarded();
    void dirtyChanged(bool dirty);
    // The definition shown changed (an edit, undo, load or save).
    void definitionChanged();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    using Mutator = std::function<void(experiments::Experiment&)>;
    void change(const QString& text, EditField field, int subKey, const Mutator& mutate);
    void setDraft(const experiments::Experiment& draft);
    void refreshWidgets();
    void updateEnabled();
    void validate();
    void updateStatus();
    void updateShareNote();
    void markInvalid(QWidget* widget);
    QWidget* buildDefinitionCard();
    QWidget* buildMetricsCard();
    QWidget* buildVariantsCard();

    QUndoStack* m_undo;
    experiments::Experiment m_draft;
    std::optional<experiments::Experiment> m_stored;
    bool m_hasDefinition = false;
    bool m_updating = false;
    bool m_lastDirty = false;
    QString m_validation;
    QString m_saveError;
    QStringList m_models;
    QString m_defaultModel;
    std::vector<experiments::Experiment> m_context;

    QLabel* m_status;
    QLabel* m_stateNote;
    QLabel* m_shareNote;
    QLabel* m_message;
    QPushButton* m_undoButton;
    QPushButton* m_redoButton;
    QPushButton* m_saveButton;
    QPushButton* m_discardButton;
    QLineEdit* m_key;
    QPlainTextEdit* m_description;
    QLineEdit* m_layer;
    QDoubleSpinBox* m_coverage;
    QLineEdit* m_salt;
    QPushButton* m_regenerateSalt;
    QComboBox* m_allocation;
    QComboBox* m_primary;
    QList<QCheckBox*> m_guardrails;
    QDoubleSpinBox* m_planBaseline;
    QDoubleSpinBox* m_planEffect;
    QDoubleSpinBox* m_planAlpha;
    QDoubleSpinBox* m_planPower;
    VariantTableModel* m_variants;
    VariantDelegate* m_variantDelegate;
    QTableView* m_variantTable;
    QPushButton* m_addVariant;
    QPushButton* m_removeVariant;
    QPushButton* m_equalWeights;
    QWidget* m_form;
    QWidget* m_invalidWidget = nullptr;
};

// The definition fields of an experiment (state, times, revision and layer range reset),
// for comparing what a user edits with what is stored.
experiments::Experiment definitionOf(const experiments::Experiment& experiment);

}  // namespace recdeck::ui

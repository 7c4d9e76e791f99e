#pragma once
// Undo commands of the experiment editor. Every edit replaces the definition being edited
// with a new value; the command keeps both, so undo and redo are exact whatever the field.

#include <QString>
#include <QUndoCommand>

#include <functional>

#include "recdeck/experiments/experiment.h"

namespace recdeck::ui {

// Field ids for merging consecutive edits of one field (typing a key, spinning a value)
// into one undo step; kNoMerge never merges.
enum class EditField {
    NoMerge = -1,
    Key = 1,
    Description,
    Coverage,
    Layer,
    Plan,
    VariantCell,
};

class EditDefinitionCommand : public QUndoCommand {
public:
    using Apply = std::function<void(const experiments::Experiment&)>;

    // `apply` installs a definition in the editor (and refreshes its widgets). `mergeKey`
    // distinguishes sub-fields of one EditField (the variant cell, say) so that only edits
    // of the very same thing merge.
    EditDefinitionCommand(Apply apply, experiments::Experiment before, experiments::Experiment after,
                          const QString& text, EditField field = EditField::NoMerge, int mergeKey = 0);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

    const experiments::Experiment& before() const { return m_before; }
    const experiments::Experiment& after() const { return m_after; }

private:
    Apply m_apply;
    experiments::Experiment m_before;
    experiments::Experiment m_after;
    EditField m_field;
    int m_mergeKey;
};

}  // namespace recdeck::ui

#include "recdeck/ui/experiments/experiment_commands.h"

#include <utility>

namespace recdeck::ui {

EditDefinitionCommand::EditDefinitionCommand(Apply apply, experiments::Experiment before, experiments::Experiment after,
                                             const QString& text, EditField field, int mergeKey)
    : QUndoCommand(text),
      m_apply(std::move(apply)),
      m_before(std::move(before)),
      m_after(std::move(after)),
      m_field(field),
      m_mergeKey(mergeKey) {}

void EditDefinitionCommand::undo() {
    m_apply(m_before);
}

void EditDefinitionCommand::redo() {
    m_apply(m_after);
}

int EditDefinitionCommand::id() const {
    if (m_field == EditField::NoMerge) return -1;
    // One id per (field, sub-field) pair; QUndoStack only offers merges between equal ids.
    return static_cast<int>(m_field) * 10'000 + (m_mergeKey % 10'000);
}

bool EditDefinitionCommand::mergeWith(const QUndoCommand* other) {
    const auto* edit = dynamic_cast<const EditDefinitionCommand*>(other);
    if (edit == nullptr || edit->id() != id() || id() < 0) return false;
    m_after = edit->m_after;
    // Typing a value and then deleting it again leaves nothing to undo.
    setObsolete(m_after == m_before);
    return true;
}

}  // namespace recdeck::ui

#pragma once
// Operator invalidation: drop the cached lists of one user, of every list holding one
// item, of one model, or everything. Each asks for confirmation first (a window-modal
// QMessageBox named "invalidationConfirmation", so tests can find and answer it), runs on
// a worker, and shows its outcome in the form, with a warning when the shared tier (L2,
// other instances) could not be reached.

#include <QFrame>
#include <QStringList>

#include "recdeck/cache/tiered_cache.h"

class QComboBox;
class QCompleter;
class QLabel;
class QLineEdit;
class QPushButton;

namespace recdeck::ui {

class EngineHost;

class InvalidationForm : public QFrame {
    Q_OBJECT
public:
    explicit InvalidationForm(EngineHost& host, QWidget* parent = nullptr);

    // Completion and model lists from the engine (after it opens or its data or models change).
    void reload();

signals:
    // An invalidation this form applied (record: as the cache logged it, when found).
    void applied(const cache::InvalidationRecord& record);

private:
    void ask(cache::InvalidationKind kind, const QString& id);
    void run(cache::InvalidationKind kind, const QString& id);
    void showResult(const QString& text, const QString& colour);
    void updateButtons();
    QString itemIdFromText() const;

    EngineHost& m_host;
    QLineEdit* m_user;
    QLineEdit* m_item;
    QComboBox* m_model;
    QPushButton* m_userButton;
    QPushButton* m_itemButton;
    QPushButton* m_modelButton;
    QPushButton* m_allButton;
    QLabel* m_result;
    QCompleter* m_userCompleter;
    QCompleter* m_itemCompleter;
    QStringList m_knownUsers;  // sorted
    bool m_running = false;
};

}  // namespace recdeck::ui

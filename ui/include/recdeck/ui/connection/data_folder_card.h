#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

namespace recdeck::ui {

class EngineHost;

// The Data folder card: where the engine keeps its event log, models and experiments;
// change it (saved as QSettings "backend/data", applied now by reopening the engine or
// at the next start) and open it in the file manager.
class DataFolderCard : public QFrame {
    Q_OBJECT
public:
    enum class When { Now, NextStart };

    explicit DataFolderCard(EngineHost& host, QWidget* parent = nullptr);

    // Uses `folder` from now on (reopening the engine) or from the next start.
    void changeFolder(const QString& folder, When when);

private:
    void askForFolder();
    void updateView();

    EngineHost& m_host;
    QLabel* m_path;
    QLabel* m_pending;
    QPushButton* m_change;
};

}  // namespace recdeck::ui

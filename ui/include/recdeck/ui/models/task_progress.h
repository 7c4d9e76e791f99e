#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <stop_token>

#include "recdeck/common/task.h"

namespace recdeck::ui {

// One long core task seen from the GUI: a TaskControl whose progress reaches the GUI
// thread coalesced (however often the worker reports, at most one update is queued at a
// time, and it carries the latest figure), and a cancel button's std::stop_source.
class TaskProgress : public QObject {
    Q_OBJECT
public:
    explicit TaskProgress(QObject* parent = nullptr);
    ~TaskProgress() override;

    // Starts a run: a fresh stop source, and a TaskControl for the worker to report into.
    TaskControl begin();
    // Asks the worker to stop (it notices at its next check).
    void cancel();
    // Marks the run over (progress still in flight is dropped).
    void end();
    bool running() const { return m_running; }
    bool cancelRequested() const;

signals:
    void progressed(double fraction, const QString& stage);

private:
    struct Shared;
    void deliver(const std::shared_ptr<Shared>& shared);

    std::shared_ptr<Shared> m_shared;
    std::stop_source m_stop;
    bool m_running = false;
};

}  // namespace recdeck::ui

#include "recdeck/ui/models/task_progress.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>

#include <mutex>
#include <string>

namespace recdeck::ui {

struct TaskProgress::Shared {
    std::mutex mutex;
    double fraction = 0.0;
    std::string stage;
    bool queued = false;  // an update is on its way to the GUI thread
    bool live = true;     // false once the run ended: later reports are dropped
};

TaskProgress::TaskProgress(QObject* parent) : QObject(parent) {}

TaskProgress::~TaskProgress() {
    end();
}

TaskControl TaskProgress::begin() {
    end();
    m_shared = std::make_shared<Shared>();
    m_stop = std::stop_source();
    m_running = true;
    TaskControl control;
    control.stop = m_stop.get_token();
    QPointer<TaskProgress> self(this);
    std::weak_ptr<Shared> weak = m_shared;
    control.progress = [self, weak](double fraction, std::string_view stage) {
        const auto shared = weak.lock();
        if (!shared) return;
        {
            std::lock_guard lock(shared->mutex);
            if (!shared->live) return;
            shared->fraction = fraction;
            shared->stage.assign(stage);
            if (shared->queued) return;
            shared->queued = true;
        }
        // Posted to the application object, which outlives any panel; the pointer check
        // happens on the GUI thread, where the panel is destroyed.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, shared] {
                if (self) self->deliver(shared);
            },
            Qt::QueuedConnection);
    };
    return control;
}

void TaskProgress::deliver(const std::shared_ptr<Shared>& shared) {
    double fraction = 0.0;
    std::string stage;
    {
        std::lock_guard lock(shared->mutex);
        shared->queued = false;
        if (!shared->live || shared != m_shared) return;
        fraction = shared->fraction;
        stage = shared->stage;
    }
    emit progressed(fraction, QString::fromStdString(stage));
}

void TaskProgress::cancel() {
    if (m_running) m_stop.request_stop();
}

bool TaskProgress::cancelRequested() const {
    return m_running && m_stop.stop_requested();
}

void TaskProgress::end() {
    if (m_shared) {
        std::lock_guard lock(m_shared->mutex);
        m_shared->live = false;
    }
    m_shared.reset();
    m_running = false;
}

}  // namespace recdeck::ui

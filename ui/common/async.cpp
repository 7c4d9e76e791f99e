#include "recdeck/ui/common/async.h"

#include <QThread>

namespace recdeck::ui {

QThreadPool* coreThreadPool() {
    static QThreadPool* pool = [] {
        auto* created = new QThreadPool();
        // Training uses every core itself; a few threads are enough for the rest.
        created->setMaxThreadCount(std::max(4, QThread::idealThreadCount() + 2));
        return created;
    }();
    return pool;
}

}  // namespace recdeck::ui

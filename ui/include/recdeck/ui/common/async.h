#pragma once
// runAsync: run core work on a worker thread and hand its value back on the GUI thread.
// The GUI never waits: `done` is called later from the event loop of `context` (and not at
// all if `context` is destroyed first). Work must not touch widgets.

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QtConcurrent>

#include <type_traits>
#include <utility>

namespace recdeck::ui {

// The pool for core work of the console (training, imports, requests, polls), separate
// from Qt's global pool so a long training never starves the quick polls.
QThreadPool* coreThreadPool();

template <typename Work, typename Done>
void runAsync(QObject* context, Work&& work, Done&& done) {
    using Value = std::decay_t<std::invoke_result_t<Work>>;
    auto* watcher = new QFutureWatcher<Value>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, done = std::forward<Done>(done)]() mutable {
                         done(watcher->future().takeResult());
                         watcher->deleteLater();
                     });
    watcher->setFuture(QtConcurrent::run(coreThreadPool(), std::forward<Work>(work)));
}

}  // namespace recdeck::ui

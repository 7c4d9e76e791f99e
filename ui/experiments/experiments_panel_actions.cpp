#include "recdeck/ui/experiments/experiments_panel.h"

#include <QFileDialog>
#include <QTabWidget>
#include <QTableView>

#include "recdeck/experiments/assignment.h"
#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/experiments/experiment_editor.h"
#include "recdeck/ui/experiments/experiment_list_model.h"
#include "recdeck/ui/experiments/panel_text.h"
#include "recdeck/ui/experiments/results_export.h"
#include "recdeck/ui/experiments/results_view.h"

namespace recdeck::ui {

using experiments::Experiment;
using experiments::ExperimentResults;
using experiments::ExperimentState;
using namespace panel_text;

// --- actions ---------------------------------------------------------------------------

void ExperimentsPanel::newExperiment() {
    if (!m_host.engine()) return;
    if (m_editor->isDirty() &&
        !confirm(tr("Discard unsaved changes?"),
                 tr("You have unsaved changes to %1. A new experiment discards them.")
                     .arg(m_editor->isNew() ? tr("the new experiment") : quoted(q(m_editor->definition().key))),
                 tr("Discard changes")))
        return;
    auto* engine = m_host.engine();  // re-resolved: the dialog's event loop may have reopened it
    if (!engine) return;
    Experiment draft;
    int n = static_cast<int>(m_listModel->experiments().size()) + 1;
    do {
        draft.key = "experiment-" + std::to_string(n++);
    } while (m_listModel->rowOf(q(draft.key)) >= 0);
    draft.salt = experiments::generateSalt();
    const bool hasPopularity = engine->registry().find("popularity") != nullptr;
    draft.variants = {{"control", 0.5, hasPopularity ? "popularity" : "", std::nullopt},
                      {"treatment", 0.5, "", std::nullopt}};
    m_changingSelection = true;
    m_list->clearSelection();
    m_list->setCurrentIndex(QModelIndex());
    m_changingSelection = false;
    m_selected.clear();
    m_results.reset();
    m_editor->loadNew(draft);
    m_tabs->setCurrentWidget(m_editor);
    m_resultsView->showMessage(tr("Not saved yet"), tr("Design the experiment in Design, then press Create draft."));
    updateHeader();
    updateActions();
}

void ExperimentsPanel::startSelected() {
    const std::optional<Experiment> e = selectedExperiment();
    if (!e || m_busy) return;
    const QString key = q(e->key);
    // Only values survive the dialog: its event loop runs the refresh that replaces the list.
    const std::vector<Experiment> all = m_listModel->experiments();
    const auto queued = experiments::planStart(all, *e, experiments::StartMode::Queue);
    const auto shared = experiments::planStart(all, *e, experiments::StartMode::Share);
    const QString locked = tr(
        "While it runs, the variants, their models, weights, coverage, layer and salt are locked. You can stop it at "
        "any time.");
    QStringList apart;
    for (const auto& [other, reason] : queued.conflictsWith) apart << tr("%1 (%2)").arg(quoted(q(other)), q(reason));
    const QString apartText =
        apart.isEmpty()
            ? QString()
            : tr("It never shares users with %1.").arg(apart.join(QStringLiteral(", "))) + QStringLiteral("\n\n");
    const auto percentOf = [](const experiments::TrafficShare& share) {
        return format::percent(share.fraction(), share.fraction() < 0.1 ? 1 : 0);
    };

    experiments::StartMode mode = experiments::StartMode::Queue;
    if (queued.share.served >= queued.share.requested) {
        if (!confirm(tr("Start %1?").arg(quoted(key)),
                     tr("From now on %1 of users are split between %2, and each user keeps their variant for the whole "
                        "run.\n\n%3%4")
                         .arg(percentOf(queued.share), splitText(*e), apartText, locked),
                     tr("Start experiment")))
            return;
    } else {
        const QString holders = keysText(queued.share.heldBy);
        const QString plural = queued.share.heldBy.size() == 1 ? QStringLiteral("s") : QString();
        QString text = tr("%1 asks for %2 of users, but %3 hold%4 them.")
                           .arg(quoted(key), format::percent(queued.share.requestedFraction(), 0), holders, plural) +
                       QStringLiteral(" ");
        text += queued.share.waiting()
                    ? tr("Started now, it waits for users and gets them when %1 stop%2.").arg(holders, plural)
                    : tr("Started now, it gets %1 of users (split between %2) and more when %3 stop%4.")
                          .arg(percentOf(queued.share), splitText(*e), holders, plural);
        QStringList choices{queued.share.waiting() ? tr("Start and wait")
                                                   : tr("Start with %1").arg(percentOf(queued.share))};
        const bool canShare = shared.shrunk && shared.shrunkShare && shared.share.served > queued.share.served;
        if (canShare) {
            text += QStringLiteral("\n\n") +
                    tr("Or share the traffic: %1 keeps %2 of users and %3 gets %4. Users who leave %1 stay counted in "
                       "its results so far; those who stay keep their variant.")
                        .arg(quoted(q(*shared.shrunk)), percentOf(*shared.shrunkShare), quoted(key),
                             percentOf(shared.share));
            choices << tr("Share with %1").arg(quoted(q(*shared.shrunk)));
        }
        text += QStringLiteral("\n\n") + apartText + locked;
        const int choice = choose(tr("Start %1?").arg(quoted(key)), text, choices);
        if (choice < 0) return;
        if (choice == 1) mode = experiments::StartMode::Share;
    }
    runChange(
        tr("start"), key, [k = e->key, mode](experiments::ExperimentRegistry& r) { return r.start(k, mode); },
        [this, key](const Experiment&) {
            const auto share = m_listModel->share(key);
            if (share && share->waiting())
                showMessage(
                    tr("%1 is running and waiting for users: all are in %2.").arg(quoted(key), keysText(share->heldBy)),
                    false);
            else
                showMessage(
                    tr("%1 is running: users are being assigned. Results appear as traffic arrives.").arg(quoted(key)),
                    false);
            m_tabs->setCurrentWidget(m_resultsView);
        });
}

void ExperimentsPanel::stopSelected() {
    const std::optional<Experiment> e = selectedExperiment();
    if (!e || m_busy) return;
    const QString key = q(e->key);
    QString readout;
    if (m_results && m_results->key == e->key) {
        std::uint64_t users = 0;
        for (const auto& v : m_results->variants) users += v.counts.users;
        readout = tr(" (%L1 users so far; the verdict now: %2)")
                      .arg(static_cast<qulonglong>(users))
                      .arg(m_resultsView->verdictHeadline());
    }
    // Who gets its users: the experiments waiting for (or short of) them.
    std::vector<Experiment> after = m_listModel->experiments();
    for (auto& x : after) {
        if (x.key == e->key) x.state = ExperimentState::Stopped;
    }
    std::vector<std::string> growing;
    for (const auto& [other, window] : experiments::planTopUps(after)) growing.push_back(other);
    const QString handOver = growing.empty()
                                 ? QString()
                                 : tr("\n\nIts users then go to %1, which asked for more users than %2.")
                                       .arg(keysText(growing), growing.size() == 1 ? tr("it had") : tr("they had"));
    if (!confirm(
            tr("Stop %1?").arg(quoted(key)),
            tr("Users go back to the default experience at once, and the results freeze at their current "
               "figures%1.%2\n\n"
               "To run it again later you restart it with a new salt, which reshuffles users and counts from zero.")
                .arg(readout, handOver),
            tr("Stop experiment")))
        return;
    runChange(
        tr("stop"), key, [k = e->key](experiments::ExperimentRegistry& r) { return r.stop(k); },
        [this, key](const Experiment&) {
            showMessage(tr("%1 is stopped; its results are frozen.").arg(quoted(key)), false);
        });
}

void ExperimentsPanel::restartSelected() {
    const std::optional<Experiment> e = selectedExperiment();
    if (!e || m_busy) return;
    const QString key = q(e->key);
    const auto plan = experiments::planStart(m_listModel->experiments(), *e);
    QString share;
    if (plan.share.waiting())
        share = tr("\n\nIt will wait for users: all are in %1.").arg(keysText(plan.share.heldBy));
    else if (plan.share.served < plan.share.requested)
        share = tr("\n\nIt will get %1 of users, not %2: the rest are in %3.")
                    .arg(format::percent(plan.share.fraction(), 0), format::percent(plan.share.requestedFraction(), 0),
                         keysText(plan.share.heldBy));
    if (!confirm(
            tr("Restart %1 with a new salt?").arg(quoted(key)),
            tr("Every user is reshuffled into %1, and the results start again from zero: the current run's figures "
               "are no longer shown.%2\n\nUse it to run a stopped experiment again, or after a sample-ratio mismatch "
               "has been fixed.")
                .arg(splitText(*e), share),
            tr("Restart with new salt")))
        return;
    runChange(
        tr("restart"), key, [k = e->key](experiments::ExperimentRegistry& r) { return r.restart(k); },
        [this, key](const Experiment& record) {
            m_history.erase(record.key);
            showMessage(tr("%1 restarted with salt %2; counting from zero.").arg(quoted(key), q(record.salt)), false);
        });
}

void ExperimentsPanel::deleteSelected() {
    const std::optional<Experiment> e = selectedExperiment();
    if (!e || m_busy) return;
    const QString key = q(e->key);
    if (!confirm(tr("Delete %1?").arg(quoted(key)),
                 tr("The draft %1 has never run, so no results are lost, but its definition cannot be recovered.")
                     .arg(quoted(key)),
                 tr("Delete draft")))
        return;
    runChange(
        tr("delete"), key,
        [k = e->key](experiments::ExperimentRegistry& r) -> Result<Experiment> {
            auto status = r.remove(k);
            if (!status) return status.error();
            Experiment removed;
            removed.key = k;
            return removed;
        },
        [this, key](const Experiment&) {
            m_selected.clear();
            m_editor->clear();
            reloadList();
            if (!m_listModel->experiments().empty())
                selectExperiment(q(m_listModel->experiments().front().key));
            else
                showSelected(QString());
            showMessage(tr("%1 deleted.").arg(quoted(key)), false);
        });
}

void ExperimentsPanel::onSave(const Experiment& definition, bool create) {
    if (m_busy) return;
    const QString key = q(definition.key);
    runChange(
        create ? tr("create") : tr("save"), key,
        [definition, create](experiments::ExperimentRegistry& r) {
            return create ? r.create(definition) : r.update(definition);
        },
        [this, key, create](const Experiment& record) {
            m_editor->markSaved(record);
            reloadList();
            if (create) selectExperiment(key);
            showMessage(create ? tr("Draft %1 created. Press Start when it is ready.").arg(quoted(key))
                               : tr("%1 saved.").arg(quoted(key)),
                        false);
        });
}

void ExperimentsPanel::runChange(const QString& action, const QString& key, Change change,
                                 std::function<void(const Experiment&)> onSuccess) {
    std::shared_ptr<serving::Engine> engine = m_host.sharedEngine();
    if (!engine || m_busy) return;
    m_busy = true;
    updateActions();
    // Registry changes write SQLite and the store (possibly Redis): never on the GUI thread.
    runAsync(
        this, [engine, change = std::move(change)]() { return change(engine->experiments()); },
        [this, action, key, onSuccess = std::move(onSuccess)](Result<Experiment> result) {
            m_busy = false;
            if (!result) {
                const QString reason = q(result.errorMessage());
                showMessage(tr("Could not %1 %2: %3").arg(action, quoted(key), reason), true);
                if (action == tr("create") || action == tr("save")) m_editor->showError(reason);
                updateActions();
                emit actionFinished(action, key, false, reason);
                return;
            }
            hideMessage();
            reloadList();
            if (onSuccess) onSuccess(*result);
            if (const std::optional<Experiment> e = selectedExperiment(); e && q(e->key) == key)
                m_editor->storedChanged(*e);
            updateHeader();
            updateActions();
            refreshResults();
            emit actionFinished(action, key, true, QString());
        });
}

// --- exports ---------------------------------------------------------------------------

bool ExperimentsPanel::exportResults(const QString& requested) {
    if (!m_results) {
        showMessage(tr("There are no results to export yet."), true);
        return false;
    }
    const ExperimentResults results = *m_results;  // a copy: the file dialog runs an event loop
    QString path = requested;
    if (path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Export results"), q(results.key) + QStringLiteral("-results.csv"),
                                            tr("CSV file (*.csv)"));
        if (path.isEmpty()) return false;
    }
    QString error;
    if (!writeTextFile(path, resultsCsv(results), &error)) {
        showMessage(tr("Could not write %1: %2").arg(path, error), true);
        return false;
    }
    showMessage(tr("Results written to %1.").arg(path), false);
    return true;
}

bool ExperimentsPanel::exportDefinition(const QString& requested) {
    if (!m_editor->hasDefinition()) return false;
    const Experiment e = m_editor->definition();  // a copy: the file dialog runs an event loop
    QString path = requested;
    if (path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Export definition"), q(e.key) + QStringLiteral(".json"),
                                            tr("JSON file (*.json)"));
        if (path.isEmpty()) return false;
    }
    QString error;
    if (!writeTextFile(path, definitionJson(e), &error)) {
        showMessage(tr("Could not write %1: %2").arg(path, error), true);
        return false;
    }
    showMessage(tr("Definition written to %1%2.")
                    .arg(path, m_editor->isDirty() ? tr(" (with your unsaved changes)") : QString()),
                false);
    return true;
}

}  // namespace recdeck::ui

#pragma once
// ExperimentRegistry: the experiments of a deployment, their lifecycle, their persistence
// and the assignment of users to variants.
//
// Lifecycle (every other move is refused with a reason the console shows verbatim):
//     create            -> draft
//     update            draft: anything but the key; running / stopped: description,
//                       metrics and plan only (not the allocation, not what a variant serves)
//     remove            draft only
//     start             draft -> running, holding a window of the traffic that no running
//                       experiment it conflicts with holds (assignment.h "Windows"): what
//                       is free, or nothing (it then waits for users), or in Share mode
//                       half of a conflicting experiment's window
//     stop              running -> stopped; running experiments short of their coverage
//                       grow into the traffic it frees
//     freeze            stopped: keeps the run's final readout (once per run)
//     restart           running or stopped -> running with a new salt and startedAt, and
//                       optionally a revised definition: the only way to change the
//                       allocation of an experiment that has run. Results start afresh.
//
// Persistence. Every change is written to the SQLite file given at open (WAL; table
// `experiments` holds the current records, `experiment_changes` an audit trail of every
// change), and to the key-value store: one hash per experiment at keyOf({"exp", key}), the
// set of keys at keyOf({"exp-index"}), and a message on the channel "exp-changes" so every
// registry sharing the store reloads the experiment within a moment and assigns the same
// variants. The store is the shared truth: a change is applied only once both writes
// succeeded (SQLite in a transaction rolled back when the store write fails), and a
// registry reloads from the store on every message, on a pub/sub gap and every
// resyncInterval. At open it loads from the store when the store holds experiments
// (Redis: another instance made them), else from SQLite, and writes them to the store.
//
// Starting reads every experiment fresh from the store, places the window, writes, then
// reads again: if another instance took an overlapping window of a conflicting experiment
// meanwhile, the start is undone and refused ("retry"). (Even if both were kept,
// assignment gives shared buckets to the earlier experiment only.) The top-ups after a
// stop, at open and on every resync are deterministic, so instances doing them at once
// write the same windows. (Concurrent edits of one experiment on two instances: last
// writer wins.)
//
// Assignment (assignment.h) reads an immutable AssignmentTable swapped on every change:
// assign() holds a lock only to copy the table's shared_ptr, and allocates only the
// result's strings (none when they fit the small-string buffer).
//
// Thompson mode: every banditInterval a maintenance thread asks the bandit source (the
// ExperimentTracker registers itself) for the per-variant (users, successes) of the
// primary metric (click_rate for a ctr primary), computes Thompson weights with the
// configured floor per arm (bandit.h thompsonAllocation) and stores them like any change.
// A registry skips the recomputation when the store already holds weights newer than the
// interval (another instance computed them), so instances agree; each instance computes
// from the results it has itself seen.
//
// Thread safety: every method may be called from any thread. Changes are serialised;
// listeners run after a change is applied, outside the registry's locks, on the thread
// that made the change or on the store's delivery thread (changes made elsewhere).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/experiments/assignment.h"
#include "recdeck/experiments/experiment.h"
#include "recdeck/experiments/statistics.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::experiments {

struct RegistryOptions {
    std::filesystem::path sqlitePath;             // created with its folder if missing
    std::shared_ptr<store::KeyValueStore> store;  // shared state; null = SQLite only
    // Thompson recomputation period; 0 = only when refreshBandits() is called.
    std::chrono::milliseconds banditInterval{60'000};
    double banditFloor = 0.05;  // minimum traffic share per arm, in [0, 1/arms]
    // Full reload from the store (safety net for lost pub/sub messages); 0 = never.
    std::chrono::milliseconds resyncInterval{30'000};
    // Milliseconds since the Unix epoch; the system clock when empty (tests inject one).
    std::function<std::int64_t()> clock;
};

enum class ChangeKind { Created, Updated, Started, Stopped, Restarted, Removed, BanditUpdated, Reloaded };
std::string_view changeKindName(ChangeKind kind);

struct ExperimentChange {
    std::string key;
    ChangeKind kind = ChangeKind::Updated;
    bool remote = false;  // made by another registry sharing the store
};

// Per-variant (users, successes) of the primary metric, or nullopt when unknown.
using BanditSource = std::function<std::optional<std::vector<ArmCounts>>(const Experiment&)>;

class ExperimentRegistry {
public:
    using ChangeListener = std::function<void(const ExperimentChange&)>;

    // Opens the SQLite file, loads the experiments (see Persistence) and subscribes to the
    // store's change channel. Fails when the file cannot be opened or the store cannot be
    // read.
    static Result<std::unique_ptr<ExperimentRegistry>> open(RegistryOptions options);
    ~ExperimentRegistry();
    ExperimentRegistry(const ExperimentRegistry&) = delete;
    ExperimentRegistry& operator=(const ExperimentRegistry&) = delete;

    // --- changes (each returns the stored record, or why it was refused) ---
    Result<Experiment> create(Experiment definition);
    Result<Experiment> update(Experiment definition);
    Status remove(std::string_view key);
    Result<Experiment> start(std::string_view key, StartMode mode = StartMode::Queue);
    Result<Experiment> stop(std::string_view key);
    // A new salt (revised->salt when non-empty and different from the current one, else
    // generated), startedAt = now, stoppedAt = 0, a fresh layer range, no bandit weights.
    Result<Experiment> restart(std::string_view key, std::optional<Experiment> revised = std::nullopt);
    // Keeps the readout of the stopped run that started at startedAtMs
    // (Experiment::frozenResults). The first freeze of a run wins; later ones return the
    // record unchanged. Conflict when the experiment is not that stopped run.
    Result<Experiment> freeze(std::string_view key, std::int64_t startedAtMs, std::string readout);

    // --- reading ---
    std::optional<Experiment> get(std::string_view key) const;
    std::vector<Experiment> list() const;     // by key
    std::vector<Experiment> running() const;  // in assignment order (startedAt, key)

    // --- assignment (hot path) ---
    std::optional<Assignment> assign(std::string_view userId) const;
    std::vector<Assignment> assignAll(std::string_view userId) const;
    std::shared_ptr<const AssignmentTable> table() const;

    // --- listeners ---
    // Local changes are reported one by one, on the thread that made them. Changes made
    // by another instance are reported from the subscription thread once the record read
    // back differs from the local copy, so several quick changes to one experiment may
    // arrive as one (with the kind of the first message and the newest record). A
    // notification already under way may still run after removeListener returns: capture
    // weak references.
    int addListener(ChangeListener listener);
    void removeListener(int handle);

    // --- maintenance ---
    // Reloads every experiment from the store (no-op without a store).
    Status reload();
    // Recomputes the Thompson weights of running Thompson experiments now (subject to the
    // "newer weights in the store" rule unless force).
    Status refreshBandits(bool force = false);
    void setBanditSource(BanditSource source);

    const RegistryOptions& options() const;

private:
    struct Impl;
    explicit ExperimentRegistry(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::experiments

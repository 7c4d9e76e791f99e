#pragma once
// ExperimentTracker: attributes committed events to experiment variants and keeps the
// per-variant counts, the cumulative primary metric over time and the peeking-safe
// monitors that results() reads. It is a deterministic fold over an ordered event
// sequence: fed the same events in the same order — one instance's log, or the fleet's
// stream (fleet/fleet_readout.h) — every tracker holds the same counts and readouts.
//
// What counts, for an experiment's current run (from its startedAt; a restart starts a
// new run and drops the old counts):
//   - an impression the service itself served (Event::served) that names the experiment
//     and one of its variants, timestamped inside the run, makes its user a user of that
//     variant (distinct users), adds one list and its items (Event::items, or itemId when
//     items is empty). Impressions a client posts are ignored, whatever they name;
//   - a click, add_to_cart or purchase timestamped inside the run counts for a variant
//     when it follows a served impression of that same item to that same user in that
//     variant by at most the attribution window (default 30 min; not before it). The most
//     recent such impression wins. The event's own experiment/variant fields are not
//     trusted. A conversion is add_to_cart or purchase. Ratings are ignored;
//   - an outcome that arrives before its impression (another instance published the
//     impression later) waits, for at most lateImpressionWait of event time (the newest
//     timestamp seen), and is attributed when the impression arrives.
// A stopped run counts only events timestamped up to its stop, so its readout stops
// moving; once frozen (Experiment::frozenResults, written by freezeSnapshot()'s caller)
// it is read from the frozen snapshot and ignores events entirely, whatever the backend.
// Users are identified by a 64-bit hash of their id (assignment.h's H over the id):
// distinct counts may merge two users with probability ~ n^2 / 2^65 (< 1e-7 at a million).
//
// Metric over time: one point per minute of event time with the cumulative primary metric
// of every variant. At most maxSeriesPoints points: beyond that every other point is
// dropped and the step doubles, so the chart always spans the whole run.
//
// Peeking-safe looks: at every minute boundary of event time, once both arms have >= 100
// users and >= 10 successes, the mSPRT monitor of each treatment's primary metric
// (sequential.h) takes a look. results() shows one more look at the current counts
// without keeping it, so reading never changes the state (instances reading at different
// times agree). Changing the primary metric of a running experiment restarts its monitors.
//
// Events are applied once per source: an event with an id (> 0) at or below the highest
// id applied so far from the same instance is skipped, so the log listener and rebuild()
// can overlap and a stream suffix sent twice counts once. Events without an id (0) are
// always applied.
//
// Memory: per run, per distinct user one small record per variant they saw (~50 bytes);
// per user, their served impressions of the last attribution window (items as 64-bit
// hashes, at most maxImpressionsPerUser), swept as time passes; waiting outcomes, at most
// maxPendingOutcomes. checkpoint() writes all of it (binary) and restore() reads it back.
//
// Wiring: the constructor registers a change listener on the registry (to follow starts,
// restarts, stops and removals) and makes itself the registry's bandit source; the
// destructor undoes both. The registry must outlive the tracker.
//
// Thread safety: every method may be called from any thread; one mutex guards the state,
// so onEvents() calls are serialised (they are quick: hash lookups per event).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/experiments/experiment_registry.h"
#include "recdeck/experiments/experiment_results.h"
#include "recdeck/store/event.h"
#include "recdeck/store/event_log.h"

namespace recdeck::experiments {

struct TrackerOptions {
    std::chrono::milliseconds attributionWindow{30 * 60 * 1000};
    std::size_t maxSeriesPoints = 1440;      // >= 4
    std::size_t maxImpressionsPerUser = 16;  // remembered for matching, >= 1
    std::chrono::milliseconds lateImpressionWait{10'000};
    std::size_t maxPendingOutcomes = 100'000;  // the oldest are dropped beyond this
    // Milliseconds since the Unix epoch, for the days estimate of results(); the system
    // clock when empty.
    std::function<std::int64_t()> clock;
};

// An event and the instance whose log committed it (0: this process's own log).
struct SourcedEvent {
    std::uint64_t instance = 0;
    const store::Event* event = nullptr;
};

// One point of the metric-over-time chart.
struct SeriesPoint {
    std::int64_t atMs = 0;             // start of the minute (or of the wider step)
    std::vector<double> values;        // cumulative primary metric per variant at the end of it
    std::vector<std::uint64_t> users;  // cumulative users per variant
};

struct TrackerStats {
    std::uint64_t events = 0;        // events applied
    std::uint64_t impressions = 0;   // impressions counted for a variant
    std::uint64_t attributed = 0;    // clicks and conversions counted for a variant
    std::uint64_t unattributed = 0;  // clicks and conversions with no matching impression (yet)
    std::uint64_t late = 0;          // of the attributed: matched when their impression arrived later
    std::uint64_t ignored = 0;       // unknown experiment or variant, outside the run, not served
    std::uint64_t duplicates = 0;    // skipped by id
    std::size_t pending = 0;         // outcomes waiting for their impression now
    std::int64_t lastEventId = 0;    // highest id applied from instance 0 (this process's log)
};

class ExperimentTracker {
public:
    explicit ExperimentTracker(ExperimentRegistry& registry, TrackerOptions options = {});
    ~ExperimentTracker();
    ExperimentTracker(const ExperimentTracker&) = delete;
    ExperimentTracker& operator=(const ExperimentTracker&) = delete;

    // Committed events of this process's log (instance 0), oldest first.
    void onEvents(std::span<const store::Event> events);
    // Events of several instances, in the order of the fleet's stream.
    void onEvents(std::span<const SourcedEvent> events);

    // Replays the log from the earliest start of the experiments that have run (pages of
    // EventLog::readAfter), replacing the counts, so results survive a restart. Live
    // events arriving meanwhile are not lost or counted twice (ids). Cancellable.
    Status rebuild(const store::EventLog& log, const TaskControl& control = {});

    // The readout (experiment_results.h), with a peeking-safe look at the current counts
    // that is not kept. Fails (NotFound) for an unknown key.
    Result<ExperimentResults> results(std::string_view key);
    // Counts per variant of the current run; nullopt for an unknown key or a draft.
    std::optional<std::vector<VariantCounts>> counts(std::string_view key) const;
    // The metric-over-time chart of the current run (empty if unknown).
    std::vector<SeriesPoint> series(std::string_view key) const;
    TrackerStats stats() const;

    // The whole state, binary (checkpoints of the fleet readout), and back. restore()
    // replaces the state, then follows the registry's current definitions (runs that
    // ended or restarted meanwhile are dropped). Fails (Invalid) on a corrupt checkpoint,
    // leaving the state unchanged.
    std::string checkpoint() const;
    Status restore(std::string_view checkpoint);

    // The readout of a stopped run to keep for good (Experiment::frozenResults): counts,
    // monitors and series, JSON. nullopt unless `key` is stopped, its run is the one
    // tracked, and it is not frozen already.
    std::optional<std::string> freezeSnapshot(std::string_view key) const;

private:
    struct State;
    ExperimentRegistry& m_registry;
    std::shared_ptr<State> m_state;
    int m_listener = 0;
};

}  // namespace recdeck::experiments

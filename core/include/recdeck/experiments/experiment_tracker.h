#pragma once
// ExperimentTracker: attributes committed events to experiment variants and keeps the
// per-variant counts, the cumulative primary metric over time and the peeking-safe
// monitors that results() reads.
//
// What counts, for an experiment's current run (from its startedAt; a restart starts a
// new run and drops the old counts):
//   - an impression event carrying the experiment and one of its variants, with a
//     timestamp inside the run, makes its user a user of that variant (distinct users),
//     adds one list and its items (Event::items, or itemId when items is empty);
//   - a click, add_to_cart or purchase counts for a variant when it follows an impression
//     of that same item to that same user in that variant by at most the attribution
//     window (default 30 min; not before it). When the caller knows the matched impression
//     (the Engine's EventOutcome::attributedTo) it passes it (TrackedEvent); otherwise the
//     tracker searches the impressions it has itself seen (the most recent one that showed
//     the item wins). The event's own experiment/variant fields are not trusted for this.
//     A conversion is add_to_cart or purchase. Ratings are ignored.
// Users are identified by a 64-bit hash of their id (assignment.h's H over the id):
// distinct counts may merge two users with probability ~ n^2 / 2^65 (< 1e-7 at a million).
//
// Metric over time: one point per minute of event time with the cumulative primary metric
// of every variant. At most maxSeriesPoints points: beyond that every other point is
// dropped and the step doubles, so the chart always spans the whole run.
//
// Peeking-safe looks: at every minute boundary of event time and at every results() call,
// once both arms have >= 100 users and >= 10 successes, the mSPRT monitor of each
// treatment's primary metric (sequential.h) takes a look. Changing the primary metric of
// a running experiment restarts its monitors.
//
// Events are applied once: an event with an id (> 0) at or below the highest id applied
// so far is skipped, so the log listener and rebuild() can overlap. Events without an id
// (0) are always applied.
//
// Memory: per run, per distinct user one small record per variant they saw (~50 bytes);
// per user, their impressions of the last attribution window (items as 64-bit hashes,
// at most maxImpressionsPerUser), swept as time passes.
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
    std::size_t maxImpressionsPerUser = 16;  // remembered for self-matching, >= 1
    // Milliseconds since the Unix epoch, for the days estimate of results(); the system
    // clock when empty.
    std::function<std::int64_t()> clock;
};

// The impression a caller matched to a click (the Engine's ImpressionRecord, copied).
struct MatchedImpression {
    std::string requestId;
    std::string experiment;  // "" = the user was in no experiment
    std::string variant;
    std::vector<std::string> items;
    std::int64_t atMs = 0;
};

// An event with the impression the caller matched to it (nullptr: let the tracker match).
struct TrackedEvent {
    const store::Event* event = nullptr;
    const MatchedImpression* impression = nullptr;
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
    std::uint64_t unattributed = 0;  // clicks and conversions with no matching impression
    std::uint64_t ignored = 0;       // unknown experiment or variant, outside the run
    std::uint64_t duplicates = 0;    // skipped by id
    std::int64_t lastEventId = 0;
};

class ExperimentTracker {
public:
    explicit ExperimentTracker(ExperimentRegistry& registry, TrackerOptions options = {});
    ~ExperimentTracker();
    ExperimentTracker(const ExperimentTracker&) = delete;
    ExperimentTracker& operator=(const ExperimentTracker&) = delete;

    // Committed events, oldest first; the tracker matches clicks to impressions itself.
    void onEvents(std::span<const store::Event> events);
    // Committed events with the impressions the caller matched.
    void onEvents(std::span<const TrackedEvent> events);

    // Replays the log from the earliest start of the experiments that have run (pages of
    // EventLog::readAfter), replacing the counts, so results survive a restart. Live
    // events arriving meanwhile are not lost or counted twice (ids). Cancellable.
    Status rebuild(const store::EventLog& log, const TaskControl& control = {});

    // The readout (experiment_results.h); takes a peeking-safe look. Fails for an unknown
    // key.
    Result<ExperimentResults> results(std::string_view key);
    // Counts per variant of the current run; nullopt for an unknown key or a draft.
    std::optional<std::vector<VariantCounts>> counts(std::string_view key) const;
    // The metric-over-time chart of the current run (empty if unknown).
    std::vector<SeriesPoint> series(std::string_view key) const;
    TrackerStats stats() const;

private:
    struct State;
    ExperimentRegistry& m_registry;
    std::shared_ptr<State> m_state;
    int m_listener = 0;
};

}  // namespace recdeck::experiments

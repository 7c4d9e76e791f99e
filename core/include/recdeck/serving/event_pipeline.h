#pragma once
// EventPipeline: where events go after they are accepted, and the experiment readouts
// they feed — one component for the durable log, the fleet stream and the tracker.
//
//   ingest ──► EventLog (SQLite, group commit; bounded queue) ──► acknowledged
//                 │ on commit, on the log's writer thread:
//                 ├─► consequence listeners (the Engine: features, cache, live metrics)
//                 ├─► embedded: the experiment tracker (this process's events only)
//                 └─► fleet: wakes the StreamPublisher, which appends to the fleet stream
//   fleet stream ──► FleetReadout ──► the experiment tracker (every instance's events)
//
// Fleet mode is on when the store is shared (Redis): then every readout — in each
// recdeckd and in the console — is computed over the fleet's stream, identically
// everywhere; in embedded mode the tracker follows this process's log (and is rebuilt
// from it at open).
//
// Freezing: maintain() (once a second) freezes the readout of every stopped run whose
// stop is freezeGrace old, once this process has counted what the fleet appended until
// then, into the experiment record (ExperimentRegistry::freeze), so it never moves again
// in any backend.
//
// Acknowledgement never waits on Redis: the stream is appended after the commit by the
// publisher's own thread, from the log (the outbox).
//
// Thread safety: every method may be called from any thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/experiments/experiment_registry.h"
#include "recdeck/experiments/experiment_tracker.h"
#include "recdeck/fleet/fleet_readout.h"
#include "recdeck/fleet/stream_publisher.h"
#include "recdeck/store/event_log.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::serving {

struct EventPipelineConfig {
    std::filesystem::path logPath;                // events.db
    std::shared_ptr<store::KeyValueStore> store;  // shared (Redis) = fleet mode
    store::EventLogOptions log;
    experiments::TrackerOptions tracker;
    fleet::PublisherOptions publisher;
    fleet::ReadoutOptions readout;
    std::chrono::milliseconds freezeGrace{10'000};
    // How long ingestAndWait() waits for the disk before it gives the events back.
    std::chrono::milliseconds acknowledgeTimeout{5'000};
};

// What /ready and /metrics show about the pipeline.
struct PipelineStats {
    bool fleet = false;
    std::uint64_t instance = 0;
    store::EventLogStats log;
    std::optional<fleet::PublisherStats> publisher;  // fleet mode only
    std::optional<fleet::ReaderStats> reader;
    std::optional<fleet::CheckpointStats> checkpoints;
    experiments::TrackerStats tracker;
};

class EventPipeline {
public:
    // Called on the log's writer thread with each committed batch, before the appenders
    // are acknowledged. Must be quick and must not wait on the network.
    using Listener = std::function<void(std::span<const store::Event>)>;

    // Opens the log, the tracker over `registry` (which must outlive the pipeline) and, in
    // fleet mode, the publisher and the readout. Embedded: rebuilds the tracker from the
    // log (cancellable through control).
    static Result<std::unique_ptr<EventPipeline>> open(EventPipelineConfig config,
                                                       experiments::ExperimentRegistry& registry,
                                                       const TaskControl& control = {});
    ~EventPipeline();
    EventPipeline(const EventPipeline&) = delete;
    EventPipeline& operator=(const EventPipeline&) = delete;

    // Registers the consequences of committed events. Call before ingesting.
    void setListener(Listener listener);
    // Fleet mode: told about every batch read from the fleet stream, after the tracker
    // (fleet-wide live figures). Runs on the reader's thread.
    using StreamObserver = std::function<void(std::span<const fleet::StreamEvent>)>;
    void setStreamObserver(StreamObserver observer);

    // Appends durably; `done` runs once committed (with the last id) or failed, at once
    // when the log's queue is full (Unavailable).
    void ingest(std::vector<store::Event> events, store::EventLog::Done done);
    // ingest and wait, at most config.acknowledgeTimeout for the disk: Unavailable (and
    // nothing written) when it did not take them in time.
    Result<std::int64_t> ingestAndWait(std::vector<store::Event> events);
    // Records an impression the service served (no acknowledgement).
    void record(store::Event event);

    // Freezes the readouts of runs stopped at least freezeGrace ago (see above).
    void maintain();
    // Waits until this instance's events are in the fleet stream and this instance has
    // counted the stream up to its end; at once in embedded mode.
    Status syncFleet(std::chrono::milliseconds timeout);

    experiments::ExperimentTracker& tracker();
    store::EventLog& log();
    bool fleet() const;
    std::uint64_t instance() const;
    PipelineStats stats() const;

private:
    struct Impl;
    explicit EventPipeline(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::serving

#pragma once
// FleetReadout: keeps an experiment tracker fed from the fleet's event stream, so every
// instance on one Redis — each recdeckd and the console — computes its experiment
// readouts over the whole fleet's events, exactly and identically.
//
// At start it restores the tracker from the newest checkpoint in the store (if any) and
// follows the stream from the checkpoint's position (else from the stream's first entry).
// While it runs, one instance at a time (a lease, fleet_keys.h) writes a checkpoint every
// checkpointInterval: the tracker's state and the stream position it covers, so a
// restarted instance — or every instance after the stream was trimmed — rebuilds the same
// counts without the trimmed entries. The checkpoint is one value of about the tracker's
// size (docs/fleet.md: ~50 bytes per user per variant of the running experiments).
//
// Readouts are equal on every instance once their readers reach the same position: a
// reader polls every 25 ms, so within a fraction of a second of the last append.
//
// Thread safety: every method from any thread. The consumer and the checkpoints run on
// the reader's thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "recdeck/common/result.h"
#include "recdeck/experiments/experiment_tracker.h"
#include "recdeck/fleet/stream_reader.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::fleet {

struct ReadoutOptions {
    std::chrono::milliseconds checkpointInterval{30'000};
    std::chrono::milliseconds leaseTtl{90'000};  // > checkpointInterval
    ReaderOptions reader;
};

struct CheckpointStats {
    std::uint64_t written = 0;  // by this instance, since start
    std::uint64_t failures = 0;
    std::string lastError;
    store::StreamId restoredFrom;  // position of the checkpoint restored at start ({0,0}: none)
    std::size_t lastBytes = 0;     // size of the last checkpoint written or restored
};

class FleetReadout {
public:
    // Also told about every batch, after the tracker (fleet figures for the dashboard).
    using Observer = std::function<void(std::span<const StreamEvent>)>;

    // Restores `tracker` from the store's checkpoint and starts following the stream.
    // A corrupt checkpoint is reported in stats and ignored (the stream is replayed).
    static Result<std::unique_ptr<FleetReadout>> start(std::shared_ptr<store::KeyValueStore> store,
                                                       experiments::ExperimentTracker& tracker, std::uint64_t instance,
                                                       ReadoutOptions options = {}, Observer observer = {});
    ~FleetReadout();
    FleetReadout(const FleetReadout&) = delete;
    FleetReadout& operator=(const FleetReadout&) = delete;

    ReaderStats reader() const;
    CheckpointStats checkpoints() const;
    // Waits until every entry in the stream at the time of the call is counted.
    Status catchUp(std::chrono::milliseconds timeout);
    // Writes a checkpoint now, if this instance holds (or takes) the lease.
    Status checkpointNow();

private:
    struct Impl;
    explicit FleetReadout(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::fleet

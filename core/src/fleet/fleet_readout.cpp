#include "recdeck/fleet/fleet_readout.h"

#include <mutex>
#include <vector>

#include "recdeck/fleet/fleet_keys.h"

namespace recdeck::fleet {

namespace {

using Clock = std::chrono::steady_clock;

// A checkpoint value: "<stream id>\n" then the tracker's state.
std::string encodeCheckpoint(store::StreamId position, const std::string& state) {
    return position.text() + "\n" + state;
}

}  // namespace

struct FleetReadout::Impl {
    std::shared_ptr<store::KeyValueStore> store;
    experiments::ExperimentTracker& tracker;
    std::uint64_t instance;
    ReadoutOptions options;
    Observer observer;

    mutable std::mutex mutex;  // guards checkpointStats
    CheckpointStats checkpointStats;
    Clock::time_point lastCheckpoint = Clock::now();
    store::StreamId position;  // reader thread only (and before it starts)
    std::unique_ptr<StreamReader> reader;

    Impl(std::shared_ptr<store::KeyValueStore> s, experiments::ExperimentTracker& t, std::uint64_t i, ReadoutOptions o,
         Observer obs)
        : store(std::move(s)), tracker(t), instance(i), options(o), observer(std::move(obs)) {}

    void restore() {
        auto value = store->get(kCheckpointKey);
        if (!value || !value->has_value()) {
            if (!value) record(value.errorMessage());
            return;
        }
        const std::string& text = **value;
        const auto newline = text.find('\n');
        const auto id = newline == std::string::npos ? std::nullopt : store::StreamId::parse(text.substr(0, newline));
        if (!id) {
            record("the readout checkpoint is damaged; replaying the stream");
            return;
        }
        if (auto restored = tracker.restore(std::string_view(text).substr(newline + 1)); !restored) {
            record(restored.errorMessage() + "; replaying the stream");
            return;
        }
        position = *id;
        std::lock_guard lock(mutex);
        checkpointStats.restoredFrom = *id;
        checkpointStats.lastBytes = text.size();
    }

    void record(const std::string& error) {
        std::lock_guard lock(mutex);
        ++checkpointStats.failures;
        checkpointStats.lastError = error;
    }

    bool holdLease() {
        const std::string me = instanceText(instance);
        auto taken = store->setIfAbsent(kCheckpointLeaseKey, me, options.leaseTtl);
        if (!taken) return false;
        if (*taken) return true;
        auto holder = store->get(kCheckpointLeaseKey);
        if (!holder || !holder->has_value() || **holder != me) return false;
        return store->set(kCheckpointLeaseKey, me, options.leaseTtl).ok();
    }

    Status writeCheckpoint(store::StreamId at) {
        if (!holdLease()) return {};
        const std::string value = encodeCheckpoint(at, tracker.checkpoint());
        if (auto s = store->set(kCheckpointKey, value); !s) {
            record(s.errorMessage());
            return s;
        }
        std::lock_guard lock(mutex);
        ++checkpointStats.written;
        checkpointStats.lastBytes = value.size();
        return {};
    }

    void consume(std::span<const StreamEvent> events, store::StreamId at) {
        std::vector<experiments::SourcedEvent> sourced;
        sourced.reserve(events.size());
        for (const auto& e : events) sourced.push_back({e.instance, &e.event});
        tracker.onEvents(sourced);
        if (observer) observer(events);
        position = at;
        if (Clock::now() - lastCheckpoint >= options.checkpointInterval) {
            lastCheckpoint = Clock::now();
            (void)writeCheckpoint(at);
        }
    }
};

FleetReadout::FleetReadout(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

FleetReadout::~FleetReadout() {
    if (m_impl) m_impl->reader.reset();  // joins the thread before the rest goes
}

Result<std::unique_ptr<FleetReadout>> FleetReadout::start(std::shared_ptr<store::KeyValueStore> store,
                                                          experiments::ExperimentTracker& tracker,
                                                          std::uint64_t instance, ReadoutOptions options,
                                                          Observer observer) {
    if (!store) return Error::invalid("the fleet readout needs a store");
    auto impl = std::make_unique<Impl>(std::move(store), tracker, instance, options, std::move(observer));
    impl->restore();
    Impl* raw = impl.get();
    impl->reader = std::make_unique<StreamReader>(
        impl->store, std::string(kEventStreamKey), impl->position,
        [raw](std::span<const StreamEvent> events, store::StreamId at) { raw->consume(events, at); }, options.reader);
    return std::unique_ptr<FleetReadout>(new FleetReadout(std::move(impl)));
}

ReaderStats FleetReadout::reader() const {
    return m_impl->reader->stats();
}

CheckpointStats FleetReadout::checkpoints() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->checkpointStats;
}

Status FleetReadout::catchUp(std::chrono::milliseconds timeout) {
    return m_impl->reader->catchUp(timeout);
}

Status FleetReadout::checkpointNow() {
    // The position must match the tracker's state: read both on the reader's terms.
    const auto stats = m_impl->reader->stats();
    return m_impl->writeCheckpoint(stats.position);
}

}  // namespace recdeck::fleet

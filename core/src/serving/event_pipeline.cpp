#include "recdeck/serving/event_pipeline.h"

#include <mutex>

#include "recdeck/fleet/fleet_keys.h"

namespace recdeck::serving {

namespace {

std::int64_t wallMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

struct EventPipeline::Impl {
    EventPipelineConfig config;
    experiments::ExperimentRegistry& registry;
    std::unique_ptr<store::EventLog> log;
    std::uint64_t instance = 0;
    bool fleet = false;
    std::unique_ptr<experiments::ExperimentTracker> tracker;
    std::unique_ptr<fleet::StreamPublisher> publisher;
    std::unique_ptr<fleet::FleetReadout> readout;
    int logListener = 0;

    std::mutex listenerMutex;
    std::shared_ptr<const Listener> listener;
    std::shared_ptr<const StreamObserver> streamObserver;

    void onStream(std::span<const fleet::StreamEvent> events) {
        std::shared_ptr<const StreamObserver> current;
        {
            std::lock_guard lock(listenerMutex);
            current = streamObserver;
        }
        if (current && *current) (*current)(events);
    }

    Impl(EventPipelineConfig c, experiments::ExperimentRegistry& r) : config(std::move(c)), registry(r) {}

    ~Impl() {
        // Order: stop reading the stream, stop feeding from the log, then close the log
        // (which commits what is queued) and the publisher (which saves its cursor).
        readout.reset();
        if (log && logListener != 0) log->removeListener(logListener);
        publisher.reset();
        log.reset();
    }

    void onCommitted(std::span<const store::Event> events) {
        std::shared_ptr<const Listener> current;
        {
            std::lock_guard lock(listenerMutex);
            current = listener;
        }
        if (current && *current) (*current)(events);
        if (fleet) {
            if (publisher) publisher->committed(events);
        } else if (tracker) {
            tracker->onEvents(events);
        }
    }

    // Whether this process has counted everything appended to the stream until `untilMs`.
    bool countedUntil(std::int64_t untilMs) const {
        if (!fleet) return true;
        if (publisher && publisher->stats().lagEvents() > 0) return false;
        if (!readout) return false;
        const auto reader = readout->reader();
        return !reader.failing && static_cast<std::int64_t>(reader.position.ms) >= untilMs - 1'000 &&
               reader.lagMs() < 1'000;
    }
};

EventPipeline::EventPipeline(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
EventPipeline::~EventPipeline() = default;

Result<std::unique_ptr<EventPipeline>> EventPipeline::open(EventPipelineConfig config,
                                                           experiments::ExperimentRegistry& registry,
                                                           const TaskControl& control) {
    auto impl = std::make_unique<Impl>(std::move(config), registry);
    Impl& p = *impl;
    auto log = store::EventLog::open(p.config.logPath, p.config.log);
    if (!log) return log.error();
    p.log = std::move(*log);
    auto instance = fleet::instanceIdOf(*p.log);
    if (!instance) return instance.error();
    p.instance = *instance;
    p.fleet = p.config.store && p.config.store->describe() != "embedded";

    p.tracker = std::make_unique<experiments::ExperimentTracker>(registry, p.config.tracker);
    if (p.fleet) {
        p.publisher = std::make_unique<fleet::StreamPublisher>(*p.log, p.config.store, p.instance, p.config.publisher);
        Impl* self = impl.get();
        auto readout =
            fleet::FleetReadout::start(p.config.store, *p.tracker, p.instance, p.config.readout,
                                       [self](std::span<const fleet::StreamEvent> events) { self->onStream(events); });
        if (!readout) return readout.error();
        p.readout = std::move(*readout);
    } else if (auto rebuilt = p.tracker->rebuild(*p.log, control); !rebuilt) {
        return rebuilt.error();
    }
    Impl* raw = impl.get();
    p.logListener = p.log->addListener([raw](std::span<const store::Event> events) { raw->onCommitted(events); });
    return std::unique_ptr<EventPipeline>(new EventPipeline(std::move(impl)));
}

void EventPipeline::setListener(Listener listener) {
    auto shared = std::make_shared<const Listener>(std::move(listener));
    std::lock_guard lock(m_impl->listenerMutex);
    m_impl->listener = std::move(shared);
}

void EventPipeline::setStreamObserver(StreamObserver observer) {
    auto shared = std::make_shared<const StreamObserver>(std::move(observer));
    std::lock_guard lock(m_impl->listenerMutex);
    m_impl->streamObserver = std::move(shared);
}

void EventPipeline::ingest(std::vector<store::Event> events, store::EventLog::Done done) {
    m_impl->log->appendAsync(std::move(events), std::move(done));
}

Result<std::int64_t> EventPipeline::ingestAndWait(std::vector<store::Event> events) {
    return m_impl->log->append(std::move(events), m_impl->config.acknowledgeTimeout);
}

void EventPipeline::record(store::Event event) {
    m_impl->log->appendAsync({std::move(event)});
}

void EventPipeline::maintain() {
    const std::int64_t now = wallMillis();
    const std::int64_t grace = m_impl->config.freezeGrace.count();
    for (const auto& e : m_impl->registry.list()) {
        if (e.state != experiments::ExperimentState::Stopped || !e.frozenResults.empty()) continue;
        if (now - e.stoppedAtMs < grace || !m_impl->countedUntil(e.stoppedAtMs + grace)) continue;
        if (auto snapshot = m_impl->tracker->freezeSnapshot(e.key))
            (void)m_impl->registry.freeze(e.key, e.startedAtMs, std::move(*snapshot));
    }
}

Status EventPipeline::syncFleet(std::chrono::milliseconds timeout) {
    if (!m_impl->fleet) return {};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (auto s = m_impl->publisher->flush(timeout); !s) return s;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return m_impl->readout->catchUp(std::max(left, std::chrono::milliseconds(1)));
}

experiments::ExperimentTracker& EventPipeline::tracker() {
    return *m_impl->tracker;
}
store::EventLog& EventPipeline::log() {
    return *m_impl->log;
}
bool EventPipeline::fleet() const {
    return m_impl->fleet;
}
std::uint64_t EventPipeline::instance() const {
    return m_impl->instance;
}

PipelineStats EventPipeline::stats() const {
    PipelineStats out;
    out.fleet = m_impl->fleet;
    out.instance = m_impl->instance;
    out.log = m_impl->log->stats();
    if (m_impl->publisher) out.publisher = m_impl->publisher->stats();
    if (m_impl->readout) {
        out.reader = m_impl->readout->reader();
        out.checkpoints = m_impl->readout->checkpoints();
    }
    out.tracker = m_impl->tracker->stats();
    return out;
}

}  // namespace recdeck::serving

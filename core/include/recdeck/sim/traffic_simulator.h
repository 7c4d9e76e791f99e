#pragma once
// TrafficSimulator: realistic user traffic against a Target. Each request is one visit:
// a user (UserPopulation) asks for a list of n items, looks at it, and clicks each item
// with the ground truth's click probability at its position; a clicked item is bought
// with the truth's purchase probability. A purchase is preceded by an add_to_cart, and
// some carts are abandoned (cartAbandonment: P(add_to_cart | click) = P(purchase | click)
// / (1 - cartAbandonment), capped at 1). Impressions are recorded by the service itself;
// the simulator sends click, add_to_cart and purchase events carrying the request id,
// experiment, variant and model of the list, in batches, with no timestamp (the service
// stamps them on arrival, after the impression, so attribution holds across clocks).
//
// Two ways to run:
//   - runBlocking(count): `count` requests on the calling thread, as fast as the target
//     answers, events sent every `eventBatch` events and at the end. Reproducible: the
//     same seed against the same deterministic target gives the same users, clicks and
//     events in the same order.
//   - start() / setRate() / stop(): `threads` workers in the background, paced to `rate`
//     requests per second. Request k is due at anchor + k / rate (absolute times, so no
//     drift); a worker waits for the next due slot, so there are no bursts. When the run
//     falls more than maxLag behind (the target is too slow, or the machine stalled), the
//     schedule restarts from now instead of catching up (counted in behindSchedule) —
//     the achieved rate then shows the shortfall. rate 0 pauses; kUnlimited runs flat out.
//     Events also leave when the oldest pending one has waited flushInterval.
// In both, request k's user and draws come from its own stream requestStream(seed, k):
// which user makes request k never depends on thread timing.
//
// Statistics: snapshot() at any time, from any thread (a consistent copy under a lock).
// CTR = clicks / items shown; conversion = purchases / clicks.
//
// Stopping: stop() wakes waiting workers at once, interrupts calls in flight through the
// target's stop token, joins the workers and sends the events still pending. With an
// answering target it returns within a few milliseconds plus that last send.
//
// Thread safety: every method may be called from any thread; start/stop/runBlocking are
// serialised (runBlocking refuses while the background run is active). The target and
// the truth must outlive the simulator.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/metrics/latency_histogram.h"
#include "recdeck/sim/ground_truth.h"
#include "recdeck/sim/target.h"
#include "recdeck/sim/user_population.h"

namespace recdeck::sim {

inline constexpr double kUnlimited = std::numeric_limits<double>::infinity();

struct SimulatorConfig {
    double rate = 10.0;           // requests per second (>= 0; 0 = paused; kUnlimited)
    std::size_t listLength = 10;  // n of every request, 1 .. serving::kMaxListLength
    std::uint64_t seed = 1;
    UserMix users;
    std::size_t threads = 2;                       // background workers, 1 .. 64
    std::size_t eventBatch = 64;                   // events per send, 1 .. 1000
    std::chrono::milliseconds flushInterval{250};  // background runs: oldest pending event's wait
    std::chrono::milliseconds maxLag{250};         // behind schedule by more: restart it from now
    double cartAbandonment = 1.0 / 3.0;            // [0, 1)
    std::uint64_t maxRequests = 0;                 // background runs end after this many requests (0 = no limit)
};

// Per list source: "experiment:variant" when the answer named a variant, else "model:<name>".
struct ArmStats {
    std::uint64_t requests = 0;
    std::uint64_t impressions = 0;  // items shown
    std::uint64_t clicks = 0;
    std::uint64_t addToCarts = 0;
    std::uint64_t purchases = 0;
    double ctr() const { return impressions ? static_cast<double>(clicks) / static_cast<double>(impressions) : 0.0; }
    double conversion() const { return clicks ? static_cast<double>(purchases) / static_cast<double>(clicks) : 0.0; }
};

struct SimulatorStats {
    std::uint64_t requests = 0;                         // answered
    std::uint64_t errors = 0;                           // failed requests (cancelled ones at stop excluded)
    std::map<std::string, std::uint64_t> errorsByKind;  // errorKindOf, requests and event sends
    std::string lastError;                              // the most recent error message
    std::uint64_t impressions = 0;
    std::uint64_t clicks = 0;
    std::uint64_t addToCarts = 0;
    std::uint64_t purchases = 0;
    std::uint64_t cachedAnswers = 0;
    std::uint64_t newcomerRequests = 0;  // first visits of brand-new users
    std::uint64_t coldStartAnswers = 0;  // answers the service marked cold start
    std::uint64_t eventsSent = 0;        // acknowledged by the target
    std::uint64_t eventsFailed = 0;      // in batches the target refused or never answered
    std::uint64_t eventsPending = 0;     // waiting for the next send
    std::uint64_t behindSchedule = 0;    // times the pacing restarted because it fell behind
    double targetRate = 0.0;             // the rate in force (kUnlimited when flat out)
    double elapsedSeconds = 0.0;         // running time, pauses excluded
    double achievedRate = 0.0;           // (requests + errors) / elapsedSeconds
    double recentRate = 0.0;             // requests + errors per second over the last 5 s
    double latencyP50Us = 0.0;           // round-trip latency of answered requests
    double latencyP99Us = 0.0;
    bool running = false;  // background workers active
    std::map<std::string, ArmStats> arms;

    double ctr() const { return impressions ? static_cast<double>(clicks) / static_cast<double>(impressions) : 0.0; }
    double conversion() const { return clicks ? static_cast<double>(purchases) / static_cast<double>(clicks) : 0.0; }
};

class TrafficSimulator {
public:
    // Checks the config (Error naming the field). The target and truth must outlive it.
    static Result<std::unique_ptr<TrafficSimulator>> create(Target& target, const GroundTruth& truth,
                                                            SimulatorConfig config);
    ~TrafficSimulator();  // stop()s
    TrafficSimulator(const TrafficSimulator&) = delete;
    TrafficSimulator& operator=(const TrafficSimulator&) = delete;

    // Background run: starts the workers (no-op when running). Requests continue the
    // run's request numbering.
    void start();
    // Stops the workers and sends pending events; safe to call repeatedly.
    void stop();
    // Changes the pace at run time (>= 0, or kUnlimited). Takes effect at once: a worker
    // waiting for the next slot re-plans it, and a rate change never releases a burst.
    void setRate(double requestsPerSecond);
    double rate() const;
    bool running() const;
    // Blocks until a background run with maxRequests has made them all (true) or the
    // timeout passed (false). Returns true at once when not running.
    bool waitFinished(std::chrono::milliseconds timeout);

    // `count` requests on this thread, unpaced (see above). Error when a background run is
    // active or `control` is cancelled (requests made so far still count and their events
    // are sent).
    Status runBlocking(std::uint64_t count, const TaskControl& control = {});

    SimulatorStats snapshot() const;
    const SimulatorConfig& config() const { return m_config; }
    const UserPopulation& population() const { return m_population; }

private:
    TrafficSimulator(Target& target, const GroundTruth& truth, SimulatorConfig config);

    enum class Claim { Slot, Idle, Done };
    Claim claimSlot(std::stop_token stop, std::uint64_t& slot);
    void workerLoop(std::stop_token stop);
    void visit(std::uint64_t slot, std::stop_token stop);
    void queueEvents(std::vector<store::Event> events, bool byAge, std::stop_token stop);
    void flush(std::stop_token stop);
    void sendBatches(std::vector<store::Event> events, std::stop_token stop);
    void countError(const Error& error, bool request);
    void markActive(bool active);  // pause bookkeeping; call with m_statsMutex held
    double elapsedSecondsLocked(std::chrono::steady_clock::time_point now) const;

    Target& m_target;
    const GroundTruth& m_truth;
    const SimulatorConfig m_config;
    const UserPopulation m_population;

    // Lifecycle (start/stop/runBlocking).
    std::mutex m_lifecycleMutex;
    std::vector<std::jthread> m_workers;
    std::stop_source m_stopSource;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_blockingRun{false};

    // Schedule.
    mutable std::mutex m_scheduleMutex;
    std::condition_variable_any m_scheduleChanged;
    double m_rate;
    std::uint64_t m_nextSlot = 0;
    std::uint64_t m_anchorSlot = 0;
    std::chrono::steady_clock::time_point m_anchorTime;
    std::size_t m_activeWorkers = 0;
    std::condition_variable m_finished;

    // Pending events.
    mutable std::mutex m_pendingMutex;
    std::vector<store::Event> m_pending;
    std::chrono::steady_clock::time_point m_pendingSince;

    // Statistics.
    mutable std::mutex m_statsMutex;
    SimulatorStats m_stats;
    metrics::LatencyHistogram m_latency;
    bool m_active = false;  // counting elapsed time (running and not paused)
    std::chrono::steady_clock::time_point m_activeSince;
    double m_activeSeconds = 0.0;  // completed active intervals
    std::chrono::steady_clock::time_point m_firstStart;
    bool m_started = false;
    std::array<std::pair<std::int64_t, std::uint64_t>, 8> m_perSecond{};  // (second, count), ring
};

}  // namespace recdeck::sim

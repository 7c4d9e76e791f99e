#include "recdeck/sim/traffic_simulator.h"

#include <algorithm>
#include <cmath>

#include "recdeck/common/random.h"
#include "recdeck/serving/recommendation.h"

namespace recdeck::sim {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxThreads = 64;
constexpr std::size_t kMaxEventBatch = 1000;
// How long an idle worker waits before it looks at pending events again when no flush
// interval is set.
constexpr std::chrono::milliseconds kIdlePoll{100};
constexpr double kRecentWindowSeconds = 5.0;

bool validRate(double rate) {
    return rate == kUnlimited || (std::isfinite(rate) && rate >= 0.0);
}

std::string armKey(const Shown& shown) {
    if (!shown.experiment.empty()) return shown.experiment + ":" + shown.variant;
    return "model:" + shown.model;
}

store::Event eventFor(store::EventType type, const std::string& user, const std::string& item, const Shown& shown) {
    store::Event event;
    event.type = type;
    event.userId = user;
    event.itemId = item;
    event.requestId = shown.requestId;
    event.experiment = shown.experiment;
    event.variant = shown.variant;
    event.model = shown.model;
    return event;  // no timestamp: the service stamps it on arrival
}

}  // namespace

Result<std::unique_ptr<TrafficSimulator>> TrafficSimulator::create(Target& target, const GroundTruth& truth,
                                                                   SimulatorConfig config) {
    if (!validRate(config.rate)) return Error{"rate: expected requests per second >= 0 (or unlimited)"};
    if (config.listLength < 1 || config.listLength > serving::kMaxListLength) {
        return Error{"list length: must be between 1 and " + std::to_string(serving::kMaxListLength)};
    }
    if (config.threads < 1 || config.threads > kMaxThreads) {
        return Error{"threads: must be between 1 and " + std::to_string(kMaxThreads)};
    }
    if (config.eventBatch < 1 || config.eventBatch > kMaxEventBatch) {
        return Error{"event batch: must be between 1 and " + std::to_string(kMaxEventBatch)};
    }
    if (!(config.cartAbandonment >= 0.0 && config.cartAbandonment < 1.0)) {
        return Error{"cart abandonment: expected a fraction in [0, 1)"};
    }
    const auto& users = config.users;
    if (!(users.newUserFraction >= 0.0 && users.newUserFraction <= 1.0)) {
        return Error{"new users: expected a fraction in [0, 1]"};
    }
    if (!(users.newcomerReturnFraction >= 0.0 && users.newUserFraction + users.newcomerReturnFraction <= 1.0)) {
        return Error{"returning newcomers: expected a fraction in [0, 1 - new users]"};
    }
    if (!(std::isfinite(users.activitySkew) && users.activitySkew >= 0.0)) {
        return Error{"activity skew: expected a number >= 0"};
    }
    if (config.flushInterval.count() < 0) return Error{"flush interval: must not be negative"};
    if (config.maxLag.count() <= 0) return Error{"max lag: must be positive"};
    if (truth.personaCount() == 0) return Error{"ground truth: " + truth.describe() + " has no users"};
    return std::unique_ptr<TrafficSimulator>(new TrafficSimulator(target, truth, std::move(config)));
}

TrafficSimulator::TrafficSimulator(Target& target, const GroundTruth& truth, SimulatorConfig config)
    : m_target(target),
      m_truth(truth),
      m_config(std::move(config)),
      m_population(truth, m_config.users, m_config.seed),
      m_rate(m_config.rate),
      m_anchorTime(Clock::now()) {
    m_stats.targetRate = m_rate;
}

TrafficSimulator::~TrafficSimulator() {
    stop();
}

// --- lifecycle -----------------------------------------------------------------------

void TrafficSimulator::start() {
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (m_blockingRun) return;
    if (m_running) {
        if (running()) return;
        // A run that ended by maxRequests: collect its workers before starting anew.
        m_stopSource.request_stop();
        m_workers.clear();
        m_running = false;
    }
    m_stopSource = std::stop_source();
    double rate = 0.0;
    {
        std::lock_guard lock(m_scheduleMutex);
        m_anchorTime = Clock::now();
        m_anchorSlot = m_nextSlot;
        m_activeWorkers = m_config.threads;
        rate = m_rate;
    }
    {
        std::lock_guard lock(m_statsMutex);
        markActive(rate > 0.0);
        m_stats.running = true;
    }
    m_running = true;
    const std::stop_token token = m_stopSource.get_token();
    m_workers.reserve(m_config.threads);
    for (std::size_t i = 0; i < m_config.threads; ++i) {
        m_workers.emplace_back([this, token] { workerLoop(token); });
    }
}

void TrafficSimulator::stop() {
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (!m_running) return;
    m_stopSource.request_stop();  // wakes workers waiting on the schedule (stop_token waits)
    m_workers.clear();            // joins; each worker sends its share of pending events
    flush(std::stop_token());
    m_running = false;
    std::lock_guard lock(m_statsMutex);
    markActive(false);
    m_stats.running = false;
}

bool TrafficSimulator::running() const {
    std::lock_guard lock(m_scheduleMutex);
    return m_activeWorkers > 0;
}

bool TrafficSimulator::waitFinished(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_scheduleMutex);
    return m_finished.wait_for(lock, timeout, [this] { return m_activeWorkers == 0; });
}

void TrafficSimulator::setRate(double requestsPerSecond) {
    if (!validRate(requestsPerSecond)) return;
    const auto now = Clock::now();
    bool workersActive = false;
    {
        std::lock_guard lock(m_scheduleMutex);
        workersActive = m_activeWorkers > 0;
        // The next slot keeps its due time when that is sooner than one new interval, so
        // neither a faster nor a slower rate releases a burst or a long gap.
        Clock::time_point next = now;
        if (m_rate > 0.0 && std::isfinite(m_rate)) {
            next = m_anchorTime + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                      static_cast<double>(m_nextSlot - m_anchorSlot) / m_rate));
        }
        if (requestsPerSecond > 0.0 && std::isfinite(requestsPerSecond)) {
            const auto interval =
                std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / requestsPerSecond));
            next = std::clamp(next, now, now + interval);
        }
        m_rate = requestsPerSecond;
        m_anchorTime = next;
        m_anchorSlot = m_nextSlot;
        m_scheduleChanged.notify_all();
    }
    std::lock_guard lock(m_statsMutex);
    m_stats.targetRate = requestsPerSecond;
    if (workersActive) markActive(requestsPerSecond > 0.0);
}

double TrafficSimulator::rate() const {
    std::lock_guard lock(m_scheduleMutex);
    return m_rate;
}

// --- the background run ----------------------------------------------------------------

TrafficSimulator::Claim TrafficSimulator::claimSlot(std::stop_token stop, std::uint64_t& slot) {
    const auto idleWait =
        m_config.flushInterval.count() > 0 ? std::chrono::milliseconds(m_config.flushInterval) : kIdlePoll;
    std::unique_lock lock(m_scheduleMutex);
    for (;;) {
        if (stop.stop_requested()) return Claim::Done;
        if (m_config.maxRequests > 0 && m_nextSlot >= m_config.maxRequests) return Claim::Done;
        const double rate = m_rate;
        const std::uint64_t slotBefore = m_nextSlot;
        const auto anchorBefore = m_anchorTime;
        auto changed = [&] { return m_rate != rate || m_nextSlot != slotBefore || m_anchorTime != anchorBefore; };
        auto now = Clock::now();
        if (rate <= 0.0) {  // paused
            if (!m_scheduleChanged.wait_for(lock, stop, idleWait, changed) && !stop.stop_requested())
                return Claim::Idle;
            continue;
        }
        if (!std::isfinite(rate)) {
            slot = m_nextSlot++;
            return Claim::Slot;
        }
        auto due = m_anchorTime + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                      static_cast<double>(m_nextSlot - m_anchorSlot) / rate));
        if (now - due > m_config.maxLag) {
            // Too far behind to catch up without a burst: restart the schedule from now.
            m_anchorTime = now;
            m_anchorSlot = m_nextSlot;
            due = now;
            std::lock_guard statsLock(m_statsMutex);
            ++m_stats.behindSchedule;
        }
        if (due <= now) {
            slot = m_nextSlot++;
            return Claim::Slot;
        }
        const auto deadline = std::min(due, now + idleWait);
        if (m_scheduleChanged.wait_until(lock, stop, deadline, changed)) continue;
        if (stop.stop_requested()) return Claim::Done;
        if (Clock::now() < due) return Claim::Idle;
    }
}

void TrafficSimulator::workerLoop(std::stop_token stop) {
    for (;;) {
        std::uint64_t slot = 0;
        const Claim claim = claimSlot(stop, slot);
        if (claim == Claim::Done) break;
        if (claim == Claim::Idle) {
            queueEvents({}, true, stop);
            continue;
        }
        {
            // Let the next waiting worker plan the following slot at once.
            std::lock_guard lock(m_scheduleMutex);
            m_scheduleChanged.notify_all();
        }
        visit(slot, stop);
    }
    flush(std::stop_token());
    bool last = false;
    {
        std::lock_guard lock(m_scheduleMutex);
        last = --m_activeWorkers == 0;
    }
    if (last) {
        {
            std::lock_guard lock(m_statsMutex);
            markActive(false);
        }
        std::lock_guard lock(m_scheduleMutex);
        m_finished.notify_all();
    }
}

// --- one visit ---------------------------------------------------------------------------

void TrafficSimulator::visit(std::uint64_t slot, std::stop_token stop) {
    SplitMix64 rng(requestStream(m_config.seed, slot));
    const Visit user = m_population.pick(slot, rng);
    auto shown = m_target.recommend(user.userId, m_config.listLength, stop);
    if (!shown) {
        if (stop.stop_requested() && errorKindOf(shown.error()) == "cancelled") return;
        countError(shown.error(), true);
        return;
    }
    const double keepCart = 1.0 - m_config.cartAbandonment;
    std::vector<store::Event> events;
    ArmStats delta;
    delta.requests = 1;
    delta.impressions = shown->items.size();
    for (std::size_t position = 0; position < shown->items.size(); ++position) {
        const std::string& item = shown->items[position];
        const double click = m_truth.clickProbability(user.persona, item, position);
        if (!(rng.uniform() < click)) continue;
        events.push_back(eventFor(store::EventType::Click, user.userId, item, *shown));
        ++delta.clicks;
        const double purchase = m_truth.purchaseProbability(user.persona, item);
        const double cart = std::min(1.0, purchase / keepCart);
        const double u = rng.uniform();
        if (u < cart) {
            events.push_back(eventFor(store::EventType::AddToCart, user.userId, item, *shown));
            ++delta.addToCarts;
            if (u < purchase) {
                events.push_back(eventFor(store::EventType::Purchase, user.userId, item, *shown));
                ++delta.purchases;
            }
        }
    }
    {
        std::lock_guard lock(m_statsMutex);
        auto& s = m_stats;
        ++s.requests;
        s.impressions += delta.impressions;
        s.clicks += delta.clicks;
        s.addToCarts += delta.addToCarts;
        s.purchases += delta.purchases;
        if (shown->cached) ++s.cachedAnswers;
        if (shown->coldStart) ++s.coldStartAnswers;
        if (user.firstVisit) ++s.newcomerRequests;
        ArmStats& arm = s.arms[armKey(*shown)];
        arm.requests += delta.requests;
        arm.impressions += delta.impressions;
        arm.clicks += delta.clicks;
        arm.addToCarts += delta.addToCarts;
        arm.purchases += delta.purchases;
        m_latency.add(shown->latencyUs);
        if (m_started) {
            const auto second = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - m_firstStart).count();
            auto& bucket = m_perSecond[static_cast<std::size_t>(second) % m_perSecond.size()];
            if (bucket.first != second) bucket = {second, 0};
            ++bucket.second;
        }
    }
    queueEvents(std::move(events), m_running.load(), stop);
}

void TrafficSimulator::queueEvents(std::vector<store::Event> events, bool byAge, std::stop_token) {
    std::vector<store::Event> out;
    {
        std::lock_guard lock(m_pendingMutex);
        const auto now = Clock::now();
        if (m_pending.empty() && !events.empty()) m_pendingSince = now;
        for (auto& event : events) m_pending.push_back(std::move(event));
        const bool full = m_pending.size() >= m_config.eventBatch;
        const bool old = byAge && !m_pending.empty() && m_config.flushInterval.count() > 0 &&
                         now - m_pendingSince >= m_config.flushInterval;
        if (full || old) out.swap(m_pending);
    }
    // Sends finish even when the run is stopping, so acknowledged clicks are never lost.
    sendBatches(std::move(out), std::stop_token());
}

void TrafficSimulator::flush(std::stop_token stop) {
    std::vector<store::Event> out;
    {
        std::lock_guard lock(m_pendingMutex);
        out.swap(m_pending);
    }
    sendBatches(std::move(out), stop);
}

void TrafficSimulator::sendBatches(std::vector<store::Event> events, std::stop_token stop) {
    for (std::size_t begin = 0; begin < events.size(); begin += m_config.eventBatch) {
        const std::size_t end = std::min(events.size(), begin + m_config.eventBatch);
        std::vector<store::Event> batch(std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(begin)),
                                        std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(end)));
        const std::size_t count = batch.size();
        const Status sent = m_target.send(std::move(batch), stop);
        if (!sent) {
            {
                std::lock_guard lock(m_statsMutex);
                m_stats.eventsFailed += count;
            }
            countError(sent.error(), false);
            continue;
        }
        std::lock_guard lock(m_statsMutex);
        m_stats.eventsSent += count;
    }
}

void TrafficSimulator::countError(const Error& error, bool request) {
    std::lock_guard lock(m_statsMutex);
    if (request) ++m_stats.errors;
    ++m_stats.errorsByKind[request ? errorKindOf(error) : "send_" + errorKindOf(error)];
    m_stats.lastError = error.message;
    if (request && m_started) {
        const auto second = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - m_firstStart).count();
        auto& bucket = m_perSecond[static_cast<std::size_t>(second) % m_perSecond.size()];
        if (bucket.first != second) bucket = {second, 0};
        ++bucket.second;
    }
}

// --- blocking run ----------------------------------------------------------------------

Status TrafficSimulator::runBlocking(std::uint64_t count, const TaskControl& control) {
    {
        std::lock_guard lifecycle(m_lifecycleMutex);
        if (m_running && running()) return Error{"simulator: a background run is active; stop() it first"};
        if (m_blockingRun.exchange(true)) return Error{"simulator: another blocking run is active"};
    }
    std::uint64_t first = 0;
    {
        std::lock_guard lock(m_scheduleMutex);
        first = m_nextSlot;
        m_nextSlot += count;
    }
    {
        std::lock_guard lock(m_statsMutex);
        markActive(true);
    }
    const std::uint64_t reportEvery = std::max<std::uint64_t>(1, count / 100);
    bool cancelled = false;
    for (std::uint64_t i = 0; i < count; ++i) {
        if (control.cancelled()) {
            cancelled = true;
            break;
        }
        visit(first + i, control.stop);
        if ((i + 1) % reportEvery == 0) {
            control.report(static_cast<double>(i + 1) / static_cast<double>(count), "simulating");
        }
    }
    flush(std::stop_token());
    {
        std::lock_guard lock(m_statsMutex);
        markActive(false);
    }
    m_blockingRun = false;
    if (cancelled) return Error::cancelled();
    return {};
}

// --- statistics --------------------------------------------------------------------------

void TrafficSimulator::markActive(bool active) {
    const auto now = Clock::now();
    if (!m_started) {
        m_started = true;
        m_firstStart = now;
    }
    if (active && !m_active) {
        m_active = true;
        m_activeSince = now;
    } else if (!active && m_active) {
        m_active = false;
        m_activeSeconds += std::chrono::duration<double>(now - m_activeSince).count();
    }
}

double TrafficSimulator::elapsedSecondsLocked(Clock::time_point now) const {
    double seconds = m_activeSeconds;
    if (m_active) seconds += std::chrono::duration<double>(now - m_activeSince).count();
    return seconds;
}

SimulatorStats TrafficSimulator::snapshot() const {
    SimulatorStats s;
    const auto now = Clock::now();
    {
        std::lock_guard lock(m_statsMutex);
        s = m_stats;
        s.elapsedSeconds = elapsedSecondsLocked(now);
        const double attempts = static_cast<double>(s.requests + s.errors);
        s.achievedRate = s.elapsedSeconds > 1e-9 ? attempts / s.elapsedSeconds : 0.0;
        s.recentRate = s.achievedRate;
        if (m_started) {
            const double sinceStart = std::chrono::duration<double>(now - m_firstStart).count();
            if (sinceStart >= kRecentWindowSeconds + 1.0) {
                const auto current = static_cast<std::int64_t>(sinceStart);
                std::uint64_t recent = 0;
                for (const auto& [second, n] : m_perSecond) {
                    if (second >= current - static_cast<std::int64_t>(kRecentWindowSeconds) && second < current) {
                        recent += n;
                    }
                }
                s.recentRate = static_cast<double>(recent) / kRecentWindowSeconds;
            }
        }
        s.latencyP50Us = m_latency.percentileUs(0.50);
        s.latencyP99Us = m_latency.percentileUs(0.99);
    }
    {
        std::lock_guard lock(m_scheduleMutex);
        s.targetRate = m_rate;
        s.running = m_activeWorkers > 0;
    }
    {
        std::lock_guard lock(m_pendingMutex);
        s.eventsPending = m_pending.size();
    }
    return s;
}

}  // namespace recdeck::sim

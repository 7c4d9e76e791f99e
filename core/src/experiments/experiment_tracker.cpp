#include "recdeck/experiments/experiment_tracker.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>

#include "recdeck/experiments/assignment.h"

namespace recdeck::experiments {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::size_t kPageSize = 10'000;
constexpr std::uint64_t kSweepEvery = 4096;

std::int64_t floorTo(std::int64_t t, std::int64_t step) {
    std::int64_t q = t / step;
    if (t % step != 0 && t < 0) --q;
    return q * step;
}

std::uint64_t userHash(std::string_view user) {
    return assignmentHash({"user:", user});
}
std::uint64_t itemHash(std::string_view item) {
    return assignmentHash({"item:", item});
}
// Key of (user, variant) in a run's user table.
std::uint64_t armKey(std::uint64_t user, std::size_t variant) {
    std::uint64_t z = user + 0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(variant) + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double metricOf(const VariantCounts& c, Metric m) {
    switch (m) {
        case Metric::ClickRate:
            return c.clickRate();
        case Metric::ConversionRate:
            return c.conversionRate();
        case Metric::Ctr:
            return c.ctr();
    }
    return 0.0;
}

struct UserArm {
    std::uint32_t items = 0;
    std::uint32_t clicks = 0;
    bool seen = false;  // counted as a user of the variant
    bool clicked = false;
    bool converted = false;
};

struct Run {
    std::uint64_t id = 0;
    Experiment definition;
    std::vector<VariantCounts> counts;
    std::unordered_map<std::uint64_t, UserArm> users;
    std::vector<SeriesPoint> series;
    std::int64_t step = kMinuteMs;
    std::vector<std::optional<SequentialMonitor>> monitors;  // per treatment
    Metric monitored = Metric::ClickRate;

    std::optional<std::size_t> variantIndex(std::string_view name) const {
        for (std::size_t i = 0; i < definition.variants.size(); ++i)
            if (definition.variants[i].name == name) return i;
        return std::nullopt;
    }
    bool inRun(std::int64_t atMs) const {
        return atMs >= definition.startedAtMs && (definition.stoppedAtMs == 0 || atMs <= definition.stoppedAtMs);
    }
};

struct Memo {
    std::uint64_t runId = 0;
    std::size_t variant = 0;
    std::int64_t atMs = 0;
    std::vector<std::uint64_t> items;
};

// Everything the tracker counts; rebuild() fills a fresh one and swaps it in.
struct Books {
    std::map<std::string, std::unique_ptr<Run>, std::less<>> runs;
    std::unordered_map<std::uint64_t, Run*> runsById;
    std::unordered_map<std::uint64_t, std::deque<Memo>> recent;
    std::int64_t newestEventMs = std::numeric_limits<std::int64_t>::min();
    std::uint64_t sinceSweep = 0;
    TrackerStats stats;
};

}  // namespace

struct ExperimentTracker::State {
    TrackerOptions options;
    mutable std::mutex mutex;
    Books live;
    std::uint64_t nextRunId = 1;

    std::int64_t now() const {
        if (options.clock) return options.clock();
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    std::unique_ptr<Run> newRun(const Experiment& e) {
        auto run = std::make_unique<Run>();
        run->id = nextRunId++;
        run->definition = e;
        run->counts.assign(e.variants.size(), VariantCounts{});
        run->monitors.assign(e.variants.size() - 1, std::nullopt);
        run->monitored = e.primaryMetric;
        return run;
    }

    // Follows a registry change of one experiment (nullopt: removed). Caller holds mutex.
    void follow(Books& books, std::string_view key, const std::optional<Experiment>& e) {
        auto it = books.runs.find(key);
        if (!e || e->state == ExperimentState::Draft) {
            if (it != books.runs.end()) {
                books.runsById.erase(it->second->id);
                books.runs.erase(it);
            }
            return;
        }
        if (it != books.runs.end()) {
            Run& run = *it->second;
            if (run.definition.startedAtMs == e->startedAtMs && run.definition.variants.size() == e->variants.size()) {
                if (e->primaryMetric != run.monitored) {
                    run.monitors.assign(e->variants.size() - 1, std::nullopt);
                    run.monitored = e->primaryMetric;
                }
                run.definition = *e;
                return;
            }
            books.runsById.erase(run.id);
            books.runs.erase(it);
        }
        auto run = newRun(*e);
        books.runsById[run->id] = run.get();
        books.runs.emplace(e->key, std::move(run));
    }

    // A peeking-safe look at every treatment whose arms are large enough.
    static void look(Run& run) {
        const Metric m = run.definition.primaryMetric;
        if (m == Metric::Ctr) return;
        const ArmCounts control = run.counts[0].arm(m);
        for (std::size_t t = 1; t < run.counts.size(); ++t) {
            const ArmCounts treatment = run.counts[t].arm(m);
            if (control.users < kMinUsersPerArm || treatment.users < kMinUsersPerArm ||
                control.conversions < kMinSuccessesPerArm || treatment.conversions < kMinSuccessesPerArm)
                continue;
            auto& monitor = run.monitors[t - 1];
            if (!monitor) {
                const auto& plan = run.definition.plan;
                const double baseline =
                    plan.baseline > 0.0 ? plan.baseline
                                        : static_cast<double>(control.conversions) / static_cast<double>(control.users);
                const double tau = baseline * plan.relativeEffect;
                if (!(tau > 0.0 && tau < 1.0)) continue;
                monitor.emplace(SequentialOptions{plan.alpha, tau});
            }
            (void)monitor->update(control, treatment);
        }
    }

    void advance(Run& run, std::int64_t atMs) const {
        const std::int64_t slot = floorTo(atMs, run.step);
        auto& series = run.series;
        if (!series.empty() && slot <= series.back().atMs) return;
        if (!series.empty()) look(run);
        SeriesPoint point;
        point.atMs = slot;
        series.push_back(std::move(point));
        if (series.size() > std::max<std::size_t>(4, options.maxSeriesPoints)) {
            // Halve the resolution: keep the last point of every pair of steps.
            const std::int64_t wider = run.step * 2;
            std::vector<SeriesPoint> thinned;
            thinned.reserve(series.size() / 2 + 1);
            for (auto& p : series) {
                const std::int64_t s = floorTo(p.atMs, wider);
                if (!thinned.empty() && thinned.back().atMs == s) {
                    thinned.back().values = std::move(p.values);
                    thinned.back().users = std::move(p.users);
                } else {
                    p.atMs = s;
                    thinned.push_back(std::move(p));
                }
            }
            series = std::move(thinned);
            run.step = wider;
        }
    }

    static void refreshPoint(Run& run) {
        if (run.series.empty()) return;
        auto& point = run.series.back();
        point.values.resize(run.counts.size());
        point.users.resize(run.counts.size());
        for (std::size_t i = 0; i < run.counts.size(); ++i) {
            point.values[i] = metricOf(run.counts[i], run.definition.primaryMetric);
            point.users[i] = run.counts[i].users;
        }
    }

    void sweep(Books& books) const {
        const std::int64_t horizon = books.newestEventMs - options.attributionWindow.count();
        for (auto it = books.recent.begin(); it != books.recent.end();) {
            auto& memos = it->second;
            while (!memos.empty() && memos.back().atMs < horizon) memos.pop_back();
            if (memos.empty())
                it = books.recent.erase(it);
            else
                ++it;
        }
    }

    void impression(Books& books, const store::Event& event, std::uint64_t user) const {
        auto it = books.runs.find(event.experiment);
        if (it == books.runs.end()) {
            ++books.stats.ignored;
            return;
        }
        Run& run = *it->second;
        const auto variant = run.variantIndex(event.variant);
        if (!variant || !run.inRun(event.timestampMs)) {
            ++books.stats.ignored;
            return;
        }
        const std::size_t shown = event.items.empty() ? (event.itemId.empty() ? 0 : 1) : event.items.size();
        advance(run, event.timestampMs);
        VariantCounts& c = run.counts[*variant];
        UserArm& arm = run.users[armKey(user, *variant)];
        if (!arm.seen) {
            arm.seen = true;
            ++c.users;
        }
        const std::uint64_t before = arm.items;
        const std::uint64_t after = before + shown;
        arm.items =
            static_cast<std::uint32_t>(std::min<std::uint64_t>(after, std::numeric_limits<std::uint32_t>::max()));
        c.lists += 1;
        c.itemsShown += shown;
        c.sumItemsSquared += after * after - before * before;
        c.sumClicksItems += static_cast<std::uint64_t>(arm.clicks) * shown;
        refreshPoint(run);
        ++books.stats.impressions;

        Memo memo;
        memo.runId = run.id;
        memo.variant = *variant;
        memo.atMs = event.timestampMs;
        if (event.items.empty()) {
            if (!event.itemId.empty()) memo.items.push_back(itemHash(event.itemId));
        } else {
            memo.items.reserve(event.items.size());
            for (const auto& item : event.items) memo.items.push_back(itemHash(item));
        }
        auto& memos = books.recent[user];
        // Newest first; an out-of-order older impression goes to its place.
        auto pos = std::find_if(memos.begin(), memos.end(), [&](const Memo& m) { return m.atMs <= memo.atMs; });
        memos.insert(pos, std::move(memo));
        while (memos.size() > std::max<std::size_t>(1, options.maxImpressionsPerUser)) memos.pop_back();
    }

    void outcome(Books& books, const store::Event& event, std::uint64_t user, const MatchedImpression* matched) const {
        const std::int64_t window = options.attributionWindow.count();
        Run* run = nullptr;
        std::size_t variant = 0;
        if (matched != nullptr) {
            const std::int64_t age = event.timestampMs - matched->atMs;
            const bool shown =
                std::find(matched->items.begin(), matched->items.end(), event.itemId) != matched->items.end();
            if (!matched->experiment.empty() && shown && age >= 0 && age <= window) {
                auto it = books.runs.find(matched->experiment);
                if (it != books.runs.end() && it->second->inRun(matched->atMs)) {
                    if (auto v = it->second->variantIndex(matched->variant)) {
                        run = it->second.get();
                        variant = *v;
                    }
                }
            }
        } else if (auto found = books.recent.find(user); found != books.recent.end()) {
            const std::uint64_t item = itemHash(event.itemId);
            for (const Memo& memo : found->second) {
                if (memo.atMs > event.timestampMs) continue;
                if (event.timestampMs - memo.atMs > window) break;  // newest first: the rest are older
                if (std::find(memo.items.begin(), memo.items.end(), item) == memo.items.end()) continue;
                auto byId = books.runsById.find(memo.runId);
                if (byId == books.runsById.end()) break;  // shown in a run that has ended or restarted
                run = byId->second;
                variant = memo.variant;
                break;
            }
        }
        if (run == nullptr) {
            ++books.stats.unattributed;
            return;
        }
        auto arm = run->users.find(armKey(user, variant));
        if (arm == run->users.end() || !arm->second.seen) {
            // The impression was matched by the caller but never reached the tracker.
            ++books.stats.unattributed;
            return;
        }
        advance(*run, event.timestampMs);
        VariantCounts& c = run->counts[variant];
        UserArm& a = arm->second;
        if (event.type == store::EventType::Click) {
            ++c.clicks;
            c.sumClicksSquared += 2ULL * a.clicks + 1ULL;
            c.sumClicksItems += a.items;
            if (a.clicks < std::numeric_limits<std::uint32_t>::max()) ++a.clicks;
            if (!a.clicked) {
                a.clicked = true;
                ++c.clickers;
            }
        } else {
            ++c.conversions;
            if (!a.converted) {
                a.converted = true;
                ++c.converters;
            }
        }
        refreshPoint(*run);
        ++books.stats.attributed;
    }

    void apply(Books& books, const store::Event& event, const MatchedImpression* matched) const {
        if (event.id > 0) {
            if (event.id <= books.stats.lastEventId) {
                ++books.stats.duplicates;
                return;
            }
            books.stats.lastEventId = event.id;
        }
        ++books.stats.events;
        books.newestEventMs = std::max(books.newestEventMs, event.timestampMs);
        switch (event.type) {
            case store::EventType::Impression:
                if (!event.experiment.empty()) impression(books, event, userHash(event.userId));
                break;
            case store::EventType::Click:
            case store::EventType::AddToCart:
            case store::EventType::Purchase:
                if (!event.itemId.empty()) outcome(books, event, userHash(event.userId), matched);
                break;
            case store::EventType::Rating:
                break;
        }
        if (++books.sinceSweep >= kSweepEvery) {
            books.sinceSweep = 0;
            sweep(books);
        }
    }
};

ExperimentTracker::ExperimentTracker(ExperimentRegistry& registry, TrackerOptions options)
    : m_registry(registry), m_state(std::make_shared<State>()) {
    m_state->options = std::move(options);
    std::weak_ptr<State> weak = m_state;
    ExperimentRegistry* reg = &registry;
    m_listener = registry.addListener([weak, reg](const ExperimentChange& change) {
        auto state = weak.lock();
        if (!state) return;
        const auto current = reg->get(change.key);  // outside the tracker's lock
        std::lock_guard lock(state->mutex);
        state->follow(state->live, change.key, current);
    });
    {
        std::lock_guard lock(m_state->mutex);
        for (const auto& e : registry.list()) m_state->follow(m_state->live, e.key, e);
    }
    registry.setBanditSource([weak](const Experiment& e) -> std::optional<std::vector<ArmCounts>> {
        auto state = weak.lock();
        if (!state) return std::nullopt;
        std::lock_guard lock(state->mutex);
        auto it = state->live.runs.find(e.key);
        if (it == state->live.runs.end() || it->second->definition.startedAtMs != e.startedAtMs) return std::nullopt;
        std::vector<ArmCounts> arms;
        for (const auto& c : it->second->counts) arms.push_back(c.arm(e.primaryMetric));
        return arms;
    });
}

ExperimentTracker::~ExperimentTracker() {
    m_registry.removeListener(m_listener);
    m_registry.setBanditSource({});
}

void ExperimentTracker::onEvents(std::span<const store::Event> events) {
    std::lock_guard lock(m_state->mutex);
    for (const auto& event : events) m_state->apply(m_state->live, event, nullptr);
}

void ExperimentTracker::onEvents(std::span<const TrackedEvent> events) {
    std::lock_guard lock(m_state->mutex);
    for (const auto& tracked : events) {
        if (tracked.event != nullptr) m_state->apply(m_state->live, *tracked.event, tracked.impression);
    }
}

Status ExperimentTracker::rebuild(const store::EventLog& log, const TaskControl& control) {
    const auto experiments = m_registry.list();
    std::int64_t earliest = std::numeric_limits<std::int64_t>::max();
    Books fresh;
    {
        std::lock_guard lock(m_state->mutex);
        for (const auto& e : experiments) {
            m_state->follow(fresh, e.key, e);
            if (e.state != ExperimentState::Draft) earliest = std::min(earliest, e.startedAtMs);
        }
    }
    std::int64_t after = 0;
    if (earliest != std::numeric_limits<std::int64_t>::max()) {
        // The first event at or after the earliest start: every earlier id is older.
        auto first = log.range(earliest, std::numeric_limits<std::int64_t>::max(), 1);
        if (!first) return Error{"rebuilding experiment results: " + first.errorMessage()};
        after = first->empty() ? log.stats().lastId : first->front().id - 1;
    } else {
        after = log.stats().lastId;
    }
    const std::int64_t begin = after;
    const std::int64_t end = std::max(log.stats().lastId, begin + 1);
    auto replay = [&](bool toTheEnd) -> Status {
        while (true) {
            if (control.cancelled()) return Error{"rebuilding experiment results: cancelled"};
            auto page = log.readAfter(after, kPageSize);
            if (!page) return Error{"rebuilding experiment results: " + page.errorMessage()};
            for (const auto& event : *page) m_state->apply(fresh, event, nullptr);
            if (!page->empty()) after = page->back().id;
            control.report(std::min(1.0, static_cast<double>(after - begin) / static_cast<double>(end - begin)),
                           "replaying events");
            if (page->size() < kPageSize) return {};
            if (!toTheEnd && after >= end) return {};
        }
    };
    if (auto s = replay(false); !s) return s;
    {
        // Finish under the lock so no live event slips between the replay and the swap.
        std::lock_guard lock(m_state->mutex);
        if (auto s = replay(true); !s) return s;
        fresh.stats.lastEventId = std::max(fresh.stats.lastEventId, after);
        m_state->live = std::move(fresh);
    }
    // Changes made while replaying.
    const auto now = m_registry.list();
    std::lock_guard lock(m_state->mutex);
    std::vector<std::string> gone;
    for (const auto& [key, run] : m_state->live.runs) {
        if (std::none_of(now.begin(), now.end(), [&](const Experiment& e) { return e.key == key; }))
            gone.push_back(key);
    }
    for (const auto& key : gone) m_state->follow(m_state->live, key, std::nullopt);
    for (const auto& e : now) m_state->follow(m_state->live, e.key, e);
    return {};
}

Result<ExperimentResults> ExperimentTracker::results(std::string_view key) {
    Experiment definition;
    std::vector<VariantCounts> counts;
    AnalysisInputs inputs;
    bool found = false;
    {
        std::lock_guard lock(m_state->mutex);
        auto it = m_state->live.runs.find(key);
        if (it != m_state->live.runs.end()) {
            Run& run = *it->second;
            State::look(run);
            definition = run.definition;
            counts = run.counts;
            inputs.sequential = run.monitors;
            found = true;
        }
    }
    if (!found) {
        auto e = m_registry.get(key);
        if (!e) return Error{"experiment '" + std::string(key) + "' does not exist"};
        definition = *e;
        counts.assign(definition.variants.size(), VariantCounts{});
    }
    inputs.nowMs = m_state->now();
    // The statistics run outside the lock: event ingestion does not wait for them.
    return analyze(definition, counts, inputs);
}

std::optional<std::vector<VariantCounts>> ExperimentTracker::counts(std::string_view key) const {
    std::lock_guard lock(m_state->mutex);
    auto it = m_state->live.runs.find(key);
    if (it == m_state->live.runs.end()) return std::nullopt;
    return it->second->counts;
}

std::vector<SeriesPoint> ExperimentTracker::series(std::string_view key) const {
    std::lock_guard lock(m_state->mutex);
    auto it = m_state->live.runs.find(key);
    if (it == m_state->live.runs.end()) return {};
    return it->second->series;
}

TrackerStats ExperimentTracker::stats() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->live.stats;
}

}  // namespace recdeck::experiments

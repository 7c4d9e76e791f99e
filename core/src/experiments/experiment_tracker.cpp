#include "recdeck/experiments/experiment_tracker.h"

#include <algorithm>
#include <bit>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "recdeck/common/byte_codec.h"
#include "recdeck/experiments/assignment.h"

namespace recdeck::experiments {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::size_t kPageSize = 10'000;
constexpr std::uint64_t kSweepEvery = 4096;
constexpr std::uint8_t kCheckpointVersion = 1;
// Series points kept in a frozen readout (it travels in every experiment listing).
constexpr std::size_t kFrozenSeriesPoints = 240;

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
    bool frozen = false;  // read from Experiment::frozenResults; events are ignored

    std::optional<std::size_t> variantIndex(std::string_view name) const {
        for (std::size_t i = 0; i < definition.variants.size(); ++i)
            if (definition.variants[i].name == name) return i;
        return std::nullopt;
    }
    bool inRun(std::int64_t atMs) const {
        return atMs >= definition.startedAtMs && (definition.stoppedAtMs == 0 || atMs <= definition.stoppedAtMs);
    }
};

// A served impression remembered for matching outcomes to it.
struct Memo {
    std::uint64_t runId = 0;
    std::size_t variant = 0;
    std::int64_t atMs = 0;
    std::vector<std::uint64_t> items;
};

// An outcome that found no impression yet.
struct PendingOutcome {
    std::uint64_t user = 0;
    std::uint64_t item = 0;
    store::EventType type = store::EventType::Click;
    std::int64_t atMs = 0;
};

// Everything the tracker counts; rebuild() and restore() fill a fresh one and swap it in.
struct Books {
    std::map<std::string, std::unique_ptr<Run>, std::less<>> runs;
    std::unordered_map<std::uint64_t, Run*> runsById;
    std::unordered_map<std::uint64_t, std::deque<Memo>> recent;  // newest first
    std::map<std::uint64_t, PendingOutcome> pending;             // by arrival sequence
    std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> pendingByUser;
    std::uint64_t nextPending = 1;
    std::unordered_map<std::uint64_t, std::int64_t> lastIdOf;  // per source instance
    std::int64_t newestEventMs = std::numeric_limits<std::int64_t>::min();
    std::uint64_t sinceSweep = 0;
    TrackerStats stats;
};

// --- checkpoint codec helpers ---

void putI64(std::string& out, std::int64_t v) {
    appendU64(out, static_cast<std::uint64_t>(v));
}
void putF64(std::string& out, double v) {
    appendU64(out, std::bit_cast<std::uint64_t>(v));
}
bool getI64(ByteReader& in, std::int64_t& v) {
    std::uint64_t raw = 0;
    if (!in.u64(raw)) return false;
    v = static_cast<std::int64_t>(raw);
    return true;
}
bool getF64(ByteReader& in, double& v) {
    std::uint64_t raw = 0;
    if (!in.u64(raw)) return false;
    v = std::bit_cast<double>(raw);
    return true;
}
bool getSize(ByteReader& in, std::size_t& v) {
    std::uint64_t raw = 0;
    if (!in.varint(raw) || raw > (1ULL << 40)) return false;
    v = static_cast<std::size_t>(raw);
    return true;
}

void putCounts(std::string& out, const VariantCounts& c) {
    for (std::uint64_t v : {c.users, c.lists, c.itemsShown, c.clicks, c.conversions, c.clickers, c.converters,
                            c.sumClicksSquared, c.sumItemsSquared, c.sumClicksItems})
        appendVarint(out, v);
}
bool getCounts(ByteReader& in, VariantCounts& c) {
    for (std::uint64_t* v : {&c.users, &c.lists, &c.itemsShown, &c.clicks, &c.conversions, &c.clickers, &c.converters,
                             &c.sumClicksSquared, &c.sumItemsSquared, &c.sumClicksItems})
        if (!in.varint(*v)) return false;
    return true;
}

void putMonitor(std::string& out, const std::optional<SequentialMonitor>& m) {
    out.push_back(m ? '\1' : '\0');
    if (!m) return;
    putF64(out, m->options().alpha);
    putF64(out, m->options().tau);
    const auto s = m->state();
    appendVarint(out, static_cast<std::uint64_t>(std::max(0, s.looks)));
    putF64(out, s.pValue);
    putF64(out, s.ciLow);
    putF64(out, s.ciHigh);
}
bool getMonitor(ByteReader& in, std::optional<SequentialMonitor>& m) {
    std::uint8_t present = 0;
    if (!in.byte(present) || present > 1) return false;
    if (present == 0) {
        m.reset();
        return true;
    }
    SequentialOptions options;
    SequentialMonitor::State s;
    std::uint64_t looks = 0;
    if (!getF64(in, options.alpha) || !getF64(in, options.tau) || !in.varint(looks) || !getF64(in, s.pValue) ||
        !getF64(in, s.ciLow) || !getF64(in, s.ciHigh) || looks > static_cast<std::uint64_t>(INT32_MAX))
        return false;
    s.looks = static_cast<int>(looks);
    m.emplace(options, s);
    return true;
}

void putSeries(std::string& out, const std::vector<SeriesPoint>& series) {
    appendVarint(out, series.size());
    for (const auto& p : series) {
        putI64(out, p.atMs);
        appendVarint(out, p.values.size());
        for (double v : p.values) putF64(out, v);
        appendVarint(out, p.users.size());
        for (std::uint64_t u : p.users) appendVarint(out, u);
    }
}
bool getSeries(ByteReader& in, std::vector<SeriesPoint>& series) {
    std::size_t n = 0;
    if (!in.shortCount(n)) return false;
    series.resize(n);
    for (auto& p : series) {
        std::size_t values = 0;
        std::size_t users = 0;
        if (!getI64(in, p.atMs) || !in.shortCount(values)) return false;
        p.values.resize(values);
        for (double& v : p.values)
            if (!getF64(in, v)) return false;
        if (!in.shortCount(users)) return false;
        p.users.resize(users);
        for (std::uint64_t& u : p.users)
            if (!in.varint(u)) return false;
    }
    return true;
}

// --- frozen readout (JSON) ---

nlohmann::json countsJson(const VariantCounts& c) {
    return nlohmann::json::array({c.users, c.lists, c.itemsShown, c.clicks, c.conversions, c.clickers, c.converters,
                                  c.sumClicksSquared, c.sumItemsSquared, c.sumClicksItems});
}
bool countsFromJson(const nlohmann::json& j, VariantCounts& c) {
    if (!j.is_array() || j.size() != 10) return false;
    std::uint64_t* fields[] = {&c.users,    &c.lists,      &c.itemsShown,       &c.clicks,          &c.conversions,
                               &c.clickers, &c.converters, &c.sumClicksSquared, &c.sumItemsSquared, &c.sumClicksItems};
    for (std::size_t i = 0; i < 10; ++i) {
        if (!j[i].is_number_unsigned()) return false;
        *fields[i] = j[i].get<std::uint64_t>();
    }
    return true;
}

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

    // Replaces a run's figures by its frozen readout; false when the readout does not fit.
    static bool loadFrozen(Run& run) {
        const auto j = nlohmann::json::parse(run.definition.frozenResults, nullptr, false);
        if (!j.is_object() || j.value("started_at", std::int64_t{-1}) != run.definition.startedAtMs) return false;
        const auto& counts = j.value("counts", nlohmann::json::array());
        if (!counts.is_array() || counts.size() != run.definition.variants.size()) return false;
        std::vector<VariantCounts> loaded(counts.size());
        for (std::size_t i = 0; i < counts.size(); ++i)
            if (!countsFromJson(counts[i], loaded[i])) return false;
        std::vector<std::optional<SequentialMonitor>> monitors(loaded.size() - 1);
        const auto& saved = j.value("monitors", nlohmann::json::array());
        const bool sameMetric = j.value("metric", std::string()) == metricName(run.definition.primaryMetric);
        for (std::size_t t = 0; sameMetric && saved.is_array() && t < saved.size() && t < monitors.size(); ++t) {
            const auto& m = saved[t];
            if (!m.is_object()) continue;
            SequentialMonitor::State s{m.value("looks", 0), m.value("p", 1.0), m.value("low", -1.0),
                                       m.value("high", 1.0)};
            monitors[t].emplace(SequentialOptions{m.value("alpha", 0.05), m.value("tau", 0.0)}, s);
        }
        std::vector<SeriesPoint> series;
        for (const auto& p : j.value("series", nlohmann::json::array())) {
            if (!p.is_array() || p.size() != 3) continue;
            SeriesPoint point;
            point.atMs = p[0].get<std::int64_t>();
            point.values = p[1].get<std::vector<double>>();
            point.users = p[2].get<std::vector<std::uint64_t>>();
            series.push_back(std::move(point));
        }
        run.counts = std::move(loaded);
        run.monitors = std::move(monitors);
        run.series = std::move(series);
        run.users.clear();
        run.frozen = true;
        return true;
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
                if (e->primaryMetric != run.monitored && !run.frozen) {
                    run.monitors.assign(e->variants.size() - 1, std::nullopt);
                    run.monitored = e->primaryMetric;
                }
                const bool freezeNow = !run.frozen && !e->frozenResults.empty();
                run.definition = *e;
                if (freezeNow) (void)loadFrozen(run);
                return;
            }
            books.runsById.erase(run.id);
            books.runs.erase(it);
        }
        auto run = newRun(*e);
        if (!e->frozenResults.empty()) (void)loadFrozen(*run);
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
            point.values[i] = run.counts[i].value(run.definition.primaryMetric);
            point.users[i] = run.counts[i].users;
        }
    }

    void dropPending(Books& books, std::map<std::uint64_t, PendingOutcome>::iterator it) const {
        auto byUser = books.pendingByUser.find(it->second.user);
        if (byUser != books.pendingByUser.end()) {
            auto& list = byUser->second;
            list.erase(std::remove(list.begin(), list.end(), it->first), list.end());
            if (list.empty()) books.pendingByUser.erase(byUser);
        }
        books.pending.erase(it);
    }

    // Forgets impressions older than the attribution window and outcomes that waited
    // long enough, by the newest event time seen.
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
        expirePending(books);
    }

    // Drops waiting outcomes from the oldest: those that waited out lateImpressionWait,
    // and any beyond maxPendingOutcomes. Arrival order is close to time order, so it stops
    // at the first one still waiting (an out-of-order older one goes a little later).
    void expirePending(Books& books) const {
        const std::int64_t waitedOut = books.newestEventMs - options.lateImpressionWait.count();
        const std::size_t cap = std::max<std::size_t>(1, options.maxPendingOutcomes);
        while (!books.pending.empty()) {
            auto oldest = books.pending.begin();
            if (books.pending.size() <= cap && oldest->second.atMs >= waitedOut) break;
            dropPending(books, oldest);
        }
    }

    void impression(Books& books, const store::Event& event, std::uint64_t user) const {
        auto it = books.runs.find(event.experiment);
        if (it == books.runs.end() || !event.served) {
            ++books.stats.ignored;
            return;
        }
        Run& run = *it->second;
        const auto variant = run.variantIndex(event.variant);
        if (!variant || !run.inRun(event.timestampMs) || run.frozen) {
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
        // Outcomes that arrived before this impression and match it.
        if (auto waiting = books.pendingByUser.find(user); waiting != books.pendingByUser.end()) {
            const std::vector<std::uint64_t> sequences = waiting->second;
            for (std::uint64_t sequence : sequences) {
                auto p = books.pending.find(sequence);
                if (p == books.pending.end()) continue;
                const PendingOutcome outcome = p->second;
                const std::int64_t age = outcome.atMs - memo.atMs;
                if (age < 0 || age > options.attributionWindow.count()) continue;
                if (std::find(memo.items.begin(), memo.items.end(), outcome.item) == memo.items.end()) continue;
                dropPending(books, p);
                if (!run.inRun(outcome.atMs)) {
                    --books.stats.unattributed;
                    ++books.stats.ignored;
                    continue;
                }
                --books.stats.unattributed;
                ++books.stats.late;
                count(books, run, *variant, user, outcome.type, outcome.atMs);
            }
        }
        auto& memos = books.recent[user];
        // Newest first; an out-of-order older impression goes to its place.
        auto pos = std::find_if(memos.begin(), memos.end(), [&](const Memo& m) { return m.atMs <= memo.atMs; });
        memos.insert(pos, std::move(memo));
        while (memos.size() > std::max<std::size_t>(1, options.maxImpressionsPerUser)) memos.pop_back();
    }

    // Adds one attributed outcome to a variant of a run.
    void count(Books& books, Run& run, std::size_t variant, std::uint64_t user, store::EventType type,
               std::int64_t atMs) const {
        auto arm = run.users.find(armKey(user, variant));
        if (arm == run.users.end() || !arm->second.seen) {
            ++books.stats.unattributed;
            return;
        }
        advance(run, atMs);
        VariantCounts& c = run.counts[variant];
        UserArm& a = arm->second;
        if (type == store::EventType::Click) {
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
        refreshPoint(run);
        ++books.stats.attributed;
    }

    void outcome(Books& books, const store::Event& event, std::uint64_t user) const {
        const std::int64_t window = options.attributionWindow.count();
        const std::uint64_t item = itemHash(event.itemId);
        if (auto found = books.recent.find(user); found != books.recent.end()) {
            for (const Memo& memo : found->second) {
                if (memo.atMs > event.timestampMs) continue;
                if (event.timestampMs - memo.atMs > window) break;  // newest first: the rest are older
                if (std::find(memo.items.begin(), memo.items.end(), item) == memo.items.end()) continue;
                auto byId = books.runsById.find(memo.runId);
                if (byId == books.runsById.end()) break;  // shown in a run that has ended or restarted
                Run& run = *byId->second;
                if (run.frozen || !run.inRun(event.timestampMs)) {
                    ++books.stats.ignored;
                    return;
                }
                count(books, run, memo.variant, user, event.type, event.timestampMs);
                return;
            }
        }
        // Its impression may still be on its way from another instance.
        ++books.stats.unattributed;
        const std::uint64_t sequence = books.nextPending++;
        books.pending.emplace(sequence, PendingOutcome{user, item, event.type, event.timestampMs});
        books.pendingByUser[user].push_back(sequence);
        if (books.pending.size() > options.maxPendingOutcomes) expirePending(books);
    }

    void apply(Books& books, std::uint64_t instance, const store::Event& event) const {
        if (event.id > 0) {
            std::int64_t& last = books.lastIdOf[instance];
            if (event.id <= last) {
                ++books.stats.duplicates;
                return;
            }
            last = event.id;
            if (instance == 0) books.stats.lastEventId = event.id;
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
                if (!event.itemId.empty()) outcome(books, event, userHash(event.userId));
                break;
            case store::EventType::Rating:
                break;
        }
        if (++books.sinceSweep >= kSweepEvery) {
            books.sinceSweep = 0;
            sweep(books);
        }
    }

    // --- checkpoints ---

    // Sorted copies of a hash map's entries: a checkpoint is canonical (equal states give
    // equal bytes, whatever the maps' histories).
    template <typename Map>
    static std::vector<std::pair<typename Map::key_type, const typename Map::mapped_type*>> sorted(const Map& map) {
        std::vector<std::pair<typename Map::key_type, const typename Map::mapped_type*>> out;
        out.reserve(map.size());
        for (const auto& [k, v] : map) out.emplace_back(k, &v);
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        return out;
    }

    std::string encode(const Books& books) const {
        std::string out;
        out.push_back(static_cast<char>(kCheckpointVersion));
        putI64(out, books.newestEventMs);
        appendVarint(out, books.lastIdOf.size());
        for (const auto& [instance, lastPtr] : sorted(books.lastIdOf)) {
            const std::int64_t last = *lastPtr;
            appendVarint(out, instance);
            putI64(out, last);
        }
        const TrackerStats& st = books.stats;
        for (std::uint64_t v :
             {st.events, st.impressions, st.attributed, st.unattributed, st.late, st.ignored, st.duplicates})
            appendVarint(out, v);
        putI64(out, st.lastEventId);
        // Runs, in key order; memos refer to them by ordinal.
        std::unordered_map<std::uint64_t, std::uint64_t> ordinal;
        appendVarint(out, books.runs.size());
        for (const auto& [key, run] : books.runs) {
            ordinal[run->id] = ordinal.size();
            appendShortString(out, key);
            putI64(out, run->definition.startedAtMs);
            out.push_back(run->frozen ? '\1' : '\0');
            out.push_back(static_cast<char>(run->monitored));
            putI64(out, run->step);
            appendVarint(out, run->counts.size());
            for (const auto& c : run->counts) putCounts(out, c);
            appendVarint(out, run->monitors.size());
            for (const auto& m : run->monitors) putMonitor(out, m);
            putSeries(out, run->series);
            appendVarint(out, run->users.size());
            for (const auto& [k, armPtr] : sorted(run->users)) {
                const UserArm& arm = *armPtr;
                appendU64(out, k);
                appendVarint(out, arm.items);
                appendVarint(out, arm.clicks);
                out.push_back(static_cast<char>((arm.seen ? 1 : 0) | (arm.clicked ? 2 : 0) | (arm.converted ? 4 : 0)));
            }
        }
        appendVarint(out, books.recent.size());
        for (const auto& [user, memosPtr] : sorted(books.recent)) {
            const auto& memos = *memosPtr;
            appendU64(out, user);
            appendVarint(out, memos.size());
            for (const auto& memo : memos) {
                auto o = ordinal.find(memo.runId);
                appendVarint(out, o == ordinal.end() ? 0 : o->second + 1);  // 0: a run no longer tracked
                appendVarint(out, memo.variant);
                putI64(out, memo.atMs);
                appendVarint(out, memo.items.size());
                for (std::uint64_t item : memo.items) appendU64(out, item);
            }
        }
        appendVarint(out, books.pending.size());
        for (const auto& [sequence, p] : books.pending) {
            appendU64(out, p.user);
            appendU64(out, p.item);
            out.push_back(static_cast<char>(p.type));
            putI64(out, p.atMs);
        }
        return out;
    }

    // Reads a checkpoint into `books`; runs are matched to the registry's definitions.
    bool decode(std::string_view bytes, Books& books, const std::vector<Experiment>& experiments) {
        ByteReader in(bytes);
        std::uint8_t version = 0;
        if (!in.byte(version) || version != kCheckpointVersion) return false;
        std::size_t n = 0;
        if (!getI64(in, books.newestEventMs) || !in.shortCount(n)) return false;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t instance = 0;
            std::int64_t last = 0;
            if (!in.varint(instance) || !getI64(in, last)) return false;
            books.lastIdOf[instance] = last;
        }
        TrackerStats& st = books.stats;
        for (std::uint64_t* v :
             {&st.events, &st.impressions, &st.attributed, &st.unattributed, &st.late, &st.ignored, &st.duplicates})
            if (!in.varint(*v)) return false;
        if (!getI64(in, st.lastEventId)) return false;
        std::vector<Run*> byOrdinal;
        if (!in.shortCount(n)) return false;
        for (std::size_t r = 0; r < n; ++r) {
            std::string key;
            std::int64_t startedAt = 0;
            std::uint8_t frozen = 0;
            std::uint8_t monitored = 0;
            auto run = std::make_unique<Run>();
            std::size_t variants = 0;
            if (!in.shortString(key) || !getI64(in, startedAt) || !in.byte(frozen) || !in.byte(monitored) ||
                !getI64(in, run->step) || !in.shortCount(variants) || run->step <= 0 ||
                monitored > static_cast<std::uint8_t>(Metric::Ctr))
                return false;
            run->counts.resize(variants);
            for (auto& c : run->counts)
                if (!getCounts(in, c)) return false;
            std::size_t monitors = 0;
            if (!in.shortCount(monitors)) return false;
            run->monitors.resize(monitors);
            for (auto& m : run->monitors)
                if (!getMonitor(in, m)) return false;
            if (!getSeries(in, run->series)) return false;
            std::size_t users = 0;
            if (!in.shortCount(users)) return false;
            run->users.reserve(users);
            for (std::size_t u = 0; u < users; ++u) {
                std::uint64_t k = 0;
                std::uint64_t items = 0;
                std::uint64_t clicks = 0;
                std::uint8_t flags = 0;
                if (!in.u64(k) || !in.varint(items) || !in.varint(clicks) || !in.byte(flags)) return false;
                run->users[k] = UserArm{static_cast<std::uint32_t>(std::min<std::uint64_t>(items, UINT32_MAX)),
                                        static_cast<std::uint32_t>(std::min<std::uint64_t>(clicks, UINT32_MAX)),
                                        (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0};
            }
            run->frozen = frozen != 0;
            run->monitored = static_cast<Metric>(monitored);
            // Keep it only if the registry still has this run, with the same shape.
            const auto e =
                std::find_if(experiments.begin(), experiments.end(), [&](const Experiment& x) { return x.key == key; });
            if (e == experiments.end() || e->state == ExperimentState::Draft || e->startedAtMs != startedAt ||
                e->variants.size() != variants || variants < 2 || monitors + 1 != variants) {
                byOrdinal.push_back(nullptr);
                continue;
            }
            run->id = nextRunId++;
            run->definition = *e;
            byOrdinal.push_back(run.get());
            books.runsById[run->id] = run.get();
            books.runs.emplace(key, std::move(run));
        }
        if (!in.shortCount(n)) return false;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t user = 0;
            std::size_t memos = 0;
            if (!in.u64(user) || !in.shortCount(memos)) return false;
            auto& list = books.recent[user];
            for (std::size_t m = 0; m < memos; ++m) {
                std::uint64_t runOrdinal = 0;
                Memo memo;
                std::size_t items = 0;
                if (!in.varint(runOrdinal) || !getSize(in, memo.variant) || !getI64(in, memo.atMs) ||
                    !in.shortCount(items))
                    return false;
                memo.items.resize(items);
                for (auto& item : memo.items)
                    if (!in.u64(item)) return false;
                if (runOrdinal == 0 || runOrdinal > byOrdinal.size() || byOrdinal[runOrdinal - 1] == nullptr) continue;
                memo.runId = byOrdinal[runOrdinal - 1]->id;
                list.push_back(std::move(memo));
            }
            if (list.empty()) books.recent.erase(user);
        }
        if (!in.shortCount(n)) return false;
        for (std::size_t i = 0; i < n; ++i) {
            PendingOutcome p;
            std::uint8_t type = 0;
            if (!in.u64(p.user) || !in.u64(p.item) || !in.byte(type) || !getI64(in, p.atMs) ||
                type > static_cast<std::uint8_t>(store::EventType::Rating))
                return false;
            p.type = static_cast<store::EventType>(type);
            const std::uint64_t sequence = books.nextPending++;
            books.pending.emplace(sequence, p);
            books.pendingByUser[p.user].push_back(sequence);
        }
        return in.atEnd();
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
    for (const auto& event : events) m_state->apply(m_state->live, 0, event);
}

void ExperimentTracker::onEvents(std::span<const SourcedEvent> events) {
    std::lock_guard lock(m_state->mutex);
    for (const auto& sourced : events) {
        if (sourced.event != nullptr) m_state->apply(m_state->live, sourced.instance, *sourced.event);
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
            if (e.state != ExperimentState::Draft && e.frozenResults.empty())
                earliest = std::min(earliest, e.startedAtMs);
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
            if (control.cancelled()) return Error::cancelled("rebuilding experiment results: cancelled");
            auto page = log.readAfter(after, kPageSize);
            if (!page) return Error{"rebuilding experiment results: " + page.errorMessage()};
            for (const auto& event : *page) m_state->apply(fresh, 0, event);
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
        fresh.lastIdOf[0] = std::max(fresh.lastIdOf[0], after);
        fresh.stats.lastEventId = std::max(fresh.stats.lastEventId, after);
        m_state->live = std::move(fresh);
    }
    // Changes made while replaying.
    const auto now = m_registry.list();
    std::lock_guard lock(m_state->mutex);
    std::vector<std::string> gone;
    for (const auto& entry : m_state->live.runs) {
        const std::string& key = entry.first;  // not a structured binding: clang < 16 cannot capture one
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
            const Run& run = *it->second;
            definition = run.definition;
            counts = run.counts;
            if (run.frozen) {
                inputs.sequential = run.monitors;
            } else {
                // A look at the current counts, on a copy: reading never changes the state.
                Run view;
                view.definition = run.definition;
                view.counts = run.counts;
                view.monitors = run.monitors;
                State::look(view);
                inputs.sequential = std::move(view.monitors);
            }
            found = true;
        }
    }
    if (!found) {
        auto e = m_registry.get(key);
        if (!e) return Error::notFound("experiment '" + std::string(key) + "' does not exist");
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
    TrackerStats out = m_state->live.stats;
    out.pending = m_state->live.pending.size();
    return out;
}

std::string ExperimentTracker::checkpoint() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->encode(m_state->live);
}

Status ExperimentTracker::restore(std::string_view checkpoint) {
    const auto experiments = m_registry.list();
    std::lock_guard lock(m_state->mutex);
    Books fresh;
    if (!m_state->decode(checkpoint, fresh, experiments))
        return Error::invalid("experiment results checkpoint: corrupt or of another version");
    // Runs the checkpoint did not have (started since) begin empty; definitions are current.
    for (const auto& e : experiments) m_state->follow(fresh, e.key, e);
    m_state->live = std::move(fresh);
    return {};
}

std::optional<std::string> ExperimentTracker::freezeSnapshot(std::string_view key) const {
    std::lock_guard lock(m_state->mutex);
    auto it = m_state->live.runs.find(key);
    if (it == m_state->live.runs.end()) return std::nullopt;
    const Run& run = *it->second;
    if (run.frozen || run.definition.state != ExperimentState::Stopped) return std::nullopt;
    nlohmann::json counts = nlohmann::json::array();
    for (const auto& c : run.counts) counts.push_back(countsJson(c));
    nlohmann::json monitors = nlohmann::json::array();
    for (const auto& m : run.monitors) {
        if (!m) {
            monitors.push_back(nullptr);
            continue;
        }
        const auto s = m->state();
        monitors.push_back({{"alpha", m->options().alpha},
                            {"tau", m->options().tau},
                            {"looks", s.looks},
                            {"p", s.pValue},
                            {"low", s.ciLow},
                            {"high", s.ciHigh}});
    }
    nlohmann::json series = nlohmann::json::array();
    const std::size_t stride =
        std::max<std::size_t>(1, (run.series.size() + kFrozenSeriesPoints - 1) / kFrozenSeriesPoints);
    for (std::size_t i = 0; i < run.series.size(); ++i) {
        // Every stride-th point, and always the last one.
        if ((run.series.size() - 1 - i) % stride != 0) continue;
        const auto& p = run.series[i];
        series.push_back(nlohmann::json::array({p.atMs, p.values, p.users}));
    }
    const nlohmann::json snapshot = {{"version", 1},
                                     {"started_at", run.definition.startedAtMs},
                                     {"stopped_at", run.definition.stoppedAtMs},
                                     {"metric", std::string(metricName(run.definition.primaryMetric))},
                                     {"counts", std::move(counts)},
                                     {"monitors", std::move(monitors)},
                                     {"series", std::move(series)}};
    return snapshot.dump();
}

}  // namespace recdeck::experiments

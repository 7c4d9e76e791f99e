#include "recdeck/experiments/assignment.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <tuple>

namespace recdeck::experiments {

namespace {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

inline std::uint64_t fnvAdd(std::uint64_t h, std::string_view bytes) {
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= kFnvPrime;
    }
    return h;
}

inline std::uint64_t finalise(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

inline std::uint32_t toBucket(std::uint64_t h) {
    return static_cast<std::uint32_t>(h % kBuckets);
}

inline std::size_t rangeIndex(const std::vector<std::uint32_t>& ends, std::uint32_t bucket) {
    // k <= 16: a linear scan beats a binary search.
    std::size_t i = 0;
    while (i + 1 < ends.size() && bucket >= ends[i]) ++i;
    return i;
}

// --- sets of buckets as sorted, disjoint ranges ---

using Ranges = std::vector<TrafficRange>;

Ranges normalised(Ranges ranges) {
    ranges.erase(std::remove_if(ranges.begin(), ranges.end(), [](const TrafficRange& r) { return r.empty(); }),
                 ranges.end());
    std::sort(ranges.begin(), ranges.end(),
              [](const TrafficRange& a, const TrafficRange& b) { return a.begin < b.begin; });
    Ranges merged;
    for (const auto& r : ranges) {
        if (!merged.empty() && r.begin <= merged.back().end)
            merged.back().end = std::max(merged.back().end, r.end);
        else
            merged.push_back(r);
    }
    return merged;
}

std::uint32_t measure(const Ranges& ranges) {
    std::uint32_t total = 0;
    for (const auto& r : ranges) total += r.size();
    return total;
}

// a minus b (both normalised).
Ranges subtract(const Ranges& a, const Ranges& b) {
    Ranges out;
    for (TrafficRange piece : a) {
        for (const auto& cut : b) {
            if (cut.end <= piece.begin || cut.begin >= piece.end) continue;
            if (cut.begin > piece.begin) out.push_back({piece.begin, cut.begin});
            piece.begin = std::min(piece.end, cut.end);
            if (piece.empty()) break;
        }
        if (!piece.empty()) out.push_back(piece);
    }
    return out;
}

std::uint32_t overlapWith(const TrafficRange& window, const Ranges& ranges) {
    std::uint32_t total = 0;
    for (const auto& r : ranges) total += overlap(window, r);
    return total;
}

bool isRunning(const Experiment& e) {
    return e.state == ExperimentState::Running && e.variants.size() >= 2;
}

TrafficRange storedWindow(const Experiment& e) {
    const std::uint32_t begin = std::min(e.trafficBegin, kBuckets);
    const std::uint32_t end = std::min(std::max(e.trafficEnd, begin), kBuckets);
    return {begin, end};
}

// Running experiments of `all` in assignment order (startedAt, key), `skip` left out.
std::vector<const Experiment*> runningInOrder(const std::vector<Experiment>& all, std::string_view skip = {}) {
    std::vector<const Experiment*> running;
    for (const auto& e : all) {
        if (isRunning(e) && (skip.empty() || e.key != skip)) running.push_back(&e);
    }
    std::sort(running.begin(), running.end(), [](const Experiment* a, const Experiment* b) {
        return std::tie(a->startedAtMs, a->key) < std::tie(b->startedAtMs, b->key);
    });
    return running;
}

// The best window of `width` buckets that avoids `hard`: the fewest buckets shared with
// `soft`, then the lowest. nullopt when no such window fits.
std::optional<TrafficRange> fitWindow(std::uint32_t width, const Ranges& hard, const Ranges& soft) {
    if (width == 0 || width > kBuckets) return std::nullopt;
    std::vector<std::uint32_t> starts{0};
    for (const Ranges* set : {&hard, &soft}) {
        for (const auto& r : *set) {
            starts.push_back(r.end);
            if (r.begin >= width) starts.push_back(r.begin - width);
        }
    }
    std::sort(starts.begin(), starts.end());
    std::optional<TrafficRange> best;
    std::uint32_t bestCost = 0;
    for (const std::uint32_t s : starts) {
        if (s > kBuckets - width) continue;
        const TrafficRange window{s, s + width};
        if (overlapWith(window, hard) > 0) continue;
        const std::uint32_t cost = overlapWith(window, soft);
        if (!best || cost < bestCost) {
            best = window;
            bestCost = cost;
        }
    }
    return best;
}

// The largest range free of `hard` (the lowest of equal ones); empty when none.
TrafficRange largestGap(const Ranges& hard) {
    TrafficRange best;
    std::uint32_t cursor = 0;
    for (const auto& r : hard) {
        if (r.begin > cursor && r.begin - cursor > best.size()) best = {cursor, r.begin};
        cursor = std::max(cursor, r.end);
    }
    if (kBuckets > cursor && kBuckets - cursor > best.size()) best = {cursor, kBuckets};
    return best;
}

// The free range (of `hard`) containing `bucket`; empty when `bucket` is in `hard`.
TrafficRange gapAround(const Ranges& hard, std::uint32_t bucket) {
    std::uint32_t begin = 0;
    std::uint32_t end = kBuckets;
    for (const auto& r : hard) {
        if (r.begin <= bucket && bucket < r.end) return {};
        if (r.end <= bucket) begin = std::max(begin, r.end);
        if (r.begin > bucket) end = std::min(end, r.begin);
    }
    return {begin, end};
}

// Where an experiment of `width` buckets goes beside `hard` (conflicting) and `soft`
// (other running) windows in queue mode.
TrafficRange place(std::uint32_t width, const Ranges& hard, const Ranges& soft) {
    if (auto fitted = fitWindow(width, hard, soft)) return *fitted;
    return largestGap(hard);
}

}  // namespace

std::uint64_t assignmentHash(std::initializer_list<std::string_view> parts) {
    std::uint64_t h = kFnvOffset;
    for (const auto part : parts) h = fnvAdd(h, part);
    return finalise(h);
}

std::uint32_t bucketOf(std::string_view salt, std::string_view userId) {
    return toBucket(assignmentHash({salt, ":", userId}));
}

std::uint32_t trafficBucketOf(std::string_view userId) {
    return toBucket(assignmentHash({"traffic:", userId}));
}

std::vector<std::uint32_t> variantRangeEnds(const std::vector<double>& weights, std::uint32_t total) {
    std::vector<std::uint32_t> ends;
    ends.reserve(weights.size());
    double cumulative = 0.0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        cumulative += weights[i];
        double end = std::round(static_cast<double>(total) * cumulative);
        end = std::clamp(end, 0.0, static_cast<double>(total));
        ends.push_back(i + 1 == weights.size() ? total : static_cast<std::uint32_t>(end));
    }
    return ends;
}

// --- scope and conflicts ---

unsigned scopeOf(const Experiment& experiment) {
    unsigned scope = 0;
    for (const auto& v : experiment.variants) {
        if (!v.model.empty()) scope |= kScopeModel;
        if (v.ranking) scope |= kScopeRanking;
    }
    return scope == 0 ? (kScopeModel | kScopeRanking) : scope;
}

std::string scopeText(unsigned scope) {
    const bool model = (scope & kScopeModel) != 0;
    const bool ranking = (scope & kScopeRanking) != 0;
    if (model && ranking) return "the model and the ranking";
    if (model) return "the model";
    if (ranking) return "the ranking";
    return "nothing";
}

std::string conflictReason(const Experiment& a, const Experiment& b) {
    if (!a.layer.empty() && a.layer == b.layer) return "both are in layer '" + a.layer + "'";
    const unsigned shared = scopeOf(a) & scopeOf(b);
    if (shared == 0) return {};
    return "both set " + scopeText(shared);
}

// --- windows ---

std::uint32_t overlap(const TrafficRange& a, const TrafficRange& b) {
    const std::uint32_t begin = std::max(a.begin, b.begin);
    const std::uint32_t end = std::min(a.end, b.end);
    return end > begin ? end - begin : 0;
}

std::uint32_t EffectiveWindow::buckets() const {
    return measure(ranges);
}

std::vector<EffectiveWindow> effectiveWindows(const std::vector<Experiment>& experiments) {
    const auto order = runningInOrder(experiments);
    std::vector<EffectiveWindow> out;
    out.reserve(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        Ranges ranges = normalised({storedWindow(*order[i])});
        for (std::size_t j = 0; j < i && !ranges.empty(); ++j) {
            if (conflicts(*order[j], *order[i])) ranges = subtract(ranges, out[j].ranges);
        }
        out.push_back({order[i]->key, std::move(ranges)});
    }
    return out;
}

std::vector<TrafficShare> trafficShares(const std::vector<Experiment>& experiments) {
    const auto order = runningInOrder(experiments);
    const auto windows = effectiveWindows(experiments);
    std::vector<TrafficShare> out;
    out.reserve(order.size());
    Ranges servedSoFar;  // union of the effective windows of the experiments before
    for (std::size_t i = 0; i < order.size(); ++i) {
        TrafficShare share;
        share.key = order[i]->key;
        share.requested = order[i]->coverageBuckets();
        share.held = windows[i].buckets();
        share.served = measure(subtract(windows[i].ranges, servedSoFar));
        if (share.served < share.requested) {
            for (std::size_t j = 0; j < order.size(); ++j) {
                if (j == i || windows[j].ranges.empty()) continue;
                const bool conflicting = conflicts(*order[i], *order[j]);
                bool servesMine = false;
                if (j < i) {
                    for (const auto& r : windows[i].ranges)
                        servesMine = servesMine || overlapWith(r, windows[j].ranges) > 0;
                }
                if (conflicting || servesMine) share.heldBy.push_back(order[j]->key);
            }
        }
        Ranges all = servedSoFar;
        all.insert(all.end(), windows[i].ranges.begin(), windows[i].ranges.end());
        servedSoFar = normalised(std::move(all));
        out.push_back(std::move(share));
    }
    return out;
}

StartPlan planStart(const std::vector<Experiment>& experiments, const Experiment& candidate, StartMode mode) {
    const auto others = runningInOrder(experiments, candidate.key);
    Ranges hard;
    Ranges soft;
    StartPlan plan;
    for (const Experiment* other : others) {
        const std::string reason = conflictReason(candidate, *other);
        if (!reason.empty()) {
            hard.push_back(storedWindow(*other));
            plan.conflictsWith.emplace_back(other->key, reason);
        } else {
            soft.push_back(storedWindow(*other));
        }
    }
    hard = normalised(std::move(hard));
    soft = normalised(std::move(soft));
    const std::uint32_t width = candidate.coverageBuckets();
    plan.window = place(width, hard, soft);

    if (mode == StartMode::Share && plan.window.size() < width) {
        // The conflicting experiment with the largest window gives up its upper half.
        const Experiment* giver = nullptr;
        for (const Experiment* other : others) {
            if (!conflicts(candidate, *other)) continue;
            if (!giver || storedWindow(*other).size() > storedWindow(*giver).size()) giver = other;
        }
        if (giver && storedWindow(*giver).size() >= 2) {
            const TrafficRange given = storedWindow(*giver);
            Ranges rest;
            for (const Experiment* other : others) {
                if (other != giver && conflicts(candidate, *other)) rest.push_back(storedWindow(*other));
            }
            rest = normalised(std::move(rest));
            const std::uint32_t half = std::min(width, given.size() / 2);
            const TrafficRange gap = gapAround(rest, given.end - 1);
            if (!gap.empty()) {
                const std::uint32_t begin = std::max(gap.begin, given.end - half);
                const TrafficRange window{begin, std::min(gap.end, begin + width)};
                if (window.size() > plan.window.size() && begin > given.begin) {
                    plan.window = window;
                    plan.shrunk = giver->key;
                    plan.shrunkKeeps = {given.begin, std::min(given.end, begin)};
                }
            }
        }
    }

    // The shares right after the start: the candidate runs last in assignment order.
    std::vector<Experiment> after;
    after.reserve(others.size() + 1);
    std::int64_t latest = 0;
    for (const Experiment* other : others) {
        after.push_back(*other);
        if (plan.shrunk && other->key == *plan.shrunk) {
            after.back().trafficBegin = plan.shrunkKeeps.begin;
            after.back().trafficEnd = plan.shrunkKeeps.end;
        }
        latest = std::max(latest, other->startedAtMs);
    }
    Experiment started = candidate;
    started.state = ExperimentState::Running;
    started.startedAtMs = std::max(candidate.startedAtMs, latest + 1);
    started.trafficBegin = plan.window.begin;
    started.trafficEnd = plan.window.end;
    after.push_back(std::move(started));
    for (auto& share : trafficShares(after)) {
        if (share.key == candidate.key)
            plan.share = share;
        else if (plan.shrunk && share.key == *plan.shrunk)
            plan.shrunkShare = share;
    }
    return plan;
}

std::vector<std::pair<std::string, TrafficRange>> planTopUps(const std::vector<Experiment>& experiments) {
    std::vector<Experiment> working;
    for (const Experiment* e : runningInOrder(experiments)) working.push_back(*e);
    std::vector<std::pair<std::string, TrafficRange>> changes;
    for (std::size_t i = 0; i < working.size(); ++i) {
        Experiment& self = working[i];
        const std::uint32_t width = self.coverageBuckets();
        const TrafficRange current = storedWindow(self);
        if (current.size() >= width) continue;
        Ranges hard;
        Ranges soft;
        for (std::size_t j = 0; j < working.size(); ++j) {
            if (j == i) continue;
            (conflicts(self, working[j]) ? hard : soft).push_back(storedWindow(working[j]));
        }
        hard = normalised(std::move(hard));
        soft = normalised(std::move(soft));
        TrafficRange next;
        if (current.empty()) {
            next = place(width, hard, soft);
        } else {
            if (overlapWith(current, hard) > 0) continue;  // left by a race; clipped until it stops
            const TrafficRange room = gapAround(hard, current.begin);
            next.end = std::min(room.end, current.begin + width);
            next.begin = std::max(room.begin, next.end >= width ? next.end - width : 0);
            next.begin = std::min(next.begin, current.begin);
        }
        if (next.size() <= current.size()) continue;
        self.trafficBegin = next.begin;
        self.trafficEnd = next.end;
        changes.emplace_back(self.key, next);
    }
    return changes;
}

// --- assignment ---

bool AssignmentTable::Entry::holds(std::uint32_t trafficBucket) const {
    for (const auto& r : ranges) {
        if (trafficBucket >= r.begin && trafficBucket < r.end) return true;
    }
    return false;
}

AssignmentTable::AssignmentTable(const std::vector<Experiment>& experiments) {
    const auto order = runningInOrder(experiments);
    auto windows = effectiveWindows(experiments);
    m_entries.reserve(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        const Experiment& e = *order[i];
        Entry entry;
        entry.key = e.key;
        entry.salt = e.salt;
        entry.startedAtMs = e.startedAtMs;
        entry.variants = e.variants;
        entry.ranges = std::move(windows[i].ranges);
        entry.variantEnds = variantRangeEnds(e.effectiveWeights(), kBuckets);
        m_entries.push_back(std::move(entry));
    }
}

namespace {
Assignment makeAssignment(const AssignmentTable::Entry& entry, std::string_view userId) {
    const std::size_t index = rangeIndex(entry.variantEnds, bucketOf(entry.salt, userId));
    const Variant& v = entry.variants[index];
    return Assignment{entry.key, v.name, v.model, v.ranking, index};
}
}  // namespace

std::optional<Assignment> AssignmentTable::assign(std::string_view userId) const {
    if (m_entries.empty()) return std::nullopt;
    const std::uint32_t traffic = trafficBucketOf(userId);
    for (const auto& entry : m_entries) {
        if (entry.holds(traffic)) return makeAssignment(entry, userId);
    }
    return std::nullopt;
}

std::vector<Assignment> AssignmentTable::assignAll(std::string_view userId) const {
    std::vector<Assignment> all;
    if (m_entries.empty()) return all;
    const std::uint32_t traffic = trafficBucketOf(userId);
    for (const auto& entry : m_entries) {
        if (entry.holds(traffic)) all.push_back(makeAssignment(entry, userId));
    }
    return all;
}

}  // namespace recdeck::experiments

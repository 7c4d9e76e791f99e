#pragma once
// Deterministic assignment of users to experiment variants, and the rule that decides
// which running experiments may share users. Any other implementation (another service,
// an analysis notebook) reproduces it from the stored definitions with the rules below.
//
// Hash. H(s) for a byte string s is FNV-1a 64 followed by the SplitMix64 finaliser:
//     h = 0xcbf29ce484222325
//     for each byte c of s:  h = (h XOR c) * 0x100000001b3            (mod 2^64)
//     h = (h XOR (h >> 30)) * 0xbf58476d1ce4e5b9
//     h = (h XOR (h >> 27)) * 0x94d049bb133111eb
//     h =  h XOR (h >> 31)
// (FNV-1a alone mixes its last bytes poorly into the low digits; the finaliser spreads
// every input bit over the whole word.)
//
// Buckets (kBuckets = 10,000; the modulo bias of 2^64 mod 10,000 is below 1e-15):
//     trafficBucket(user)      = H("traffic:" + userId) mod 10,000   one per deployment
//     bucket(experiment, user) = H(salt + ":" + userId) mod 10,000   one per experiment
// The traffic bucket decides *whether* a user is in an experiment, the experiment's own
// bucket *which variant*; the two are independent, so an experiment's variants stay
// balanced whichever part of the traffic it holds.
//
// Variant ranges. For weights w_1..w_k (experiment.h effectiveWeights(), summing to 1)
// variant i owns the experiment buckets [end_{i-1}, end_i) with
//     end_0 = 0,  end_i = round(10,000 * (w_1 + ... + w_i))  (sum accumulated left to right
//     in IEEE double, round half away from zero),  end_k = 10,000.
//
// What an experiment sets (scopeOf): the model when any variant names one, the ranking
// when any variant has ranking parameters. An experiment that sets neither (an A/A test)
// measures the default serving as a whole and is treated as setting both.
//
// Conflict (conflictReason): two experiments conflict when they set the same thing (both
// the model, or both the ranking), or when they name the same layer (a layer is an
// explicit exclusion group). Conflicting experiments are mutually exclusive; experiments
// that set different things may share users.
//
// Windows. A running experiment holds one window [trafficBegin, trafficEnd) of the traffic
// buckets (experiment.h), chosen when it starts (planStart) and stored with it, so every
// instance reads the same windows from the shared definitions:
//   - it wants C = round(coverage * 10,000) buckets and never overlaps the window of a
//     running experiment it conflicts with; among the places that fit it takes the one
//     overlapping the fewest buckets of other running experiments, then the lowest;
//   - when C buckets do not fit it takes the largest free gap (a partial share) or, when
//     none is left, an empty window: it runs but waits for users ("queue");
//   - StartMode::Share instead takes half of the largest conflicting window (the owner
//     keeps the lower half) plus the free buckets right after it, at most C: the traffic
//     is split on purpose, and the shrunk experiment says so;
//   - when a running experiment stops, every running experiment holding less than its C
//     grows into the freed buckets next to its window (an empty one is placed afresh),
//     in assignment order (planTopUps): users only join, nobody changes variant.
// Effective windows (what assignment uses) are the stored windows processed in assignment
// order, each minus the effective windows of the earlier experiments it conflicts with,
// so two instances racing to start conflicting experiments can never both serve a user
// (the later one just gets less until the next top-up).
//
// One variant per request. The service answers a request with one variant, so a user in
// several running experiments (which then set different things) is served -- and counted
// -- by the first of them in assignment order (startedAt, then key). Placement avoids
// sharing while there is room; trafficShares() reports what each experiment really gets.
//
// Thompson mode: the effective weights are recomputed from the live results (bandit.h)
// at most every banditInterval (experiment_registry.h), so the ranges move and a user may
// switch variants between recomputations. Results of such an experiment count a user in
// every variant they were shown.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/experiments/experiment.h"

namespace recdeck::experiments {

// H above over the concatenation of the parts (no separator added).
std::uint64_t assignmentHash(std::initializer_list<std::string_view> parts);
// H(salt + ":" + userId) mod kBuckets.
std::uint32_t bucketOf(std::string_view salt, std::string_view userId);
// H("traffic:" + userId) mod kBuckets.
std::uint32_t trafficBucketOf(std::string_view userId);
// end_1..end_k of the variant ranges over `total` buckets (see above).
std::vector<std::uint32_t> variantRangeEnds(const std::vector<double>& weights, std::uint32_t total);

// --- what experiments set, and which may share users ---

enum ScopeBits : unsigned { kScopeModel = 1u, kScopeRanking = 2u };
// kScopeModel | kScopeRanking bits; an experiment that sets neither counts as both.
unsigned scopeOf(const Experiment& experiment);
// "the model", "the ranking" or "the model and the ranking".
std::string scopeText(unsigned scope);
// Why a and b cannot share users ("both set the model", "both are in layer 'home'"), or
// "" when they may.
std::string conflictReason(const Experiment& a, const Experiment& b);
inline bool conflicts(const Experiment& a, const Experiment& b) {
    return !conflictReason(a, b).empty();
}

// --- windows of the traffic space ---

struct TrafficRange {
    std::uint32_t begin = 0;  // [begin, end) of the traffic buckets
    std::uint32_t end = 0;
    std::uint32_t size() const { return end > begin ? end - begin : 0; }
    bool empty() const { return size() == 0; }
    bool operator==(const TrafficRange&) const = default;
};
std::uint32_t overlap(const TrafficRange& a, const TrafficRange& b);

// What one running experiment gets (or a draft would get right after its start).
struct TrafficShare {
    std::string key;
    std::uint32_t requested = 0;  // its coverage in buckets
    std::uint32_t held = 0;       // buckets of its effective window
    std::uint32_t served = 0;     // of those, served by it (no earlier experiment serves them)
    // When served < requested: the running experiments holding traffic it cannot have
    // (those it conflicts with, and earlier ones sharing its window), in assignment order.
    std::vector<std::string> heldBy;
    double fraction() const { return static_cast<double>(served) / static_cast<double>(kBuckets); }
    double requestedFraction() const { return static_cast<double>(requested) / static_cast<double>(kBuckets); }
    bool waiting() const { return served == 0; }
};

// The effective windows (see Windows) of every running experiment, in assignment order.
struct EffectiveWindow {
    std::string key;
    std::vector<TrafficRange> ranges;  // sorted, disjoint
    std::uint32_t buckets() const;
};
std::vector<EffectiveWindow> effectiveWindows(const std::vector<Experiment>& experiments);

// What each running experiment of `experiments` gets, in assignment order.
std::vector<TrafficShare> trafficShares(const std::vector<Experiment>& experiments);

enum class StartMode {
    Queue,  // take what is free; wait for users when nothing is
    Share,  // when what is free is less than the coverage, take half of a conflicting window
};

struct StartPlan {
    TrafficRange window;  // the window the experiment will hold
    // Share mode: the running experiment giving up part of its window, and what it keeps.
    std::optional<std::string> shrunk;
    TrafficRange shrunkKeeps;
    // What the experiment will get right after the start, and what the shrunk one keeps.
    TrafficShare share;
    std::optional<TrafficShare> shrunkShare;
    // Running experiments it conflicts with, each with the reason (for the start dialog).
    std::vector<std::pair<std::string, std::string>> conflictsWith;
};
// Where `candidate` (not running; its key may be in `experiments`) goes if it starts now
// beside the running experiments of `experiments`.
StartPlan planStart(const std::vector<Experiment>& experiments, const Experiment& candidate,
                    StartMode mode = StartMode::Queue);

// Running experiments holding less than their coverage that can grow now, with their new
// windows, in assignment order (each accounts for the growth of the ones before it).
std::vector<std::pair<std::string, TrafficRange>> planTopUps(const std::vector<Experiment>& experiments);

// --- assignment ---

// The variant a user is served under.
struct Assignment {
    std::string experiment;                 // key
    std::string variant;                    // name
    std::string model;                      // "" = the default model
    std::optional<VariantRanking> ranking;  // nullopt = the default ranking
    std::size_t variantIndex = 0;           // 0 = control
};

// An immutable view of the running experiments, in assignment order (startedAt, key).
// Built by the registry on every change and swapped atomically; assignment reads it
// without locks.
class AssignmentTable {
public:
    struct Entry {
        std::string key;
        std::string salt;
        std::vector<TrafficRange> ranges;  // the effective window
        std::vector<std::uint32_t> variantEnds;
        std::vector<Variant> variants;
        std::int64_t startedAtMs = 0;
        bool holds(std::uint32_t trafficBucket) const;
    };

    AssignmentTable() = default;
    // From every Running experiment of `experiments` (others are ignored).
    explicit AssignmentTable(const std::vector<Experiment>& experiments);

    // The first running experiment the user is in (see "One variant per request").
    std::optional<Assignment> assign(std::string_view userId) const;
    // Every running experiment the user is in, in assignment order.
    std::vector<Assignment> assignAll(std::string_view userId) const;

    const std::vector<Entry>& entries() const { return m_entries; }

private:
    std::vector<Entry> m_entries;
};

}  // namespace recdeck::experiments

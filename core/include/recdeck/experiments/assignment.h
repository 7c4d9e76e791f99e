#pragma once
// Deterministic assignment of users to experiment variants. Any other implementation
// (another service, an analysis notebook) reproduces it from the stored definitions with
// the rules below.
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
//     bucket(experiment, user) = H(salt + ":" + userId) mod 10,000
//     layerBucket(layer, user) = H("layer:" + layer + ":" + userId) mod 10,000
//
// Variant ranges. For T buckets and effective weights w_1..w_k (experiment.h
// effectiveWeights(), summing to 1) variant i owns [end_{i-1}, end_i) with
//     end_0 = 0,  end_i = round(T * (w_1 + ... + w_i))  (sum accumulated left to right in
//     IEEE double, round half away from zero),  end_k = T.
//
// Who is in, and in which variant:
//   - Own layer (layer ""): C = round(coverage * 10,000). The user is in when
//     bucket < C; the variant comes from the ranges over T = C applied to bucket.
//   - Named layer L: the experiment owns layer buckets [layerStart, layerEnd) (C wide,
//     the first free range of L when it started; experiment.h). The user is in when
//     layerBucket(L, user) falls in that range; the variant comes from the ranges over
//     T = 10,000 applied to bucket(experiment, user), which is independent of the layer
//     bucket. Experiments of one layer own disjoint ranges, so they never share a user.
//   - Experiments in different layers hash independently: a user can be in several.
//
// One variant per request. The service serves one variant, so when a user is in several
// running experiments assign() returns the one that started first (earliest startedAt,
// then key). Consequently a later experiment only ever sees the users the earlier ones
// leave it; its own variants stay balanced, because its hash is independent of theirs.
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
// H("layer:" + layer + ":" + userId) mod kBuckets.
std::uint32_t layerBucketOf(std::string_view layer, std::string_view userId);
// end_1..end_k of the variant ranges over `total` buckets (see above).
std::vector<std::uint32_t> variantRangeEnds(const std::vector<double>& weights, std::uint32_t total);

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
        std::string layer;
        std::uint32_t rangeBegin = 0;  // own layer: [0, C) of the bucket; named: of the layer bucket
        std::uint32_t rangeEnd = 0;
        std::uint32_t variantTotal = 0;  // T
        std::vector<std::uint32_t> variantEnds;
        std::vector<Variant> variants;
        std::int64_t startedAtMs = 0;
    };

    AssignmentTable() = default;
    // From every Running experiment of `experiments` (others are ignored).
    explicit AssignmentTable(const std::vector<Experiment>& experiments);

    // The first running experiment the user is in (see "One variant per request").
    std::optional<Assignment> assign(std::string_view userId) const;
    // Every running experiment the user is in, in assignment order.
    std::vector<Assignment> assignAll(std::string_view userId) const;
    // The variant index of the user in one entry, or nullopt when not in it.
    static std::optional<std::size_t> variantOf(const Entry& entry, std::string_view userId);

    const std::vector<Entry>& entries() const { return m_entries; }

private:
    std::vector<Entry> m_entries;
};

}  // namespace recdeck::experiments

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

}  // namespace

std::uint64_t assignmentHash(std::initializer_list<std::string_view> parts) {
    std::uint64_t h = kFnvOffset;
    for (const auto part : parts) h = fnvAdd(h, part);
    return finalise(h);
}

std::uint32_t bucketOf(std::string_view salt, std::string_view userId) {
    return toBucket(assignmentHash({salt, ":", userId}));
}

std::uint32_t layerBucketOf(std::string_view layer, std::string_view userId) {
    return toBucket(assignmentHash({"layer:", layer, ":", userId}));
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

AssignmentTable::AssignmentTable(const std::vector<Experiment>& experiments) {
    std::vector<const Experiment*> running;
    for (const auto& e : experiments) {
        if (e.state == ExperimentState::Running && e.variants.size() >= 2) running.push_back(&e);
    }
    std::sort(running.begin(), running.end(), [](const Experiment* a, const Experiment* b) {
        return std::tie(a->startedAtMs, a->key) < std::tie(b->startedAtMs, b->key);
    });
    m_entries.reserve(running.size());
    for (const Experiment* e : running) {
        Entry entry;
        entry.key = e->key;
        entry.salt = e->salt;
        entry.layer = e->layer;
        entry.startedAtMs = e->startedAtMs;
        entry.variants = e->variants;
        if (e->layer.empty()) {
            entry.rangeBegin = 0;
            entry.rangeEnd = e->coverageBuckets();
            entry.variantTotal = entry.rangeEnd;
        } else {
            entry.rangeBegin = e->layerStart;
            entry.rangeEnd = e->layerEnd;
            entry.variantTotal = kBuckets;
        }
        entry.variantEnds = variantRangeEnds(e->effectiveWeights(), entry.variantTotal);
        m_entries.push_back(std::move(entry));
    }
}

std::optional<std::size_t> AssignmentTable::variantOf(const Entry& entry, std::string_view userId) {
    const std::uint32_t bucket = bucketOf(entry.salt, userId);
    if (entry.layer.empty()) {
        if (bucket >= entry.rangeEnd) return std::nullopt;
    } else {
        const std::uint32_t layerBucket = layerBucketOf(entry.layer, userId);
        if (layerBucket < entry.rangeBegin || layerBucket >= entry.rangeEnd) return std::nullopt;
    }
    return rangeIndex(entry.variantEnds, bucket);
}

namespace {
Assignment makeAssignment(const AssignmentTable::Entry& entry, std::size_t index) {
    const Variant& v = entry.variants[index];
    return Assignment{entry.key, v.name, v.model, v.ranking, index};
}
}  // namespace

std::optional<Assignment> AssignmentTable::assign(std::string_view userId) const {
    for (const auto& entry : m_entries) {
        if (auto index = variantOf(entry, userId)) return makeAssignment(entry, *index);
    }
    return std::nullopt;
}

std::vector<Assignment> AssignmentTable::assignAll(std::string_view userId) const {
    std::vector<Assignment> all;
    for (const auto& entry : m_entries) {
        if (auto index = variantOf(entry, userId)) all.push_back(makeAssignment(entry, *index));
    }
    return all;
}

}  // namespace recdeck::experiments

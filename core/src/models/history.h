#pragma once
// Helpers shared by the models for reading a UserContext's history. Internal.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "recdeck/data/id_map.h"

namespace recdeck::models::detail {

// The history as a sorted, duplicate-free list of items < itemCount. Returns `history`
// itself when it already is one (the common case: a training row), else a copy in
// `scratch`.
inline std::span<const data::Index> cleanHistory(std::span<const data::Index> history, std::size_t itemCount,
                                                 std::vector<data::Index>& scratch) {
    bool clean = true;
    for (std::size_t i = 0; i < history.size() && clean; ++i) {
        clean = history[i] < itemCount && (i == 0 || history[i - 1] < history[i]);
    }
    if (clean) return history;
    scratch.clear();
    for (data::Index item : history) {
        if (item < itemCount) scratch.push_back(item);
    }
    std::sort(scratch.begin(), scratch.end());
    scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
    return scratch;
}

// Order-sensitive 64-bit hash of a clean history (FNV-1a over the indices), used to tell
// whether a user's history still equals their training row.
inline std::uint64_t historyHash(std::span<const data::Index> clean) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (data::Index item : clean) {
        for (int shift = 0; shift < 32; shift += 8) {
            h ^= (item >> shift) & 0xFFU;
            h *= 0x100000001b3ULL;
        }
    }
    return h ^ clean.size();
}

}  // namespace recdeck::models::detail

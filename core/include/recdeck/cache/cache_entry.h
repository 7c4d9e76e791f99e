#pragma once
// What the recommendation cache stores: an opaque payload (the serving layer's encoded
// list) plus what the cache itself needs to expire, refresh and invalidate it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"

namespace recdeck::cache {

// Identifies one cached list. All of one user's entries are invalidated together, so the
// user is a separate part; `variant` holds everything else that shapes the list (n,
// model and version, experiment variant, ranking parameters) as one opaque string.
struct CacheKey {
    std::string user;
    std::string variant;
    std::string model;  // model name, for invalidation by model
};

// The payload as its owner decoded it (the serving layer's list), kept with the entry in
// L1 so a hit does not decode again. It says what it holds, so L1's byte limit counts it.
class DecodedPayload {
public:
    virtual ~DecodedPayload() = default;
    // Heap bytes held, this object (and its make_shared block) included. It may grow
    // after the entry entered L1 (a memo rendered on first use): L1 measures again on
    // every hit. Called concurrently; must be cheap (no allocation).
    virtual std::size_t footprint() const = 0;

protected:
    DecodedPayload() = default;
    DecodedPayload(const DecodedPayload&) = default;
    DecodedPayload& operator=(const DecodedPayload&) = default;
};

struct CacheEntry {
    std::string payload;                // opaque to the cache
    std::vector<std::string> items;     // item ids in the list, for invalidation by item
    std::string model;                  // model name the list was computed with
    std::int64_t createdUs = 0;         // wall clock, µs since the epoch (orders invalidations)
    std::int64_t expiresMs = 0;         // wall clock, ms since the epoch
    double computeMs = 0.0;             // how long computing it took (XFetch's delta)
    std::uint64_t generation = 0;       // cache-wide generation when computed
    std::uint64_t modelGeneration = 0;  // the model's generation when computed
    // The payload decoded by its owner (never encoded for L2). Set by the compute
    // function, or by the decoder (TieredCache::setDecoder) when an entry comes up from
    // L2. An L1 entry that has it keeps no payload (the payload is only for L2, written
    // before the entry enters L1), so a list is not held twice.
    std::shared_ptr<const DecodedPayload> decoded;

    // Heap bytes held (heap_size.h): the entry in its make_shared block, its strings and
    // the decoded form. What L1's byte limit counts.
    std::size_t footprint() const;
};

// Compact binary form for L2 (versioned; decode rejects anything else with an error).
std::string encodeEntry(const CacheEntry& entry);
Result<CacheEntry> decodeEntry(std::string_view bytes);

enum class Tier { L1, L2, Compute };
// "l1", "l2", "compute".
const char* tierName(Tier tier);

}  // namespace recdeck::cache

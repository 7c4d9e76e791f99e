#include "recdeck/cache/cache_entry.h"

#include "recdeck/common/byte_codec.h"
#include "recdeck/common/heap_size.h"

#include <cstring>

namespace recdeck::cache {

namespace {

constexpr std::uint8_t kFormatVersion = 1;

}  // namespace

std::size_t CacheEntry::footprint() const {
    std::size_t bytes =
        sizeof(CacheEntry) + kSharedControlBytes + heapBytes(payload) + heapBytes(model) + heapBytes(items);
    if (decoded) bytes += decoded->footprint();
    return bytes;
}

std::string encodeEntry(const CacheEntry& entry) {
    std::string out;
    out.reserve(64 + entry.payload.size() + entry.items.size() * 16);
    out.push_back(static_cast<char>(kFormatVersion));
    appendU64(out, static_cast<std::uint64_t>(entry.createdUs));
    appendU64(out, static_cast<std::uint64_t>(entry.expiresMs));
    std::uint64_t computeBits = 0;
    static_assert(sizeof(double) == sizeof(std::uint64_t));
    std::memcpy(&computeBits, &entry.computeMs, sizeof computeBits);
    appendU64(out, computeBits);
    appendU64(out, entry.generation);
    appendU64(out, entry.modelGeneration);
    appendString(out, entry.model);
    appendU64(out, entry.items.size());
    for (const auto& item : entry.items) appendString(out, item);
    appendString(out, entry.payload);
    return out;
}

Result<CacheEntry> decodeEntry(std::string_view bytes) {
    ByteReader reader(bytes);
    std::uint8_t version = 0;
    if (!reader.byte(version) || version != kFormatVersion) {
        return Error{"cache entry has unknown format version " + std::to_string(version)};
    }
    CacheEntry entry;
    std::uint64_t created = 0;
    std::uint64_t expires = 0;
    std::uint64_t computeBits = 0;
    std::uint64_t itemCount = 0;
    bool ok = reader.u64(created) && reader.u64(expires) && reader.u64(computeBits) && reader.u64(entry.generation) &&
              reader.u64(entry.modelGeneration) && reader.string(entry.model) && reader.u64(itemCount) &&
              itemCount <= bytes.size();
    if (ok) {
        entry.items.resize(itemCount);
        for (auto& item : entry.items) ok = ok && reader.string(item);
    }
    ok = ok && reader.string(entry.payload) && reader.atEnd();
    if (!ok) return Error{"cache entry is truncated or corrupted"};
    entry.createdUs = static_cast<std::int64_t>(created);
    entry.expiresMs = static_cast<std::int64_t>(expires);
    std::memcpy(&entry.computeMs, &computeBits, sizeof computeBits);
    return entry;
}

const char* tierName(Tier tier) {
    switch (tier) {
        case Tier::L1:
            return "l1";
        case Tier::L2:
            return "l2";
        case Tier::Compute:
            return "compute";
    }
    return "compute";
}

}  // namespace recdeck::cache

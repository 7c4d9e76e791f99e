#pragma once
// Internal to the data module: the dense numbering of one file's ids while it is read.
// Lookups bound import speed once a file has more ids than fit in cache (millions of
// rows), so: ids that are canonical decimal integers below kDirectLimit (MovieLens, most
// exports) index a flat array directly; other ids go through open addressing over a flat
// slot array with the ids stored back to back (two cache lines per lookup instead of the
// three or four of a node-based map). "007" is not canonical and keeps its own identity.
// The ids are merged into the Dataset's IdMaps once per distinct id. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/data/id_map.h"

namespace recdeck::data::detail {

class IdInterner {
public:
    IdInterner();

    // The index of `id` in first-seen order, assigned now if it is new.
    Index intern(std::string_view id);
    std::string_view id(Index index) const {
        return {m_chars.data() + m_offsets[index], m_offsets[index + 1] - m_offsets[index]};
    }
    std::size_t size() const { return m_offsets.size() - 1; }

    // Integer ids up to this value use the direct table (at most 16 MiB of it).
    static constexpr std::uint32_t kDirectLimit = 1U << 22;

private:
    Index internHashed(std::string_view id);
    Index append(std::string_view id);
    void grow();

    std::string m_chars;                 // every id, back to back
    std::vector<std::size_t> m_offsets;  // id i is m_chars[m_offsets[i], m_offsets[i + 1])
    std::vector<std::uint64_t> m_slots;  // 0 = empty, else (hash tag << 32) | (index + 1)
    std::size_t m_mask = 0;
    std::size_t m_hashed = 0;     // ids in m_slots
    std::vector<Index> m_direct;  // integer value -> index, kNoIndex when unseen
};

}  // namespace recdeck::data::detail

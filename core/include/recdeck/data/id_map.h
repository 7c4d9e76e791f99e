#pragma once
// IdMap: a stable, dense numbering of external string ids (user ids, item ids, category
// names). Indices are assigned in first-seen order and never change, so a saved model or
// event log can refer to them. Not thread-safe for writes; concurrent reads are fine.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace recdeck::data {

using Index = std::uint32_t;
inline constexpr Index kNoIndex = std::numeric_limits<Index>::max();

class IdMap {
public:
    // The index of `id`, assigned now if it is new.
    Index intern(std::string_view id);
    std::optional<Index> find(std::string_view id) const;
    bool contains(std::string_view id) const { return find(id).has_value(); }
    // The external id of an index; index must be < size().
    const std::string& id(Index index) const { return m_ids[index]; }
    std::size_t size() const { return m_ids.size(); }
    bool empty() const { return m_ids.empty(); }
    const std::vector<std::string>& ids() const { return m_ids; }
    void reserve(std::size_t n);
    void clear();

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::vector<std::string> m_ids;
    std::unordered_map<std::string, Index, Hash, std::equal_to<>> m_index;
};

}  // namespace recdeck::data

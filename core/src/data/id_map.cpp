#include "recdeck/data/id_map.h"

#include <cassert>

namespace recdeck::data {

Index IdMap::intern(std::string_view id) {
    if (auto it = m_index.find(id); it != m_index.end()) return it->second;
    assert(m_ids.size() < kNoIndex);
    const auto index = static_cast<Index>(m_ids.size());
    m_ids.emplace_back(id);
    m_index.emplace(m_ids.back(), index);
    return index;
}

std::optional<Index> IdMap::find(std::string_view id) const {
    if (auto it = m_index.find(id); it != m_index.end()) return it->second;
    return std::nullopt;
}

void IdMap::reserve(std::size_t n) {
    m_ids.reserve(n);
    m_index.reserve(n);
}

void IdMap::clear() {
    m_ids.clear();
    m_index.clear();
}

}  // namespace recdeck::data

#pragma once
// Catalog: the items (ids, titles, categories) and the category vocabulary. Item indices
// are shared with the interactions of the same Dataset.

#include <string>
#include <string_view>
#include <vector>

#include "recdeck/data/id_map.h"

namespace recdeck::data {

struct ItemInfo {
    std::string title;              // empty when unknown; displayName() falls back to the id
    std::vector<Index> categories;  // indices into Catalog::categories(), sorted, unique
    std::int64_t releasedAt = 0;    // seconds since the epoch, 0 when unknown (item age)
    bool described = false;         // true once an items file (or the generator) described it
};

class Catalog {
public:
    // Index of the item, created (undescribed) when new.
    Index addItem(std::string_view id);
    // Sets title and category names of an item (created when new).
    Index describeItem(std::string_view id, std::string title, const std::vector<std::string>& categoryNames);

    IdMap& items() { return m_items; }
    const IdMap& items() const { return m_items; }
    const IdMap& categories() const { return m_categories; }
    Index addCategory(std::string_view name) { return m_categories.intern(name); }

    std::size_t size() const { return m_items.size(); }
    const ItemInfo& info(Index item) const { return m_info[item]; }
    ItemInfo& info(Index item) { return m_info[item]; }
    // Title when known, the external id otherwise.
    std::string_view displayName(Index item) const;
    // Number of described items (those an items file or generator gave metadata for).
    std::size_t describedCount() const;
    bool hasCategories() const { return !m_categories.empty(); }

private:
    IdMap m_items;
    IdMap m_categories;
    std::vector<ItemInfo> m_info;  // parallel to m_items
};

}  // namespace recdeck::data

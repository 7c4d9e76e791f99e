#include "recdeck/data/catalog.h"

#include <algorithm>

namespace recdeck::data {

Index Catalog::addItem(std::string_view id) {
    const Index index = m_items.intern(id);
    if (m_info.size() < m_items.size()) m_info.resize(m_items.size());
    return index;
}

Index Catalog::describeItem(std::string_view id, std::string title, const std::vector<std::string>& categoryNames) {
    const Index index = addItem(id);
    ItemInfo& item = m_info[index];
    item.title = std::move(title);
    item.categories.clear();
    for (const auto& name : categoryNames) item.categories.push_back(m_categories.intern(name));
    std::sort(item.categories.begin(), item.categories.end());
    item.categories.erase(std::unique(item.categories.begin(), item.categories.end()), item.categories.end());
    item.described = true;
    return index;
}

std::string_view Catalog::displayName(Index item) const {
    const ItemInfo& info = m_info[item];
    return info.title.empty() ? std::string_view(m_items.id(item)) : std::string_view(info.title);
}

std::size_t Catalog::describedCount() const {
    return static_cast<std::size_t>(
        std::count_if(m_info.begin(), m_info.end(), [](const ItemInfo& i) { return i.described; }));
}

}  // namespace recdeck::data

#include "recdeck/data/dataset.h"

namespace recdeck::data {

Index Dataset::addInteraction(std::string_view user, std::string_view item, float rating, std::int64_t timestamp) {
    Interaction row;
    row.user = users.intern(user);
    row.item = catalog.addItem(item);
    row.rating = rating;
    row.timestamp = timestamp;
    interactions.push_back(row);
    return row.item;
}

}  // namespace recdeck::data

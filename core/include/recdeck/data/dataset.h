#pragma once
// Dataset: users, the catalog and the interaction log, all in one index space.
// Every interaction counts as implicit positive feedback; rating and timestamp are kept
// for models that use them (time decay) and for exports.

#include <cstdint>
#include <vector>

#include "recdeck/data/catalog.h"
#include "recdeck/data/id_map.h"

namespace recdeck::data {

struct Interaction {
    Index user = kNoIndex;
    Index item = kNoIndex;
    float rating = 1.0F;         // explicit rating when the source has one, else 1
    std::int64_t timestamp = 0;  // seconds since the Unix epoch, 0 when unknown
};

struct Dataset {
    IdMap users;
    Catalog catalog;
    std::vector<Interaction> interactions;

    Index addInteraction(std::string_view user, std::string_view item, float rating, std::int64_t timestamp);
};

}  // namespace recdeck::data

// Fuzz target: values RecDeck reads back from the shared store, which another instance
// (or anyone who can write to the Redis) may have written: cache entries (L2), cached
// recommendation lists, cached user and item feature records, history members and keys.
// The first byte picks the kind; the rest is the value.
// Invariants: no crash and no exception escapes; a value that decodes re-encodes to the
// same bytes; features built from any stored record only name items and users of the
// catalog (indices in range), so nothing downstream reads out of bounds.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "recdeck/cache/cache_entry.h"
#include "recdeck/data/synthetic_world.h"
#include "recdeck/features/feature_store.h"
#include "recdeck/serving/recommendation.h"
#include "recdeck/store/key_value_store.h"
#include "recdeck/store/memory_store.h"

namespace {

using namespace recdeck;

struct World {
    std::shared_ptr<data::SyntheticWorld> world;
    features::BaseData base;
};

const World& world() {
    static const World w = [] {
        data::WorldConfig config;
        config.users = 20;
        config.items = 30;
        config.categories = 4;
        config.seed = 3;
        World out;
        out.world = std::make_shared<data::SyntheticWorld>(config);
        out.base.dataset = std::shared_ptr<const data::Dataset>(out.world, &out.world->dataset());
        out.base.matrix =
            std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(out.world->dataset()));
        return out;
    }();
    return w;
}

void checkUser(const features::UserFeatures& f) {
    const auto& base = world().base;
    for (auto i : f.history) FUZZ_CHECK(i < base.matrix->itemCount());
    for (auto i : f.owned) FUZZ_CHECK(i < base.matrix->itemCount());
    if (f.trainedUser) FUZZ_CHECK(*f.trainedUser < base.matrix->userCount());
    double share = 0;
    for (const auto& c : f.categoryAffinity) share += c.share;
    FUZZ_CHECK(f.categoryAffinity.empty() || (share > 0.99 && share < 1.01));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 7) {
        case 0: {  // an L2 cache entry
            auto entry = cache::decodeEntry(value);
            if (entry) FUZZ_CHECK(cache::encodeEntry(*entry) == value);
            break;
        }
        case 1: {  // a cached recommendation list
            auto list = serving::decodeList(value);
            if (list) {
                FUZZ_CHECK(serving::encodeList(**list) == value);
                FUZZ_CHECK((*list)->footprint() >= sizeof(serving::RecommendationList));
            }
            break;
        }
        case 2:    // a user feature record, cached by another instance
        case 3: {  // the same user also known to training
            auto store = std::make_shared<store::MemoryStore>();
            features::FeatureStore features(store, world().base);
            const std::string user = data[0] % 7 == 2 ? std::string("someone") : world().base.dataset->users.id(0);
            (void)store->set(store::keyOf({"feat", "user", user}), value);
            auto f = features.user(user);
            FUZZ_CHECK(f.ok());
            checkUser(*f);
            break;
        }
        case 4: {  // an item feature record
            auto store = std::make_shared<store::MemoryStore>();
            features::FeatureStore features(store, world().base);
            const std::string item = world().base.dataset->catalog.items().id(0);
            (void)store->set(store::keyOf({"feat", "item", item}), value);
            (void)store->set(store::keyOf({"feat", "item", "unknown"}), value);
            const std::string ids[] = {item, "unknown"};
            const auto items = features.items(ids);
            FUZZ_CHECK(items.size() == 2);
            FUZZ_CHECK(items[0].index && *items[0].index == 0);
            FUZZ_CHECK(!items[1].index);
            break;
        }
        case 5: {  // history members written by another instance
            auto store = std::make_shared<store::MemoryStore>();
            features::FeatureStore features(store, world().base);
            std::vector<std::string> members;
            std::size_t start = 0;
            while (start <= value.size() && members.size() < 64) {
                const auto end = value.find('\n', start);
                members.emplace_back(
                    value.substr(start, end == std::string_view::npos ? value.size() - start : end - start));
                if (end == std::string_view::npos) break;
                start = end + 1;
            }
            (void)store->setAdd(store::keyOf({"hist", "someone"}), members);
            auto f = features.user("someone");
            FUZZ_CHECK(f.ok());
            checkUser(*f);
            break;
        }
        case 6: {  // a key as the store lists it
            auto parts = store::decodeKey(value);
            if (parts && !parts->empty()) {
                const auto again = store::decodeKey(store::keyOf(std::span<const std::string>(*parts)));
                FUZZ_CHECK(again.ok() && *again == *parts);
            }
            break;
        }
    }
    return 0;
}

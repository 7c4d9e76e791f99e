// Writes the binary seed corpora of the fuzz targets whose inputs RecDeck itself encodes
// (saved models, values in the store), so they follow the formats when these change:
//
//     fuzz_make_seeds tests/fuzz/corpus   (writes fuzz_model_file/* and fuzz_store_values/*)
//
// Built on request (target fuzz_make_seeds), never by default.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "recdeck/cache/cache_entry.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/data/synthetic_world.h"
#include "recdeck/features/feature_store.h"
#include "recdeck/models/model_factory.h"
#include "recdeck/models/model_file.h"
#include "recdeck/serving/recommendation.h"
#include "recdeck/store/memory_store.h"

using namespace recdeck;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, char selector, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.put(selector);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::printf("%s (%zu bytes)\n", file.string().c_str(), bytes.size() + 1);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_make_seeds TESTS_FUZZ_CORPUS_DIR\n");
        return 2;
    }
    const fs::path root = argv[1];
    fs::create_directories(root / "fuzz_model_file");
    fs::create_directories(root / "fuzz_store_values");

    // The world of fuzz_store_values (same configuration, so the fingerprints match).
    data::WorldConfig config;
    config.users = 20;
    config.items = 30;
    config.categories = 4;
    config.seed = 3;
    auto world = std::make_shared<data::SyntheticWorld>(config);
    features::BaseData base;
    base.dataset = std::shared_ptr<const data::Dataset>(world, &world->dataset());
    base.matrix =
        std::make_shared<const data::InteractionMatrix>(data::InteractionMatrix::fromDataset(world->dataset()));

    for (const char* kind : {"popularity", "itemknn", "als", "ease", "blend"}) {
        auto model = models::createModel(kind);
        if (!model || !(*model)->train(*base.matrix, {})) {
            std::fprintf(stderr, "cannot train %s\n", kind);
            return 1;
        }
        std::ostringstream out(std::ios::binary);
        if (!models::ModelFile::write(out, **model, base.dataset->catalog.items().ids(), base.dataset->users.ids(),
                                      {{"fingerprint", "seed"}})) {
            return 1;
        }
        const std::string file = out.str();
        write(root / "fuzz_model_file" / (std::string(kind) + "-file"), '\0', file);
        write(root / "fuzz_model_file" / (std::string(kind) + "-payload"), '\1', file.substr(32));
    }

    cache::CacheEntry entry;
    entry.payload = std::string("list\0bytes", 10);
    entry.items = {"item-1", "item-2", "a much longer item identifier"};
    entry.model = "als";
    entry.createdUs = 1'700'000'000'000'000;
    entry.expiresMs = 1'700'000'300'000;
    entry.computeMs = 1.5;
    entry.generation = 3;
    entry.modelGeneration = 2;
    write(root / "fuzz_store_values" / "cache-entry", '\0', cache::encodeEntry(entry));

    serving::RecommendationList list;
    list.model = "als";
    list.modelVersion = 2;
    list.computedAtMs = 1'700'000'000'000;
    list.ild = 0.5;
    for (int i = 0; i < 3; ++i) {
        serving::RecommendedItem item;
        item.itemId = "item-" + std::to_string(i);
        item.title = "Title " + std::to_string(i);
        item.categories = {"Drama", "Comedy"};
        item.score = 0.5F - 0.1F * static_cast<float>(i);
        item.rankBefore = static_cast<std::size_t>(2 - i);
        item.rankAfter = static_cast<std::size_t>(i);
        item.reason = "Because you liked item-9";
        item.reasonKind = "similar";
        item.becauseOf = "item-9";
        list.items.push_back(item);
        list.itemIndices.push_back(static_cast<data::Index>(i));
    }
    write(root / "fuzz_store_values" / "recommendation-list", '\1', serving::encodeList(list));

    auto store = std::make_shared<store::MemoryStore>();
    features::FeatureStore features(store, base);
    const std::string trained = base.dataset->users.id(0);
    const std::string item = base.dataset->catalog.items().id(0);
    store::Event purchase;
    purchase.type = store::EventType::Purchase;
    purchase.userId = "someone";
    purchase.itemId = base.dataset->catalog.items().id(3);
    purchase.timestampMs = 1'700'000'000'000;
    (void)features.onEvents(std::vector{purchase});
    (void)features.user("someone");
    (void)features.user(trained);
    const std::string ids[] = {item};
    (void)features.items(ids);
    write(root / "fuzz_store_values" / "user-features", '\2', **store->get(store::keyOf({"feat", "user", "someone"})));
    write(root / "fuzz_store_values" / "trained-user-features", '\3',
          **store->get(store::keyOf({"feat", "user", trained})));
    write(root / "fuzz_store_values" / "item-features", '\4', **store->get(store::keyOf({"feat", "item", item})));
    std::string members;
    const auto history = store->setMembers(store::keyOf({"hist", "someone"}));
    if (!history) return 1;
    for (const auto& member : *history) members += member + "\n";
    members += "000001700000001000|click|" + item;
    write(root / "fuzz_store_values" / "history", '\5', members);
    write(root / "fuzz_store_values" / "key", '\6', store::keyOf({"recs", "user:1", "n=10|m=als@2"}));
    return 0;
}

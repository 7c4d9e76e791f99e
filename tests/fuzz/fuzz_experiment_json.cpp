// Fuzz target: experiment definitions as JSON — what POST /experiments accepts, what the
// registry reads back from SQLite and from another instance's Redis hash. The first byte
// picks the mode: bit 0, with state fields (as stored records are read); bit 1, the JSON
// object is instead the fields of the store hash another instance wrote (each value a
// string as Redis holds it), read by a registry's reload and then used for assignment.
// The rest is the JSON text. Invariants: no crash and no exception escapes; a definition
// that parses and validates survives a round trip through its JSON form unchanged; a
// registry refuses a bad record and keeps serving.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "recdeck/experiments/experiment.h"
#include "recdeck/experiments/experiment_json.h"
#include "recdeck/experiments/experiment_registry.h"
#include "recdeck/store/key_value_store.h"
#include "recdeck/store/memory_store.h"

namespace {

struct Registry {
    std::shared_ptr<recdeck::store::MemoryStore> store = std::make_shared<recdeck::store::MemoryStore>();
    std::unique_ptr<recdeck::experiments::ExperimentRegistry> registry;
};

Registry& registry() {
    static Registry r = [] {
        Registry out;
        std::string pattern = (std::filesystem::temp_directory_path() / "recdeck-fuzz-experiments-XXXXXX").string();
        const char* dir = ::mkdtemp(pattern.data());
        if (dir == nullptr) std::abort();
        recdeck::experiments::RegistryOptions options;
        options.sqlitePath = std::filesystem::path(dir) / "experiments.db";
        options.store = out.store;
        options.banditInterval = std::chrono::milliseconds(0);
        options.resyncInterval = std::chrono::milliseconds(0);
        auto opened = recdeck::experiments::ExperimentRegistry::open(options);
        if (!opened) std::abort();
        out.registry = std::move(*opened);
        return out;
    }();
    return r;
}

// The JSON object as the hash of an experiment in the store, read by a reload.
void throughTheStore(const nlohmann::json& object) {
    if (!object.is_object() || object.size() > 64) return;
    auto& r = registry();
    recdeck::store::HashFields fields;
    for (auto it = object.begin(); it != object.end(); ++it) {
        fields[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
    }
    // Filed under its own key, as the registry files it, so a good record loads.
    const std::string name = fields.contains("key") && fields["key"].size() <= 64 ? fields["key"] : "fuzzed";
    const std::string index = recdeck::store::keyOf({"exp-index"});
    if (auto listed = r.store->setMembers(index)) {
        for (const auto& old : *listed) (void)r.store->remove({recdeck::store::keyOf({"exp", old})});
    }
    (void)r.store->remove({index});
    (void)r.store->hashSet(recdeck::store::keyOf({"exp", name}), fields);
    (void)r.store->setAdd(index, {name});
    (void)r.registry->reload();
    for (const char* user : {"u1", "u2", "someone else"}) (void)r.registry->assign(user);
    (void)r.registry->list();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool withState = (data[0] & 1U) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    // The HTTP layer limits depth before parsing; nlohmann's parser itself is iterative.
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return 0;
    if ((data[0] & 2U) != 0) {
        throughTheStore(json);
        return 0;
    }
    auto parsed = recdeck::experiments::experimentFromJson(json, withState);
    if (!parsed) {
        FUZZ_CHECK(!parsed.errorMessage().empty());
        return 0;
    }
    auto valid = recdeck::experiments::validated(*parsed);
    if (!valid) {
        FUZZ_CHECK(!valid.errorMessage().empty());
        return 0;
    }
    // What is stored is read back as it was.
    const std::string stored = recdeck::experiments::toJson(*valid).dump();
    const auto reparsed = recdeck::experiments::experimentFromJson(nlohmann::json::parse(stored), true);
    FUZZ_CHECK(reparsed.ok());
    auto again = recdeck::experiments::validated(*reparsed);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->key == valid->key);
    FUZZ_CHECK(again->variants.size() == valid->variants.size());
    for (std::size_t i = 0; i < valid->variants.size(); ++i) {
        FUZZ_CHECK(again->variants[i].name == valid->variants[i].name);
        FUZZ_CHECK(again->variants[i].model == valid->variants[i].model);
        FUZZ_CHECK(again->variants[i].ranking == valid->variants[i].ranking);
    }
    FUZZ_CHECK(again->salt == valid->salt);
    FUZZ_CHECK(again->layer == valid->layer);
    return 0;
}

#pragma once
// ModelArtifacts: the fleet's trained models, kept in the shared store (Redis) as
// versioned artifacts every instance can load. One place decides what the fleet serves:
// the current version of each model name, and the default name.
//
// Layout (logical keys; the store adds its prefix):
//   models:version:<name>           counter: the last version number given to <name>
//   models:meta:<name>:<version>    string: ArtifactInfo as JSON
//   models:chunk:<name>:<version>:<i>  string: bytes [i * chunkBytes, ...) of the ModelFile
//   models:history:<name>           hash: version -> trained_at (the versions kept)
//   models:current                  hash: name -> version the fleet serves
//   models:default                  string: the name the fleet serves by default
//   channel models                  "<name>" or "default" after a change
// An artifact is a whole ModelFile (model_file.h: kind, parameters, item and user ids,
// checksummed), split into chunks of at most chunkBytes so no single value is huge. A
// publish writes the chunks and the metadata first and moves models:current last, so a
// reader never sees a version whose bytes are not all there. The last keepVersions
// versions of a name are kept (for rollback); older ones are deleted.
//
// Versions only grow: the counter is the store's (INCR), shared by every instance, so two
// instances publishing at once get two versions and the later move of models:current
// wins.
//
// Thread safety: every method may be called concurrently (the store is thread-safe).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/common/result.h"
#include "recdeck/store/key_value_store.h"

namespace recdeck::fleet {

struct ArtifactInfo {
    std::string name;  // registry name ("als", "default" kinds resolved)
    std::string kind;  // the model's kind
    std::uint64_t version = 0;
    std::int64_t trainedAtMs = 0;
    double trainingSeconds = 0.0;
    std::uint64_t interactions = 0;       // training rows: the dataset's plus events'
    std::uint64_t eventInteractions = 0;  // of which from the fleet's events
    nlohmann::json offlineMetrics = nlohmann::json::object();
    std::string datasetFingerprint;  // of the base dataset: instances on other data cannot load it
    std::string trainedBy;           // instance id (hex)
    std::uint64_t bytes = 0;
    std::uint64_t checksum = 0;  // FNV-1a 64 of the bytes

    nlohmann::json toJson() const;
    static Result<ArtifactInfo> fromJson(const nlohmann::json& j);
};

struct ArtifactOptions {
    std::size_t chunkBytes = std::size_t{1} << 20;
    std::size_t keepVersions = 5;  // >= 2 (the current one and one to roll back to)
};

class ModelArtifacts {
public:
    static constexpr std::string_view kChannel = "models";

    explicit ModelArtifacts(std::shared_ptr<store::KeyValueStore> store, ArtifactOptions options = {});

    // Stores `bytes` (a ModelFile) under a new version of info.name and makes it current.
    // Fills version, bytes and checksum; returns the stored info.
    Result<ArtifactInfo> publish(ArtifactInfo info, const std::string& bytes);
    // The bytes and info of one version; Invalid when a chunk is missing or the checksum
    // does not match, NotFound when the version is not kept.
    Result<std::pair<ArtifactInfo, std::string>> load(const std::string& name, std::uint64_t version) const;
    Result<std::optional<ArtifactInfo>> info(const std::string& name, std::uint64_t version) const;
    // name -> version the fleet serves now.
    Result<std::map<std::string, std::uint64_t>> current() const;
    // The versions kept of a name, oldest first.
    Result<std::vector<std::uint64_t>> versions(const std::string& name) const;
    // Makes an earlier kept version current: the one before the current version. Conflict
    // when there is none.
    Result<ArtifactInfo> rollback(const std::string& name);
    // Makes a kept version current again.
    Status makeCurrent(const std::string& name, std::uint64_t version);

    Result<std::optional<std::string>> defaultName() const;
    Status setDefault(const std::string& name);
    // Sets the default only if none is set; true when this call set it.
    Result<bool> proposeDefault(const std::string& name);

private:
    Status announce(const std::string& what);
    std::shared_ptr<store::KeyValueStore> m_store;
    ArtifactOptions m_options;
};

// FNV-1a 64.
std::uint64_t fnv1a64(std::string_view bytes);

}  // namespace recdeck::fleet

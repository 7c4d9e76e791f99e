#pragma once
// ModelFile: a trained model on disk, self-contained so its indices map back to ids.
//
// Layout (all integers little-endian):
//   magic "RECDECKMODEL" (12 bytes) | u32 format version | u64 payload bytes |
//   u64 FNV-1a 64 checksum of the payload | payload:
//     string kind | string params JSON | string metadata JSON |
//     u64 n + n strings (item ids, by index) | u64 m + m strings (user ids, by index) |
//     u64 size + the model's parameter block (Model::saveParameters)
//   where a string is u64 length + UTF-8 bytes.
// Loading checks magic, version, size and checksum before parsing, and every parsed
// length against the bytes left, so a foreign, truncated or corrupted file gives an
// Error naming the file and the problem, never a crash.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/common/result.h"
#include "recdeck/models/model.h"

namespace recdeck::models {

struct ModelFile {
    static constexpr std::string_view kMagic = "RECDECKMODEL";
    static constexpr std::uint32_t kFormatVersion = 1;

    std::shared_ptr<Model> model;      // trained, of the kind recorded in the file
    std::vector<std::string> itemIds;  // external id of item index i
    std::vector<std::string> userIds;  // external id of user index u (the training rows)
    nlohmann::json metadata;           // free-form (trained-at, dataset, metrics), an object

    // Writes atomically (a temporary file renamed over `path`). The model must be trained
    // and itemIds.size() must equal model.itemCount().
    static Status save(const std::filesystem::path& path, const Model& model, const std::vector<std::string>& itemIds,
                       const std::vector<std::string>& userIds,
                       const nlohmann::json& metadata = nlohmann::json::object());
    static Result<ModelFile> load(const std::filesystem::path& path);

    // The same on streams; `source` names the stream in error messages.
    static Status write(std::ostream& out, const Model& model, const std::vector<std::string>& itemIds,
                        const std::vector<std::string>& userIds,
                        const nlohmann::json& metadata = nlohmann::json::object());
    static Result<ModelFile> read(std::istream& in, std::string_view source);
};

}  // namespace recdeck::models

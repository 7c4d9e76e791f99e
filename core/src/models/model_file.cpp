#include "recdeck/models/model_file.h"

#include <fstream>
#include <sstream>

#include "binary_io.h"
#include "recdeck/common/private_files.h"
#include "recdeck/models/model_factory.h"

namespace recdeck::models {

namespace {

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

Result<nlohmann::json> parseJson(const std::string& text, std::string_view source, std::string_view field) {
    auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
        return Error{std::string(source) + ": " + std::string(field) + " is not valid JSON (corrupted)"};
    }
    return json;
}

}  // namespace

Status ModelFile::write(std::ostream& out, const Model& model, const std::vector<std::string>& itemIds,
                        const std::vector<std::string>& userIds, const nlohmann::json& metadata) {
    if (!model.trained()) return Error{"cannot save an untrained " + std::string(model.kind()) + " model"};
    if (itemIds.size() != model.itemCount()) {
        return Error{"cannot save model: " + std::to_string(itemIds.size()) + " item ids for a model of " +
                     std::to_string(model.itemCount()) + " items"};
    }
    std::ostringstream payloadStream(std::ios::binary);
    detail::BinaryWriter payload(payloadStream);
    payload.string(model.kind());
    payload.string(model.params().dump());
    payload.string(metadata.is_null() ? std::string("{}") : metadata.dump());
    payload.u64(itemIds.size());
    for (const auto& id : itemIds) payload.string(id);
    payload.u64(userIds.size());
    for (const auto& id : userIds) payload.string(id);
    std::ostringstream parameters(std::ios::binary);
    model.saveParameters(parameters);
    payload.string(parameters.view());
    const std::string_view bytes = payloadStream.view();

    detail::BinaryWriter header(out);
    out.write(kMagic.data(), static_cast<std::streamsize>(kMagic.size()));
    header.u32(kFormatVersion);
    header.u64(bytes.size());
    header.u64(fnv1a(bytes));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return Error{"writing the model failed (disk full or not writable?)"};
    return {};
}

Status ModelFile::save(const std::filesystem::path& path, const Model& model, const std::vector<std::string>& itemIds,
                       const std::vector<std::string>& userIds, const nlohmann::json& metadata) {
    std::filesystem::path temporary = path;
    temporary += ".tmp";
    // Created private (0600) before anything is written to it; renamed only once its
    // bytes are on disk, so a crash at any point leaves the previous file whole.
    if (auto made = ensurePrivateFile(temporary); !made) return made.error();
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) return Error{temporary.string() + ": cannot open for writing"};
        if (auto status = write(out, model, itemIds, userIds, metadata); !status) {
            out.close();
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            return Error{path.string() + ": " + status.errorMessage()};
        }
        out.close();
        if (!out) return Error::internal(temporary.string() + ": writing failed (disk full?)");
    }
    if (auto synced = syncFile(temporary); !synced) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        return synced.error();
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) return Error::internal(path.string() + ": cannot replace the file: " + error.message());
    return syncFolder(path.parent_path());
}

Result<ModelFile> ModelFile::read(std::istream& in, std::string_view source) {
    const std::string src(source);
    std::string magic(kMagic.size(), '\0');
    in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
    if (static_cast<std::size_t>(in.gcount()) != magic.size() || magic != kMagic) {
        return Error{src + ": not a RecDeck model file (missing the RECDECKMODEL signature)"};
    }
    detail::BinaryReader header(in, src);
    std::uint32_t version = 0;
    std::uint64_t payloadSize = 0;
    std::uint64_t checksum = 0;
    if (!header.u32(version, "format version")) return Error{header.error()};
    if (version != kFormatVersion) {
        return Error{src + ": model file format version " + std::to_string(version) + ", this build reads version " +
                     std::to_string(kFormatVersion) + "; retrain the model"};
    }
    if (!header.u64(payloadSize, "payload size") || !header.u64(checksum, "checksum")) return Error{header.error()};
    if (payloadSize != header.remaining()) {
        return Error{src + ": the header declares " + std::to_string(payloadSize) + " payload bytes but " +
                     std::to_string(header.remaining()) + " follow (truncated or corrupted)"};
    }
    std::string bytes(static_cast<std::size_t>(payloadSize), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (static_cast<std::uint64_t>(in.gcount()) != payloadSize) return Error{src + ": truncated payload"};
    if (fnv1a(bytes) != checksum) return Error{src + ": checksum mismatch (the file is corrupted)"};

    std::istringstream payloadStream(std::move(bytes), std::ios::binary);
    detail::BinaryReader payload(payloadStream, src);
    std::string kind, paramsText, metadataText, parameterBlock;
    ModelFile file;
    if (!payload.string(kind, "kind") || !payload.string(paramsText, "params") ||
        !payload.string(metadataText, "metadata")) {
        return Error{payload.error()};
    }
    auto params = parseJson(paramsText, src, "params");
    if (!params) return params.error();
    auto metadata = parseJson(metadataText, src, "metadata");
    if (!metadata) return metadata.error();
    file.metadata = std::move(*metadata);
    for (auto* ids : {&file.itemIds, &file.userIds}) {
        const char* what = ids == &file.itemIds ? "item ids" : "user ids";
        std::uint64_t count = 0;
        if (!payload.u64(count, what)) return Error{payload.error()};
        // Each id takes at least its 8-byte length, which bounds a corrupted count.
        if (count > payload.remaining() / 8) {
            return Error{src + ": " + what + ": count " + std::to_string(count) + " exceeds the file (corrupted)"};
        }
        ids->resize(static_cast<std::size_t>(count));
        for (auto& id : *ids)
            if (!payload.string(id, what)) return Error{payload.error()};
    }
    if (!payload.string(parameterBlock, "model parameters")) return Error{payload.error()};
    if (payload.remaining() != 0) return Error{src + ": unexpected bytes after the model parameters (corrupted)"};

    auto model = createModel(kind, *params);
    if (!model) return Error{src + ": " + model.errorMessage()};
    std::istringstream parameterStream(std::move(parameterBlock), std::ios::binary);
    if (auto status = (*model)->loadParameters(parameterStream); !status) {
        return Error{src + ": " + status.errorMessage()};
    }
    if ((*model)->itemCount() != file.itemIds.size()) {
        return Error{src + ": the model scores " + std::to_string((*model)->itemCount()) +
                     " items but the file lists " + std::to_string(file.itemIds.size()) + " item ids (corrupted)"};
    }
    file.model = std::move(*model);
    return file;
}

Result<ModelFile> ModelFile::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path.string() + ": cannot open the model file"};
    return read(in, path.string());
}

}  // namespace recdeck::models

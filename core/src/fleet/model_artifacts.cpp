#include "recdeck/fleet/model_artifacts.h"

#include <algorithm>
#include <charconv>

namespace recdeck::fleet {

namespace {

using nlohmann::json;

std::string versionKey(const std::string& name) {
    return store::keyOf({"models", "version", name});
}
std::string metaKey(const std::string& name, std::uint64_t version) {
    return store::keyOf({"models", "meta", name, std::to_string(version)});
}
std::string chunkKey(const std::string& name, std::uint64_t version, std::size_t i) {
    return store::keyOf({"models", "chunk", name, std::to_string(version), std::to_string(i)});
}
std::string historyKey(const std::string& name) {
    return store::keyOf({"models", "history", name});
}
std::string currentKey() {
    return store::keyOf({"models", "current"});
}
std::string defaultKey() {
    return store::keyOf({"models", "default"});
}

std::optional<std::uint64_t> parseVersion(std::string_view text) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v == 0) return std::nullopt;
    return v;
}

}  // namespace

std::uint64_t fnv1a64(std::string_view bytes) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return hash;
}

json ArtifactInfo::toJson() const {
    return {{"name", name},
            {"kind", kind},
            {"version", version},
            {"trained_at_ms", trainedAtMs},
            {"training_seconds", trainingSeconds},
            {"interactions", interactions},
            {"event_interactions", eventInteractions},
            {"offline_metrics", offlineMetrics},
            {"dataset_fingerprint", datasetFingerprint},
            {"trained_by", trainedBy},
            {"bytes", bytes},
            {"checksum", checksum}};
}

Result<ArtifactInfo> ArtifactInfo::fromJson(const json& j) {
    if (!j.is_object()) return Error::invalid("model artifact metadata: not a JSON object");
    ArtifactInfo out;
    try {
        out.name = j.at("name").get<std::string>();
        out.kind = j.at("kind").get<std::string>();
        out.version = j.at("version").get<std::uint64_t>();
        out.trainedAtMs = j.value("trained_at_ms", std::int64_t{0});
        out.trainingSeconds = j.value("training_seconds", 0.0);
        out.interactions = j.value("interactions", std::uint64_t{0});
        out.eventInteractions = j.value("event_interactions", std::uint64_t{0});
        out.offlineMetrics = j.value("offline_metrics", json::object());
        out.datasetFingerprint = j.value("dataset_fingerprint", std::string());
        out.trainedBy = j.value("trained_by", std::string());
        out.bytes = j.at("bytes").get<std::uint64_t>();
        out.checksum = j.at("checksum").get<std::uint64_t>();
    } catch (const json::exception& e) {
        return Error::invalid(std::string("model artifact metadata: ") + e.what());
    }
    return out;
}

ModelArtifacts::ModelArtifacts(std::shared_ptr<store::KeyValueStore> store, ArtifactOptions options)
    : m_store(std::move(store)), m_options(options) {
    m_options.chunkBytes = std::max<std::size_t>(1024, m_options.chunkBytes);
    m_options.keepVersions = std::max<std::size_t>(2, m_options.keepVersions);
}

Status ModelArtifacts::announce(const std::string& what) {
    return m_store->publish(kChannel, what);
}

Result<ArtifactInfo> ModelArtifacts::publish(ArtifactInfo info, const std::string& bytes) {
    if (info.name.empty()) return Error::invalid("a model artifact needs a name");
    auto version = m_store->increment(versionKey(info.name));
    if (!version) return version.error();
    info.version = static_cast<std::uint64_t>(*version);
    info.bytes = bytes.size();
    info.checksum = fnv1a64(bytes);
    // Chunks and metadata first; models:current moves last.
    std::vector<store::KeyValue> entries;
    const std::size_t chunks = (bytes.size() + m_options.chunkBytes - 1) / m_options.chunkBytes;
    for (std::size_t i = 0; i < chunks; ++i) {
        entries.push_back({chunkKey(info.name, info.version, i),
                           bytes.substr(i * m_options.chunkBytes, m_options.chunkBytes), store::kNoExpiry});
        if (entries.size() == 8 || i + 1 == chunks) {
            if (auto s = m_store->setMany(entries); !s) return s.error();
            entries.clear();
        }
    }
    if (auto s = m_store->set(metaKey(info.name, info.version), info.toJson().dump()); !s) return s.error();
    if (auto s =
            m_store->hashSet(historyKey(info.name), {{std::to_string(info.version), std::to_string(info.trainedAtMs)}});
        !s)
        return s.error();
    if (auto s = m_store->hashSet(currentKey(), {{info.name, std::to_string(info.version)}}); !s) return s.error();
    (void)announce(info.name);

    // Keep the newest keepVersions.
    if (auto kept = versions(info.name); kept && kept->size() > m_options.keepVersions) {
        const std::size_t drop = kept->size() - m_options.keepVersions;
        for (std::size_t d = 0; d < drop; ++d) {
            const std::uint64_t old = (*kept)[d];
            auto oldInfo = this->info(info.name, old);
            std::vector<std::string> keys = {metaKey(info.name, old)};
            if (oldInfo && oldInfo->has_value()) {
                const std::size_t oldChunks = ((*oldInfo)->bytes + m_options.chunkBytes - 1) / m_options.chunkBytes;
                for (std::size_t i = 0; i < oldChunks; ++i) keys.push_back(chunkKey(info.name, old, i));
            }
            (void)m_store->remove(keys);
            (void)m_store->hashDelete(historyKey(info.name), {std::to_string(old)});
        }
    }
    return info;
}

Result<std::optional<ArtifactInfo>> ModelArtifacts::info(const std::string& name, std::uint64_t version) const {
    auto text = m_store->get(metaKey(name, version));
    if (!text) return text.error();
    if (!text->has_value()) return std::optional<ArtifactInfo>{};
    const json j = json::parse(**text, nullptr, false);
    auto parsed = ArtifactInfo::fromJson(j);
    if (!parsed) return parsed.error();
    return std::optional<ArtifactInfo>(std::move(*parsed));
}

Result<std::pair<ArtifactInfo, std::string>> ModelArtifacts::load(const std::string& name,
                                                                  std::uint64_t version) const {
    auto meta = info(name, version);
    if (!meta) return meta.error();
    if (!meta->has_value())
        return Error::notFound("model " + name + " version " + std::to_string(version) + " is not kept in the fleet");
    const ArtifactInfo& i = **meta;
    const std::size_t chunks = (i.bytes + m_options.chunkBytes - 1) / m_options.chunkBytes;
    std::string bytes;
    bytes.reserve(i.bytes);
    for (std::size_t from = 0; from < chunks; from += 8) {
        std::vector<std::string> keys;
        for (std::size_t c = from; c < std::min(chunks, from + 8); ++c) keys.push_back(chunkKey(name, version, c));
        auto values = m_store->getMany(keys);
        if (!values) return values.error();
        for (const auto& value : *values) {
            if (!value)
                return Error::invalid("model " + name + " version " + std::to_string(version) + ": a chunk is missing");
            bytes += *value;
        }
    }
    if (bytes.size() != i.bytes || fnv1a64(bytes) != i.checksum)
        return Error::invalid("model " + name + " version " + std::to_string(version) +
                              ": the stored bytes do not match their checksum");
    return std::make_pair(i, std::move(bytes));
}

Result<std::map<std::string, std::uint64_t>> ModelArtifacts::current() const {
    auto fields = m_store->hashGetAll(currentKey());
    if (!fields) return fields.error();
    std::map<std::string, std::uint64_t> out;
    for (const auto& [name, text] : *fields)
        if (auto v = parseVersion(text)) out[name] = *v;
    return out;
}

Result<std::vector<std::uint64_t>> ModelArtifacts::versions(const std::string& name) const {
    auto fields = m_store->hashGetAll(historyKey(name));
    if (!fields) return fields.error();
    std::vector<std::uint64_t> out;
    for (const auto& [text, at] : *fields)
        if (auto v = parseVersion(text)) out.push_back(*v);
    std::sort(out.begin(), out.end());
    return out;
}

Status ModelArtifacts::makeCurrent(const std::string& name, std::uint64_t version) {
    auto meta = info(name, version);
    if (!meta) return meta.error();
    if (!meta->has_value())
        return Error::notFound("model " + name + " version " + std::to_string(version) + " is not kept in the fleet");
    if (auto s = m_store->hashSet(currentKey(), {{name, std::to_string(version)}}); !s) return s.error();
    (void)announce(name);
    return {};
}

Result<ArtifactInfo> ModelArtifacts::rollback(const std::string& name) {
    auto now = current();
    if (!now) return now.error();
    const auto it = now->find(name);
    if (it == now->end()) return Error::notFound("the fleet serves no model named " + name);
    auto kept = versions(name);
    if (!kept) return kept.error();
    std::optional<std::uint64_t> previous;
    for (std::uint64_t v : *kept)
        if (v < it->second) previous = v;
    if (!previous)
        return Error::conflict("model " + name + " version " + std::to_string(it->second) +
                               " has no earlier version kept to roll back to");
    if (auto s = makeCurrent(name, *previous); !s) return s.error();
    auto meta = info(name, *previous);
    if (!meta) return meta.error();
    if (!meta->has_value())
        return Error::notFound("model " + name + " version " + std::to_string(*previous) + " vanished");
    return **meta;
}

Result<std::optional<std::string>> ModelArtifacts::defaultName() const {
    return m_store->get(defaultKey());
}

Status ModelArtifacts::setDefault(const std::string& name) {
    if (auto s = m_store->set(defaultKey(), name); !s) return s;
    (void)announce("default");
    return {};
}

Result<bool> ModelArtifacts::proposeDefault(const std::string& name) {
    auto set = m_store->setIfAbsent(defaultKey(), name);
    if (set && *set) (void)announce("default");
    return set;
}

}  // namespace recdeck::fleet

#include "recdeck/models/model_registry.h"

#include <algorithm>
#include <mutex>

#include "recdeck/common/stopwatch.h"

namespace recdeck::models {

ModelRegistry::EntryPtr ModelRegistry::publish(std::string name, std::shared_ptr<const Model> model,
                                               double trainingSeconds, nlohmann::json offlineMetrics,
                                               std::int64_t trainedAtMs) {
    ModelEntry entry;
    entry.name = std::move(name);
    entry.trainedAtMs = trainedAtMs;
    entry.trainingSeconds = trainingSeconds;
    entry.offlineMetrics = std::move(offlineMetrics);
    entry.model = std::move(model);
    return publish(std::move(entry));
}

ModelRegistry::EntryPtr ModelRegistry::publish(ModelEntry entry) {
    auto shared = std::make_shared<ModelEntry>(std::move(entry));
    if (shared->trainedAtMs == 0) shared->trainedAtMs = unixMillis();
    if (shared->offlineMetrics.is_null()) shared->offlineMetrics = nlohmann::json::object();
    std::unique_lock lock(m_mutex);
    std::uint64_t& last = m_lastVersion[shared->name];
    if (shared->version == 0) shared->version = last + 1;
    last = std::max(last, shared->version);
    EntryPtr published = std::move(shared);
    m_entries[published->name] = published;
    if (m_default.empty()) m_default = published->name;
    return published;
}

std::uint64_t ModelRegistry::nextVersion(std::string_view name) const {
    std::shared_lock lock(m_mutex);
    const auto it = m_lastVersion.find(name);
    return it == m_lastVersion.end() ? 1 : it->second + 1;
}

Result<ModelRegistry::EntryPtr> ModelRegistry::trainAndPublish(std::string name, std::unique_ptr<Model> model,
                                                               const data::InteractionMatrix& interactions,
                                                               const TaskControl& control,
                                                               nlohmann::json offlineMetrics) {
    if (!model) return Error{"trainAndPublish: no model given for '" + name + "'"};
    Stopwatch watch;
    if (auto status = model->train(interactions, control); !status) return status.error();
    const double seconds = watch.elapsedSeconds();
    return publish(std::move(name), std::shared_ptr<const Model>(std::move(model)), seconds, std::move(offlineMetrics));
}

Status ModelRegistry::setOfflineMetrics(std::string_view name, std::uint64_t version, nlohmann::json metrics) {
    std::unique_lock lock(m_mutex);
    const auto it = m_entries.find(name);
    if (it == m_entries.end()) return Error{"no model named '" + std::string(name) + "'"};
    if (it->second->version != version) {
        return Error{"model '" + std::string(name) + "' is at version " + std::to_string(it->second->version) +
                     ", not " + std::to_string(version)};
    }
    auto updated = std::make_shared<ModelEntry>(*it->second);
    updated->offlineMetrics = std::move(metrics);
    it->second = std::move(updated);
    return {};
}

ModelRegistry::EntryPtr ModelRegistry::find(std::string_view name) const {
    std::shared_lock lock(m_mutex);
    const auto it = m_entries.find(name);
    return it == m_entries.end() ? nullptr : it->second;
}

ModelRegistry::EntryPtr ModelRegistry::defaultEntry() const {
    std::shared_lock lock(m_mutex);
    const auto it = m_entries.find(m_default);
    return it == m_entries.end() ? nullptr : it->second;
}

std::string ModelRegistry::defaultName() const {
    std::shared_lock lock(m_mutex);
    return m_default;
}

Status ModelRegistry::setDefault(std::string_view name) {
    std::unique_lock lock(m_mutex);
    if (!m_entries.contains(name)) return Error{"no model named '" + std::string(name) + "' to make the default"};
    m_default = std::string(name);
    return {};
}

bool ModelRegistry::remove(std::string_view name) {
    std::unique_lock lock(m_mutex);
    const auto it = m_entries.find(name);
    if (it == m_entries.end()) return false;
    m_entries.erase(it);
    if (m_default == name) m_default = m_entries.empty() ? std::string() : m_entries.begin()->first;
    return true;
}

std::vector<ModelRegistry::EntryPtr> ModelRegistry::entries() const {
    std::shared_lock lock(m_mutex);
    std::vector<EntryPtr> out;
    out.reserve(m_entries.size());
    for (const auto& [name, entry] : m_entries) out.push_back(entry);
    return out;
}

}  // namespace recdeck::models

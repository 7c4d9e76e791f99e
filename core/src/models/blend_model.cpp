#include "recdeck/models/blend_model.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "binary_io.h"
#include "recdeck/models/model_factory.h"

namespace recdeck::models {

BlendModel::BlendModel(std::vector<BlendMember> members) : m_members(std::move(members)) {
    for ([[maybe_unused]] const auto& member : m_members) assert(member.model && member.model->kind() != "blend");
}

Result<std::unique_ptr<BlendModel>> BlendModel::fromParams(const nlohmann::json& params) {
    nlohmann::json spec = params;
    if (spec.is_null() || (spec.is_object() && spec.empty())) {
        spec = {{"members",
                 {{{"kind", "ease"}, {"params", nlohmann::json::object()}, {"weight", 1.0}},
                  {{"kind", "als"}, {"params", nlohmann::json::object()}, {"weight", 1.0}}}}};
    }
    if (!spec.is_object() || !spec.contains("members") || !spec.at("members").is_array() || spec.size() != 1 ||
        spec.at("members").empty()) {
        return Error{"blend parameters: expected {\"members\": [{\"kind\", \"params\", \"weight\"}, ...]}"};
    }
    std::vector<BlendMember> members;
    for (const auto& entry : spec.at("members")) {
        const std::string where = "blend parameters: member " + std::to_string(members.size() + 1);
        if (!entry.is_object() || !entry.contains("kind") || !entry.at("kind").is_string()) {
            return Error{where + ": needs a \"kind\" string"};
        }
        for (const auto& [key, unused] : entry.items()) {
            if (key != "kind" && key != "params" && key != "weight") return Error{where + ": unknown key '" + key + "'"};
        }
        const auto kind = entry.at("kind").get<std::string>();
        if (kind == "blend" || kind == "default") return Error{where + ": a blend cannot contain '" + kind + "'"};
        double weight = 1.0;
        if (entry.contains("weight")) {
            if (!entry.at("weight").is_number() || !(entry.at("weight").get<double>() > 0.0)) {
                return Error{where + ": 'weight' must be a positive number"};
            }
            weight = entry.at("weight").get<double>();
        }
        auto model = createModel(kind, entry.value("params", nlohmann::json::object()));
        if (!model) return Error{where + ": " + model.errorMessage()};
        members.push_back({std::move(*model), weight});
    }
    return std::make_unique<BlendModel>(std::move(members));
}

nlohmann::json BlendModel::params() const {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& member : m_members) {
        members.push_back({{"kind", member.model->kind()}, {"params", member.model->params()}, {"weight", member.weight}});
    }
    return {{"members", members}};
}

Status BlendModel::train(const data::InteractionMatrix& interactions, const TaskControl& control) {
    const double share = 1.0 / static_cast<double>(m_members.size());
    for (std::size_t m = 0; m < m_members.size(); ++m) {
        TaskControl inner;
        inner.stop = control.stop;
        const std::string prefix = std::string(m_members[m].model->kind()) + ": ";
        inner.progress = [&control, m, share, prefix](double fraction, std::string_view stage) {
            control.report((static_cast<double>(m) + fraction) * share, prefix + std::string(stage));
        };
        if (auto status = m_members[m].model->train(interactions, inner); !status) return status;
    }
    return {};
}

std::size_t BlendModel::itemCount() const {
    // Trained only when every member is, on the same catalog.
    std::size_t count = m_members.empty() ? 0 : m_members.front().model->itemCount();
    for (const auto& member : m_members)
        if (member.model->itemCount() != count) return 0;
    return count;
}

void BlendModel::scoreAll(const UserContext& user, std::span<float> out) const {
    assert(out.size() == itemCount());
    std::fill(out.begin(), out.end(), 0.0F);
    std::vector<float> part(out.size());
    for (const auto& member : m_members) {
        member.model->scoreAll(user, part);
        double sum = 0.0, squares = 0.0;
        std::size_t finite = 0;
        for (float v : part) {
            if (std::isfinite(v)) {
                sum += v;
                squares += static_cast<double>(v) * v;
                ++finite;
            }
        }
        const double mean = finite > 0 ? sum / static_cast<double>(finite) : 0.0;
        const double variance = finite > 0 ? squares / static_cast<double>(finite) - mean * mean : 0.0;
        // A member with flat scores for this user carries no ranking signal: it adds 0.
        const double scale = variance > 1e-12 ? member.weight / std::sqrt(variance) : 0.0;
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = std::isfinite(part[i]) ? out[i] + static_cast<float>((part[i] - mean) * scale)
                                            : -std::numeric_limits<float>::infinity();
        }
    }
}

std::optional<Index> BlendModel::explain(const UserContext& user, Index item) const {
    for (const auto& member : m_members) {
        if (auto reason = member.model->explain(user, item)) return reason;
    }
    return std::nullopt;
}

void BlendModel::saveParameters(std::ostream& out) const {
    detail::BinaryWriter writer(out);
    writer.u64(m_members.size());
    for (const auto& member : m_members) {
        std::ostringstream block(std::ios::binary);
        member.model->saveParameters(block);
        writer.string(member.model->kind());
        writer.string(block.view());
    }
}

Status BlendModel::loadParameters(std::istream& in) {
    detail::BinaryReader reader(in, "blend parameters");
    std::uint64_t count = 0;
    if (!reader.u64(count, "member count")) return Error{reader.error()};
    if (count != m_members.size()) {
        return Error{"blend parameters: " + std::to_string(count) + " members stored, " +
                     std::to_string(m_members.size()) + " expected by the parameters (corrupted)"};
    }
    std::size_t items = 0;
    for (std::size_t m = 0; m < m_members.size(); ++m) {
        std::string kind, block;
        if (!reader.string(kind, "member kind") || !reader.string(block, "member parameters")) {
            return Error{reader.error()};
        }
        if (kind != m_members[m].model->kind()) {
            return Error{"blend parameters: member " + std::to_string(m + 1) + " is '" + kind + "', expected '" +
                         std::string(m_members[m].model->kind()) + "' (corrupted)"};
        }
        std::istringstream blockStream(std::move(block), std::ios::binary);
        if (auto status = m_members[m].model->loadParameters(blockStream); !status) return status;
        if (m > 0 && m_members[m].model->itemCount() != items) {
            return Error{"blend parameters: members disagree on the item count (corrupted)"};
        }
        items = m_members[m].model->itemCount();
    }
    return {};
}

}  // namespace recdeck::models

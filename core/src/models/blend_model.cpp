#include "recdeck/models/blend_model.h"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "binary_io.h"
#include "recdeck/common/parallel.h"
#include "recdeck/models/ease_model.h"
#include "recdeck/models/model_factory.h"
#include "validation_split.h"

namespace recdeck::models {

namespace {

// The default members: EASE and implicit ALS at equal weight.
nlohmann::json defaultMembers() {
    return {{{"kind", "ease"}, {"params", nlohmann::json::object()}, {"weight", 1.0}},
            {{"kind", "als"}, {"params", nlohmann::json::object()}, {"weight", 1.0}}};
}

// Adds weight * (part standardised over its finite entries) to out; an item `part`
// cannot score makes out -infinity. A member with flat scores adds nothing.
void addStandardised(std::span<const float> part, double weight, std::span<float> out) {
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
    const double scale = variance > 1e-12 ? weight / std::sqrt(variance) : 0.0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = std::isfinite(part[i]) ? out[i] + static_cast<float>((part[i] - mean) * scale)
                                        : -std::numeric_limits<float>::infinity();
    }
}

}  // namespace

BlendModel::BlendModel(std::vector<BlendMember> members, bool tune) : m_members(std::move(members)), m_tune(tune) {
    for ([[maybe_unused]] const auto& member : m_members) assert(member.model && member.model->kind() != "blend");
}

Result<std::unique_ptr<BlendModel>> BlendModel::fromParams(const nlohmann::json& params) {
    nlohmann::json spec = params;
    // No parameters: the default blend, which tunes itself.
    if (spec.is_null() || (spec.is_object() && spec.empty())) spec = {{"members", defaultMembers()}, {"tune", true}};
    const auto usage =
        Error{"blend parameters: expected {\"members\": [{\"kind\", \"params\", \"weight\"}, ...], \"tune\": bool}"};
    if (!spec.is_object() || !spec.contains("members") || !spec.at("members").is_array() ||
        spec.at("members").empty()) {
        return usage;
    }
    for (const auto& [key, unused] : spec.items()) {
        if (key != "members" && key != "tune") return Error{"blend parameters: unknown key '" + key + "'"};
    }
    bool tune = false;
    if (spec.contains("tune")) {
        if (!spec.at("tune").is_boolean()) return Error{"blend parameters: 'tune' must be true or false"};
        tune = spec.at("tune").get<bool>();
    }
    std::vector<BlendMember> members;
    for (const auto& entry : spec.at("members")) {
        const std::string where = "blend parameters: member " + std::to_string(members.size() + 1);
        if (!entry.is_object() || !entry.contains("kind") || !entry.at("kind").is_string()) {
            return Error{where + ": needs a \"kind\" string"};
        }
        for (const auto& [key, unused] : entry.items()) {
            if (key != "kind" && key != "params" && key != "weight")
                return Error{where + ": unknown key '" + key + "'"};
        }
        const auto kind = entry.at("kind").get<std::string>();
        if (kind == "blend" || kind == "default") return Error{where + ": a blend cannot contain '" + kind + "'"};
        if (tune && kind != "ease" && kind != "als") {
            return Error{where + ": a self-tuning blend combines 'ease' and 'als' only, not '" + kind + "'"};
        }
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
    return std::make_unique<BlendModel>(std::move(members), tune);
}

nlohmann::json BlendModel::params() const {
    nlohmann::json members = nlohmann::json::array();
    for (const auto& member : m_members) {
        members.push_back(
            {{"kind", member.model->kind()}, {"params", member.model->params()}, {"weight", member.weight}});
    }
    return {{"members", members}, {"tune", m_tune}};
}

Status BlendModel::train(const data::InteractionMatrix& interactions, const TaskControl& control) {
    double start = 0.0;
    if (m_tune) {
        TaskControl tuning;
        tuning.stop = control.stop;
        tuning.progress = [&control](double fraction, std::string_view stage) {
            control.report(0.5 * fraction, "tuning: " + std::string(stage));
        };
        if (auto status = tune(interactions, tuning); !status) return status;
        start = 0.5;
    }
    const double share = (1.0 - start) / static_cast<double>(m_members.size());
    for (std::size_t m = 0; m < m_members.size(); ++m) {
        TaskControl inner;
        inner.stop = control.stop;
        const std::string prefix = std::string(m_members[m].model->kind()) + ": ";
        inner.progress = [&control, m, share, start, prefix](double fraction, std::string_view stage) {
            control.report(start + (static_cast<double>(m) + fraction) * share, prefix + std::string(stage));
        };
        if (auto status = m_members[m].model->train(interactions, inner); !status) return status;
    }
    return {};
}

Status BlendModel::tune(const data::InteractionMatrix& interactions, const TaskControl& control) {
    constexpr std::size_t kValidationUsers = 1000;
    constexpr std::size_t kMinimumUsers = 50;
    constexpr std::size_t kK = 10;
    m_tuningSummary.clear();

    // Start from the members' own settings (threads, vocabulary cap), whatever an earlier
    // tuning chose.
    nlohmann::json easeParams = nlohmann::json::object();
    nlohmann::json alsParams = nlohmann::json::object();
    for (const auto& member : m_members) {
        if (member.model->kind() == "ease") easeParams = member.model->params();
        if (member.model->kind() == "als") alsParams = member.model->params();
    }
    auto split = detail::validationSplit(interactions, 0.2, 0x5EED7u, kValidationUsers);
    if (split.users.size() < kMinimumUsers) {
        m_tuningSummary = "kept the defaults: " + std::to_string(split.users.size()) + " validation users";
        return {};
    }
    std::size_t vocabulary = 0;
    for (auto count : interactions.itemPopularity()) vocabulary += count > 0 ? 1 : 0;
    vocabulary = std::min<std::size_t>(vocabulary, easeParams.value("max_items", EaseModel::kDefaultMaxItems));
    const std::vector<double> lambdas =
        vocabulary <= 2500 ? std::vector<double>{100.0, 200.0, 400.0, 800.0} : std::vector<double>{150.0, 400.0};
    const std::vector<double> alsWeights = {0.0, 0.5, 1.0, 1.5};
    const double steps = static_cast<double>(lambdas.size() + 1);

    // ALS once on the reduced data; its scores for every validation user.
    auto als = createModel("als", alsParams);
    if (!als) return als.error();
    {
        TaskControl inner;
        inner.stop = control.stop;
        inner.progress = [&control, steps](double f, std::string_view stage) {
            control.report(f / steps, "als " + std::string(stage));
        };
        if (auto status = (*als)->train(split.train, inner); !status) return status;
    }
    const std::size_t items = interactions.itemCount();
    const std::size_t users = split.users.size();
    std::vector<float> alsScores(users * items);
    parallelFor(users, [&](std::size_t begin, std::size_t end) {
        std::vector<float> raw(items);
        for (std::size_t v = begin; v < end; ++v) {
            const auto user = split.users[v].user;
            // Standardised once here; each candidate below only scales and adds it.
            (*als)->scoreAll({user, split.train.itemsOf(user)}, raw);
            addStandardised(raw, 1.0, std::span<float>(alsScores).subspan(v * items, items));
        }
    });
    (*als).reset();

    // Mean nDCG per (λ, weight), in grid order.
    std::vector<double> ndcg(lambdas.size() * alsWeights.size(), 0.0);
    for (std::size_t l = 0; l < lambdas.size(); ++l) {
        if (control.cancelled()) return Error::cancelled();
        nlohmann::json params = easeParams;
        params["lambda"] = lambdas[l];
        auto ease = createModel("ease", params);
        if (!ease) return ease.error();
        TaskControl inner;
        inner.stop = control.stop;
        inner.progress = [&control, l, steps, &lambdas](double f, std::string_view stage) {
            control.report((static_cast<double>(l + 1) + f) / steps,
                           "ease λ " + std::to_string(static_cast<int>(lambdas[l])) + " " + std::string(stage));
        };
        if (auto status = (*ease)->train(split.train, inner); !status) return status;
        std::vector<double> sums(alsWeights.size(), 0.0);
        std::mutex sumsMutex;
        parallelFor(users, [&](std::size_t begin, std::size_t end) {
            std::vector<double> local(alsWeights.size(), 0.0);
            std::vector<float> easeScores(items), easeStandardised(items), blended(items);
            for (std::size_t v = begin; v < end; ++v) {
                const auto user = split.users[v].user;
                const auto history = split.train.itemsOf(user);
                (*ease)->scoreAll({user, history}, easeScores);
                const auto alsPart = std::span<const float>(alsScores).subspan(v * items, items);
                std::fill(easeStandardised.begin(), easeStandardised.end(), 0.0F);
                addStandardised(easeScores, 1.0, easeStandardised);
                for (std::size_t w = 0; w < alsWeights.size(); ++w) {
                    // The blend's sum: a weight-0 ALS is left out (its unscored items too).
                    const auto weight = static_cast<float>(alsWeights[w]);
                    for (std::size_t i = 0; i < items; ++i)
                        blended[i] = weight > 0.0F ? easeStandardised[i] + weight * alsPart[i] : easeStandardised[i];
                    local[w] += detail::ndcgAtK(blended, history, split.users[v].heldOut, kK);
                }
            }
            std::lock_guard lock(sumsMutex);
            for (std::size_t w = 0; w < local.size(); ++w) sums[w] += local[w];
        });
        for (std::size_t w = 0; w < alsWeights.size(); ++w)
            ndcg[l * alsWeights.size() + w] = sums[w] / static_cast<double>(users);
    }

    const auto best = static_cast<std::size_t>(std::max_element(ndcg.begin(), ndcg.end()) - ndcg.begin());
    const double lambda = lambdas[best / alsWeights.size()];
    const double alsWeight = alsWeights[best % alsWeights.size()];
    easeParams["lambda"] = lambda;
    std::vector<BlendMember> members;
    auto ease = createModel("ease", easeParams);
    if (!ease) return ease.error();
    members.push_back({std::move(*ease), 1.0});
    if (alsWeight > 0.0) {
        auto alsModel = createModel("als", alsParams);
        if (!alsModel) return alsModel.error();
        members.push_back({std::move(*alsModel), alsWeight});
    }
    m_members = std::move(members);

    char line[160];
    std::snprintf(line, sizeof line, "λ %g, ALS weight %g: validation nDCG@10 %.4f on %zu users (%zu candidates)",
                  lambda, alsWeight, ndcg[best], users, ndcg.size());
    m_tuningSummary = line;
    control.report(1.0, "chosen");
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
        addStandardised(part, member.weight, out);
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

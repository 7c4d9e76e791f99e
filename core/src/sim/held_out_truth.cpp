#include "recdeck/sim/held_out_truth.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "recdeck/data/importer.h"

namespace recdeck::sim {

HeldOutTruth::HeldOutTruth(const data::Dataset& dataset, std::span<const data::Interaction> heldOut,
                           HeldOutParams params, std::string source)
    : m_params(params), m_source(std::move(source)) {
    m_items.reserve(dataset.catalog.size());
    for (const auto& id : dataset.catalog.items().ids()) m_items.intern(id);
    std::vector<std::vector<data::Index>> byUser(dataset.users.size());
    for (const auto& row : heldOut) {
        if (row.user < byUser.size()) byUser[row.user].push_back(row.item);
    }
    for (std::size_t u = 0; u < byUser.size(); ++u) {
        auto& liked = byUser[u];
        if (liked.empty()) continue;
        std::sort(liked.begin(), liked.end());
        liked.erase(std::unique(liked.begin(), liked.end()), liked.end());
        m_personaIds.push_back(dataset.users.id(static_cast<data::Index>(u)));
        m_liked.push_back(std::move(liked));
    }
}

bool HeldOutTruth::likes(std::size_t persona, std::string_view item) const {
    const auto index = m_items.find(item);
    if (!index) return false;
    const auto& liked = m_liked[persona];
    return std::binary_search(liked.begin(), liked.end(), *index);
}

std::size_t HeldOutTruth::likedCount(std::size_t persona) const {
    return m_liked[persona].size();
}

double HeldOutTruth::clickProbability(std::size_t persona, std::string_view item, std::size_t position) const {
    const double appeal = likes(persona, item) ? m_params.likedClick : m_params.baseClick;
    return std::clamp(appeal, 0.0, 1.0) * positionAttention(position, m_params.positionDecay);
}

double HeldOutTruth::purchaseProbability(std::size_t persona, std::string_view item) const {
    return std::clamp(likes(persona, item) ? m_params.likedPurchase : m_params.basePurchase, 0.0, 1.0);
}

std::string HeldOutTruth::describe() const {
    std::string text = "held-out interactions";
    if (!m_source.empty()) text += " of " + m_source;
    return text + " (" + std::to_string(m_personaIds.size()) + " users)";
}

Result<HeldOutData> loadHeldOut(const std::filesystem::path& interactions, const std::filesystem::path& items,
                                double testFraction, std::uint64_t seed, const TaskControl& control) {
    if (!(testFraction > 0.0 && testFraction < 1.0)) return Error{"test fraction: expected a number in (0, 1)"};
    auto dataset = std::make_shared<data::Dataset>();
    auto report = data::importInteractions(interactions, *dataset, control);
    if (!report) return report.error();
    if (!items.empty()) {
        auto described = data::importItems(items, *dataset, control);
        if (!described) return described.error();
    }
    if (dataset->interactions.empty()) return Error{interactions.string() + ": no interactions"};
    HeldOutData out;
    out.split = data::stratifiedSplit(dataset->interactions, testFraction, seed);
    if (out.split.test.empty()) {
        return Error{interactions.string() + ": no user has two or more items, so nothing can be held out"};
    }
    out.dataset = std::move(dataset);
    return out;
}

namespace {

void writeField(std::ostream& out, const std::string& field) {
    const bool quote = field.find_first_of(",\"\r\n") != std::string::npos ||
                       (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!quote) {
        out << field;
        return;
    }
    out << '"';
    for (const char c : field) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
}

}  // namespace

Status writeInteractionsCsv(const std::filesystem::path& path, const data::Dataset& dataset,
                            std::span<const data::Interaction> rows) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Error{path.string() + ": cannot open for writing"};
    out << "user,item,rating,timestamp\n";
    char number[32];
    for (const auto& row : rows) {
        writeField(out, dataset.users.id(row.user));
        out << ',';
        writeField(out, dataset.catalog.items().id(row.item));
        std::snprintf(number, sizeof number, ",%.9g,", static_cast<double>(row.rating));
        out << number << row.timestamp << '\n';
    }
    out.flush();
    if (!out) return Error{path.string() + ": write failed"};
    return {};
}

}  // namespace recdeck::sim

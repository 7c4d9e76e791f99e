#include "recdeck/models/popularity_model.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "binary_io.h"
#include "params_json.h"

namespace recdeck::models {

namespace {

// "Now" for the decay: the matrix's latest timestamp, unless it is a stray far beyond
// the bulk of the data (a timestamp in the wrong unit, a clock gone wrong) that would
// make every real interaction look ancient. Then: the latest timestamp within a year of
// the 99th percentile.
std::int64_t referenceTime(const data::InteractionMatrix& interactions) {
    std::vector<std::int64_t> times;
    times.reserve(interactions.nonZeros());
    for (std::size_t u = 0; u < interactions.userCount(); ++u) {
        for (std::int64_t t : interactions.timestampsOf(static_cast<Index>(u)))
            if (t > 0) times.push_back(t);
    }
    if (times.empty()) return 0;
    const auto at = times.begin() + static_cast<std::ptrdiff_t>((times.size() - 1) * 99 / 100);
    std::nth_element(times.begin(), at, times.end());
    const std::int64_t limit = *at + 365LL * 86400;
    std::int64_t reference = *at;
    for (std::int64_t t : times)
        if (t <= limit) reference = std::max(reference, t);
    return reference;
}

}  // namespace

nlohmann::json PopularityModel::params() const {
    return {{"half_life_days", m_params.halfLifeDays}};
}

Result<PopularityParams> PopularityModel::parseParams(const nlohmann::json& json) {
    PopularityParams p;
    detail::ParamReader reader("popularity", json);
    reader.onlyKeys({"half_life_days"});
    reader.number("half_life_days", p.halfLifeDays, 0.0, 1e6);
    if (!reader.ok()) return reader.error();
    return p;
}

Status PopularityModel::train(const data::InteractionMatrix& interactions, const TaskControl& control) {
    if (control.cancelled()) return Error::cancelled();
    std::vector<double> weights(interactions.itemCount(), 0.0);
    const bool decay = m_params.halfLifeDays > 0.0;
    const double halfLifeSeconds = m_params.halfLifeDays * 86400.0;
    const auto latest = decay ? referenceTime(interactions) : 0;
    for (std::size_t u = 0; u < interactions.userCount(); ++u) {
        const auto items = interactions.itemsOf(static_cast<Index>(u));
        const auto times = interactions.timestampsOf(static_cast<Index>(u));
        for (std::size_t k = 0; k < items.size(); ++k) {
            double w = 1.0;
            if (decay) {
                // Unknown timestamps (0) and future ones are treated as "now".
                const double age =
                    times[k] > 0 ? static_cast<double>(std::max<std::int64_t>(0, latest - times[k])) : 0.0;
                w = std::exp2(-age / halfLifeSeconds);
            }
            weights[items[k]] += w;
        }
    }
    m_scores.assign(weights.begin(), weights.end());
    control.report(1.0, "popularity");
    return {};
}

void PopularityModel::scoreAll(const UserContext&, std::span<float> out) const {
    std::copy(m_scores.begin(), m_scores.end(), out.begin());
}

void PopularityModel::saveParameters(std::ostream& out) const {
    detail::BinaryWriter writer(out);
    writer.array(std::span<const float>(m_scores));
}

Status PopularityModel::loadParameters(std::istream& in) {
    detail::BinaryReader reader(in, "popularity parameters");
    std::vector<float> scores;
    if (!reader.array(scores, "item scores")) return Error{reader.error()};
    m_scores = std::move(scores);
    return {};
}

}  // namespace recdeck::models

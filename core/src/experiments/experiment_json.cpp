#include "recdeck/experiments/experiment_json.h"

#include <initializer_list>
#include <string>
#include <string_view>

namespace recdeck::experiments {

using nlohmann::json;

namespace {

const std::initializer_list<std::string_view> kDefinitionFields = {
    "key",   "description", "salt",           "variants",          "coverage",
    "layer", "allocation",  "primary_metric", "guardrail_metrics", "plan"};
const std::initializer_list<std::string_view> kStateFields = {
    "state",         "created_at",     "started_at",        "stopped_at",  "updated_at",    "revision",
    "traffic_range", "bandit_weights", "bandit_updated_at", "layer_range", "frozen_results"};

bool listed(std::initializer_list<std::string_view> names, std::string_view name) {
    for (auto n : names)
        if (n == name) return true;
    return false;
}

std::string shown(const json& value) {
    std::string text = value.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

Error typeError(const std::string& field, std::string_view expected, const json& got) {
    return Error{field + ": expected " + std::string(expected) + ", got " + shown(got)};
}

// Reads object[name] into out when present.
std::optional<Error> readString(const json& object, const char* name, const std::string& field, std::string& out) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return typeError(field + name, "a string", *it);
    out = it->get<std::string>();
    return std::nullopt;
}

std::optional<Error> readNumber(const json& object, const char* name, const std::string& field, double& out) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) return typeError(field + name, "a number", *it);
    out = it->get<double>();
    return std::nullopt;
}

std::optional<Error> readInt(const json& object, const char* name, const std::string& field, std::int64_t& out) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) return typeError(field + name, "an integer", *it);
    out = it->get<std::int64_t>();
    return std::nullopt;
}

std::optional<Error> readBool(const json& object, const char* name, const std::string& field, bool& out) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) return typeError(field + name, "true or false", *it);
    out = it->get<bool>();
    return std::nullopt;
}

std::optional<Error> onlyFields(const json& object, std::initializer_list<std::string_view> allowed,
                                const std::string& field) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!listed(allowed, it.key())) {
            std::string names;
            for (auto n : allowed) names += (names.empty() ? "" : ", ") + std::string(n);
            return Error{field + it.key() + ": unknown field (expected one of " + names + ")"};
        }
    }
    return std::nullopt;
}

Result<Variant> variantFromJson(const json& object, const std::string& field) {
    if (!object.is_object()) return typeError(field, "an object {\"name\", \"weight\", \"model\"}", object);
    if (auto e = onlyFields(object, {"name", "weight", "model", "ranking"}, field + ".")) return *e;
    Variant v;
    const std::string prefix = field + ".";
    if (auto e = readString(object, "name", prefix, v.name)) return *e;
    if (auto e = readNumber(object, "weight", prefix, v.weight)) return *e;
    if (auto e = readString(object, "model", prefix, v.model)) return *e;
    auto ranking = object.find("ranking");
    if (ranking != object.end() && !ranking->is_null()) {
        const std::string rf = prefix + "ranking";
        if (!ranking->is_object())
            return typeError(rf, "an object {\"diversity\", \"mmr_lambda\", \"category_cap\"}", *ranking);
        if (auto e = onlyFields(*ranking, {"diversity", "mmr_lambda", "category_cap"}, rf + ".")) return *e;
        VariantRanking r;
        if (auto e = readBool(*ranking, "diversity", rf + ".", r.diversity)) return *e;
        if (auto e = readNumber(*ranking, "mmr_lambda", rf + ".", r.mmrLambda)) return *e;
        std::int64_t cap = static_cast<std::int64_t>(r.categoryCap);
        if (auto e = readInt(*ranking, "category_cap", rf + ".", cap)) return *e;
        if (cap < 0) return Error{rf + ".category_cap: must be >= 0 (0 = no cap), got " + std::to_string(cap)};
        r.categoryCap = static_cast<std::size_t>(cap);
        v.ranking = r;
    }
    return v;
}

Result<Metric> metricFromJson(const json& value, const std::string& field) {
    if (!value.is_string()) return typeError(field, "one of \"click_rate\", \"conversion_rate\", \"ctr\"", value);
    auto metric = parseMetric(value.get<std::string>());
    if (!metric) return typeError(field, "one of \"click_rate\", \"conversion_rate\", \"ctr\"", value);
    return *metric;
}

}  // namespace

json toJson(const Variant& variant) {
    json v = {{"name", variant.name}, {"weight", variant.weight}, {"model", variant.model}};
    if (variant.ranking) {
        v["ranking"] = {{"diversity", variant.ranking->diversity},
                        {"mmr_lambda", variant.ranking->mmrLambda},
                        {"category_cap", variant.ranking->categoryCap}};
    }
    return v;
}

json toJson(const Experiment& e) {
    json variants = json::array();
    for (const auto& v : e.variants) variants.push_back(toJson(v));
    json guardrails = json::array();
    for (const auto m : e.guardrails) guardrails.push_back(std::string(metricName(m)));
    json out = {
        {"key", e.key},
        {"description", e.description},
        {"salt", e.salt},
        {"variants", std::move(variants)},
        {"coverage", e.coverage},
        {"layer", e.layer},
        {"allocation", std::string(allocationName(e.allocation))},
        {"primary_metric", std::string(metricName(e.primaryMetric))},
        {"guardrail_metrics", std::move(guardrails)},
        {"plan",
         {{"baseline", e.plan.baseline},
          {"relative_effect", e.plan.relativeEffect},
          {"alpha", e.plan.alpha},
          {"power", e.plan.power}}},
        {"state", std::string(stateName(e.state))},
        {"created_at", e.createdAtMs},
        {"started_at", e.startedAtMs},
        {"stopped_at", e.stoppedAtMs},
        {"updated_at", e.updatedAtMs},
        {"revision", e.revision},
        {"traffic_range", json::array({e.trafficBegin, e.trafficEnd})},
        {"bandit_weights", e.banditWeights},
        {"bandit_updated_at", e.banditUpdatedAtMs},
    };
    if (!e.frozenResults.empty()) out["frozen_results"] = e.frozenResults;
    return out;
}

Result<Experiment> experimentFromJson(const json& object, bool withState) {
    if (!object.is_object()) return typeError("experiment", "a JSON object", object);
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!listed(kDefinitionFields, it.key()) && !listed(kStateFields, it.key())) {
            return Error{it.key() +
                         ": unknown field (expected key, description, salt, variants, coverage, layer, "
                         "allocation, primary_metric, guardrail_metrics, plan)"};
        }
    }
    Experiment e;
    if (auto err = readString(object, "key", "", e.key)) return *err;
    if (auto err = readString(object, "description", "", e.description)) return *err;
    if (auto err = readString(object, "salt", "", e.salt)) return *err;
    if (auto err = readNumber(object, "coverage", "", e.coverage)) return *err;
    if (auto err = readString(object, "layer", "", e.layer)) return *err;

    auto variants = object.find("variants");
    if (variants == object.end() || variants->is_null())
        return Error{"variants: required, a list of at least 2 {\"name\", \"weight\", \"model\"}"};
    if (!variants->is_array()) return typeError("variants", "a list of variants", *variants);
    for (std::size_t i = 0; i < variants->size(); ++i) {
        auto v = variantFromJson((*variants)[i], "variants[" + std::to_string(i) + "]");
        if (!v) return v.error();
        e.variants.push_back(std::move(v).value());
    }

    std::string allocation;
    if (auto err = readString(object, "allocation", "", allocation)) return *err;
    if (!allocation.empty()) {
        auto mode = parseAllocation(allocation);
        if (!mode) return Error{"allocation: expected \"fixed\" or \"thompson\", got \"" + allocation + "\""};
        e.allocation = *mode;
    }
    if (auto it = object.find("primary_metric"); it != object.end() && !it->is_null()) {
        auto m = metricFromJson(*it, "primary_metric");
        if (!m) return m.error();
        e.primaryMetric = *m;
    }
    if (auto it = object.find("guardrail_metrics"); it != object.end() && !it->is_null()) {
        if (!it->is_array()) return typeError("guardrail_metrics", "a list of metric names", *it);
        for (std::size_t i = 0; i < it->size(); ++i) {
            auto m = metricFromJson((*it)[i], "guardrail_metrics[" + std::to_string(i) + "]");
            if (!m) return m.error();
            e.guardrails.push_back(*m);
        }
    }
    if (auto it = object.find("plan"); it != object.end() && !it->is_null()) {
        if (!it->is_object())
            return typeError("plan", "an object {\"baseline\", \"relative_effect\", \"alpha\", \"power\"}", *it);
        if (auto err = onlyFields(*it, {"baseline", "relative_effect", "alpha", "power"}, "plan.")) return *err;
        if (auto err = readNumber(*it, "baseline", "plan.", e.plan.baseline)) return *err;
        if (auto err = readNumber(*it, "relative_effect", "plan.", e.plan.relativeEffect)) return *err;
        if (auto err = readNumber(*it, "alpha", "plan.", e.plan.alpha)) return *err;
        if (auto err = readNumber(*it, "power", "plan.", e.plan.power)) return *err;
    }

    if (!withState) return e;

    std::string state;
    if (auto err = readString(object, "state", "", state)) return *err;
    if (!state.empty()) {
        auto s = parseState(state);
        if (!s) return Error{"state: expected \"draft\", \"running\" or \"stopped\", got \"" + state + "\""};
        e.state = *s;
    }
    if (auto err = readInt(object, "created_at", "", e.createdAtMs)) return *err;
    if (auto err = readInt(object, "started_at", "", e.startedAtMs)) return *err;
    if (auto err = readInt(object, "stopped_at", "", e.stoppedAtMs)) return *err;
    if (auto err = readInt(object, "updated_at", "", e.updatedAtMs)) return *err;
    if (auto err = readInt(object, "bandit_updated_at", "", e.banditUpdatedAtMs)) return *err;
    if (auto err = readString(object, "frozen_results", "", e.frozenResults)) return *err;
    std::int64_t revision = 0;
    if (auto err = readInt(object, "revision", "", revision)) return *err;
    e.revision = static_cast<std::uint64_t>(revision < 0 ? 0 : revision);
    // "layer_range" (a record written before traffic windows) is accepted and ignored: the
    // registry places such a running experiment afresh (planTopUps).
    if (auto it = object.find("traffic_range"); it != object.end() && !it->is_null()) {
        if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() || !(*it)[1].is_number_unsigned())
            return typeError("traffic_range", "[begin, end] bucket numbers", *it);
        const auto begin = (*it)[0].get<std::uint64_t>();
        const auto end = (*it)[1].get<std::uint64_t>();
        if (begin > end || end > kBuckets) return typeError("traffic_range", "0 <= begin <= end <= 10000", *it);
        e.trafficBegin = static_cast<std::uint32_t>(begin);
        e.trafficEnd = static_cast<std::uint32_t>(end);
    }
    if (auto it = object.find("bandit_weights"); it != object.end() && !it->is_null()) {
        if (!it->is_array()) return typeError("bandit_weights", "a list of numbers", *it);
        for (const auto& w : *it) {
            if (!w.is_number()) return typeError("bandit_weights", "a list of numbers", *it);
            e.banditWeights.push_back(w.get<double>());
        }
    }
    return e;
}

}  // namespace recdeck::experiments

#include "recdeck/models/model_factory.h"

#include <algorithm>
#include <functional>

#include <nlohmann/json.hpp>

#include "recdeck/models/als_model.h"
#include "recdeck/models/blend_model.h"
#include "recdeck/models/ease_model.h"
#include "recdeck/models/item_knn_model.h"
#include "recdeck/models/popularity_model.h"

namespace recdeck::models {

namespace {

template <typename ModelType, typename Parse>
Result<std::unique_ptr<Model>> make(const nlohmann::json& params, Parse parse) {
    auto parsed = parse(params);
    if (!parsed) return parsed.error();
    return std::unique_ptr<Model>(std::make_unique<ModelType>(*parsed));
}

}  // namespace

std::vector<std::string_view> modelKinds() {
    return {"popularity", "itemknn", "als", "ease", "blend"};
}

std::string_view defaultModelKind(std::size_t itemCount) {
    return itemCount <= EaseModel::kDefaultMaxItems ? "blend" : "als";
}

std::string_view defaultModelKind(const data::InteractionMatrix& interactions) {
    auto popularity = interactions.itemPopularity();
    std::sort(popularity.begin(), popularity.end(), std::greater<>());
    while (!popularity.empty() && popularity.back() == 0) popularity.pop_back();
    if (popularity.size() <= EaseModel::kDefaultMaxItems) return "blend";
    std::uint64_t total = 0, head = 0;
    for (std::size_t i = 0; i < popularity.size(); ++i) {
        total += popularity[i];
        if (i < EaseModel::kDefaultMaxItems) head += popularity[i];
    }
    return static_cast<double>(head) >= kEaseMinCoverage * static_cast<double>(total) ? "blend" : "als";
}

Result<std::unique_ptr<Model>> createModel(std::string_view kind, const nlohmann::json& params, std::size_t itemCount) {
    if (kind == "default") kind = defaultModelKind(itemCount);
    if (kind == "popularity") return make<PopularityModel>(params, &PopularityModel::parseParams);
    if (kind == "itemknn") return make<ItemKnnModel>(params, &ItemKnnModel::parseParams);
    if (kind == "als") return make<AlsModel>(params, &AlsModel::parseParams);
    if (kind == "ease") return make<EaseModel>(params, &EaseModel::parseParams);
    if (kind == "blend") {
        auto blend = BlendModel::fromParams(params);
        if (!blend) return blend.error();
        return std::unique_ptr<Model>(std::move(*blend));
    }
    return Error{"unknown model '" + std::string(kind) +
                 "' (expected one of: default, popularity, itemknn, als, ease, blend)"};
}

Result<std::unique_ptr<Model>> createModel(std::string_view kind) {
    return createModel(kind, nlohmann::json::object());
}

}  // namespace recdeck::models

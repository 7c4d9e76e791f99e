#include "recdeck/models/model_factory.h"

#include <nlohmann/json.hpp>

#include "recdeck/models/als_model.h"
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

std::vector<std::string_view> modelKinds() { return {"popularity", "itemknn", "als", "ease"}; }

std::string_view defaultModelKind(std::size_t itemCount) {
    return itemCount <= EaseModel::kDefaultMaxItems ? "ease" : "als";
}

Result<std::unique_ptr<Model>> createModel(std::string_view kind, const nlohmann::json& params, std::size_t itemCount) {
    if (kind == "default") kind = defaultModelKind(itemCount);
    if (kind == "popularity") return make<PopularityModel>(params, &PopularityModel::parseParams);
    if (kind == "itemknn") return make<ItemKnnModel>(params, &ItemKnnModel::parseParams);
    if (kind == "als") return make<AlsModel>(params, &AlsModel::parseParams);
    if (kind == "ease") return make<EaseModel>(params, &EaseModel::parseParams);
    return Error{"unknown model '" + std::string(kind) + "' (expected one of: default, popularity, itemknn, als, ease)"};
}

Result<std::unique_ptr<Model>> createModel(std::string_view kind) {
    return createModel(kind, nlohmann::json::object());
}

}  // namespace recdeck::models

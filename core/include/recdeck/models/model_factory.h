#pragma once
// Creating models by kind name, with hyper-parameters from JSON (the console, the CLI
// and model files all go through here).

#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "recdeck/common/result.h"
#include "recdeck/models/model.h"

namespace recdeck::models {

// The kinds createModel() knows, in order of increasing strength on typical data.
std::vector<std::string_view> modelKinds();

// The strongest kind that fits a catalog of `itemCount` interacted items: "ease" up to
// EaseModel::kDefaultMaxItems (its vocabulary cap), "als" above.
std::string_view defaultModelKind(std::size_t itemCount);

// An untrained model of `kind` ("popularity", "itemknn", "als", "ease", or "default",
// resolved with defaultModelKind(itemCount)). Missing parameters take their defaults;
// unknown keys, wrong types and out-of-range values are errors naming the field.
Result<std::unique_ptr<Model>> createModel(std::string_view kind, const nlohmann::json& params,
                                           std::size_t itemCount = 0);
Result<std::unique_ptr<Model>> createModel(std::string_view kind);

}  // namespace recdeck::models

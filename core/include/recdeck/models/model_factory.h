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

// The strongest kind that fits a catalog of `itemCount` interacted items: "blend" (EASE +
// ALS, see blend_model.h) up to EaseModel::kDefaultMaxItems (EASE's vocabulary cap),
// "als" above.
std::string_view defaultModelKind(std::size_t itemCount);
// The same decision made on the data: "blend" also above the cap when EASE's most popular
// kDefaultMaxItems items still hold at least kEaseMinCoverage of the interactions (the
// long tail it cannot score rarely reaches a top-k list), "als" otherwise.
inline constexpr double kEaseMinCoverage = 0.9;
std::string_view defaultModelKind(const data::InteractionMatrix& interactions);

// An untrained model of `kind` ("popularity", "itemknn", "als", "ease", "blend", or "default",
// resolved with defaultModelKind(itemCount); resolve it with the matrix overload first
// when the training data is at hand). Missing parameters take their defaults;
// unknown keys, wrong types and out-of-range values are errors naming the field.
Result<std::unique_ptr<Model>> createModel(std::string_view kind, const nlohmann::json& params,
                                           std::size_t itemCount = 0);
Result<std::unique_ptr<Model>> createModel(std::string_view kind);

}  // namespace recdeck::models

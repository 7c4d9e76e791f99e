#pragma once
// Which model serves a user: the one place that turns a request's model name and the
// user's experiment assignment into a registry entry. RecommendationService decides every
// request with it; the console's User inspector asks it which users get a personalised
// list; the HTTP API and `recdeckd simulate` check model names with it.

#include <optional>
#include <string_view>

#include "recdeck/common/result.h"
#include "recdeck/experiments/assignment.h"
#include "recdeck/models/model_registry.h"
#include "recdeck/ranking/ranker.h"
#include "recdeck/serving/recommendation_service.h"

namespace recdeck::serving {

class Engine;

// "" and "default" name the default model (in requests, experiment variants, options).
bool namesDefaultModel(std::string_view name);
// The registry entry that serves requests naming `name` ("" or "default": the default
// model); nullptr when the registry has no such model (or no model at all).
models::ModelRegistry::EntryPtr servingEntry(const models::ModelRegistry& registry, std::string_view name);

// What an experiment's assignment decides for a request: its variant, its model, and its
// ranking (the variant's knobs over `base`; a variant that names a lambda gets exactly
// that lambda, not the ILD target).
VariantAssignment variantAssignment(experiments::Assignment assignment, const ranking::RankingParams& base);

// Which model serves a request, and the experiment variant that decided it, if any.
struct ModelChoice {
    std::optional<VariantAssignment> assignment;  // set when the request named no model
    models::ModelRegistry::EntryPtr model;        // null only when the registry is empty
};

// Which model serves `userId` for a request naming `model`: that model, or for "" the one
// live traffic gets — the user's experiment variant (`assigner`, may be null or empty),
// else the default model; a variant naming a model that is gone gets the default. Fails
// when `model` names no trained model.
Result<ModelChoice> chooseModel(const models::ModelRegistry& registry, const Assigner* assigner,
                                std::string_view userId, std::string_view model);
// The same with a running engine's registry and experiments.
Result<ModelChoice> chooseModel(Engine& engine, std::string_view userId, std::string_view model = {});

}  // namespace recdeck::serving

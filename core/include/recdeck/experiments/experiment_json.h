#pragma once
// JSON form of an experiment definition: what the HTTP API accepts and returns, what the
// registry stores in SQLite and (field by field) in the store's hash.
//
//   {"key": "home-ranker", "description": "", "salt": "",
//    "variants": [{"name": "control", "weight": 0.5, "model": "popularity"},
//                 {"name": "treatment", "weight": 0.5, "model": "als",
//                  "ranking": {"diversity": true, "mmr_lambda": 0.7, "category_cap": 3}}],
//    "coverage": 1.0, "layer": "", "allocation": "fixed" | "thompson",
//    "primary_metric": "click_rate", "guardrail_metrics": ["conversion_rate"],
//    "plan": {"baseline": 0, "relative_effect": 0.1, "alpha": 0.05, "power": 0.8},
//    -- state, written by the registry (ignored in a submitted definition) --
//    "state": "draft", "created_at": ms, "started_at": ms, "stopped_at": ms,
//    "updated_at": ms, "revision": n, "traffic_range": [begin, end],
//    "bandit_weights": [...], "bandit_updated_at": ms}
//
// Every definition field is optional except key and variants; a variant's weight defaults
// to 1 (equal split after normalisation), its model to "" (the default model). Unknown
// fields are refused (a misspelt "weigth" must not silently fall back to a default).

#include <nlohmann/json.hpp>

#include "recdeck/common/result.h"
#include "recdeck/experiments/experiment.h"

namespace recdeck::experiments {

nlohmann::json toJson(const Experiment& experiment);
nlohmann::json toJson(const Variant& variant);

// Parses a definition. withState: also read the state fields (stored records); otherwise
// they are ignored and the result is a draft. The result is not validated (call
// validated()). Errors name the field: "variants[1].weight: expected a number, got \"x\"".
Result<Experiment> experimentFromJson(const nlohmann::json& json, bool withState = false);

}  // namespace recdeck::experiments

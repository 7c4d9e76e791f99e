#pragma once
// The experiment routes of the HTTP API, installed on an Api as an extension:
//
//   GET  /experiments                  every experiment with its state
//   POST /experiments                  create a draft (JSON definition, experiment_json.h)
//   GET  /experiments/{key}            one definition
//   PUT  /experiments/{key}            edit a draft (or the non-allocation fields of a run)
//   DELETE /experiments/{key}          delete a draft
//   POST /experiments/{key}/start | stop | restart
//   GET  /experiments/{key}/results    per-variant counts, rates, tests, SRM, verdict
//
// Changes (POST, PUT, DELETE) are admin actions: they need the bearer token when one is
// configured. A refused lifecycle move is 409 with the registry's reason.

#include "api.h"

namespace recdeck::http {

void installExperimentRoutes(Api& api, serving::Engine& engine);

}  // namespace recdeck::http

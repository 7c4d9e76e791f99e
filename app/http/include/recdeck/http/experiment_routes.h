#pragma once
// The experiment routes of the HTTP API, added to an Api with addRoute():
//
//   GET  /experiments                  every experiment with its state
//   POST /experiments                  create a draft (JSON definition, experiment_json.h)
//   GET  /experiments/{key}            one definition
//   PUT  /experiments/{key}            edit a draft (or the non-allocation fields of a run)
//   DELETE /experiments/{key}          delete a draft
//   POST /experiments/{key}/start | stop | restart
//   GET  /experiments/{key}/results    per-variant counts, rates, tests, SRM, verdict
//
// Changes (POST, PUT, DELETE) need the admin token when one is configured. Errors come
// from the registry's kinds: an unknown key is 404, a refused lifecycle move 409 with the
// registry's reason, a bad definition 400.

#include "recdeck/http/api.h"

namespace recdeck::http {

void installExperimentRoutes(Api& api, serving::Engine& engine);

}  // namespace recdeck::http

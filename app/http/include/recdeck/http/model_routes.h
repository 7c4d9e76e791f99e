#pragma once
// The model routes of the HTTP API, added to an Api with addRoute():
//
//   GET  /models                          every served model: name, kind, version,
//                                         trained_at, interactions, metrics, default,
//                                         fleet_version
//   POST /admin/models/{name}/train       trains {name} (a kind or "default") on the data
//                                         plus the (fleet's) events and answers once the new
//                                         version serves here and is published:
//                                         {"name", "version", "interactions",
//                                          "event_interactions", "seconds", "published"}
//   POST /admin/models/{name}/default     makes {name} the (fleet's) default
//   POST /admin/models/{name}/rollback    serves the version before the current one
//
// The /admin routes need the bearer token when one is configured.

#include "recdeck/http/api.h"

namespace recdeck::http {

void installModelRoutes(Api& api, serving::Engine& engine);

}  // namespace recdeck::http

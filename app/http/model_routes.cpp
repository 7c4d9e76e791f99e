#include "recdeck/http/model_routes.h"

#include "recdeck/common/stopwatch.h"
#include "recdeck/http/json_codec.h"

namespace recdeck::http {

using nlohmann::json;

namespace {

// An engine answer: its kind picks the status; server-side kinds are logged, not sent.
HttpResponse refused(std::string_view where, const Error& error) {
    if (errorHttpStatus(error.kind) >= 500) return engineFailure(where, error);
    return errorResponse(error);
}

json entryJson(const models::ModelEntry& entry, bool isDefault) {
    return {{"name", entry.name},
            {"kind", std::string(entry.model->kind())},
            {"version", entry.version},
            {"trained_at", entry.trainedAtMs},
            {"interactions", entry.interactions},
            {"default", isDefault}};
}

}  // namespace

void installModelRoutes(Api& api, serving::Engine& engine) {
    api.addRoute(
        {"GET", "/models", Access::Open, Work::Inline, 0, [&engine](const HttpRequest&, const PathParams&) {
             json models = json::array();
             for (const auto& m : engine.models().list()) {
                 models.push_back({{"name", m.name},
                                   {"kind", m.kind},
                                   {"version", m.version},
                                   {"trained_at", m.trainedAtMs},
                                   {"training_seconds", m.trainingSeconds},
                                   {"interactions", m.interactions},
                                   {"metrics", m.offlineMetrics},
                                   {"default", m.isDefault},
                                   {"fleet_version", m.fleetVersion}});
             }
             const auto stats = engine.models().stats();
             return jsonOk({{"models", std::move(models)}, {"fleet", stats.fleet}, {"problems", stats.mismatches}});
         }});
    api.addRoute({"POST", "/admin/models/{name}/train", Access::Token, Work::Blocking, 0,
                  [&engine](const HttpRequest&, const PathParams& params) {
                      const std::string name(params[0]);
                      Stopwatch watch;
                      auto trained = engine.train(name);
                      if (!trained) return refused("POST /admin/models/" + name + "/train", trained.error());
                      return jsonOk({{"name", trained->entry->name},
                                     {"version", trained->entry->version},
                                     {"interactions", trained->interactions},
                                     {"event_interactions", trained->eventInteractions},
                                     {"seconds", watch.elapsedSeconds()},
                                     {"published", trained->published}});
                  }});
    api.addRoute({"POST", "/admin/models/{name}/default", Access::Token, Work::Blocking, 0,
                  [&engine](const HttpRequest&, const PathParams& params) {
                      const std::string name(params[0]);
                      if (auto set = engine.setDefaultModel(name); !set)
                          return refused("POST /admin/models/" + name + "/default", set.error());
                      const auto entry = engine.registry().find(name);
                      if (!entry) return errorResponse(Error::notFound("no model named '" + name + "'"));
                      return jsonOk(entryJson(*entry, true));
                  }});
    api.addRoute({"POST", "/admin/models/{name}/rollback", Access::Token, Work::Blocking, 0,
                  [&engine](const HttpRequest&, const PathParams& params) {
                      const std::string name(params[0]);
                      auto rolled = engine.rollbackModel(name);
                      if (!rolled) return refused("POST /admin/models/" + name + "/rollback", rolled.error());
                      return jsonOk(entryJson(**rolled, engine.registry().defaultName() == name));
                  }});
}

}  // namespace recdeck::http

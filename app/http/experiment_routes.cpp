#include "recdeck/http/experiment_routes.h"

#include "recdeck/experiments/experiment_json.h"
#include "recdeck/experiments/experiment_results.h"
#include "recdeck/http/json_codec.h"

namespace recdeck::http {

using nlohmann::json;

namespace {

constexpr std::size_t kDefinitionBytes = 64 * 1024;

// A registry answer: its kind picks the status. Server-side kinds are logged, not sent.
HttpResponse refused(std::string_view where, const Error& error) {
    if (errorHttpStatus(error.kind) >= 500) return engineFailure(where, error);
    return errorResponse(error);
}

Result<experiments::Experiment> definitionFrom(const HttpRequest& request, const JsonLimits& limits) {
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Error::invalid("body: expected an experiment definition (JSON)");
    }
    auto parsed = parseJson(request.body, limits);
    if (!parsed) return parsed.error();
    auto definition = experiments::experimentFromJson(*parsed);
    if (!definition) return Error::invalid(definition.errorMessage());
    return definition;
}

}  // namespace

void installExperimentRoutes(Api& api, serving::Engine& engine) {
    const JsonLimits limits = api.options().json;
    auto& registry = engine.experiments();

    api.addRoute(
        {"GET", "/experiments", Access::Open, Work::Blocking, 0, [&registry](const HttpRequest&, const PathParams&) {
             json list = json::array();
             for (const auto& experiment : registry.list()) list.push_back(experiments::toJson(experiment));
             return jsonOk({{"experiments", std::move(list)}});
         }});
    api.addRoute({"POST", "/experiments", Access::Token, Work::Blocking, kDefinitionBytes,
                  [&registry, limits](const HttpRequest& request, const PathParams&) {
                      auto definition = definitionFrom(request, limits);
                      if (!definition) return errorResponse(definition.error());
                      auto created = registry.create(std::move(*definition));
                      if (!created) return refused("POST /experiments", created.error());
                      return jsonOk(experiments::toJson(*created), 201);
                  }});
    api.addRoute({"GET", "/experiments/{key}", Access::Open, Work::Blocking, 0,
                  [&registry](const HttpRequest&, const PathParams& params) {
                      const std::string key(params[0]);
                      auto experiment = registry.get(key);
                      if (!experiment) return errorResponse(Error::notFound("no experiment '" + key + "'"));
                      return jsonOk(experiments::toJson(*experiment));
                  }});
    api.addRoute({"PUT", "/experiments/{key}", Access::Token, Work::Blocking, kDefinitionBytes,
                  [&registry, limits](const HttpRequest& request, const PathParams& params) {
                      const std::string key(params[0]);
                      auto definition = definitionFrom(request, limits);
                      if (!definition) return errorResponse(definition.error());
                      if (definition->key.empty()) definition->key = key;
                      if (definition->key != key) return errorResponse(Error::invalid("key: must match the path"));
                      auto updated = registry.update(std::move(*definition));
                      if (!updated) return refused("PUT /experiments", updated.error());
                      return jsonOk(experiments::toJson(*updated));
                  }});
    api.addRoute({"DELETE", "/experiments/{key}", Access::Token, Work::Blocking, 0,
                  [&registry](const HttpRequest&, const PathParams& params) {
                      const std::string key(params[0]);
                      auto removed = registry.remove(key);
                      if (!removed) return refused("DELETE /experiments", removed.error());
                      return jsonOk({{"deleted", key}});
                  }});
    api.addRoute({"GET", "/experiments/{key}/results", Access::Open, Work::Blocking, 0,
                  [&engine, &registry](const HttpRequest&, const PathParams& params) {
                      const std::string key(params[0]);
                      if (!registry.get(key)) return errorResponse(Error::notFound("no experiment '" + key + "'"));
                      auto results = engine.experimentResults().results(key);
                      if (!results) return refused("GET /experiments/results", results.error());
                      return jsonOk(experiments::toJson(*results));
                  }});
    // Start queues (it takes the traffic no conflicting experiment holds and waits for the
    // rest), as the console's plain Start does.
    using Move = Result<experiments::Experiment> (*)(experiments::ExperimentRegistry&, const std::string&);
    const std::pair<const char*, Move> moves[] = {
        {"start", [](experiments::ExperimentRegistry& r, const std::string& k) { return r.start(k); }},
        {"stop", [](experiments::ExperimentRegistry& r, const std::string& k) { return r.stop(k); }},
        {"restart", [](experiments::ExperimentRegistry& r, const std::string& k) { return r.restart(k); }}};
    for (const auto& [action, move] : moves) {
        const std::string where = std::string("POST /experiments/") + action;
        api.addRoute({"POST", std::string("/experiments/{key}/") + action, Access::Token, Work::Blocking, 0,
                      [&registry, move, where](const HttpRequest&, const PathParams& params) {
                          const std::string key(params[0]);
                          Result<experiments::Experiment> moved = move(registry, key);
                          if (!moved) return refused(where, moved.error());
                          return jsonOk(experiments::toJson(*moved));
                      }});
    }
}

}  // namespace recdeck::http

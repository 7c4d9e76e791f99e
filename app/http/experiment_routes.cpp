#include "experiment_routes.h"

#include "json_codec.h"
#include "recdeck/experiments/experiment_json.h"
#include "recdeck/experiments/experiment_results.h"

namespace recdeck::http {

using nlohmann::json;

namespace {

// Registry refusals are conflicts with the experiment's state; unknown keys are 404;
// everything else about a submitted definition is the client's mistake.
HttpResponse refused(const std::string& message) {
    if (message.find("does not exist") != std::string::npos) return jsonError(404, "not_found", message);
    for (const char* conflict : {"is running", "is stopped", "was stopped", "has run", "has not started", "has never run",
                                 "already", "is full", "changed while"}) {
        if (message.find(conflict) != std::string::npos) return jsonError(409, "conflict", message);
    }
    if (message.find("cannot save") != std::string::npos || message.find("cannot share") != std::string::npos) {
        return jsonError(503, "unavailable", message);
    }
    return jsonError(400, "invalid_experiment", message);
}

Result<experiments::Experiment> definitionFrom(const HttpRequest& request) {
    const QByteArray body = request.body.trimmed();
    if (body.isEmpty()) return Error{"body: expected an experiment definition (JSON)"};
    const json parsed = json::parse(body.begin(), body.end(), nullptr, false);
    if (parsed.is_discarded()) return Error{"body: not valid JSON"};
    return experiments::experimentFromJson(parsed);
}

HttpResponse handle(serving::Engine& engine, const HttpRequest& request, bool admin) {
    auto& registry = engine.experiments();
    const QStringList& s = request.segments;
    const QByteArray& method = request.method;
    const bool change = method != "GET";
    if (change && !admin) return jsonError(401, "unauthorized", "changing experiments needs 'Authorization: Bearer <token>'");

    if (s.size() == 1) {
        if (method == "GET") {
            json list = json::array();
            for (const auto& experiment : registry.list()) list.push_back(experiments::toJson(experiment));
            return jsonOk({{"experiments", std::move(list)}});
        }
        if (method != "POST") return methodNotAllowed("GET, POST");
        auto definition = definitionFrom(request);
        if (!definition) return jsonError(400, "invalid_experiment", definition.errorMessage());
        auto created = registry.create(std::move(*definition));
        if (!created) return refused(created.errorMessage());
        return jsonOk(experiments::toJson(*created), 201);
    }
    const std::string key = s[1].toStdString();
    if (s.size() == 2) {
        if (method == "GET") {
            auto experiment = registry.get(key);
            if (!experiment) return jsonError(404, "not_found", "no experiment '" + key + "'");
            return jsonOk(experiments::toJson(*experiment));
        }
        if (method == "PUT") {
            auto definition = definitionFrom(request);
            if (!definition) return jsonError(400, "invalid_experiment", definition.errorMessage());
            if (definition->key.empty()) definition->key = key;
            if (definition->key != key) return jsonError(400, "invalid_experiment", "key: must match the path");
            auto updated = registry.update(std::move(*definition));
            if (!updated) return refused(updated.errorMessage());
            return jsonOk(experiments::toJson(*updated));
        }
        if (method == "DELETE") {
            auto removed = registry.remove(key);
            if (!removed) return refused(removed.errorMessage());
            return jsonOk({{"deleted", key}});
        }
        return methodNotAllowed("GET, PUT, DELETE");
    }
    if (s.size() == 3) {
        const QString& action = s[2];
        if (action == QLatin1String("results")) {
            if (method != "GET") return methodNotAllowed("GET");
            auto results = engine.experimentResults().results(key);
            if (!results) return refused(results.errorMessage());
            return jsonOk(experiments::toJson(*results));
        }
        if (action == QLatin1String("start") || action == QLatin1String("stop") || action == QLatin1String("restart")) {
            if (method != "POST") return methodNotAllowed("POST");
            Result<experiments::Experiment> moved =
                action == QLatin1String("start") ? registry.start(key)
                : action == QLatin1String("stop") ? registry.stop(key)
                                                  : registry.restart(key);
            if (!moved) return refused(moved.errorMessage());
            return jsonOk(experiments::toJson(*moved));
        }
    }
    return jsonError(404, "not_found", "no route for " + request.path.toStdString());
}

}  // namespace

void installExperimentRoutes(Api& api, serving::Engine& engine) {
    api.addExtension({QStringLiteral("experiments")}, [&engine](const HttpRequest& request, bool admin, HttpResponse& response) {
        response = handle(engine, request, admin);
        return true;
    });
}

}  // namespace recdeck::http

#include "model_routes.h"

#include "json_codec.h"
#include "recdeck/common/stopwatch.h"

namespace recdeck::http {

using nlohmann::json;

namespace {

HttpResponse failed(const Error& error) {
    return jsonError(errorHttpStatus(error.kind), errorCode(error.kind), error.message);
}

json entryJson(const models::ModelEntry& entry, bool isDefault) {
    return {{"name", entry.name},
            {"kind", std::string(entry.model->kind())},
            {"version", entry.version},
            {"trained_at", entry.trainedAtMs},
            {"interactions", entry.interactions},
            {"default", isDefault}};
}

HttpResponse list(serving::Engine& engine) {
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
}

}  // namespace

void installModelRoutes(Api& api, serving::Engine& engine) {
    api.addExtension({QStringLiteral("models"), QStringLiteral("admin")},
                     [&engine](const HttpRequest& request, bool admin, HttpResponse& response) {
                         const QStringList& s = request.segments;
                         if (s.value(0) == QLatin1String("models")) {
                             if (s.size() != 1) return false;
                             response = request.method == "GET" ? list(engine) : methodNotAllowed("GET");
                             return true;
                         }
                         if (s.size() != 4 || s[1] != QLatin1String("models")) return false;
                         if (request.method != "POST") {
                             response = methodNotAllowed("POST");
                             return true;
                         }
                         if (!admin) {
                             response = jsonError(401, "unauthorized", "model changes need 'Authorization: Bearer <token>'");
                             return true;
                         }
                         const std::string name = s[2].toStdString();
                         const QString& action = s[3];
                         if (action == QLatin1String("train")) {
                             Stopwatch watch;
                             auto trained = engine.train(name);
                             if (!trained) {
                                 response = failed(trained.error());
                                 return true;
                             }
                             response = jsonOk({{"name", trained->entry->name},
                                                {"version", trained->entry->version},
                                                {"interactions", trained->interactions},
                                                {"event_interactions", trained->eventInteractions},
                                                {"seconds", watch.elapsedSeconds()},
                                                {"published", trained->published}});
                             return true;
                         }
                         if (action == QLatin1String("default")) {
                             if (auto set = engine.setDefaultModel(name); !set) {
                                 response = failed(set.error());
                                 return true;
                             }
                             const auto entry = engine.registry().find(name);
                             response = jsonOk(entryJson(*entry, true));
                             return true;
                         }
                         if (action == QLatin1String("rollback")) {
                             auto rolled = engine.rollbackModel(name);
                             if (!rolled) {
                                 response = failed(rolled.error());
                                 return true;
                             }
                             response = jsonOk(entryJson(**rolled, engine.registry().defaultName() == name));
                             return true;
                         }
                         response = jsonError(404, "not_found", "no route for " + request.path.toStdString());
                         return true;
                     });
}

}  // namespace recdeck::http

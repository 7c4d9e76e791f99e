#include "api.h"

#include <QUrl>

#include <charconv>

#include "json_codec.h"
#include "recdeck/common/stopwatch.h"

namespace recdeck::http {

using nlohmann::json;

namespace {

// A field from the JSON body if present, else from the query string.
struct Fields {
    const HttpRequest& request;
    json body;

    std::optional<std::string> text(const char* name) const {
        if (body.is_object()) {
            if (const auto found = body.find(name); found != body.end() && !found->is_null()) {
                if (found->is_string()) return found->get<std::string>();
                if (found->is_number_integer()) return found->dump();
                return std::string("\x01");  // wrong type: reported by the caller
            }
        }
        if (request.hasQuery(QString::fromLatin1(name))) return request.queryValue(QString::fromLatin1(name)).toStdString();
        return std::nullopt;
    }
};

Result<Fields> fieldsOf(const HttpRequest& request) {
    Fields fields{request, json()};
    const QByteArray trimmed = request.body.trimmed();
    if (trimmed.isEmpty()) return fields;
    fields.body = json::parse(trimmed.begin(), trimmed.end(), nullptr, false);
    if (fields.body.is_discarded()) return Error{"body: not valid JSON"};
    if (!fields.body.is_object()) return Error{"body: expected a JSON object"};
    return fields;
}

Result<long long> parseInteger(const std::string& text, const char* field) {
    long long value = 0;
    const char* begin = text.data();
    const char* end = begin + text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end || text.empty()) return Error{std::string(field) + ": '" + text + "' is not an integer"};
    return value;
}

bool isTrue(const std::optional<std::string>& text) {
    return text && (*text == "true" || *text == "1" || *text == "yes");
}

}  // namespace

Api::Api(serving::Engine& engine, ApiOptions options) : m_engine(engine), m_options(std::move(options)) {}

void Api::setRequestObserver(RequestObserver observer) { m_observer = std::move(observer); }
void Api::setMetricsText(std::function<std::string()> metrics) { m_metrics = std::move(metrics); }
void Api::addExtension(std::vector<QString> pathPrefixes, RouteExtension extension) {
    m_extensions.push_back({std::move(pathPrefixes), std::move(extension)});
}

bool Api::authorised(const HttpRequest& request) const {
    if (m_options.adminToken.isEmpty()) return true;
    const QByteArray header = request.headers.value("authorization");
    return header == "Bearer " + m_options.adminToken;
}

HttpResponse Api::handle(const HttpRequest& request) {
    Stopwatch watch;
    std::optional<serving::Recommendation> served;
    HttpResponse response;
    if (request.body.size() > m_options.maxBodyBytes) {
        response = jsonError(413, "payload_too_large",
                             "body is " + std::to_string(request.body.size()) + " bytes; the limit is " +
                                 std::to_string(m_options.maxBodyBytes));
    } else {
        try {
            response = route(request, served);
        } catch (const std::exception& error) {
            response = jsonError(500, "internal_error", error.what());
        }
    }
    if (m_observer) m_observer(request, response.status, watch.elapsedUs(), served ? &*served : nullptr);
    return response;
}

HttpResponse Api::route(const HttpRequest& request, std::optional<serving::Recommendation>& served) {
    const QStringList& s = request.segments;
    const QByteArray& method = request.method;
    auto only = [&](const char* allowed) { return method == allowed; };

    if (s.size() == 1 && s[0] == QLatin1String("recommendations")) {
        return only("POST") ? recommendations(request, served) : methodNotAllowed("POST");
    }
    if (s.size() == 2 && s[0] == QLatin1String("track") && s[1] == QLatin1String("click")) {
        return only("POST") ? trackClick(request) : methodNotAllowed("POST");
    }
    if (s.size() == 1 && s[0] == QLatin1String("events")) {
        return only("POST") ? events(request) : methodNotAllowed("POST");
    }
    if (s.size() == 2 && s[0] == QLatin1String("users")) {
        return only("GET") ? user(s[1]) : methodNotAllowed("GET");
    }
    if (s.size() == 2 && s[0] == QLatin1String("admin") && s[1] == QLatin1String("invalidate")) {
        if (!only("POST")) return methodNotAllowed("POST");
        if (!authorised(request)) return jsonError(401, "unauthorized", "admin routes need 'Authorization: Bearer <token>'");
        return invalidate(request);
    }
    if (s.size() == 1 && s[0] == QLatin1String("health")) {
        return only("GET") ? jsonOk({{"status", "healthy"}}) : methodNotAllowed("GET");
    }
    if (s.size() == 1 && s[0] == QLatin1String("ready")) {
        return only("GET") ? ready() : methodNotAllowed("GET");
    }
    if (s.size() == 1 && s[0] == QLatin1String("metrics")) {
        if (!only("GET")) return methodNotAllowed("GET");
        HttpResponse response;
        const std::string text = m_metrics ? m_metrics() : std::string();
        response.body = QByteArray(text.data(), static_cast<qsizetype>(text.size()));
        response.contentType = "text/plain; version=0.0.4; charset=utf-8";
        return response;
    }
    for (const Extension& extension : m_extensions) {
        for (const QString& prefix : extension.prefixes) {
            if (!s.isEmpty() && s[0] == prefix) {
                HttpResponse response;
                if (extension.handler(request, authorised(request), response)) return response;
            }
        }
    }
    return jsonError(404, "not_found", "no route for " + request.path.toStdString());
}

HttpResponse Api::recommendations(const HttpRequest& request, std::optional<serving::Recommendation>& served) {
    auto fields = fieldsOf(request);
    if (!fields) return jsonError(400, "invalid_request", fields.errorMessage());
    serving::RecommendationRequest r;
    const auto user = fields->text("user_id");
    if (!user) return jsonError(400, "invalid_request", "user_id: required");
    if (*user == "\x01") return jsonError(400, "invalid_request", "user_id: expected a string");
    r.userId = *user;
    if (const auto n = fields->text("n")) {
        auto parsed = parseInteger(*n, "n");
        if (!parsed) return jsonError(400, "invalid_request", parsed.errorMessage());
        if (*parsed < 1 || *parsed > static_cast<long long>(serving::kMaxListLength)) {
            return jsonError(400, "invalid_request", "n: must be between 1 and " + std::to_string(serving::kMaxListLength));
        }
        r.n = static_cast<std::size_t>(*parsed);
    }
    if (const auto model = fields->text("model")) r.model = *model;
    if (const auto diversity = fields->text("diversity")) {
        auto params = m_engine.service().defaultRanking();
        if (*diversity == "off" || *diversity == "false" || *diversity == "0") {
            params.diversity = false;
        } else if (*diversity != "on" && *diversity != "true" && *diversity != "1") {
            return jsonError(400, "invalid_request", "diversity: expected on or off");
        }
        r.ranking = params;
    }
    auto answer = m_engine.recommend(r);
    if (!answer) {
        const std::string& message = answer.errorMessage();
        const bool badRequest = message.rfind("user_id", 0) == 0 || message.rfind("n:", 0) == 0 ||
                                message.rfind("model", 0) == 0 || message.rfind("diversity", 0) == 0;
        return badRequest ? jsonError(400, "invalid_request", message) : jsonError(503, "unavailable", message);
    }
    const auto detail = fields->text("detail");
    const std::string text = recommendationJson(*answer, isTrue(detail));
    HttpResponse response;
    response.body = QByteArray(text.data(), static_cast<qsizetype>(text.size()));
    served = std::move(*answer);
    return response;
}

HttpResponse Api::trackClick(const HttpRequest& request) {
    auto fields = fieldsOf(request);
    if (!fields) return jsonError(400, "invalid_request", fields.errorMessage());
    store::Event event;
    event.type = store::EventType::Click;
    event.userId = fields->text("user_id").value_or(std::string());
    event.itemId = fields->text("item_id").value_or(std::string());
    event.requestId = fields->text("request_id").value_or(std::string());
    if (auto valid = serving::Engine::validateEvent(event); !valid) {
        return jsonError(400, "invalid_event", valid.errorMessage());
    }
    auto id = m_engine.ingestAndWait({std::move(event)});
    if (!id) return jsonError(503, "not_recorded", id.errorMessage());
    return jsonOk({{"recorded", 1}, {"last_id", *id}});
}

HttpResponse Api::events(const HttpRequest& request) {
    const QByteArray trimmed = request.body.trimmed();
    if (trimmed.isEmpty()) return jsonError(400, "invalid_event", "body: expected one event or a list of events (JSON)");
    const json body = json::parse(trimmed.begin(), trimmed.end(), nullptr, false);
    if (body.is_discarded()) return jsonError(400, "invalid_json", "body: not valid JSON");
    std::vector<store::Event> events;
    if (body.is_array()) {
        if (body.empty()) return jsonError(400, "invalid_event", "body: the list of events is empty");
        if (body.size() > m_options.maxEventsPerRequest) {
            return jsonError(413, "too_many_events", "at most " + std::to_string(m_options.maxEventsPerRequest) +
                                                         " events per request");
        }
        for (std::size_t i = 0; i < body.size(); ++i) {
            auto event = eventFromJson(body[i], "events[" + std::to_string(i) + "]");
            if (!event) return jsonError(400, "invalid_event", event.errorMessage());
            events.push_back(std::move(*event));
        }
    } else {
        auto event = eventFromJson(body, "event");
        if (!event) return jsonError(400, "invalid_event", event.errorMessage());
        events.push_back(std::move(*event));
    }
    const std::size_t count = events.size();
    auto id = m_engine.ingestAndWait(std::move(events));
    if (!id) return jsonError(503, "not_recorded", id.errorMessage());
    return jsonOk({{"recorded", count}, {"last_id", *id}});
}

HttpResponse Api::user(const QString& id) {
    auto view = m_engine.user(id.toStdString());
    if (!view) return jsonError(400, "invalid_request", view.errorMessage());
    return jsonOk(toJson(*view));
}

HttpResponse Api::invalidate(const HttpRequest& request) {
    auto fields = fieldsOf(request);
    if (!fields) return jsonError(400, "invalid_request", fields.errorMessage());
    struct Option {
        const char* field;
        cache::InvalidationKind kind;
    };
    for (const Option& option : {Option{"user_id", cache::InvalidationKind::User},
                                 Option{"item_id", cache::InvalidationKind::Item},
                                 Option{"model", cache::InvalidationKind::Model}}) {
        if (const auto id = fields->text(option.field)) {
            if (id->empty() || *id == "\x01") return jsonError(400, "invalid_request", std::string(option.field) + ": must be a non-empty string");
            auto status = m_engine.invalidate(option.kind, *id);
            json body = {{"invalidated", cache::invalidationKindName(option.kind)}, {"id", *id}};
            if (!status) body["warning"] = status.errorMessage();
            return jsonOk(body);
        }
    }
    if (isTrue(fields->text("all"))) {
        auto status = m_engine.invalidate(cache::InvalidationKind::All, "");
        json body = {{"invalidated", "all"}};
        if (!status) body["warning"] = status.errorMessage();
        return jsonOk(body);
    }
    return jsonError(400, "invalid_request", "name what to invalidate: user_id, item_id, model or all=true");
}

HttpResponse Api::ready() {
    const auto state = m_engine.ready();
    const auto entry = m_engine.registry().defaultEntry();
    json body = {{"status", state.ready ? "ready" : "degraded"},
                 {"reasons", state.problems},
                 {"store", m_engine.store()->describe()},
                 {"model", entry ? json(entry->name) : json(nullptr)},
                 {"model_version", entry ? json(entry->version) : json(nullptr)}};
    return jsonOk(body, state.ready ? 200 : 503);
}

}  // namespace recdeck::http

#include "recdeck/http/api.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>

#include "recdeck/common/stopwatch.h"
#include "recdeck/http/json_codec.h"
#include "recdeck/http/request_policy.h"
#include "recdeck/serving/model_choice.h"

namespace recdeck::http {

using nlohmann::json;

namespace {

constexpr std::size_t kEventsBodyBytes = std::size_t{1} << 20;

// A field from the JSON body if there is one, else from the query string.
struct Fields {
    const HttpRequest& request;
    json body;

    // nullopt when absent; Error when present with a type other than string or integer.
    std::optional<Result<std::string>> text(const char* name) const {
        if (body.is_object()) {
            if (const auto found = body.find(name); found != body.end() && !found->is_null()) {
                if (found->is_string()) return Result<std::string>(found->get<std::string>());
                if (found->is_number_integer()) return Result<std::string>(found->dump());
                if (found->is_boolean()) return Result<std::string>(found->get<bool>() ? "true" : "false");
                return Result<std::string>(Error::invalid(std::string(name) + ": expected a string"));
            }
        }
        if (const std::string* value = request.queryValue(name)) return Result<std::string>(*value);
        return std::nullopt;
    }
};

Result<Fields> fieldsOf(const HttpRequest& request, const JsonLimits& limits) {
    Fields fields{request, json()};
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return fields;
    auto parsed = parseJson(request.body, limits);
    if (!parsed) return parsed.error();
    if (!parsed->is_object()) return Error::invalid("body: expected a JSON object");
    fields.body = std::move(*parsed);
    return fields;
}

Result<long long> parseInteger(const std::string& text, const char* field) {
    long long value = 0;
    const char* begin = text.data();
    const char* end = begin + text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end || text.empty()) {
        return Error::invalid(std::string(field) + ": expected an integer");
    }
    return value;
}

bool isTrue(const std::string& text) {
    return text == "true" || text == "1" || text == "yes";
}

std::vector<std::string> splitPattern(std::string_view pattern) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= pattern.size()) {
        std::size_t end = pattern.find('/', start);
        if (end == std::string_view::npos) end = pattern.size();
        if (end > start) segments.emplace_back(pattern.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

bool isPlaceholder(const std::string& segment) {
    return segment.size() >= 2 && segment.front() == '{';
}

}  // namespace

void logServerProblem(std::string_view where, std::string_view message) {
    // At most kPerSecond lines in any wall-clock second.
    constexpr int kPerSecond = 20;
    static std::atomic<std::int64_t> second{0};
    static std::atomic<int> lines{0};
    const std::int64_t now = unixMillis() / 1000;
    if (second.exchange(now) != now) lines = 0;
    if (lines.fetch_add(1) >= kPerSecond) return;
    std::fprintf(stderr, "recdeckd: %.*s: %.*s\n", static_cast<int>(where.size()), where.data(),
                 static_cast<int>(message.size()), message.data());
}

HttpResponse engineFailure(std::string_view where, const Error& error) {
    logServerProblem(where, error.message);
    if (error.kind == ErrorKind::Invalid) return errorResponse(Error::unavailable(error.message));
    return errorResponse(error);
}

Api::Api(serving::Engine& engine, ApiOptions options) : m_engine(engine), m_options(std::move(options)) {
    // Lists are rendered before they enter the cache, so its byte limit counts the memo.
    m_engine.service().setRenderer(renderItems);
    auto bind = [this](auto method) {
        return [this, method](const HttpRequest& request, const PathParams&) { return (this->*method)(request); };
    };
    addRoute({"POST", "/recommendations", Access::Open, Work::Inline, 16 * 1024, bind(&Api::recommendations)});
    addRoute({"POST", "/track/click", Access::Open, Work::Blocking, 16 * 1024, bind(&Api::trackClick)});
    addRoute({"POST", "/events", Access::Open, Work::Blocking, kEventsBodyBytes, bind(&Api::events)});
    addRoute({"GET", "/users/{id}", Access::Token, Work::Blocking, 0,
              [this](const HttpRequest&, const PathParams& params) { return user(params[0]); }});
    addRoute({"POST", "/admin/invalidate", Access::Token, Work::Blocking, 16 * 1024, bind(&Api::invalidate)});
    addRoute({"GET", "/health", Access::Open, Work::Inline, 0, [](const HttpRequest&, const PathParams&) {
                  HttpResponse response;
                  response.body = R"({"status":"healthy"})";
                  return response;
              }});
    addRoute({"GET", "/ready", Access::Open, Work::Blocking, 0,
              [this](const HttpRequest&, const PathParams&) { return ready(); }});
    addRoute({"GET", "/metrics", Access::Open, Work::Blocking, 0,
              [this](const HttpRequest&, const PathParams&) { return metrics(); }});
}

void Api::setRequestObserver(RequestObserver observer) {
    m_observer = std::move(observer);
}
void Api::setMetricsText(std::function<std::string()> metrics) {
    m_metrics = std::move(metrics);
}

void Api::addRoute(Route route) {
    if (route.pattern.rfind("/admin/", 0) == 0) route.access = Access::Token;
    Compiled compiled{std::move(route), {}};
    compiled.segments = splitPattern(compiled.route.pattern);
    m_routes.push_back(std::move(compiled));
}

RouteMatch Api::match(const HttpRequest& request) const {
    RouteMatch result;
    const std::string_view method =
        request.method == "HEAD" ? std::string_view("GET") : std::string_view(request.method);
    for (const Compiled& compiled : m_routes) {
        if (compiled.segments.size() != request.segments.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < compiled.segments.size() && same; ++i) {
            same = isPlaceholder(compiled.segments[i]) || compiled.segments[i] == request.segments[i];
        }
        if (!same) continue;
        if (compiled.route.method == method) {
            result.route = &compiled.route;
            result.allow.clear();
            for (std::size_t i = 0; i < compiled.segments.size(); ++i) {
                if (isPlaceholder(compiled.segments[i])) result.params.emplace_back(request.segments[i]);
            }
            return result;
        }
        if (result.allow.find(compiled.route.method) == std::string::npos) {
            if (!result.allow.empty()) result.allow += ", ";
            result.allow += compiled.route.method;
            if (compiled.route.method == "GET") result.allow += ", HEAD";
        }
    }
    return result;
}

HttpResponse Api::handle(const HttpRequest& request) {
    return handle(request, match(request));
}

HttpResponse Api::handle(const HttpRequest& request, const RouteMatch& match) {
    Stopwatch watch;
    HttpResponse response;
    try {
        response = dispatch(request, match);
    } catch (const std::exception& error) {
        logServerProblem(request.method + " " + request.path, error.what());
        response = errorResponse(Error::internal(error.what()));
    } catch (...) {
        logServerProblem(request.method + " " + request.path, "unknown exception");
        response = errorResponse(Error::internal("unknown exception"));
    }
    if (m_observer) m_observer(request, response.status, watch.elapsedUs());
    return response;
}

HttpResponse Api::dispatch(const HttpRequest& request, const RouteMatch& match) {
    if (m_options.loopbackOnly) {
        if (auto refused = checkHost(request)) return std::move(*refused);
    }
    if (match.route == nullptr) {
        if (!match.allow.empty()) return methodNotAllowed(match.allow);
        return jsonError(404, "not_found", "no route for " + request.method + " " + request.path);
    }
    const Route& route = *match.route;
    if (auto refused = checkCrossSite(request)) return std::move(*refused);
    if (route.access == Access::Token && !hasAdminToken(request, m_options.adminToken)) {
        HttpResponse response =
            jsonError(401, "unauthorized", "this route needs the admin token: 'Authorization: Bearer <token>'");
        response.headers.emplace_back("WWW-Authenticate", "Bearer");
        return response;
    }
    if (request.body.size() > route.maxBodyBytes) {
        return jsonError(413, "payload_too_large",
                         "the body is " + std::to_string(request.body.size()) + " bytes; this route takes at most " +
                             std::to_string(route.maxBodyBytes));
    }
    if (!request.body.empty()) {
        const std::string* type = request.header("content-type");
        if (type == nullptr || !isJsonContentType(*type)) {
            return jsonError(415, "unsupported_media_type",
                             "a body must be JSON, sent with Content-Type: application/json");
        }
    }
    // HEAD runs the GET route; the transport sends the head without the body.
    return route.handler(request, match.params);
}

HttpResponse Api::recommendations(const HttpRequest& request) {
    auto fields = fieldsOf(request, m_options.json);
    if (!fields) return errorResponse(fields.error());
    serving::RecommendationRequest r;
    const auto user = fields->text("user_id");
    if (!user) return errorResponse(Error::invalid("user_id: required"));
    if (!*user) return errorResponse(user->error());
    if (auto valid = checkIdentifier("user_id", **user); !valid) return errorResponse(valid.error());
    r.userId = std::move(**user);
    if (const auto n = fields->text("n")) {
        if (!*n) return errorResponse(n->error());
        auto parsed = parseInteger(**n, "n");
        if (!parsed) return errorResponse(parsed.error());
        if (*parsed < 1 || *parsed > static_cast<long long>(serving::kMaxListLength)) {
            return errorResponse(Error::invalid("n: must be between 1 and " + std::to_string(serving::kMaxListLength)));
        }
        r.n = static_cast<std::size_t>(*parsed);
    }
    if (const auto model = fields->text("model")) {
        if (!*model) return errorResponse(model->error());
        if (!serving::namesDefaultModel(**model)) {
            if (auto valid = checkIdentifier("model", **model, 128); !valid) return errorResponse(valid.error());
            if (!serving::servingEntry(m_engine.registry(), **model)) {
                return errorResponse(Error::invalid("model: '" + **model + "' is not a trained model"));
            }
        }
        r.model = std::move(**model);
    }
    if (const auto diversity = fields->text("diversity")) {
        if (!*diversity) return errorResponse(diversity->error());
        auto params = m_engine.service().defaultRanking();
        const std::string& value = **diversity;
        if (value == "off" || value == "false" || value == "0") {
            params.diversity = false;
        } else if (value != "on" && value != "true" && value != "1") {
            return errorResponse(Error::invalid("diversity: expected on or off"));
        }
        r.ranking = params;
    }
    bool detail = false;
    if (const auto wanted = fields->text("detail")) detail = *wanted && isTrue(**wanted);

    auto answer = m_engine.recommend(r);
    if (!answer) return engineFailure("POST /recommendations", answer.error());
    HttpResponse response;
    response.body.reserve(detail ? 4096 : 1024);
    appendRecommendationJson(response.body, *answer, detail);
    return response;
}

HttpResponse Api::trackClick(const HttpRequest& request) {
    auto fields = fieldsOf(request, m_options.json);
    if (!fields) return errorResponse(fields.error());
    json event = json::object();
    event["type"] = "click";
    for (const char* name : {"user_id", "item_id", "request_id"}) {
        if (const auto value = fields->text(name)) {
            if (!*value) return errorResponse(value->error());
            event[name] = **value;
        }
    }
    auto parsed = eventFromJson(event, "click");
    if (!parsed) return errorResponse(parsed.error());
    auto id = m_engine.ingestAndWait({std::move(*parsed)});
    if (!id) return engineFailure("POST /track/click", id.error());
    return jsonOk({{"recorded", 1}, {"last_id", *id}});
}

HttpResponse Api::events(const HttpRequest& request) {
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return errorResponse(Error::invalid("body: expected one event or a list of events (JSON)"));
    }
    auto body = parseJson(request.body, m_options.json);
    if (!body) return errorResponse(body.error());
    std::vector<store::Event> events;
    if (body->is_array()) {
        if (body->empty()) return errorResponse(Error::invalid("body: the list of events is empty"));
        if (body->size() > m_options.maxEventsPerRequest) {
            return jsonError(413, "too_many_events",
                             "at most " + std::to_string(m_options.maxEventsPerRequest) + " events per request");
        }
        events.reserve(body->size());
        for (std::size_t i = 0; i < body->size(); ++i) {
            auto event = eventFromJson((*body)[i], "events[" + std::to_string(i) + "]");
            if (!event) return errorResponse(event.error());
            events.push_back(std::move(*event));
        }
    } else {
        auto event = eventFromJson(*body, "event");
        if (!event) return errorResponse(event.error());
        events.push_back(std::move(*event));
    }
    const std::size_t count = events.size();
    auto id = m_engine.ingestAndWait(std::move(events));
    if (!id) return engineFailure("POST /events", id.error());
    return jsonOk({{"recorded", count}, {"last_id", *id}});
}

HttpResponse Api::user(std::string_view id) {
    if (auto valid = checkIdentifier("user_id", id); !valid) return errorResponse(valid.error());
    auto view = m_engine.user(id);
    if (!view) return engineFailure("GET /users", view.error());
    return jsonOk(toJson(*view));
}

HttpResponse Api::invalidate(const HttpRequest& request) {
    auto fields = fieldsOf(request, m_options.json);
    if (!fields) return errorResponse(fields.error());
    struct Option {
        const char* field;
        cache::InvalidationKind kind;
    };
    auto answer = [](cache::InvalidationKind kind, const std::string* id, const Status& status) {
        json body = {{"invalidated", cache::invalidationKindName(kind)}};
        if (id != nullptr) body["id"] = *id;
        if (!status) {
            logServerProblem("POST /admin/invalidate", status.errorMessage());
            body["warning"] =
                "applied here, but the shared store did not take it: other instances may serve the old lists "
                "until they expire";
        }
        return jsonOk(body);
    };
    for (const Option& option :
         {Option{"user_id", cache::InvalidationKind::User}, Option{"item_id", cache::InvalidationKind::Item},
          Option{"model", cache::InvalidationKind::Model}}) {
        if (const auto id = fields->text(option.field)) {
            if (!*id) return errorResponse(id->error());
            if (auto valid = checkIdentifier(option.field, **id); !valid) return errorResponse(valid.error());
            return answer(option.kind, &**id, m_engine.invalidate(option.kind, **id));
        }
    }
    if (const auto all = fields->text("all"); all && *all && isTrue(**all)) {
        return answer(cache::InvalidationKind::All, nullptr, m_engine.invalidate(cache::InvalidationKind::All, ""));
    }
    return errorResponse(Error::invalid("name what to invalidate: user_id, item_id, model or all=true"));
}

HttpResponse Api::ready() {
    const auto state = m_engine.ready();
    const auto entry = m_engine.registry().defaultEntry();
    // Reasons name the part that is degraded ("store: ..."); their text can hold addresses
    // and driver messages, so the answer keeps the part and the log keeps the rest.
    json reasons = json::array();
    for (const std::string& problem : state.problems) {
        const std::size_t colon = problem.find(':');
        if (colon == std::string::npos) {
            reasons.push_back(problem);
        } else {
            reasons.push_back(problem.substr(0, colon) + ": unavailable");
            logServerProblem("GET /ready", problem);
        }
    }
    const std::string store = m_engine.store()->describe();
    json body = {{"status", state.ready ? "ready" : "degraded"},
                 {"reasons", std::move(reasons)},
                 {"store", store.rfind("redis", 0) == 0 ? "redis" : store},
                 {"model", entry ? json(entry->name) : json(nullptr)},
                 {"model_version", entry ? json(entry->version) : json(nullptr)}};
    return jsonOk(body, state.ready ? 200 : 503);
}

HttpResponse Api::metrics() {
    HttpResponse response;
    response.body = m_metrics ? m_metrics() : std::string();
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    return response;
}

}  // namespace recdeck::http

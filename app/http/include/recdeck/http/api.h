#pragma once
// Api: the HTTP routes of `recdeckd serve`, as a function from HttpRequest to
// HttpResponse over one serving::Engine. Transport-free (http_server.h feeds it), so every
// route is testable in-process.
//
//   POST /recommendations            ?user_id=U&n=N (or a JSON body with the same fields)
//   POST /track/click                ?user_id=U&item_id=I
//   POST /events                     one event or a list, JSON
//   GET  /users/{id}                                                          (token)
//   POST /admin/invalidate           ?user_id= | item_id= | model= | all=true   (token)
//   GET  /health   GET /ready   GET /metrics
// and the routes other files add with addRoute() (experiment_routes.h).
//
// Before a route runs, handle() applies the rules every route shares, in this order:
// Host (request_policy.h: loopback servers answer only loopback names), the route and
// method (404; 405 with Allow), cross-site refusal of state-changing requests (403/415),
// the admin token for Access::Token routes and every path under /admin/ (401), the
// route's body size (413), and a JSON content type for any body (415). Every error is a
// 4xx/5xx with {"error": code, "detail": sentence}; 5xx details never carry internal text
// (http_types.h, errorResponse).
//
// Thread safety: add routes and observers before serving; handle() and match() may then
// run concurrently on any number of threads.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/http/http_types.h"
#include "recdeck/http/json_body.h"
#include "recdeck/serving/engine.h"

namespace recdeck::http {

struct ApiOptions {
    std::string adminToken;    // empty: no token; token routes are open (loopback only)
    bool loopbackOnly = true;  // the server listens on loopback: Host must name a loopback host
    std::size_t maxEventsPerRequest = 1000;
    JsonLimits json;
};

// Who may call a route: anyone, or (when a token is configured) holders of the token.
enum class Access { Open, Token };
// Where a route runs: Inline routes are cheap and never wait on I/O (the server runs them
// on its event loops); Blocking routes may wait on the disk, Redis or other threads (the
// server runs them on a bounded worker pool, so they never hold up /health or cache hits).
enum class Work { Inline, Blocking };

// The {name} segments of a route's pattern, in order (views into request.segments).
using PathParams = std::vector<std::string_view>;
using RouteHandler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

struct Route {
    std::string method;   // "GET", "POST", "PUT", "DELETE"; a GET route also answers HEAD
    std::string pattern;  // "/experiments/{key}/start": literal segments and {placeholders}
    Access access = Access::Open;
    Work work = Work::Blocking;
    std::size_t maxBodyBytes = 16 * 1024;  // larger bodies get 413 (the server caps all at 1 MiB)
    RouteHandler handler;
};

struct RouteMatch {
    const Route* route = nullptr;  // null: no route for this method and path
    PathParams params;
    std::string allow;  // when the path exists with other methods: "GET, POST"
};

// Seen by the owner after every request (metrics): the request, the answer's status and
// the handling time in microseconds.
using RequestObserver = std::function<void(const HttpRequest&, int status, double latencyUs)>;

class Api {
public:
    Api(serving::Engine& engine, ApiOptions options);

    // Registers a route (before serving starts). Paths under /admin/ always need the token.
    void addRoute(Route route);

    RouteMatch match(const HttpRequest& request) const;
    HttpResponse handle(const HttpRequest& request);
    // handle() with the route already matched (the server matches once to pick the thread).
    HttpResponse handle(const HttpRequest& request, const RouteMatch& match);

    void setRequestObserver(RequestObserver observer);
    void setMetricsText(std::function<std::string()> metrics);

    const ApiOptions& options() const { return m_options; }

private:
    struct Compiled {
        Route route;
        std::vector<std::string> segments;  // the pattern's; "{...}" marks a placeholder
    };
    HttpResponse dispatch(const HttpRequest& request, const RouteMatch& match);
    HttpResponse recommendations(const HttpRequest& request);
    HttpResponse trackClick(const HttpRequest& request);
    HttpResponse events(const HttpRequest& request);
    HttpResponse user(std::string_view id);
    HttpResponse invalidate(const HttpRequest& request);
    HttpResponse ready();
    HttpResponse metrics();

    serving::Engine& m_engine;
    ApiOptions m_options;
    RequestObserver m_observer;
    std::function<std::string()> m_metrics;
    std::vector<Compiled> m_routes;
};

// Logs a server-side failure to stderr (at most a few lines a second, so a client cannot
// flood the log); the client gets errorResponse()'s fixed sentence instead.
void logServerProblem(std::string_view where, std::string_view message);

// The answer for an error returned by the engine after the request passed the edge's
// validation: its kind picks the status; an "invalid" from inside is the engine's own
// failure and answers 503. The message is logged, never sent.
HttpResponse engineFailure(std::string_view where, const Error& error);

}  // namespace recdeck::http

#pragma once
// Api: the HTTP routes of `recdeckd serve`, as a function from HttpRequest to
// HttpResponse over one serving::Engine. Transport-free (the server in http_server.h
// feeds it), so every route is testable without sockets.
//
//   POST /recommendations            ?user_id=U&n=N (or a JSON body with the same fields)
//   POST /track/click                ?user_id=U&item_id=I
//   POST /events                     one event or a list, JSON
//   GET  /users/{id}
//   POST /admin/invalidate           ?user_id= | item_id= | model= | all=true   (admin)
//   GET  /health   GET /ready   GET /metrics
//   GET/POST /experiments, POST /experiments/{key}/start|stop,
//   GET /experiments/{key}/results   (when an experiments handler is installed)
//
// Every error is a 4xx/5xx with {"error", "detail"}; a path that exists with another
// method answers 405 with an Allow header. Admin routes need "Authorization: Bearer
// <token>" when a token is configured.
//
// Thread safety: handle() may run concurrently on any number of threads.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http_types.h"
#include "recdeck/serving/engine.h"

namespace recdeck::http {

struct ApiOptions {
    QByteArray adminToken;                       // empty: admin routes are open (loopback only)
    qsizetype maxBodyBytes = 1 << 20;            // larger bodies get 413
    std::size_t maxEventsPerRequest = 1000;
};

// Seen by the owner after every request (metrics): the request, the answer's status,
// the handling time and, for a served recommendation, the answer.
using RequestObserver = std::function<void(const HttpRequest&, int status, double latencyUs,
                                           const serving::Recommendation* recommendation)>;
// Extra routes (experiments): return true and fill the response when the request is
// theirs. `admin` tells whether the caller presented the admin token (or none is set).
using RouteExtension = std::function<bool(const HttpRequest&, bool admin, HttpResponse& response)>;

class Api {
public:
    Api(serving::Engine& engine, ApiOptions options);

    HttpResponse handle(const HttpRequest& request);

    void setRequestObserver(RequestObserver observer);
    void setMetricsText(std::function<std::string()> metrics);
    void addExtension(std::vector<QString> pathPrefixes, RouteExtension extension);

private:
    struct Extension {
        std::vector<QString> prefixes;
        RouteExtension handler;
    };
    HttpResponse route(const HttpRequest& request, std::optional<serving::Recommendation>& served);
    HttpResponse recommendations(const HttpRequest& request, std::optional<serving::Recommendation>& served);
    HttpResponse trackClick(const HttpRequest& request);
    HttpResponse events(const HttpRequest& request);
    HttpResponse user(const QString& id);
    HttpResponse invalidate(const HttpRequest& request);
    HttpResponse ready();
    bool authorised(const HttpRequest& request) const;

    serving::Engine& m_engine;
    ApiOptions m_options;
    RequestObserver m_observer;
    std::function<std::string()> m_metrics;
    std::vector<Extension> m_extensions;
};

}  // namespace recdeck::http

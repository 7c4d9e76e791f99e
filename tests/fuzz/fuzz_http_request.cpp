// Fuzz target: the HTTP layer of recdeckd serve, in process (no sockets).
//
// An input is read one of two ways:
//  - "@<route>\n<body>", <route> one of the names in kRoutes: the body goes straight to that
//    route as application/json, so the fuzzer explores every route's JSON decoding without
//    first having to learn HTTP framing;
//  - anything else: raw request bytes, possibly several pipelined requests. Each is parsed
//    with the server's limits (RequestParser) and, when complete, handled by the Api.
// Findings: a crash, a sanitizer report, an answer outside 100..599, a 500 (an exception
// escaped a route) or an error body that is not {"error", "detail"} JSON.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "recdeck/http/api.h"
#include "recdeck/http/experiment_routes.h"
#include "recdeck/http/request_parser.h"
#include "recdeck/serving/engine.h"

namespace {

using namespace recdeck;

struct RouteTarget {
    std::string_view name;
    const char* method;
    const char* target;
};
constexpr RouteTarget kRoutes[] = {
    {"events", "POST", "/events"},
    {"experiments", "POST", "/experiments"},
    {"experiment", "PUT", "/experiments/fuzz"},
    {"recommendations", "POST", "/recommendations"},
    {"click", "POST", "/track/click"},
    {"invalidate", "POST", "/admin/invalidate"},
};

std::filesystem::path g_dir;
std::unique_ptr<serving::Engine> g_engine;
std::unique_ptr<http::Api> g_api;

void tearDown() {
    g_api.reset();
    g_engine.reset();
    std::error_code ignored;
    if (!g_dir.empty()) std::filesystem::remove_all(g_dir, ignored);
}

void check(const http::HttpResponse& response) {
    if (response.status < 100 || response.status > 599 || response.status == 500) {
        std::fprintf(stderr, "fuzz_http_request: status %d: %s\n", response.status, response.body.c_str());
        std::abort();
    }
    if (response.status >= 400) {
        const auto body = nlohmann::json::parse(response.body, nullptr, false);
        if (body.is_discarded() || !body.contains("error") || !body.contains("detail")) {
            std::fprintf(stderr, "fuzz_http_request: error body is not {error, detail}: %s\n", response.body.c_str());
            std::abort();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Events the routes accept are committed with fsync: keep the data on tmpfs if there is one.
    const std::filesystem::path shm("/dev/shm");
    std::error_code error;
    const auto base = std::filesystem::is_directory(shm, error) ? shm : std::filesystem::temp_directory_path();
    g_dir =
        base /
        ("recdeck-fuzz-http-" + std::to_string(static_cast<unsigned long long>(std::rand())) + "-" +
         std::to_string(static_cast<unsigned long long>(std::chrono::steady_clock::now().time_since_epoch().count())));
    serving::EngineConfig config;
    config.dataDir = g_dir;
    config.demo.users = 60;
    config.demo.items = 50;
    config.demo.seed = 1;
    config.models = {"popularity"};
    auto engine = serving::Engine::open(config);
    if (!engine) {
        std::fprintf(stderr, "fuzz_http_request: cannot open an engine: %s\n", engine.errorMessage().c_str());
        std::abort();
    }
    g_engine = std::move(*engine);
    g_api = std::make_unique<http::Api>(*g_engine, http::ApiOptions{});
    http::installExperimentRoutes(*g_api, *g_engine);
    std::atexit(tearDown);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (!g_api) LLVMFuzzerInitialize(nullptr, nullptr);
    std::string_view input(reinterpret_cast<const char*>(data), size);

    if (input.size() > 1 && input.front() == '@') {
        const std::size_t newline = input.find('\n');
        const std::string_view name = input.substr(1, newline == std::string_view::npos ? 0 : newline - 1);
        for (const RouteTarget& route : kRoutes) {
            if (route.name != name) continue;
            http::HttpRequest request;
            request.method = route.method;
            (void)http::setTarget(request, route.target);
            request.headers = {{"host", "127.0.0.1:8000"}, {"content-type", "application/json"}};
            request.body = std::string(input.substr(newline + 1));
            check(g_api->handle(request));
            return 0;
        }
    }

    for (int requests = 0; requests < 16 && !input.empty(); ++requests) {
        auto outcome = http::parseRequest(input);
        if (!outcome.complete) {
            if (outcome.refusal.status != 0 && (outcome.refusal.status < 400 || outcome.refusal.status > 599)) {
                std::abort();
            }
            break;
        }
        check(g_api->handle(outcome.request));
        if (outcome.consumed == 0) break;
        input.remove_prefix(outcome.consumed);
    }
    return 0;
}

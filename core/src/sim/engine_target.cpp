#include "recdeck/sim/engine_target.h"

#include "recdeck/common/stopwatch.h"

namespace recdeck::sim {

EngineTarget::EngineTarget(serving::Engine& engine, EngineTargetOptions options)
    : m_engine(engine), m_options(std::move(options)) {}

Result<Shown> EngineTarget::recommend(const std::string& userId, std::size_t n, std::stop_token) {
    serving::RecommendationRequest request;
    request.userId = userId;
    request.n = n;
    request.model = m_options.model;
    request.bypassCache = m_options.bypassCache;
    Stopwatch watch;
    auto answer = m_engine.recommend(request);
    const double latencyUs = watch.elapsedUs();
    // The service fails only for a bad request; everything else degrades the answer.
    if (!answer) return targetError(ErrorKind::Invalid, "invalid_request", answer.errorMessage());
    Shown shown;
    shown.requestId = std::move(answer->requestId);
    shown.items.reserve(answer->items().size());
    for (const auto& item : answer->items()) shown.items.push_back(item.itemId);
    shown.experiment = std::move(answer->experiment);
    shown.variant = std::move(answer->variant);
    shown.model = std::move(answer->model);
    shown.cached = answer->cached;
    shown.coldStart = answer->coldStart();
    shown.latencyUs = latencyUs;
    return shown;
}

Status EngineTarget::send(std::vector<store::Event> events, std::stop_token) {
    if (events.empty()) return {};
    auto acked = m_engine.ingestAndWait(std::move(events));
    if (!acked) return targetError(ErrorKind::Unavailable, "not_recorded", acked.errorMessage());
    return {};
}

std::string EngineTarget::describe() const {
    std::string text = "in-process (" + m_engine.dataInfo().description;
    if (!m_options.model.empty()) text += ", model " + m_options.model;
    return text + ")";
}

}  // namespace recdeck::sim

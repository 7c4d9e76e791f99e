#pragma once
// EngineTarget: drives a serving::Engine in this process (the console's demo, tests and
// `recdeckd simulate` without --target). Requests go through Engine::recommend with
// impressions recorded, events through Engine::ingestAndWait, exactly as the HTTP API
// would hand them over.
//
// Ownership: refers to the Engine, which must outlive it. Thread-safe (the Engine is).

#include <string>

#include "recdeck/serving/engine.h"
#include "recdeck/sim/target.h"

namespace recdeck::sim {

struct EngineTargetOptions {
    std::string model;         // "" = the experiment's or the default model; else forced
    bool bypassCache = false;  // compute every list afresh (it is still cached)
};

class EngineTarget final : public Target {
public:
    explicit EngineTarget(serving::Engine& engine, EngineTargetOptions options = {});

    Result<Shown> recommend(const std::string& userId, std::size_t n, std::stop_token stop) override;
    Status send(std::vector<store::Event> events, std::stop_token stop) override;
    std::string describe() const override;

private:
    serving::Engine& m_engine;
    EngineTargetOptions m_options;
};

}  // namespace recdeck::sim

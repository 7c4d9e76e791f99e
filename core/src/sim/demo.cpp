#include "recdeck/sim/demo.h"

#include "recdeck/sim/held_out_truth.h"
#include "recdeck/sim/world_truth.h"

namespace recdeck::sim {

Status setUpDemoExperiment(serving::Engine& engine) {
    if (!engine.demoWorld()) return {};
    auto& registry = engine.experiments();
    if (!registry.list().empty()) return {};
    const auto defaultModel = engine.registry().defaultEntry();
    if (!defaultModel || !engine.registry().find("popularity")) return {};
    experiments::Experiment experiment;
    experiment.key = std::string(kDemoExperiment);
    experiment.description = "Does the personalised default model beat plain popularity on the home page?";
    experiment.variants = {{"control", 0.5, "popularity", std::nullopt},
                           {"personalised", 0.5, defaultModel->name, std::nullopt}};
    if (auto created = registry.create(experiment); !created) return created.error();
    if (auto started = registry.start(kDemoExperiment); !started) return started.error();
    return {};
}

std::unique_ptr<GroundTruth> truthOf(const serving::Engine& engine) {
    if (auto world = engine.demoWorld()) return std::make_unique<WorldTruth>(world);
    const auto snapshot = engine.snapshot();
    return std::make_unique<HeldOutTruth>(*snapshot->dataset, snapshot->dataset->interactions, HeldOutParams{},
                                          engine.dataInfo().description);
}

}  // namespace recdeck::sim

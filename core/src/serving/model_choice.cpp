#include "recdeck/serving/model_choice.h"

#include <string>
#include <utility>

#include "recdeck/serving/engine.h"

namespace recdeck::serving {

bool namesDefaultModel(std::string_view name) {
    return name.empty() || name == "default";
}

models::ModelRegistry::EntryPtr servingEntry(const models::ModelRegistry& registry, std::string_view name) {
    return namesDefaultModel(name) ? registry.defaultEntry() : registry.find(name);
}

VariantAssignment variantAssignment(experiments::Assignment assignment, const ranking::RankingParams& base) {
    VariantAssignment out;
    out.experiment = std::move(assignment.experiment);
    out.variant = std::move(assignment.variant);
    out.model = std::move(assignment.model);
    if (assignment.ranking) {
        ranking::RankingParams params = base;
        params.diversity = assignment.ranking->diversity;
        params.mmrLambda = assignment.ranking->mmrLambda;
        params.categoryCap = assignment.ranking->categoryCap;
        // A variant that names its lambda gets exactly that lambda, not the ILD target.
        params.ildTarget = 0.0;
        out.ranking = params;
    }
    return out;
}

Result<ModelChoice> chooseModel(const models::ModelRegistry& registry, const Assigner* assigner,
                                std::string_view userId, std::string_view model) {
    ModelChoice choice;
    std::string_view name = model;
    if (name.empty() && assigner && *assigner) {
        choice.assignment = (*assigner)(userId);
        if (choice.assignment) name = choice.assignment->model;
    }
    choice.model = servingEntry(registry, name);
    if (!choice.model && !namesDefaultModel(model)) {
        return Error{"model: '" + std::string(model) + "' is not a trained model"};
    }
    // An experiment naming a model that is gone serves the default rather than failing.
    if (!choice.model) choice.model = registry.defaultEntry();
    return choice;
}

Result<ModelChoice> chooseModel(Engine& engine, std::string_view userId, std::string_view model) {
    const ranking::RankingParams base = engine.service().defaultRanking();
    const Assigner assigner = [&engine, &base](std::string_view user) -> std::optional<VariantAssignment> {
        auto assignment = engine.experiments().assign(user);
        if (!assignment) return std::nullopt;
        return variantAssignment(std::move(*assignment), base);
    };
    return chooseModel(engine.registry(), &assigner, userId, model);
}

}  // namespace recdeck::serving

#include "recdeck/experiments/experiment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "checks.h"
#include "recdeck/common/random.h"
#include "recdeck/common/text_checks.h"

namespace recdeck::experiments {

namespace {

using detail::number;

constexpr std::size_t kMaxKeyBytes = 64;
constexpr std::size_t kMaxDescriptionBytes = 4000;
constexpr std::size_t kMaxSaltBytes = 128;
constexpr std::size_t kMaxModelBytes = 128;

bool keyChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

// Printable: no control bytes (UTF-8 above 0x7F is fine).
bool printable(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7F;
    });
}

std::string inQuotes(std::string_view text) {
    return "'" + std::string(text) + "'";
}

}  // namespace

std::string_view stateName(ExperimentState state) {
    switch (state) {
        case ExperimentState::Draft:
            return "draft";
        case ExperimentState::Running:
            return "running";
        case ExperimentState::Stopped:
            return "stopped";
    }
    return "draft";
}

std::optional<ExperimentState> parseState(std::string_view name) {
    if (name == "draft") return ExperimentState::Draft;
    if (name == "running") return ExperimentState::Running;
    if (name == "stopped") return ExperimentState::Stopped;
    return std::nullopt;
}

std::string_view allocationName(AllocationMode mode) {
    return mode == AllocationMode::Thompson ? "thompson" : "fixed";
}

std::optional<AllocationMode> parseAllocation(std::string_view name) {
    if (name == "fixed") return AllocationMode::Fixed;
    if (name == "thompson" || name == "bandit") return AllocationMode::Thompson;
    return std::nullopt;
}

std::string_view metricName(Metric metric) {
    switch (metric) {
        case Metric::ClickRate:
            return "click_rate";
        case Metric::ConversionRate:
            return "conversion_rate";
        case Metric::Ctr:
            return "ctr";
    }
    return "click_rate";
}

std::optional<Metric> parseMetric(std::string_view name) {
    if (name == "click_rate") return Metric::ClickRate;
    if (name == "conversion_rate") return Metric::ConversionRate;
    if (name == "ctr") return Metric::Ctr;
    return std::nullopt;
}

std::string_view metricLabel(Metric metric) {
    switch (metric) {
        case Metric::ClickRate:
            return "click rate";
        case Metric::ConversionRate:
            return "conversion rate";
        case Metric::Ctr:
            return "CTR";
    }
    return "click rate";
}

std::vector<double> Experiment::effectiveWeights() const {
    if (allocation == AllocationMode::Thompson && banditWeights.size() == variants.size()) return banditWeights;
    std::vector<double> weights;
    weights.reserve(variants.size());
    for (const auto& variant : variants) weights.push_back(variant.weight);
    return weights;
}

std::uint32_t Experiment::coverageBuckets() const {
    const double buckets = std::round(coverage * static_cast<double>(kBuckets));
    if (!(buckets > 0.0)) return 0;
    return static_cast<std::uint32_t>(std::min(buckets, static_cast<double>(kBuckets)));
}

bool allocationDiffers(const Experiment& a, const Experiment& b) {
    if (a.salt != b.salt || a.coverage != b.coverage || a.layer != b.layer || a.allocation != b.allocation) return true;
    if (a.variants.size() != b.variants.size()) return true;
    for (std::size_t i = 0; i < a.variants.size(); ++i) {
        if (a.variants[i].name != b.variants[i].name) return true;
        // Compared after normalisation: a submitted 1:1 equals a stored 0.5/0.5.
        if (std::abs(a.variants[i].weight - b.variants[i].weight) > 1e-12) return true;
    }
    return false;
}

bool treatmentDiffers(const Experiment& a, const Experiment& b) {
    const std::size_t n = std::min(a.variants.size(), b.variants.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a.variants[i].model != b.variants[i].model || a.variants[i].ranking != b.variants[i].ranking) return true;
    }
    return a.variants.size() != b.variants.size();
}

std::string keyProblem(std::string_view key) {
    if (key.empty()) return "must not be empty";
    if (key.size() > kMaxKeyBytes)
        return "must be at most " + std::to_string(kMaxKeyBytes) + " characters, got " + std::to_string(key.size());
    for (const char c : key) {
        if (!keyChar(c))
            return "may contain only letters, digits, '_', '.' and '-' (got " +
                   (static_cast<unsigned char>(c) < 0x20 ? std::string("a control character")
                                                         : inQuotes(std::string(1, c))) +
                   ")";
    }
    return {};
}

Result<Experiment> validated(Experiment experiment) {
    if (auto problem = keyProblem(experiment.key); !problem.empty())
        return Error{"key: " + problem + (experiment.key.empty() ? "" : " in " + inQuotes(experiment.key))};
    const std::string where = "experiment " + inQuotes(experiment.key) + ": ";
    if (experiment.description.size() > kMaxDescriptionBytes)
        return Error{where + "description: at most " + std::to_string(kMaxDescriptionBytes) + " bytes, got " +
                     std::to_string(experiment.description.size())};
    if (experiment.salt.size() > kMaxSaltBytes)
        return Error{where + "salt: at most " + std::to_string(kMaxSaltBytes) + " bytes, got " +
                     std::to_string(experiment.salt.size())};
    // Stored and exchanged as JSON, which holds UTF-8 only.
    if (!isValidUtf8(experiment.description)) return Error{where + "description: must be valid UTF-8"};
    if (!isValidUtf8(experiment.salt)) return Error{where + "salt: must be valid UTF-8"};
    if (!(std::isfinite(experiment.coverage) && experiment.coverage > 0.0 && experiment.coverage <= 1.0))
        return Error{where + "coverage: must be in (0, 1] (the fraction of users in the experiment), got " +
                     number(experiment.coverage)};
    if (!experiment.layer.empty()) {
        if (auto problem = keyProblem(experiment.layer); !problem.empty())
            return Error{where + "layer: " + problem + " (or empty for no layer)"};
    }

    auto& variants = experiment.variants;
    if (variants.size() < 2)
        return Error{where + "variants: needs at least 2 (a control and a treatment), got " +
                     std::to_string(variants.size())};
    if (variants.size() > kMaxVariants)
        return Error{where + "variants: at most " + std::to_string(kMaxVariants) + ", got " +
                     std::to_string(variants.size())};
    double weightSum = 0.0;
    for (std::size_t i = 0; i < variants.size(); ++i) {
        const auto& v = variants[i];
        const std::string field = where + "variants[" + std::to_string(i) + "]";
        if (v.name.empty()) return Error{field + ".name: must not be empty"};
        // Not echoed: it may be long or binary.
        if (auto problem = idProblem(v.name, kMaxVariantNameBytes); !problem.empty())
            return Error{field + ".name: must be 1-" + std::to_string(kMaxVariantNameBytes) +
                         " bytes of printable UTF-8 (" + problem + ")"};
        for (std::size_t j = 0; j < i; ++j) {
            if (variants[j].name == v.name)
                return Error{field + ".name: " + inQuotes(v.name) + " is already the name of variants[" +
                             std::to_string(j) + "]; names must be unique"};
        }
        if (!(std::isfinite(v.weight) && v.weight > 0.0))
            return Error{field + ".weight: must be > 0, got " + number(v.weight)};
        if (v.model.size() > kMaxModelBytes || !printable(v.model) || !isValidUtf8(v.model))
            return Error{field + ".model: must be a model name of at most " + std::to_string(kMaxModelBytes) +
                         " printable characters (\"\" = the default model)"};
        if (v.ranking) {
            const double lambda = v.ranking->mmrLambda;
            if (!(std::isfinite(lambda) && lambda >= 0.0 && lambda <= 1.0))
                return Error{field + ".ranking.mmr_lambda: must be in [0, 1], got " + number(lambda)};
            if (v.ranking->categoryCap > 1000)
                return Error{field + ".ranking.category_cap: must be in [0, 1000] (0 = no cap), got " +
                             std::to_string(v.ranking->categoryCap)};
        }
        weightSum += v.weight;
    }
    for (auto& v : variants) v.weight /= weightSum;

    // Every variant needs at least one bucket of the experiment's traffic, or it would
    // never be served.
    const std::uint32_t buckets = experiment.coverageBuckets();
    if (buckets < variants.size())
        return Error{where + "coverage: " + number(experiment.coverage) + " gives " + std::to_string(buckets) + " of " +
                     std::to_string(kBuckets) + " buckets, fewer than the " + std::to_string(variants.size()) +
                     " variants"};
    double smallest = 1.0;
    std::size_t smallestIndex = 0;
    for (std::size_t i = 0; i < variants.size(); ++i) {
        if (variants[i].weight < smallest) {
            smallest = variants[i].weight;
            smallestIndex = i;
        }
    }
    if (smallest * static_cast<double>(buckets) < 1.0)
        return Error{where + "variants[" + std::to_string(smallestIndex) + "].weight: a share of " + number(smallest) +
                     " of " + std::to_string(buckets) + " buckets is less than one bucket; raise it or the coverage"};

    for (std::size_t i = 0; i < experiment.guardrails.size(); ++i) {
        const Metric m = experiment.guardrails[i];
        if (m == experiment.primaryMetric)
            return Error{where + "guardrail_metrics[" + std::to_string(i) + "]: " + std::string(metricName(m)) +
                         " is already the primary metric"};
        for (std::size_t j = 0; j < i; ++j) {
            if (experiment.guardrails[j] == m)
                return Error{where + "guardrail_metrics[" + std::to_string(i) + "]: " + std::string(metricName(m)) +
                             " is listed twice"};
        }
    }

    const auto& plan = experiment.plan;
    if (!(std::isfinite(plan.baseline) && plan.baseline >= 0.0 && plan.baseline < 1.0))
        return Error{where + "plan.baseline: must be in [0, 1) (0 = use the control's observed rate), got " +
                     number(plan.baseline)};
    if (!(std::isfinite(plan.relativeEffect) && plan.relativeEffect > 0.0 && plan.relativeEffect <= 10.0))
        return Error{where + "plan.relative_effect: must be in (0, 10] (0.1 = detect a 10% lift), got " +
                     number(plan.relativeEffect)};
    if (plan.baseline > 0.0 && plan.baseline * (1.0 + plan.relativeEffect) >= 1.0)
        return Error{where + "plan.relative_effect: baseline " + number(plan.baseline) + " lifted by " +
                     number(plan.relativeEffect) + " is not a rate below 1"};
    if (!(std::isfinite(plan.alpha) && plan.alpha > 0.0 && plan.alpha <= 0.5))
        return Error{where + "plan.alpha: must be in (0, 0.5], got " + number(plan.alpha)};
    if (!(std::isfinite(plan.power) && plan.power > 0.5 && plan.power < 1.0))
        return Error{where + "plan.power: must be in (0.5, 1), got " + number(plan.power)};

    if (!experiment.banditWeights.empty() && experiment.banditWeights.size() != variants.size())
        experiment.banditWeights.clear();
    return experiment;
}

std::string generateSalt() {
    // Uniqueness matters, not secrecy: mix the OS entropy source with the clock and the
    // thread so two instances starting in the same millisecond still differ.
    std::random_device device;
    std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    seed ^= static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    seed ^= static_cast<std::uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id())) << 17;
    SplitMix64 rng(seed);
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(rng.next()));
    return buffer;
}

}  // namespace recdeck::experiments

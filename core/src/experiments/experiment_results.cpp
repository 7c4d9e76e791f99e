#include "recdeck/experiments/experiment_results.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <boost/math/distributions/normal.hpp>

#include "recdeck/experiments/bayesian.h"

namespace recdeck::experiments {

using nlohmann::json;

namespace {

double ratio(std::uint64_t numerator, std::uint64_t denominator) {
    return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

double normalCdf(double z) {
    return boost::math::cdf(boost::math::normal_distribution<double>(), z);
}
double normalPdf(double z) {
    return boost::math::pdf(boost::math::normal_distribution<double>(), z);
}
double normalUpper(double z) {
    return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z));
}
double normalQuantile(double p) {
    return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

std::string format(const char* pattern, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

// "+12.4%" for a fraction 0.124.
std::string signedPercent(double fraction) {
    return format("%+.1f%%", 100.0 * fraction);
}
// "99.2%" for a probability; never rounds to 0% or 100% when it is not.
std::string probabilityPercent(double p) {
    if (p > 0.999 && p < 1.0) return ">99.9%";
    if (p < 0.001 && p > 0.0) return "<0.1%";
    return format("%.1f%%", 100.0 * p);
}
std::string points(double diff) {
    return format("%+.2f pp", 100.0 * diff);
}
std::string thousands(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}
std::string level(double alpha) {
    return format("%.10g%%", 100.0 * (1.0 - alpha));
}

std::string successNoun(Metric metric) {
    switch (metric) {
        case Metric::ClickRate:
            return "users with a click";
        case Metric::ConversionRate:
            return "users with a conversion";
        case Metric::Ctr:
            return "clicks";
    }
    return "successes";
}

MetricComparison compareBinomial(Metric metric, const VariantCounts& control, const VariantCounts& treatment,
                                 double alpha) {
    MetricComparison out;
    out.metric = metric;
    out.controlValue = control.value(metric);
    out.treatmentValue = treatment.value(metric);
    auto z = zTest(control.arm(metric), treatment.arm(metric), alpha);
    if (!z) return out;
    out.available = true;
    out.diff = z->diff;
    out.ciLow = z->ciLow;
    out.ciHigh = z->ciHigh;
    out.relativeLift = z->relativeLift;
    out.relativeCiLow = z->relativeCiLow;
    out.relativeCiHigh = z->relativeCiHigh;
    out.z = z->z;
    out.pValue = z->pValue;
    return out;
}

MetricComparison compareMetric(Metric metric, const VariantCounts& control, const VariantCounts& treatment,
                               double alpha) {
    return metric == Metric::Ctr ? compareCtr(control, treatment, alpha)
                                 : compareBinomial(metric, control, treatment, alpha);
}

// "+12.4% click rate (95% CI +5.1% to +19.7%)", or in percentage points without a relative lift.
std::string effectText(const MetricComparison& m, double alpha) {
    const std::string label(metricLabel(m.metric));
    if (m.relativeLift && m.relativeCiLow && m.relativeCiHigh)
        return signedPercent(*m.relativeLift) + " " + label + " (" + level(alpha) + " CI " +
               signedPercent(*m.relativeCiLow) + " to " + signedPercent(*m.relativeCiHigh) + ")";
    return points(m.diff) + " " + label + " (" + level(alpha) + " CI " + points(m.ciLow) + " to " + points(m.ciHigh) +
           ")";
}

std::string daysText(double days) {
    if (days < 1.0) return "less than a day";
    if (days < 1.5) return "about 1 more day";
    if (days > 365.0) return "more than a year";
    return "about " + format("%.0f", std::round(days)) + " more days";
}

// Days until both arms reach `planned` users at the rate they accrued users so far.
std::optional<double> daysToPlan(const VariantCounts& control, const VariantCounts& treatment, std::int64_t planned,
                                 double elapsedDays) {
    if (elapsedDays <= 0.0) return std::nullopt;
    double worst = 0.0;
    for (const auto* c : {&control, &treatment}) {
        const double need = static_cast<double>(planned) - static_cast<double>(c->users);
        if (need <= 0.0) continue;
        const double perDay = static_cast<double>(c->users) / elapsedDays;
        if (perDay <= 0.0) return std::nullopt;
        worst = std::max(worst, need / perDay);
    }
    return worst;
}

json optionalJson(const std::optional<double>& value) {
    return value ? json(*value) : json(nullptr);
}

json comparisonJson(const MetricComparison& m) {
    return {{"metric", std::string(metricName(m.metric))},
            {"available", m.available},
            {"control_value", m.controlValue},
            {"treatment_value", m.treatmentValue},
            {"diff", m.diff},
            {"ci_low", m.ciLow},
            {"ci_high", m.ciHigh},
            {"relative_lift", optionalJson(m.relativeLift)},
            {"relative_ci_low", optionalJson(m.relativeCiLow)},
            {"relative_ci_high", optionalJson(m.relativeCiHigh)},
            {"z", m.z},
            {"p_value", m.pValue}};
}

}  // namespace

double VariantCounts::clickRate() const {
    return ratio(clickers, users);
}
double VariantCounts::conversionRate() const {
    return ratio(converters, users);
}
double VariantCounts::ctr() const {
    return ratio(clicks, itemsShown);
}

double VariantCounts::value(Metric metric) const {
    switch (metric) {
        case Metric::ClickRate:
            return clickRate();
        case Metric::ConversionRate:
            return conversionRate();
        case Metric::Ctr:
            return ctr();
    }
    return 0.0;
}

std::uint64_t VariantCounts::successes(Metric metric) const {
    switch (metric) {
        case Metric::ClickRate:
            return clickers;
        case Metric::ConversionRate:
            return converters;
        case Metric::Ctr:
            return clicks;
    }
    return 0;
}

ArmCounts VariantCounts::arm(Metric metric) const {
    return {users, metric == Metric::ConversionRate ? converters : clickers};
}

std::string_view verdictName(VerdictKind kind) {
    switch (kind) {
        case VerdictKind::NotStarted:
            return "not_started";
        case VerdictKind::NotEnoughData:
            return "not_enough_data";
        case VerdictKind::Winning:
            return "winning";
        case VerdictKind::Losing:
            return "losing";
        case VerdictKind::NoDifference:
            return "no_difference";
        case VerdictKind::SampleRatioMismatch:
            return "sample_ratio_mismatch";
    }
    return "not_enough_data";
}

MetricComparison compareCtr(const VariantCounts& control, const VariantCounts& treatment, double alpha) {
    MetricComparison out;
    out.metric = Metric::Ctr;
    out.controlValue = control.ctr();
    out.treatmentValue = treatment.ctr();
    // Var(R) by the delta method; the sample (co)variances come from the running sums.
    auto variance = [](const VariantCounts& c) -> std::optional<double> {
        if (c.users < 2 || c.itemsShown == 0) return std::nullopt;
        const double n = static_cast<double>(c.users);
        const double meanC = static_cast<double>(c.clicks) / n;
        const double meanN = static_cast<double>(c.itemsShown) / n;
        const double r = meanC / meanN;
        const double scc = (static_cast<double>(c.sumClicksSquared) - n * meanC * meanC) / (n - 1.0);
        const double snn = (static_cast<double>(c.sumItemsSquared) - n * meanN * meanN) / (n - 1.0);
        const double scn = (static_cast<double>(c.sumClicksItems) - n * meanC * meanN) / (n - 1.0);
        return std::max(0.0, (scc - 2.0 * r * scn + r * r * snn) / (n * meanN * meanN));
    };
    const auto vc = variance(control);
    const auto vt = variance(treatment);
    if (!vc || !vt) return out;
    out.available = true;
    out.diff = out.treatmentValue - out.controlValue;
    const double se = std::sqrt(*vc + *vt);
    const double zq = normalQuantile(1.0 - alpha / 2.0);
    out.ciLow = out.diff - zq * se;
    out.ciHigh = out.diff + zq * se;
    if (se > 0.0) {
        out.z = out.diff / se;
        out.pValue = std::min(1.0, 2.0 * normalUpper(std::abs(out.z)));
    } else {
        out.z = 0.0;
        out.pValue = out.diff == 0.0 ? 1.0 : 0.0;
    }
    if (out.controlValue > 0.0) {
        out.relativeLift = out.treatmentValue / out.controlValue - 1.0;
        if (out.treatmentValue > 0.0) {
            // Var(log R) ~ Var(R) / R^2, summed over the arms.
            const double seLog = std::sqrt(*vc / (out.controlValue * out.controlValue) +
                                           *vt / (out.treatmentValue * out.treatmentValue));
            const double logRatio = std::log(out.treatmentValue / out.controlValue);
            out.relativeCiLow = std::exp(logRatio - zq * seLog) - 1.0;
            out.relativeCiHigh = std::exp(logRatio + zq * seLog) - 1.0;
        }
    }
    return out;
}

Result<ExperimentResults> analyze(const Experiment& experiment, std::span<const VariantCounts> counts,
                                  const AnalysisInputs& inputs) {
    if (counts.size() != experiment.variants.size())
        return Error{"results of " + experiment.key + ": " + std::to_string(counts.size()) + " variant counts for " +
                     std::to_string(experiment.variants.size()) + " variants"};
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const auto& c = counts[i];
        if (c.clickers > c.users || c.converters > c.users)
            return Error{"results of " + experiment.key + ": variant " + experiment.variants[i].name +
                         " has more clicking or converting users than users"};
    }
    const double alpha = experiment.plan.alpha;
    const Metric primary = experiment.primaryMetric;
    ExperimentResults out;
    out.key = experiment.key;
    out.state = experiment.state;
    out.primaryMetric = primary;
    out.allocation = experiment.allocation;
    out.startedAtMs = experiment.startedAtMs;
    out.stoppedAtMs = experiment.stoppedAtMs;
    out.computedAtMs = inputs.nowMs;
    out.alpha = alpha;

    const auto shares = experiment.effectiveWeights();
    for (std::size_t i = 0; i < counts.size(); ++i) {
        VariantResult v;
        v.name = experiment.variants[i].name;
        v.control = i == 0;
        v.weight = experiment.variants[i].weight;
        v.trafficShare = shares[i];
        v.counts = counts[i];
        v.clickRate = counts[i].clickRate();
        v.conversionRate = counts[i].conversionRate();
        v.ctr = counts[i].ctr();
        v.primary = counts[i].value(primary);
        out.variants.push_back(std::move(v));
    }
    if (primary != Metric::Ctr) {
        std::vector<ArmCounts> arms;
        for (const auto& c : counts) arms.push_back(c.arm(primary));
        if (auto multi = compareBayesArms(arms, 0)) {
            for (std::size_t i = 0; i < counts.size(); ++i) out.variants[i].chanceToBeBest = multi->chanceToBeBest[i];
        }
    }

    // --- sample-ratio mismatch ---
    std::uint64_t totalUsers = 0;
    for (const auto& c : counts) {
        out.srm.observed.push_back(c.users);
        totalUsers += c.users;
    }
    if (experiment.allocation == AllocationMode::Thompson) {
        out.srm.note = "not applicable: Thompson allocation moves the traffic shares by design";
    } else if (totalUsers == 0) {
        out.srm.note = "no users yet";
    } else {
        std::vector<double> weights;
        for (const auto& v : experiment.variants) weights.push_back(v.weight);
        auto srm = sampleRatioMismatch(out.srm.observed, weights);
        if (srm) {
            out.srm.applicable = true;
            out.srm.mismatch = srm->mismatch;
            out.srm.chiSquare = srm->chiSquare;
            out.srm.pValue = srm->pValue;
            out.srm.expected = srm->expected;
            if (srm->mismatch) {
                std::string observed;
                std::string expected;
                for (std::size_t i = 0; i < counts.size(); ++i) {
                    observed += (i ? "/" : "") + format("%.1f", 100.0 * ratio(counts[i].users, totalUsers));
                    expected += (i ? "/" : "") + format("%.1f", 100.0 * weights[i]);
                }
                out.srm.note = "users split " + observed + "% against the configured " + expected +
                               "% (p = " + format("%.2g", srm->pValue) +
                               " < 0.001): assignment or logging is broken; do not trust these results until it is "
                               "explained";
            }
        }
    }

    // --- comparisons ---
    const double elapsedDays =
        static_cast<double>((experiment.stoppedAtMs > 0 ? experiment.stoppedAtMs : inputs.nowMs) -
                            experiment.startedAtMs) /
        86'400'000.0;
    std::vector<double> pValues;
    std::vector<std::size_t> tested;
    for (std::size_t i = 1; i < counts.size(); ++i) {
        Comparison c;
        c.variant = experiment.variants[i].name;
        c.primary = compareMetric(primary, counts[0], counts[i], alpha);
        for (const Metric g : experiment.guardrails) {
            auto m = compareMetric(g, counts[0], counts[i], alpha);
            if (m.available && m.pValue < alpha && m.diff < 0.0) c.harmedGuardrails.push_back(g);
            c.guardrails.push_back(std::move(m));
        }
        if (primary == Metric::Ctr) {
            if (c.primary.available) {
                const double se = (c.primary.ciHigh - c.primary.ciLow) / (2.0 * normalQuantile(1.0 - alpha / 2.0));
                if (se > 0.0) {
                    const double d = c.primary.diff / se;
                    c.chanceToBeatControl = normalCdf(d);
                    c.expectedLossControl = se * normalPdf(d) + c.primary.diff * normalCdf(d);
                    c.expectedLossTreatment = se * normalPdf(d) - c.primary.diff * normalCdf(-d);
                }
            }
        } else {
            if (auto bayes = compareBayes(counts[0].arm(primary), counts[i].arm(primary))) {
                c.chanceToBeatControl = bayes->chanceToBeatControl;
                c.expectedLossControl = bayes->expectedLossControl;
                c.expectedLossTreatment = bayes->expectedLossTreatment;
            }
            const std::size_t t = i - 1;
            if (t < inputs.sequential.size() && inputs.sequential[t] && inputs.sequential[t]->looks() > 0) {
                const auto& monitor = *inputs.sequential[t];
                c.sequential.available = true;
                c.sequential.looks = monitor.looks();
                c.sequential.tau = monitor.options().tau;
                c.sequential.pValue = monitor.alwaysValidPValue();
                c.sequential.ciLow = monitor.ciLow();
                c.sequential.ciHigh = monitor.ciHigh();
                c.sequential.significant = monitor.significant();
            }
            const double baseline = experiment.plan.baseline > 0.0     ? experiment.plan.baseline
                                    : counts[0].arm(primary).users > 0 ? c.primary.controlValue
                                                                       : 0.0;
            SampleSizeRequest request;
            request.baseline = baseline;
            request.mde = experiment.plan.relativeEffect;
            request.alpha = alpha;
            request.power = experiment.plan.power;
            // With several treatments the plan carries the readout's Holm correction, as
            // the console's sample-size calculator does.
            if (auto n = plannedSampleSize(request, static_cast<int>(experiment.variants.size()) - 1)) {
                c.plannedUsersPerVariant = n->perVariant;
                c.daysRemaining = daysToPlan(counts[0], counts[i], n->perVariant, elapsedDays);
            }
        }
        if (c.primary.available) {
            pValues.push_back(c.primary.pValue);
            tested.push_back(out.comparisons.size());
        }
        out.comparisons.push_back(std::move(c));
    }
    if (!pValues.empty()) {
        if (auto adjusted = holmAdjust(pValues)) {
            for (std::size_t j = 0; j < tested.size(); ++j) {
                auto& c = out.comparisons[tested[j]];
                c.pValueHolm = (*adjusted)[j];
                c.significant = c.pValueHolm < alpha;
            }
        }
    }

    // --- verdicts ---
    const std::string controlName = experiment.variants[0].name;
    for (std::size_t i = 0; i < out.comparisons.size(); ++i) {
        auto& c = out.comparisons[i];
        const VariantCounts& ct = counts[0];
        const VariantCounts& tr = counts[i + 1];
        const bool perUser = primary != Metric::Ctr;
        const bool stopped = experiment.state == ExperimentState::Stopped;
        const std::uint64_t minSuccesses = std::min(ct.successes(primary), tr.successes(primary));
        const bool enough = c.primary.available && ct.users >= kMinUsersPerArm && tr.users >= kMinUsersPerArm &&
                            minSuccesses >= kMinSuccessesPerArm;
        const bool planReached = c.plannedUsersPerVariant &&
                                 ct.users >= static_cast<std::uint64_t>(*c.plannedUsersPerVariant) &&
                                 tr.users >= static_cast<std::uint64_t>(*c.plannedUsersPerVariant);
        std::string chance = c.chanceToBeatControl
                                 ? ", " + probabilityPercent(*c.chanceToBeatControl) + " chance to beat control"
                                 : std::string();
        std::string remaining;
        if (c.plannedUsersPerVariant && c.daysRemaining && *c.daysRemaining > 0.0) {
            remaining = daysText(*c.daysRemaining) + " at current traffic for the planned effect (" +
                        signedPercent(experiment.plan.relativeEffect) + " " + std::string(metricLabel(primary)) +
                        " needs " + thousands(static_cast<std::uint64_t>(*c.plannedUsersPerVariant)) +
                        " users per variant; " + thousands(std::min(ct.users, tr.users)) + " so far)";
        }
        const std::string name = "treatment '" + c.variant + "'";
        if (!enough) {
            c.kind = VerdictKind::NotEnoughData;
            c.verdict = "not enough data yet: " + name + " has " + thousands(tr.users) + " users and " +
                        thousands(tr.successes(primary)) + " " + successNoun(primary) + ", control '" + controlName +
                        "' " + thousands(ct.users) + " and " + thousands(ct.successes(primary)) +
                        "; each needs at least " + std::to_string(kMinUsersPerArm) + " users and " +
                        std::to_string(kMinSuccessesPerArm) + " " + successNoun(primary);
            if (!remaining.empty() && !stopped) c.verdict += " (" + remaining + ")";
        } else if (c.significant) {
            const bool better = c.primary.diff > 0.0;
            c.kind = better ? VerdictKind::Winning : VerdictKind::Losing;
            c.safeToStop = (perUser && c.sequential.significant) || planReached;
            c.verdict = name + (better ? " is winning: " : " is losing: ") + effectText(c.primary, alpha) + chance;
            if (c.safeToStop) {
                c.verdict += stopped ? "; it was stopped with a conclusive result" : "; safe to stop";
            } else if (stopped) {
                c.verdict +=
                    "; provisional: it was stopped before the peeking-safe test or the planned sample confirmed it";
            } else if (perUser) {
                c.verdict += "; keep it running until the peeking-safe test confirms it" +
                             (remaining.empty() ? std::string() : " (" + remaining + ")");
            } else {
                c.verdict += "; the fixed-horizon test is significant (no peeking-safe test for CTR)";
            }
        } else if (planReached) {
            c.kind = VerdictKind::NoDifference;
            c.safeToStop = true;
            c.verdict = "no significant difference: " + effectText(c.primary, alpha) + chance +
                        "; the planned sample is reached, so an effect of " +
                        signedPercent(experiment.plan.relativeEffect) + " or more is unlikely; safe to stop";
        } else {
            c.kind = VerdictKind::NotEnoughData;
            if (stopped && c.plannedUsersPerVariant)
                c.verdict = "inconclusive: stopped before the planned sample (" +
                            thousands(static_cast<std::uint64_t>(*c.plannedUsersPerVariant)) + " users per variant; " +
                            thousands(std::min(ct.users, tr.users)) + " reached)";
            else if (!remaining.empty())
                c.verdict = "not enough data yet: " + remaining;
            else if (perUser)
                c.verdict = "not enough data yet: no estimate of the time needed (too little traffic so far)";
            else
                c.verdict = "no significant difference yet";
            c.verdict += "; so far " + effectText(c.primary, alpha) + chance;
        }
        for (const Metric g : c.harmedGuardrails) {
            for (const auto& m : c.guardrails) {
                if (m.metric != g) continue;
                c.verdict += "; guardrail " + std::string(metricLabel(g)) +
                             " is significantly worse: " + effectText(m, alpha) + ", p = " + format("%.2g", m.pValue);
            }
        }
    }

    // --- overall ---
    if (experiment.state == ExperimentState::Draft) {
        out.kind = VerdictKind::NotStarted;
        out.verdict = "not started yet";
    } else if (out.srm.mismatch) {
        out.kind = VerdictKind::SampleRatioMismatch;
        out.verdict = "sample-ratio mismatch: " + out.srm.note;
    } else {
        bool anyWinning = false;
        bool anyWaiting = false;
        bool allLosing = !out.comparisons.empty();
        for (const auto& c : out.comparisons) {
            anyWinning = anyWinning || c.kind == VerdictKind::Winning;
            anyWaiting = anyWaiting || c.kind == VerdictKind::NotEnoughData;
            allLosing = allLosing && c.kind == VerdictKind::Losing;
        }
        out.kind = anyWinning   ? VerdictKind::Winning
                   : anyWaiting ? VerdictKind::NotEnoughData
                   : allLosing  ? VerdictKind::Losing
                                : VerdictKind::NoDifference;
        if (out.comparisons.size() == 1) {
            out.verdict = out.comparisons[0].verdict;
        } else {
            for (const auto& c : out.comparisons) out.verdict += (out.verdict.empty() ? "" : " | ") + c.verdict;
        }
    }
    if (experiment.allocation == AllocationMode::Thompson)
        out.notes.push_back(
            "Thompson allocation: traffic shares follow the results, users may switch variants, and the z-test assumes "
            "a fixed split; read chance to be best");
    if (primary == Metric::Ctr)
        out.notes.push_back(
            "CTR counts clicks per item shown; its test uses the delta method over users, and there is no peeking-safe "
            "test or sample-size plan for it");
    if (out.comparisons.size() > 1)
        out.notes.push_back("p-values are Holm-adjusted for " + std::to_string(out.comparisons.size()) + " treatments");
    return out;
}

json toJson(const ExperimentResults& r) {
    json variants = json::array();
    for (const auto& v : r.variants) {
        variants.push_back({{"name", v.name},
                            {"control", v.control},
                            {"weight", v.weight},
                            {"traffic_share", v.trafficShare},
                            {"users", v.counts.users},
                            {"impressions", v.counts.itemsShown},
                            {"lists", v.counts.lists},
                            {"clicks", v.counts.clicks},
                            {"conversions", v.counts.conversions},
                            {"clickers", v.counts.clickers},
                            {"converters", v.counts.converters},
                            {"click_rate", v.clickRate},
                            {"conversion_rate", v.conversionRate},
                            {"ctr", v.ctr},
                            {"primary", v.primary},
                            {"chance_to_be_best", optionalJson(v.chanceToBeBest)}});
    }
    json comparisons = json::array();
    for (const auto& c : r.comparisons) {
        json j = comparisonJson(c.primary);
        j["variant"] = c.variant;
        j["p_value_holm"] = c.pValueHolm;
        j["significant"] = c.significant;
        j["chance_to_beat_control"] = optionalJson(c.chanceToBeatControl);
        j["expected_loss_control"] = optionalJson(c.expectedLossControl);
        j["expected_loss_treatment"] = optionalJson(c.expectedLossTreatment);
        j["sequential"] = c.sequential.available ? json{{"peeking_safe", c.sequential.peekingSafe},
                                                        {"p_value", c.sequential.pValue},
                                                        {"ci_low", c.sequential.ciLow},
                                                        {"ci_high", c.sequential.ciHigh},
                                                        {"significant", c.sequential.significant},
                                                        {"looks", c.sequential.looks},
                                                        {"tau", c.sequential.tau}}
                                                 : json(nullptr);
        json guardrails = json::array();
        for (const auto& g : c.guardrails) {
            json gj = comparisonJson(g);
            gj["harmed"] =
                std::find(c.harmedGuardrails.begin(), c.harmedGuardrails.end(), g.metric) != c.harmedGuardrails.end();
            guardrails.push_back(std::move(gj));
        }
        j["guardrails"] = std::move(guardrails);
        j["planned_users_per_variant"] = c.plannedUsersPerVariant ? json(*c.plannedUsersPerVariant) : json(nullptr);
        j["days_remaining"] = optionalJson(c.daysRemaining);
        j["safe_to_stop"] = c.safeToStop;
        j["status"] = std::string(verdictName(c.kind));
        j["verdict"] = c.verdict;
        comparisons.push_back(std::move(j));
    }
    return {{"key", r.key},
            {"state", std::string(stateName(r.state))},
            {"primary_metric", std::string(metricName(r.primaryMetric))},
            {"allocation", std::string(allocationName(r.allocation))},
            {"started_at", r.startedAtMs},
            {"stopped_at", r.stoppedAtMs},
            {"computed_at", r.computedAtMs},
            {"alpha", r.alpha},
            {"status", std::string(verdictName(r.kind))},
            {"verdict", r.verdict},
            {"notes", r.notes},
            {"variants", std::move(variants)},
            {"comparisons", std::move(comparisons)},
            {"srm",
             {{"applicable", r.srm.applicable},
              {"mismatch", r.srm.mismatch},
              {"p_value", r.srm.pValue},
              {"chi_square", r.srm.chiSquare},
              {"observed", r.srm.observed},
              {"expected", r.srm.expected},
              {"note", r.srm.note}}}};
}

}  // namespace recdeck::experiments

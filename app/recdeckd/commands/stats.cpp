// recdeckd stats: the experiment statistics of recdeck::experiments on the command line.
// Every subcommand prints one JSON object on stdout (numbers in full double precision:
// Qt writes the shortest text that reads back to the same double); bad arguments print a
// message on stderr and exit with status 2.

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <cmath>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cli.h"
#include "commands/commands.h"
#include "recdeck/experiments/bandit.h"
#include "recdeck/experiments/bayesian.h"
#include "recdeck/experiments/sequential.h"
#include "recdeck/experiments/statistics.h"

namespace recdeckd {

namespace {

namespace ex = recdeck::experiments;
using recdeck::Error;
using recdeck::Result;

// ----- argument parsing ----------------------------------------------------------------

QCommandLineOption valueOption(const QString& name, const QString& description, const QString& valueName,
                               const QString& defaultValue = {}) {
    return QCommandLineOption(QStringList{name}, description, valueName, defaultValue);
}

std::string text(const QString& s) {
    return s.toStdString();
}

// --name as a finite number; `fallback` when absent (an error when there is none).
Result<double> number(const QCommandLineParser& parser, const QString& name, std::optional<double> fallback,
                      const char* meaning) {
    if (!parser.isSet(name)) {
        if (fallback) return *fallback;
        return Error{"--" + text(name) + " is required (" + meaning + ")"};
    }
    const QString raw = parser.value(name).trimmed();
    bool ok = false;
    const double value = raw.toDouble(&ok);
    if (!ok || !std::isfinite(value))
        return Error{"--" + text(name) + ": expected a number (" + meaning + "), got '" + text(raw) + "'"};
    return value;
}

Result<std::uint64_t> count(const QString& raw, const std::string& what) {
    bool ok = false;
    const qulonglong value = raw.trimmed().toULongLong(&ok);
    if (!ok) return Error{what + ": expected a non-negative whole number, got '" + text(raw.trimmed()) + "'"};
    return static_cast<std::uint64_t>(value);
}

// "N,X" -> users N, conversions X.
Result<ex::ArmCounts> arm(const QString& raw, const QString& option) {
    const std::string what = "--" + text(option);
    const QStringList parts = raw.split(QLatin1Char(','));
    if (parts.size() != 2)
        return Error{what + ": expected USERS,CONVERSIONS (e.g. 10000,500), got '" + text(raw) + "'"};
    auto users = count(parts[0], what + " users");
    if (!users) return users.error();
    auto conversions = count(parts[1], what + " conversions");
    if (!conversions) return conversions.error();
    if (*conversions > *users)
        return Error{what + ": conversions (" + std::to_string(*conversions) + ") cannot exceed users (" +
                     std::to_string(*users) + ")"};
    return ex::ArmCounts{*users, *conversions};
}

Result<std::vector<ex::ArmCounts>> arms(const QCommandLineParser& parser, const QString& option) {
    const QStringList values = parser.values(option);
    if (values.isEmpty()) return Error{"--" + text(option) + " USERS,CONVERSIONS is required"};
    std::vector<ex::ArmCounts> out;
    for (const QString& value : values) {
        auto parsed = arm(value, option);
        if (!parsed) return parsed.error();
        out.push_back(*parsed);
    }
    return out;
}

QJsonValue finite(double value) {
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}
QJsonValue optionalNumber(const std::optional<double>& value) {
    return value ? finite(*value) : QJsonValue(QJsonValue::Null);
}

int print(const QJsonObject& object) {
    printLine(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
    return kExitOk;
}

// Unwraps a Result or returns the bad-input exit status from the enclosing function.
#define RECDECK_TRY(variable, expression) \
    auto variable = (expression);         \
    if (!variable) return badInput(variable.errorMessage())

const QString kAlphaHelp = QStringLiteral("Two-sided significance level (default 0.05).");

// ----- subcommands -------------------------------------------------------------------------

int runSampleSize(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addOption(valueOption(QStringLiteral("baseline"), QStringLiteral("Control conversion rate, in (0, 1)."),
                                 QStringLiteral("P")));
    parser.addOption(valueOption(
        QStringLiteral("mde"),
        QStringLiteral("Minimum detectable effect, relative to the baseline unless --absolute (0.1 = +10%)."),
        QStringLiteral("M")));
    parser.addOption(QCommandLineOption(
        QStringLiteral("absolute"), QStringLiteral("--mde is an absolute difference in rate (0.005 = +0.5 points).")));
    parser.addOption(valueOption(QStringLiteral("alpha"), kAlphaHelp, QStringLiteral("A")));
    parser.addOption(
        valueOption(QStringLiteral("power"), QStringLiteral("Power 1 - beta (default 0.8)."), QStringLiteral("B")));
    parser.addOption(
        valueOption(QStringLiteral("variants"),
                    QStringLiteral("Number of variants including control, for totals and duration (default 2)."),
                    QStringLiteral("K")));
    parser.addOption(valueOption(QStringLiteral("daily-users"),
                                 QStringLiteral("Eligible users per day; adds the expected duration."),
                                 QStringLiteral("D")));
    parser.addOption(valueOption(QStringLiteral("coverage"),
                                 QStringLiteral("Fraction of eligible traffic in the experiment (default 1)."),
                                 QStringLiteral("C")));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Users per variant for a two-proportion test: n = (z_{1-a/2} + z_power)^2 * "
                                    "2 p(1-p) / (p2-p1)^2, p = (p1+p2)/2, truncated to an integer."),
                     exitCode))
        return exitCode;
    RECDECK_TRY(baseline,
                number(parser, QStringLiteral("baseline"), std::nullopt, "the control conversion rate, e.g. 0.05"));
    RECDECK_TRY(mde, number(parser, QStringLiteral("mde"), std::nullopt, "the minimum detectable effect, e.g. 0.1"));
    RECDECK_TRY(alpha, number(parser, QStringLiteral("alpha"), 0.05, "significance level"));
    RECDECK_TRY(power, number(parser, QStringLiteral("power"), 0.8, "power"));
    RECDECK_TRY(variants, number(parser, QStringLiteral("variants"), 2.0, "number of variants"));
    if (*variants < 2 || *variants > 1000 || std::floor(*variants) != *variants)
        return badInput(QStringLiteral("--variants must be a whole number of variants >= 2, got %1").arg(*variants));
    const bool absolute = parser.isSet(QStringLiteral("absolute"));
    RECDECK_TRY(n, ex::sampleSize({*baseline, *mde, absolute ? ex::EffectScale::Absolute : ex::EffectScale::Relative,
                                   *alpha, *power}));
    const auto k = static_cast<qint64>(*variants);
    QJsonObject out{
        {QStringLiteral("per_variant"), static_cast<qint64>(n->perVariant)},
        {QStringLiteral("per_variant_exact"), n->perVariantExact},
        {QStringLiteral("variants"), k},
        {QStringLiteral("total"), static_cast<qint64>(n->perVariant) * k},
        {QStringLiteral("baseline"), n->baseline},
        {QStringLiteral("treatment_rate"), n->treatmentRate},
        {QStringLiteral("absolute_mde"), n->absoluteEffect},
        {QStringLiteral("relative_mde"), n->relativeEffect},
        {QStringLiteral("alpha"), *alpha},
        {QStringLiteral("power"), *power},
        {QStringLiteral("z_alpha"), n->zAlpha},
        {QStringLiteral("z_power"), n->zPower},
        {QStringLiteral("two_sided"), true},
    };
    if (parser.isSet(QStringLiteral("daily-users")) || parser.isSet(QStringLiteral("coverage"))) {
        RECDECK_TRY(daily, number(parser, QStringLiteral("daily-users"), std::nullopt, "eligible users per day"));
        RECDECK_TRY(coverage, number(parser, QStringLiteral("coverage"), 1.0, "traffic fraction"));
        RECDECK_TRY(duration,
                    ex::experimentDuration(static_cast<double>(n->perVariant), static_cast<int>(k), *daily, *coverage));
        out.insert(QStringLiteral("daily_users"), *daily);
        out.insert(QStringLiteral("coverage"), *coverage);
        out.insert(QStringLiteral("duration_days"), duration->days);
        out.insert(QStringLiteral("duration_whole_days"), static_cast<qint64>(duration->wholeDays));
    }
    return print(out);
}

int runPower(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addOption(valueOption(QStringLiteral("baseline"), QStringLiteral("Control conversion rate, in (0, 1)."),
                                 QStringLiteral("P")));
    parser.addOption(valueOption(QStringLiteral("mde"), QStringLiteral("Effect to detect, relative unless --absolute."),
                                 QStringLiteral("M")));
    parser.addOption(
        QCommandLineOption(QStringLiteral("absolute"), QStringLiteral("--mde is an absolute difference in rate.")));
    parser.addOption(valueOption(QStringLiteral("n"), QStringLiteral("Users per variant."), QStringLiteral("N")));
    parser.addOption(valueOption(QStringLiteral("alpha"), kAlphaHelp, QStringLiteral("A")));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Power of the two-proportion test with N users per variant (the sample-size "
                                    "formula solved for z_power)."),
                     exitCode))
        return exitCode;
    RECDECK_TRY(baseline, number(parser, QStringLiteral("baseline"), std::nullopt, "the control conversion rate"));
    RECDECK_TRY(mde, number(parser, QStringLiteral("mde"), std::nullopt, "the effect to detect"));
    RECDECK_TRY(n, number(parser, QStringLiteral("n"), std::nullopt, "users per variant"));
    RECDECK_TRY(alpha, number(parser, QStringLiteral("alpha"), 0.05, "significance level"));
    const bool absolute = parser.isSet(QStringLiteral("absolute"));
    const ex::SampleSizeRequest request{*baseline, *mde,
                                        absolute ? ex::EffectScale::Absolute : ex::EffectScale::Relative, *alpha, 0.8};
    RECDECK_TRY(power, ex::power(request, *n));
    const double p2 = absolute ? *baseline + *mde : *baseline * (1.0 + *mde);
    return print(QJsonObject{
        {QStringLiteral("power"), *power},
        {QStringLiteral("n_per_variant"), *n},
        {QStringLiteral("baseline"), *baseline},
        {QStringLiteral("treatment_rate"), p2},
        {QStringLiteral("absolute_mde"), absolute ? *mde : p2 - *baseline},
        {QStringLiteral("relative_mde"), absolute ? (p2 - *baseline) / *baseline : *mde},
        {QStringLiteral("alpha"), *alpha},
    });
}

int runMde(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addOption(valueOption(QStringLiteral("baseline"), QStringLiteral("Control conversion rate, in (0, 1)."),
                                 QStringLiteral("P")));
    parser.addOption(valueOption(QStringLiteral("n"), QStringLiteral("Users per variant."), QStringLiteral("N")));
    parser.addOption(valueOption(QStringLiteral("alpha"), kAlphaHelp, QStringLiteral("A")));
    parser.addOption(
        valueOption(QStringLiteral("power"), QStringLiteral("Power 1 - beta (default 0.8)."), QStringLiteral("B")));
    parser.addOption(QCommandLineOption(QStringLiteral("decrease"),
                                        QStringLiteral("Solve for the smallest detectable drop instead of a lift.")));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Minimum detectable effect with N users per variant: the p2 at which the "
                                    "sample-size formula gives exactly N."),
                     exitCode))
        return exitCode;
    RECDECK_TRY(baseline, number(parser, QStringLiteral("baseline"), std::nullopt, "the control conversion rate"));
    RECDECK_TRY(n, number(parser, QStringLiteral("n"), std::nullopt, "users per variant"));
    RECDECK_TRY(alpha, number(parser, QStringLiteral("alpha"), 0.05, "significance level"));
    RECDECK_TRY(power, number(parser, QStringLiteral("power"), 0.8, "power"));
    const bool decrease = parser.isSet(QStringLiteral("decrease"));
    RECDECK_TRY(mde,
                ex::minimumDetectableEffect(*baseline, *n, *alpha, *power,
                                            decrease ? ex::EffectDirection::Decrease : ex::EffectDirection::Increase));
    return print(QJsonObject{
        {QStringLiteral("relative_mde"), mde->relative},
        {QStringLiteral("absolute_mde"), mde->absolute},
        {QStringLiteral("treatment_rate"), mde->treatmentRate},
        {QStringLiteral("baseline"), *baseline},
        {QStringLiteral("n_per_variant"), *n},
        {QStringLiteral("alpha"), *alpha},
        {QStringLiteral("power"), *power},
        {QStringLiteral("direction"), decrease ? QStringLiteral("decrease") : QStringLiteral("increase")},
    });
}

void addArmOptions(QCommandLineParser& parser, bool repeatableTreatment) {
    parser.addOption(valueOption(QStringLiteral("control"), QStringLiteral("Control arm as USERS,CONVERSIONS."),
                                 QStringLiteral("N,X")));
    parser.addOption(valueOption(QStringLiteral("treatment"),
                                 repeatableTreatment
                                     ? QStringLiteral("Treatment arm as USERS,CONVERSIONS; repeat for several arms.")
                                     : QStringLiteral("Treatment arm as USERS,CONVERSIONS."),
                                 QStringLiteral("N,X")));
}

Result<ex::ArmCounts> singleArm(const QCommandLineParser& parser, const QString& option) {
    auto all = arms(parser, option);
    if (!all) return all.error();
    if (all->size() != 1) return Error{"--" + text(option) + " may be given only once"};
    return all->front();
}

QJsonObject zTestJson(const ex::ZTest& r) {
    return QJsonObject{
        {QStringLiteral("p_value"), finite(r.pValue)},
        {QStringLiteral("z"), finite(r.z)},
        {QStringLiteral("diff"), finite(r.diff)},
        {QStringLiteral("ci_low"), finite(r.ciLow)},
        {QStringLiteral("ci_high"), finite(r.ciHigh)},
        {QStringLiteral("relative_lift"), optionalNumber(r.relativeLift)},
        {QStringLiteral("relative_ci_low"), optionalNumber(r.relativeCiLow)},
        {QStringLiteral("relative_ci_high"), optionalNumber(r.relativeCiHigh)},
        {QStringLiteral("control_rate"), finite(r.controlRate)},
        {QStringLiteral("treatment_rate"), finite(r.treatmentRate)},
        {QStringLiteral("confidence_level"), finite(r.confidenceLevel)},
        {QStringLiteral("significant"), r.pValue < 1.0 - r.confidenceLevel},
        {QStringLiteral("verdict"), QString::fromStdString(ex::verdict(r))},
    };
}

int runZTest(const QStringList& arguments) {
    QCommandLineParser parser;
    addArmOptions(parser, true);
    parser.addOption(valueOption(QStringLiteral("alpha"), kAlphaHelp, QStringLiteral("A")));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Two-proportion z-test: pooled z for the p-value, Wald interval (unpooled) "
                                    "for the difference, delta-method interval for the relative lift. With "
                                    "several --treatment arms, p-values are Holm-adjusted."),
                     exitCode))
        return exitCode;
    RECDECK_TRY(control, singleArm(parser, QStringLiteral("control")));
    RECDECK_TRY(treatments, arms(parser, QStringLiteral("treatment")));
    RECDECK_TRY(alpha, number(parser, QStringLiteral("alpha"), 0.05, "significance level"));
    std::vector<ex::ZTest> results;
    for (std::size_t i = 0; i < treatments->size(); ++i) {
        auto r = ex::zTest(*control, (*treatments)[i], *alpha);
        if (!r)
            return badInput(treatments->size() > 1 ? "treatment " + std::to_string(i + 1) + ": " + r.errorMessage()
                                                   : r.errorMessage());
        results.push_back(*r);
    }
    if (results.size() == 1) return print(zTestJson(results.front()));

    std::vector<double> pValues;
    for (const ex::ZTest& r : results) pValues.push_back(r.pValue);
    RECDECK_TRY(adjusted, ex::holmAdjust(pValues));
    QJsonArray list;
    for (std::size_t i = 0; i < results.size(); ++i) {
        QJsonObject entry = zTestJson(results[i]);
        entry.insert(QStringLiteral("arm"), static_cast<qint64>(i + 1));
        entry.insert(QStringLiteral("p_value_holm"), (*adjusted)[i]);
        entry.insert(QStringLiteral("significant"), (*adjusted)[i] < *alpha);
        list.append(entry);
    }
    return print(QJsonObject{
        {QStringLiteral("correction"), QStringLiteral("holm")},
        {QStringLiteral("alpha"), *alpha},
        {QStringLiteral("control_rate"), results.front().controlRate},
        {QStringLiteral("treatments"), list},
    });
}

QJsonObject posteriorJson(const ex::BetaPosterior& p) {
    return QJsonObject{{QStringLiteral("alpha"), p.alpha},
                       {QStringLiteral("beta"), p.beta},
                       {QStringLiteral("mean"), p.mean()},
                       {QStringLiteral("sd"), p.standardDeviation()}};
}

int runBayes(const QStringList& arguments) {
    QCommandLineParser parser;
    addArmOptions(parser, true);
    int exitCode = 0;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Bayesian Beta-Binomial readout with Beta(1+X, 1+N-X) posteriors: chance to "
                                    "beat control (exact sum), expected loss (quadrature); with several "
                                    "--treatment arms also the chance to be best."),
                     exitCode))
        return exitCode;
    RECDECK_TRY(control, singleArm(parser, QStringLiteral("control")));
    RECDECK_TRY(treatments, arms(parser, QStringLiteral("treatment")));
    if (treatments->size() == 1) {
        RECDECK_TRY(r, ex::compareBayes(*control, treatments->front()));
        return print(QJsonObject{
            {QStringLiteral("chance_to_beat_control"), r->chanceToBeatControl},
            {QStringLiteral("expected_loss_control"), r->expectedLossControl},
            {QStringLiteral("expected_loss_treatment"), r->expectedLossTreatment},
            {QStringLiteral("control"), posteriorJson(r->control)},
            {QStringLiteral("treatment"), posteriorJson(r->treatment)},
            {QStringLiteral("prior"), QStringLiteral("beta(1,1)")},
        });
    }
    std::vector<ex::ArmCounts> all{*control};
    all.insert(all.end(), treatments->begin(), treatments->end());
    RECDECK_TRY(r, ex::compareBayesArms(all, 0));
    QJsonArray list;
    for (std::size_t i = 0; i < all.size(); ++i) {
        QJsonObject entry = posteriorJson(r->posteriors[i]);
        entry.insert(QStringLiteral("arm"), i == 0 ? QStringLiteral("control") : QStringLiteral("treatment %1").arg(i));
        entry.insert(QStringLiteral("chance_to_beat_control"),
                     i == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(r->chanceToBeatControl[i]));
        entry.insert(QStringLiteral("chance_to_be_best"), r->chanceToBeBest[i]);
        entry.insert(QStringLiteral("expected_loss"), r->expectedLoss[i]);
        list.append(entry);
    }
    return print(QJsonObject{{QStringLiteral("arms"), list}, {QStringLiteral("prior"), QStringLiteral("beta(1,1)")}});
}

int runSrm(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addOption(valueOption(QStringLiteral("observed"), QStringLiteral("Users per arm, comma-separated."),
                                 QStringLiteral("C1,C2,...")));
    parser.addOption(valueOption(QStringLiteral("weights"),
                                 QStringLiteral("Configured weights, comma-separated (normalised; default equal)."),
                                 QStringLiteral("W1,W2,...")));
    parser.addOption(valueOption(QStringLiteral("threshold"),
                                 QStringLiteral("Mismatch when p is below this (default 0.001)."),
                                 QStringLiteral("P")));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Sample-ratio mismatch: chi-square goodness of fit of observed users per arm "
                                    "against the configured weights."),
                     exitCode))
        return exitCode;
    if (!parser.isSet(QStringLiteral("observed")))
        return badInput(QStringLiteral("--observed C1,C2[,...] is required"));
    std::vector<std::uint64_t> observed;
    for (const QString& part : parser.value(QStringLiteral("observed")).split(QLatin1Char(','))) {
        RECDECK_TRY(value, count(part, "--observed"));
        observed.push_back(*value);
    }
    std::vector<double> weights(observed.size(), 1.0);
    if (parser.isSet(QStringLiteral("weights"))) {
        weights.clear();
        for (const QString& part : parser.value(QStringLiteral("weights")).split(QLatin1Char(','))) {
            bool ok = false;
            const double w = part.trimmed().toDouble(&ok);
            if (!ok || !std::isfinite(w))
                return badInput(QStringLiteral("--weights: expected numbers, got '%1'").arg(part.trimmed()));
            weights.push_back(w);
        }
    }
    RECDECK_TRY(threshold, number(parser, QStringLiteral("threshold"), 0.001, "p-value threshold"));
    RECDECK_TRY(r, ex::sampleRatioMismatch(observed, weights, *threshold));
    QJsonArray expected;
    for (const double e : r->expected) expected.append(e);
    QJsonArray observedJson;
    for (const std::uint64_t o : observed) observedJson.append(static_cast<qint64>(o));
    return print(QJsonObject{
        {QStringLiteral("p_value"), r->pValue},
        {QStringLiteral("mismatch"), r->mismatch},
        {QStringLiteral("chi_square"), r->chiSquare},
        {QStringLiteral("degrees_of_freedom"), r->degreesOfFreedom},
        {QStringLiteral("threshold"), *threshold},
        {QStringLiteral("observed"), observedJson},
        {QStringLiteral("expected"), expected},
    });
}

int runSequential(const QStringList& arguments) {
    QCommandLineParser parser;
    addArmOptions(parser, false);
    parser.addOption(valueOption(QStringLiteral("alpha"), kAlphaHelp, QStringLiteral("A")));
    parser.addOption(valueOption(QStringLiteral("tau"),
                                 QStringLiteral("Mixing standard deviation of the effect, absolute rate (default: the "
                                                "absolute MDE from --baseline and --mde)."),
                                 QStringLiteral("T")));
    parser.addOption(valueOption(QStringLiteral("baseline"), QStringLiteral("Planned baseline rate, to derive tau."),
                                 QStringLiteral("P")));
    parser.addOption(
        valueOption(QStringLiteral("mde"),
                    QStringLiteral("Planned effect, relative unless --absolute (default 0.1), to derive tau."),
                    QStringLiteral("M")));
    parser.addOption(
        QCommandLineOption(QStringLiteral("absolute"), QStringLiteral("--mde is an absolute difference in rate.")));
    parser.addOption(valueOption(QStringLiteral("previous-p-value"),
                                 QStringLiteral("Always-valid p-value from the previous look (default 1)."),
                                 QStringLiteral("P")));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Peeking-safe readout (mSPRT, Johari et al.): always-valid p-value and "
                                    "confidence sequence for the difference, from cumulative counts at this look."),
                     exitCode))
        return exitCode;
    RECDECK_TRY(control, singleArm(parser, QStringLiteral("control")));
    RECDECK_TRY(treatment, singleArm(parser, QStringLiteral("treatment")));
    RECDECK_TRY(alpha, number(parser, QStringLiteral("alpha"), 0.05, "significance level"));
    RECDECK_TRY(previous, number(parser, QStringLiteral("previous-p-value"), 1.0, "p-value of the previous look"));
    if (*previous < 0.0 || *previous > 1.0)
        return badInput(QStringLiteral("--previous-p-value must be in [0, 1], got %1").arg(*previous));
    double tau = 0.0;
    if (parser.isSet(QStringLiteral("tau"))) {
        RECDECK_TRY(given, number(parser, QStringLiteral("tau"), std::nullopt, "mixing standard deviation"));
        tau = *given;
    } else {
        if (!parser.isSet(QStringLiteral("baseline")))
            return badInput(
                QStringLiteral("give --tau T, or --baseline P [--mde M] to derive tau as the planned absolute effect"));
        RECDECK_TRY(baseline, number(parser, QStringLiteral("baseline"), std::nullopt, "planned baseline rate"));
        RECDECK_TRY(mde, number(parser, QStringLiteral("mde"), 0.1, "planned effect"));
        tau = std::abs(parser.isSet(QStringLiteral("absolute")) ? *mde : *baseline * *mde);
    }
    RECDECK_TRY(look, ex::sequentialLook(*control, *treatment, {*alpha, tau}));
    const double alwaysValid = std::min(*previous, look->pValue);
    return print(QJsonObject{
        {QStringLiteral("always_valid_p_value"), alwaysValid},
        {QStringLiteral("p_value_this_look"), look->pValue},
        {QStringLiteral("likelihood_ratio"), finite(look->likelihoodRatio)},
        {QStringLiteral("significant"), alwaysValid <= *alpha},
        {QStringLiteral("diff"), look->diff},
        {QStringLiteral("ci_low"), look->ciLow},
        {QStringLiteral("ci_high"), look->ciHigh},
        {QStringLiteral("tau"), tau},
        {QStringLiteral("alpha"), *alpha},
        {QStringLiteral("method"), QStringLiteral("msprt")},
    });
}

int runThompson(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addOption(valueOption(QStringLiteral("arm"),
                                 QStringLiteral("An arm as TRIALS,SUCCESSES; repeat for every arm (at least 2)."),
                                 QStringLiteral("N,X")));
    parser.addOption(valueOption(QStringLiteral("floor"), QStringLiteral("Minimum traffic share per arm (default 0)."),
                                 QStringLiteral("F")));
    parser.addOption(valueOption(QStringLiteral("draws"),
                                 QStringLiteral("Monte Carlo draws for 3+ arms (default 100000)."),
                                 QStringLiteral("D")));
    parser.addOption(
        valueOption(QStringLiteral("seed"), QStringLiteral("Monte Carlo seed (default 24301)."), QStringLiteral("S")));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments,
                     QStringLiteral("Thompson-sampling allocation: probability each arm is best (exact for 2 arms, "
                                    "seeded Monte Carlo for more) and traffic weights with an optional floor."),
                     exitCode))
        return exitCode;
    RECDECK_TRY(armCounts, arms(parser, QStringLiteral("arm")));
    ex::ThompsonOptions options;
    RECDECK_TRY(floorShare, number(parser, QStringLiteral("floor"), 0.0, "minimum share"));
    options.floor = *floorShare;
    if (parser.isSet(QStringLiteral("draws"))) {
        RECDECK_TRY(draws, count(parser.value(QStringLiteral("draws")), "--draws"));
        if (*draws == 0 || *draws > 100000000) return badInput(QStringLiteral("--draws must be in [1, 100000000]"));
        options.draws = static_cast<std::size_t>(*draws);
    }
    if (parser.isSet(QStringLiteral("seed"))) {
        RECDECK_TRY(seed, count(parser.value(QStringLiteral("seed")), "--seed"));
        options.seed = *seed;
    }
    RECDECK_TRY(r, ex::thompsonAllocation(*armCounts, options));
    QJsonArray best, weights;
    for (const double p : r->probabilityBest) best.append(p);
    for (const double w : r->weights) weights.append(w);
    return print(QJsonObject{
        {QStringLiteral("probability_best"), best},
        {QStringLiteral("weights"), weights},
        {QStringLiteral("monte_carlo"), r->monteCarlo},
        {QStringLiteral("max_standard_error"), r->maxStandardError},
        {QStringLiteral("floor"), options.floor},
    });
}

struct Subcommand {
    const char* name;
    const char* summary;
    int (*run)(const QStringList&);
};

const Subcommand kSubcommands[] = {
    {"sample-size", "Users per variant for a two-proportion test (and duration)", runSampleSize},
    {"power", "Power for N users per variant", runPower},
    {"mde", "Minimum detectable effect for N users per variant", runMde},
    {"ztest", "Two-proportion z-test with absolute and relative intervals (Holm for several arms)", runZTest},
    {"bayes", "Beta-Binomial chance to beat control and expected loss", runBayes},
    {"srm", "Sample-ratio mismatch (chi-square goodness of fit)", runSrm},
    {"sequential", "Always-valid p-value and confidence sequence (mSPRT)", runSequential},
    {"thompson", "Thompson-sampling allocation weights", runThompson},
};

void printStatsUsage(std::FILE* out) {
    std::fputs(
        "Usage: recdeckd stats <statistic> [options]\n\nExperiment statistics; each prints one JSON object.\n\n"
        "Statistics:\n",
        out);
    for (const Subcommand& sub : kSubcommands) std::fprintf(out, "  %-12s %s\n", sub.name, sub.summary);
    std::fputs("\nSee `recdeckd stats <statistic> --help` for its options. Exit status 2 on bad input.\n", out);
}

}  // namespace

int runStats(const QStringList& arguments) {
    if (arguments.size() < 2) {
        std::fputs("recdeckd: stats needs a statistic\n\n", stderr);
        printStatsUsage(stderr);
        return kExitBadInput;
    }
    const QString name = arguments.at(1);
    if (name == QLatin1String("--help") || name == QLatin1String("-h") || name == QLatin1String("help")) {
        printStatsUsage(stdout);
        return kExitOk;
    }
    for (const Subcommand& sub : kSubcommands) {
        if (name == QLatin1String(sub.name)) {
            QStringList rest = arguments.mid(2);
            rest.prepend(arguments.at(0) + QLatin1Char(' ') + name);
            return sub.run(rest);
        }
    }
    std::fprintf(stderr, "recdeckd: unknown statistic '%s'\n\n", qPrintable(name));
    printStatsUsage(stderr);
    return kExitBadInput;
}

}  // namespace recdeckd

// recdeckd train: imports an interactions file, trains a model and saves it as a
// models::ModelFile (EVAL.md, "Offline accuracy: the command-line contract"):
//
//   recdeckd train --train TRAIN --model NAME --out MODEL.file [--items ITEMS]
//
// With --publish it trains for a fleet instead: it joins the fleet on --redis like an
// instance (same data options as `recdeckd serve`), trains NAME on the dataset plus every
// instance's events, publishes the new version to the fleet and prints
// {"name", "version", "interactions", "event_interactions", "seconds"} on stdout:
//
//   recdeckd train --publish --redis URL --model NAME [--data DIR] [--dataset RATINGS]
//
// The summary (users, items, interactions, import warnings by kind, training time) goes to
// stderr. A missing or malformed file exits with status 2 and "file:line: what was
// expected"; a training failure with status 1.

#include <QCommandLineParser>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "commands/commands.h"
#include "offline/offline_options.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/evaluation/offline_data.h"
#include "recdeck/models/model_file.h"
#include "recdeck/serving/engine.h"
#include "service_options.h"

namespace recdeckd {

namespace {

std::string utcNow() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

int runTrainCommand(const QStringList& arguments) {
    using namespace offline;
    using namespace recdeck::evaluation;
    QCommandLineParser parser;
    parser.addOption(valueOption(
        "train", "Interactions file: MovieLens u.data or ratings.csv, or CSV/TSV with user and item columns.",
        "TRAIN"));
    parser.addOption(valueOption("model", modelHelp(), "NAME"));
    parser.addOption(valueOption("out", "Where to write the trained model.", "MODEL.file"));
    parser.addOption(valueOption("items",
                                 "Items file (MovieLens u.item or movies.csv): checked and summarised; categories "
                                 "matter for ranking, not training.",
                                 "ITEMS"));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments, QStringLiteral("Train a model on an interactions file and save it."),
                     exitCode)) {
        return exitCode;
    }
    RECDECK_TRY_INPUT(trainPath, requiredPath(parser, "train", "the interactions file to train on"));
    RECDECK_TRY_INPUT(outPath, requiredPath(parser, "out", "where to write the model file"));
    RECDECK_TRY_INPUT(replaceable, checkReplaceable(*outPath, "out"));
    RECDECK_TRY_INPUT(itemsPath, pathOption(parser, "items"));
    const std::string name = modelName(parser).value_or("default");

    RECDECK_TRY_INPUT(data, loadOfflineData(*trainPath, *itemsPath));
    OfflineData& d = **data;
    std::fprintf(stderr, "%s\n", describeImport(*trainPath, *d.trainReport).c_str());
    if (d.itemsReport) std::fprintf(stderr, "%s\n", describeImport(**itemsPath, *d.itemsReport).c_str());

    auto trained = trainNamedModel(d, name);
    if (!trained) return stepFailed(trained.error());
    const TrainedModel& model = *trained;

    nlohmann::json metadata = {
        {"model", model.name},
        {"kind", model.kind},
        {"data_file", trainPath->string()},
        {"training_seconds", model.trainSeconds},
        {"trained_at", utcNow()},
        {"users", d.trainUsers},
        {"items", d.trainItems},
        {"interactions", d.matrix.nonZeros()},
        {"rows", d.trainRows},
    };
    if (*itemsPath) metadata["items_file"] = (*itemsPath)->string();
    if (const auto note = model.model->trainingNote(); !note.empty()) metadata["training_note"] = note;
    if (auto saved =
            recdeck::models::ModelFile::save(*outPath, *model.model, d.trainItemIds(), d.trainUserIds(), metadata);
        !saved) {
        return failure(qtext(saved.errorMessage()));
    }
    std::fprintf(stderr, "trained %s (%s): %zu users, %zu items, %zu interactions (%zu rows) in %.2f s -> %s\n",
                 model.name.c_str(), model.kind.c_str(), d.trainUsers, d.trainItems, d.matrix.nonZeros(), d.trainRows,
                 model.trainSeconds, outPath->string().c_str());
    if (const auto note = model.model->trainingNote(); !note.empty()) std::fprintf(stderr, "  %s\n", note.c_str());
    return kExitOk;
}

// Trains through an engine on the fleet's Redis and publishes the result to the fleet.
int runPublishCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addOption(QCommandLineOption(QStringLiteral("publish"),
                                        QStringLiteral("Train for the fleet on --redis and publish the model.")));
    parser.addOption(QCommandLineOption(QStringLiteral("model"),
                                        QStringLiteral("Model to train (a kind or \"default\"; default: default)."),
                                        QStringLiteral("NAME"), QStringLiteral("default")));
    ServiceOptions service;
    service.addTo(parser);
    int exitCode = kExitOk;
    if (!parseOrExit(parser, arguments, QStringLiteral("Train a model for the fleet on a Redis and publish it."),
                     exitCode)) {
        return exitCode;
    }
    if (!parser.isSet(QStringLiteral("redis"))) {
        return badInput(QStringLiteral("--publish needs --redis URL: the fleet's models live in its Redis"));
    }
    auto config = service.engineConfig(parser);
    if (!config) return badInput(config.errorMessage());
    const std::string name = parser.value(QStringLiteral("model")).toStdString();
    auto engine = openEngineWithProgress(std::move(*config));
    if (!engine) return engine.exitCode;
    recdeck::Stopwatch watch;
    auto trained = engine.engine->train(name);
    if (!trained) {
        return trained.errorKind() == recdeck::ErrorKind::NotFound || trained.errorKind() == recdeck::ErrorKind::Invalid
                   ? badInput(trained.errorMessage())
                   : failure(QString::fromStdString(trained.errorMessage()));
    }
    if (!trained->published) return failure(QStringLiteral("the model was trained but not published to the fleet"));
    const nlohmann::json answer{{"name", trained->entry->name},
                                {"version", trained->entry->version},
                                {"interactions", trained->interactions},
                                {"event_interactions", trained->eventInteractions},
                                {"seconds", watch.elapsedSeconds()}};
    std::printf("%s\n", answer.dump().c_str());
    return kExitOk;
}

}  // namespace

int runTrain(const QStringList& arguments) {
    if (arguments.contains(QStringLiteral("--publish"))) return runPublishCommand(arguments);
    return offline::runGuarded([&] { return runTrainCommand(arguments); });
}

}  // namespace recdeckd

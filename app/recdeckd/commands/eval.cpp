// recdeckd eval: offline accuracy with EVAL.md's metric definitions
// (metrics::evaluateOffline; "Offline accuracy: the command-line contract"):
//
//   recdeckd eval --train TRAIN --test TEST --model NAME --k 10 [--items ITEMS] [--json]
//                 [--diversity off] [--model-file MODEL.file]
//   recdeckd eval --recs RECS.tsv --test TEST [--train TRAIN] [--items ITEMS] --k 10 [--json]
//
// The first form trains (or loads) a model and ranks every TRAIN user's list exactly as
// recommend-batch does; the second scores any recommendations file (user<TAB>item<TAB>
// score, best first per user). Both print precision, recall, ndcg, map, coverage and
// intra-list diversity at k, with the training and scoring wall time: a table by default,
// one JSON object on stdout with --json (keys precision, recall, ndcg, map, coverage, ild,
// k, users, items, train_seconds, score_seconds, eval_seconds, model, kind, diversity;
// coverage is null without TRAIN, ild null without categories).
//
// Test users unknown to TRAIN and test items unknown to TRAIN count as EVAL.md says: a test
// user without a list scores 0 in ndcg (whose mean runs over ALL test users) and is not in
// U for the other means; an unknown test item is relevant but can never be hit.

#include <QCommandLineParser>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "commands/commands.h"
#include "offline/offline_options.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/evaluation/batch_recommendations.h"
#include "recdeck/metrics/offline_metrics.h"

namespace recdeckd {

namespace {

void printTable(const recdeck::metrics::OfflineMetrics& m, const std::string& subject, double trainSeconds,
                double scoreSeconds, double evalSeconds) {
    const std::size_t k = m.k;
    std::printf("%s\n", subject.c_str());
    std::printf("  %-14s %.6f\n", ("precision@" + std::to_string(k)).c_str(), m.precision);
    std::printf("  %-14s %.6f\n", ("recall@" + std::to_string(k)).c_str(), m.recall);
    std::printf("  %-14s %.6f\n", ("ndcg@" + std::to_string(k)).c_str(), m.ndcg);
    std::printf("  %-14s %.6f\n", ("map@" + std::to_string(k)).c_str(), m.map);
    if (m.coverage) {
        std::printf("  %-14s %.6f  (%zu distinct items recommended / %zu train items)\n", "coverage", *m.coverage,
                    m.distinctRecommended, m.trainItems);
    } else {
        std::printf("  %-14s n/a       (needs --train)\n", "coverage");
    }
    if (m.ild) {
        std::printf("  %-14s %.6f  (%zu lists)\n", "ild", *m.ild, m.ildUsers);
    } else {
        std::printf("  %-14s n/a       (needs categories: --items)\n", "ild");
    }
    std::printf("  %-14s %zu with test rows, %zu of them with recommendations, %zu with recommendations\n", "users",
                m.testUsers, m.evaluatedUsers, m.recommendedUsers);
    std::printf("  %-14s %.3f s\n", "train", trainSeconds);
    std::printf("  %-14s %.3f s\n", "score", scoreSeconds);
    std::printf("  %-14s %.3f s\n", "eval", evalSeconds);
}

int runEvalCommand(const QStringList& arguments) {
    using namespace offline;
    using namespace recdeck::evaluation;
    QCommandLineParser parser;
    parser.addOption(valueOption("train",
                                 "Training interactions (MovieLens u.data or ratings.csv, or CSV/TSV with user and "
                                 "item columns); with --recs, optional (coverage's denominator).",
                                 "TRAIN"));
    parser.addOption(
        valueOption("test", "Held-out interactions, same formats: every row is a relevant item of its user.", "TEST"));
    parser.addOption(valueOption("model", modelHelp(), "NAME"));
    parser.addOption(
        valueOption("recs", "Score this recommendations file (user<TAB>item<TAB>score, best first) instead of a model.",
                    "RECS.tsv"));
    parser.addOption(valueOption("k", "Cut-off (default 10).", "K"));
    parser.addOption(valueOption(
        "items", "Items file (MovieLens u.item or movies.csv): categories for diversity and ILD.", "ITEMS"));
    parser.addOption(valueOption(
        "diversity", "on (default): the console's diversity-aware ranking; off: by model score alone.", "on|off"));
    parser.addOption(valueOption(
        "model-file", "A model saved by `recdeckd train` on the same TRAIN, used instead of training.", "MODEL.file"));
    parser.addOption(
        QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print one JSON object instead of a table.")));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments, QStringLiteral("Evaluate a model or a recommendations file on held-out data."),
                     exitCode)) {
        return exitCode;
    }
    RECDECK_TRY_INPUT(testPath, requiredPath(parser, "test", "the held-out interactions"));
    RECDECK_TRY_INPUT(trainPath, pathOption(parser, "train"));
    RECDECK_TRY_INPUT(itemsPath, pathOption(parser, "items"));
    RECDECK_TRY_INPUT(recsPath, pathOption(parser, "recs"));
    RECDECK_TRY_INPUT(modelFilePath, pathOption(parser, "model-file"));
    RECDECK_TRY_INPUT(k, listLength(parser));
    RECDECK_TRY_INPUT(diverse, diversity(parser));
    const std::optional<std::string> name = modelName(parser);
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool scoringFile = recsPath->has_value();
    // With --recs the file is what is scored; options that only matter for ranking a model
    // are ignored (with a note), so one command line template serves both forms.
    for (const char* ignored : {"model", "model-file", "diversity"}) {
        if (scoringFile && parser.isSet(QString::fromLatin1(ignored))) {
            std::fprintf(stderr, "recdeckd: note: --%s is ignored with --recs (the file is scored as it is)\n",
                         ignored);
        }
    }
    if (!scoringFile && !*trainPath) {
        return badInput(
            QStringLiteral("--train is required (the interactions to train on), or --recs to score a file"));
    }

    RECDECK_TRY_INPUT(data, loadOfflineData(*trainPath, *itemsPath));
    OfflineData& d = **data;
    if (d.trainReport) std::fprintf(stderr, "%s\n", describeImport(**trainPath, *d.trainReport).c_str());
    if (d.itemsReport) std::fprintf(stderr, "%s\n", describeImport(**itemsPath, *d.itemsReport).c_str());
    // TEST is checked before any training. Its rows follow TRAIN's in the dataset; the
    // model trains on the TRAIN matrix and scores TRAIN's items only, so they cannot leak.
    // With --recs, the recommendations are read after TEST, so a test-only user or item and
    // the same id in RECS are one index.
    RECDECK_TRY_INPUT(testRows, importTest(d, *testPath));

    recdeck::metrics::UserItemLists lists;
    std::string subject;
    nlohmann::json about = nlohmann::json::object();
    double trainSeconds = 0.0;
    double scoreSeconds = 0.0;
    if (scoringFile) {
        RECDECK_TRY_INPUT(read, readRecommendations(**recsPath, d));
        lists = std::move(*read);
        subject = "recommendations " + (*recsPath)->string() + ", k " + std::to_string(*k);
        about["recs"] = (*recsPath)->string();
        about["model"] = nullptr;
        about["kind"] = nullptr;
        about["diversity"] = nullptr;
    } else {
        auto trained =
            *modelFilePath ? loadModelFileFor(d, **modelFilePath, name) : trainNamedModel(d, name.value_or("default"));
        if (!trained) return stepFailed(trained.error());
        const TrainedModel& model = *trained;
        trainSeconds = model.trainSeconds;
        const BatchRecommendations recommendations = recommendForTrainUsers(d, *model.model, *k, *diverse);
        scoreSeconds = recommendations.seconds;
        lists = recommendations.itemLists();
        subject = "model " + model.name + " (" + model.kind + "), diversity " +
                  (recommendations.diversity ? "on" : "off") + ", k " + std::to_string(*k);
        if (*diverse && !recommendations.diversity) subject += " (no categories: ranked by score)";
        about["model"] = model.name;
        about["kind"] = model.kind;
        about["diversity"] = recommendations.diversity;
        about["mean_mmr_lambda"] = recommendations.meanLambda;
        if (const auto note = model.model->trainingNote(); !note.empty()) about["training_note"] = note;
    }

    recdeck::Stopwatch evalWatch;
    const std::size_t users = d.dataset.users.size();
    std::vector<std::vector<recdeck::data::Index>> testItems(users);
    // TEST's rows are the interactions after TRAIN's (RECS adds none).
    for (std::size_t row = testRows->first; row < testRows->second; ++row) {
        const auto& interaction = d.dataset.interactions[row];
        testItems[interaction.user].push_back(interaction.item);
    }
    lists.resize(users);
    recdeck::metrics::OfflineEvaluationInput input;
    input.recommendations = lists;
    input.testItems = testItems;
    input.trainItemCount = d.hasTrain() ? d.trainItems : 0;
    input.catalog = &d.dataset.catalog;
    input.k = *k;
    const recdeck::metrics::OfflineMetrics metrics = recdeck::metrics::evaluateOffline(input);
    const double evalSeconds = evalWatch.elapsedSeconds();

    if (json) {
        nlohmann::json out = recdeck::metrics::toJson(metrics);
        out["train_seconds"] = trainSeconds;
        out["score_seconds"] = scoreSeconds;
        out["eval_seconds"] = evalSeconds;
        out.update(about);
        printLine(QString::fromStdString(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    } else {
        printTable(metrics, subject, trainSeconds, scoreSeconds, evalSeconds);
        if (about.contains("training_note"))
            std::printf("  %-14s %s\n", "model", about["training_note"].get<std::string>().c_str());
    }
    return kExitOk;
}

}  // namespace

int runEval(const QStringList& arguments) {
    return offline::runGuarded([&] { return runEvalCommand(arguments); });
}

}  // namespace recdeckd

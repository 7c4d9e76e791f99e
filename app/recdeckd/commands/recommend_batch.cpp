// recdeckd recommend-batch: top-k recommendations for every user of a training file
// (EVAL.md, "Offline accuracy: the command-line contract"):
//
//   recdeckd recommend-batch --train TRAIN --model NAME --k 10 --out RECS.tsv
//                            [--items ITEMS] [--diversity off] [--model-file MODEL.file]
//
// RECS.tsv holds user<TAB>item<TAB>score rows, best first, exactly k per TRAIN user (fewer
// only when the user has fewer unseen items), never an item the user has in TRAIN, ids as
// written in TRAIN, users in their first-appearance order. The score column is k - position
// by default (strictly decreasing, so ordering by score reproduces the file's order);
// --score model writes the ranker's scores instead. Without --diversity off the console's
// default diversity-aware ranking applies (categories come from ITEMS; without them the
// lists are ranked by score). --model-file uses a model saved by `recdeckd train` on the
// same TRAIN instead of training one.

#include <QCommandLineParser>

#include <cstdio>
#include <string>

#include "cli.h"
#include "commands/commands.h"
#include "offline/offline_options.h"
#include "recdeck/evaluation/batch_recommendations.h"

namespace recdeckd {

namespace {

int runRecommendBatchCommand(const QStringList& arguments) {
    using namespace offline;
    using namespace recdeck::evaluation;
    QCommandLineParser parser;
    parser.addOption(valueOption(
        "train", "Interactions file: MovieLens u.data or ratings.csv, or CSV/TSV with user and item columns.",
        "TRAIN"));
    parser.addOption(valueOption("model", modelHelp(), "NAME"));
    parser.addOption(valueOption("k", "Items per user (default 10).", "K"));
    parser.addOption(valueOption("out", "Where to write user<TAB>item<TAB>score rows ('-' for stdout).", "RECS.tsv"));
    parser.addOption(valueOption(
        "items", "Items file (MovieLens u.item or movies.csv): categories for the diversity-aware ranking.", "ITEMS"));
    parser.addOption(valueOption(
        "diversity", "on (default): the console's diversity-aware ranking; off: by model score alone.", "on|off"));
    parser.addOption(valueOption(
        "model-file", "A model saved by `recdeckd train` on the same TRAIN, used instead of training.", "MODEL.file"));
    parser.addOption(valueOption("score", "Score column: rank (default; k - position) or model (the ranker's scores).",
                                 "rank|model"));
    int exitCode = 0;
    if (!parseOrExit(parser, arguments, QStringLiteral("Write top-k recommendations for every training user."),
                     exitCode)) {
        return exitCode;
    }
    RECDECK_TRY_INPUT(trainPath,
                      requiredPath(parser, "train", "the interactions file whose users get recommendations"));
    RECDECK_TRY_INPUT(outPath, requiredPath(parser, "out", "where to write the recommendations"));
    if (outPath->string() != "-") {
        RECDECK_TRY_INPUT(folder, checkOutputFolder(*outPath, "out"));
    }
    RECDECK_TRY_INPUT(itemsPath, pathOption(parser, "items"));
    RECDECK_TRY_INPUT(modelFilePath, pathOption(parser, "model-file"));
    RECDECK_TRY_INPUT(k, listLength(parser));
    RECDECK_TRY_INPUT(diverse, diversity(parser));
    ScoreColumn scoreColumn = ScoreColumn::Rank;
    if (parser.isSet(QStringLiteral("score"))) {
        const QString value = parser.value(QStringLiteral("score")).trimmed();
        if (value == QLatin1String("model")) {
            scoreColumn = ScoreColumn::Model;
        } else if (value != QLatin1String("rank")) {
            return badInput(QStringLiteral("--score: expected rank or model, got '%1'").arg(value));
        }
    }
    const std::optional<std::string> name = modelName(parser);

    RECDECK_TRY_INPUT(data, loadOfflineData(*trainPath, *itemsPath));
    OfflineData& d = **data;
    std::fprintf(stderr, "%s\n", describeImport(*trainPath, *d.trainReport).c_str());
    if (d.itemsReport) std::fprintf(stderr, "%s\n", describeImport(**itemsPath, *d.itemsReport).c_str());

    auto trained =
        *modelFilePath ? loadModelFileFor(d, **modelFilePath, name) : trainNamedModel(d, name.value_or("default"));
    if (!trained) return stepFailed(trained.error());
    const TrainedModel& model = *trained;

    const BatchRecommendations recommendations = recommendForTrainUsers(d, *model.model, *k, *diverse);
    if (*diverse && !recommendations.diversity) {
        std::fprintf(stderr, "no categories (no --items, or none in it): ranking by score alone\n");
    }
    if (auto written = writeRecommendations(*outPath, d, recommendations, *k, scoreColumn); !written) {
        return failure(qtext(written.errorMessage()));
    }
    std::fprintf(stderr,
                 "%s (%s)%s: %zu users x %zu items, diversity %s (mean MMR lambda %.3f), %zu short lists, "
                 "%zu items topped up by popularity; ranking %.2f s -> %s\n",
                 model.name.c_str(), model.kind.c_str(), *modelFilePath ? " from model file" : "", d.trainUsers, *k,
                 recommendations.diversity ? "on" : "off", recommendations.meanLambda, recommendations.shortLists,
                 recommendations.toppedUp, recommendations.seconds, outPath->string().c_str());
    if (!*modelFilePath) std::fprintf(stderr, "training %.2f s\n", model.trainSeconds);
    return kExitOk;
}

}  // namespace

int runRecommendBatch(const QStringList& arguments) {
    return offline::runGuarded([&] { return runRecommendBatchCommand(arguments); });
}

}  // namespace recdeckd

// recdeckd: the headless side of RecDeck. Each subcommand lives in its own file and is
// listed in commands().

#include <QCoreApplication>

#include <cstdio>

#include "cli.h"
#include "commands/commands.h"
#include "recdeck/common/version.h"

namespace recdeckd {

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"train", "Train a model on an interactions file and save it", runTrain},
        {"recommend-batch", "Write top-k recommendations for every training user", runRecommendBatch},
        {"eval", "Evaluate a model or a recommendations file on held-out data", runEval},
        {"serve", "Serve recommendations, events and metrics over HTTP", runServe},
        {"simulate", "Drive simulated user traffic against a service", runSimulate},
        {"stats", "Experiment statistics: sample-size, power, mde, ztest, bayes, srm", runStats},
        {"bench", "Benchmark recommend() latency and model training", runBench},
    };
    return table;
}

namespace {

void printUsage(std::FILE* out) {
    std::fprintf(out,
                 "Usage: recdeckd <command> [options]\n\n"
                 "RecDeck %s headless service and tools.\n\nCommands:\n",
                 recdeck::kVersion);
    for (const Command& command : commands()) std::fprintf(out, "  %-16s %s\n", command.name, command.summary);
    std::fprintf(out,
                 "\nOptions:\n  -h, --help       Show this help (or `recdeckd <command> --help`).\n"
                 "  -v, --version    Show the version.\n"
                 "\nExit status: 0 success, 1 failure, 2 bad input (usage or malformed file).\n");
}

}  // namespace
}  // namespace recdeckd

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("recdeckd"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(recdeck::kVersion));
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2) {
        recdeckd::printUsage(stderr);
        return recdeckd::kExitBadInput;
    }
    const QString name = args.at(1);
    if (name == QLatin1String("--help") || name == QLatin1String("-h") || name == QLatin1String("help")) {
        recdeckd::printUsage(stdout);
        return recdeckd::kExitOk;
    }
    if (name == QLatin1String("--version") || name == QLatin1String("-v") || name == QLatin1String("version")) {
        std::printf("recdeckd %s\n", recdeck::kVersion);
        return recdeckd::kExitOk;
    }
    for (const recdeckd::Command& command : recdeckd::commands()) {
        if (name == QLatin1String(command.name)) {
            QStringList rest = args.mid(2);
            rest.prepend(QStringLiteral("recdeckd ") + name);
            return command.run(rest);
        }
    }
    std::fprintf(stderr, "recdeckd: unknown command '%s'\n\n", qPrintable(name));
    recdeckd::printUsage(stderr);
    return recdeckd::kExitBadInput;
}

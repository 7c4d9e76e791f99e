#pragma once
// recdeckd's subcommands, one file each under commands/.

#include <QStringList>

namespace recdeckd {

int runTrain(const QStringList& arguments);
int runRecommendBatch(const QStringList& arguments);
int runEval(const QStringList& arguments);
int runServe(const QStringList& arguments);
int runSimulate(const QStringList& arguments);
int runStats(const QStringList& arguments);
int runBench(const QStringList& arguments);

}  // namespace recdeckd

#include "commands/commands.h"

#include "cli.h"

namespace recdeckd {

// Placeholder until the subcommand lands.
int runTrain(const QStringList&) { return failure(QStringLiteral("'train' is not available in this build yet")); }

}  // namespace recdeckd

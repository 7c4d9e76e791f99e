#include "commands/commands.h"

#include "cli.h"

namespace recdeckd {

// Placeholder until the subcommand lands.
int runBench(const QStringList&) { return failure(QStringLiteral("'bench' is not available in this build yet")); }

}  // namespace recdeckd

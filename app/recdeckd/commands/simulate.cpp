#include "commands/commands.h"

#include "cli.h"

namespace recdeckd {

// Placeholder until the subcommand lands.
int runSimulate(const QStringList&) { return failure(QStringLiteral("'simulate' is not available in this build yet")); }

}  // namespace recdeckd

#include "commands/commands.h"

#include "cli.h"

namespace recdeckd {

// Placeholder until the subcommand lands.
int runEval(const QStringList&) { return failure(QStringLiteral("'eval' is not available in this build yet")); }

}  // namespace recdeckd

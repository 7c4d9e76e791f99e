#include "commands/commands.h"

#include "cli.h"

namespace recdeckd {

// Placeholder until the subcommand lands.
int runStats(const QStringList&) { return failure(QStringLiteral("'stats' is not available in this build yet")); }

}  // namespace recdeckd

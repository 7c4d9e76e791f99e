#include "commands/commands.h"

#include "cli.h"

namespace recdeckd {

// Placeholder until the subcommand lands.
int runServe(const QStringList&) { return failure(QStringLiteral("'serve' is not available in this build yet")); }

}  // namespace recdeckd

#include "commands/commands.h"

#include "cli.h"

namespace recdeckd {

// Placeholder until the subcommand lands.
int runRecommendBatch(const QStringList&) { return failure(QStringLiteral("'recommend_batch' is not available in this build yet")); }

}  // namespace recdeckd

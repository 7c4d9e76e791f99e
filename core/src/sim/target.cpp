#include "recdeck/sim/target.h"

namespace recdeck::sim {

Error targetError(ErrorKind kind, std::string reason, std::string_view detail) {
    Error error{reason + ": " + std::string(detail), kind, std::move(reason)};
    return error;
}

std::string errorKindOf(const Error& error) {
    if (!error.reason.empty()) return error.reason;
    if (error.kind == ErrorKind::Cancelled) return "cancelled";
    return "other";
}

}  // namespace recdeck::sim

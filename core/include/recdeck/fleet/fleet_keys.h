#pragma once
// Where the fleet keeps its shared state in the key-value store (Redis), one place for
// every name. Keys are logical (the store adds its namespace prefix).
//
//   fleet:events            stream   every instance's committed events (stream_event.h)
//   fleet:checkpoint        string   readout checkpoint: tracker state at a stream position
//   fleet:checkpoint-lease  string   instance id of the one writing checkpoints (expires)
//   fleet:instance:<id>     hash     what an instance reports about itself (expires)
//   models:... (model_artifacts.h)

#include <cstdint>
#include <string>
#include <string_view>

#include "recdeck/common/result.h"
#include "recdeck/store/event_log.h"

namespace recdeck::fleet {

inline constexpr std::string_view kEventStreamKey = "fleet:events";
inline constexpr std::string_view kCheckpointKey = "fleet:checkpoint";
inline constexpr std::string_view kCheckpointLeaseKey = "fleet:checkpoint-lease";
inline constexpr std::string_view kInstancePrefix = "fleet:instance";

// This data folder's instance id: a random non-zero 64-bit number made on first use and
// kept in the event log's meta table, so it survives restarts. Two instances must not
// share a data folder (they would not share one event log anyway).
Result<std::uint64_t> instanceIdOf(store::EventLog& log);

// The id as 16 lower-case hex digits, for logs, metrics and keys.
std::string instanceText(std::uint64_t instance);

}  // namespace recdeck::fleet

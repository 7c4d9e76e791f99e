#pragma once
// The fleet's event stream: every event an instance committed to its own event log is
// also appended, in that instance's commit order, to one Redis stream shared by the
// fleet (fleet_keys.h names it). An entry's payload is one StreamEvent, encoded compactly.
//
// Identity: an entry is (instance, local id): the instance that committed it and the id
// its own log gave it. An instance publishes its events in local id order and may send a
// suffix twice (a retry after a lost reply, a restart before its cursor was saved);
// readers skip every entry at or below the highest local id they have seen from that
// instance, so each event counts once, exactly.
//
// Payload layout (version 1): u8 version | varint instance | varint local id | u8 type |
// varint timestamp (ms) | u8 flags (bit 0: served, bit 1: value present) |
// [f64 value] | string user | string item | varint n + n strings (items) |
// string request id | string experiment | string variant | string model,
// where a string is a varint length and its bytes. About 80 bytes plus the ids and the
// items of an impression.
//
// Thread safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "recdeck/common/result.h"
#include "recdeck/store/event.h"

namespace recdeck::fleet {

struct StreamEvent {
    std::uint64_t instance = 0;  // the committing instance (instance_id.h)
    store::Event event;          // event.id is the id in that instance's log
};

std::string encodeStreamEvent(std::uint64_t instance, const store::Event& event);
// Fails (ErrorKind::Invalid) on a payload of another version, truncated or with trailing
// bytes; never crashes on hostile bytes.
Result<StreamEvent> decodeStreamEvent(std::string_view payload);

}  // namespace recdeck::fleet

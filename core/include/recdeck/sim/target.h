#pragma once
// Target: what the traffic simulator drives — a serving Engine in this process
// (EngineTarget) or a `recdeckd serve` over HTTP (the HTTP target of recdeckd). Two
// operations, both batch-friendly: ask for one user's list, send a batch of events.
//
// Errors: an Error's reason names what failed (targetError), and its message reads
// "<reason>: <detail>" ("timeout: no answer from 127.0.0.1:8000 within 5000 ms"). The
// simulator counts failures by that reason (errorKindOf). Reasons used by RecDeck's targets:
//   invalid_request  the service refused the request (bad user id, n or model)
//   not_recorded     the service could not make events durable
//   connect          no connection to the service
//   timeout          no complete answer in time
//   http_<status>    any other non-2xx HTTP status
//   bad_response     an answer that is not the JSON expected
//   cancelled        the caller's stop token fired while the call was in flight
//
// Thread safety: implementations must allow concurrent calls from several threads.

#include <cstddef>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/store/event.h"

namespace recdeck::sim {

// One list as a simulated user saw it.
struct Shown {
    std::string requestId;           // the service's id of this answer (events cite it)
    std::vector<std::string> items;  // item ids, best first (position 0 = top)
    std::string experiment;          // empty when the user is in no experiment
    std::string variant;
    std::string model;       // registry name of the model that served
    bool cached = false;     // answered from a cache tier
    bool coldStart = false;  // the service treated the user as unknown
    double latencyUs = 0.0;  // round trip as the caller waited for it, µs
};

class Target {
public:
    virtual ~Target() = default;

    // The top-`n` list of `userId` (the service records the impression itself). A call
    // still in flight when `stop` fires may return early with a "cancelled" error.
    virtual Result<Shown> recommend(const std::string& userId, std::size_t n, std::stop_token stop) = 0;
    // Sends events (click, add_to_cart, purchase, ...) and returns once the service has
    // acknowledged them as durable. An empty batch succeeds at once.
    virtual Status send(std::vector<store::Event> events, std::stop_token stop) = 0;
    // A short human-readable name ("in-process (Demo world (seed 42))", "http://...").
    virtual std::string describe() const = 0;
};

// A target error: `kind` for callers, `reason` for the simulator's counts, the message
// "<reason>: <detail>" for people.
Error targetError(ErrorKind kind, std::string reason, std::string_view detail);
// What the simulator counts a target error as: its reason; "cancelled" for a cancelled
// error without one; "other" otherwise.
std::string errorKindOf(const Error& error);

}  // namespace recdeck::sim

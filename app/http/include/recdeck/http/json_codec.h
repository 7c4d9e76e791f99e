#pragma once
// JSON forms of the service's values for the HTTP API (nlohmann_json), and the checks
// every identifier a client sends passes at the edge.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "recdeck/common/result.h"
#include "recdeck/http/http_types.h"
#include "recdeck/serving/engine.h"
#include "recdeck/store/event.h"

namespace recdeck::http {

// Longest experiment or variant name an event may carry (they become metric labels).
inline constexpr std::size_t kMaxLabelBytes = 128;
// Most items one event may list (an impression shows at most a full list).
inline constexpr std::size_t kMaxEventItems = serving::kMaxListLength;

// An identifier kept by the service (user, item, request, experiment, variant): 1 to
// maxBytes bytes of valid UTF-8 without control characters. The message names `field`.
Status checkIdentifier(std::string_view field, std::string_view value, std::size_t maxBytes = serving::kMaxUserIdBytes);

// {"user_id", "items": [ids], "cached", "scores", "reasons", "experiment", "variant",
//  "model", "model_version", "tier", "fallback", "degraded", "cold_start", "request_id",
//  "computed_at_ms", "latency_ms", "timings_us": {...}} and, with detail, "recommendations":
// [{"item_id", "title", "categories", "score", "reason", "reason_kind", "because_of",
//   "rank", "rank_before_diversity", "from_popularity"}]. Written without a JSON document
// (the hot path); the item arrays are rendered once per cached list. Appends to `out`.
void appendRecommendationJson(std::string& out, const serving::Recommendation& recommendation, bool detail);
std::string recommendationJson(const serving::Recommendation& recommendation, bool detail);
// The part of that answer shared by every request a cached list answers ("items",
// "scores", "reasons"): the list's memo (RecommendationList::rendered), registered with
// the service (setRenderer) so it is rendered before the list enters the cache.
std::string renderItems(const serving::RecommendationList& list);
// {"user_id", "features": {...}, "history": [{"item_id", "type", "ts"}...], "recommendations"}
nlohmann::json toJson(const serving::UserView& view);
// One event from {"type", "user_id", "item_id", "items", "value", "timestamp", "request_id",
// "experiment", "variant"}; `where` prefixes error messages ("events[3]"). Every string is
// checked with checkIdentifier; at most kMaxEventItems items; a timestamp at most a day
// ahead of the clock.
Result<store::Event> eventFromJson(const nlohmann::json& value, const std::string& where);

// Text of a JSON value (invalid UTF-8 replaced, never thrown).
std::string toBody(const nlohmann::json& value);
// A JSON answer with the given (2xx) status.
HttpResponse jsonOk(const nlohmann::json& body, int status = 200);

}  // namespace recdeck::http

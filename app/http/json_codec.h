#pragma once
// JSON forms of the service's values for the HTTP API (nlohmann_json).

#include <QByteArray>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

#include "http_types.h"
#include "recdeck/common/result.h"
#include "recdeck/serving/engine.h"
#include "recdeck/store/event.h"

namespace recdeck::http {

// {"user_id", "items": [ids], "cached", "scores", "reasons", "experiment", "variant",
//  "model", "model_version", "tier", "fallback", "degraded", "cold_start", "request_id",
//  "computed_at_ms", "latency_ms", "timings_us": {...}} and, with detail, "recommendations":
// [{"item_id", "title", "categories", "score", "reason", "reason_kind", "because_of",
//   "rank", "rank_before_diversity", "from_popularity"}]. Written without a JSON document
// (the hot path); the item arrays are rendered once per cached list.
std::string recommendationJson(const serving::Recommendation& recommendation, bool detail);
// {"user_id", "features": {...}, "history": [{"item_id", "type", "ts"}...], "recommendations"}
nlohmann::json toJson(const serving::UserView& view);
// One event from {"type", "user_id", "item_id", "items", "value", "timestamp", "request_id",
// "experiment", "variant"}; `where` prefixes error messages ("events[3]").
Result<store::Event> eventFromJson(const nlohmann::json& value, const std::string& where);

// Text of a JSON value as a QByteArray body (invalid UTF-8 replaced, never thrown).
QByteArray toBody(const nlohmann::json& value);
// A JSON answer with the given (2xx) status.
HttpResponse jsonOk(const nlohmann::json& body, int status = 200);

}  // namespace recdeck::http

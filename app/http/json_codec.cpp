#include "recdeck/http/json_codec.h"

#include <cmath>

#include "recdeck/common/stopwatch.h"
#include "recdeck/http/json_writer.h"

namespace recdeck::http {

using nlohmann::json;

namespace {

json nullable(const std::string& text) {
    return text.empty() ? json(nullptr) : json(text);
}

}  // namespace

HttpResponse jsonOk(const json& body, int status) {
    HttpResponse response;
    response.status = status;
    response.body = toBody(body);
    return response;
}

std::string toBody(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Status checkIdentifier(std::string_view field, std::string_view value, std::size_t maxBytes) {
    if (value.empty()) return Error::invalid(std::string(field) + ": must not be empty");
    if (value.size() > maxBytes) {
        return Error::invalid(std::string(field) + ": longer than " + std::to_string(maxBytes) + " bytes");
    }
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) return Error::invalid(std::string(field) + ": contains a control character");
    }
    if (!isValidUtf8(value)) return Error::invalid(std::string(field) + ": is not valid UTF-8");
    return {};
}

// "items", "scores" and "reasons" of a list: the same for every request it answers.
std::string renderItems(const serving::RecommendationList& list) {
    std::string out;
    out.reserve(64 + list.items.size() * 64);
    JsonWriter w(out);
    w.key("items", true);
    out.push_back('[');
    for (std::size_t i = 0; i < list.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        w.string(list.items[i].itemId);
    }
    out.append("],");
    w.key("scores", true);
    out.push_back('[');
    for (std::size_t i = 0; i < list.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        w.number(static_cast<double>(list.items[i].score));
    }
    out.append("],");
    w.key("reasons", true);
    out.push_back('[');
    for (std::size_t i = 0; i < list.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        w.string(list.items[i].reason);
    }
    out.push_back(']');
    return out;
}

namespace {

void writeDetail(JsonWriter& w, std::string& out, const serving::RecommendationList& list) {
    w.key("recommendations");
    out.push_back('[');
    for (std::size_t i = 0; i < list.items.size(); ++i) {
        const auto& item = list.items[i];
        if (i > 0) out.push_back(',');
        out.push_back('{');
        w.key("item_id", true);
        w.string(item.itemId);
        w.key("title");
        w.string(item.title);
        w.key("categories");
        out.push_back('[');
        for (std::size_t c = 0; c < item.categories.size(); ++c) {
            if (c > 0) out.push_back(',');
            w.string(item.categories[c]);
        }
        out.push_back(']');
        w.key("score");
        w.number(static_cast<double>(item.score));
        w.key("reason");
        w.string(item.reason);
        w.key("reason_kind");
        w.string(item.reasonKind);
        w.key("because_of");
        w.stringOrNull(item.becauseOf);
        w.key("rank");
        w.number(static_cast<std::uint64_t>(item.rankAfter + 1));
        w.key("rank_before_diversity");
        w.number(static_cast<std::uint64_t>(item.rankBefore + 1));
        w.key("from_popularity");
        w.boolean(item.fromPopularity);
        out.push_back('}');
    }
    out.push_back(']');
}

}  // namespace

std::string recommendationJson(const serving::Recommendation& r, bool detail) {
    std::string out;
    out.reserve(detail ? 4096 : 1024);
    appendRecommendationJson(out, r, detail);
    return out;
}

void appendRecommendationJson(std::string& out, const serving::Recommendation& r, bool detail) {
    JsonWriter w(out);
    out.push_back('{');
    w.key("user_id", true);
    w.string(r.userId);
    out.push_back(',');
    out.append(r.list->rendered(renderItems));
    w.key("cached");
    w.boolean(r.cached);
    w.key("experiment");
    w.stringOrNull(r.experiment);
    w.key("variant");
    w.stringOrNull(r.variant);
    w.key("model");
    w.string(r.model);
    w.key("model_version");
    w.number(r.modelVersion);
    w.key("tier");
    w.string(cache::tierName(r.tier));
    w.key("fallback");
    if (r.fallback())
        w.string(*r.fallback());
    else
        w.null();
    w.key("degraded");
    w.stringOrNull(r.degraded);
    w.key("cold_start");
    w.boolean(r.coldStart());
    w.key("request_id");
    w.string(r.requestId);
    w.key("computed_at_ms");
    w.number(r.list->computedAtMs);
    w.key("latency_ms");
    w.number(r.timings.totalUs / 1000.0);
    w.key("timings_us");
    out.push_back('{');
    w.key("cache", true);
    w.number(r.timings.cacheUs);
    w.key("features");
    w.number(r.timings.featuresUs);
    w.key("candidates");
    w.number(r.timings.candidatesUs);
    w.key("scoring");
    w.number(r.timings.scoringUs);
    w.key("ranking");
    w.number(r.timings.rankingUs);
    w.key("total");
    w.number(r.timings.totalUs);
    out.push_back('}');
    if (detail) writeDetail(w, out, *r.list);
    out.push_back('}');
}

json toJson(const serving::UserView& view) {
    const auto& f = view.features;
    json recent = json::array();
    for (const auto& r : f.recent) {
        recent.push_back({{"item_id", r.itemId}, {"type", store::eventTypeName(r.type)}, {"ts", r.timestampMs}});
    }
    json affinity = json::object();
    for (const auto& c : f.categoryAffinity) affinity[c.category] = c.share;
    json history = json::array();
    for (const auto& e : view.history) {
        json entry = {{"id", e.id}, {"type", store::eventTypeName(e.type)}, {"ts", e.timestampMs}};
        entry["item_id"] = e.itemId.empty() ? json(nullptr) : json(e.itemId);
        if (!e.items.empty()) entry["items"] = e.items;
        if (e.type == store::EventType::Rating) entry["value"] = e.value;
        if (!e.variant.empty()) entry["variant"] = e.variant;
        if (!e.requestId.empty()) entry["request_id"] = e.requestId;
        history.push_back(std::move(entry));
    }
    json lists = json::array();
    for (const auto& impression : view.recent) {
        lists.push_back({{"request_id", impression.requestId},
                         {"items", impression.items},
                         {"model", impression.model},
                         {"experiment", nullable(impression.experiment)},
                         {"variant", nullable(impression.variant)},
                         {"at_ms", impression.atMs}});
    }
    return {{"user_id", f.userId},
            {"known", f.trainedUser.has_value() || f.historyLength > 0},
            {"features",
             {{"history_length", f.historyLength},
              {"distinct_items", f.history.size()},
              {"purchases", f.purchases},
              {"last_active_ms", f.lastActiveMs},
              {"recent_items", std::move(recent)},
              {"category_affinity", std::move(affinity)},
              {"computed_at_ms", f.computedAtMs},
              {"age_ms", std::max<std::int64_t>(0, unixMillis() - f.computedAtMs)},
              {"from_cache", f.fromCache}}},
            {"history", std::move(history)},
            {"last_recommendations", std::move(lists)}};
}

Result<store::Event> eventFromJson(const json& value, const std::string& where) {
    if (!value.is_object()) return Error::invalid(where + ": expected a JSON object");
    // A string field (numbers are kept as written: numeric ids), checked as an identifier.
    auto text = [&](const char* key, std::string& out, bool required, std::size_t maxBytes) -> Status {
        const auto found = value.find(key);
        if (found == value.end() || found->is_null()) {
            if (required) return Error::invalid(where + "." + key + ": required");
            return {};
        }
        if (found->is_string()) {
            out = found->get<std::string>();
        } else if (found->is_number_integer()) {
            out = found->dump();
        } else {
            return Error::invalid(where + "." + key + ": expected a string");
        }
        return checkIdentifier(where + "." + key, out, maxBytes);
    };
    store::Event event;
    std::string type;
    if (auto s = text("type", type, true, 32); !s) return s.error();
    const auto parsed = store::parseEventType(type);
    if (!parsed) {
        return Error::invalid(where + ".type: unknown event type '" + type +
                              "' (expected impression, click, add_to_cart, purchase or rating)");
    }
    event.type = *parsed;
    if (auto s = text("user_id", event.userId, true, serving::kMaxUserIdBytes); !s) return s.error();
    if (auto s = text("item_id", event.itemId, false, serving::kMaxUserIdBytes); !s) return s.error();
    if (auto s = text("request_id", event.requestId, false, kMaxLabelBytes); !s) return s.error();
    if (auto s = text("experiment", event.experiment, false, kMaxLabelBytes); !s) return s.error();
    if (auto s = text("variant", event.variant, false, kMaxLabelBytes); !s) return s.error();
    if (const auto items = value.find("items"); items != value.end() && !items->is_null()) {
        if (!items->is_array()) return Error::invalid(where + ".items: expected a list of item ids");
        if (items->size() > kMaxEventItems) {
            return Error::invalid(where + ".items: at most " + std::to_string(kMaxEventItems) + " items");
        }
        for (const auto& item : *items) {
            if (!item.is_string()) return Error::invalid(where + ".items: expected a list of item ids");
            const auto& id = item.get_ref<const std::string&>();
            if (auto s = checkIdentifier(where + ".items[]", id); !s) return s.error();
            event.items.push_back(id);
        }
    }
    if (const auto v = value.find("value"); v != value.end() && !v->is_null()) {
        if (!v->is_number()) return Error::invalid(where + ".value: expected a number");
        event.value = v->get<double>();
    }
    if (const auto ts = value.find("timestamp"); ts != value.end() && !ts->is_null()) {
        if (!ts->is_number()) return Error::invalid(where + ".timestamp: expected milliseconds since the epoch");
        const double ms = ts->get<double>();
        constexpr double kDayMs = 24.0 * 3600.0 * 1000.0;
        if (!(ms >= 0 && ms <= static_cast<double>(unixMillis()) + kDayMs)) {
            return Error::invalid(where +
                                  ".timestamp: out of range (milliseconds since the epoch, at most a day ahead)");
        }
        event.timestampMs = static_cast<std::int64_t>(ms);
    }
    if (auto valid = serving::Engine::validateEvent(event); !valid) {
        return Error::invalid(where + "." + valid.errorMessage());
    }
    return event;
}

}  // namespace recdeck::http

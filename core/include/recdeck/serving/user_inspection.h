#pragma once
// One user's recommendation end to end, as the console's User inspector shows it: the list
// (as served or under a chosen model), the features it was computed from, and the history
// (events and training data). Plain functions returning values; the console runs them on a
// worker thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "recdeck/serving/engine.h"

namespace recdeck::serving {

// One row of a user's history: an event from the event log, or an interaction of the
// training data the models learned from.
struct HistoryRow {
    std::int64_t atMs = 0;  // 0 when unknown
    std::string type;       // "purchase", "click", ..., "impression", or "training"
    std::string itemId;     // empty for an impression
    std::string title;      // item title, or "10 items shown" for an impression
    std::vector<std::string> categories;
    bool fromTraining = false;
};

// A recommendation request answered, or why it was not.
struct Answer {
    std::optional<Recommendation> recommendation;
    std::string error;
};

struct UserInspection {
    std::string userId;
    std::string error;  // the user could not be read at all
    features::UserFeatures features;
    std::vector<HistoryRow> history;  // newest first
    std::size_t eventRows = 0;        // rows from the event log
    std::size_t trainingRows = 0;     // rows from the training data
    Answer answer;
    std::int64_t atMs = 0;
};

struct InspectionRequest {
    std::string userId;
    std::string model;  // "" = as served (experiment variant or default)
    bool bypassCache = false;
    std::size_t n = 10;
    std::size_t historyLimit = 300;
};

// Recommends (recordImpression off: inspection is not traffic), then reads the user's
// features and history, so the features shown are the ones the list was computed from.
UserInspection inspectUser(Engine& engine, const InspectionRequest& request);

// One list for `userId` under `model` ("" = as served), without recording an impression.
Answer recommendFor(Engine& engine, const std::string& userId, const std::string& model, std::size_t n = 10);

// The user the Inspector shows first: the most active user (mostActiveUsers) whose list is
// personalised — served (chooseModel) by a model other than
// popularity, whether through an experiment's arm or as the default — so the first view
// shows "Because you liked …" reasons rather than a popularity arm's "Popular in …". The
// most active user when no user is served a personalised list; "" when there are no users.
// Deterministic.
std::string firstViewUser(Engine& engine, const ServingSnapshot& snapshot);

// A click or purchase of `itemId` by `userId`, appended durably (the features and cache
// react before this returns). The answer is the event id.
Result<std::int64_t> recordEvent(Engine& engine, const std::string& userId, const std::string& itemId,
                                 store::EventType type);

}  // namespace recdeck::serving

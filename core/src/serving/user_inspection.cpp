#include "recdeck/serving/user_inspection.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "recdeck/common/stopwatch.h"
#include "recdeck/serving/model_choice.h"
#include "recdeck/serving/most_active_users.h"

namespace recdeck::serving {

namespace {

std::vector<std::string> categoryNames(const data::Catalog& catalog, data::Index item) {
    std::vector<std::string> names;
    if (item >= catalog.size()) return names;
    for (data::Index category : catalog.info(item).categories) names.push_back(catalog.categories().id(category));
    return names;
}

void describeItem(const data::Dataset* dataset, HistoryRow& row) {
    if (!dataset || row.itemId.empty()) return;
    const auto item = dataset->catalog.items().find(row.itemId);
    if (!item) return;
    row.title = std::string(dataset->catalog.displayName(*item));
    row.categories = categoryNames(dataset->catalog, *item);
}

}  // namespace

Answer recommendFor(Engine& engine, const std::string& userId, const std::string& model, std::size_t n) {
    RecommendationRequest request;
    request.userId = userId;
    request.n = n;
    request.model = model;
    request.recordImpression = false;
    Answer answer;
    auto result = engine.recommend(request);
    if (result) {
        answer.recommendation = std::move(*result);
    } else {
        answer.error = result.errorMessage();
    }
    return answer;
}

UserInspection inspectUser(Engine& engine, const InspectionRequest& request) {
    UserInspection out;
    out.userId = request.userId;
    out.atMs = unixMillis();

    RecommendationRequest recommend;
    recommend.userId = request.userId;
    recommend.n = request.n;
    recommend.model = request.model;
    recommend.bypassCache = request.bypassCache;
    recommend.recordImpression = false;
    if (auto result = engine.recommend(recommend)) {
        out.answer.recommendation = std::move(*result);
    } else {
        out.answer.error = result.errorMessage();
    }

    auto view = engine.user(request.userId, request.historyLimit);
    if (!view) {
        out.error = view.errorMessage();
        return out;
    }
    out.features = std::move(view->features);

    const auto snapshot = engine.snapshot();
    const data::Dataset* dataset = snapshot && snapshot->dataset ? snapshot->dataset.get() : nullptr;
    for (auto it = view->history.rbegin(); it != view->history.rend(); ++it) {
        HistoryRow row;
        row.atMs = it->timestampMs;
        row.type = std::string(store::eventTypeName(it->type));
        row.itemId = it->itemId;
        if (it->type == store::EventType::Impression) {
            row.title = std::to_string(it->items.size()) + (it->items.size() == 1 ? " item shown" : " items shown");
        } else {
            row.title = it->itemId;
            describeItem(dataset, row);
        }
        out.history.push_back(std::move(row));
    }
    out.eventRows = out.history.size();

    // The training interactions, newest first, up to the limit.
    if (dataset && snapshot->matrix && out.features.trainedUser &&
        *out.features.trainedUser < snapshot->matrix->userCount()) {
        const auto user = *out.features.trainedUser;
        const auto items = snapshot->matrix->itemsOf(user);
        const auto stamps = snapshot->matrix->timestampsOf(user);
        std::vector<std::size_t> order(items.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return stamps[a] != stamps[b] ? stamps[a] > stamps[b] : items[a] < items[b];
        });
        if (order.size() > request.historyLimit) order.resize(request.historyLimit);
        std::vector<HistoryRow> training;
        for (std::size_t i : order) {
            HistoryRow row;
            row.atMs = stamps[i] * 1000;  // the matrix keeps seconds
            row.type = "training";
            row.itemId = dataset->catalog.items().id(items[i]);
            row.title = std::string(dataset->catalog.displayName(items[i]));
            row.categories = categoryNames(dataset->catalog, items[i]);
            row.fromTraining = true;
            training.push_back(std::move(row));
        }
        out.trainingRows = training.size();
        // Events are newer than the training data; keep both newest first.
        std::vector<HistoryRow> merged;
        merged.reserve(out.history.size() + training.size());
        std::merge(std::make_move_iterator(out.history.begin()), std::make_move_iterator(out.history.end()),
                   std::make_move_iterator(training.begin()), std::make_move_iterator(training.end()),
                   std::back_inserter(merged),
                   [](const HistoryRow& a, const HistoryRow& b) { return a.atMs > b.atMs; });
        out.history = std::move(merged);
    }
    return out;
}

std::string firstViewUser(Engine& engine, const ServingSnapshot& snapshot) {
    const std::vector<std::string> users = mostActiveUsers(snapshot, SIZE_MAX);
    for (const std::string& id : users) {
        const auto choice = chooseModel(engine, id);
        if (choice && choice->model && choice->model->model && choice->model->model->kind() != "popularity") return id;
    }
    return users.empty() ? std::string() : users.front();
}

Result<std::int64_t> recordEvent(Engine& engine, const std::string& userId, const std::string& itemId,
                                 store::EventType type) {
    store::Event event;
    event.type = type;
    event.timestampMs = unixMillis();
    event.userId = userId;
    event.itemId = itemId;
    return engine.ingestAndWait({event});
}

}  // namespace recdeck::serving

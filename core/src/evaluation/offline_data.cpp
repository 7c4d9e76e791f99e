#include "recdeck/evaluation/offline_data.h"

#include <algorithm>
#include <exception>
#include <system_error>

#include <nlohmann/json.hpp>

#include "recdeck/common/stopwatch.h"
#include "recdeck/models/model_factory.h"

namespace recdeck::evaluation {

namespace fs = std::filesystem;

std::vector<std::string> OfflineData::trainUserIds() const {
    const auto& ids = dataset.users.ids();
    return {ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(trainUsers)};
}

std::vector<std::string> OfflineData::trainItemIds() const {
    const auto& ids = dataset.catalog.items().ids();
    return {ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(trainItems)};
}

std::optional<std::string> checkReadable(const fs::path& path) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) return path.string() + ": no such file";
    if (fs::is_directory(status)) return path.string() + ": is a directory, expected a file";
    return std::nullopt;
}

namespace {

Result<data::ImportReport> importChecked(const fs::path& path, data::Dataset& into, bool items) {
    if (auto problem = checkReadable(path)) return Error{*problem};
    try {
        return items ? data::importItems(path, into) : data::importInteractions(path, into);
    } catch (const std::exception& e) {
        // The importers report problems as values; this is memory exhaustion and the like.
        return Error{path.string() + ": could not be read (" + e.what() + ")"};
    }
}

}  // namespace

Result<std::unique_ptr<OfflineData>> loadOfflineData(const std::optional<fs::path>& train,
                                                     const std::optional<fs::path>& items) {
    auto data = std::make_unique<OfflineData>();
    if (train) {
        data->trainPath = *train;
        auto report = importChecked(*train, data->dataset, false);
        if (!report) return report.error();
        if (data->dataset.interactions.empty())
            return Error{train->string() + ": no interactions (expected at least one user,item row)"};
        data->trainReport = std::move(*report);
        data->trainRows = data->dataset.interactions.size();
        data->trainUsers = data->dataset.users.size();
        data->trainItems = data->dataset.catalog.size();
        data->matrix =
            data::InteractionMatrix::fromInteractions(data->dataset.interactions, data->trainUsers, data->trainItems);
    }
    if (items) {
        auto report = importChecked(*items, data->dataset, true);
        if (!report) return report.error();
        data->itemsReport = std::move(*report);
    }
    return data;
}

Result<std::pair<std::size_t, std::size_t>> importTest(OfflineData& data, const fs::path& test) {
    const std::size_t first = data.dataset.interactions.size();
    auto report = importChecked(test, data.dataset, false);
    if (!report) return report.error();
    return std::make_pair(first, data.dataset.interactions.size());
}

std::string describeImport(const fs::path& path, const data::ImportReport& report) {
    std::string line = path.filename().string() + ": " + data::formatName(report.format) + ", " +
                       std::to_string(report.rowsImported) + " rows";
    if (data::isInteractionsFormat(report.format)) {
        line += ", " + std::to_string(report.users) + " users, " + std::to_string(report.items) + " items";
    }
    if (!report.warningCounts.empty()) {
        line += "; warnings:";
        for (const auto& [kind, count] : report.warningCounts) line += " " + kind + " " + std::to_string(count);
        if (!report.warnings.empty()) line += " (first: " + report.warnings.front().message + ")";
    }
    return line;
}

Result<TrainedModel> trainModel(const OfflineData& data, const std::string& name) {
    TrainedModel trained;
    trained.name = name;
    trained.kind = name == "default" ? std::string(models::defaultModelKind(data.matrix)) : name;
    auto created = models::createModel(trained.kind, nlohmann::json::object(), data.trainItems);
    if (!created) return Error::invalid(created.errorMessage());
    trained.model = std::shared_ptr<models::Model>(std::move(*created));
    Stopwatch watch;
    Status status;
    try {
        status = trained.model->train(data.matrix, {});
    } catch (const std::exception& e) {
        status = Error{e.what()};
    }
    trained.trainSeconds = watch.elapsedSeconds();
    if (!status) return Error::internal("training '" + trained.kind + "' failed: " + status.errorMessage());
    return trained;
}

namespace {

// "" when equal, else what differs, naming the first differing position.
std::string compareIds(const char* what, const std::vector<std::string>& model, const std::vector<std::string>& train) {
    if (model == train) return {};
    const std::size_t common = std::min(model.size(), train.size());
    std::size_t i = 0;
    while (i < common && model[i] == train[i]) ++i;
    std::string text = std::string(what) + ": the model has " + std::to_string(model.size()) + ", TRAIN has " +
                       std::to_string(train.size());
    if (i < common)
        text += "; #" + std::to_string(i + 1) + " is '" + model[i] + "' in the model, '" + train[i] + "' in TRAIN";
    return text;
}

}  // namespace

Result<TrainedModel> loadModelFile(const OfflineData& data, const fs::path& path) {
    if (auto problem = checkReadable(path)) return Error::invalid(*problem);
    auto file = models::ModelFile::load(path);
    if (!file) return Error::invalid(file.errorMessage());
    std::string mismatch = compareIds("items", file->itemIds, data.trainItemIds());
    if (mismatch.empty()) mismatch = compareIds("users", file->userIds, data.trainUserIds());
    if (!mismatch.empty()) {
        Error error =
            Error::invalid(path.string() + ": was not trained on " + data.trainPath.string() + " (" + mismatch + ")");
        error.reason = kOtherTrainingData;
        return error;
    }
    TrainedModel trained;
    trained.model = std::move(file->model);
    trained.kind = std::string(trained.model->kind());
    const auto& meta = file->metadata;
    trained.name = meta.is_object() && meta.contains("model") && meta["model"].is_string()
                       ? meta["model"].get<std::string>()
                       : trained.kind;
    if (meta.is_object() && meta.contains("training_seconds") && meta["training_seconds"].is_number()) {
        trained.trainSeconds = meta["training_seconds"].get<double>();
    }
    return trained;
}

}  // namespace recdeck::evaluation

#pragma once
// The inputs of offline evaluation (recdeckd's train, recommend-batch and eval), loaded into
// one data::Dataset so that TRAIN, ITEMS, TEST and a recommendations file share one id
// space. TRAIN is always imported first, so its users and items take the indices
// [0, trainUsers) and [0, trainItems) in first-appearance order: that is the order
// recommend-batch writes users in, and the column space models train on (items known only
// from ITEMS or TEST are never recommended). Files are imported with the core importers,
// which fail with "path:line: what was expected".

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/data/dataset.h"
#include "recdeck/data/importer.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/models/model.h"
#include "recdeck/models/model_file.h"

namespace recdeck::evaluation {

struct OfflineData {
    data::Dataset dataset;
    std::filesystem::path trainPath;
    std::size_t trainRows = 0;   // dataset.interactions[0, trainRows) are TRAIN's rows
    std::size_t trainUsers = 0;  // users [0, trainUsers) appear in TRAIN
    std::size_t trainItems = 0;  // items [0, trainItems) appear in TRAIN
    std::optional<data::ImportReport> trainReport;
    std::optional<data::ImportReport> itemsReport;
    data::InteractionMatrix matrix;  // trainUsers x trainItems (empty without TRAIN)

    bool hasTrain() const { return trainReport.has_value(); }
    // Interactions imported after TRAIN (TEST's rows once importTest ran).
    std::size_t rowCount() const { return dataset.interactions.size(); }
    std::vector<std::string> trainUserIds() const;
    std::vector<std::string> trainItemIds() const;
};

// "FILE: no such file" (or "is a directory") before an importer sees the path; empty when
// the path names a regular file (or something the importer can open, such as a FIFO).
std::optional<std::string> checkReadable(const std::filesystem::path& path);

// Imports TRAIN (optional for `eval --recs`) and then ITEMS (optional). Errors are bad input.
Result<std::unique_ptr<OfflineData>> loadOfflineData(const std::optional<std::filesystem::path>& train,
                                                     const std::optional<std::filesystem::path>& items);

// Appends TEST's rows to the dataset; returns [first, end) of them in dataset.interactions.
Result<std::pair<std::size_t, std::size_t>> importTest(OfflineData& data, const std::filesystem::path& test);

// One line per file: "train.csv: MovieLens ratings.csv, 100836 rows, 610 users, 9724
// items; warnings: duplicate_row 2". For stderr.
std::string describeImport(const std::filesystem::path& path, const data::ImportReport& report);

struct TrainedModel {
    std::shared_ptr<models::Model> model;
    std::string name;  // as asked for: "default", "als", ...
    std::string kind;  // what it resolved to: "blend", "als", ...
    double trainSeconds = 0.0;
};

// Creates (`default` resolves with models::defaultModelKind(matrix)) and trains a model on
// the TRAIN matrix. An unknown name is Invalid (the factory's message); a training failure
// Internal.
Result<TrainedModel> trainModel(const OfflineData& data, const std::string& name);

// Why loadModelFile refused a file that is a model but was trained on other data
// (Error::reason), so a command can say how to make one that fits.
inline constexpr const char* kOtherTrainingData = "other_training_data";

// Loads a ModelFile and checks that it was trained on the same TRAIN (the same user and
// item ids in the same order; else the reason is kOtherTrainingData). The name is the
// one the file was saved under, else its kind. Every refusal is Invalid.
Result<TrainedModel> loadModelFile(const OfflineData& data, const std::filesystem::path& path);

}  // namespace recdeck::evaluation

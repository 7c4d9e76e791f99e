#pragma once
// HeldOutTruth: ground truth from the held-out part of a real dataset. The service is
// trained on the train part; a persona (a user with held-out rows) "likes" exactly the
// items of their held-out part, the same relevance offline evaluation uses.
//
//   clickProbability    = (liked ? likedClick : baseClick) * positionAttention(position, decay)
//   purchaseProbability =  liked ? likedPurchase : basePurchase
//
// Defaults: a liked item shown on top is clicked 30% of the time, anything else 2% (the
// curiosity of a user browsing); a clicked liked item is bought 30% of the time, another
// one 5%. The base rate keeps popular-but-unliked lists from scoring zero, so CTR orders
// lists the way hit rate does without being identical to it.
//
// Also here: loading and splitting a dataset for such a run, and writing a split's train
// part as a CSV file a service can import (`recdeckd serve --dataset TRAIN.csv`).
//
// Thread safety: HeldOutTruth is immutable once built; the functions are reentrant.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/data/dataset.h"
#include "recdeck/data/split.h"
#include "recdeck/sim/ground_truth.h"

namespace recdeck::sim {

struct HeldOutParams {
    double positionDecay = kDefaultPositionDecay;  // (0, 1]
    double likedClick = 0.30;
    double baseClick = 0.02;
    double likedPurchase = 0.30;
    double basePurchase = 0.05;
};

class HeldOutTruth final : public GroundTruth {
public:
    // Personas are the users with at least one row in `heldOut`, in index order. Copies
    // what it needs; `dataset` need not outlive it.
    HeldOutTruth(const data::Dataset& dataset, std::span<const data::Interaction> heldOut, HeldOutParams params = {},
                 std::string source = {});

    std::size_t personaCount() const override { return m_personaIds.size(); }
    const std::string& personaId(std::size_t persona) const override { return m_personaIds[persona]; }
    double clickProbability(std::size_t persona, std::string_view item, std::size_t position) const override;
    double purchaseProbability(std::size_t persona, std::string_view item) const override;
    std::string describe() const override;

    // Whether `item` is one of the persona's held-out items.
    bool likes(std::size_t persona, std::string_view item) const;
    // Number of held-out items of a persona.
    std::size_t likedCount(std::size_t persona) const;

private:
    HeldOutParams m_params;
    std::string m_source;
    data::IdMap m_items;  // item id -> index (the dataset's numbering)
    std::vector<std::string> m_personaIds;
    std::vector<std::vector<data::Index>> m_liked;  // per persona, sorted
};

// A dataset and its per-user stratified split (data::stratifiedSplit).
struct HeldOutData {
    std::shared_ptr<const data::Dataset> dataset;
    data::Split split;
};

// Imports `interactions` (and optionally an items file), then splits it: testFraction in
// (0, 1), deterministic for `seed`. Import errors come back as "file:line: ...".
Result<HeldOutData> loadHeldOut(const std::filesystem::path& interactions, const std::filesystem::path& items,
                                double testFraction, std::uint64_t seed, const TaskControl& control = {});

// Writes rows as CSV `user,item,rating,timestamp` with a header (ids quoted per RFC 4180
// when needed), readable by data::importInteractions. Creates or replaces the file.
Status writeInteractionsCsv(const std::filesystem::path& path, const data::Dataset& dataset,
                            std::span<const data::Interaction> rows);

}  // namespace recdeck::sim

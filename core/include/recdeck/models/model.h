#pragma once
// Model: the one interface every recommender implements. Batch-first: a model scores
// every item of its catalog for one user at once (a dense vector), and the base class
// turns scores into a top-k list with exclusions. Implementers write train(), scoreAll()
// and the save/load of their parameters.
//
// Thread safety: after train() or load() returns, a model is immutable and scoreAll()
// may be called concurrently from any number of threads.

#include <cstddef>
#include <istream>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/data/interaction_matrix.h"

namespace recdeck::models {

using data::Index;

// Who is being scored. `history` is every item the user has interacted with (possibly
// including events newer than training), in any order; duplicates and indices outside the
// model's catalog are ignored. `trainedUser` is the user's row in the training matrix when
// the model saw them. Neighbourhood models (itemknn, ease) score from `history` alone;
// factor models (als) use the trained factors when `history` is empty or equals the
// training row, and fold the user in from `history` otherwise. A user with neither gets a
// popularity-like cold-start ranking. The span must outlive the call.
struct UserContext {
    std::optional<Index> trainedUser;
    std::span<const Index> history;
};

struct ScoredItem {
    Index item = data::kNoIndex;
    float score = 0.0F;
    friend bool operator==(const ScoredItem&, const ScoredItem&) = default;
};

class Model {
public:
    virtual ~Model() = default;

    // Stable kind name: "popularity", "itemknn", "als", "ease".
    virtual std::string_view kind() const = 0;
    // Hyper-parameters as JSON (for the registry, the console and model files).
    virtual nlohmann::json params() const = 0;

    // Learns from the matrix. Returns Error::cancelled() if control.stop was requested.
    virtual Status train(const data::InteractionMatrix& interactions, const TaskControl& control) = 0;
    bool trained() const { return itemCount() > 0; }
    // Number of items scored (the training matrix's column count).
    virtual std::size_t itemCount() const = 0;

    // Writes a score for every item into out (out.size() == itemCount()); higher is
    // better. Items the model cannot score get -infinity.
    virtual void scoreAll(const UserContext& user, std::span<float> out) const = 0;

    // The history item that most supports recommending `item` ("Because you liked ..."),
    // if the model can tell. Default: none.
    virtual std::optional<Index> explain(const UserContext& user, Index item) const;
    // What the last train() decided on its own (a self-tuned hyper-parameter), one line
    // for logs and reports; empty when there is nothing to say.
    virtual std::string trainingNote() const { return {}; }

    // Parameters only (no ids); ModelFile adds the header, ids and format version.
    virtual void saveParameters(std::ostream& out) const = 0;
    virtual Status loadParameters(std::istream& in) = 0;

    // Top k items by score, best first, skipping items in `exclude` (sorted ascending)
    // and items scored -infinity or NaN. Ties break by lower index, so results are
    // deterministic. Fewer than k items come back when fewer are eligible.
    std::vector<ScoredItem> recommend(const UserContext& user, std::size_t k, std::span<const Index> exclude) const;
};

// Selects the k best of `scores` (skipping sorted `exclude`, -inf and NaN), best first,
// ties by lower index. O(n log k) time, O(k) memory.
std::vector<ScoredItem> topK(std::span<const float> scores, std::size_t k, std::span<const Index> exclude = {});

}  // namespace recdeck::models

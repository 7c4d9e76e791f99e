#pragma once
// EaseModel: Embarrassingly Shallow AutoEncoder (Steck 2019). Closed form:
//   P = (XᵀX + λI)⁻¹,  B = I - P · diagMat(1 / diag(P)),  diag(B) = 0,
// score(user, j) = sum over history items h of B(h, j). Solved with a Cholesky (LLT)
// factorisation in double, stored as dense float.
//
// Cost is cubic in the vocabulary (time) and quadratic (memory: ~4 n² bytes stored,
// ~16 n² bytes while training), so the vocabulary is the `maxItems` items with the most
// interactions; other items score -infinity. With restrictVocabulary = false, training a
// matrix with more than maxItems interacted items fails instead.
//
// Thread safety: as Model (immutable after train/load).

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "recdeck/models/model.h"

namespace recdeck::models {

struct EaseParams {
    double lambda = 400.0;           // L2 regularisation, > 0
    std::size_t maxItems = 4000;     // vocabulary cap, >= 1 (~4 n² bytes stored)
    bool restrictVocabulary = true;  // false: refuse catalogs above the cap
    unsigned threads = 0;            // 0 = all hardware threads
};

class EaseModel final : public Model {
public:
    static constexpr std::size_t kDefaultMaxItems = EaseParams{}.maxItems;
    using WeightMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    explicit EaseModel(EaseParams params = {}) : m_params(params) {}

    std::string_view kind() const override { return "ease"; }
    nlohmann::json params() const override;
    static Result<EaseParams> parseParams(const nlohmann::json& json);

    // Cancellation is checked between stages and between blocks of the inversion (the
    // factorisation itself is one uninterruptible step).
    Status train(const data::InteractionMatrix& interactions, const TaskControl& control) override;
    std::size_t itemCount() const override { return m_popularity.size(); }
    void scoreAll(const UserContext& user, std::span<float> out) const override;
    // The history item with the largest positive weight towards the item.
    std::optional<Index> explain(const UserContext& user, Index item) const override;
    void saveParameters(std::ostream& out) const override;
    Status loadParameters(std::istream& in) override;

    // Items the model can score (ascending item indices).
    const std::vector<Index>& vocabulary() const { return m_vocabulary; }
    // B(a, b) for two vocabulary items (0 otherwise).
    float weight(Index a, Index b) const;

private:
    void buildLookup();

    EaseParams m_params;
    std::vector<std::uint32_t> m_popularity;  // per item (cold start)
    std::vector<Index> m_vocabulary;          // vocabulary position -> item
    std::vector<std::int32_t> m_position;     // item -> vocabulary position, -1 if outside
    WeightMatrix m_weights;                   // row h = B(h, ·) over the vocabulary
};

}  // namespace recdeck::models

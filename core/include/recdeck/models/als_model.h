#pragma once
// AlsModel: implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008). Every
// observed (user, item) pair has preference 1 and confidence 1 + alpha * r (r = the
// number of raw interactions of the pair); unobserved pairs preference 0, confidence 1.
// Alternating least squares with the conjugate-gradient row update of Takacs et al.
// (a few CG steps warm-started from the previous factors, using the precomputed YᵀY), in
// parallel over rows. Factors are float. A user whose history differs from training (or
// who was never trained) is folded in from the history by an exact small solve.
//
// Thread safety: as Model (immutable after train/load). Training is deterministic for a
// given seed, whatever the thread count.

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "recdeck/models/model.h"

namespace recdeck::models {

struct AlsParams {
    std::size_t factors = 64;      // latent dimensions, >= 1
    std::size_t iterations = 15;   // alternating sweeps (users then items), >= 1
    double regularization = 60.0;  // L2 weight on every factor row, > 0
    double alpha = 8.0;            // confidence slope, >= 0
    std::size_t cgSteps = 3;       // conjugate-gradient steps per row update, >= 1
    std::uint64_t seed = 42;       // initial factors
    unsigned threads = 0;          // 0 = all hardware threads
};

class AlsModel final : public Model {
public:
    using FactorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    explicit AlsModel(AlsParams params = {}) : m_params(params) {}

    std::string_view kind() const override { return "als"; }
    nlohmann::json params() const override;
    static Result<AlsParams> parseParams(const nlohmann::json& json);

    // Reports progress once per iteration ("iteration 3/15"); checks cancellation between
    // half-sweeps.
    Status train(const data::InteractionMatrix& interactions, const TaskControl& control) override;
    std::size_t itemCount() const override { return static_cast<std::size_t>(m_itemFactors.rows()); }
    std::size_t userCount() const { return static_cast<std::size_t>(m_userFactors.rows()); }
    void scoreAll(const UserContext& user, std::span<float> out) const override;
    // The history item whose factors point most nearly the same way as the item's.
    std::optional<Index> explain(const UserContext& user, Index item) const override;
    void saveParameters(std::ostream& out) const override;
    Status loadParameters(std::istream& in) override;

    // The user's latent vector as scoreAll uses it (trained, folded in, or cold start).
    Eigen::VectorXf userVector(const UserContext& user) const;
    // Solves the user's factors from a history alone (exact least squares).
    Eigen::VectorXf foldIn(std::span<const Index> history) const;
    const FactorMatrix& userFactors() const { return m_userFactors; }
    const FactorMatrix& itemFactors() const { return m_itemFactors; }

private:
    void prepareServing();

    AlsParams m_params;
    FactorMatrix m_userFactors;                       // users x factors
    FactorMatrix m_itemFactors;                       // items x factors
    std::vector<std::uint64_t> m_trainedHistoryHash;  // per user, to detect changed histories
    Eigen::MatrixXf m_gram;                           // YᵀY (no regularisation), for fold-in
    Eigen::VectorXf m_meanUser;                       // cold-start vector
};

}  // namespace recdeck::models

#include "recdeck/models/als_model.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string>

#include <Eigen/Cholesky>
#include <nlohmann/json.hpp>

#include "binary_io.h"
#include "history.h"
#include "item_users.h"
#include "params_json.h"
#include "recdeck/common/parallel.h"
#include "recdeck/common/random.h"

namespace recdeck::models {

namespace {

using FactorMatrix = AlsModel::FactorMatrix;

// One side of the alternation: for each row r of `target`, given the fixed factors
// `fixed` (with gram = fixedᵀ fixed + reg I), runs `steps` CG iterations on
//   (gram + sum_i (c_ri - 1) f_i f_iᵀ) x = sum_i c_ri f_i
// starting from the current row (implicit's "conjugate gradient" solver).
template <typename RowItems, typename RowCounts>
void updateRows(FactorMatrix& target, const FactorMatrix& fixed, const Eigen::MatrixXf& gram, float alpha,
                std::size_t steps, unsigned threads, RowItems rowItems, RowCounts rowCounts) {
    const auto factors = target.cols();
    parallelFor(
        static_cast<std::size_t>(target.rows()),
        [&](std::size_t begin, std::size_t end) {
            Eigen::VectorXf x(factors), r(factors), p(factors), ap(factors);
            for (std::size_t row = begin; row < end; ++row) {
                const auto items = rowItems(row);
                const auto counts = rowCounts(row);
                x = target.row(static_cast<Eigen::Index>(row)).transpose();
                // r = b - A x
                r.noalias() = -gram * x;
                for (std::size_t k = 0; k < items.size(); ++k) {
                    const auto f = fixed.row(static_cast<Eigen::Index>(items[k])).transpose();
                    const float confidence = 1.0F + alpha * static_cast<float>(counts[k]);
                    r += (confidence - (confidence - 1.0F) * f.dot(x)) * f;
                }
                p = r;
                float rsOld = r.squaredNorm();
                if (rsOld < 1e-20F) continue;
                for (std::size_t step = 0; step < steps; ++step) {
                    ap.noalias() = gram * p;
                    for (std::size_t k = 0; k < items.size(); ++k) {
                        const auto f = fixed.row(static_cast<Eigen::Index>(items[k])).transpose();
                        ap += (alpha * static_cast<float>(counts[k]) * f.dot(p)) * f;
                    }
                    const float pAp = p.dot(ap);
                    if (!(pAp > 0.0F)) break;
                    const float stepSize = rsOld / pAp;
                    x += stepSize * p;
                    r -= stepSize * ap;
                    const float rsNew = r.squaredNorm();
                    if (rsNew < 1e-20F) break;
                    p = r + (rsNew / rsOld) * p;
                    rsOld = rsNew;
                }
                target.row(static_cast<Eigen::Index>(row)) = x.transpose();
            }
        },
        threads);
}

Eigen::MatrixXf gramOf(const FactorMatrix& m) {
    Eigen::MatrixXf gram = Eigen::MatrixXf::Zero(m.cols(), m.cols());
    gram.selfadjointView<Eigen::Lower>().rankUpdate(m.transpose());
    return gram.selfadjointView<Eigen::Lower>();
}

}  // namespace

nlohmann::json AlsModel::params() const {
    return {
        {"factors", m_params.factors}, {"iterations", m_params.iterations}, {"regularization", m_params.regularization},
        {"alpha", m_params.alpha},     {"cg_steps", m_params.cgSteps},      {"seed", m_params.seed},
        {"threads", m_params.threads}};
}

Result<AlsParams> AlsModel::parseParams(const nlohmann::json& json) {
    AlsParams p;
    detail::ParamReader reader("als", json);
    reader.onlyKeys({"factors", "iterations", "regularization", "alpha", "cg_steps", "seed", "threads"});
    reader.number("factors", p.factors, 1, 4096);
    reader.number("iterations", p.iterations, 1, 10000);
    reader.number("regularization", p.regularization, 1e-9, 1e9);
    reader.number("alpha", p.alpha, 0.0, 1e9);
    reader.number("cg_steps", p.cgSteps, 1, 4096);
    reader.number("seed", p.seed, 0, 9007199254740992.0);
    reader.number("threads", p.threads, 0, 1024);
    if (!reader.ok()) return reader.error();
    return p;
}

Status AlsModel::train(const data::InteractionMatrix& interactions, const TaskControl& control) {
    const auto users = static_cast<Eigen::Index>(interactions.userCount());
    const auto items = static_cast<Eigen::Index>(interactions.itemCount());
    const auto factors = static_cast<Eigen::Index>(m_params.factors);
    const detail::ItemUsers byItem(interactions);

    // Small zero-mean Gaussian initial factors from the portable generator. Zero mean
    // matters: all-positive starts point every vector the same way, and with strong
    // regularisation the few CG steps per sweep then stay near that popularity-only
    // solution.
    SplitMix64 rng(m_params.seed);
    const float scale = 0.01F;
    FactorMatrix userFactors(users, factors);
    FactorMatrix itemFactors(items, factors);
    for (Eigen::Index r = 0; r < users; ++r)
        for (Eigen::Index c = 0; c < factors; ++c) userFactors(r, c) = scale * static_cast<float>(rng.normal());
    for (Eigen::Index r = 0; r < items; ++r)
        for (Eigen::Index c = 0; c < factors; ++c) itemFactors(r, c) = scale * static_cast<float>(rng.normal());

    const auto reg = static_cast<float>(m_params.regularization);
    const auto alpha = static_cast<float>(m_params.alpha);
    const Eigen::MatrixXf regI = reg * Eigen::MatrixXf::Identity(factors, factors);
    for (std::size_t iteration = 0; iteration < m_params.iterations; ++iteration) {
        if (control.cancelled()) return Error::cancelled();
        updateRows(
            userFactors, itemFactors, gramOf(itemFactors) + regI, alpha, m_params.cgSteps, m_params.threads,
            [&](std::size_t u) { return interactions.itemsOf(static_cast<Index>(u)); },
            [&](std::size_t u) { return interactions.countsOf(static_cast<Index>(u)); });
        if (control.cancelled()) return Error::cancelled();
        updateRows(
            itemFactors, userFactors, gramOf(userFactors) + regI, alpha, m_params.cgSteps, m_params.threads,
            [&](std::size_t i) { return byItem.usersOf(static_cast<Index>(i)); },
            [&](std::size_t i) { return byItem.countsOf(static_cast<Index>(i)); });
        control.report(static_cast<double>(iteration + 1) / static_cast<double>(m_params.iterations),
                       "iteration " + std::to_string(iteration + 1) + "/" + std::to_string(m_params.iterations));
    }

    m_trainedHistoryHash.resize(static_cast<std::size_t>(users));
    for (std::size_t u = 0; u < interactions.userCount(); ++u) {
        m_trainedHistoryHash[u] = detail::historyHash(interactions.itemsOf(static_cast<Index>(u)));
    }
    m_userFactors = std::move(userFactors);
    m_itemFactors = std::move(itemFactors);
    prepareServing();
    return {};
}

void AlsModel::prepareServing() {
    m_gram = gramOf(m_itemFactors);
    m_meanUser = m_userFactors.rows() > 0 ? Eigen::VectorXf(m_userFactors.colwise().mean().transpose())
                                          : Eigen::VectorXf::Zero(m_itemFactors.cols());
}

Eigen::VectorXf AlsModel::foldIn(std::span<const Index> history) const {
    std::vector<Index> scratch;
    const auto clean = detail::cleanHistory(history, itemCount(), scratch);
    if (clean.empty()) return m_meanUser;
    const auto factors = m_itemFactors.cols();
    const auto alpha = static_cast<float>(m_params.alpha);
    Eigen::MatrixXf a = m_gram;
    a.diagonal().array() += static_cast<float>(m_params.regularization);
    Eigen::VectorXf b = Eigen::VectorXf::Zero(factors);
    for (Index item : clean) {
        const auto f = m_itemFactors.row(static_cast<Eigen::Index>(item)).transpose();
        a.selfadjointView<Eigen::Lower>().rankUpdate(f, alpha);
        b += (1.0F + alpha) * f;
    }
    return a.selfadjointView<Eigen::Lower>().llt().solve(b);
}

Eigen::VectorXf AlsModel::userVector(const UserContext& user) const {
    if (user.trainedUser && *user.trainedUser < userCount()) {
        const Index u = *user.trainedUser;
        bool asTrained = user.history.empty();
        if (!asTrained) {
            std::vector<Index> scratch;
            asTrained = detail::historyHash(detail::cleanHistory(user.history, itemCount(), scratch)) ==
                        m_trainedHistoryHash[u];
        }
        if (asTrained) return m_userFactors.row(static_cast<Eigen::Index>(u)).transpose();
    }
    return foldIn(user.history);
}

void AlsModel::scoreAll(const UserContext& user, std::span<float> out) const {
    assert(out.size() == itemCount());
    const Eigen::VectorXf x = userVector(user);
    Eigen::Map<Eigen::VectorXf> scores(out.data(), static_cast<Eigen::Index>(out.size()));
    scores.noalias() = m_itemFactors * x;
}

std::optional<Index> AlsModel::explain(const UserContext& user, Index item) const {
    if (item >= itemCount()) return std::nullopt;
    std::vector<Index> scratch;
    const auto target = m_itemFactors.row(static_cast<Eigen::Index>(item));
    const float targetNorm = target.norm();
    std::optional<Index> best;
    float bestCosine = 0.0F;
    for (Index h : detail::cleanHistory(user.history, itemCount(), scratch)) {
        if (h == item) continue;
        const auto f = m_itemFactors.row(static_cast<Eigen::Index>(h));
        const float denominator = f.norm() * targetNorm;
        if (denominator <= 0.0F) continue;
        const float cosine = f.dot(target) / denominator;
        if (cosine > bestCosine) {
            bestCosine = cosine;
            best = h;
        }
    }
    return best;
}

void AlsModel::saveParameters(std::ostream& out) const {
    detail::BinaryWriter writer(out);
    writer.u64(static_cast<std::uint64_t>(m_itemFactors.cols()));
    writer.u64(static_cast<std::uint64_t>(m_userFactors.rows()));
    writer.u64(static_cast<std::uint64_t>(m_itemFactors.rows()));
    writer.array(std::span<const float>(m_userFactors.data(), static_cast<std::size_t>(m_userFactors.size())));
    writer.array(std::span<const float>(m_itemFactors.data(), static_cast<std::size_t>(m_itemFactors.size())));
    writer.array(std::span<const std::uint64_t>(m_trainedHistoryHash));
}

Status AlsModel::loadParameters(std::istream& in) {
    detail::BinaryReader reader(in, "als parameters");
    std::uint64_t factors = 0, users = 0, items = 0;
    if (!reader.u64(factors, "factor count") || !reader.u64(users, "user count") || !reader.u64(items, "item count")) {
        return Error{reader.error()};
    }
    if (factors == 0 || factors > 4096 || users > (1ULL << 40) || items > (1ULL << 40)) {
        return Error{"als parameters: implausible shape " + std::to_string(users) + " users x " +
                     std::to_string(items) + " items x " + std::to_string(factors) + " factors (corrupted)"};
    }
    std::vector<float> userValues, itemValues;
    std::vector<std::uint64_t> hashes;
    if (!reader.array(userValues, "user factors", users * factors) ||
        !reader.array(itemValues, "item factors", items * factors) || !reader.array(hashes, "history hashes", users)) {
        return Error{reader.error()};
    }
    for (float v : userValues)
        if (!std::isfinite(v)) return Error{"als parameters: non-finite user factor (corrupted)"};
    for (float v : itemValues)
        if (!std::isfinite(v)) return Error{"als parameters: non-finite item factor (corrupted)"};
    const auto f = static_cast<Eigen::Index>(factors);
    m_userFactors = Eigen::Map<const FactorMatrix>(userValues.data(), static_cast<Eigen::Index>(users), f);
    m_itemFactors = Eigen::Map<const FactorMatrix>(itemValues.data(), static_cast<Eigen::Index>(items), f);
    m_trainedHistoryHash = std::move(hashes);
    m_params.factors = static_cast<std::size_t>(factors);
    prepareServing();
    return {};
}

}  // namespace recdeck::models

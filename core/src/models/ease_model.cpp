#include "recdeck/models/ease_model.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

#include <Eigen/Cholesky>
#include <nlohmann/json.hpp>

#include "binary_io.h"
#include "history.h"
#include "item_users.h"
#include "params_json.h"
#include "recdeck/common/parallel.h"

namespace recdeck::models {

nlohmann::json EaseModel::params() const {
    return {{"lambda", m_params.lambda},
            {"max_items", m_params.maxItems},
            {"restrict_vocabulary", m_params.restrictVocabulary},
            {"threads", m_params.threads}};
}

Result<EaseParams> EaseModel::parseParams(const nlohmann::json& json) {
    EaseParams p;
    detail::ParamReader reader("ease", json);
    reader.onlyKeys({"lambda", "max_items", "restrict_vocabulary", "threads"});
    reader.number("lambda", p.lambda, 1e-9, 1e12);
    reader.number("max_items", p.maxItems, 1, 100000);
    reader.boolean("restrict_vocabulary", p.restrictVocabulary);
    reader.number("threads", p.threads, 0, 1024);
    if (!reader.ok()) return reader.error();
    return p;
}

Status EaseModel::train(const data::InteractionMatrix& interactions, const TaskControl& control) {
    const std::size_t items = interactions.itemCount();
    const detail::ItemUsers byItem(interactions);
    std::vector<std::uint32_t> popularity(items);
    for (std::size_t i = 0; i < items; ++i)
        popularity[i] = static_cast<std::uint32_t>(byItem.degree(static_cast<Index>(i)));

    // Vocabulary: interacted items, most popular first, capped.
    std::vector<Index> ranked;
    for (std::size_t i = 0; i < items; ++i)
        if (popularity[i] > 0) ranked.push_back(static_cast<Index>(i));
    if (ranked.size() > m_params.maxItems) {
        if (!m_params.restrictVocabulary) {
            return Error{"ease: " + std::to_string(ranked.size()) + " items have interactions, above the cap of " +
                         std::to_string(m_params.maxItems) +
                         " (training time grows with the cube of the item count); raise 'max_items', set "
                         "'restrict_vocabulary' to true, or use als"};
        }
        std::stable_sort(ranked.begin(), ranked.end(), [&](Index a, Index b) { return popularity[a] > popularity[b]; });
        ranked.resize(m_params.maxItems);
        std::sort(ranked.begin(), ranked.end());
    }
    const std::size_t n = ranked.size();
    std::vector<std::int32_t> position(items, -1);
    for (std::size_t v = 0; v < n; ++v) position[ranked[v]] = static_cast<std::int32_t>(v);
    const unsigned threads = m_params.threads == 0 ? defaultThreadCount() : m_params.threads;
    const auto nn = static_cast<Eigen::Index>(n);

    // Gram matrix G = XᵀX over the vocabulary, one column per vocabulary item, built
    // sparsely from co-occurrences; each worker writes only its own columns.
    control.report(0.0, "co-occurrences");
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(nn, nn);
    parallelFor(
        n,
        [&](std::size_t begin, std::size_t end) {
            for (std::size_t v = begin; v < end && !control.cancelled(); ++v) {
                double* column = gram.data() + static_cast<std::ptrdiff_t>(v) * nn;
                for (Index user : byItem.usersOf(ranked[v])) {
                    for (Index j : interactions.itemsOf(user)) {
                        const std::int32_t w = position[j];
                        if (w >= 0) column[w] += 1.0;
                    }
                }
            }
        },
        threads);
    if (control.cancelled()) return Error::cancelled();
    gram.diagonal().array() += m_params.lambda;

    control.report(0.1, "factorising");
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>> llt(gram);  // in place: gram now holds L
    if (llt.info() != Eigen::Success) return Error{"ease: XᵀX + λI is not positive definite; increase 'lambda'"};
    if (control.cancelled()) return Error::cancelled();

    // P = (LLᵀ)⁻¹, lower triangle only (P is symmetric), column block by column block.
    // For the block starting at column `first`, the right-hand side (identity columns)
    // is zero above row `first`, and rows >= first of the solution depend only on the
    // bottom-right corner of L: two triangular solves of size n - first, about 2n³/3
    // flops in total instead of 2n³ for a plain solve against the identity. Workers pull
    // blocks from a counter because their costs differ (the first ones are the largest).
    control.report(0.4, "inverting");
    Eigen::MatrixXd inverse(nn, nn);
    const std::size_t blockSize = 192;
    const std::size_t blocks = (n + blockSize - 1) / blockSize;
    std::atomic<std::size_t> nextBlock{0};
    parallelFor(
        threads,
        [&](std::size_t, std::size_t) {
            for (;;) {
                if (control.cancelled()) return;
                const std::size_t b = nextBlock.fetch_add(1, std::memory_order_relaxed);
                if (b >= blocks) return;
                const auto first = static_cast<Eigen::Index>(b * blockSize);
                const auto width = std::min<Eigen::Index>(static_cast<Eigen::Index>(blockSize), nn - first);
                const auto rows = nn - first;
                auto block = inverse.block(first, first, rows, width);
                block.setZero();
                block.topRows(width).setIdentity();
                const auto lower = llt.matrixLLT().bottomRightCorner(rows, rows).triangularView<Eigen::Lower>();
                lower.solveInPlace(block);
                lower.adjoint().solveInPlace(block);
            }
        },
        threads);
    if (control.cancelled()) return Error::cancelled();

    // B(h, j) = -P(h, j) / P(j, j), read from the lower triangle of P.
    control.report(0.9, "weights");
    WeightMatrix weights(nn, nn);
    const Eigen::VectorXd diagonal = inverse.diagonal();
    parallelFor(
        n,
        [&](std::size_t begin, std::size_t end) {
            for (std::size_t h = begin; h < end; ++h) {
                const auto hh = static_cast<Eigen::Index>(h);
                for (Eigen::Index j = 0; j < hh; ++j)
                    weights(hh, j) = static_cast<float>(-inverse(hh, j) / diagonal[j]);
                weights(hh, hh) = 0.0F;
                for (Eigen::Index j = hh + 1; j < nn; ++j)
                    weights(hh, j) = static_cast<float>(-inverse(j, hh) / diagonal[j]);
            }
        },
        threads);

    m_popularity = std::move(popularity);
    m_vocabulary = std::move(ranked);
    m_weights = std::move(weights);
    buildLookup();
    control.report(1.0, "done");
    return {};
}

void EaseModel::buildLookup() {
    m_position.assign(m_popularity.size(), -1);
    for (std::size_t v = 0; v < m_vocabulary.size(); ++v) m_position[m_vocabulary[v]] = static_cast<std::int32_t>(v);
}

void EaseModel::scoreAll(const UserContext& user, std::span<float> out) const {
    assert(out.size() == itemCount());
    std::fill(out.begin(), out.end(), -std::numeric_limits<float>::infinity());
    std::vector<Index> scratch;
    const auto history = detail::cleanHistory(user.history, itemCount(), scratch);
    Eigen::VectorXf accumulated = Eigen::VectorXf::Zero(static_cast<Eigen::Index>(m_vocabulary.size()));
    bool any = false;
    for (Index h : history) {
        const std::int32_t v = m_position[h];
        if (v < 0) continue;
        accumulated += m_weights.row(v).transpose();
        any = true;
    }
    if (!any) {
        // Cold start (or a history entirely outside the vocabulary): popularity in [0, 1].
        std::uint32_t top = 1;
        for (Index item : m_vocabulary) top = std::max(top, m_popularity[item]);
        for (Index item : m_vocabulary) out[item] = static_cast<float>(m_popularity[item]) / static_cast<float>(top);
        return;
    }
    for (std::size_t v = 0; v < m_vocabulary.size(); ++v)
        out[m_vocabulary[v]] = accumulated[static_cast<Eigen::Index>(v)];
}

float EaseModel::weight(Index a, Index b) const {
    if (a >= itemCount() || b >= itemCount()) return 0.0F;
    const std::int32_t va = m_position[a];
    const std::int32_t vb = m_position[b];
    if (va < 0 || vb < 0) return 0.0F;
    return m_weights(va, vb);
}

std::optional<Index> EaseModel::explain(const UserContext& user, Index item) const {
    std::vector<Index> scratch;
    std::optional<Index> best;
    float bestWeight = 0.0F;
    for (Index h : detail::cleanHistory(user.history, itemCount(), scratch)) {
        const float w = weight(h, item);
        if (w > bestWeight) {
            bestWeight = w;
            best = h;
        }
    }
    return best;
}

void EaseModel::saveParameters(std::ostream& out) const {
    detail::BinaryWriter writer(out);
    writer.array(std::span<const std::uint32_t>(m_popularity));
    writer.array(std::span<const Index>(m_vocabulary));
    writer.array(std::span<const float>(m_weights.data(), static_cast<std::size_t>(m_weights.size())));
}

Status EaseModel::loadParameters(std::istream& in) {
    detail::BinaryReader reader(in, "ease parameters");
    std::vector<std::uint32_t> popularity;
    std::vector<Index> vocabulary;
    std::vector<float> weights;
    if (!reader.array(popularity, "popularity") || !reader.array(vocabulary, "vocabulary")) {
        return Error{reader.error()};
    }
    for (std::size_t v = 0; v < vocabulary.size(); ++v) {
        if (vocabulary[v] >= popularity.size() || (v > 0 && vocabulary[v - 1] >= vocabulary[v])) {
            return Error{"ease parameters: vocabulary is out of range or unsorted (corrupted)"};
        }
    }
    const std::uint64_t n = vocabulary.size();
    if (!reader.array(weights, "weights", n * n)) return Error{reader.error()};
    const auto nn = static_cast<Eigen::Index>(n);
    m_weights = Eigen::Map<const WeightMatrix>(weights.data(), nn, nn);
    m_popularity = std::move(popularity);
    m_vocabulary = std::move(vocabulary);
    buildLookup();
    return {};
}

}  // namespace recdeck::models

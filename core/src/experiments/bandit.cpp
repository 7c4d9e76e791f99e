#include "recdeck/experiments/bandit.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

#include "checks.h"

namespace recdeck::experiments {

double sampleGamma(SplitMix64& rng, double shape) {
    assert(shape > 0.0 && std::isfinite(shape));
    if (shape < 1.0) {
        // Gamma(s) = Gamma(s + 1) * U^(1/s) (Marsaglia & Tsang, section 6).
        double u = rng.uniform();
        while (u <= 0.0) u = rng.uniform();
        return sampleGamma(rng, shape + 1.0) * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    // Accepts with probability > 0.95 for every shape >= 1.
    for (;;) {
        double x = 0.0;
        double v = 0.0;
        do {
            x = rng.normal();
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = rng.uniform();
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (u > 0.0 && std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
    }
}

double sampleBeta(SplitMix64& rng, double a, double b) {
    const double x = sampleGamma(rng, a);
    const double y = sampleGamma(rng, b);
    const double sum = x + y;
    // Both draws underflow only for tiny shapes; fall back to the mean.
    return sum > 0.0 ? x / sum : a / (a + b);
}

std::size_t thompsonChoose(SplitMix64& rng, std::span<const BetaPosterior> posteriors) {
    assert(!posteriors.empty());
    std::size_t best = 0;
    double bestDraw = -1.0;
    for (std::size_t i = 0; i < posteriors.size(); ++i) {
        const double draw = sampleBeta(rng, posteriors[i].alpha, posteriors[i].beta);
        if (draw > bestDraw) {
            bestDraw = draw;
            best = i;
        }
    }
    return best;
}

Result<std::vector<double>> applyFloor(std::span<const double> shares, double floor) {
    const std::size_t n = shares.size();
    if (n == 0) return std::vector<double>{};
    if (!std::isfinite(floor) || floor < 0.0 || floor * static_cast<double>(n) > 1.0 + 1e-12)
        return Error{"floor must be in [0, 1/arms] = [0, " + detail::number(1.0 / static_cast<double>(n)) + "], got " +
                     detail::number(floor)};
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(shares[i]) || shares[i] < 0.0)
            return Error{"share " + std::to_string(i + 1) + " must be a non-negative number, got " +
                         detail::number(shares[i])};
    std::vector<double> out(n, 0.0);
    std::vector<bool> atFloor(n, false);
    // Each pass pins at least one more arm to the floor or stops, so n passes suffice.
    for (std::size_t pass = 0; pass <= n; ++pass) {
        std::size_t pinned = 0;
        double freeShareSum = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            if (atFloor[i])
                ++pinned;
            else
                freeShareSum += shares[i];
        }
        const double freeMass = 1.0 - floor * static_cast<double>(pinned);
        const std::size_t freeArms = n - pinned;
        bool changed = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (atFloor[i]) {
                out[i] = floor;
                continue;
            }
            out[i] =
                freeShareSum > 0.0 ? freeMass * shares[i] / freeShareSum : freeMass / static_cast<double>(freeArms);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (!atFloor[i] && out[i] < floor) {
                atFloor[i] = true;
                changed = true;
            }
        }
        if (!changed) break;
    }
    return out;
}

Result<ThompsonAllocation> thompsonAllocation(std::span<const ArmCounts> arms, const ThompsonOptions& options) {
    if (arms.size() < 2) return Error{"Thompson allocation needs at least 2 arms, got " + std::to_string(arms.size())};
    if (options.draws == 0) return Error{"Monte Carlo draws must be at least 1"};
    std::vector<BetaPosterior> posteriors;
    posteriors.reserve(arms.size());
    for (std::size_t i = 0; i < arms.size(); ++i) {
        if (auto error = detail::checkArm("arm " + std::to_string(i + 1), arms[i], false)) return *error;
        posteriors.push_back(BetaPosterior::fromCounts(arms[i]));
    }

    ThompsonAllocation out;
    const bool monteCarlo =
        options.method == BanditMethod::MonteCarlo || (options.method == BanditMethod::Automatic && arms.size() > 2);
    if (!monteCarlo && arms.size() == 2) {
        const double second = probabilityGreater(posteriors[0], posteriors[1], BayesMethod::ClosedForm);
        out.probabilityBest = {1.0 - second, second};
    } else if (!monteCarlo) {
        out.probabilityBest = probabilityBest(posteriors);
    } else {
        SplitMix64 rng(options.seed);
        std::vector<std::uint64_t> wins(arms.size(), 0);
        for (std::size_t draw = 0; draw < options.draws; ++draw) ++wins[thompsonChoose(rng, posteriors)];
        const double total = static_cast<double>(options.draws);
        for (const std::uint64_t count : wins) {
            const double p = static_cast<double>(count) / total;
            out.probabilityBest.push_back(p);
            out.maxStandardError = std::max(out.maxStandardError, std::sqrt(p * (1.0 - p) / total));
        }
        out.monteCarlo = true;
    }
    // Quadrature results sum to 1 only up to its tolerance; shares must sum to 1 exactly.
    const double sum = std::accumulate(out.probabilityBest.begin(), out.probabilityBest.end(), 0.0);
    std::vector<double> shares = out.probabilityBest;
    if (sum > 0.0)
        for (double& share : shares) share /= sum;
    auto weights = applyFloor(shares, options.floor);
    if (!weights) return weights.error();
    out.weights = std::move(*weights);
    return out;
}

}  // namespace recdeck::experiments

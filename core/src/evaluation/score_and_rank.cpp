#include "recdeck/evaluation/score_and_rank.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "recdeck/common/parallel.h"

namespace recdeck::evaluation {

bool scoreAndRank(const models::Model& model, const data::InteractionMatrix& training,
                  std::span<const data::Index> users, const ranking::Ranker& ranker,
                  std::span<const ranking::RankingParams> settings, const RankedListSink& take,
                  const TaskControl& control) {
    // Small blocks handed out dynamically: per-user cost varies with the history length.
    constexpr std::size_t kBlock = 16;
    const std::size_t blocks = (users.size() + kBlock - 1) / kBlock;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> finished{0};
    parallelFor(defaultThreadCount(), [&](std::size_t, std::size_t) {
        std::vector<float> scores(model.itemCount());
        for (std::size_t block = next++; block < blocks; block = next++) {
            if (control.cancelled()) return;
            const std::size_t end = std::min(users.size(), (block + 1) * kBlock);
            for (std::size_t i = block * kBlock; i < end; ++i) {
                const data::Index user = users[i];
                const models::UserContext context{user, training.itemsOf(user)};
                model.scoreAll(context, scores);
                for (std::size_t s = 0; s < settings.size(); ++s)
                    take(i, s, ranker.rankScores(scores, context, settings[s]));
            }
            const std::size_t done = ++finished;
            control.report(static_cast<double>(done) / static_cast<double>(blocks));
        }
    });
    return !control.cancelled();
}

}  // namespace recdeck::evaluation

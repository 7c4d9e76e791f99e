#include "recdeck/models/model.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace recdeck::models {

namespace {

// Strict "a ranks before b": higher score, then lower index.
bool ranksBefore(const ScoredItem& a, const ScoredItem& b) {
    return a.score > b.score || (a.score == b.score && a.item < b.item);
}

}  // namespace

std::vector<ScoredItem> topK(std::span<const float> scores, std::size_t k, std::span<const Index> exclude) {
    assert(std::is_sorted(exclude.begin(), exclude.end()));
    std::vector<ScoredItem> heap;  // a heap whose front is the worst kept item
    if (k == 0) return heap;
    heap.reserve(std::min(k, scores.size()));
    std::size_t nextExcluded = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const auto item = static_cast<Index>(i);
        while (nextExcluded < exclude.size() && exclude[nextExcluded] < item) ++nextExcluded;
        if (nextExcluded < exclude.size() && exclude[nextExcluded] == item) continue;
        const float score = scores[i];
        if (std::isnan(score) || score == -INFINITY) continue;
        const ScoredItem candidate{item, score};
        if (heap.size() < k) {
            heap.push_back(candidate);
            std::push_heap(heap.begin(), heap.end(), ranksBefore);
        } else if (ranksBefore(candidate, heap.front())) {
            std::pop_heap(heap.begin(), heap.end(), ranksBefore);
            heap.back() = candidate;
            std::push_heap(heap.begin(), heap.end(), ranksBefore);
        }
    }
    std::sort(heap.begin(), heap.end(), ranksBefore);
    return heap;
}

std::optional<Index> Model::explain(const UserContext&, Index) const {
    return std::nullopt;
}

std::vector<ScoredItem> Model::recommend(const UserContext& user, std::size_t k, std::span<const Index> exclude) const {
    std::vector<float> scores(itemCount());
    scoreAll(user, scores);
    return topK(scores, k, exclude);
}

}  // namespace recdeck::models

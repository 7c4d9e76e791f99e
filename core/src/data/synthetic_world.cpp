#include "recdeck/data/synthetic_world.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "recdeck/common/random.h"

namespace recdeck::data {

namespace {

constexpr std::array kCategoryNames = {
    "Electronics", "Books",  "Outdoor", "Kitchen", "Fashion", "Toys",   "Beauty", "Garden",
    "Music",       "Sports", "Games",   "Office",  "Travel",  "Health", "Pets",   "Film",
};
constexpr std::array kAdjectives = {
    "Classic", "Compact", "Deluxe", "Everyday", "Golden",  "Handmade", "Modern", "Nordic", "Organic",
    "Pocket",  "Rugged",  "Silent", "Smart",    "Vintage", "Wireless", "Bright", "Urban",  "Coastal",
};
constexpr std::array kNouns = {
    "Lantern", "Journal", "Backpack", "Kettle",   "Jacket",  "Puzzle", "Serum",  "Planter", "Speaker",
    "Racket",  "Console", "Stapler",  "Suitcase", "Blender", "Leash",  "Camera", "Guide",   "Mug",
};

// Base time of the generated history: 2026-01-01T00:00:00Z, so worlds are reproducible.
constexpr std::int64_t kEpoch = 1767225600;
constexpr std::int64_t kHistorySpanSeconds = 90LL * 24 * 3600;

std::string numberedId(const char* prefix, std::size_t n, std::size_t total) {
    const std::size_t width = std::max<std::size_t>(4, std::to_string(total).size());
    std::string digits = std::to_string(n);
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    return std::string(prefix) + "_" + digits;
}

double dot(const float* a, const float* b, std::size_t n) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
    return sum;
}

void normalize(float* v, std::size_t n) {
    const double norm = std::sqrt(dot(v, v, n));
    if (norm <= 0.0) return;
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(v[i] / norm);
}

}  // namespace

SyntheticWorld::SyntheticWorld(WorldConfig config) : m_config(config) {
    SplitMix64 rng(config.seed);
    const std::size_t dims = std::max<std::size_t>(config.latentDims, 2);
    const std::size_t categoryCount = std::clamp<std::size_t>(config.categories, 1, kCategoryNames.size());

    // Each category has a direction in taste space.
    std::vector<float> centroids(categoryCount * dims);
    for (std::size_t c = 0; c < categoryCount; ++c) {
        for (std::size_t d = 0; d < dims; ++d) centroids[c * dims + d] = static_cast<float>(rng.normal());
        normalize(&centroids[c * dims], dims);
    }

    // Items: one main category (sometimes a second), traits near the category direction,
    // and a Zipf-like popularity from a random rank.
    std::vector<std::size_t> rank(config.items);
    std::iota(rank.begin(), rank.end(), 0);
    for (std::size_t i = rank.size(); i > 1; --i) std::swap(rank[i - 1], rank[rng.below(i)]);
    m_itemTraits.resize(config.items * dims);
    m_itemBias.resize(config.items);
    for (std::size_t i = 0; i < config.items; ++i) {
        const std::size_t main = rng.below(categoryCount);
        std::vector<std::string> names{kCategoryNames[main]};
        std::size_t second = main;
        if (rng.uniform() < 0.3 && categoryCount > 1) {
            second = (main + 1 + rng.below(categoryCount - 1)) % categoryCount;
            names.emplace_back(kCategoryNames[second]);
        }
        float* traits = &m_itemTraits[i * dims];
        for (std::size_t d = 0; d < dims; ++d) {
            traits[d] = centroids[main * dims + d] + 0.35F * centroids[second * dims + d] +
                        0.45F * static_cast<float>(rng.normal());
        }
        normalize(traits, dims);
        m_itemBias[i] = static_cast<float>(-config.popularityExponent * std::log(static_cast<double>(rank[i]) + 2.0));
        std::string title = std::string(kAdjectives[rng.below(kAdjectives.size())]) + " " +
                            kNouns[rng.below(kNouns.size())] + " " + std::to_string(100 + i);
        const Index index = m_dataset.catalog.describeItem(numberedId("item", i + 1, config.items), title, names);
        m_dataset.catalog.info(index).releasedAt =
            kEpoch - static_cast<std::int64_t>(rng.uniform() * 2.0 * static_cast<double>(kHistorySpanSeconds));
    }

    // Users: tastes mixing one to three favourite categories.
    m_userTaste.resize(config.users * dims);
    for (std::size_t u = 0; u < config.users; ++u) {
        float* taste = &m_userTaste[u * dims];
        const std::size_t favourites = 1 + rng.below(3);
        for (std::size_t f = 0; f < favourites; ++f) {
            const std::size_t c = rng.below(categoryCount);
            const auto w = static_cast<float>(1.0 / static_cast<double>(f + 1));
            for (std::size_t d = 0; d < dims; ++d) taste[d] += w * centroids[c * dims + d];
        }
        for (std::size_t d = 0; d < dims; ++d) taste[d] += 0.25F * static_cast<float>(rng.normal());
        normalize(taste, dims);
        m_dataset.users.intern(numberedId("user", u + 1, config.users));
    }

    // History: each user picks items without replacement by perturbed top-k over the
    // logits taste-strength * affinity + popularity (Gumbel-max sampling).
    std::vector<std::pair<double, Index>> keyed(config.items);
    for (std::size_t u = 0; u < config.users; ++u) {
        const double draw = std::exp(0.6 * rng.normal()) * config.meanInteractionsPerUser * 0.84;
        const std::size_t count = std::clamp<std::size_t>(static_cast<std::size_t>(draw), 3, config.items / 2);
        for (std::size_t i = 0; i < config.items; ++i) {
            const double logit = config.tasteStrength * dot(&m_userTaste[u * dims], &m_itemTraits[i * dims], dims) +
                                 static_cast<double>(m_itemBias[i]);
            keyed[i] = {logit + rng.gumbel(), static_cast<Index>(i)};
        }
        std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(count), keyed.end(),
                          [](const auto& a, const auto& b) { return a.first > b.first; });
        for (std::size_t k = 0; k < count; ++k) {
            Interaction row;
            row.user = static_cast<Index>(u);
            row.item = keyed[k].second;
            row.rating = 1.0F;
            row.timestamp =
                kEpoch + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(kHistorySpanSeconds));
            m_dataset.interactions.push_back(row);
        }
    }
}

double SyntheticWorld::truePreference(Index user, Index item) const {
    const std::size_t dims = std::max<std::size_t>(m_config.latentDims, 2);
    const double affinity = dot(&m_userTaste[user * dims], &m_itemTraits[item * dims], dims);
    // Calibrated so an average shown item is clicked a few percent of the time and a
    // well-matched one several times more often.
    const double logit = 3.2 * affinity + 0.25 * static_cast<double>(m_itemBias[item]) - 2.6;
    return 1.0 / (1.0 + std::exp(-logit));
}

}  // namespace recdeck::data

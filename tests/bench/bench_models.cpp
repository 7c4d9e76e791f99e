// Offline accuracy and training time of the recommenders on a MovieLens-format file.
//
//   bench_models --ratings ratings.csv [--mode validate|test|full] [--seed 7] [--top-items N]
//                [--k 10] [--verbose] MODEL[:PARAMS_JSON] ...
//
// --mode validate (the default) splits the data 75/25 per user (stratified, seeded), then
// carves a validation split (--val-fraction, default 25%) out of the training part,
// trains on the rest and scores on validation: use it to tune. --mode test trains on the
// whole 75% and scores on the 25% test part: run it once, with the chosen defaults.
// --mode full trains on every row (training time only). --top-items N keeps only the N
// most-rated items (a denser, smaller catalog). Accuracy uses EVAL.md's definitions
// (ndcg@k: mean over test users of DCG / IDCG, binary relevance, DCG = sum 1 / ln(1 + rank)).
// Prints one line per model: ndcg@k, precision@k, training seconds. Never fails.
// "default" resolves like the console does (defaultModelKind on the training matrix);
// "mix:[[kind, params, weight], ...]" tries an ad-hoc standardised blend.
//
// Tuning notes (ml-latest-small, --mode validate, seed 7: fit on 56.6k pairs, validate on
// 19.0k; "dense" = --top-items 1700, a catalog the size of ML-100k's). ndcg@10:
//   item-kNN  shrinkage 0 -> 10 -> 50 -> 100 helps (k 400: 0.141 -> 0.158 -> 0.177 ->
//             0.180); k barely matters above 100. Chosen k 400, shrinkage 100:
//             0.1796 / dense 0.1844.
//   ALS       64 factors, 15 iterations. Low regularisation (0.01-3) stays at 0.17-0.19
//             whatever alpha; the best settings lie on a ridge reg ~ 7.5 x alpha
//             (10/1: 0.196, 30/4: 0.208, 60/8: 0.216, 100/16: 0.215), and collapse
//             towards popularity above it (60/2: 0.169, 60/1: 0.149). Chosen 60 / 8:
//             0.2161 / dense 0.2233. Denser data moves the collapse to higher reg, so
//             the choice errs on the safe side for ML-100k-sized data.
//   EASE      lambda 100..1200: 0.212, 0.216, 0.216 (300), 0.215 (500), 0.213, 0.208;
//             dense: best at 500 (0.2154), 300 0.2148. Chosen 400. The vocabulary cap
//             costs nothing above ~3000 items here (2000: 0.2134, 3000: 0.2150,
//             4000: 0.2145) while time grows with its cube; cap 4000.
//   blend     EASE + ALS standardised, weights 1 : 0.3 / 0.6 / 1.0 gave 0.218 / 0.222 /
//             0.222 (dense 0.221 / 0.223 / 0.225), above both members; equal weights
//             chosen (0.2209 / dense 0.2249 with the final defaults; seed 11: blend
//             0.2234, ALS 0.2180, EASE 0.2176).
//   larger fit (--val-fraction 0.1, 68k pairs): EASE 0.1382, ALS 0.1326, blend 0.1422;
//             ALS falls behind EASE as data grows; 128 factors 0.1385, 30 iterations
//             0.1347 (64 factors kept as the documented default).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "recdeck/common/parallel.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/data/split.h"
#include "recdeck/models/model_factory.h"

using namespace recdeck;

namespace {

// Reads MovieLens ratings.csv (header) or u.data (tab-separated, no header).
bool readRatings(const std::string& path, data::Dataset& dataset) {
    std::ifstream in(path);
    if (!in) return false;
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const char sep = line.find('\t') != std::string::npos ? '\t' : ',';
        std::vector<std::string> fields;
        std::stringstream ss(line);
        std::string field;
        while (std::getline(ss, field, sep)) fields.push_back(field);
        if (fields.size() < 2) continue;
        if (first && !fields[0].empty() && !std::isdigit(static_cast<unsigned char>(fields[0][0]))) {
            first = false;
            continue;  // header
        }
        first = false;
        const float rating = fields.size() > 2 ? std::stof(fields[2]) : 1.0F;
        const std::int64_t ts = fields.size() > 3 ? std::stoll(fields[3]) : 0;
        dataset.addInteraction(fields[0], fields[1], rating, ts);
    }
    return true;
}

struct Accuracy {
    double ndcg = 0.0;
    double precision = 0.0;
    std::size_t users = 0;
};

Accuracy evaluate(const models::Model& model, const data::InteractionMatrix& train,
                  const std::vector<data::Interaction>& test, std::size_t k) {
    std::unordered_map<data::Index, std::vector<data::Index>> relevant;
    for (const auto& row : test) relevant[row.user].push_back(row.item);
    std::vector<std::pair<data::Index, std::vector<data::Index>>> users(relevant.begin(), relevant.end());
    for (auto& [u, items] : users) {
        std::sort(items.begin(), items.end());
        items.erase(std::unique(items.begin(), items.end()), items.end());
    }
    std::vector<double> ndcg(users.size(), 0.0), precision(users.size(), 0.0);
    parallelFor(users.size(), [&](std::size_t begin, std::size_t end) {
        for (std::size_t n = begin; n < end; ++n) {
            const auto& [user, items] = users[n];
            const bool known = user < train.userCount();
            const auto history = known ? train.itemsOf(user) : std::span<const data::Index>{};
            models::UserContext context{known ? std::optional<data::Index>(user) : std::nullopt, history};
            const auto recs = model.recommend(context, k, history);
            double dcg = 0.0, idcg = 0.0;
            std::size_t hits = 0;
            for (std::size_t r = 0; r < recs.size(); ++r) {
                if (std::binary_search(items.begin(), items.end(), recs[r].item)) {
                    dcg += 1.0 / std::log(2.0 + static_cast<double>(r));
                    ++hits;
                }
            }
            for (std::size_t r = 0; r < std::min(items.size(), k); ++r)
                idcg += 1.0 / std::log(2.0 + static_cast<double>(r));
            ndcg[n] = dcg / idcg;
            precision[n] = static_cast<double>(hits) / static_cast<double>(k);
        }
    });
    Accuracy a;
    a.users = users.size();
    for (std::size_t n = 0; n < users.size(); ++n) {
        a.ndcg += ndcg[n];
        a.precision += precision[n];
    }
    if (a.users > 0) {
        a.ndcg /= static_cast<double>(a.users);
        a.precision /= static_cast<double>(a.users);
    }
    return a;
}

// Score blend used to judge ensembles: each member's finite scores standardised per user
// (mean 0, standard deviation 1), then summed with weights.
class BlendModel final : public models::Model {
public:
    std::vector<std::pair<std::unique_ptr<models::Model>, double>> members;
    nlohmann::json spec;

    std::string_view kind() const override { return "mix"; }
    nlohmann::json params() const override { return spec; }
    Status train(const data::InteractionMatrix& m, const TaskControl& c) override {
        for (auto& [model, weight] : members)
            if (auto s = model->train(m, c); !s) return s;
        return {};
    }
    std::size_t itemCount() const override { return members.front().first->itemCount(); }
    void scoreAll(const models::UserContext& user, std::span<float> out) const override {
        std::fill(out.begin(), out.end(), 0.0F);
        std::vector<float> part(out.size());
        for (const auto& [model, weight] : members) {
            model->scoreAll(user, part);
            double sum = 0.0, sq = 0.0;
            std::size_t n = 0;
            for (float v : part)
                if (std::isfinite(v)) {
                    sum += v;
                    sq += double(v) * v;
                    ++n;
                }
            const double mean = n ? sum / double(n) : 0.0;
            const double sd = n ? std::sqrt(std::max(1e-12, sq / double(n) - mean * mean)) : 1.0;
            for (std::size_t i = 0; i < out.size(); ++i)
                out[i] += std::isfinite(part[i]) ? float(weight * (part[i] - mean) / sd) : -INFINITY;
        }
    }
    void saveParameters(std::ostream&) const override {}
    Status loadParameters(std::istream&) override { return Error{"not supported"}; }
};

}  // namespace

int main(int argc, char** argv) {
    std::string ratings, mode = "validate";
    std::uint64_t seed = 7;
    std::size_t k = 10, topItems = 0;
    bool verbose = false;
    double validationFraction = 0.25;
    std::vector<std::string> specs;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (arg == "--ratings")
            ratings = next();
        else if (arg == "--mode")
            mode = next();
        else if (arg == "--seed")
            seed = std::stoull(next());
        else if (arg == "--k")
            k = std::stoul(next());
        else if (arg == "--top-items")
            topItems = std::stoul(next());
        else if (arg == "--verbose")
            verbose = true;
        else if (arg == "--val-fraction")
            validationFraction = std::stod(next());
        else
            specs.push_back(arg);
    }
    if (ratings.empty() || specs.empty()) {
        std::cerr << "usage: bench_models --ratings FILE [--mode validate|test] [--seed S] [--top-items N] "
                     "MODEL[:PARAMS_JSON] ...\n";
        return 0;
    }
    data::Dataset dataset;
    if (!readRatings(ratings, dataset)) {
        std::cerr << ratings << ": cannot read\n";
        return 0;
    }
    std::vector<data::Interaction> rows = dataset.interactions;
    std::size_t itemCount = dataset.catalog.size();
    if (topItems > 0 && topItems < itemCount) {
        std::vector<std::size_t> counts(itemCount, 0);
        for (const auto& r : rows) ++counts[r.item];
        std::vector<data::Index> order(itemCount);
        for (std::size_t i = 0; i < itemCount; ++i) order[i] = static_cast<data::Index>(i);
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return counts[a] > counts[b]; });
        std::vector<data::Index> remap(itemCount, data::kNoIndex);
        for (std::size_t n = 0; n < topItems; ++n) remap[order[n]] = static_cast<data::Index>(n);
        std::vector<data::Interaction> kept;
        for (auto r : rows) {
            if (remap[r.item] == data::kNoIndex) continue;
            r.item = remap[r.item];
            kept.push_back(r);
        }
        rows = std::move(kept);
        itemCount = topItems;
    }
    auto split = data::stratifiedSplit(rows, 0.25, seed);
    if (mode == "full") split = data::Split{rows, {}};  // training time on everything, no accuracy
    if (mode == "validate") split = data::stratifiedSplit(split.train, validationFraction, seed + 1);
    const auto train = data::InteractionMatrix::fromInteractions(split.train, dataset.users.size(), itemCount);
    std::printf("# %s mode=%s seed=%llu users=%zu items=%zu train=%zu (%zu pairs) held-out=%zu\n", ratings.c_str(),
                mode.c_str(), static_cast<unsigned long long>(seed), train.userCount(), itemCount, split.train.size(),
                train.nonZeros(), split.test.size());
    for (const auto& spec : specs) {
        const auto colon = spec.find(':');
        std::string kind = spec.substr(0, colon);
        if (kind == "default") kind = std::string(models::defaultModelKind(train));
        const auto params = colon == std::string::npos ? nlohmann::json::object()
                                                       : nlohmann::json::parse(spec.substr(colon + 1), nullptr, false);
        Result<std::unique_ptr<models::Model>> model = Error{"unset"};
        if (kind == "mix") {
            // mix:[["ease",{...},1.0],["als",{...},0.5]] (ad-hoc blends while tuning)
            auto blend = std::make_unique<BlendModel>();
            blend->spec = params;
            for (const auto& member : params) {
                auto m = models::createModel(member.at(0).get<std::string>(), member.at(1), itemCount);
                if (m) blend->members.emplace_back(std::move(*m), member.at(2).get<double>());
            }
            model = std::unique_ptr<models::Model>(std::move(blend));
        } else {
            model = models::createModel(kind, params, itemCount);
        }
        if (!model) {
            std::printf("%-40s error: %s\n", spec.c_str(), model.errorMessage().c_str());
            continue;
        }
        Stopwatch watch;
        const std::clock_t cpuStart = std::clock();
        TaskControl control;
        std::mutex printMutex;
        if (verbose) {
            control.progress = [&](double fraction, std::string_view stage) {
                std::lock_guard lock(printMutex);
                std::printf("  %7.3f s  %5.1f%%  %.*s\n", watch.elapsedSeconds(), 100.0 * fraction,
                            static_cast<int>(stage.size()), stage.data());
            };
        }
        const auto status = (*model)->train(train, control);
        const double seconds = watch.elapsedSeconds();
        const double cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        if (!status) {
            std::printf("%-40s error: %s\n", spec.c_str(), status.errorMessage().c_str());
            continue;
        }
        const auto accuracy = evaluate(**model, train, split.test, k);
        std::printf("%-8s %-60s ndcg@%zu %.4f  precision@%zu %.4f  train %.3f s (cpu %.3f s)  (%zu users)\n",
                    kind.c_str(), (*model)->params().dump().c_str(), k, accuracy.ndcg, k, accuracy.precision, seconds,
                    cpuSeconds, accuracy.users);
        std::fflush(stdout);
    }
    return 0;
}

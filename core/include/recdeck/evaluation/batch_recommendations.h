#pragma once
// Top-k lists for every TRAIN user at once (recdeckd recommend-batch and eval), and the
// recommendations file both commands share:
//
//   RECS.tsv   user<TAB>item<TAB>score, one row per recommended item, best first within a
//              user, users in TRAIN's first-appearance order, ids exactly as in the input.
//
// The lists are what the console would show: the model's scores through ranking::Ranker
// (the user's TRAIN items excluded, topped up by popularity when the model scores too few
// items, so a list is shorter than k only when the user has fewer than k unseen items),
// with RankingParams' default diversity-aware ranking unless diversity is off.

#include <cstddef>
#include <filesystem>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/evaluation/offline_data.h"
#include "recdeck/metrics/offline_metrics.h"
#include "recdeck/models/model.h"

namespace recdeck::evaluation {

struct UserList {
    std::vector<data::Index> items;  // best first
    std::vector<float> scores;       // the ranker's score of each item
};

struct BatchRecommendations {
    std::vector<UserList> lists;  // one per TRAIN user (index order)
    bool diversity = false;       // diversity-aware ranking applied (needs categories)
    double seconds = 0.0;         // wall time of scoring and ranking every user
    std::size_t shortLists = 0;   // lists with fewer than k items (too few unseen items)
    std::size_t toppedUp = 0;     // items that came from the popularity top-up
    double meanLambda = 1.0;      // mean MMR lambda the lists were ranked with

    // Item lists by user index, for metrics::evaluateOffline.
    metrics::UserItemLists itemLists() const;
};

// Ranks every TRAIN user's list in parallel (scoreAndRank). `diversity` asks for the
// default diversity-aware ranking; without categories in the catalog it falls back to
// ranking by score (reported in BatchRecommendations::diversity).
BatchRecommendations recommendForTrainUsers(const OfflineData& data, const models::Model& model, std::size_t k,
                                            bool diversity);

enum class ScoreColumn {
    Rank,   // k - position: k for the first item, strictly decreasing, so any tool that
            // orders by score reads the file's order (ties cannot reorder it)
    Model,  // the ranker's score (model score; popularity count for topped-up items)
};

// Writes RECS.tsv: "-" is stdout; a new or regular file is replaced atomically (a temporary
// file renamed over `path`); a symlink, device or pipe is written through in place.
Status writeRecommendations(const std::filesystem::path& path, const OfflineData& data,
                            const BatchRecommendations& recommendations, std::size_t k, ScoreColumn score);

// Reads a recommendations file into lists by user index, interning unknown users and items
// into data.dataset (an item unknown to TRAIN can never be a train item and still counts
// for coverage). Rows are taken in file order per user (the file is best first); a first
// line whose score is not a number is a header. Spaces around ids are trimmed (as the
// importers trim TRAIN's and TEST's), a UTF-8 byte order mark and CR line ends are accepted,
// blank lines are skipped. Anything else
// malformed stops with "path:line: what was expected".
Result<metrics::UserItemLists> readRecommendations(const std::filesystem::path& path, OfflineData& data);

}  // namespace recdeck::evaluation

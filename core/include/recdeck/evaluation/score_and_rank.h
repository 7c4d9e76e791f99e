#pragma once
// The offline loop shared by the Models panel's evaluation and recdeckd's recommend-batch
// and eval: score a user with a model once, then rank the scores with ranking::Ranker under
// one or more settings — for many users, on every core.
//
// A user's history is their row of the training matrix (excluded from the list, and the
// context the model scores from). Ranker::rankScores is used rather than Ranker::rank:
// offline lists need no "Because you liked" reasons, which would cost a model call each.

#include <cstddef>
#include <functional>
#include <span>

#include "recdeck/common/task.h"
#include "recdeck/data/interaction_matrix.h"
#include "recdeck/models/model.h"
#include "recdeck/ranking/ranker.h"

namespace recdeck::evaluation {

// Receives the list of users[position] ranked under settings[setting]. Called from worker
// threads, once per (position, setting); calls for different positions run concurrently,
// so it may only write state of its own position.
using RankedListSink = std::function<void(std::size_t position, std::size_t setting, ranking::RankingResult&& ranked)>;

// Scores every user of `users` with `model` (history from `training`) and ranks the scores
// once per entry of `settings`. Users are handed to the threads in small blocks, as the
// cost per user varies with the length of the history. Reports progress (the fraction of
// users done, no stage) after every block and stops between blocks when `control` asks;
// returns false when it stopped early (some lists are then missing).
bool scoreAndRank(const models::Model& model, const data::InteractionMatrix& training,
                  std::span<const data::Index> users, const ranking::Ranker& ranker,
                  std::span<const ranking::RankingParams> settings, const RankedListSink& take,
                  const TaskControl& control = {});

}  // namespace recdeck::evaluation

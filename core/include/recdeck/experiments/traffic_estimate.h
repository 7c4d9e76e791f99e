#pragma once
// What recent traffic says when planning an experiment: the rate of a metric among the
// users served (a baseline for the sample size) and how fast distinct users arrive (for
// the duration). Experiments count users, not requests: a user who comes back ten times
// is one user, so a duration computed from requests is far too short.
//
// From the events of a recent span [fromMs, toMs) (impressions, clicks, conversions):
//   users        distinct users with >= 1 impression in the span
//   newPerDay    distinct users first seen in the second half of the span, per day: the
//                rate at which users the span had not seen before keep arriving (0 when
//                the same users keep returning)
//   baseline(m)  click rate   = users with >= 1 click / users
//                conversion   = users with >= 1 add_to_cart or purchase / users
//                ctr          = clicks / items shown
//   A per-user rate over a short span is lower than over a run of days (users have had
//   fewer visits to click in): a cautious baseline, not the truth.
//
// daysToReach(n): an experiment taking a share `coverage` of users reaches n distinct
// users once coverage * (users + newPerDay * t) >= n. The users of the span come back
// within about one span, so
//   n <= coverage * users:  t = spanDays * n / (coverage * users)
//   otherwise:              t = spanDays + (n / coverage - users) / newPerDay
// and never when no new users arrive and the ones there are not enough.
//
// Thread safety: plain values and pure functions.

#include <cstdint>
#include <optional>
#include <span>

#include "recdeck/experiments/experiment.h"
#include "recdeck/store/event.h"

namespace recdeck::experiments {

struct RecentTraffic {
    std::int64_t fromMs = 0;  // the span the events cover
    std::int64_t toMs = 0;
    std::uint64_t users = 0;          // distinct users with an impression
    std::uint64_t newLaterUsers = 0;  // of them, first seen in the second half of the span
    std::uint64_t clickers = 0;       // users with >= 1 click
    std::uint64_t converters = 0;     // users with >= 1 add_to_cart or purchase
    std::uint64_t itemsShown = 0;
    std::uint64_t clicks = 0;

    double spanDays() const;
    // Distinct users first seen in the second half of the span, per day (0 without a span).
    double newUsersPerDay() const;
    // The metric's rate among the span's users; nullopt without users (or items, for ctr).
    std::optional<double> baseline(Metric metric) const;
    // Days until an experiment at `coverage` has `needed` distinct users (see above);
    // nullopt when it never gets there at this traffic.
    std::optional<double> daysToReach(double needed, double coverage) const;
};

// Summarises `events` of the span [fromMs, toMs) (any order; events outside are ignored).
RecentTraffic summariseTraffic(std::span<const store::Event> events, std::int64_t fromMs, std::int64_t toMs);

}  // namespace recdeck::experiments

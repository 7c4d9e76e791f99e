#pragma once
// A reader for the Prometheus text exposition format (version 0.0.4), as served on
// recdeckd's /metrics: enough of it to read the families the console charts, written to
// survive whatever a scrape brings. It reads "# TYPE" lines, ignores "# HELP" and other
// comments, accepts labels with escaped values (\\, \", \n), a trailing comma in the
// label set, tabs or spaces between tokens, optional timestamps, and the values +Inf,
// -Inf and NaN. A line it cannot read is skipped and counted (the first problem is kept
// with its line number), so one odd line never hides the rest of a scrape.
//
// Pure functions on standard types; reentrant.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace recdeck::ui::prometheus {

struct Sample {
    std::string name;                                         // "recdeck_requests_total"
    std::vector<std::pair<std::string, std::string>> labels;  // in the order written, unescaped
    double value = 0.0;
    std::optional<std::int64_t> timestampMs;

    // The value of a label, or nullopt when the sample has none of that name.
    std::optional<std::string_view> label(std::string_view key) const;
};

// (upper bound, cumulative count) of one histogram, sorted by bound; +Inf is the last.
using Buckets = std::vector<std::pair<double, double>>;

struct Exposition {
    std::vector<Sample> samples;               // in the order written
    std::map<std::string, std::string> types;  // family name -> "counter", "histogram", ...
    std::size_t skippedLines = 0;
    std::string firstProblem;  // "line 12: expected '=' after label name"

    // Samples named `name` whose labels include every (key, value) of `match`.
    std::vector<const Sample*> find(std::string_view name,
                                    const std::vector<std::pair<std::string, std::string>>& match = {}) const;
    // Sum of those samples' values; nullopt when there is none (the family is absent).
    std::optional<double> sum(std::string_view name,
                              const std::vector<std::pair<std::string, std::string>>& match = {}) const;
    // The buckets of histogram `family` (its "<family>_bucket" samples, summed over the
    // other labels), sorted by bound; empty when absent.
    Buckets buckets(std::string_view family) const;
};

Exposition parse(std::string_view text);

// The q-quantile (0 < q < 1) of a histogram given by cumulative buckets, the way
// Prometheus' histogram_quantile() computes it: linear interpolation inside the bucket
// where the rank falls (from 0 for the first bucket); the highest finite bound when the
// rank falls in the +Inf bucket. nullopt without observations or without a +Inf bucket.
std::optional<double> quantile(double q, const Buckets& buckets);

// Bucket-wise a - b (for the observations between two scrapes); bounds must match, else
// nullopt (the histogram's layout changed).
std::optional<Buckets> difference(const Buckets& a, const Buckets& b);

}  // namespace recdeck::ui::prometheus

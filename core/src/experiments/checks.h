#pragma once
// Input checks shared by the statistics sources (private to the experiments module).

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "recdeck/common/result.h"
#include "recdeck/experiments/statistics.h"

namespace recdeck::experiments::detail {

// Shortest "%g"-style rendering of a number for error messages.
inline std::string number(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", value);
    return buffer;
}

inline bool inOpenUnitInterval(double value) {
    return std::isfinite(value) && value > 0.0 && value < 1.0;
}

// An Error when value is not inside (0, 1), naming the field and the value.
inline std::optional<Error> checkOpenUnit(std::string_view field, double value, std::string_view meaning) {
    if (inOpenUnitInterval(value)) return std::nullopt;
    return Error{std::string(field) + " must be " + std::string(meaning) + " strictly between 0 and 1, got " +
                 number(value)};
}

// An Error for an arm that cannot be analysed (conversions above users; zero users when
// requireUsers).
inline std::optional<Error> checkArm(std::string_view name, ArmCounts arm, bool requireUsers) {
    if (arm.conversions > arm.users)
        return Error{std::string(name) + ": conversions (" + std::to_string(arm.conversions) +
                     ") cannot exceed users (" + std::to_string(arm.users) + ")"};
    if (requireUsers && arm.users == 0) return Error{std::string(name) + ": needs at least 1 user, got 0"};
    return std::nullopt;
}

}  // namespace recdeck::experiments::detail

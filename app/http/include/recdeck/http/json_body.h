#pragma once
// Parsing untrusted JSON bodies with bounds: nesting depth and the number of values are
// limited while parsing (nlohmann's SAX interface), so a body such as 800 KB of "[[[[" is
// refused before a document exists — nothing downstream (dump, destruction, error
// messages) ever recurses over untrusted depth, and a document's memory is bounded by
// its value count, not by what the body's bytes could expand to.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

#include "recdeck/common/result.h"

namespace recdeck::http {

struct JsonLimits {
    std::size_t maxDepth = 32;       // nested arrays/objects; the deepest route needs 4
    std::size_t maxValues = 50'000;  // values of every kind, keys not counted
};

// The document in `text`, or an Error (kind Invalid) saying what was wrong: not JSON (with
// the byte offset), nested deeper than maxDepth, or more than maxValues values.
Result<nlohmann::json> parseJson(std::string_view text, const JsonLimits& limits = {});

}  // namespace recdeck::http

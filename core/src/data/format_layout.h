#pragma once
// Internal to the data module: what detection learns about a file (format, delimiter,
// quoting, header, which column holds what) so the importers can read it.

#include <cstddef>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/data/importer.h"

namespace recdeck::data::detail {

inline constexpr std::size_t kNoColumn = std::numeric_limits<std::size_t>::max();

struct ColumnRoles {
    std::size_t user = kNoColumn;
    std::size_t item = kNoColumn;
    std::size_t rating = kNoColumn;
    std::size_t timestamp = kNoColumn;  // release date in items files
    std::size_t category = kNoColumn;
    std::size_t title = kNoColumn;
};

struct FormatLayout {
    FileFormat format = FileFormat::GenericInteractions;
    std::string delimiter = ",";
    bool quoting = true;
    bool hasHeader = false;
    std::size_t fieldCount = 0;            // every record must have exactly this many
    std::vector<std::string> columnNames;  // as written in the header, or the format's names
    ColumnRoles columns;
    std::string categorySeparators = "|";  // characters that split a category field
    std::string fieldsText;                // "4 fields (userId,movieId,rating,timestamp)"
};

// Detects the layout of `path` from its first non-blank line (within the first 64 KiB).
Result<FormatLayout> detectLayout(const std::filesystem::path& path);

// MovieLens u.item genre flags, in file order.
const std::vector<std::string>& movieLensGenres();

}  // namespace recdeck::data::detail

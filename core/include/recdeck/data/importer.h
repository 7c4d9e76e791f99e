#pragma once
// Importers for interaction and item files. The format is detected from the content
// (never from the file name):
//   interactions: MovieLens u.data (tab-separated user item rating timestamp, no header),
//                 MovieLens ratings.dat (user::item::rating::timestamp),
//                 MovieLens ratings.csv (userId,movieId,rating,timestamp with a header),
//                 generic CSV/TSV with a header naming user and item columns
//                 (+ optional rating, timestamp, category, title);
//   items:        MovieLens u.item (|-separated, Latin-1, 19 genre flags),
//                 MovieLens movies.csv (movieId,title,genres; genres |-separated),
//                 generic CSV/TSV with a header naming an item column (+ title, category).
// A malformed line stops the import with "file:line: what was expected"; recoverable
// oddities are returned as warnings and counted. Text is returned as UTF-8.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "recdeck/common/result.h"
#include "recdeck/common/task.h"
#include "recdeck/data/dataset.h"

namespace recdeck::data {

enum class FileFormat {
    MovieLensUData,     // u.data
    MovieLensDat,       // ratings.dat (::)
    MovieLensRatingsCsv,
    GenericInteractions,
    MovieLensUItem,     // u.item
    MovieLensMoviesCsv,
    GenericItems,
};
const char* formatName(FileFormat format);

struct ImportWarning {
    std::string kind;     // short machine-readable kind: "duplicate_row", "unknown_item", ...
    std::string message;  // "file:line: what happened"
};

struct ImportReport {
    FileFormat format = FileFormat::GenericInteractions;
    std::size_t linesRead = 0;     // data lines (header excluded)
    std::size_t rowsImported = 0;  // interactions or items added
    std::map<std::string, std::size_t> warningCounts;  // by kind, every occurrence
    std::vector<ImportWarning> warnings;               // the first kMaxStoredWarnings
    static constexpr std::size_t kMaxStoredWarnings = 100;

    std::size_t warningCount() const;
    void warn(std::string kind, std::string message);
};

// Appends the interactions of `path` to `into` (users and items interned as they come).
// Duplicate (user, item, timestamp) rows are kept once and reported as warnings.
Result<ImportReport> importInteractions(const std::filesystem::path& path, Dataset& into,
                                        const TaskControl& control = {});

// Describes items of `into.catalog` from an items file. Items that no interaction refers
// to are still added to the catalog (and counted as a warning of kind "unknown_item").
Result<ImportReport> importItems(const std::filesystem::path& path, Dataset& into,
                                 const TaskControl& control = {});

// Detects the format from the first lines of the file.
Result<FileFormat> detectFormat(const std::filesystem::path& path);

}  // namespace recdeck::data

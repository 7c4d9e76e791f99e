#pragma once
// Importers for interaction and item files. The format is detected from the content
// (never from the file name):
//   interactions: MovieLens u.data (tab-separated user item rating timestamp, no header),
//                 MovieLens ratings.dat (user::item::rating::timestamp),
//                 MovieLens ratings.csv (userId,movieId,rating,timestamp with a header),
//                 generic CSV / TSV / semicolon / pipe files with a header naming user and
//                 item columns (+ optional rating, timestamp, category, title);
//   items:        MovieLens u.item (|-separated, Latin-1, 19 genre flags),
//                 MovieLens movies.csv (movieId,title,genres; genres |-separated),
//                 MovieLens movies.dat (id::title::genres),
//                 generic CSV / TSV with a header naming an item column but no user column
//                 (+ title, category, release date).
//
// Header names are matched case-insensitively, ignoring spaces, '_', '-' and '.':
//   user:      user, user_id, userid, uid, customer_id, customer, client_id, visitor_id,
//              account_id, member_id, reviewer_id
//   item:      item, item_id, itemid, iid, movie_id, movieid, movie, product_id, product,
//              sku, asin, article_id, track_id, book_id, isbn, content_id, video_id
//   rating:    rating, score, stars, rate, preference, weight
//   timestamp: timestamp, ts, time, date, datetime, event_time, created_at, unix_time, epoch
//              (items files also: released, release_date, year)
//   category:  category, categories, genre, genres, tags (split on '|' or ';')
//   title:     title, name, item_name, product_name, movie_title
// The leftmost column matching a role wins; other columns are ignored.
//
// Text handling: a UTF-8 byte order mark is skipped; LF and CRLF line ends are accepted;
// CSV-like files follow RFC 4180 quoting (quoted fields may hold the delimiter, doubled
// quotes and line breaks); u.data, u.item and the '::' files are never quoted. Text that
// is not valid UTF-8 (u.item, old exports) is read as Latin-1 / Windows-1252 and returned
// as UTF-8, field by field. Spaces around unquoted fields are trimmed. Ids are otherwise
// kept exactly as written ("007" stays "007").
//
// Values: a rating is a decimal number (a decimal comma is accepted, "4,5"); an empty
// rating means 1 in generic files and is an error in MovieLens files. A timestamp is a
// Unix time in seconds (decimals truncated), in milliseconds (|value| >= 1e11),
// microseconds (>= 1e14) or nanoseconds (>= 1e17), or an ISO 8601 date or date-time
// ("2019-03-04", "2019-03-04T12:34:56.5+02:00"; no zone means UTC); it is stored in
// seconds. An empty timestamp means unknown (0).
//
// Failures: a malformed line stops the import with an Error "path:line: what was
// expected" (path as given by the caller, line 1-based, the first line of a record that
// spans lines), and `into` is left exactly as it was: the file is read into a temporary
// and merged only on success. Cancellation returns Error::cancelled(), also leaving
// `into` untouched.
//
// Warnings (ImportWarning::kind; counted in ImportReport::warningCounts):
//   "blank_line"       an empty or whitespace-only line before more data (skipped; blank
//                      lines at the end of the file are ignored silently)
//   "duplicate_row"    an interaction with the same user, item and timestamp as an earlier
//                      row of the same file (the first one is kept, whatever the rating)
//   "duplicate_item"   an items-file row for an item already described earlier in the
//                      same file (the first row is kept)
//   "unknown_item"     an items-file item that no interaction of `into` refers to (it is
//                      still added to the catalog); not reported while `into` holds no
//                      interactions at all, so items may also be imported first
//   "missing_item"     an item with interactions that is still undescribed after an items
//                      import
//   "latin1_text"      a line whose text was not valid UTF-8 and was read as Latin-1
//   "bad_release_date" a u.item release date that is not dd-Mon-yyyy (stored as unknown)
//
// Progress and cost: control.report(fraction of the file's bytes, "reading <file name>")
// at the start, every 16,384 records and at the end; cancellation is checked as often.
// Files are streamed in 1 MiB chunks; peak memory is about 28 bytes per interaction
// (16 kept, the rest transient for duplicate detection) plus the distinct ids; time is
// linear in the file size (duplicate detection sorts each user's rows). Measured on a shared 2-core machine:
// ml-latest-small ratings.csv (100k rows) ~20 ms CPU, a 25M-row ratings.csv ~9 s CPU and 0.7 GB peak.
//
// Nothing here prints; callers show the warnings. Functions are reentrant: distinct
// Datasets may be imported on distinct threads; one Dataset must not be shared while it
// is being imported into.

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
    MovieLensUData,  // u.data
    MovieLensDat,    // ratings.dat (::)
    MovieLensRatingsCsv,
    GenericInteractions,
    MovieLensUItem,  // u.item
    MovieLensMoviesCsv,
    GenericItems,
    MovieLensMoviesDat,  // movies.dat (::)
};
// Stable English name of a format ("MovieLens u.data", "generic interactions", ...).
const char* formatName(FileFormat format);
// True for the formats importInteractions() reads; the others are items formats.
bool isInteractionsFormat(FileFormat format);

struct ImportWarning {
    std::string kind;     // short machine-readable kind: "duplicate_row", "unknown_item", ...
    std::string message;  // "file:line: what happened"
};

struct ImportReport {
    FileFormat format = FileFormat::GenericInteractions;
    std::size_t linesRead = 0;                         // data records read: non-blank, header excluded
    std::size_t rowsImported = 0;                      // interactions or items added (duplicates excluded)
    std::size_t users = 0;                             // distinct users in the file (0 for items files)
    std::size_t items = 0;                             // distinct items in the file
    std::map<std::string, std::size_t> warningCounts;  // by kind, every occurrence
    std::vector<ImportWarning> warnings;               // the first kMaxStoredWarnings
    static constexpr std::size_t kMaxStoredWarnings = 100;

    std::size_t warningCount() const;
    void warn(std::string kind, std::string message);
};

// Appends the interactions of `path` to `into` (users and items interned in file order).
// Generic files with title / category columns also describe items not described yet.
// Duplicate (user, item, timestamp) rows within the file are kept once.
Result<ImportReport> importInteractions(const std::filesystem::path& path, Dataset& into,
                                        const TaskControl& control = {});

// Describes items of `into.catalog` from an items file (title, categories, release date;
// an items file overrides an earlier description). Items that no interaction refers to
// are still added to the catalog (and counted as warnings of kind "unknown_item").
Result<ImportReport> importItems(const std::filesystem::path& path, Dataset& into, const TaskControl& control = {});

// Detects the format from the first lines of the file (up to 64 KiB). Fails with
// "path:line: ..." for an empty, binary or unrecognised file.
Result<FileFormat> detectFormat(const std::filesystem::path& path);

}  // namespace recdeck::data

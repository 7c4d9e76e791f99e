#include "recdeck/data/importer.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "csv_reader.h"
#include "format_layout.h"
#include "id_interner.h"
#include "recdeck/common/text_checks.h"
#include "text_values.h"

namespace recdeck::data {

using detail::CsvReader;
using detail::CsvRecord;
using detail::FormatLayout;
using detail::kNoColumn;

namespace {

// Records between two cancellation checks / progress reports.
constexpr std::size_t kCheckEvery = 16384;
// Rows read before the total is estimated from the bytes they took (one reservation
// instead of repeated growth on large files).
constexpr std::size_t kEstimateAfterRows = 4096;
const std::string kCancelled = "cancelled";

std::string inQuotes(std::string_view text) {
    return "'" + detail::printable(text) + "'";
}

// Reads the data records of one file: skips the header, turns blank lines followed by
// more data into warnings, checks the field count, reports progress and honours
// cancellation. Field text is trimmed and returned as UTF-8.
class RecordSource {
public:
    RecordSource(const FormatLayout& layout, CsvReader reader, ImportReport& report, const TaskControl& control,
                 std::string stage)
        : m_layout(layout),
          m_reader(std::move(reader)),
          m_report(report),
          m_control(control),
          m_stage(std::move(stage)) {}

    // The next data record: true when there is one, false at the end of the file.
    Result<bool> next() {
        for (;;) {
            auto got = m_reader.read(m_record);
            if (!got) return got.error();
            if (!*got) return false;  // blank lines at the very end are not worth a warning
            if (++m_records % kCheckEvery == 0) {
                if (m_control.cancelled()) return Error{kCancelled};
                m_control.report(progress(), m_stage);
            }
            if (m_record.blank) {
                ++m_pendingBlank;
                if (m_firstPendingBlank == 0) m_firstPendingBlank = m_record.line;
                continue;
            }
            flushBlankLines();
            if (m_layout.hasHeader && !m_headerSeen) {
                m_headerSeen = true;
                continue;
            }
            if (m_record.fields.size() != m_layout.fieldCount) return fieldCountError();
            ++m_report.linesRead;
            return true;
        }
    }

    const CsvRecord& record() const { return m_record; }
    std::size_t line() const { return m_record.line; }
    const std::string& path() const { return m_reader.displayPath(); }
    std::string where() const { return path() + ":" + std::to_string(m_record.line); }
    std::string where(std::size_t line) const { return path() + ":" + std::to_string(line); }
    Error fail(const std::string& what) const { return Error{where() + ": " + what}; }

    // "field 2 (movieId)"
    std::string fieldLabel(std::size_t column) const {
        std::string label = "field " + std::to_string(column + 1);
        if (column < m_layout.columnNames.size() && !m_layout.columnNames[column].empty()) {
            label += " (" + m_layout.columnNames[column] + ")";
        }
        return label;
    }

    // Trimmed text of a column as UTF-8 (Latin-1 text is converted into `scratch`).
    std::string_view text(std::size_t column, std::string& scratch) {
        bool converted = false;
        const std::string_view value = detail::toUtf8(detail::trimBlank(m_record.fields[column]), scratch, converted);
        if (converted && m_latin1Line != m_record.line) {
            m_latin1Line = m_record.line;
            m_report.warn("latin1_text", where() + ": text is not valid UTF-8; read as Latin-1");
        }
        return value;
    }
    // Trimmed raw text, for numbers and flags.
    std::string_view raw(std::size_t column) const { return detail::trimBlank(m_record.fields[column]); }

    // An id the service can keep: 1-256 bytes of UTF-8 without control characters
    // (common/text_checks.h), the rule events are held to as well.
    Result<std::string_view> requiredId(std::size_t column, const char* what, std::string& scratch) {
        const std::string_view id = text(column, scratch);
        if (id.empty())
            return fail(std::string("expected ") + what + " in " + fieldLabel(column) + ", found an empty field");
        if (auto problem = idProblem(id); !problem.empty()) {
            return fail(std::string("expected ") + what + " in " + fieldLabel(column) + ": it " + problem);
        }
        return id;
    }

    // Records the whole file probably holds, extrapolated from `readSoFar` (with 5% slack).
    std::size_t estimatedRecords(std::size_t readSoFar) const {
        const auto consumed = m_reader.bytesConsumed();
        if (consumed == 0 || m_reader.fileSize() <= consumed) return readSoFar;
        const double perByte = static_cast<double>(readSoFar) / static_cast<double>(consumed);
        return static_cast<std::size_t>(1.05 * perByte * static_cast<double>(m_reader.fileSize())) + 16;
    }

    double progress() const {
        const auto size = m_reader.fileSize();
        if (size == 0) return 0.0;
        return std::min(1.0, static_cast<double>(m_reader.bytesConsumed()) / static_cast<double>(size));
    }

private:
    void flushBlankLines() {
        if (m_pendingBlank == 0) return;
        for (std::size_t i = 0; i < m_pendingBlank; ++i) {
            const std::size_t line = m_firstPendingBlank + i;
            m_report.warn("blank_line", where(line) + ": blank line skipped");
        }
        m_pendingBlank = 0;
        m_firstPendingBlank = 0;
    }

    Error fieldCountError() const {
        std::string what = "expected " + m_layout.fieldsText + ", found " + std::to_string(m_record.fields.size());
        if (m_record.fields.size() > m_layout.fieldCount && m_layout.quoting && m_layout.delimiter.size() == 1) {
            const std::string shown = m_layout.delimiter == "\t" ? "\\t" : m_layout.delimiter;
            what += " (a field that contains '" + shown + "' must be quoted)";
        }
        return fail(what);
    }

    const FormatLayout& m_layout;
    CsvReader m_reader;
    ImportReport& m_report;
    const TaskControl& m_control;
    std::string m_stage;
    CsvRecord m_record;
    std::size_t m_records = 0;
    std::size_t m_pendingBlank = 0;       // blank lines seen since the last data record
    std::size_t m_firstPendingBlank = 0;  // consecutive, so the first line numbers them all
    std::size_t m_latin1Line = 0;
    bool m_headerSeen = false;
};

// Line numbers of rows without storing one per row: a new entry only where a row does not
// directly follow the previous one (blank lines, multi-line records, skipped rows).
class RowLines {
public:
    void add(std::size_t row, std::size_t line) {
        if (m_jumps.empty() || m_jumps.back().second + (row - m_jumps.back().first) != line) {
            m_jumps.emplace_back(row, line);
        }
    }
    std::size_t lineOf(std::size_t row) const {
        auto it = std::upper_bound(m_jumps.begin(), m_jumps.end(), row,
                                   [](std::size_t r, const auto& jump) { return r < jump.first; });
        --it;
        return it->second + (row - it->first);
    }

private:
    std::vector<std::pair<std::size_t, std::size_t>> m_jumps;  // (row, line)
};

struct ItemDraft {
    std::string title;
    std::vector<std::string> categories;
    std::int64_t releasedAt = 0;
    std::size_t line = 0;
    bool present = false;
};

void splitCategories(std::string_view text, const std::string& separators, std::vector<std::string>& out) {
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of(separators, start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view name = detail::trimBlank(text.substr(start, end - start));
        if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
        start = end + 1;
    }
}

Result<float> parseRating(RecordSource& source, std::size_t column, bool emptyMeansOne) {
    const std::string_view text = source.raw(column);
    if (text.empty()) {
        if (emptyMeansOne) return 1.0F;
        return source.fail("rating is empty; expected a number in " + source.fieldLabel(column));
    }
    const auto value = detail::parseNumber(text);
    if (!value) return source.fail("rating " + inQuotes(text) + " is not a number");
    return static_cast<float>(*value);
}

Result<std::int64_t> parseEventTime(RecordSource& source, std::size_t column) {
    const std::string_view text = source.raw(column);
    if (text.empty()) return std::int64_t{0};
    const auto value = detail::parseTimestamp(text);
    if (!value) {
        return source.fail("timestamp " + inQuotes(text) +
                           " is not a Unix time (seconds or milliseconds) or an ISO 8601 date");
    }
    return *value;
}

// Rows of one user that repeat an earlier (item, timestamp) of that user, in file order,
// each with the row it repeats. Sort-based: O(n log n) time, O(n) extra memory.
std::vector<std::pair<std::uint32_t, std::uint32_t>> findDuplicates(const std::vector<Interaction>& rows,
                                                                    std::size_t userCount) {
    std::vector<std::uint32_t> offsets(userCount + 1, 0);
    for (const Interaction& row : rows) ++offsets[row.user + 1];
    for (std::size_t u = 0; u < userCount; ++u) offsets[u + 1] += offsets[u];
    std::vector<std::uint32_t> order(rows.size());
    {
        std::vector<std::uint32_t> cursor(offsets.begin(), offsets.end() - 1);
        for (std::size_t r = 0; r < rows.size(); ++r) order[cursor[rows[r].user]++] = static_cast<std::uint32_t>(r);
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> duplicates;
    for (std::size_t u = 0; u < userCount; ++u) {
        const auto first = order.begin() + offsets[u];
        const auto last = order.begin() + offsets[u + 1];
        if (last - first < 2) continue;
        std::sort(first, last, [&rows](std::uint32_t a, std::uint32_t b) {
            const Interaction& x = rows[a];
            const Interaction& y = rows[b];
            if (x.item != y.item) return x.item < y.item;
            if (x.timestamp != y.timestamp) return x.timestamp < y.timestamp;
            return a < b;
        });
        auto kept = first;
        for (auto it = first + 1; it != last; ++it) {
            if (rows[*it].item == rows[*kept].item && rows[*it].timestamp == rows[*kept].timestamp) {
                duplicates.emplace_back(*it, *kept);
            } else {
                kept = it;
            }
        }
    }
    std::sort(duplicates.begin(), duplicates.end());
    return duplicates;
}

std::string stageLabel(const std::filesystem::path& path) {
    return "reading " + path.filename().string();
}

}  // namespace

const char* formatName(FileFormat format) {
    switch (format) {
        case FileFormat::MovieLensUData:
            return "MovieLens u.data";
        case FileFormat::MovieLensDat:
            return "MovieLens ratings.dat";
        case FileFormat::MovieLensRatingsCsv:
            return "MovieLens ratings.csv";
        case FileFormat::GenericInteractions:
            return "generic interactions";
        case FileFormat::MovieLensUItem:
            return "MovieLens u.item";
        case FileFormat::MovieLensMoviesCsv:
            return "MovieLens movies.csv";
        case FileFormat::GenericItems:
            return "generic items";
        case FileFormat::MovieLensMoviesDat:
            return "MovieLens movies.dat";
    }
    return "unknown";
}

bool isInteractionsFormat(FileFormat format) {
    switch (format) {
        case FileFormat::MovieLensUData:
        case FileFormat::MovieLensDat:
        case FileFormat::MovieLensRatingsCsv:
        case FileFormat::GenericInteractions:
            return true;
        case FileFormat::MovieLensUItem:
        case FileFormat::MovieLensMoviesCsv:
        case FileFormat::GenericItems:
        case FileFormat::MovieLensMoviesDat:
            return false;
    }
    return false;
}

std::size_t ImportReport::warningCount() const {
    std::size_t total = 0;
    for (const auto& [kind, count] : warningCounts) total += count;
    return total;
}

void ImportReport::warn(std::string kind, std::string message) {
    ++warningCounts[kind];
    if (warnings.size() < kMaxStoredWarnings) warnings.push_back({std::move(kind), std::move(message)});
}

Result<FileFormat> detectFormat(const std::filesystem::path& path) {
    auto layout = detail::detectLayout(path);
    if (!layout) return layout.error();
    return layout->format;
}

Result<ImportReport> importInteractions(const std::filesystem::path& path, Dataset& into, const TaskControl& control) {
    if (control.cancelled()) return Error{kCancelled};
    auto detected = detail::detectLayout(path);
    if (!detected) return detected.error();
    const FormatLayout& layout = *detected;
    if (!isInteractionsFormat(layout.format)) {
        return Error{path.string() + ": this is an items file (" + formatName(layout.format) +
                     "); expected interactions, one user and one item per row"};
    }
    auto reader = CsvReader::open(path, {layout.delimiter, layout.quoting});
    if (!reader) return reader.error();

    ImportReport report;
    report.format = layout.format;
    const std::string stage = stageLabel(path);
    control.report(0.0, stage);
    RecordSource source(layout, std::move(reader).value(), report, control, stage);

    // Everything is read into file-local structures first; `into` changes only on success.
    const auto& columns = layout.columns;
    const bool generic = layout.format == FileFormat::GenericInteractions;
    const bool describes = columns.title != kNoColumn || columns.category != kNoColumn;
    detail::IdInterner users;
    detail::IdInterner items;
    std::string lastUser;  // rows usually come grouped by user: skip the lookup then
    Index lastUserIndex = kNoIndex;
    std::vector<Interaction> rows;
    std::vector<ItemDraft> drafts;  // by local item, when the file describes items
    RowLines lines;
    std::string userScratch;
    std::string itemScratch;
    std::string textScratch;
    for (;;) {
        auto more = source.next();
        if (!more) return more.error();
        if (!*more) break;
        auto user = source.requiredId(columns.user, "a user id", userScratch);
        if (!user) return user.error();
        auto item = source.requiredId(columns.item, "an item id", itemScratch);
        if (!item) return item.error();
        float rating = 1.0F;
        if (columns.rating != kNoColumn) {
            auto parsed = parseRating(source, columns.rating, generic);
            if (!parsed) return parsed.error();
            rating = *parsed;
        }
        std::int64_t timestamp = 0;
        if (columns.timestamp != kNoColumn) {
            auto parsed = parseEventTime(source, columns.timestamp);
            if (!parsed) return parsed.error();
            timestamp = *parsed;
        }
        if (rows.size() >= std::numeric_limits<std::uint32_t>::max()) {
            return source.fail("more than 4,294,967,294 rows in one file; split the file");
        }
        if (lastUserIndex == kNoIndex || *user != lastUser) {
            lastUser.assign(*user);
            lastUserIndex = users.intern(*user);
        }
        Interaction row;
        row.user = lastUserIndex;
        row.item = items.intern(*item);
        row.rating = rating;
        row.timestamp = timestamp;
        lines.add(rows.size(), source.line());
        if (rows.size() == kEstimateAfterRows) rows.reserve(source.estimatedRecords(rows.size()));
        rows.push_back(row);
        if (describes) {
            if (drafts.size() <= row.item) drafts.resize(row.item + std::size_t{1});
            ItemDraft& draft = drafts[row.item];
            if (!draft.present) {
                if (columns.title != kNoColumn) draft.title = std::string(source.text(columns.title, textScratch));
                if (columns.category != kNoColumn) {
                    splitCategories(source.text(columns.category, textScratch), layout.categorySeparators,
                                    draft.categories);
                }
                draft.present = !draft.title.empty() || !draft.categories.empty();
            }
        }
    }
    if (control.cancelled()) return Error{kCancelled};

    const auto duplicates = findDuplicates(rows, users.size());
    for (const auto& [row, first] : duplicates) {
        const Interaction& r = rows[row];
        report.warn("duplicate_row", source.where(lines.lineOf(row)) + ": duplicate of line " +
                                         std::to_string(lines.lineOf(first)) + " (user " + inQuotes(users.id(r.user)) +
                                         ", item " + inQuotes(items.id(r.item)) + ", same timestamp); kept once");
    }

    // Merge: cannot fail from here on.
    std::vector<Index> userIndex(users.size());
    into.users.reserve(into.users.size() + users.size());
    for (std::size_t u = 0; u < users.size(); ++u) userIndex[u] = into.users.intern(users.id(static_cast<Index>(u)));
    std::vector<Index> itemIndex(items.size());
    into.catalog.items().reserve(into.catalog.size() + items.size());
    for (std::size_t i = 0; i < items.size(); ++i) itemIndex[i] = into.catalog.addItem(items.id(static_cast<Index>(i)));

    std::size_t kept = 0;
    auto nextDuplicate = duplicates.begin();
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (nextDuplicate != duplicates.end() && nextDuplicate->first == r) {
            ++nextDuplicate;
            continue;
        }
        Interaction row = rows[r];
        row.user = userIndex[row.user];
        row.item = itemIndex[row.item];
        rows[kept++] = row;
    }
    rows.resize(kept);
    if (into.interactions.empty()) {
        into.interactions = std::move(rows);
    } else {
        into.interactions.insert(into.interactions.end(), rows.begin(), rows.end());
    }
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        ItemDraft& draft = drafts[i];
        if (!draft.present || into.catalog.info(itemIndex[i]).described) continue;
        into.catalog.describeItem(items.id(static_cast<Index>(i)), std::move(draft.title), draft.categories);
    }

    report.rowsImported = kept;
    report.users = users.size();
    report.items = items.size();
    control.report(1.0, stage);
    return report;
}

Result<ImportReport> importItems(const std::filesystem::path& path, Dataset& into, const TaskControl& control) {
    if (control.cancelled()) return Error{kCancelled};
    auto detected = detail::detectLayout(path);
    if (!detected) return detected.error();
    const FormatLayout& layout = *detected;
    if (isInteractionsFormat(layout.format)) {
        return Error{path.string() + ": this is an interactions file (" + formatName(layout.format) +
                     "); expected an items file (u.item, movies.csv, or a header naming an item column and no "
                     "user column)"};
    }
    auto reader = CsvReader::open(path, {layout.delimiter, layout.quoting});
    if (!reader) return reader.error();

    ImportReport report;
    report.format = layout.format;
    const std::string stage = stageLabel(path);
    control.report(0.0, stage);
    RecordSource source(layout, std::move(reader).value(), report, control, stage);

    const auto& columns = layout.columns;
    const bool uItem = layout.format == FileFormat::MovieLensUItem;
    const bool movieLensTitles =
        layout.format == FileFormat::MovieLensMoviesCsv || layout.format == FileFormat::MovieLensMoviesDat;
    const auto& genres = detail::movieLensGenres();
    constexpr std::size_t kFirstGenreField = 5;
    IdMap seen;
    std::vector<ItemDraft> drafts;  // by local index in `seen`
    std::string idScratch;
    std::string textScratch;
    for (;;) {
        auto more = source.next();
        if (!more) return more.error();
        if (!*more) break;
        auto id = source.requiredId(columns.item, "an item id", idScratch);
        if (!id) return id.error();
        if (const auto first = seen.find(*id)) {
            report.warn("duplicate_item", source.where() + ": item " + inQuotes(*id) +
                                              " is described again (first at line " +
                                              std::to_string(drafts[*first].line) + "); this row is ignored");
            continue;
        }
        ItemDraft draft;
        draft.line = source.line();
        draft.present = true;
        if (columns.title != kNoColumn) draft.title = std::string(source.text(columns.title, textScratch));
        if (uItem) {
            for (std::size_t g = 0; g < genres.size(); ++g) {
                const std::size_t column = kFirstGenreField + g;
                const std::string_view flag = source.raw(column);
                if (flag == "1") {
                    draft.categories.push_back(genres[g]);
                } else if (flag != "0") {
                    return source.fail("genre flag " + inQuotes(flag) + " in " + source.fieldLabel(column) +
                                       " is not 0 or 1");
                }
            }
        } else if (columns.category != kNoColumn) {
            splitCategories(source.text(columns.category, textScratch), layout.categorySeparators, draft.categories);
        }
        if (movieLensTitles) {
            draft.releasedAt = detail::releaseFromTitle(draft.title).value_or(0);
        } else if (columns.timestamp != kNoColumn) {
            const std::string_view date = source.raw(columns.timestamp);
            if (!date.empty()) {
                const auto parsed = uItem ? detail::parseDayMonthYear(date) : detail::parseTimestamp(date);
                if (parsed) {
                    draft.releasedAt = *parsed;
                } else {
                    report.warn("bad_release_date", source.where() + ": release date " + inQuotes(date) + " is not " +
                                                        (uItem ? "dd-Mon-yyyy" : "a Unix time or an ISO 8601 date") +
                                                        "; stored as unknown");
                }
            }
        }
        seen.intern(*id);
        drafts.push_back(std::move(draft));
    }
    if (control.cancelled()) return Error{kCancelled};

    // Merge: cannot fail from here on.
    const bool hasInteractions = !into.interactions.empty();
    std::vector<char> referenced(into.catalog.size(), 0);
    for (const Interaction& row : into.interactions) referenced[row.item] = 1;
    into.catalog.items().reserve(into.catalog.size() + seen.size());
    for (std::size_t k = 0; k < drafts.size(); ++k) {
        ItemDraft& draft = drafts[k];
        const std::string& id = seen.id(static_cast<Index>(k));
        if (hasInteractions) {
            const auto existing = into.catalog.items().find(id);
            if (!existing || *existing >= referenced.size() || referenced[*existing] == 0) {
                std::string what = source.where(draft.line) + ": item " + inQuotes(id);
                if (!draft.title.empty()) what += " (" + detail::printable(draft.title) + ")";
                report.warn("unknown_item", what + " has no interactions; added to the catalog");
            }
        }
        const std::int64_t releasedAt = draft.releasedAt;
        const Index index = into.catalog.describeItem(id, std::move(draft.title), draft.categories);
        if (releasedAt != 0) into.catalog.info(index).releasedAt = releasedAt;
    }
    if (hasInteractions) {
        for (std::size_t i = 0; i < referenced.size(); ++i) {
            const auto index = static_cast<Index>(i);
            if (referenced[i] != 0 && !into.catalog.info(index).described) {
                report.warn("missing_item", source.path() + ": item " + inQuotes(into.catalog.items().id(index)) +
                                                " has interactions but no row in this file");
            }
        }
    }

    report.rowsImported = drafts.size();
    report.items = drafts.size();
    control.report(1.0, stage);
    return report;
}

}  // namespace recdeck::data

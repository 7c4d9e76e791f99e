#include "format_layout.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <string_view>
#include <system_error>

#include "text_values.h"

namespace recdeck::data::detail {

namespace {

constexpr std::size_t kSampleBytes = 64 * 1024;

// Normalised header names (see normalizedHeaderName) for each column role.
constexpr std::array<std::string_view, 10> kUserNames = {
    "user", "userid", "uid", "customerid", "customer", "clientid", "visitorid", "accountid", "memberid", "reviewerid",
};
constexpr std::array<std::string_view, 15> kItemNames = {
    "item", "itemid",    "iid",     "movieid", "movie", "productid", "product", "sku",
    "asin", "articleid", "trackid", "bookid",  "isbn",  "contentid", "videoid",
};
constexpr std::array<std::string_view, 6> kRatingNames = {"rating", "score", "stars", "rate", "preference", "weight"};
constexpr std::array<std::string_view, 9> kTimestampNames = {
    "timestamp", "ts", "time", "date", "datetime", "eventtime", "createdat", "unixtime", "epoch",
};
constexpr std::array<std::string_view, 2> kReleaseNames = {"released", "releasedate"};
constexpr std::array<std::string_view, 5> kCategoryNames = {"category", "categories", "genre", "genres", "tags"};
constexpr std::array<std::string_view, 5> kTitleNames = {"title", "name", "itemname", "productname", "movietitle"};

constexpr const char* kExpectedFormats =
    "expected MovieLens u.data (user<TAB>item<TAB>rating<TAB>timestamp), ratings.dat "
    "(user::item::rating::timestamp), a header naming user and item columns (such as "
    "userId,movieId,rating,timestamp), or an items file (u.item, movies.csv, a header naming an item column)";

template <std::size_t N>
bool oneOf(const std::array<std::string_view, N>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

void assignLeftmost(std::size_t& slot, std::size_t column) {
    if (slot == kNoColumn) slot = column;
}

ColumnRoles mapColumns(const std::vector<std::string>& normalized) {
    ColumnRoles roles;
    for (std::size_t c = 0; c < normalized.size(); ++c) {
        const std::string& name = normalized[c];
        if (oneOf(kUserNames, name))
            assignLeftmost(roles.user, c);
        else if (oneOf(kItemNames, name))
            assignLeftmost(roles.item, c);
        else if (oneOf(kRatingNames, name))
            assignLeftmost(roles.rating, c);
        else if (oneOf(kTimestampNames, name))
            assignLeftmost(roles.timestamp, c);
        else if (oneOf(kCategoryNames, name))
            assignLeftmost(roles.category, c);
        else if (oneOf(kTitleNames, name))
            assignLeftmost(roles.title, c);
    }
    // A release date only makes sense for items; an interactions file keeps event times.
    if (roles.user == kNoColumn && roles.timestamp == kNoColumn) {
        for (std::size_t c = 0; c < normalized.size(); ++c) {
            if (oneOf(kReleaseNames, normalized[c])) assignLeftmost(roles.timestamp, c);
        }
    }
    return roles;
}

std::vector<std::string_view> splitPlain(std::string_view line, std::string_view delimiter) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t hit = line.find(delimiter, start);
        if (hit == std::string_view::npos) {
            fields.push_back(trimBlank(line.substr(start)));
            return fields;
        }
        fields.push_back(trimBlank(line.substr(start, hit - start)));
        start = hit + delimiter.size();
    }
}

// Splits one header line with RFC 4180 quotes (an unclosed quote runs to the end).
std::vector<std::string> splitQuoted(std::string_view line, char delimiter) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back().push_back('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back().push_back(c);
            }
        } else if (c == delimiter) {
            fields.emplace_back();
        } else if (c == '"' && isBlank(fields.back())) {
            fields.back().clear();
            quoted = true;
        } else {
            fields.back().push_back(c);
        }
    }
    for (auto& field : fields) field = std::string(trimBlank(field));
    return fields;
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += names[i];
    }
    return out;
}

std::string countText(std::size_t count, const std::string& what) {
    return std::to_string(count) + " " + what;
}

FormatLayout fixedLayout(FileFormat format, std::string delimiter, std::vector<std::string> names, ColumnRoles roles,
                         std::string fieldsText) {
    FormatLayout layout;
    layout.format = format;
    layout.delimiter = std::move(delimiter);
    layout.quoting = false;
    layout.hasHeader = false;
    layout.fieldCount = names.size();
    layout.columnNames = std::move(names);
    layout.columns = roles;
    layout.fieldsText = std::move(fieldsText);
    return layout;
}

bool looksLikeRatingRow(const std::vector<std::string_view>& fields) {
    if (fields.size() != 3 && fields.size() != 4) return false;
    if (fields[0].empty() || fields[1].empty() || !parseNumber(fields[2])) return false;
    return fields.size() == 3 || fields[3].empty() || parseTimestamp(fields[3]).has_value();
}

Result<FormatLayout> layoutFromLine(const std::string& where, std::string_view line) {
    // MovieLens ratings.dat / movies.dat: '::' separated.
    if (line.find("::") != std::string_view::npos) {
        const auto fields = splitPlain(line, "::");
        if (fields.size() == 4 && parseNumber(fields[2])) {
            return fixedLayout(FileFormat::MovieLensDat, "::", {"UserID", "MovieID", "Rating", "Timestamp"},
                               ColumnRoles{0, 1, 2, 3, kNoColumn, kNoColumn},
                               "4 '::'-separated fields (UserID::MovieID::Rating::Timestamp)");
        }
        if (fields.size() == 3 && !fields[0].empty()) {
            auto layout = fixedLayout(FileFormat::MovieLensMoviesDat, "::", {"MovieID", "Title", "Genres"},
                                      ColumnRoles{kNoColumn, 0, kNoColumn, kNoColumn, 2, 1},
                                      "3 '::'-separated fields (MovieID::Title::Genres)");
            return layout;
        }
    }
    // MovieLens u.data: user item rating timestamp, tab-separated, no header.
    {
        const auto fields = splitPlain(line, "\t");
        if (fields.size() == 4 && looksLikeRatingRow(fields)) {
            return fixedLayout(FileFormat::MovieLensUData, "\t", {"user", "item", "rating", "timestamp"},
                               ColumnRoles{0, 1, 2, 3, kNoColumn, kNoColumn},
                               "4 tab-separated fields (user item rating timestamp)");
        }
    }
    // MovieLens u.item: 5 descriptive fields and 19 genre flags, '|'-separated.
    {
        const auto fields = splitPlain(line, "|");
        if (fields.size() == 5 + movieLensGenres().size() &&
            std::all_of(fields.begin() + 5, fields.end(), [](std::string_view f) { return f == "0" || f == "1"; })) {
            std::vector<std::string> names = {"movie id", "title", "release date", "video release date", "IMDb URL"};
            names.insert(names.end(), movieLensGenres().begin(), movieLensGenres().end());
            return fixedLayout(FileFormat::MovieLensUItem, "|", std::move(names),
                               ColumnRoles{kNoColumn, 0, kNoColumn, 2, kNoColumn, 1},
                               "24 '|'-separated fields (movie id|title|release date|video release date|IMDb URL|"
                               "19 genre flags)");
        }
    }
    // A header: pick the delimiter under which it names the most useful columns.
    struct Candidate {
        char delimiter = ',';
        std::vector<std::string> names;
        std::vector<std::string> normalized;
        ColumnRoles roles;
        int score = 0;
    };
    Candidate best;
    bool userWithoutItem = false;
    for (const char delimiter : {',', '\t', ';', '|'}) {
        Candidate candidate;
        candidate.delimiter = delimiter;
        candidate.names = splitQuoted(line, delimiter);
        for (const auto& name : candidate.names) candidate.normalized.push_back(normalizedHeaderName(name));
        candidate.roles = mapColumns(candidate.normalized);
        const bool user = candidate.roles.user != kNoColumn;
        const bool item = candidate.roles.item != kNoColumn;
        candidate.score = user && item ? 2 : item ? 1 : 0;
        userWithoutItem = userWithoutItem || (user && !item);
        if (candidate.score > best.score ||
            (candidate.score == best.score && candidate.score > 0 && candidate.names.size() > best.names.size())) {
            best = std::move(candidate);
        }
    }
    if (best.score > 0) {
        FormatLayout layout;
        layout.delimiter = std::string(1, best.delimiter);
        layout.quoting = true;
        layout.hasHeader = true;
        layout.fieldCount = best.names.size();
        layout.columns = best.roles;
        layout.categorySeparators = "|;";
        const bool comma = best.delimiter == ',';
        using Names = std::vector<std::string>;
        if (best.score == 2) {
            layout.format = comma && best.normalized == Names{"userid", "movieid", "rating", "timestamp"}
                                ? FileFormat::MovieLensRatingsCsv
                                : FileFormat::GenericInteractions;
        } else if (comma && best.normalized == Names{"movieid", "title", "genres"}) {
            layout.format = FileFormat::MovieLensMoviesCsv;
            layout.categorySeparators = "|";
        } else {
            layout.format = FileFormat::GenericItems;
        }
        layout.fieldsText = countText(layout.fieldCount, "fields (" + joinNames(best.names) + ")");
        layout.columnNames = std::move(best.names);
        return layout;
    }
    if (userWithoutItem) {
        return Error{where +
                     ": the header names a user column but no item column; expected one of item, item_id, "
                     "itemid, iid, movieId, product_id, sku, asin (any case)"};
    }
    // Header-less rows of user, item, rating[, timestamp].
    for (const char delimiter : {',', '\t', ';'}) {
        const auto names = splitQuoted(line, delimiter);
        const std::vector<std::string_view> fields(names.begin(), names.end());
        if (looksLikeRatingRow(fields)) {
            FormatLayout layout;
            layout.format = FileFormat::GenericInteractions;
            layout.delimiter = std::string(1, delimiter);
            layout.quoting = true;
            layout.hasHeader = false;
            layout.fieldCount = fields.size();
            layout.columnNames = {"user", "item", "rating", "timestamp"};
            layout.columnNames.resize(fields.size());
            layout.columns = ColumnRoles{0, 1, 2, fields.size() == 4 ? 3 : kNoColumn, kNoColumn, kNoColumn};
            layout.categorySeparators = "|;";
            layout.fieldsText = countText(layout.fieldCount, "fields (" + joinNames(layout.columnNames) + ")");
            return layout;
        }
    }
    return Error{where + ": unrecognised format; " + kExpectedFormats + "; the line reads '" + printable(line) + "'"};
}

}  // namespace

const std::vector<std::string>& movieLensGenres() {
    static const std::vector<std::string> genres = {
        "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
        "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
        "Romance",     "Sci-Fi", "Thriller",  "War",       "Western",
    };
    return genres;
}

Result<FormatLayout> detectLayout(const std::filesystem::path& path) {
    const std::string shown = path.string();
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return Error{shown + ": is a directory; expected a ratings or items file"};
#ifdef _WIN32
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(_wfopen(path.c_str(), L"rb"), &std::fclose);
#else
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
#endif
    if (!file) return Error{shown + ": cannot open (" + std::generic_category().message(errno) + ")"};
    std::string sample(kSampleBytes, '\0');
    sample.resize(std::fread(sample.data(), 1, sample.size(), file.get()));
    if (std::ferror(file.get()) != 0) return Error{shown + ": read error"};

    std::string_view text(sample);
    if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
        return Error{shown + ":1: UTF-16 text is not supported; expected UTF-8 or Latin-1 (save the file as UTF-8)"};
    }
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        const auto line = 1 + static_cast<std::size_t>(
                                  std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
        return Error{shown + ":" + std::to_string(line) +
                     ": binary data (NUL byte); expected a text file of ratings or items"};
    }
    std::size_t lineNumber = 1;
    while (!text.empty()) {
        const std::size_t newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        if (!isBlank(line)) {
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            return layoutFromLine(shown + ":" + std::to_string(lineNumber), line);
        }
        if (newline == std::string_view::npos) break;
        text.remove_prefix(newline + 1);
        ++lineNumber;
    }
    return Error{shown + ": the file is empty; expected a ratings or items file"};
}

}  // namespace recdeck::data::detail

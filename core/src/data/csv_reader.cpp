#include "csv_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "text_values.h"

namespace recdeck::data::detail {

namespace {
// Large enough that refills are rare, small enough that memory stays flat on huge files.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
constexpr const char* kNulMessage = "binary data (NUL byte) where text was expected";
}  // namespace

Result<CsvReader> CsvReader::open(const std::filesystem::path& path, Options options) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return Error{path.string() + ": is a directory; expected a ratings or items file"};
    }
#ifdef _WIN32
    std::FILE* file = _wfopen(path.c_str(), L"rb");
#else
    std::FILE* file = std::fopen(path.c_str(), "rb");
#endif
    if (file == nullptr) {
        return Error{path.string() + ": cannot open (" + std::generic_category().message(errno) + ")"};
    }
    CsvReader reader;
    reader.m_file.reset(file);
    reader.m_displayPath = path.string();
    reader.m_options = std::move(options);
    if (reader.m_options.delimiter.empty()) reader.m_options.delimiter = ",";
    const auto size = std::filesystem::file_size(path, ec);
    reader.m_fileSize = ec ? 0 : static_cast<std::uint64_t>(size);
    reader.fill();
    if (reader.m_buffer.compare(0, 3, "\xEF\xBB\xBF") == 0) reader.m_pos = 3;
    return reader;
}

bool CsvReader::fill() {
    if (m_eof) return false;
    const std::size_t old = m_buffer.size();
    m_buffer.resize(old + kChunkBytes);
    const std::size_t got = std::fread(m_buffer.data() + old, 1, kChunkBytes, m_file.get());
    m_buffer.resize(old + got);
    if (got < kChunkBytes) {
        m_eof = true;
        m_readError = std::ferror(m_file.get()) != 0;
    }
    return got > 0;
}

bool CsvReader::ensure(std::size_t size) {
    while (m_buffer.size() < size) {
        if (!fill()) return false;
    }
    return true;
}

bool CsvReader::delimiterAt(std::size_t pos) {
    const std::string& d = m_options.delimiter;
    if (!ensure(pos + d.size())) return false;
    return m_buffer.compare(pos, d.size(), d) == 0;
}

Error CsvReader::errorAt(std::size_t line, const std::string& what) const {
    return Error{m_displayPath + ":" + std::to_string(line) + ": " + what};
}

Result<bool> CsvReader::read(CsvRecord& record) {
    record.fields.clear();
    record.blank = false;
    // Drop consumed text once a chunk's worth has accumulated: amortised O(1) per byte.
    if (m_pos >= kChunkBytes) {
        m_buffer.erase(0, m_pos);
        m_consumedBase += m_pos;
        m_pos = 0;
    }
    if (!ensure(m_pos + 1)) {
        if (m_readError) return errorAt(m_line, "read error");
        return false;
    }
    record.line = m_line;

    // The physical line [m_pos, newline).
    std::size_t scan = m_pos;
    std::size_t newline = 0;
    for (;;) {
        const void* hit = std::memchr(m_buffer.data() + scan, '\n', m_buffer.size() - scan);
        if (hit != nullptr) {
            newline = static_cast<std::size_t>(static_cast<const char*>(hit) - m_buffer.data());
            break;
        }
        scan = m_buffer.size();
        if (!fill()) {
            newline = m_buffer.size();
            break;
        }
    }
    if (m_readError) return errorAt(m_line, "read error");

    std::string_view line(m_buffer.data() + m_pos, newline - m_pos);
    if (line.find('\0') != std::string_view::npos) return errorAt(m_line, kNulMessage);
    if (m_options.quoting && line.find('"') != std::string_view::npos) return readQuoted(record);

    m_pos = std::min(newline + 1, m_buffer.size());
    ++m_line;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (isBlank(line)) {
        record.blank = true;
        return true;
    }
    const std::string& d = m_options.delimiter;
    std::size_t start = 0;
    for (;;) {
        const std::size_t hit = d.size() == 1 ? line.find(d.front(), start) : line.find(d, start);
        if (hit == std::string_view::npos) {
            record.fields.push_back(line.substr(start));
            break;
        }
        record.fields.push_back(line.substr(start, hit - start));
        start = hit + d.size();
    }
    return true;
}

Result<bool> CsvReader::readQuoted(CsvRecord& record) {
    // Works on offsets, not pointers: reading on appends to m_buffer and may move it.
    m_spans.clear();
    const std::string& d = m_options.delimiter;
    const bool tabDelimited = d == "\t";
    auto isPad = [tabDelimited](char c) { return c == ' ' || (c == '\t' && !tabDelimited); };
    std::size_t r = m_pos;
    std::size_t extraLines = 0;
    for (;;) {
        std::size_t j = r;
        while (ensure(j + 1) && isPad(m_buffer[j])) ++j;
        if (ensure(j + 1) && m_buffer[j] == '"') {
            // The unescaped text is never longer than the raw text: write it in place.
            std::size_t w = j;
            const std::size_t start = w;
            r = j + 1;
            for (;;) {
                if (!ensure(r + 1)) {
                    if (m_readError) return errorAt(record.line + extraLines, "read error");
                    return errorAt(record.line,
                                   "quoted field " + std::to_string(m_spans.size() + 1) +
                                       " is not closed; expected a closing '\"' before the end of the file");
                }
                const char c = m_buffer[r];
                if (c == '"') {
                    if (ensure(r + 2) && m_buffer[r + 1] == '"') {
                        m_buffer[w++] = '"';
                        r += 2;
                        continue;
                    }
                    ++r;
                    break;
                }
                if (c == '\0') return errorAt(record.line + extraLines, kNulMessage);
                if (c == '\n') ++extraLines;
                m_buffer[w++] = c;
                ++r;
            }
            m_spans.emplace_back(start, w - start);
            while (ensure(r + 1) && isPad(m_buffer[r])) ++r;
            if (!ensure(r + 1)) break;  // the end of the file ends the record
            if (delimiterAt(r)) {
                r += d.size();
                continue;
            }
            if (m_buffer[r] == '\n') {
                ++r;
                break;
            }
            if (m_buffer[r] == '\r' && (!ensure(r + 2) || m_buffer[r + 1] == '\n')) {
                r = std::min(r + 2, m_buffer.size());
                break;
            }
            return errorAt(record.line + extraLines,
                           "unexpected text after the closing quote of field " + std::to_string(m_spans.size()) +
                               "; expected '" + (tabDelimited ? std::string("\\t") : d) +
                               "' or the end of the line (double a '\"' inside a quoted field)");
        }
        const std::size_t start = r;
        bool endOfRecord = false;
        for (;;) {
            if (!ensure(r + 1)) {
                endOfRecord = true;
                break;
            }
            if (delimiterAt(r)) break;
            const char c = m_buffer[r];
            if (c == '\n') {
                endOfRecord = true;
                break;
            }
            if (c == '\0') return errorAt(record.line + extraLines, kNulMessage);
            ++r;
        }
        std::size_t end = r;
        if (endOfRecord && end > start && m_buffer[end - 1] == '\r') --end;
        m_spans.emplace_back(start, end - start);
        if (endOfRecord) {
            if (r < m_buffer.size()) ++r;  // past the '\n'
            break;
        }
        r += d.size();
    }
    if (m_readError) return errorAt(record.line + extraLines, "read error");
    m_pos = r;
    m_line += 1 + extraLines;
    record.fields.reserve(m_spans.size());
    for (const auto& [offset, length] : m_spans) record.fields.emplace_back(m_buffer.data() + offset, length);
    return true;
}

}  // namespace recdeck::data::detail

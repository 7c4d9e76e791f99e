#pragma once
// Internal to the data module: a streaming reader of delimited text records (CSV, TSV,
// semicolon, '|' or '::' separated). Reads the file in 1 MiB chunks, so memory does not
// grow with the file; skips a UTF-8 byte order mark; accepts LF and CRLF; optionally
// follows RFC 4180 quoting (a field that starts with '"' may hold the delimiter, line
// breaks and doubled quotes). Not thread-safe; one reader per file.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "recdeck/common/result.h"

namespace recdeck::data::detail {

struct CsvRecord {
    std::size_t line = 0;                  // 1-based line where the record starts
    std::vector<std::string_view> fields;  // raw field text, valid until the next read()
    bool blank = false;                    // an empty or whitespace-only line (no fields)
};

class CsvReader {
public:
    struct Options {
        std::string delimiter = ",";  // one or more characters ("::")
        bool quoting = true;          // RFC 4180 quotes; off for u.data, u.item, '::' files
    };

    // Opens `path` for reading; fails with "path: cannot open ..." messages.
    static Result<CsvReader> open(const std::filesystem::path& path, Options options);

    // Reads the next record into `record`: true when one was read, false at the end of
    // the file. Fails with "path:line: ..." on a NUL byte, an unclosed quoted field, text
    // after a closing quote, or a read error.
    Result<bool> read(CsvRecord& record);

    // Bytes consumed so far and the file size, for progress.
    std::uint64_t bytesConsumed() const { return m_consumedBase + m_pos; }
    std::uint64_t fileSize() const { return m_fileSize; }
    const std::string& displayPath() const { return m_displayPath; }

private:
    struct FileCloser {
        void operator()(std::FILE* file) const { std::fclose(file); }
    };

    CsvReader() = default;
    // Appends the next chunk of the file to the buffer; false when nothing was added.
    bool fill();
    // Makes sure m_buffer holds at least `size` bytes, reading more as needed.
    bool ensure(std::size_t size);
    bool delimiterAt(std::size_t pos);
    Error errorAt(std::size_t line, const std::string& what) const;
    Result<bool> readQuoted(CsvRecord& record);

    std::unique_ptr<std::FILE, FileCloser> m_file;
    std::string m_displayPath;
    Options m_options;
    std::string m_buffer;
    std::size_t m_pos = 0;             // first unconsumed byte of m_buffer
    std::uint64_t m_consumedBase = 0;  // bytes dropped from the front of m_buffer
    std::uint64_t m_fileSize = 0;
    std::size_t m_line = 1;  // line number of m_pos
    bool m_eof = false;
    bool m_readError = false;
    std::vector<std::pair<std::size_t, std::size_t>> m_spans;  // quoted path: (offset, length)
};

}  // namespace recdeck::data::detail

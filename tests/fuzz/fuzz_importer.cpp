// Fuzz target: the dataset importers (format detection, CSV/TSV/MovieLens parsing,
// Latin-1, quoting, timestamps, item descriptions). The first byte picks what the rest
// is: an interactions file (even) or an items file imported over a small catalog (odd).
// Invariants: no crash; a failure is an Error naming the file and line; on success the
// dataset is consistent (every row's user and item exist, ids are non-empty, bounded and
// free of control characters) and a failed import leaves the dataset unchanged.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "fuzz_check.h"
#include "recdeck/common/text_checks.h"
#include "recdeck/data/dataset.h"
#include "recdeck/data/importer.h"

namespace {

const std::filesystem::path& scratchFile() {
    static const std::filesystem::path file = [] {
        std::string pattern = (std::filesystem::temp_directory_path() / "recdeck-fuzz-importer-XXXXXX").string();
        const char* dir = ::mkdtemp(pattern.data());
        if (dir == nullptr) std::abort();
        return std::filesystem::path(dir) / "input.csv";
    }();
    return file;
}

void checkConsistent(const recdeck::data::Dataset& dataset) {
    for (const auto& row : dataset.interactions) {
        FUZZ_CHECK(row.user < dataset.users.size());
        FUZZ_CHECK(row.item < dataset.catalog.size());
    }
    for (std::size_t u = 0; u < dataset.users.size(); ++u) {
        const auto id = dataset.users.id(static_cast<recdeck::data::Index>(u));
        FUZZ_CHECK(recdeck::idProblem(id).empty());
    }
    for (std::size_t i = 0; i < dataset.catalog.size(); ++i) {
        const auto id = dataset.catalog.items().id(static_cast<recdeck::data::Index>(i));
        FUZZ_CHECK(recdeck::idProblem(id).empty());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool items = (data[0] & 1U) != 0;
    const auto& file = scratchFile();
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
    }
    recdeck::data::Dataset dataset;
    if (items) {
        // A catalog the items file describes (or adds to).
        for (const char* id : {"1", "2", "3", "10", "42"}) dataset.catalog.addItem(id);
        const std::size_t before = dataset.catalog.size();
        auto report = recdeck::data::importItems(file, dataset);
        if (!report) {
            FUZZ_CHECK(!report.errorMessage().empty());
            FUZZ_CHECK(dataset.catalog.size() == before);
        } else {
            FUZZ_CHECK(dataset.catalog.size() >= before);
        }
    } else {
        auto report = recdeck::data::importInteractions(file, dataset);
        if (!report) {
            FUZZ_CHECK(!report.errorMessage().empty());
            FUZZ_CHECK(dataset.interactions.empty() && dataset.users.size() == 0);
        } else {
            FUZZ_CHECK(report->rowsImported == dataset.interactions.size());
            FUZZ_CHECK(report->warnings.size() <= recdeck::data::ImportReport::kMaxStoredWarnings);
        }
    }
    checkConsistent(dataset);
    return 0;
}

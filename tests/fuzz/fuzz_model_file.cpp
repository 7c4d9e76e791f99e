// Fuzz target: saved model files (ModelFile::read and every model kind's parameter
// block). The first byte picks the mode: 0 reads the rest as a whole file (magic, header,
// checksum); anything else treats the rest as the payload and wraps it in a valid header
// with its checksum, so the parsers behind the checksum are reached. Invariants: no crash,
// no exception, no allocation beyond what the input can justify; a file that loads can
// score a user (its first training user, with a short history) without reading out of
// bounds, and gives exactly one finite-or-minus-infinity score per item.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "recdeck/models/model_file.h"

namespace {

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

void appendLittleEndian(std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFU));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string file;
    if (data[0] == 0) {
        file.assign(rest);
    } else {
        file.append(recdeck::models::ModelFile::kMagic);
        appendLittleEndian(file, recdeck::models::ModelFile::kFormatVersion, 4);
        appendLittleEndian(file, rest.size(), 8);
        appendLittleEndian(file, fnv1a(rest), 8);
        file.append(rest);
    }
    std::istringstream in(file, std::ios::binary);
    auto loaded = recdeck::models::ModelFile::read(in, "fuzz.rdm");
    if (!loaded) {
        FUZZ_CHECK(loaded.errorMessage().find("fuzz.rdm") != std::string::npos);
        return 0;
    }
    const auto& model = *loaded->model;
    FUZZ_CHECK(model.itemCount() == loaded->itemIds.size());
    if (model.itemCount() == 0 || model.itemCount() > (1U << 20)) return 0;
    std::vector<recdeck::data::Index> history;
    for (recdeck::data::Index i = 0; i < model.itemCount() && history.size() < 3; i += 2) history.push_back(i);
    recdeck::models::UserContext user;
    if (!loaded->userIds.empty()) user.trainedUser = 0;
    user.history = history;
    std::vector<float> scores(model.itemCount(), 0.0F);
    model.scoreAll(user, scores);
    for (float score : scores) FUZZ_CHECK(!std::isnan(score));
    return 0;
}

#include "test_support.h"

#include <QProcess>
#ifdef __linux__
#include <sys/prctl.h>

#include <csignal>
#endif

#include <cstdlib>
#include <random>
#include <string>

namespace recdeck::test {

namespace {
std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}
}  // namespace

std::filesystem::path goldenDataDir() {
    if (auto dir = env("RECDECK_TEST_DATA")) return *dir;
    return std::filesystem::path(RECDECK_SOURCE_DIR) / "tests" / "data";
}

std::optional<std::filesystem::path> movieLensSmallDir() {
    for (const char* name : {"RECDECK_DATASET_DIR", "RECDECK_DEFAULT_DATASET_DIR"}) {
        if (auto dir = env(name)) {
            std::filesystem::path path(*dir);
            if (std::filesystem::exists(path / "ratings.csv")) return path;
        }
    }
    return std::nullopt;
}

bool requirePrerequisites() {
    const auto ci = env("RECDECK_CI");
    return ci && *ci != "0";
}

std::filesystem::path makeTempDir(const char* prefix) {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto path = std::filesystem::temp_directory_path() / (std::string(prefix) + "-" + std::to_string(rd()));
        if (std::filesystem::create_directory(path)) return path;
    }
    return std::filesystem::temp_directory_path();
}

}  // namespace recdeck::test

namespace recdeck::test {

int timeScale() {
    if (const char* text = std::getenv("RECDECK_TIME_SCALE")) {
        const int value = std::atoi(text);
        if (value >= 1) return value;
    }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return 5;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return 5;
#else
    return 1;
#endif
#else
    return 1;
#endif
}

void dieWithTest(QProcess& process) {
#ifdef __linux__
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#else
    (void)process;
#endif
}

}  // namespace recdeck::test

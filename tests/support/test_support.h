#pragma once
// Shared helpers for RecDeck's tests: where the golden data and the development dataset
// live, and a visible skip (or, in CI, a failure) when the dataset is missing.

#include <QString>
#include <QTest>

#include <filesystem>

class QProcess;
#include <optional>

namespace recdeck::test {

// tests/data in the source tree (golden inputs and expected outputs).
std::filesystem::path goldenDataDir();
// The ml-latest-small folder: $RECDECK_DATASET_DIR, else the one found at configure time.
std::optional<std::filesystem::path> movieLensSmallDir();
// True when running in CI (RECDECK_CI=1): missing prerequisites must fail, not skip.
bool requirePrerequisites();
// A fresh empty directory under the system temp folder, removed by the caller.
std::filesystem::path makeTempDir(const char* prefix);
// How much longer than usual bounded waits may take: $RECDECK_TIME_SCALE, else 5 in a
// sanitizer build and 1 otherwise. Tests multiply their limits by it (never assert on time).
int timeScale();
// Makes a child the test starts die with the test, also when the test aborts or ctest
// kills it on a timeout (Linux: PR_SET_PDEATHSIG; elsewhere the test's own clean-up is
// all there is). Call before QProcess::start.
void dieWithTest(QProcess& process);

}  // namespace recdeck::test

// Skips the current test with a visible reason, or fails it in CI.
#define RECDECK_REQUIRE_DATASET(dirVar)                                                   \
    const auto dirVar##Opt = ::recdeck::test::movieLensSmallDir();                        \
    if (!dirVar##Opt) {                                                                   \
        if (::recdeck::test::requirePrerequisites())                                      \
            QFAIL("ml-latest-small not found: set RECDECK_DATASET_DIR (required in CI)"); \
        QSKIP("ml-latest-small not found: set RECDECK_DATASET_DIR to run this test");     \
    }                                                                                     \
    const std::filesystem::path dirVar = *dirVar##Opt

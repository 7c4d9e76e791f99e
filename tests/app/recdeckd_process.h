#pragma once
// Running the built recdeckd (RECDECKD_PATH, a compile definition) and the Python reference
// evaluator from the offline CLI tests, and reading the files they write.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "test_support.h"

namespace recdeck::test {

struct ProcessRun {
    int exitCode = -1;  // -1: crashed or timed out
    QByteArray out;
    QByteArray err;
};

inline ProcessRun runProcess(const QString& program, const QStringList& arguments, int timeoutMs) {
    QProcess process;
    test::dieWithTest(process);
    process.start(program, arguments);
    ProcessRun run;
    if (!process.waitForStarted(10000)) return run;
    // Scaled like every bounded wait: a sanitizer build trains and scores several times slower.
    if (!process.waitForFinished(timeoutMs * timeScale())) {
        process.kill();
        process.waitForFinished();
        run.err = "timed out";
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

inline ProcessRun runRecdeckd(const QStringList& arguments, int timeoutMs = 120000) {
    return runProcess(QStringLiteral(RECDECKD_PATH), arguments, timeoutMs);
}

inline QString pathArg(const std::filesystem::path& path) {
    return QString::fromStdString(path.string());
}

// The single JSON object a run printed on stdout (empty when it is not one).
inline QJsonObject jsonObject(const ProcessRun& run) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
    return error.error == QJsonParseError::NoError && document.isObject() ? document.object() : QJsonObject();
}

// python3 on the PATH, if any.
inline std::optional<QString> python3() {
    const QString found = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (found.isEmpty()) return std::nullopt;
    return found;
}

struct RecsRow {
    std::string user;
    std::string item;
    std::string score;
};

// Rows of a user<TAB>item<TAB>score file, verbatim; an empty vector when unreadable.
inline std::vector<RecsRow> readRecsRows(const std::filesystem::path& path) {
    std::vector<RecsRow> rows;
    std::ifstream in(path, std::ios::binary);
    for (std::string line; std::getline(in, line);) {
        const auto a = line.find('\t');
        const auto b = a == std::string::npos ? a : line.find('\t', a + 1);
        if (b == std::string::npos) {
            rows.push_back({line, {}, {}});  // malformed: the caller's checks will say so
            continue;
        }
        rows.push_back({line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1)});
    }
    return rows;
}

}  // namespace recdeck::test

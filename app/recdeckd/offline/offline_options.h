#pragma once
// Options shared by recdeckd's offline commands (train, recommend-batch, eval), so they
// read and check them alike: file paths, --k, --diversity, --model; and the command-line
// wording around recdeck::evaluation's offline steps (which do the work).

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "cli.h"
#include "recdeck/common/result.h"
#include "recdeck/evaluation/offline_data.h"

// Unwraps a recdeck::Result or returns the bad-input exit status (2, message on stderr)
// from the enclosing command.
#define RECDECK_TRY_INPUT(variable, expression) \
    auto variable = (expression);               \
    if (!variable) return ::recdeckd::badInput(variable.errorMessage())

namespace recdeckd::offline {

QCommandLineOption valueOption(const char* name, const char* description, const char* valueName);

// The option's value as a path; nullopt when absent. An empty value is an error.
recdeck::Result<std::optional<std::filesystem::path>> pathOption(const QCommandLineParser& parser, const char* name);
// As pathOption, but the option is required.
recdeck::Result<std::filesystem::path> requiredPath(const QCommandLineParser& parser, const char* name,
                                                    const char* meaning);

// --k: a whole number in [1, 10000]; 10 when absent.
recdeck::Result<std::size_t> listLength(const QCommandLineParser& parser);

// --diversity on|off (also true/false, yes/no, 1/0); on when absent.
recdeck::Result<bool> diversity(const QCommandLineParser& parser);

// Runs a command body; an exception escaping it (memory exhaustion and the like; expected
// failures are values) becomes "recdeckd: ..." and exit status 1 instead of an abort.
int runGuarded(const std::function<int()>& body);

// An --out path whose folder exists (checked before any long work). Error names the option.
recdeck::Status checkOutputFolder(const std::filesystem::path& path, const char* option);
// As checkOutputFolder, and the path must not be a symlink or a special file (a device, a
// pipe): ModelFile::save replaces the file atomically by renaming a temporary over it.
recdeck::Status checkReplaceable(const std::filesystem::path& path, const char* option);

// --model NAME; nullopt when absent.
std::optional<std::string> modelName(const QCommandLineParser& parser);

// "--model NAME" help text listing the kinds.
const char* modelHelp();

// evaluation::trainModel for --model NAME (an unknown name is "--model: ...").
recdeck::Result<recdeck::evaluation::TrainedModel> trainNamedModel(const recdeck::evaluation::OfflineData& data,
                                                                   const std::string& name);
// evaluation::loadModelFile for --model-file PATH: a file trained on other data says how to
// make one that fits, and with --model NAME the file must hold that model (name or kind).
recdeck::Result<recdeck::evaluation::TrainedModel> loadModelFileFor(const recdeck::evaluation::OfflineData& data,
                                                                    const std::filesystem::path& path,
                                                                    const std::optional<std::string>& name);

// Prints "recdeckd: message" to stderr and returns the exit status of the error's kind.
int stepFailed(const recdeck::Error& error);

QString qtext(const std::string& s);

}  // namespace recdeckd::offline

#pragma once
// Command-line plumbing shared by recdeckd's subcommands: the subcommand table, usage
// errors (exit status 2) and printing.

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <string>

namespace recdeckd {

// Exit statuses: 0 success, 1 runtime failure, 2 bad input (usage, malformed file).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const QStringList& arguments);  // arguments[0] is "recdeckd <name>"
};

// Every subcommand, in the order --help lists them.
const std::vector<Command>& commands();

// Parses arguments with parser (adds --help); on error prints it and returns false with
// exitCode set (2 for usage errors, 0 for --help).
bool parseOrExit(QCommandLineParser& parser, const QStringList& arguments, const QString& description, int& exitCode);

// Prints "recdeckd: message" to stderr and returns kExitBadInput.
int badInput(const QString& message);
int badInput(const std::string& message);
// Prints "recdeckd: message" to stderr and returns kExitFailure.
int failure(const QString& message);
void printLine(const QString& line);

}  // namespace recdeckd

#include "cli.h"

#include <cstdio>

namespace recdeckd {

bool parseOrExit(QCommandLineParser& parser, const QStringList& arguments, const QString& description, int& exitCode) {
    parser.setApplicationDescription(description);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOption(help);
    if (!parser.parse(arguments)) {
        exitCode = badInput(parser.errorText() + QStringLiteral(" (see --help)"));
        return false;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        exitCode = kExitOk;
        return false;
    }
    if (!parser.positionalArguments().isEmpty()) {
        exitCode =
            badInput(QStringLiteral("unexpected argument '%1' (see --help)").arg(parser.positionalArguments().first()));
        return false;
    }
    return true;
}

int badInput(const QString& message) {
    std::fprintf(stderr, "recdeckd: %s\n", qPrintable(message));
    return kExitBadInput;
}

int badInput(const std::string& message) {
    return badInput(QString::fromStdString(message));
}

int failure(const QString& message) {
    std::fprintf(stderr, "recdeckd: %s\n", qPrintable(message));
    return kExitFailure;
}

void printLine(const QString& line) {
    std::fputs(qPrintable(line), stdout);
    std::fputc('\n', stdout);
}

}  // namespace recdeckd

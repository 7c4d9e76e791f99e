#include "offline/offline_options.h"

#include <cstdio>
#include <exception>
#include <system_error>

#include "recdeck/models/model_factory.h"

namespace recdeckd::offline {

using recdeck::Error;

QCommandLineOption valueOption(const char* name, const char* description, const char* valueName) {
    return QCommandLineOption(QStringList{QString::fromLatin1(name)}, QString::fromUtf8(description),
                              QString::fromLatin1(valueName));
}

recdeck::Result<std::optional<std::filesystem::path>> pathOption(const QCommandLineParser& parser, const char* name) {
    const QString key = QString::fromLatin1(name);
    if (!parser.isSet(key)) return std::optional<std::filesystem::path>();
    const QString value = parser.value(key);
    if (value.isEmpty()) return Error{std::string("--") + name + ": expected a file path, got an empty value"};
    return std::optional<std::filesystem::path>(std::filesystem::path(value.toStdString()));
}

recdeck::Result<std::filesystem::path> requiredPath(const QCommandLineParser& parser, const char* name,
                                                    const char* meaning) {
    auto path = pathOption(parser, name);
    if (!path) return path.error();
    if (!*path) return Error{std::string("--") + name + " is required (" + meaning + ")"};
    return **path;
}

recdeck::Result<std::size_t> listLength(const QCommandLineParser& parser) {
    if (!parser.isSet(QStringLiteral("k"))) return std::size_t{10};
    const QString raw = parser.value(QStringLiteral("k")).trimmed();
    bool ok = false;
    const qulonglong k = raw.toULongLong(&ok);
    if (!ok || k < 1 || k > 10000) {
        return Error{"--k: expected a whole number of items per user between 1 and 10000, got '" + raw.toStdString() +
                     "'"};
    }
    return static_cast<std::size_t>(k);
}

recdeck::Result<bool> diversity(const QCommandLineParser& parser) {
    if (!parser.isSet(QStringLiteral("diversity"))) return true;
    const QString raw = parser.value(QStringLiteral("diversity")).trimmed().toLower();
    if (raw == QLatin1String("on") || raw == QLatin1String("true") || raw == QLatin1String("yes") ||
        raw == QLatin1String("1")) {
        return true;
    }
    if (raw == QLatin1String("off") || raw == QLatin1String("false") || raw == QLatin1String("no") ||
        raw == QLatin1String("0")) {
        return false;
    }
    return Error{"--diversity: expected on or off, got '" + raw.toStdString() + "'"};
}

int runGuarded(const std::function<int()>& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        return failure(QStringLiteral("failed: %1").arg(QString::fromUtf8(e.what())));
    } catch (...) {
        return failure(QStringLiteral("failed with an unknown error"));
    }
}

recdeck::Status checkOutputFolder(const std::filesystem::path& path, const char* option) {
    std::error_code ec;
    const auto parent = path.parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
        return Error{std::string("--") + option + ": " + parent.string() + ": no such folder"};
    }
    return {};
}

recdeck::Status checkReplaceable(const std::filesystem::path& path, const char* option) {
    if (auto folder = checkOutputFolder(path, option); !folder) return folder;
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(path, ec);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
        return Error{std::string("--") + option + ": " + path.string() +
                     " is not a regular file (a symlink, directory or device); give the path of a file to write"};
    }
    return {};
}

std::optional<std::string> modelName(const QCommandLineParser& parser) {
    if (!parser.isSet(QStringLiteral("model"))) return std::nullopt;
    return parser.value(QStringLiteral("model")).trimmed().toStdString();
}

const char* modelHelp() {
    return "Model: default (what the console serves: EASE + ALS blend, or ALS on catalogs too large for "
           "EASE), popularity, itemknn, als, ease, blend.";
}

recdeck::Result<recdeck::evaluation::TrainedModel> trainNamedModel(const recdeck::evaluation::OfflineData& data,
                                                                   const std::string& name) {
    auto trained = recdeck::evaluation::trainModel(data, name);
    if (!trained && trained.errorKind() == recdeck::ErrorKind::Invalid)
        return Error::invalid("--model: " + trained.errorMessage());
    return trained;
}

recdeck::Result<recdeck::evaluation::TrainedModel> loadModelFileFor(const recdeck::evaluation::OfflineData& data,
                                                                    const std::filesystem::path& path,
                                                                    const std::optional<std::string>& name) {
    auto loaded = recdeck::evaluation::loadModelFile(data, path);
    if (!loaded) {
        if (loaded.error().reason != recdeck::evaluation::kOtherTrainingData) return loaded;
        return Error::invalid(loaded.errorMessage() + "; train it again with recdeckd train --train " +
                              data.trainPath.string());
    }
    if (name && *name != loaded->name && *name != loaded->kind) {
        return Error::invalid("--model " + *name + ": " + path.string() + " holds model '" + loaded->name + "' (" +
                              loaded->kind + ")");
    }
    return loaded;
}

int stepFailed(const recdeck::Error& error) {
    std::fprintf(stderr, "recdeckd: %s\n", error.message.c_str());
    return recdeck::errorExitCode(error.kind);
}

QString qtext(const std::string& s) {
    return QString::fromStdString(s);
}

}  // namespace recdeckd::offline

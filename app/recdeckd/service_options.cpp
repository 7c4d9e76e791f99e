#include "service_options.h"

#include <QDir>
#include <QStandardPaths>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "cli.h"
#include "recdeck/common/stopwatch.h"
#include "recdeck/store/redis_url.h"

namespace recdeckd {

using recdeck::Error;
using recdeck::Result;

ServiceOptions::ServiceOptions()
    : m_redis(QStringLiteral("redis"),
              QStringLiteral("Share state through Redis: redis://host:port/db (the password "
                             "from RECDECK_REDIS_PASSWORD or --redis-password-file, never "
                             "in the URL). Default: embedded."),
              QStringLiteral("URL")),
      m_redisPasswordFile(QStringLiteral("redis-password-file"),
                          QStringLiteral("File holding the Redis password (first line; readable by its owner only)."),
                          QStringLiteral("FILE")),
      m_data(QStringLiteral("data"),
             QStringLiteral("Data folder for the event log and models (default: %1).").arg(defaultDataDir()),
             QStringLiteral("DIR")),
      m_dataset(
          QStringLiteral("dataset"),
          QStringLiteral("Interactions file to import and train on (MovieLens u.data / ratings.csv, or CSV/TSV "
                         "with user and item columns). Default: the data folder's last dataset, else the demo world."),
          QStringLiteral("RATINGS")),
      m_items(QStringLiteral("items"),
              QStringLiteral("Items file with titles and categories (u.item, movies.csv, CSV)."),
              QStringLiteral("ITEMS")),
      m_models(QStringLiteral("models"),
               QStringLiteral("Models to have trained, comma-separated (default: popularity,itemknn,als,default)."),
               QStringLiteral("LIST")) {}

void ServiceOptions::addTo(QCommandLineParser& parser) const {
    parser.addOptions({m_redis, m_redisPasswordFile, m_data, m_dataset, m_items, m_models});
}

QString defaultDataDir() {
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base.isEmpty() ? QDir::homePath() : base).filePath(QStringLiteral("recdeck/service"));
}

Result<recdeck::serving::EngineConfig> ServiceOptions::engineConfig(const QCommandLineParser& parser) const {
    recdeck::serving::EngineConfig config;
    config.dataDir = (parser.isSet(m_data) ? parser.value(m_data) : defaultDataDir()).toStdString();
    // A password typed on the command line would show in every process listing.
    auto store = recdeck::store::RedisUrl::commandLineStore(
        parser.isSet(m_redis) ? parser.value(m_redis).toStdString() : config.store,
        parser.isSet(m_redisPasswordFile) ? parser.value(m_redisPasswordFile).toStdString() : std::string());
    if (!store) return store.error();
    config.store = std::move(*store);
    if (parser.isSet(m_items) && !parser.isSet(m_dataset)) return Error{"--items needs --dataset"};
    if (parser.isSet(m_dataset)) {
        recdeck::serving::DatasetSource source;
        source.interactions = parser.value(m_dataset).toStdString();
        if (!std::filesystem::exists(source.interactions))
            return Error{"--dataset: " + source.interactions.string() + ": no such file"};
        if (parser.isSet(m_items)) {
            source.items = parser.value(m_items).toStdString();
            if (!std::filesystem::exists(*source.items))
                return Error{"--items: " + source.items->string() + ": no such file"};
        }
        config.dataset = source;
    }
    if (parser.isSet(m_models)) {
        config.models.clear();
        for (const QString& name : parser.value(m_models).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            config.models.push_back(name.trimmed().toStdString());
        }
        if (config.models.empty()) return Error{"--models: name at least one model"};
    }
    return config;
}

OpenedEngine openEngineWithProgress(recdeck::serving::EngineConfig config) {
    std::mutex mutex;
    std::string lastStage;
    recdeck::Stopwatch sinceLast;
    recdeck::TaskControl control;
    control.progress = [&](double fraction, std::string_view stage) {
        std::lock_guard lock(mutex);
        if (stage == lastStage && sinceLast.elapsedSeconds() < 2.0) return;
        lastStage = std::string(stage);
        sinceLast.restart();
        std::fprintf(stderr, "recdeckd: %3.0f%% %s\n", fraction * 100.0, lastStage.c_str());
    };
    auto engine = recdeck::serving::Engine::open(std::move(config), control);
    OpenedEngine opened;
    if (!engine) {
        // A malformed or missing file, or options the user must fix, exit with 2; a store or
        // disk that failed, with 1 (the error's kind says which, never its text).
        const std::string& message = engine.errorMessage();
        opened.exitCode = recdeck::errorExitCode(engine.errorKind()) == kExitBadInput
                              ? badInput(message)
                              : failure(QString::fromStdString(message));
        return opened;
    }
    opened.engine = std::move(*engine);
    return opened;
}

}  // namespace recdeckd

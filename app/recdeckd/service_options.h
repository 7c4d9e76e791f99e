#pragma once
// Options shared by the subcommands that run a serving Engine (serve, simulate, bench):
// where the data lives, which store, which dataset and models.

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <memory>

#include "recdeck/common/result.h"
#include "recdeck/serving/engine.h"

namespace recdeckd {

class ServiceOptions {
public:
    ServiceOptions();
    void addTo(QCommandLineParser& parser) const;
    recdeck::Result<recdeck::serving::EngineConfig> engineConfig(const QCommandLineParser& parser) const;

private:
    QCommandLineOption m_redis;
    QCommandLineOption m_redisPasswordFile;
    QCommandLineOption m_data;
    QCommandLineOption m_dataset;
    QCommandLineOption m_items;
    QCommandLineOption m_models;
};

// The default data folder of recdeckd (per user).
QString defaultDataDir();

struct OpenedEngine {
    std::unique_ptr<recdeck::serving::Engine> engine;
    int exitCode = 0;  // when engine is null: 2 for bad input (malformed file), 1 otherwise
    explicit operator bool() const { return engine != nullptr; }
};

// Opens the engine, printing progress to stderr; SIGINT during start-up cancels it.
OpenedEngine openEngineWithProgress(recdeck::serving::EngineConfig config);

}  // namespace recdeckd

#include "ui_fixture.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTest>

#include "recdeck/ui/common/async.h"
#include "test_support.h"

namespace recdeck::test {

bool waitForCondition(const std::function<bool()>& cond, int timeoutMs) {
    const qint64 limitMs = qint64{timeoutMs} * timeScale();
    QElapsedTimer timer;
    timer.start();
    while (!cond()) {
        if (timer.elapsed() > limitMs) return false;
        QTest::qWait(10);
    }
    return true;
}

UiFixture::UiFixture()
    : m_dir(makeTempDir("recdeck-ui")),
      m_host(std::make_unique<ui::EngineHost>()),
      m_feed(std::make_unique<ui::LiveFeed>(*m_host)),
      m_fleet(std::make_unique<ui::FleetMonitor>()) {}

UiFixture::~UiFixture() {
    m_feed->stop();
    m_fleet.reset();
    m_feed.reset();
    m_host.reset();
    // Work the panels left running (an evaluation cache being saved) may still write into
    // the data folder: let it finish before the folder goes.
    ui::coreThreadPool()->waitForDone();
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
}

bool UiFixture::open(QString* error, int timeoutMs) {
    return open("embedded", error, timeoutMs);
}

bool UiFixture::open(const std::string& store, QString* error, int timeoutMs) {
    serving::EngineConfig config;
    config.store = store;
    config.dataDir = m_dir;
    config.demo.users = 300;
    config.demo.items = 200;
    config.demo.seed = 3;
    config.models = {"popularity", "itemknn", "als", "default"};
    bool done = false;
    QString failure;
    auto opened = QObject::connect(m_host.get(), &ui::EngineHost::opened, [&] { done = true; });
    auto failed = QObject::connect(m_host.get(), &ui::EngineHost::openFailed, [&](const QString& message) {
        failure = message;
        done = true;
    });
    m_host->open(config);
    const bool finished = waitForCondition([&] { return done; }, timeoutMs);
    QObject::disconnect(opened);
    QObject::disconnect(failed);
    if (!finished) failure = QStringLiteral("the engine did not open in time");
    if (error) *error = failure;
    if (failure.isEmpty()) m_feed->start();
    return failure.isEmpty();
}

}  // namespace recdeck::test

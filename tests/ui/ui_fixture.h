#pragma once
// A console backend for GUI tests: an EngineHost opened on a small demo world in a temp
// data folder (embedded store), plus the LiveFeed and FleetMonitor panels take.

#include <QString>

#include <filesystem>
#include <memory>
#include <string>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/adapters/fleet_monitor.h"
#include "recdeck/ui/adapters/live_feed.h"

namespace recdeck::test {

class UiFixture {
public:
    UiFixture();
    ~UiFixture();

    // Opens the engine (demo world: 300 users, 200 items) and waits for it, bounded.
    // False with the error in `error` when it fails.
    bool open(QString* error = nullptr, int timeoutMs = 120000);
    // The same on another store ("embedded" or a redis:// URL).
    bool open(const std::string& store, QString* error, int timeoutMs = 120000);
    // Waits (processing events) until cond() is true or the timeout (times timeScale())
    // passes.
    template <typename Condition>
    static bool waitFor(Condition cond, int timeoutMs = 20000);

    ui::EngineHost& host() { return *m_host; }
    ui::LiveFeed& feed() { return *m_feed; }
    ui::FleetMonitor& fleet() { return *m_fleet; }
    serving::Engine& engine() { return *m_host->engine(); }
    const std::filesystem::path& dir() const { return m_dir; }

private:
    std::filesystem::path m_dir;
    std::unique_ptr<ui::EngineHost> m_host;
    std::unique_ptr<ui::LiveFeed> m_feed;
    std::unique_ptr<ui::FleetMonitor> m_fleet;
};

bool waitForCondition(const std::function<bool()>& cond, int timeoutMs);

template <typename Condition>
bool UiFixture::waitFor(Condition cond, int timeoutMs) {
    return waitForCondition(std::function<bool()>(cond), timeoutMs);
}

}  // namespace recdeck::test

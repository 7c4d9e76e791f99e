#pragma once
// RedisServer: a real redis-server (found on PATH) for tests and benchmarks, on a free
// loopback port, with no persistence (--save '' --appendonly no; see Options) and its working folder
// and log in a fresh temp directory. start() returns once the server answers PING;
// stop() sends SIGTERM (SIGKILL after 5 s); restart() brings it back on the same port,
// for outage tests. The destructor stops it and removes the temp directory.
//
// POSIX only (fork/exec). Call start()/restart() from the test's main thread: the child
// is told to die with the thread that started it (Linux), so a crashed test leaves no
// server behind. Every wait is bounded.

#include <QTest>

#include <sys/types.h>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "test_support.h"

namespace recdeck::test {

class RedisServer {
public:
    struct Options {
        std::string password;  // non-empty: --requirepass
        // Keep the data across stop()/start() (append-only file, fsync on every write), as
        // a production server would; off: every start is an empty server.
        bool persistent = false;
    };

    RedisServer();
    explicit RedisServer(Options options);
    // extraArguments: more command-line arguments, e.g. {"--maxmemory", "2mb",
    // "--maxmemory-policy", "noeviction"} for a server that fills up.
    RedisServer(Options options, std::vector<std::string> extraArguments);
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    // Full path of redis-server on PATH, if installed.
    static std::optional<std::filesystem::path> executable();

    // Starts on a free port (the first time) or on the same port (later). On failure
    // returns false and, if error is given, says why (with the tail of the server log).
    bool start(std::string* error = nullptr);
    // SIGTERM, then waits for the process (bounded); true when it has exited.
    bool stop();
    // SIGKILL (a crash: no shutdown), then waits for the process (bounded).
    bool kill();
    bool restart(std::string* error = nullptr) { return stop() && start(error); }
    // SIGSTOP / SIGCONT: the server keeps its port and connections but answers nothing,
    // for timeout tests. resume() is also done by stop().
    void pause();
    void resume();

    bool running() const { return m_pid > 0; }
    std::uint16_t port() const { return m_port; }
    std::string host() const { return "127.0.0.1"; }
    // "redis://[:password@]127.0.0.1:port/db".
    std::string url(int db = 0) const;
    std::filesystem::path logFile() const { return m_dir / "redis.log"; }

private:
    bool launch(std::string* error);
    bool waitUntilReady(std::string* error);
    std::string logTail() const;

    Options m_options;
    std::vector<std::string> m_extraArguments;
    std::filesystem::path m_dir;
    std::uint16_t m_port = 0;
    pid_t m_pid = -1;
};

}  // namespace recdeck::test

// Skips the current test visibly when redis-server is not installed (fails in CI, where
// RECDECK_CI=1), and fails it when the server is installed but does not start.
#define RECDECK_REQUIRE_REDIS_SERVER(server)                                                            \
    do {                                                                                                \
        if (!::recdeck::test::RedisServer::executable()) {                                              \
            if (::recdeck::test::requirePrerequisites())                                                \
                QFAIL("redis-server not found on PATH (required in CI: apt-get install redis-server)"); \
            QSKIP("redis-server not found on PATH: install redis-server to run this test");             \
        }                                                                                               \
        if (!(server).running()) {                                                                      \
            std::string redisStartError_;                                                               \
            if (!(server).start(&redisStartError_)) QFAIL(redisStartError_.c_str());                    \
        }                                                                                               \
    } while (false)

#pragma once
// HttpServer: serves an Api over HTTP/1.1 with Qt HttpServer. Several event loops, each
// in its own thread with its own listening socket on the same port (SO_REUSEPORT, so the
// kernel spreads connections over them) — cheap requests stay on an event loop, and no
// request waits behind another thread's slow one. That is Linux: platforms without
// SO_REUSEPORT load balancing (Windows, macOS) run one loop, listening the ordinary Qt way.
//
// Thread safety: listen() and stop() from the owning thread; the Api is called from the
// server threads concurrently.

#include <QHostAddress>

#include <memory>
#include <vector>

#include "api.h"
#include "recdeck/common/result.h"

class QThread;

namespace recdeck::http {

class HttpServer {
public:
    explicit HttpServer(Api& api);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds host:port (0 = a free port) with `threads` event loops (<= 0: one per core;
    // always one off Linux, see threadCount()) and starts serving. Returns the bound port.
    Result<quint16> listen(const QHostAddress& host, quint16 port, int threads = 0);
    void stop();
    int threadCount() const { return static_cast<int>(m_threads.size()); }

private:
    struct Loop;
    Api& m_api;
    std::vector<std::unique_ptr<Loop>> m_threads;
};

}  // namespace recdeck::http

#pragma once
// HttpServer: serves an Api over HTTP/1.1 on Boost.Beast + Asio, with every resource a
// client can make it hold bounded:
//
// - threads: `threads` event loops (one io_context each; connections are dealt to them in
//   turn by one acceptor). Inline routes run on the loop that read the request (a cache
//   hit never changes thread); Blocking routes run on a pool of workers with a bounded
//   queue (full: 503 with Retry-After) and their answer goes back to the loop.
// - one request at a time per connection: the next request (pipelined or not) is read
//   only once the previous answer is written, so a client that does not read its answers
//   stops being read (back-pressure) and holds at most one answer;
// - time: a connection must deliver a request's header within headerTimeout of starting
//   to wait for it (this is also the keep-alive idle timeout), its body within
//   bodyTimeout, and take the answer within writeTimeout; otherwise it is closed;
// - connections: at most maxConnections open. A connection beyond that closes the one
//   that has made no progress for longest (any that is not running a request); if every
//   one is running a request, the newcomer gets 503 and is closed;
// - memory: headers are bounded per connection (HttpLimits), request bodies being read by
//   maxBufferedBodyBytes across all connections, answers being written by
//   maxPendingAnswerBytes (answers up to kSmallAnswerBytes are exempt; beyond the budget
//   the client gets 503 and the connection closes);
// - a request that cannot be parsed gets its 4xx (request_parser.h) and the connection
//   is closed; so is any connection after "Connection: close" or an HTTP/1.0 request
//   without keep-alive. Before closing after an answer, the server stops sending and
//   drains what the client still sends (bounded), so the answer is not lost to a reset.
//
// Thread safety: listen() and stop() from one owning thread; stats() from any.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "recdeck/common/result.h"
#include "recdeck/http/api.h"
#include "recdeck/http/request_parser.h"

namespace recdeck::http {

struct ServerOptions {
    HttpLimits limits;
    std::chrono::milliseconds headerTimeout{15'000};  // idle keep-alive + header (≤ 30 s)
    std::chrono::milliseconds bodyTimeout{30'000};
    std::chrono::milliseconds writeTimeout{30'000};
    // A request on the worker pool that has not answered by then: the connection is closed.
    std::chrono::milliseconds handlerTimeout{60'000};
    std::size_t maxConnections = 1024;  // lowered to fit the process's descriptor limit
    std::size_t maxBufferedBodyBytes = std::size_t{16} << 20;
    std::size_t maxPendingAnswerBytes = std::size_t{16} << 20;
    int workerThreads = 4;                // for Blocking routes
    std::size_t maxQueuedRequests = 256;  // waiting for a worker; beyond: 503
};

// Answers this small are not counted against maxPendingAnswerBytes (at most
// maxConnections of them can be pending).
inline constexpr std::size_t kSmallAnswerBytes = 4096;

struct ServerStats {
    std::size_t openConnections = 0;
    std::uint64_t acceptedConnections = 0;
    std::uint64_t refusedConnections = 0;  // 503 at the connection cap
    std::uint64_t evictedConnections = 0;  // closed to make room at the cap
    std::uint64_t timedOutConnections = 0;
    std::uint64_t malformedRequests = 0;  // answered 4xx by the parser and closed
    std::uint64_t busyAnswers = 0;        // 503 for a full worker queue or a spent budget
    std::size_t bufferedBodyBytes = 0;
    std::size_t pendingAnswerBytes = 0;
};

class HttpServer {
public:
    HttpServer(Api& api, ServerOptions options = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds host:port (an IP address; port 0 = a free port) and starts `threads` event
    // loops (<= 0: one per core). Returns the bound port.
    Result<std::uint16_t> listen(const std::string& host, std::uint16_t port, int threads = 0);
    // Stops accepting, closes every connection and joins the threads. Idempotent.
    void stop();

    int threadCount() const;
    std::size_t connectionLimit() const;  // maxConnections after the descriptor limit
    ServerStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recdeck::http

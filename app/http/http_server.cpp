#include "recdeck/http/http_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#if !defined(_WIN32)
#include <pthread.h>
#include <sys/resource.h>
#endif

namespace recdeck::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
// I/O objects bound to a plain io_context executor (no type-erased executor on the hot path).
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, Executor>;

namespace {

// After an answer that closes the connection, what the client still sends is read and
// dropped for at most this long / this much, so the answer is not lost to a reset.
constexpr auto kDrainTime = std::chrono::seconds(2);
constexpr std::size_t kDrainBytes = std::size_t{8} << 20;
// A connection younger than this is never closed to make room for a newer one, so a flood
// of new connections cannot close a client's connection before it sends its request.
constexpr auto kMinEvictionAge = std::chrono::milliseconds(500);
// The read buffer an idle connection keeps; larger ones are released between requests.
constexpr std::size_t kKeptBufferBytes = 4096;
// Descriptors left to the rest of the process (SQLite, Redis, models) under the limit.
constexpr std::size_t kReservedDescriptors = 64;

// Names a thread for debuggers, top and perf (Linux; elsewhere a no-op).
void nameThread([[maybe_unused]] std::thread& thread, [[maybe_unused]] const std::string& name) {
#if defined(__linux__)
    pthread_setname_np(thread.native_handle(), name.substr(0, 15).c_str());
#endif
}

// Jobs run by a few threads, with a bounded queue.
class WorkerPool {
public:
    void start(int threads, std::size_t maxQueued) {
        m_maxQueued = maxQueued;
        m_stopping = false;
        for (int i = 0; i < threads; ++i) {
            m_threads.emplace_back([this] { run(); });
            nameThread(m_threads.back(), "http-worker-" + std::to_string(i));
        }
    }
    // False when the queue is full or the pool stopped (the job is dropped).
    bool submit(std::function<void()>&& job) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping || m_jobs.size() >= m_maxQueued) return false;
            m_jobs.push_back(std::move(job));
        }
        m_wake.notify_one();
        return true;
    }
    // Finishes the running jobs, drops the queued ones, joins the threads.
    void stop() {
        std::deque<std::function<void()>> dropped;
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
            dropped.swap(m_jobs);
        }
        m_wake.notify_all();
        for (auto& thread : m_threads) thread.join();
        m_threads.clear();
    }

private:
    void run() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
                if (m_stopping) return;
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
            }
            job();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_jobs;
    std::size_t m_maxQueued = 0;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

std::size_t descriptorLimit() {
#if !defined(_WIN32)
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        return static_cast<std::size_t>(limit.rlim_cur);
    }
#endif
    return std::size_t{1} << 20;
}

HttpResponse busyAnswer(std::string_view detail) {
    HttpResponse response = jsonError(503, "busy", detail);
    response.headers.emplace_back("Retry-After", "1");
    return response;
}

void appendNumber(std::string& out, std::size_t value) {
    char digits[24];
    std::size_t length = 0;
    do {
        digits[length++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (length > 0) out.push_back(digits[--length]);
}

class Session;

// One event loop: an io_context run by one thread, and the connections it serves.
struct Loop {
    std::list<Session*> sessions;  // declared before ioc: outlives the handlers holding sessions
    net::io_context ioc{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::thread thread;
};

// What every connection shares.
struct ServerCore {
    ServerCore(Api& a, ServerOptions o) : api(a), options(std::move(o)), bodies(options.maxBufferedBodyBytes) {}

    bool takeAnswer(std::size_t bytes) {
        std::size_t used = answerBytes.load(std::memory_order_relaxed);
        do {
            if (used + bytes > options.maxPendingAnswerBytes) return false;
        } while (!answerBytes.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
        return true;
    }
    void giveAnswer(std::size_t bytes) { answerBytes.fetch_sub(bytes, std::memory_order_relaxed); }

    Api& api;
    ServerOptions options;
    BodyBudget bodies;
    std::atomic<std::size_t> answerBytes{0};
    std::atomic<std::size_t> connections{0};
    std::size_t connectionCap = 0;
    std::atomic<std::uint64_t> accepted{0}, refused{0}, evicted{0}, timedOut{0}, malformed{0}, busy{0};
    std::atomic<bool> stopping{false};
    WorkerPool workers;
};

// One connection: reads a request, answers it, and only then reads the next.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(ServerCore& core, Loop& loop, Socket socket)
        : m_core(core),
          m_loop(loop),
          m_socket(std::move(socket)),
          m_timer(loop.ioc.get_executor()),
          m_buffer(core.options.limits.maxHeaderBytes + 1024),
          m_since(Clock::now()),
          m_born(m_since) {
        m_position = m_loop.sessions.insert(m_loop.sessions.end(), this);
    }
    ~Session() {
        if (m_answerReserved > 0) m_core.giveAnswer(m_answerReserved);
        m_loop.sessions.erase(m_position);
        m_core.connections.fetch_sub(1, std::memory_order_relaxed);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start() { readHeader(); }

    // May it be closed to make room for a new connection, and since when has it waited?
    bool evictable(Clock::time_point now) const {
        return !m_closed && m_state != State::Running && now - m_born >= kMinEvictionAge;
    }
    Clock::time_point since() const { return m_since; }

    void close() {
        if (m_closed) return;
        m_closed = true;
        beast::error_code ignored;
        m_socket.close(ignored);
        m_timer.cancel();
    }

private:
    enum class State { ReadingHeader, ReadingBody, Running, Writing, Draining };

    void enter(State state, std::chrono::milliseconds timeout) {
        m_state = state;
        m_since = Clock::now();
        m_deadline = m_since + timeout;
        // The watchdog wakes at the earliest deadline it was given and re-arms for a later
        // one, so moving a deadline later (the common case) costs nothing.
        if (m_deadline < m_timerExpiry) armTimer();
    }

    void armTimer() {
        m_timerExpiry = m_deadline;
        m_timer.expires_at(m_deadline);
        m_timer.async_wait([self = shared_from_this()](const beast::error_code& error) { self->onTimer(error); });
    }

    void onTimer(const beast::error_code& error) {
        if (error == net::error::operation_aborted || m_closed) return;
        if (Clock::now() >= m_deadline) {
            m_core.timedOut.fetch_add(1, std::memory_order_relaxed);
            close();
            return;
        }
        m_timerExpiry = Clock::time_point::max();
        armTimer();
    }

    void readHeader() {
        m_parser.emplace(m_core.options.limits, &m_core.bodies, m_request);
        enter(State::ReadingHeader, m_core.options.headerTimeout);
        bhttp::async_read_header(
            m_socket, m_buffer, *m_parser,
            [self = shared_from_this()](const beast::error_code& error, std::size_t) { self->onHeader(error); });
    }

    void onHeader(const beast::error_code& error) {
        if (m_closed) return;
        if (error) return fail(error);
        if (m_parser->is_done()) return dispatch();
        if (m_parser->expectsContinue()) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            enter(State::Writing, m_core.options.writeTimeout);
            net::async_write(m_socket, net::buffer(kContinue.data(), kContinue.size()),
                             [self = shared_from_this()](const beast::error_code& written, std::size_t) {
                                 if (self->m_closed) return;
                                 if (written) return self->close();
                                 self->readBody();
                             });
            return;
        }
        readBody();
    }

    void readBody() {
        enter(State::ReadingBody, m_core.options.bodyTimeout);
        bhttp::async_read(m_socket, m_buffer, *m_parser,
                          [self = shared_from_this()](const beast::error_code& error, std::size_t) {
                              if (self->m_closed) return;
                              if (error) return self->fail(error);
                              self->dispatch();
                          });
    }

    void fail(const beast::error_code& error) {
        const Refusal refusal = m_parser->refusal(error);
        if (refusal.status == 0) return close();
        HttpResponse response = jsonError(refusal.status, refusal.code, refusal.detail);
        if (refusal.status == 503) {
            m_core.busy.fetch_add(1, std::memory_order_relaxed);
            response.headers.emplace_back("Retry-After", "1");
        } else {
            m_core.malformed.fetch_add(1, std::memory_order_relaxed);
        }
        m_keepAlive = false;
        m_head = false;
        respond(std::move(response));
    }

    void dispatch() {
        HttpRequest& request = m_parser->request();
        m_keepAlive = m_parser->keep_alive() && !m_parser->upgrade();
        m_head = request.method == "HEAD";
        RouteMatch match = m_core.api.match(request);
        if (match.route == nullptr || match.route->work == Work::Inline) {
            respond(m_core.api.handle(request, match));
            return;
        }
        enter(State::Running, m_core.options.handlerTimeout);
        auto job = [self = shared_from_this(), request = std::move(request)]() mutable {
            HttpResponse response = self->m_core.api.handle(request);
            // The session goes back to its loop with the answer: it is only ever touched
            // (and destroyed) there.
            Loop& loop = self->m_loop;
            net::post(loop.ioc, [self = std::move(self), response = std::move(response)]() mutable {
                self->respond(std::move(response));
            });
        };
        if (!m_core.workers.submit(std::move(job))) {
            m_core.busy.fetch_add(1, std::memory_order_relaxed);
            respond(busyAnswer("too many requests are waiting for the server; retry shortly"));
        }
    }

    void respond(HttpResponse&& response) {
        if (m_closed) return;
        bool closeAfter = !m_keepAlive || response.close || m_core.stopping.load(std::memory_order_relaxed);
        if (response.body.size() > kSmallAnswerBytes) {
            if (m_core.takeAnswer(response.body.size())) {
                m_answerReserved = response.body.size();
            } else {
                m_core.busy.fetch_add(1, std::memory_order_relaxed);
                response = busyAnswer("the server holds too many unread answers; retry shortly");
                closeAfter = true;
            }
        }
        m_headText.clear();
        m_headText.append("HTTP/1.1 ");
        appendNumber(m_headText, static_cast<std::size_t>(response.status));
        m_headText.push_back(' ');
        m_headText.append(reasonPhrase(response.status));
        m_headText.append("\r\nContent-Type: ");
        m_headText.append(response.contentType);
        m_headText.append("\r\nContent-Length: ");
        appendNumber(m_headText, response.body.size());
        m_headText.append("\r\n");
        for (const auto& [name, value] : response.headers) {
            m_headText.append(name);
            m_headText.append(": ");
            m_headText.append(value);
            m_headText.append("\r\n");
        }
        if (closeAfter) m_headText.append("Connection: close\r\n");
        m_headText.append("X-Content-Type-Options: nosniff\r\n\r\n");
        m_body = std::move(response.body);
        m_closeAfter = closeAfter;
        enter(State::Writing, m_core.options.writeTimeout);
        const std::array<net::const_buffer, 2> buffers = {net::buffer(m_headText),
                                                          net::buffer(m_body.data(), m_head ? 0 : m_body.size())};
        net::async_write(m_socket, buffers, [self = shared_from_this()](const beast::error_code& error, std::size_t) {
            self->onWritten(error);
        });
    }

    void onWritten(const beast::error_code& error) {
        if (m_answerReserved > 0) {
            m_core.giveAnswer(m_answerReserved);
            m_answerReserved = 0;
        }
        if (m_body.capacity() > kSmallAnswerBytes) std::string().swap(m_body);
        if (m_closed) return;
        if (error) return close();
        if (m_closeAfter) return drainAndClose();
        if (m_buffer.size() == 0 && m_buffer.capacity() > kKeptBufferBytes) m_buffer.shrink_to_fit();
        readHeader();
    }

    void drainAndClose() {
        m_parser.reset();
        beast::error_code ignored;
        m_socket.shutdown(net::socket_base::shutdown_send, ignored);
        m_buffer.consume(m_buffer.size());
        m_drained = 0;
        enter(State::Draining, std::chrono::duration_cast<std::chrono::milliseconds>(kDrainTime));
        drain();
    }

    void drain() {
        m_socket.async_read_some(m_buffer.prepare(std::min<std::size_t>(4096, m_buffer.max_size())),
                                 [self = shared_from_this()](const beast::error_code& error, std::size_t read) {
                                     if (self->m_closed) return;
                                     self->m_drained += read;
                                     if (error || self->m_drained >= kDrainBytes) return self->close();
                                     self->drain();
                                 });
    }

    ServerCore& m_core;
    Loop& m_loop;
    std::list<Session*>::iterator m_position;
    Socket m_socket;
    Timer m_timer;
    beast::flat_buffer m_buffer;
    HttpRequest m_request;  // reused by every request of the connection (capacity kept)
    std::optional<RequestParser> m_parser;
    std::string m_headText;
    std::string m_body;
    State m_state = State::ReadingHeader;
    Clock::time_point m_since;
    Clock::time_point m_born;
    Clock::time_point m_deadline;
    Clock::time_point m_timerExpiry = Clock::time_point::max();
    std::size_t m_answerReserved = 0;
    std::size_t m_drained = 0;
    bool m_keepAlive = true;
    bool m_head = false;
    bool m_closeAfter = false;
    bool m_closed = false;
};

}  // namespace

struct HttpServer::Impl : ServerCore {
    using ServerCore::ServerCore;

    void accept() {
        Loop& target = *loops[nextLoop++ % loops.size()];
        acceptor->async_accept(target.ioc, [this, &target](const beast::error_code& error, Socket socket) {
            if (stopping.load() || error == net::error::operation_aborted) return;
            if (error) {
                // Out of descriptors, or a connection reset before it was accepted: wait a
                // little rather than spin on the error.
                acceptRetry->expires_after(std::chrono::milliseconds(50));
                acceptRetry->async_wait([this](const beast::error_code& waited) {
                    if (!waited && !stopping.load()) accept();
                });
                return;
            }
            connections.fetch_add(1, std::memory_order_relaxed);
            accepted.fetch_add(1, std::memory_order_relaxed);
            net::post(target.ioc,
                      [this, &target, socket = std::move(socket)]() mutable { admit(target, std::move(socket)); });
            accept();
        });
    }

    // On target's thread: serve the connection, making room for it at the cap.
    void admit(Loop& loop, Socket socket) {
        beast::error_code ignored;
        if (stopping.load()) {
            socket.close(ignored);
            connections.fetch_sub(1, std::memory_order_relaxed);
            return;
        }
        socket.set_option(tcp::no_delay(true), ignored);
        if (connections.load(std::memory_order_relaxed) > connectionCap) {
            if (!evictOne(loop)) {
                refuse(std::move(socket));
                return;
            }
            evicted.fetch_add(1, std::memory_order_relaxed);
        }
        std::make_shared<Session>(*this, loop, std::move(socket))->start();
    }

    // Closes the connection of `loop` that has waited longest without running a request.
    static bool evictOne(Loop& loop) {
        const Clock::time_point now = Clock::now();
        Session* oldest = nullptr;
        for (Session* session : loop.sessions) {
            if (session->evictable(now) && (oldest == nullptr || session->since() < oldest->since())) oldest = session;
        }
        if (oldest == nullptr) return false;
        oldest->close();
        return true;
    }

    // At the cap with every connection busy: a fixed 503, then close.
    void refuse(Socket socket) {
        static constexpr std::string_view kAnswer =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 96\r\n"
            "Retry-After: 1\r\nConnection: close\r\n\r\n"
            R"({"error":"too_many_connections","detail":"the server is at its connection limit; retry shortly"})";
        static_assert(kAnswer.size() - kAnswer.find("\r\n\r\n") - 4 == 96);
        beast::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.write_some(net::buffer(kAnswer.data(), kAnswer.size()), ignored);
        socket.shutdown(net::socket_base::shutdown_both, ignored);
        socket.close(ignored);
        refused.fetch_add(1, std::memory_order_relaxed);
        connections.fetch_sub(1, std::memory_order_relaxed);
    }

    std::vector<std::unique_ptr<Loop>> loops;
    std::optional<Acceptor> acceptor;  // on loops[0]
    std::optional<Timer> acceptRetry;
    std::size_t nextLoop = 0;
};

HttpServer::HttpServer(Api& api, ServerOptions options) : m_impl(std::make_unique<Impl>(api, std::move(options))) {}

HttpServer::~HttpServer() {
    stop();
}

Result<std::uint16_t> HttpServer::listen(const std::string& host, std::uint16_t port, int threads) {
    stop();
    Impl& s = *m_impl;
    s.stopping = false;
    beast::error_code error;
    const net::ip::address address = net::ip::make_address(host, error);
    if (error) return Error::invalid("'" + host + "' is not an IP address");
    if (threads <= 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    threads = std::min(threads, 64);

    const std::size_t descriptors = descriptorLimit();
    s.connectionCap = std::max<std::size_t>(
        8, std::min(s.options.maxConnections,
                    descriptors > 2 * kReservedDescriptors ? descriptors - kReservedDescriptors : descriptors / 2));

    for (int i = 0; i < threads; ++i) s.loops.push_back(std::make_unique<Loop>());
    net::io_context& first = s.loops.front()->ioc;
    s.acceptor.emplace(first.get_executor());
    s.acceptRetry.emplace(first.get_executor());
    const tcp::endpoint endpoint(address, port);
    auto fail = [&](const std::string& what) -> Result<std::uint16_t> {
        const std::string reason = error.message();
        s.acceptor.reset();
        s.acceptRetry.reset();
        s.loops.clear();
        return Error::unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " + what + ": " +
                                  reason);
    };
    s.acceptor->open(endpoint.protocol(), error);
    if (error) return fail("open");
#if !defined(_WIN32)
    s.acceptor->set_option(net::socket_base::reuse_address(true), error);
#endif
    if (address.is_v6()) s.acceptor->set_option(net::ip::v6_only(true), error);
    s.acceptor->bind(endpoint, error);
    if (error) return fail("bind");
    s.acceptor->listen(net::socket_base::max_listen_connections, error);
    if (error) return fail("listen");
    const std::uint16_t bound = s.acceptor->local_endpoint(error).port();

    s.workers.start(std::max(1, s.options.workerThreads), s.options.maxQueuedRequests);
    s.accept();
    for (std::size_t i = 0; i < s.loops.size(); ++i) {
        Loop* raw = s.loops[i].get();
        raw->work.emplace(raw->ioc.get_executor());
        raw->thread = std::thread([raw] { raw->ioc.run(); });
        nameThread(raw->thread, "http-" + std::to_string(i));
    }
    return bound;
}

void HttpServer::stop() {
    Impl& s = *m_impl;
    if (s.loops.empty()) return;
    s.stopping = true;
    // Loops first: once they stop, nothing reads the sessions but their destructors. Then
    // the workers (a running request finishes; its answer is dropped with the loop).
    for (auto& loop : s.loops) {
        loop->work.reset();
        loop->ioc.stop();
    }
    for (auto& loop : s.loops) {
        if (loop->thread.joinable()) loop->thread.join();
    }
    s.workers.stop();
    s.acceptor.reset();
    s.acceptRetry.reset();
    s.loops.clear();
}

int HttpServer::threadCount() const {
    return static_cast<int>(m_impl->loops.size());
}

std::size_t HttpServer::connectionLimit() const {
    return m_impl->connectionCap;
}

ServerStats HttpServer::stats() const {
    const Impl& s = *m_impl;
    ServerStats stats;
    stats.openConnections = s.connections.load(std::memory_order_relaxed);
    stats.acceptedConnections = s.accepted.load(std::memory_order_relaxed);
    stats.refusedConnections = s.refused.load(std::memory_order_relaxed);
    stats.evictedConnections = s.evicted.load(std::memory_order_relaxed);
    stats.timedOutConnections = s.timedOut.load(std::memory_order_relaxed);
    stats.malformedRequests = s.malformed.load(std::memory_order_relaxed);
    stats.busyAnswers = s.busy.load(std::memory_order_relaxed);
    stats.bufferedBodyBytes = s.bodies.used();
    stats.pendingAnswerBytes = s.answerBytes.load(std::memory_order_relaxed);
    return stats;
}

}  // namespace recdeck::http

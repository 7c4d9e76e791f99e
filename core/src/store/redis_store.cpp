#include "recdeck/store/redis_store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <stop_token>
#include <thread>
#include <utility>

#include "recdeck/common/stopwatch.h"
#include "redis_command.h"
#include "subscription_hub.h"
// Last: on Windows it brings in <winsock2.h> / <windows.h>.
#include "socket_compat.h"

namespace recdeck::store {

using detail::ContextPtr;
using detail::RedisCommand;
using detail::ReplyPtr;
using detail::replyText;
using detail::WakeSignal;

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// SCAN batch size: large enough that a listing of many keys takes few round trips, small
// enough that one SCAN step never holds the server for long.
constexpr int kScanCount = 1000;

timeval toTimeval(milliseconds duration) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(duration.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((duration.count() % 1000) * 1000);
    return tv;
}

std::string msText(milliseconds duration) {
    return std::to_string(duration.count()) + " ms";
}

// A Redis glob pattern matching exactly the keys that start with prefix.
std::string globForPrefix(std::string_view prefix) {
    std::string pattern;
    pattern.reserve(prefix.size() + 8);
    for (const char c : prefix) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') pattern.push_back('\\');
        pattern.push_back(c);
    }
    pattern.push_back('*');
    return pattern;
}

// hiredis 1.x reports an expired read timeout as REDIS_ERR_TIMEOUT where recv(2) says
// ETIMEDOUT (Windows); otherwise, and in hiredis 0.14, as REDIS_ERR_IO with EAGAIN.
#if defined(REDIS_ERR_TIMEOUT)
constexpr int kRedisTimeoutError = REDIS_ERR_TIMEOUT;
#else
constexpr int kRedisTimeoutError = -1;  // no such code in this hiredis
#endif

}  // namespace

class RedisStore::Impl {
public:
    Impl(RedisUrl redisUrl, RedisStoreOptions storeOptions)
        : url(std::move(redisUrl)),
          options(std::move(storeOptions)),
          where(url.hostPort()),
          backoff(options.initialBackoff),
          wakeSignal(std::make_shared<WakeSignal>()),
          hub(std::make_shared<detail::SubscriptionHub>([target = wakeSignal] { target->wake(); })) {}

    ~Impl() {
        if (subscriber.joinable()) {
            subscriber.request_stop();
            wakeSignal->wake();
            subscriber.join();
        }
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    const RedisUrl url;
    const RedisStoreOptions options;
    const std::string where;  // "host:port" for messages

    // --------------------------------------------------------------------------------
    // Connecting
    // --------------------------------------------------------------------------------

    std::string prefixed(std::string_view what) const { return "Redis at " + where + " " + std::string(what); }

    std::string needsPasswordMessage() const {
        return prefixed(std::string("requires a password: give it in ") + RedisUrl::kPasswordVariable +
                        ", or in a file only you can read (--redis-password-file FILE or " +
                        RedisUrl::kPasswordFileVariable + ")");
    }

    // Message for a connection that failed during a command (the context's error).
    std::string ioFailure(const redisContext& context, std::string_view operation, int savedErrno) const {
        const bool timedOut =
            context.err == kRedisTimeoutError ||
            (context.err == REDIS_ERR_IO && (detail::isTimeoutErrno(savedErrno) ||
                                             std::strcmp(context.errstr, detail::errnoText(EAGAIN).c_str()) == 0));
        if (timedOut)
            return prefixed("did not answer " + std::string(operation) + " within " + msText(options.commandTimeout));
        if (context.err == REDIS_ERR_EOF)
            return prefixed("closed the connection during " + std::string(operation) +
                            " (server stopped or restarted?)");
        return prefixed("connection lost during " + std::string(operation) + ": " + std::string(context.errstr));
    }

    // Commands go out through our own send (send(MSG_NOSIGNAL) on POSIX) instead of
    // hiredis' write(2): a write to a connection the server closed must be an error, not a
    // SIGPIPE that ends the process. hiredis still formats the commands and parses the
    // replies.
    static bool appendFormatted(std::string& wire, RedisCommand& command) {
        char* formatted = nullptr;
        // int in hiredis 0.14, long long in 1.x.
        const auto length = redisFormatCommandArgv(&formatted, command.argc(), command.argv(), command.lengths());
        if (length < 0 || formatted == nullptr) return false;
        wire.append(formatted, static_cast<std::size_t>(length));
        redisFreeCommand(formatted);
        return true;
    }

    // Sends every byte of wire; a failure message if the connection is unusable.
    std::optional<std::string> sendAll(const redisContext& context, std::string_view wire,
                                       std::string_view operation) const {
        const auto handle = detail::nativeSocket(context.fd);
        std::size_t sent = 0;
        while (sent < wire.size()) {
            const std::ptrdiff_t n = detail::sendSome(handle, wire.substr(sent));
            if (n >= 0) {
                sent += static_cast<std::size_t>(n);
                continue;
            }
            const int error = detail::lastSocketError();
            if (detail::isInterrupted(error)) continue;
            if (detail::isTimeout(error))
                return prefixed("did not accept " + std::string(operation) + " within " +
                                msText(options.commandTimeout));
            return prefixed("connection lost during " + std::string(operation) + ": " + detail::socketErrorText(error));
        }
        return std::nullopt;
    }

    // Sends one command and reads its reply. Any Error means the connection is unusable.
    Result<ReplyPtr> exchange(redisContext& context, RedisCommand& command) const {
        std::string wire;
        if (!appendFormatted(wire, command))
            return Error::unavailable(prefixed("could not format " + std::string(command.name())));
        if (auto failure = sendAll(context, wire, command.name())) return Error::unavailable(*failure);
        void* raw = nullptr;
        errno = 0;
        if (redisGetReply(&context, &raw) != REDIS_OK || raw == nullptr)
            return Error::unavailable(ioFailure(context, command.name(), errno));
        return ReplyPtr(static_cast<redisReply*>(raw));
    }

    // Opens one connection: TCP connect, AUTH, SELECT (or PING), with the timeouts set.
    Result<ContextPtr> connectOnce() {
        {
            const std::lock_guard lock(mutex);
            ++connectAttempts;
        }
        ContextPtr context(redisConnectWithTimeout(url.host.c_str(), url.port, toTimeval(options.connectTimeout)));
        if (!context) return Error::unavailable(prefixed("unreachable: cannot allocate a connection"));
        if (context->err != 0) return Error::unavailable(prefixed("unreachable: " + std::string(context->errstr)));
        redisSetTimeout(context.get(), toTimeval(options.commandTimeout));
        redisEnableKeepAlive(context.get());

        const auto handshake = [&](RedisCommand& command) { return exchange(*context, command); };

        if (!url.password.empty()) {
            RedisCommand auth("AUTH", {});
            if (!url.user.empty()) auth.arg(url.user);
            auth.arg(url.password);
            auto reply = handshake(auth);
            if (!reply) return reply.error();
            if ((*reply)->type == REDIS_REPLY_ERROR)
                return Error{prefixed("rejected the credentials (AUTH" +
                                      (url.user.empty() ? std::string() : " as user '" + url.user + "'") +
                                      "): " + std::string(replyText(**reply)) + ". Check the password given in " +
                                      RedisUrl::kPasswordVariable + " or the password file")};
        }
        RedisCommand check(url.db != 0 ? "SELECT" : "PING", {});
        const std::string db = std::to_string(url.db);
        if (url.db != 0) check.arg(db);
        auto reply = handshake(check);
        if (!reply) return reply.error();
        if ((*reply)->type == REDIS_REPLY_ERROR) {
            const auto text = replyText(**reply);
            if (text.starts_with("NOAUTH")) return Error{needsPasswordMessage()};
            if (url.db != 0)
                return Error{prefixed("refused SELECT " + db + ": " + std::string(text) +
                                      " (the server has fewer databases; see 'databases' in redis.conf)")};
            return Error::unavailable(prefixed("refused PING: " + std::string(text)));
        }
        return context;
    }

    // --------------------------------------------------------------------------------
    // The command pool and the health state (all under mutex)
    // --------------------------------------------------------------------------------

    struct Connection {
        ContextPtr context;
        std::uint64_t generation = 0;
    };

    class Lease {
    public:
        Lease(Impl* owner, std::unique_ptr<Connection> connection)
            : m_owner(owner), m_connection(std::move(connection)) {}
        Lease(Lease&& other) noexcept
            : m_owner(std::exchange(other.m_owner, nullptr)), m_connection(std::move(other.m_connection)) {}
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() {
            if (m_owner != nullptr && m_connection) m_owner->release(std::move(m_connection), nullptr);
        }

        redisContext* context() const { return m_connection->context.get(); }
        // The connection is unusable (I/O error, timeout): drop it and mark the failure.
        void broken(const std::string& message) {
            if (m_owner != nullptr && m_connection) m_owner->release(std::move(m_connection), &message);
        }

    private:
        Impl* m_owner;
        std::unique_ptr<Connection> m_connection;
    };

    std::string failFastMessage(Clock::time_point now) const {
        const auto wait = std::chrono::ceil<milliseconds>(std::max(retryAt - now, Clock::duration::zero()));
        return prefixed("unavailable, " + (probing ? std::string("reconnecting") : "retrying in " + msText(wait)) +
                        "; last error: " + lastError);
    }

    // Records a connection failure seen on a connection of the given generation.
    void markFailureLocked(const std::string& message, std::uint64_t connectionGeneration) {
        lastError = message;
        lastErrorUnixMs = unixMillis();
        ++connectionFailures;
        // A connection from before the latest failure failing too is the same outage.
        if (connectionGeneration != generation) return;
        ++generation;
        total -= idle.size();
        idle.clear();  // the others most likely died with it; reconnect fresh
        healthy = false;
        probing = false;
        retryAt = Clock::now() + backoff;
        backoff = std::min(backoff * 2, options.maxBackoff);
        poolCv.notify_all();
    }

    void release(std::unique_ptr<Connection> connection, const std::string* failure) {
        const std::lock_guard lock(mutex);
        if (failure != nullptr) {
            --total;
            markFailureLocked(*failure, connection->generation);
        } else if (connection->generation != generation) {
            --total;
        } else {
            idle.push_back(std::move(connection));
        }
        poolCv.notify_one();
    }

    Result<Lease> acquire(std::string_view operation) {
        std::unique_lock lock(mutex);
        const auto deadline = Clock::now() + options.commandTimeout;
        for (;;) {
            bool prober = false;
            if (!healthy) {
                const auto now = Clock::now();
                if (now < retryAt || probing) return Error::unavailable(failFastMessage(now));
                probing = true;  // this caller tries; the others fail fast meanwhile
                prober = true;
            }
            if (!prober && !idle.empty()) {
                auto connection = std::move(idle.back());
                idle.pop_back();
                return Lease(this, std::move(connection));
            }
            if (prober || total < options.poolSize) {
                ++total;
                const std::uint64_t startGeneration = generation;
                lock.unlock();
                auto context = connectOnce();
                lock.lock();
                if (!context) {
                    --total;
                    markFailureLocked(context.errorMessage(), startGeneration);
                    if (prober) probing = false;
                    return context.error();
                }
                if (prober || !healthy) {
                    healthy = true;
                    probing = false;
                    backoff = options.initialBackoff;
                }
                return Lease(this, std::make_unique<Connection>(Connection{std::move(*context), generation}));
            }
            if (poolCv.wait_until(lock, deadline) == std::cv_status::timeout)
                return Error::unavailable(prefixed("busy: all " + std::to_string(options.poolSize) +
                                                   " connections stayed in use for " + msText(options.commandTimeout) +
                                                   " (" + std::string(operation) +
                                                   "); raise the pool size or lower the load"));
        }
    }

    // --------------------------------------------------------------------------------
    // Running commands
    // --------------------------------------------------------------------------------

    Error refused(RedisCommand& command, std::string_view subject, const redisReply& reply) const {
        std::string what = "refused " + std::string(command.name());
        if (!subject.empty()) what += " on '" + printableKey(subject) + "'";
        return Error::unavailable(prefixed(what + ": " + std::string(replyText(reply))));
    }

    Error unexpected(RedisCommand& command, const redisReply& reply) const {
        return Error::unavailable(prefixed("answered " + std::string(command.name()) +
                                           " with an unexpected reply (type " + std::to_string(reply.type) + ")"));
    }

    // One command on a pooled connection. An error reply is returned as an Error (the
    // connection stays usable); a lost connection or timeout drops it.
    Result<ReplyPtr> run(RedisCommand& command, std::string_view subject) {
        auto lease = acquire(command.name());
        if (!lease) return lease.error();
        auto reply = exchange(*lease->context(), command);
        if (!reply) {
            lease->broken(reply.errorMessage());
            return reply;
        }
        if ((*reply)->type == REDIS_REPLY_ERROR) return refused(command, subject, **reply);
        return reply;
    }

    // Every command sent at once (one send for the batch), then every reply read: one round trip. Replies
    // come back in order; error replies are left for the caller to inspect.
    Result<std::vector<ReplyPtr>> runPipeline(std::vector<RedisCommand>& commands) {
        auto lease = acquire(commands.front().name());
        if (!lease) return lease.error();
        std::string wire;
        for (auto& command : commands)
            if (!appendFormatted(wire, command))
                return Error::unavailable(prefixed("could not format " + std::string(command.name())));
        if (auto failure = sendAll(*lease->context(), wire, commands.front().name())) {
            lease->broken(*failure);
            return Error::unavailable(*failure);
        }
        std::vector<ReplyPtr> replies;
        replies.reserve(commands.size());
        for (auto& command : commands) {
            void* raw = nullptr;
            errno = 0;
            if (redisGetReply(lease->context(), &raw) != REDIS_OK || raw == nullptr) {
                const std::string message = ioFailure(*lease->context(), command.name(), errno);
                lease->broken(message);
                return Error::unavailable(message);
            }
            replies.emplace_back(static_cast<redisReply*>(raw));
        }
        return replies;
    }

    Result<std::int64_t> runInteger(RedisCommand& command, std::string_view subject) {
        auto reply = run(command, subject);
        if (!reply) return reply.error();
        if ((*reply)->type != REDIS_REPLY_INTEGER) return unexpected(command, **reply);
        return static_cast<std::int64_t>((*reply)->integer);
    }

    Result<std::size_t> runCount(RedisCommand& command, std::string_view subject) {
        auto count = runInteger(command, subject);
        if (!count) return count.error();
        return static_cast<std::size_t>(std::max<std::int64_t>(*count, 0));
    }

    Status runOk(RedisCommand& command, std::string_view subject) {
        auto reply = run(command, subject);
        if (!reply) return reply.error();
        if ((*reply)->type != REDIS_REPLY_STATUS) return unexpected(command, **reply);
        return {};
    }

    StoreHealth health() const {
        const std::lock_guard lock(mutex);
        StoreHealth out;
        out.healthy = healthy;
        out.lastError = lastError;
        out.lastErrorUnixMs = lastErrorUnixMs;
        if (!healthy)
            out.retryIn = std::chrono::ceil<milliseconds>(std::max(retryAt - Clock::now(), Clock::duration::zero()));
        out.connectAttempts = connectAttempts;
        out.connectionFailures = connectionFailures;
        out.subscriptionsConnected = subscriberUp;
        return out;
    }

    mutable std::mutex mutex;
    std::condition_variable poolCv;
    std::vector<std::unique_ptr<Connection>> idle;
    std::size_t total = 0;  // connections open or opening, idle and leased
    std::uint64_t generation = 0;
    bool healthy = true;
    bool probing = false;
    Clock::time_point retryAt{};
    milliseconds backoff;
    std::string lastError;
    std::int64_t lastErrorUnixMs = 0;
    std::uint64_t connectAttempts = 0;
    std::uint64_t connectionFailures = 0;

    // --------------------------------------------------------------------------------
    // Pub/sub: one dedicated connection, driven by one thread
    // --------------------------------------------------------------------------------

    // Wakes the pub/sub thread out of its wait. Shared with the subscription hub, which may
    // outlive the store for a moment while a handle is being cancelled.
    std::shared_ptr<WakeSignal> wakeSignal;
    std::shared_ptr<detail::SubscriptionHub> hub;
    std::once_flag subscriberStarted;
    std::jthread subscriber;
    // Under mutex: the pub/sub connection's state, for subscribe() and health().
    bool subscriberUp = true;  // no channel wanted counts as up
    Clock::time_point subscriberRetryAt{};
    std::string subscriberError;

    void startSubscriber() {
        std::call_once(subscriberStarted,
                       [this] { subscriber = std::jthread([this](std::stop_token stop) { subscriberLoop(stop); }); });
    }

    void setSubscriberState(bool up, const std::string& error, Clock::time_point nextTry) {
        const std::lock_guard lock(mutex);
        subscriberUp = up;
        subscriberRetryAt = nextTry;
        if (!error.empty()) {
            subscriberError = error;
            lastError = error;
            lastErrorUnixMs = unixMillis();
            ++connectionFailures;
        }
    }

    // Returns an error while the pub/sub connection is down and waiting to retry.
    std::optional<std::string> subscriberDown() const {
        const std::lock_guard lock(mutex);
        const auto now = Clock::now();
        if (subscriberUp || now >= subscriberRetryAt) return std::nullopt;
        const auto wait = std::chrono::ceil<milliseconds>(subscriberRetryAt - now);
        return prefixed("pub/sub connection unavailable, retrying in " + msText(wait) +
                        "; last error: " + subscriberError);
    }

    void waitForWake(milliseconds timeout) const {
        std::array<detail::PollEntry, 1> fds{detail::readableEntry(wakeSignal->readHandle())};
        detail::pollSockets(fds, static_cast<int>(std::clamp<milliseconds::rep>(timeout.count(), 1, 1000)));
        wakeSignal->drain();
    }

    void subscriberLoop(const std::stop_token& stop) {
        // hiredis writes SUBSCRIBE with write(2); this thread is ours, so rather than
        // route those writes through sendAll, keep SIGPIPE blocked for its whole life.
        detail::blockBrokenPipeSignal();
        hub->setDeliveryThread(std::this_thread::get_id());
        ContextPtr context;
        std::set<std::string> requested;  // SUBSCRIBE sent on this connection
        std::set<std::string> confirmed;  // ... and acknowledged
        std::set<std::string> lost;       // confirmed on an earlier connection: report a gap
        milliseconds delay = options.initialBackoff;
        Clock::time_point nextTry{};

        const auto dropConnection = [&](const std::string& message) {
            lost.insert(confirmed.begin(), confirmed.end());
            confirmed.clear();
            requested.clear();
            hub->clearConfirmed();
            context.reset();
            nextTry = Clock::now() + delay;
            delay = std::min(delay * 2, options.maxBackoff);
            setSubscriberState(false, message, nextTry);
        };

        const auto handleReply = [&](const redisReply& reply) {
            if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3) return;
            const redisReply& kind = *reply.element[0];
            const redisReply& channelReply = *reply.element[1];
            if (kind.type != REDIS_REPLY_STRING || channelReply.type != REDIS_REPLY_STRING) return;
            const auto kindText = replyText(kind);
            const std::string channel(replyText(channelReply));
            if (kindText == "message") {
                const redisReply& payload = *reply.element[2];
                if (payload.type == REDIS_REPLY_STRING) hub->dispatch(channel, replyText(payload));
            } else if (kindText == "subscribe" && requested.contains(channel)) {
                confirmed.insert(channel);
                hub->setConfirmed(channel, true);
                if (lost.erase(channel) > 0) hub->dispatchGap(channel);
            }
        };

        while (!stop.stop_requested()) {
            const std::set<std::string> wanted = hub->channels();
            std::erase_if(lost, [&](const std::string& channel) { return !wanted.contains(channel); });

            if (!context) {
                if (wanted.empty()) {
                    setSubscriberState(true, {}, {});
                    waitForWake(milliseconds(1000));
                    continue;
                }
                const auto now = Clock::now();
                if (now < nextTry) {
                    waitForWake(std::chrono::ceil<milliseconds>(nextTry - now));
                    continue;
                }
                auto connected = connectOnce();
                if (!connected) {
                    dropConnection(connected.errorMessage());
                    continue;
                }
                context = std::move(*connected);
                delay = options.initialBackoff;
                setSubscriberState(true, {}, {});
            }

            // Bring the server's subscriptions in line with the wanted channels.
            std::vector<std::string_view> toSubscribe;
            std::vector<std::string_view> toUnsubscribe;
            for (const auto& channel : wanted)
                if (!requested.contains(channel)) toSubscribe.push_back(channel);
            for (const auto& channel : requested)
                if (!wanted.contains(channel)) toUnsubscribe.push_back(channel);
            for (const auto& [name, channels] :
                 {std::pair{"SUBSCRIBE", &toSubscribe}, {"UNSUBSCRIBE", &toUnsubscribe}}) {
                if (channels->empty()) continue;
                RedisCommand command(name, {});
                for (const auto channel : *channels) command.arg(channel);
                redisAppendCommandArgv(context.get(), command.argc(), command.argv(), command.lengths());
            }
            for (const auto channel : toUnsubscribe) {
                const std::string name(channel);
                hub->setConfirmed(name, false);
                confirmed.erase(name);
                requested.erase(name);
            }
            for (const auto channel : toSubscribe) requested.emplace(channel);
            int done = 0;
            bool writeFailed = false;
            while (done == 0) {
                errno = 0;
                if (redisBufferWrite(context.get(), &done) != REDIS_OK) {
                    dropConnection(ioFailure(*context, "SUBSCRIBE", errno));
                    writeFailed = true;
                    break;
                }
            }
            if (writeFailed) continue;

            // Deliver whatever is already parsed, then wait for more bytes or a wake-up.
            bool readFailed = false;
            for (;;) {
                void* raw = nullptr;
                if (redisGetReplyFromReader(context.get(), &raw) != REDIS_OK) {
                    dropConnection(prefixed("sent a reply the pub/sub connection could not parse: " +
                                            std::string(context->errstr)));
                    readFailed = true;
                    break;
                }
                if (raw == nullptr) break;
                const ReplyPtr reply(static_cast<redisReply*>(raw));
                handleReply(*reply);
            }
            if (readFailed) continue;

            std::array<detail::PollEntry, 2> fds{detail::readableEntry(detail::nativeSocket(context->fd)),
                                                 detail::readableEntry(wakeSignal->readHandle())};
            if (detail::pollSockets(fds, 1000) < 0) {
                const int error = detail::lastSocketError();
                if (!detail::isInterrupted(error)) {
                    dropConnection(prefixed("pub/sub wait failed: " + detail::socketErrorText(error)));
                    continue;
                }
            }
            if (fds[1].revents != 0) wakeSignal->drain();
            if (fds[0].revents != 0) {
                errno = 0;
                if (redisBufferRead(context.get()) != REDIS_OK) {
                    dropConnection(context->err == REDIS_ERR_EOF
                                       ? prefixed("closed the pub/sub connection (server stopped or restarted?)")
                                       : prefixed("pub/sub connection lost: " + std::string(context->errstr)));
                }
            }
        }
    }
};

// ------------------------------------------------------------------------------------
// RedisStore
// ------------------------------------------------------------------------------------

RedisStore::RedisStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

RedisStore::~RedisStore() = default;

Result<std::unique_ptr<RedisStore>> RedisStore::open(const RedisUrl& url, RedisStoreOptions options) {
    const auto invalid = [](const std::string& what) { return Error{"RedisStoreOptions: " + what}; };
    if (options.poolSize == 0) return invalid("poolSize must be > 0");
    if (options.connectTimeout <= milliseconds::zero()) return invalid("connectTimeout must be > 0 ms");
    if (options.commandTimeout <= milliseconds::zero()) return invalid("commandTimeout must be > 0 ms");
    if (options.initialBackoff <= milliseconds::zero()) return invalid("initialBackoff must be > 0 ms");
    if (options.maxBackoff < options.initialBackoff) return invalid("maxBackoff must be >= initialBackoff");
    if (url.host.empty()) return invalid("the URL has no host");

    auto impl = std::make_unique<Impl>(url, std::move(options));
    if (impl->options.verifyOnOpen) {
        auto lease = impl->acquire("connect");
        if (!lease) return lease.error();
    }
    return std::unique_ptr<RedisStore>(new RedisStore(std::move(impl)));
}

Result<std::unique_ptr<RedisStore>> RedisStore::open(std::string_view url, RedisStoreOptions options) {
    auto parsed = RedisUrl::resolve(url);
    if (!parsed) return parsed.error();
    return open(*parsed, std::move(options));
}

StoreHealth RedisStore::health() const {
    return m_impl->health();
}

std::string RedisStore::describe() const {
    return m_impl->url.redacted();
}

const std::string& RedisStore::keyPrefix() const {
    return m_impl->options.keyPrefix;
}

Result<std::optional<std::string>> RedisStore::doGet(std::string_view key) {
    RedisCommand command("GET", m_impl->options.keyPrefix);
    command.key(key);
    auto reply = m_impl->run(command, key);
    if (!reply) return reply.error();
    if ((*reply)->type == REDIS_REPLY_NIL) return std::optional<std::string>{};
    if ((*reply)->type != REDIS_REPLY_STRING) return m_impl->unexpected(command, **reply);
    return std::optional<std::string>(replyText(**reply));
}

Result<std::vector<std::optional<std::string>>> RedisStore::doGetMany(StringSpan keys) {
    RedisCommand command("MGET", m_impl->options.keyPrefix);
    for (std::size_t i = 0; i < keys.size(); ++i) command.key(keys[i]);
    auto reply = m_impl->run(command, {});
    if (!reply) return reply.error();
    const redisReply& array = **reply;
    if (array.type != REDIS_REPLY_ARRAY || array.elements != keys.size()) return m_impl->unexpected(command, array);
    std::vector<std::optional<std::string>> out(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (array.element[i]->type == REDIS_REPLY_STRING) out[i] = std::string(replyText(*array.element[i]));
    return out;
}

Status RedisStore::doSet(std::string_view key, std::string_view value, Ttl ttl) {
    RedisCommand command("SET", m_impl->options.keyPrefix);
    command.key(key).arg(value);
    if (ttl != kNoExpiry) command.arg("PX").number(ttl.count());
    return m_impl->runOk(command, key);
}

Status RedisStore::doSetMany(std::span<const KeyValue> entries) {
    std::vector<RedisCommand> commands;
    commands.reserve(entries.size());
    for (const auto& entry : entries) {
        auto& command = commands.emplace_back("SET", m_impl->options.keyPrefix);
        command.key(entry.key).arg(entry.value);
        if (entry.ttl != kNoExpiry) command.arg("PX").number(entry.ttl.count());
    }
    auto replies = m_impl->runPipeline(commands);
    if (!replies) return replies.error();
    for (std::size_t i = 0; i < replies->size(); ++i) {
        const redisReply& reply = *(*replies)[i];
        if (reply.type == REDIS_REPLY_ERROR) return m_impl->refused(commands[i], entries[i].key, reply);
    }
    return {};
}

Result<std::size_t> RedisStore::doRemove(StringSpan keys) {
    RedisCommand command("DEL", m_impl->options.keyPrefix);
    for (std::size_t i = 0; i < keys.size(); ++i) command.key(keys[i]);
    return m_impl->runCount(command, keys.size() == 1 ? keys[0] : std::string_view{});
}

Result<bool> RedisStore::doExpire(std::string_view key, Ttl ttl) {
    RedisCommand command("PEXPIRE", m_impl->options.keyPrefix);
    command.key(key).number(ttl.count());
    auto result = m_impl->runInteger(command, key);
    if (!result) return result.error();
    return *result == 1;
}

Result<std::int64_t> RedisStore::doIncrement(std::string_view key, std::int64_t delta) {
    RedisCommand command("INCRBY", m_impl->options.keyPrefix);
    command.key(key).number(delta);
    return m_impl->runInteger(command, key);
}

Result<bool> RedisStore::doSetIfAbsent(std::string_view key, std::string_view value, Ttl ttl) {
    RedisCommand command("SET", m_impl->options.keyPrefix);
    command.key(key).arg(value).arg("NX");
    if (ttl != kNoExpiry) command.arg("PX").number(ttl.count());
    auto reply = m_impl->run(command, key);
    if (!reply) return reply.error();
    if ((*reply)->type == REDIS_REPLY_NIL) return false;
    if ((*reply)->type != REDIS_REPLY_STATUS) return m_impl->unexpected(command, **reply);
    return true;
}

namespace {

std::optional<StreamId> streamIdOf(const redisReply& reply) {
    if (reply.type != REDIS_REPLY_STRING && reply.type != REDIS_REPLY_STATUS) return std::nullopt;
    return StreamId::parse(replyText(reply));
}

// One XRANGE / XREVRANGE entry: [id, [field, value, ...]]; the payload is the first value.
std::optional<StreamRecord> streamRecordOf(const redisReply& entry) {
    if (entry.type != REDIS_REPLY_ARRAY || entry.elements != 2) return std::nullopt;
    auto id = streamIdOf(*entry.element[0]);
    const redisReply& fields = *entry.element[1];
    if (!id || fields.type != REDIS_REPLY_ARRAY || fields.elements < 2 || fields.element[1]->type != REDIS_REPLY_STRING)
        return std::nullopt;
    return StreamRecord{*id, std::string(replyText(*fields.element[1]))};
}

}  // namespace

Result<std::vector<StreamId>> RedisStore::doStreamAppend(std::string_view key, StringSpan payloads,
                                                         std::size_t maxEntries) {
    std::vector<RedisCommand> commands;
    commands.reserve(payloads.size());
    const std::string limit = std::to_string(maxEntries);
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        auto& command = commands.emplace_back("XADD", m_impl->options.keyPrefix);
        command.key(key);
        if (maxEntries > 0) command.arg("MAXLEN").arg("~").arg(limit);
        command.arg("*").arg("e").arg(payloads[i]);
    }
    auto replies = m_impl->runPipeline(commands);
    if (!replies) return replies.error();
    std::vector<StreamId> ids;
    ids.reserve(replies->size());
    for (std::size_t i = 0; i < replies->size(); ++i) {
        const redisReply& reply = *(*replies)[i];
        if (reply.type == REDIS_REPLY_ERROR) return m_impl->refused(commands[i], key, reply);
        auto id = streamIdOf(reply);
        if (!id) return m_impl->unexpected(commands[i], reply);
        ids.push_back(*id);
    }
    return ids;
}

Result<std::vector<StreamRecord>> RedisStore::doStreamRead(std::string_view key, StreamId after, std::size_t count) {
    RedisCommand command("XRANGE", m_impl->options.keyPrefix);
    const std::string from = "(" + after.text();
    command.key(key).arg(from).arg("+").arg("COUNT").number(static_cast<std::int64_t>(count));
    auto reply = m_impl->run(command, key);
    if (!reply) return reply.error();
    const redisReply& array = **reply;
    if (array.type != REDIS_REPLY_ARRAY) return m_impl->unexpected(command, array);
    std::vector<StreamRecord> records;
    records.reserve(array.elements);
    for (std::size_t i = 0; i < array.elements; ++i) {
        auto record = streamRecordOf(*array.element[i]);
        if (!record) return m_impl->unexpected(command, *array.element[i]);
        records.push_back(std::move(*record));
    }
    return records;
}

Result<StreamInfo> RedisStore::doStreamInfo(std::string_view key) {
    std::vector<RedisCommand> commands;
    commands.reserve(3);
    commands.emplace_back("XLEN", m_impl->options.keyPrefix).key(key);
    commands.emplace_back("XRANGE", m_impl->options.keyPrefix).key(key).arg("-").arg("+").arg("COUNT").arg("1");
    commands.emplace_back("XREVRANGE", m_impl->options.keyPrefix).key(key).arg("+").arg("-").arg("COUNT").arg("1");
    auto replies = m_impl->runPipeline(commands);
    if (!replies) return replies.error();
    for (std::size_t i = 0; i < replies->size(); ++i)
        if ((*replies)[i]->type == REDIS_REPLY_ERROR) return m_impl->refused(commands[i], key, *(*replies)[i]);
    const redisReply& length = *(*replies)[0];
    if (length.type != REDIS_REPLY_INTEGER) return m_impl->unexpected(commands[0], length);
    StreamInfo info;
    info.length = static_cast<std::size_t>(std::max<long long>(length.integer, 0));
    for (std::size_t i = 1; i < 3; ++i) {
        const redisReply& array = *(*replies)[i];
        if (array.type != REDIS_REPLY_ARRAY) return m_impl->unexpected(commands[i], array);
        if (array.elements == 0) continue;
        auto record = streamRecordOf(*array.element[0]);
        if (!record) return m_impl->unexpected(commands[i], *array.element[0]);
        (i == 1 ? info.first : info.last) = record->id;
    }
    return info;
}

Result<std::size_t> RedisStore::doSetAdd(std::string_view key, StringSpan members) {
    RedisCommand command("SADD", m_impl->options.keyPrefix);
    command.key(key);
    for (std::size_t i = 0; i < members.size(); ++i) command.arg(members[i]);
    return m_impl->runCount(command, key);
}

Result<std::vector<SetAddResult>> RedisStore::doSetAddMany(std::span<const SetAddition> additions) {
    // Per entry: SADD, then PEXPIRE when it has a TTL, then SCARD.
    std::vector<RedisCommand> commands;
    std::vector<std::size_t> owner;  // entry of each command
    commands.reserve(additions.size() * 3);
    for (std::size_t i = 0; i < additions.size(); ++i) {
        const auto& addition = additions[i];
        auto& add = commands.emplace_back("SADD", m_impl->options.keyPrefix);
        add.key(addition.key);
        for (const auto& member : addition.members) add.arg(member);
        owner.push_back(i);
        if (addition.ttl != kNoExpiry) {
            commands.emplace_back("PEXPIRE", m_impl->options.keyPrefix).key(addition.key).number(addition.ttl.count());
            owner.push_back(i);
        }
        commands.emplace_back("SCARD", m_impl->options.keyPrefix).key(addition.key);
        owner.push_back(i);
    }
    auto replies = m_impl->runPipeline(commands);
    if (!replies) return replies.error();
    std::vector<SetAddResult> results(additions.size());
    for (std::size_t c = 0; c < replies->size(); ++c) {
        const redisReply& reply = *(*replies)[c];
        const auto& key = additions[owner[c]].key;
        if (reply.type == REDIS_REPLY_ERROR) return m_impl->refused(commands[c], key, reply);
        if (reply.type != REDIS_REPLY_INTEGER) return m_impl->unexpected(commands[c], reply);
        const auto value = static_cast<std::size_t>(std::max<long long>(0, reply.integer));
        if (commands[c].name() == std::string_view("SADD")) results[owner[c]].added = value;
        if (commands[c].name() == std::string_view("SCARD")) results[owner[c]].size = value;
    }
    return results;
}

Result<std::vector<std::string>> RedisStore::doSetMembers(std::string_view key) {
    RedisCommand command("SMEMBERS", m_impl->options.keyPrefix);
    command.key(key);
    auto reply = m_impl->run(command, key);
    if (!reply) return reply.error();
    const redisReply& array = **reply;
    if (array.type != REDIS_REPLY_ARRAY) return m_impl->unexpected(command, array);
    std::vector<std::string> members;
    members.reserve(array.elements);
    for (std::size_t i = 0; i < array.elements; ++i) members.emplace_back(replyText(*array.element[i]));
    std::sort(members.begin(), members.end());
    return members;
}

Result<std::size_t> RedisStore::doSetRemove(std::string_view key, StringSpan members) {
    RedisCommand command("SREM", m_impl->options.keyPrefix);
    command.key(key);
    for (std::size_t i = 0; i < members.size(); ++i) command.arg(members[i]);
    return m_impl->runCount(command, key);
}

Result<std::size_t> RedisStore::doHashSet(std::string_view key, const HashFields& fields) {
    RedisCommand command("HSET", m_impl->options.keyPrefix);
    command.key(key);
    for (const auto& [field, value] : fields) command.arg(field).arg(value);
    return m_impl->runCount(command, key);
}

Result<HashFields> RedisStore::doHashGetAll(std::string_view key) {
    RedisCommand command("HGETALL", m_impl->options.keyPrefix);
    command.key(key);
    auto reply = m_impl->run(command, key);
    if (!reply) return reply.error();
    const redisReply& array = **reply;
    if (array.type != REDIS_REPLY_ARRAY || array.elements % 2 != 0) return m_impl->unexpected(command, array);
    HashFields fields;
    for (std::size_t i = 0; i + 1 < array.elements; i += 2)
        fields.emplace(replyText(*array.element[i]), replyText(*array.element[i + 1]));
    return fields;
}

Result<std::size_t> RedisStore::doHashDelete(std::string_view key, StringSpan fields) {
    RedisCommand command("HDEL", m_impl->options.keyPrefix);
    command.key(key);
    for (std::size_t i = 0; i < fields.size(); ++i) command.arg(fields[i]);
    return m_impl->runCount(command, key);
}

Result<ScanResult> RedisStore::doScanPrefix(std::string_view prefix, std::size_t maxKeys) {
    const std::string& namespacePrefix = m_impl->options.keyPrefix;
    const std::string pattern = globForPrefix(namespacePrefix + std::string(prefix));
    const std::string count = std::to_string(kScanCount);
    std::set<std::string> found;  // SCAN may return a key more than once
    std::string cursor = "0";
    // SCAN guarantees a full pass ends with cursor 0; stop early once past maxKeys.
    do {
        RedisCommand command("SCAN", {});
        command.arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(count);
        auto reply = m_impl->run(command, prefix);
        if (!reply) return reply.error();
        const redisReply& array = **reply;
        if (array.type != REDIS_REPLY_ARRAY || array.elements != 2 || array.element[0]->type != REDIS_REPLY_STRING ||
            array.element[1]->type != REDIS_REPLY_ARRAY)
            return m_impl->unexpected(command, array);
        cursor = std::string(replyText(*array.element[0]));
        const redisReply& keys = *array.element[1];
        for (std::size_t i = 0; i < keys.elements; ++i) {
            const auto physical = replyText(*keys.element[i]);
            if (!physical.starts_with(namespacePrefix)) continue;
            const auto logical = physical.substr(namespacePrefix.size());
            if (logical.starts_with(prefix)) found.emplace(logical);
        }
    } while (cursor != "0" && found.size() <= maxKeys);

    ScanResult result;
    result.truncated = found.size() > maxKeys;
    result.keys.assign(found.begin(), found.end());
    if (result.truncated) result.keys.resize(maxKeys);
    return result;
}

Status RedisStore::doPublish(std::string_view channel, std::string_view message) {
    RedisCommand command("PUBLISH", m_impl->options.keyPrefix);
    command.key(channel).arg(message);
    auto receivers = m_impl->runInteger(command, channel);
    if (!receivers) return receivers.error();
    return {};
}

Result<Subscription> RedisStore::doSubscribe(std::string_view channel, MessageHandler onMessage, GapHandler onGap) {
    if (auto down = m_impl->subscriberDown())
        return Error::unavailable("subscribe to '" + printableKey(channel) + "': " + *down);
    m_impl->startSubscriber();
    std::string physical = m_impl->options.keyPrefix + std::string(channel);
    auto [handle, newChannel] =
        m_impl->hub->add(physical, std::string(channel), std::move(onMessage), std::move(onGap));
    if (m_impl->hub->onDeliveryThread()) return std::move(handle);
    const auto wait = m_impl->options.connectTimeout + m_impl->options.commandTimeout;
    if (!m_impl->hub->waitConfirmed(physical, Clock::now() + wait)) {
        handle.cancel();
        std::string reason = m_impl->subscriberDown().value_or(
            m_impl->prefixed("did not confirm the subscription within " + msText(wait)));
        return Error::unavailable("subscribe to '" + printableKey(channel) + "': " + reason);
    }
    return std::move(handle);
}

Status RedisStore::doPing() {
    RedisCommand command("PING", {});
    return m_impl->runOk(command, {});
}

}  // namespace recdeck::store

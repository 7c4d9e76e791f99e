#include "http_server.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <algorithm>
#include <cstring>
#include <thread>

// Several listening sockets on one port, with the kernel spreading connections over
// them, is Linux's SO_REUSEPORT. Windows has no SO_REUSEPORT (and macOS's does not
// balance), so there the server runs one event loop listening the ordinary Qt way.
#if defined(Q_OS_LINUX)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#define RECDECK_HAVE_REUSEPORT 1
#endif

namespace recdeck::http {

namespace {

QByteArray methodName(QHttpServerRequest::Method method) {
    switch (method) {
        case QHttpServerRequest::Method::Get: return "GET";
        case QHttpServerRequest::Method::Put: return "PUT";
        case QHttpServerRequest::Method::Delete: return "DELETE";
        case QHttpServerRequest::Method::Post: return "POST";
        case QHttpServerRequest::Method::Head: return "HEAD";
        case QHttpServerRequest::Method::Options: return "OPTIONS";
        case QHttpServerRequest::Method::Patch: return "PATCH";
        case QHttpServerRequest::Method::Connect: return "CONNECT";
        case QHttpServerRequest::Method::Trace: return "TRACE";
        default: return "UNKNOWN";
    }
}

HttpRequest toPlain(const QHttpServerRequest& source) {
    HttpRequest request;
    request.method = methodName(source.method());
    const QUrl url = source.url();
    request.path = url.path(QUrl::FullyDecoded);
    for (const QString& segment : url.path(QUrl::FullyEncoded).split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        request.segments << QUrl::fromPercentEncoding(segment.toUtf8());
    }
    request.query = source.query();
    for (const auto& [name, value] : source.headers()) request.headers.insert(name.toLower(), value);
    request.body = source.body();
    request.peer = source.remoteAddress();
    return request;
}

// Dispatches every request to the Api; writes its answer on the same socket.
class RouteServer final : public QAbstractHttpServer {
public:
    RouteServer(Api& api, QObject* parent) : QAbstractHttpServer(parent), m_api(api) {}

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override {
        const HttpResponse response = m_api.handle(toPlain(request));
        write(makeResponder(request, socket), response);
        return true;
    }
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override {
        write(makeResponder(request, socket), jsonError(404, "not_found", "no route"));
    }

private:
    static void write(QHttpServerResponder&& responder, const HttpResponse& response) {
        responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
        responder.writeHeader("Content-Type", response.contentType);
        responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
        for (const auto& [name, value] : response.headers) responder.writeHeader(name, value);
        responder.writeBody(response.body);
    }
    Api& m_api;
};

#if defined(RECDECK_HAVE_REUSEPORT)
// A listening socket on host:port shared with the other loops through SO_REUSEPORT.
Result<int> reusePortSocket(const QHostAddress& host, quint16 port) {
    const bool v6 = host.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Error{std::string("socket: ") + std::strerror(errno)};
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_storage address{};
    socklen_t length = 0;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&address);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR raw = host.toIPv6Address();
        std::memcpy(&a->sin6_addr, &raw, sizeof raw);
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        length = sizeof(sockaddr_in6);
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&address);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(host.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd, 1024) != 0) {
        const std::string reason = std::strerror(errno);
        ::close(fd);
        return Error{"cannot listen on " + host.toString().toStdString() + ":" + std::to_string(port) + ": " + reason};
    }
    return fd;
}

quint16 boundPort(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}
#endif

}  // namespace

// One event loop: a thread owning a QTcpServer and the RouteServer bound to it.
struct HttpServer::Loop {
    QThread thread;
    QObject* owner = nullptr;  // lives in `thread`; parent of the servers

    ~Loop() {
        if (owner) QMetaObject::invokeMethod(owner, &QObject::deleteLater, Qt::QueuedConnection);
        thread.quit();
        thread.wait();
    }
};

HttpServer::HttpServer(Api& api) : m_api(api) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::stop() { m_threads.clear(); }

Result<quint16> HttpServer::listen(const QHostAddress& host, quint16 port, int threads) {
    stop();
    if (threads <= 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
#if !defined(RECDECK_HAVE_REUSEPORT)
    threads = 1;
#endif
    quint16 bound = port;
    for (int i = 0; i < threads; ++i) {
        auto loop = std::make_unique<Loop>();
        loop->thread.setObjectName(QStringLiteral("http-%1").arg(i));
        loop->thread.start();
        QString error;
        QSemaphore done;
        // Build the servers inside their thread, so their sockets belong to its loop.
        QObject* context = new QObject;
        context->moveToThread(&loop->thread);
        QMetaObject::invokeMethod(context, [&, context] {
            auto* tcp = new QTcpServer(context);
#if defined(RECDECK_HAVE_REUSEPORT)
            auto fd = reusePortSocket(host, bound);
            if (!fd) {
                error = QString::fromStdString(fd.errorMessage());
            } else if (!tcp->setSocketDescriptor(*fd)) {
                error = tcp->errorString();
            } else {
                bound = boundPort(*fd);
            }
#else
            if (!tcp->listen(host, bound)) {
                error = QStringLiteral("cannot listen on %1:%2: %3").arg(host.toString()).arg(bound).arg(tcp->errorString());
            } else {
                bound = tcp->serverPort();
            }
#endif
            if (error.isEmpty()) {
                auto* server = new RouteServer(m_api, context);
                server->bind(tcp);
            }
            done.release();
        });
        done.acquire();
        loop->owner = context;
        m_threads.push_back(std::move(loop));
        if (!error.isEmpty()) {
            stop();
            return Error{error.toStdString()};
        }
    }
    return bound;
}

}  // namespace recdeck::http

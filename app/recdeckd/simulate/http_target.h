#pragma once
// HttpTarget: the traffic simulator's view of a running `recdeckd serve` — POST
// /recommendations (JSON body) and POST /events (a JSON list) over HTTP/1.1, blocking,
// one keep-alive connection per calling thread.
//
// Errors follow sim::Target's kinds: "connect", "timeout", "cancelled", "http_<status>"
// (with the service's {"error", "detail"} when it sent one) and "bad_response".
//
// Thread safety: calls may come from any number of threads at once; each thread gets its
// own socket (created, used and destroyed on that thread, as Qt requires). The thread
// that constructed the target uses a socket owned by the target.

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "recdeck/sim/target.h"

class QTcpSocket;

namespace recdeckd {

struct HttpTargetOptions {
    QString host;  // name or address
    quint16 port = 80;
    QString basePath;      // path prefix without a trailing '/', usually empty
    std::string model;     // forced model of every request ("" = the service decides)
    int timeoutMs = 5000;  // per call: connect, send and the complete answer
};

// Parses "http://HOST[:PORT][/PREFIX]". Error (usage) for another scheme, no host, a bad
// port, or a query / fragment.
recdeck::Result<HttpTargetOptions> parseTargetUrl(const QString& url);

class HttpTarget final : public recdeck::sim::Target {
public:
    explicit HttpTarget(HttpTargetOptions options);
    ~HttpTarget() override;
    HttpTarget(const HttpTarget&) = delete;
    HttpTarget& operator=(const HttpTarget&) = delete;

    recdeck::Result<recdeck::sim::Shown> recommend(const std::string& userId, std::size_t n,
                                                   std::stop_token stop) override;
    recdeck::Status send(std::vector<recdeck::store::Event> events, std::stop_token stop) override;
    std::string describe() const override;

    // GET /health: ok when the service answers 200.
    recdeck::Status checkHealth();

    struct Reply {
        int status = 0;
        QByteArray body;
    };
    // One request/response exchange on this thread's connection.
    recdeck::Result<Reply> exchange(const QByteArray& method, const QByteArray& path, const QByteArray& body,
                                    std::stop_token stop);

private:
    QTcpSocket* socketForThisThread();

    HttpTargetOptions m_options;
    QByteArray m_hostHeader;
    std::uint64_t m_id;
    std::thread::id m_ownerThread;
    std::unique_ptr<QTcpSocket> m_ownerSocket;
};

}  // namespace recdeckd

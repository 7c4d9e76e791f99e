#include "simulate/http_target.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QUrl>

#include <algorithm>
#include <atomic>

#include <nlohmann/json.hpp>

namespace recdeckd {

using nlohmann::json;
using recdeck::Error;
using recdeck::ErrorKind;
namespace sim = recdeck::sim;
using recdeck::Result;
using recdeck::Status;

namespace {

constexpr int kPollMs = 20;  // how often a blocked call looks at its stop token

std::atomic<std::uint64_t> g_nextTargetId{1};

// Each worker thread's connection, tagged with the target it belongs to.
struct ThreadConnection {
    std::uint64_t target = 0;
    std::unique_ptr<QTcpSocket> socket;
};
thread_local ThreadConnection t_connection;

std::string text(const QString& s) {
    return s.toStdString();
}

// Parses a complete response out of `raw`; false while more bytes are needed.
struct Parsed {
    int status = 0;
    QByteArray body;
    bool closeAfter = false;
};

bool parseResponse(const QByteArray& raw, bool closed, Parsed& out, std::string& error) {
    const auto headerEnd = raw.indexOf("\r\n\r\n");
    if (headerEnd < 0) return false;
    const QList<QByteArray> lines = raw.left(headerEnd).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    if (statusLine.size() < 2 || !statusLine[0].startsWith("HTTP/1.")) {
        error = "not an HTTP/1.x status line";
        return true;
    }
    bool statusOk = false;
    out.status = statusLine[1].toInt(&statusOk);
    if (!statusOk) {
        error = "bad status code";
        return true;
    }
    qint64 length = -1;
    bool chunked = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const auto colon = line.indexOf(':');
        if (colon <= 0) continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") length = value.toLongLong();
        if (name == "transfer-encoding" && value.toLower().contains("chunked")) chunked = true;
        if (name == "connection" && value.toLower() == "close") out.closeAfter = true;
    }
    const qsizetype bodyStart = headerEnd + 4;
    if (chunked) {
        QByteArray body;
        qsizetype at = bodyStart;
        for (;;) {
            const auto lineEnd = raw.indexOf("\r\n", at);
            if (lineEnd < 0) return false;
            bool sizeOk = false;
            const qint64 size = raw.mid(at, lineEnd - at).split(';').value(0).trimmed().toLongLong(&sizeOk, 16);
            if (!sizeOk || size < 0) {
                error = "bad chunk size";
                return true;
            }
            at = lineEnd + 2;
            if (size == 0) {
                if (raw.indexOf("\r\n", at) < 0) return false;  // trailers end with an empty line
                out.body = body;
                return true;
            }
            if (raw.size() < at + size + 2) return false;
            body += raw.mid(at, size);
            at += size + 2;
        }
    }
    if (length >= 0) {
        if (raw.size() - bodyStart < length) return false;
        out.body = raw.mid(bodyStart, length);
        return true;
    }
    // No length: the body ends when the server closes.
    if (!closed) return false;
    out.body = raw.mid(bodyStart);
    out.closeAfter = true;
    return true;
}

std::string jsonText(const json& value) {
    return value.is_string() ? value.get<std::string>() : std::string();
}

}  // namespace

Result<HttpTargetOptions> parseTargetUrl(const QString& url) {
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid()) return Error{"--target: '" + text(url) + "' is not a URL (expected http://HOST:PORT)"};
    if (parsed.scheme() == QLatin1String("https")) {
        return Error{"--target: https is not supported; use http://HOST:PORT (run recdeckd behind a TLS proxy)"};
    }
    if (parsed.scheme() != QLatin1String("http")) {
        return Error{"--target: '" + text(url) + "' must start with http:// (expected http://HOST:PORT)"};
    }
    if (parsed.host().isEmpty()) return Error{"--target: '" + text(url) + "' names no host"};
    if (parsed.hasQuery() || parsed.hasFragment())
        return Error{"--target: give the service's base URL without ?query or #fragment"};
    if (!parsed.userInfo().isEmpty()) return Error{"--target: user names and passwords in the URL are not supported"};
    HttpTargetOptions options;
    options.host = parsed.host();
    const int port = parsed.port(80);
    if (port <= 0 || port > 65535) return Error{"--target: bad port in '" + text(url) + "'"};
    options.port = static_cast<quint16>(port);
    QString path = parsed.path();
    while (path.endsWith(QLatin1Char('/'))) path.chop(1);
    options.basePath = path;
    return options;
}

HttpTarget::HttpTarget(HttpTargetOptions options)
    : m_options(std::move(options)), m_id(g_nextTargetId.fetch_add(1)), m_ownerThread(std::this_thread::get_id()) {
    const bool ipv6 = m_options.host.contains(QLatin1Char(':'));
    m_hostHeader = (ipv6 ? "[" + m_options.host.toUtf8() + "]" : m_options.host.toUtf8()) + ":" +
                   QByteArray::number(m_options.port);
}

HttpTarget::~HttpTarget() = default;

std::string HttpTarget::describe() const {
    std::string url = "http://" + m_hostHeader.toStdString() + m_options.basePath.toStdString();
    if (!m_options.model.empty()) url += " (model " + m_options.model + ")";
    return url;
}

QTcpSocket* HttpTarget::socketForThisThread() {
    if (std::this_thread::get_id() == m_ownerThread) {
        if (!m_ownerSocket) m_ownerSocket = std::make_unique<QTcpSocket>();
        return m_ownerSocket.get();
    }
    if (t_connection.target != m_id || !t_connection.socket) {
        t_connection.socket = std::make_unique<QTcpSocket>();
        t_connection.target = m_id;
    }
    return t_connection.socket.get();
}

Result<HttpTarget::Reply> HttpTarget::exchange(const QByteArray& method, const QByteArray& path, const QByteArray& body,
                                               std::stop_token stop) {
    QTcpSocket* socket = socketForThisThread();
    const std::string where = m_hostHeader.toStdString();
    QElapsedTimer timer;
    timer.start();
    auto remaining = [&] { return std::max<qint64>(0, m_options.timeoutMs - timer.elapsed()); };
    auto slice = [&] { return static_cast<int>(std::clamp<qint64>(remaining(), 1, kPollMs)); };
    auto fail = [&](ErrorKind kind, std::string reason, const std::string& detail) -> Result<Reply> {
        socket->abort();
        return sim::targetError(kind, std::move(reason), detail);
    };

    QByteArray request = method + ' ' + m_options.basePath.toUtf8() + path + " HTTP/1.1\r\nHost: " + m_hostHeader +
                         "\r\nAccept: application/json\r\n";
    if (!body.isEmpty() || method == "POST") {
        request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    request += "\r\n" + body;

    // A kept-alive connection the server has closed in the meantime fails before any
    // answer byte: then one fresh connection is tried.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = socket->state() == QAbstractSocket::ConnectedState;
        if (!reused) {
            socket->abort();
            socket->connectToHost(m_options.host, m_options.port);
            while (!socket->waitForConnected(slice())) {
                if (stop.stop_requested())
                    return fail(ErrorKind::Cancelled, "cancelled", "stopped while connecting to " + where);
                if (socket->state() == QAbstractSocket::UnconnectedState) {
                    return fail(ErrorKind::Unavailable, "connect",
                                "cannot connect to " + where + ": " + text(socket->errorString()));
                }
                if (remaining() == 0)
                    return fail(ErrorKind::Unavailable, "timeout",
                                "no connection to " + where + " within " + std::to_string(m_options.timeoutMs) + " ms");
            }
        }
        socket->write(request);
        while (socket->bytesToWrite() > 0) {
            if (!socket->waitForBytesWritten(slice())) {
                if (stop.stop_requested())
                    return fail(ErrorKind::Cancelled, "cancelled", "stopped while sending to " + where);
                if (socket->state() != QAbstractSocket::ConnectedState) break;
                if (remaining() == 0)
                    return fail(
                        ErrorKind::Unavailable, "timeout",
                        "could not send to " + where + " within " + std::to_string(m_options.timeoutMs) + " ms");
            }
        }
        QByteArray raw;
        Parsed parsed;
        std::string error;
        bool complete = false;
        for (;;) {
            raw += socket->readAll();
            const bool closed = socket->state() != QAbstractSocket::ConnectedState;
            if (parseResponse(raw, closed, parsed, error)) {
                complete = true;
                break;
            }
            if (closed) break;
            if (stop.stop_requested())
                return fail(ErrorKind::Cancelled, "cancelled", "stopped while waiting for " + where);
            if (remaining() == 0) {
                return fail(
                    ErrorKind::Unavailable, "timeout",
                    "no complete answer from " + where + " within " + std::to_string(m_options.timeoutMs) + " ms");
            }
            socket->waitForReadyRead(slice());
        }
        if (!complete) {
            if (reused && raw.isEmpty() && attempt == 0) {
                socket->abort();
                continue;
            }
            return fail(ErrorKind::Unavailable, "connect",
                        where + " closed the connection" + (raw.isEmpty() ? std::string() : " mid-answer"));
        }
        if (!error.empty()) return fail(ErrorKind::Internal, "bad_response", error);
        if (parsed.closeAfter) socket->disconnectFromHost();
        return Reply{parsed.status, parsed.body};
    }
    return fail(ErrorKind::Unavailable, "connect", where + " keeps closing the connection");
}

namespace {

Error httpError(const HttpTarget::Reply& reply) {
    std::string detail;
    const json body = json::parse(reply.body.begin(), reply.body.end(), nullptr, false);
    if (body.is_object()) {
        detail = jsonText(body.value("error", json()));
        const std::string more = jsonText(body.value("detail", json()));
        if (!more.empty()) detail += (detail.empty() ? "" : ": ") + more;
    }
    if (detail.empty()) detail = reply.body.left(200).toStdString();
    return sim::targetError(reply.status >= 500 ? ErrorKind::Unavailable : ErrorKind::Invalid,
                            "http_" + std::to_string(reply.status), detail);
}

}  // namespace

Result<recdeck::sim::Shown> HttpTarget::recommend(const std::string& userId, std::size_t n, std::stop_token stop) {
    json request = {{"user_id", userId}, {"n", n}};
    if (!m_options.model.empty()) request["model"] = m_options.model;
    const std::string payload = request.dump();
    QElapsedTimer timer;
    timer.start();
    auto reply =
        exchange("POST", "/recommendations", QByteArray(payload.data(), static_cast<qsizetype>(payload.size())), stop);
    const double latencyUs = static_cast<double>(timer.nsecsElapsed()) / 1000.0;
    if (!reply) return reply.error();
    if (reply->status < 200 || reply->status > 299) return httpError(*reply);
    const json body = json::parse(reply->body.begin(), reply->body.end(), nullptr, false);
    if (!body.is_object() || !body.contains("items") || !body["items"].is_array()) {
        return sim::targetError(ErrorKind::Internal, "bad_response",
                                "/recommendations answered without an \"items\" list");
    }
    recdeck::sim::Shown shown;
    for (const auto& item : body["items"]) {
        if (item.is_string())
            shown.items.push_back(item.get<std::string>());
        else if (item.is_number_integer())
            shown.items.push_back(item.dump());
        else
            return sim::targetError(ErrorKind::Internal, "bad_response",
                                    "an item id is neither a string nor an integer");
    }
    shown.requestId = jsonText(body.value("request_id", json()));
    shown.experiment = jsonText(body.value("experiment", json()));
    shown.variant = jsonText(body.value("variant", json()));
    shown.model = jsonText(body.value("model", json()));
    shown.cached = body.value("cached", json(false)).is_boolean() && body["cached"].get<bool>();
    shown.coldStart = body.value("cold_start", json(false)).is_boolean() && body["cold_start"].get<bool>();
    shown.latencyUs = latencyUs;
    return shown;
}

Status HttpTarget::send(std::vector<recdeck::store::Event> events, std::stop_token stop) {
    if (events.empty()) return {};
    json list = json::array();
    for (const auto& e : events) {
        json event = {{"type", std::string(recdeck::store::eventTypeName(e.type))}, {"user_id", e.userId}};
        if (!e.itemId.empty()) event["item_id"] = e.itemId;
        if (!e.requestId.empty()) event["request_id"] = e.requestId;
        if (!e.experiment.empty()) event["experiment"] = e.experiment;
        if (!e.variant.empty()) event["variant"] = e.variant;
        if (e.timestampMs > 0) event["timestamp"] = e.timestampMs;
        list.push_back(std::move(event));
    }
    const std::string payload = list.dump(-1, ' ', false, json::error_handler_t::replace);
    auto reply = exchange("POST", "/events", QByteArray(payload.data(), static_cast<qsizetype>(payload.size())), stop);
    if (!reply) return reply.error();
    if (reply->status < 200 || reply->status > 299) return httpError(*reply);
    return {};
}

Status HttpTarget::checkHealth() {
    auto reply = exchange("GET", "/health", {}, std::stop_token());
    if (!reply) return reply.error();
    if (reply->status != 200) return httpError(*reply);
    return {};
}

}  // namespace recdeckd

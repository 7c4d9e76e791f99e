#pragma once
// Plain request and response values of the HTTP layer, so routes can be handled and
// tested without sockets (QHttpServerRequest cannot be copied or built by hand).

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

#include <string_view>

namespace recdeck::http {

struct HttpRequest {
    QByteArray method;                     // "GET", "POST", ...
    QString path;                          // decoded path, e.g. "/users/u 1"
    QStringList segments;                  // decoded path segments, e.g. {"users", "u 1"}
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    QHostAddress peer;

    QString queryValue(const QString& name) const { return query.queryItemValue(name, QUrl::FullyDecoded); }
    bool hasQuery(const QString& name) const { return query.hasQueryItem(name); }
};

struct HttpResponse {
    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";
    QList<QPair<QByteArray, QByteArray>> headers;
};

// {"error": error, "detail": detail} with the given 4xx/5xx status.
HttpResponse jsonError(int status, std::string_view error, std::string_view detail);
// 405 naming the methods the path takes, with the Allow header ("GET, POST").
HttpResponse methodNotAllowed(const QByteArray& allow);

}  // namespace recdeck::http

#pragma once
// FleetMonitor: the running recdeckd instances the console watches. It polls each one's
// /health, /ready and /metrics over HTTP (Qt Network, asynchronous on the GUI thread's
// event loop: no thread is blocked), derives requests/s, p99 latency, CTR and cache hit
// rate from successive Prometheus scrapes, and keeps a short history per instance for the
// dashboard's fleet chart. The list of instances is kept in QSettings.

#include <QList>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QUrl>

namespace recdeck::ui {

struct InstanceState {
    QUrl url;
    bool reachable = false;   // /health answered
    bool ready = false;       // /ready answered 200
    QString readyDetail;      // "ready", or the reasons it is degraded
    QString store;            // "embedded" or the Redis URL it uses
    QString model;            // default model and version ("blend v3")
    double requestsPerSecond = 0.0;
    double p99Ms = 0.0;
    double ctr = 0.0;
    double hitRate = 0.0;
    qint64 lastSeenMs = 0;    // last successful poll, ms since the epoch
    QString error;            // the last failure ("connection refused", "HTTP 500", ...)
    QList<QPointF> requestsHistory;  // (ms since the epoch, requests/s), last 15 minutes
};

class FleetMonitor : public QObject {
    Q_OBJECT
public:
    explicit FleetMonitor(QObject* parent = nullptr);
    ~FleetMonitor() override;

    // Adds an instance by its base URL ("http://127.0.0.1:8000"); false if invalid or known.
    bool addInstance(const QUrl& url);
    void removeInstance(const QUrl& url);
    QList<QUrl> instances() const;
    QList<InstanceState> states() const;
    void setInterval(int milliseconds);
    // Polls every instance now.
    void pollNow();

signals:
    void changed();

private:
    struct Impl;
    Impl* m_impl;
};

}  // namespace recdeck::ui

#pragma once
// FleetMonitor: the running recdeckd instances the console watches. It polls each one's
// /health, /ready and /metrics over HTTP (Qt Network, asynchronous on the GUI thread's
// event loop: no thread is blocked), derives requests/s, p99 latency, CTR and cache hit
// rate from successive Prometheus scrapes, and keeps a short history per instance for the
// dashboard's fleet chart. The list of instances is kept in QSettings.
//
// Polling: every interval() ms (default 2 s) each instance gets the three GETs at once;
// an instance whose previous poll is still in flight is skipped that round, and every
// request is aborted after requestTimeout() ms (default 1.5 s), so a hung server costs
// one pending poll, never a queue. Figures are computed by TrafficWindow
// (adapters/fleet_metrics.h): requests/s over the last interval, p99 / CTR / hit rate
// over the last minute, counter resets (a restarted instance) handled.
//
// The instance list is saved under the QSettings key "fleet/instances" (read when the
// monitor is constructed: create it after QApplication's names are set).
//
// GUI thread only.

#include <QList>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace recdeck::ui {

struct InstanceState {
    enum class Health { Unknown, Unreachable, Degraded, Ready };

    QUrl url;
    bool reachable = false;  // /health answered
    bool ready = false;      // /ready answered 200
    QString readyDetail;     // "ready", or the reasons it is degraded
    QString store;           // "embedded" or the Redis URL it uses
    QString model;           // default model and version ("blend v3")
    double requestsPerSecond = 0.0;
    double p99Ms = 0.0;
    double ctr = 0.0;
    double hitRate = 0.0;
    qint64 lastSeenMs = 0;           // last successful poll, ms since the epoch
    QString error;                   // the last failure ("connection refused", "HTTP 500", ...)
    QList<QPointF> requestsHistory;  // (ms since the epoch, requests/s), last 15 minutes

    // Which of the figures above mean something (false: nothing to divide by yet).
    bool hasRate = false;                     // two scrapes seen
    bool hasLatency = false;                  // requests in the last minute (p99Ms)
    bool hasCtr = false;                      // impressions in the last minute (ctr)
    bool hasHitRate = false;                  // cache lookups in the last minute (hitRate)
    double errorsPerSecond = 0.0;             // client and server errors, last interval
    QStringList readyReasons;                 // /ready "reasons" while degraded
    std::optional<bool> storeUp;              // recdeck_store_up
    qint64 lastPollMs = 0;                    // last poll finished (successful or not)
    qint64 lastErrorMs = 0;                   // when `error` happened; == lastPollMs while it lasts
    qint64 restarts = 0;                      // counter resets seen (the instance restarted)
    QList<QPointF> p99History;                // (ms since the epoch, p99 ms), last 15 minutes
    std::optional<double> streamLagSeconds;   // fleet mode: readouts behind the stream
    std::optional<double> unpublishedEvents;  // fleet mode: its events not yet in the stream

    // Unknown until the first poll; Unreachable when /health failed; Degraded when /ready
    // did not answer 200; Ready otherwise.
    Health health() const;
    // "127.0.0.1:8000"
    QString displayName() const;
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
    std::optional<InstanceState> state(const QUrl& url) const;
    void setInterval(int milliseconds);
    int interval() const;
    void setRequestTimeout(int milliseconds);
    int requestTimeout() const;
    // Polls every instance now.
    void pollNow();

    // The base URL a user typed ("127.0.0.1:8000", "http://host:8000/"), normalised to
    // "http://host:port"; an invalid URL with the reason in `error` when it is not one.
    static QUrl normalizeUrl(const QString& text, QString* error = nullptr);

signals:
    void changed();

private:
    struct Impl;
    Impl* m_impl;
};

}  // namespace recdeck::ui

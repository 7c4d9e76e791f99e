#include "recdeck/ui/adapters/fleet_monitor.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "recdeck/ui/adapters/fleet_metrics.h"
#include "recdeck/ui/adapters/prometheus_text.h"

namespace recdeck::ui {

namespace {

constexpr const char* kSettingsKey = "fleet/instances";
constexpr int kDefaultInterval = 2000;
constexpr int kDefaultTimeout = 1500;

enum Endpoint { Health, Ready, Metrics, EndpointCount };
constexpr std::array<const char*, EndpointCount> kPaths = {"/health", "/ready", "/metrics"};

// One endpoint's answer within a poll.
struct Answer {
    int status = 0;  // HTTP status, 0 when there was no HTTP answer
    QByteArray body;
    QString failure;  // why there is no usable answer ("connection refused", "HTTP 404")
};

struct Poll {
    quint64 id = 0;
    int pending = EndpointCount;
    std::array<Answer, EndpointCount> answers;
    std::vector<QPointer<QNetworkReply>> replies;
};

QString networkFailure(QNetworkReply* reply, int timeoutMs) {
    if (reply->property("recdeckTimedOut").toBool()) {
        return QObject::tr("no answer within %1 s").arg(QString::number(timeoutMs / 1000.0, 'g', 2));
    }
    switch (reply->error()) {
        case QNetworkReply::ConnectionRefusedError:
            return QObject::tr("connection refused");
        case QNetworkReply::HostNotFoundError:
            return QObject::tr("host not found");
        case QNetworkReply::RemoteHostClosedError:
            return QObject::tr("connection closed by the instance");
        case QNetworkReply::TimeoutError:
            return QObject::tr("connection timed out");
        case QNetworkReply::OperationCanceledError:
            return QObject::tr("cancelled");
        default:
            return reply->errorString();
    }
}

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

}  // namespace

InstanceState::Health InstanceState::health() const {
    if (lastPollMs == 0) return Health::Unknown;
    if (!reachable) return Health::Unreachable;
    return ready ? Health::Ready : Health::Degraded;
}

QString InstanceState::displayName() const {
    const int port = url.port();
    return port > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(port) : url.host();
}

struct FleetMonitor::Impl {
    struct Instance {
        InstanceState state;
        TrafficWindow window;
        std::unique_ptr<Poll> poll;  // in flight
    };

    FleetMonitor* self = nullptr;
    QNetworkAccessManager* network = nullptr;
    QTimer timer;
    int timeoutMs = kDefaultTimeout;
    quint64 nextPoll = 1;
    std::vector<std::unique_ptr<Instance>> instances;

    Instance* find(const QUrl& url) {
        for (auto& instance : instances) {
            if (instance->state.url == url) return instance.get();
        }
        return nullptr;
    }

    void save() const {
        QStringList urls;
        for (const auto& instance : instances) urls << instance->state.url.toString();
        QSettings().setValue(QString::fromLatin1(kSettingsKey), urls);
    }

    void poll(Instance& instance) {
        if (instance.poll) return;  // the previous poll is still waiting: skip this round
        auto fresh = std::make_unique<Poll>();
        fresh->id = nextPoll++;
        const QUrl base = instance.state.url;
        const quint64 id = fresh->id;
        for (int e = 0; e < EndpointCount; ++e) {
            QUrl url = base;
            url.setPath(QString::fromLatin1(kPaths[static_cast<std::size_t>(e)]));
            QNetworkRequest request(url);
            request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
            request.setRawHeader("Accept", e == Metrics ? QByteArray("text/plain") : QByteArray("application/json"));
            QNetworkReply* reply = network->get(request);
            fresh->replies.emplace_back(reply);
            const int timeout = timeoutMs;
            QTimer::singleShot(timeout, reply, [reply] {
                if (!reply->isRunning()) return;
                reply->setProperty("recdeckTimedOut", true);
                reply->abort();
            });
            QObject::connect(reply, &QNetworkReply::finished, self, [this, base, id, e, reply, timeout] {
                reply->deleteLater();
                Instance* target = find(base);
                if (!target || !target->poll || target->poll->id != id) return;  // removed or superseded
                Answer& answer = target->poll->answers[static_cast<std::size_t>(e)];
                const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
                answer.status = status.isValid() ? status.toInt() : 0;
                answer.body = reply->readAll();
                if (answer.status == 0) {
                    answer.failure = networkFailure(reply, timeout);
                } else if (answer.status != 200 && !(e == Ready && answer.status == 503)) {
                    answer.failure = QObject::tr("HTTP %1").arg(answer.status);
                }
                if (--target->poll->pending == 0) finish(*target);
            });
        }
        instance.poll = std::move(fresh);
    }

    void finish(Instance& instance) {
        const std::unique_ptr<Poll> done = std::move(instance.poll);
        InstanceState& s = instance.state;
        const qint64 now = nowMs();
        s.lastPollMs = now;
        QStringList problems;
        const Answer& health = done->answers[Health];
        if (!health.failure.isEmpty()) {
            s.reachable = false;
            s.ready = false;
            s.readyDetail = QObject::tr("unreachable");
            s.hasRate = s.hasLatency = s.hasCtr = s.hasHitRate = false;
            s.requestsPerSecond = s.errorsPerSecond = 0.0;
            s.error = health.failure;
            s.lastErrorMs = now;
            emit self->changed();
            return;
        }
        s.reachable = true;
        s.lastSeenMs = now;

        const Answer& ready = done->answers[Ready];
        const QJsonObject readyJson = QJsonDocument::fromJson(ready.body).object();
        if (!ready.failure.isEmpty()) {
            s.ready = false;
            s.readyReasons.clear();
            s.readyDetail = QObject::tr("/ready: %1").arg(ready.failure);
            problems << s.readyDetail;
        } else {
            s.ready = ready.status == 200;
            s.readyReasons.clear();
            for (const QJsonValue reason : readyJson.value(QStringLiteral("reasons")).toArray()) {
                s.readyReasons << reason.toString();
            }
            s.readyDetail = s.ready                    ? QObject::tr("ready")
                            : s.readyReasons.isEmpty() ? QObject::tr("not ready (HTTP %1)").arg(ready.status)
                                                       : s.readyReasons.join(QStringLiteral("; "));
            if (readyJson.contains(QStringLiteral("store")))
                s.store = readyJson.value(QStringLiteral("store")).toString();
            const QJsonValue model = readyJson.value(QStringLiteral("model"));
            if (model.isString()) {
                const QJsonValue version = readyJson.value(QStringLiteral("model_version"));
                s.model = version.isDouble() ? QObject::tr("%1 v%2").arg(model.toString()).arg(version.toInteger())
                                             : model.toString();
            } else if (model.isNull() && readyJson.contains(QStringLiteral("model"))) {
                s.model.clear();
            }
        }

        const Answer& metrics = done->answers[Metrics];
        if (!metrics.failure.isEmpty()) {
            problems << QObject::tr("/metrics: %1").arg(metrics.failure);
            s.hasRate = s.hasLatency = s.hasCtr = s.hasHitRate = false;
        } else {
            const auto exposition = prometheus::parse(
                std::string_view(metrics.body.constData(), static_cast<std::size_t>(metrics.body.size())));
            const ScrapeTotals totals = ScrapeTotals::from(exposition);
            if (!totals.hasRequestFamily) {
                problems << QObject::tr("/metrics has no recdeck_requests_total: is this a recdeckd instance?");
            } else {
                const TrafficFigures f = instance.window.add(now, totals);
                if (f.restarted) ++s.restarts;
                s.hasRate = f.hasRate;
                s.requestsPerSecond = f.requestsPerSecond;
                s.errorsPerSecond = f.errorsPerSecond;
                s.hasLatency = f.hasLatency;
                s.p99Ms = f.p99Ms;
                s.hasCtr = f.hasCtr;
                s.ctr = f.ctr;
                s.hasHitRate = f.hasHitRate;
                s.hitRate = f.hitRate;
                s.requestsHistory = instance.window.requestsHistory();
                s.p99History = instance.window.p99History();
                s.storeUp = totals.storeUp;
                s.streamLagSeconds = totals.streamLagSeconds;
                s.unpublishedEvents = totals.unpublishedEvents;
                if (s.store.isEmpty()) s.store = totals.store;
                if (s.model.isEmpty() && !totals.defaultModel.isEmpty()) {
                    s.model = QObject::tr("%1 v%2").arg(totals.defaultModel).arg(totals.defaultVersion);
                }
            }
            if (exposition.skippedLines > 0) {
                problems << QObject::tr("/metrics: %n unreadable line(s), first at %1", nullptr,
                                        static_cast<int>(exposition.skippedLines))
                                .arg(QString::fromStdString(exposition.firstProblem));
            }
        }
        if (!problems.isEmpty()) {
            s.error = problems.join(QStringLiteral("; "));
            s.lastErrorMs = now;
        }
        emit self->changed();
    }

    static void abort(Instance& instance, FleetMonitor* owner) {
        if (!instance.poll) return;
        for (const auto& reply : instance.poll->replies) {
            if (!reply) continue;
            QObject::disconnect(reply, nullptr, owner, nullptr);
            reply->abort();
            reply->deleteLater();
        }
        instance.poll.reset();
    }
};

FleetMonitor::FleetMonitor(QObject* parent) : QObject(parent), m_impl(new Impl) {
    m_impl->self = this;
    m_impl->network = new QNetworkAccessManager(this);
    // Instances are reached directly: a proxy set for web browsing (http_proxy) would
    // turn "connection refused" on a local port into a proxy's error page.
    m_impl->network->setProxy(QNetworkProxy::NoProxy);
    m_impl->timer.setInterval(kDefaultInterval);
    connect(&m_impl->timer, &QTimer::timeout, this, &FleetMonitor::pollNow);
    const QStringList saved = QSettings().value(QString::fromLatin1(kSettingsKey)).toStringList();
    for (const QString& text : saved) {
        const QUrl url = normalizeUrl(text);
        if (!url.isValid() || m_impl->find(url)) continue;
        auto instance = std::make_unique<Impl::Instance>();
        instance->state.url = url;
        m_impl->instances.push_back(std::move(instance));
    }
    m_impl->timer.start();
    if (!m_impl->instances.empty()) QTimer::singleShot(0, this, &FleetMonitor::pollNow);
}

FleetMonitor::~FleetMonitor() {
    m_impl->timer.stop();
    for (auto& instance : m_impl->instances) Impl::abort(*instance, this);
    delete m_impl;
}

QUrl FleetMonitor::normalizeUrl(const QString& text, QString* error) {
    auto fail = [error](const QString& why) {
        if (error) *error = why;
        return QUrl();
    };
    QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) return fail(tr("Enter the address of a recdeckd instance, such as http://127.0.0.1:8000"));
    if (!trimmed.contains(QStringLiteral("://"))) trimmed.prepend(QStringLiteral("http://"));
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid()) return fail(tr("'%1' is not a valid address: %2").arg(text.trimmed(), url.errorString()));
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
        return fail(tr("'%1': the address must start with http:// (recdeckd serves plain HTTP)").arg(text.trimmed()));
    }
    if (url.host().isEmpty()) return fail(tr("'%1': the address needs a host name or IP address").arg(text.trimmed()));
    if (!url.userInfo().isEmpty())
        return fail(tr("'%1': leave user names and passwords out of the address").arg(text.trimmed()));
    const QString path = url.path();
    if (!path.isEmpty() && path != QLatin1String("/")) {
        return fail(tr("'%1': give the instance's base address, without a path such as %2").arg(text.trimmed(), path));
    }
    if (url.hasQuery() || url.hasFragment())
        return fail(tr("'%1': the address takes no query or fragment").arg(text.trimmed()));
    QUrl normal;
    normal.setScheme(scheme);
    normal.setHost(url.host().toLower());
    normal.setPort(url.port(scheme == QLatin1String("https") ? 443 : 80));
    if (error) error->clear();
    return normal;
}

bool FleetMonitor::addInstance(const QUrl& url) {
    const QUrl normal = normalizeUrl(url.toString());
    if (!normal.isValid() || m_impl->find(normal)) return false;
    auto instance = std::make_unique<Impl::Instance>();
    instance->state.url = normal;
    Impl::Instance& added = *instance;
    m_impl->instances.push_back(std::move(instance));
    m_impl->save();
    emit changed();
    m_impl->poll(added);
    return true;
}

void FleetMonitor::removeInstance(const QUrl& url) {
    const QUrl normal = normalizeUrl(url.toString());
    auto& list = m_impl->instances;
    const auto it = std::find_if(list.begin(), list.end(), [&](const auto& i) { return i->state.url == normal; });
    if (it == list.end()) return;
    Impl::abort(**it, this);
    list.erase(it);
    m_impl->save();
    emit changed();
}

QList<QUrl> FleetMonitor::instances() const {
    QList<QUrl> urls;
    for (const auto& instance : m_impl->instances) urls.append(instance->state.url);
    return urls;
}

QList<InstanceState> FleetMonitor::states() const {
    QList<InstanceState> states;
    for (const auto& instance : m_impl->instances) states.append(instance->state);
    return states;
}

std::optional<InstanceState> FleetMonitor::state(const QUrl& url) const {
    const QUrl normal = normalizeUrl(url.toString());
    if (auto* instance = m_impl->find(normal)) return instance->state;
    return std::nullopt;
}

void FleetMonitor::setInterval(int milliseconds) {
    m_impl->timer.setInterval(std::max(100, milliseconds));
}
int FleetMonitor::interval() const {
    return m_impl->timer.interval();
}
void FleetMonitor::setRequestTimeout(int milliseconds) {
    m_impl->timeoutMs = std::max(50, milliseconds);
}
int FleetMonitor::requestTimeout() const {
    return m_impl->timeoutMs;
}

void FleetMonitor::pollNow() {
    for (auto& instance : m_impl->instances) m_impl->poll(*instance);
}

}  // namespace recdeck::ui

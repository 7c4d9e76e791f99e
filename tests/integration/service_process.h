#pragma once
// Test helpers for running the real `recdeckd serve` as a child process and talking to it
// over loopback HTTP.

#include <QByteArray>
#include <QJsonDocument>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>

namespace recdeck::test {

// The recdeckd binary of this build.
QString recdeckdPath();

struct HttpReply {
    int status = 0;  // 0 when the connection failed or timed out
    QByteArray body;
    QByteArray contentType;
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

// A blocking HTTP/1.1 exchange on loopback (bounded by timeout). A body is sent as
// application/json unless `headers` names a Content-Type.
HttpReply http(const QByteArray& method, quint16 port, const QString& pathAndQuery, const QByteArray& body = {},
               const QList<QPair<QByteArray, QByteArray>>& headers = {}, int timeoutMs = 10000);

class ServiceProcess {
public:
    ServiceProcess() = default;
    ~ServiceProcess();
    ServiceProcess(const ServiceProcess&) = delete;
    ServiceProcess& operator=(const ServiceProcess&) = delete;

    // Starts `recdeckd serve --port 0 <arguments>` and waits (bounded) until it prints
    // the address it serves on. On failure returns false with its output in `error`.
    bool start(const QStringList& arguments, QString* error, int timeoutMs = 120000);
    void kill();       // SIGKILL and wait
    bool terminate();  // SIGTERM, wait for a clean exit; true when it exited with status 0
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    bool running() const { return m_process && m_process->state() == QProcess::Running; }
    QString output() const;

    HttpReply get(const QString& path) const { return http("GET", m_port, path); }
    HttpReply post(const QString& path, const QByteArray& body = {}) const { return http("POST", m_port, path, body); }

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};

}  // namespace recdeck::test

#include "service_process.h"

#include "test_support.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTcpSocket>

namespace recdeck::test {

QString recdeckdPath() {
    const QByteArray dir = qgetenv("RECDECK_BINARY_DIR");
    return QString::fromLocal8Bit(dir) + QStringLiteral("/app/recdeckd");
}

HttpReply http(const QByteArray& method, quint16 port, const QString& pathAndQuery, const QByteArray& body,
               const QList<QPair<QByteArray, QByteArray>>& headers, int timeoutMs) {
    HttpReply reply;
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(timeoutMs)) return reply;
    QByteArray request = method + ' ' + pathAndQuery.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    bool typed = false;
    for (const auto& [name, value] : headers) {
        request += name + ": " + value + "\r\n";
        typed = typed || name.toLower() == "content-type";
    }
    // Bodies are JSON unless the caller says otherwise (the service refuses untyped bodies).
    if (!body.isEmpty() && !typed) request += "Content-Type: application/json\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    socket.write(request);
    QByteArray raw;
    QElapsedTimer timer;
    timer.start();
    // Read until the whole body (Content-Length) is in, or the server closes.
    while (timer.elapsed() < timeoutMs) {
        if (!socket.waitForReadyRead(static_cast<int>(std::max<qint64>(1, timeoutMs - timer.elapsed())))) {
            if (socket.state() != QAbstractSocket::ConnectedState) break;
            continue;
        }
        raw += socket.readAll();
        const auto end = raw.indexOf("\r\n\r\n");
        if (end < 0) continue;
        const QByteArray head = raw.left(end);
        const QRegularExpression lengthPattern(QStringLiteral("(?i)content-length:\\s*(\\d+)"));
        const auto match = lengthPattern.match(QString::fromLatin1(head));
        if (match.hasMatch() && raw.size() - end - 4 >= match.captured(1).toLongLong()) break;
    }
    raw += socket.readAll();
    const auto end = raw.indexOf("\r\n\r\n");
    if (end < 0) return reply;
    const QList<QByteArray> lines = raw.left(end).split('\n');
    const QList<QByteArray> status = lines.value(0).split(' ');
    reply.status = status.value(1).toInt();
    for (const QByteArray& line : lines) {
        if (line.toLower().startsWith("content-type:")) reply.contentType = line.mid(13).trimmed();
    }
    reply.body = raw.mid(end + 4);
    return reply;
}

ServiceProcess::~ServiceProcess() {
    if (running()) kill();
}

bool ServiceProcess::start(const QStringList& arguments, QString* error, int timeoutMs) {
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    test::dieWithTest(*m_process);
    m_output.clear();
    m_process->start(recdeckdPath(),
                     QStringList{QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")} + arguments);
    if (!m_process->waitForStarted(10000)) {
        if (error) *error = QStringLiteral("cannot start %1").arg(recdeckdPath());
        return false;
    }
    const QRegularExpression serving(QStringLiteral("serving on http://[^:]+:(\\d+)"));
    QElapsedTimer timer;
    timer.start();
    const qint64 limit = static_cast<qint64>(timeoutMs) * timeScale();  // sanitizer builds train slower
    while (timer.elapsed() < limit) {
        m_process->waitForReadyRead(200);
        m_output += m_process->readAll();
        const auto match = serving.match(QString::fromUtf8(m_output));
        if (match.hasMatch()) {
            m_port = static_cast<quint16>(match.captured(1).toUInt());
            return true;
        }
        if (m_process->state() != QProcess::Running) break;
    }
    if (error) *error = QStringLiteral("recdeckd did not start serving:\n%1").arg(QString::fromUtf8(m_output));
    kill();
    return false;
}

void ServiceProcess::kill() {
    if (!m_process) return;
    m_process->kill();
    m_process->waitForFinished(10000);
    m_output += m_process->readAll();
}

bool ServiceProcess::terminate() {
    if (!m_process) return false;
    m_process->terminate();
    const bool finished = m_process->waitForFinished(20000);
    m_output += m_process->readAll();
    return finished && m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
}

QString ServiceProcess::output() const {
    QByteArray all = m_output;
    if (m_process) all += m_process->peek(1 << 20);
    return QString::fromUtf8(all);
}

}  // namespace recdeck::test

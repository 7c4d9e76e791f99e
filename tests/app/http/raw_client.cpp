#include "raw_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>

namespace recdeck::test {

namespace {

using Clock = std::chrono::steady_clock;

int remainingMs(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

std::vector<RawResponse> splitResponses(std::string_view bytes) {
    std::vector<RawResponse> out;
    while (!bytes.empty()) {
        const std::size_t end = bytes.find("\r\n\r\n");
        if (end == std::string_view::npos || bytes.substr(0, 9).find("HTTP/1.") != 0) break;
        RawResponse response;
        response.head = std::string(bytes.substr(0, end));
        response.status = std::atoi(response.head.c_str() + 9);
        std::size_t length = 0;
        std::string lower = response.head;
        for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        if (const std::size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
            length = static_cast<std::size_t>(std::strtoull(lower.c_str() + at + 17, nullptr, 10));
        }
        if (bytes.size() < end + 4 + length) break;
        response.body = std::string(bytes.substr(end + 4, length));
        out.push_back(std::move(response));
        bytes.remove_prefix(end + 4 + length);
    }
    return out;
}

RawConnection::RawConnection(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    m_fd = fd;
}

RawConnection::~RawConnection() {
    close();
}

void RawConnection::close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

std::size_t RawConnection::send(std::string_view bytes, int timeoutMs) {
    std::size_t sent = 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (m_fd >= 0 && sent < bytes.size()) {
        const ssize_t n = ::send(m_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) break;
        pollfd p{m_fd, POLLOUT, 0};
        const int left = remainingMs(deadline);
        if (left == 0 || ::poll(&p, 1, left) <= 0) break;
        if ((p.revents & (POLLERR | POLLHUP)) != 0) break;
    }
    return sent;
}

bool RawConnection::readable(int timeoutMs) const {
    if (m_fd < 0) return false;
    pollfd p{m_fd, POLLIN, 0};
    return ::poll(&p, 1, timeoutMs) > 0;
}

bool RawConnection::receive(int timeoutMs, int quietMs) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    bool got = false;
    char buffer[65536];
    while (m_fd >= 0 && !m_closed) {
        const int wait = got ? std::min(quietMs, remainingMs(deadline)) : remainingMs(deadline);
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, wait) <= 0) break;
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            m_received.append(buffer, static_cast<std::size_t>(n));
            got = true;
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            m_closed = true;
        }
    }
    return !m_closed;
}

bool RawConnection::waitClosed(int timeoutMs, std::size_t maxBytes) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (!m_closed && m_fd >= 0 && m_received.size() < maxBytes) {
        const int left = remainingMs(deadline);
        if (left == 0) break;
        receive(left, left);
    }
    return m_closed;
}

RawResponse RawConnection::readResponse(int timeoutMs) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
        auto responses = splitResponses(m_received);
        if (!responses.empty()) return responses.front();
        const int left = remainingMs(deadline);
        if (left == 0 || m_closed || m_fd < 0) return {};
        receive(left, 5);
    }
}

std::string rawRequest(std::string_view method, std::string_view target, std::string_view body,
                       std::string_view extraHeaders) {
    std::string out;
    out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    out.append(extraHeaders);
    if (!body.empty()) {
        out.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
        out.append("\r\n");
    }
    out.append("\r\n").append(body);
    return out;
}

std::size_t residentBytes(long long pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return static_cast<std::size_t>(std::strtoull(line.c_str() + 6, nullptr, 10)) * 1024;
    }
    return 0;
}

}  // namespace recdeck::test

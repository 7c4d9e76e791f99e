#pragma once
// The few socket calls RedisStore makes itself (hiredis makes the rest), one version per
// platform, so that redis_store.cpp has no platform #ifdefs:
//  - WakeSignal wakes the pub/sub thread out of its wait;
//  - pollSockets waits for the pub/sub connection or a wake-up;
//  - sendSome sends commands without raising SIGPIPE;
//  - the error helpers classify and describe what those calls report.
//
// POSIX: a non-blocking pipe, poll(2), send(MSG_NOSIGNAL), errno, SIGPIPE blocked on the
// pub/sub thread. Windows (Winsock 2): WSAPoll waits on sockets only, so the wake-up is a
// UDP socket on 127.0.0.1 connected to itself; send (Windows has no SIGPIPE);
// WSAGetLastError; closesocket.
//
// Include this header after every other header: on Windows it brings in <winsock2.h>
// (and with it <windows.h>, with WIN32_LEAN_AND_MEAN and NOMINMAX).

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#if defined(_MSC_VER)
#pragma comment(lib, "ws2_32.lib")
#endif
#else
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace recdeck::store::detail {

#if defined(_WIN32)

using NativeSocket = SOCKET;
using PollEntry = WSAPOLLFD;
inline constexpr NativeSocket kNoSocket = INVALID_SOCKET;

#else

using NativeSocket = int;
using PollEntry = pollfd;
inline constexpr NativeSocket kNoSocket = -1;

#endif

// hiredis keeps a connection's socket in redisContext::fd: an int on POSIX, a redisFD
// (an unsigned integer the size of SOCKET) on Windows.
template <class Fd>
NativeSocket nativeSocket(Fd fd) {
    static_assert(sizeof(Fd) == sizeof(NativeSocket), "redisContext::fd is not a native socket");
    return static_cast<NativeSocket>(fd);
}

inline PollEntry readableEntry(NativeSocket handle) {
    PollEntry entry{};
    entry.fd = handle;
    entry.events = static_cast<decltype(entry.events)>(POLLIN);
    return entry;
}

#if defined(_WIN32)

// -------------------------------------------------------------------------------------
// Windows
// -------------------------------------------------------------------------------------

// The calling thread's last Winsock error.
inline int lastSocketError() {
    return ::WSAGetLastError();
}
inline bool isInterrupted(int error) {
    return error == WSAEINTR;
}
// SO_SNDTIMEO / SO_RCVTIMEO ran out (Winsock reports WSAETIMEDOUT; WSAEWOULDBLOCK on a
// non-blocking socket).
inline bool isTimeout(int error) {
    return error == WSAETIMEDOUT || error == WSAEWOULDBLOCK;
}
inline std::string socketErrorText(int error) {
    return std::system_category().message(error);
}

// hiredis' Windows layer turns Winsock errors into errno values: an expired timeout is
// ETIMEDOUT there.
inline bool isTimeoutErrno(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == ETIMEDOUT;
}
// The C runtime's strerror text (what hiredis puts in errstr), without MSVC's deprecation.
inline std::string errnoText(int error) {
    std::array<char, 128> text{};
    if (::strerror_s(text.data(), text.size(), error) != 0) return std::generic_category().message(error);
    return text.data();
}

// Like poll(2), which ignores entries holding kNoSocket (revents 0). WSAPoll is not
// relied on for that: they are left out of its call, and when none is left (WSAPoll
// would fail) this waits out the timeout as poll(2) does. At most kMaxPollEntries
// entries (RedisStore waits on two sockets); more fail with WSAEINVAL.
inline constexpr std::size_t kMaxPollEntries = 2;
inline int pollSockets(std::span<PollEntry> entries, int timeoutMs) {
    std::array<PollEntry, kMaxPollEntries> valid{};
    if (entries.size() > valid.size()) {
        ::WSASetLastError(WSAEINVAL);
        return SOCKET_ERROR;
    }
    ULONG count = 0;
    for (PollEntry& entry : entries) {
        entry.revents = 0;
        if (entry.fd != kNoSocket) valid[count++] = entry;
    }
    if (count == 0) {
        ::Sleep(static_cast<DWORD>(std::max(timeoutMs, 0)));
        return 0;
    }
    const int ready = ::WSAPoll(valid.data(), count, timeoutMs);
    ULONG next = 0;
    for (PollEntry& entry : entries)
        if (entry.fd != kNoSocket) entry.revents = valid[next++].revents;
    return ready;
}

// Sends what it can of bytes: the count sent, or < 0 (see lastSocketError()).
inline std::ptrdiff_t sendSome(NativeSocket handle, std::string_view bytes) {
    const auto chunk = static_cast<int>(std::min<std::size_t>(bytes.size(), std::numeric_limits<int>::max()));
    return ::send(handle, bytes.data(), chunk, 0);
}

// Windows has no SIGPIPE: nothing to block.
inline void blockBrokenPipeSignal() {}

// Wakes the pub/sub thread out of pollSockets(): a UDP socket bound to 127.0.0.1 and
// connected to itself, so it only receives its own datagrams. Also holds a Winsock
// reference for the store's lifetime (WSAStartup / WSACleanup are reference counted).
class WakeSignal {
public:
    WakeSignal() {
        WSADATA data{};
        m_winsock = ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
        if (!m_winsock) return;
        m_socket = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        if (m_socket == INVALID_SOCKET) return;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = ::htonl(INADDR_LOOPBACK);
        address.sin_port = 0;  // any free port
        int length = static_cast<int>(sizeof address);
        u_long nonBlocking = 1;
        auto* raw = reinterpret_cast<sockaddr*>(&address);
        if (::bind(m_socket, raw, length) != 0 || ::getsockname(m_socket, raw, &length) != 0 ||
            ::connect(m_socket, raw, length) != 0 || ::ioctlsocket(m_socket, FIONBIO, &nonBlocking) != 0) {
            ::closesocket(m_socket);
            m_socket = INVALID_SOCKET;
        }
    }
    ~WakeSignal() {
        if (m_socket != INVALID_SOCKET) ::closesocket(m_socket);
        if (m_winsock) ::WSACleanup();
    }
    WakeSignal(const WakeSignal&) = delete;
    WakeSignal& operator=(const WakeSignal&) = delete;

    NativeSocket readHandle() const { return m_socket; }
    void wake() const {
        const char wakeByte = 1;
        // A full buffer already holds a wake-up; nothing else to do on failure.
        ::send(m_socket, &wakeByte, 1, 0);
    }
    void drain() const {
        std::array<char, 64> sink{};
        while (::recv(m_socket, sink.data(), static_cast<int>(sink.size()), 0) > 0) {
        }
    }

private:
    bool m_winsock = false;
    SOCKET m_socket = INVALID_SOCKET;
};

#else

// -------------------------------------------------------------------------------------
// POSIX
// -------------------------------------------------------------------------------------

inline int lastSocketError() {
    return errno;
}
inline bool isInterrupted(int error) {
    return error == EINTR;
}
// SO_SNDTIMEO / SO_RCVTIMEO ran out.
inline bool isTimeout(int error) {
    return error == EAGAIN || error == EWOULDBLOCK;
}
inline std::string socketErrorText(int error) {
    return std::strerror(error);
}

inline bool isTimeoutErrno(int error) {
    return isTimeout(error);
}
inline std::string errnoText(int error) {
    return std::strerror(error);
}

inline int pollSockets(std::span<PollEntry> entries, int timeoutMs) {
    return ::poll(entries.data(), static_cast<nfds_t>(entries.size()), timeoutMs);
}

// Sends what it can of bytes: the count sent, or < 0 (see lastSocketError()). A write to
// a connection the server closed is an error, not a SIGPIPE that ends the process.
inline std::ptrdiff_t sendSome(NativeSocket handle, std::string_view bytes) {
    return ::send(handle, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

// hiredis writes with write(2); a thread that lets it write keeps SIGPIPE blocked.
inline void blockBrokenPipeSignal() {
    sigset_t pipeSignal;
    sigemptyset(&pipeSignal);
    sigaddset(&pipeSignal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSignal, nullptr);
}

// Wakes the pub/sub thread out of pollSockets(): a non-blocking pipe.
class WakeSignal {
public:
    WakeSignal() {
        if (::pipe(m_fds.data()) != 0) {
            m_fds = {-1, -1};
            return;
        }
        for (const int fd : m_fds) {
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
    ~WakeSignal() {
        for (const int fd : m_fds)
            if (fd >= 0) ::close(fd);
    }
    WakeSignal(const WakeSignal&) = delete;
    WakeSignal& operator=(const WakeSignal&) = delete;

    NativeSocket readHandle() const { return m_fds[0]; }
    void wake() const {
        const char byte = 1;
        // A full pipe already holds a wake-up; nothing else to do on failure.
        [[maybe_unused]] const auto written = ::write(m_fds[1], &byte, 1);
    }
    void drain() const {
        std::array<char, 64> sink{};
        while (::read(m_fds[0], sink.data(), sink.size()) > 0) {
        }
    }

private:
    std::array<int, 2> m_fds{-1, -1};
};

#endif

}  // namespace recdeck::store::detail

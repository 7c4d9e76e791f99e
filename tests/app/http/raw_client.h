#pragma once
// A raw loopback TCP client for hostile-client tests (POSIX sockets): sends exactly the
// bytes given — malformed, partial, slow or endless — and reads what comes back, every
// wait bounded.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace recdeck::test {

struct RawResponse {
    int status = 0;  // 0: no complete response head arrived
    std::string head;
    std::string body;
};

// The responses at the start of `bytes` (pipelined ones included), parsed by their
// Content-Length; an incomplete last one is left out.
std::vector<RawResponse> splitResponses(std::string_view bytes);

class RawConnection {
public:
    explicit RawConnection(std::uint16_t port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    bool connected() const { return m_fd >= 0; }
    // Sends all of bytes unless the peer closes or stops reading for timeoutMs; returns
    // the number of bytes the kernel took.
    std::size_t send(std::string_view bytes, int timeoutMs = 5000);
    // Appends what arrives within timeoutMs (returns early once something arrived and no
    // more comes for quietMs). False when the peer closed (EOF or reset).
    bool receive(int timeoutMs, int quietMs = 50);
    // Reads until the peer closes, at most timeoutMs / maxBytes. True when it closed.
    bool waitClosed(int timeoutMs, std::size_t maxBytes = std::size_t{16} << 20);
    // Reads until one complete response is in received(), at most timeoutMs.
    RawResponse readResponse(int timeoutMs = 10000);
    // True when something can be read right now (or the peer closed).
    bool readable(int timeoutMs = 0) const;
    bool peerClosed() const { return m_closed; }
    const std::string& received() const { return m_received; }
    void close();

private:
    int m_fd = -1;
    bool m_closed = false;
    std::string m_received;
};

// A complete request with Host: 127.0.0.1 (and Content-Length and a JSON type for a body).
std::string rawRequest(std::string_view method, std::string_view target, std::string_view body = {},
                       std::string_view extraHeaders = {});

// Resident memory of a process in bytes (Linux /proc), 0 when unknown.
std::size_t residentBytes(long long pid);

}  // namespace recdeck::test

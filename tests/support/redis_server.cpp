#include "redis_server.h"

#include "test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace recdeck::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);
constexpr int kPortAttempts = 5;

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// A port the kernel just handed out on 127.0.0.1; free unless someone takes it first
// (start() retries with another one).
std::uint16_t pickFreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof(address);
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

// One PING over a plain socket; true on "+PONG" (or "-NOAUTH", which also means the
// server is up and answering).
bool answersPing(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    timeval timeout{0, 200'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address = loopback(port);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
        constexpr std::string_view ping = "PING\r\n";
        if (::send(fd, ping.data(), ping.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(ping.size())) {
            std::array<char, 64> reply{};
            const ssize_t n = ::recv(fd, reply.data(), reply.size() - 1, 0);
            const std::string_view text(reply.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
            ok = text.starts_with("+PONG") || text.starts_with("-NOAUTH");
        }
    }
    ::close(fd);
    return ok;
}

}  // namespace

RedisServer::RedisServer() : RedisServer(Options{}) {}

RedisServer::RedisServer(Options options) : m_options(std::move(options)) {}

RedisServer::RedisServer(Options options, std::vector<std::string> extraArguments)
    : m_options(std::move(options)), m_extraArguments(std::move(extraArguments)) {}

RedisServer::~RedisServer() {
    stop();
    if (!m_dir.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(m_dir, ignored);
    }
}

std::optional<std::filesystem::path> RedisServer::executable() {
    const char* path = std::getenv("PATH");
    std::stringstream folders(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string folder;
    while (std::getline(folders, folder, ':')) {
        if (folder.empty()) continue;
        const auto candidate = std::filesystem::path(folder) / "redis-server";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

std::string RedisServer::url(int db) const {
    std::string auth = m_options.password.empty() ? std::string() : ":" + m_options.password + "@";
    return "redis://" + auth + host() + ":" + std::to_string(m_port) + "/" + std::to_string(db);
}

bool RedisServer::start(std::string* error) {
    if (running()) return true;
    if (m_dir.empty()) {
        std::string pattern = (std::filesystem::temp_directory_path() / "recdeck-redis-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            if (error != nullptr) *error = std::string("cannot create a temp directory: ") + std::strerror(errno);
            return false;
        }
        m_dir = pattern;
    }
    if (m_port != 0) return launch(error);  // a restart keeps its port
    for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
        m_port = pickFreePort();
        if (m_port != 0 && launch(error)) return true;
    }
    m_port = 0;
    return false;
}

bool RedisServer::launch(std::string* error) {
    const auto binary = executable();
    if (!binary) {
        if (error != nullptr) *error = "redis-server not found on PATH";
        return false;
    }
    const std::string port = std::to_string(m_port);
    const std::string dir = m_dir.string();
    const std::string log = logFile().string();
    std::vector<std::string> args = {binary->string(),
                                     "--port",
                                     port,
                                     "--bind",
                                     "127.0.0.1",
                                     "--save",
                                     "",
                                     "--appendonly",
                                     m_options.persistent ? "yes" : "no",
                                     "--appendfsync",
                                     "always",
                                     "--dir",
                                     dir,
                                     "--logfile",
                                     log,
                                     "--daemonize",
                                     "no",
                                     "--databases",
                                     "16"};
    if (!m_options.password.empty()) {
        args.emplace_back("--requirepass");
        args.push_back(m_options.password);
    }
    args.insert(args.end(), m_extraArguments.begin(), m_extraArguments.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) {
        if (error != nullptr) *error = std::string("fork failed: ") + std::strerror(errno);
        return false;
    }
    if (pid == 0) {
        // Child: only async-signal-safe calls until exec.
#ifdef __linux__
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    m_pid = pid;
    return waitUntilReady(error);
}

bool RedisServer::waitUntilReady(std::string* error) {
    const auto deadline = Clock::now() + kStartTimeout;
    while (Clock::now() < deadline) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            if (error != nullptr)
                *error =
                    "redis-server on port " + std::to_string(m_port) + " exited during start-up; log:\n" + logTail();
            return false;
        }
        if (answersPing(m_port)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (error != nullptr)
        *error =
            "redis-server on port " + std::to_string(m_port) + " did not answer PING within 10 s; log:\n" + logTail();
    stop();
    return false;
}

void RedisServer::pause() {
    if (m_pid > 0) ::kill(m_pid, SIGSTOP);
}

void RedisServer::resume() {
    if (m_pid > 0) ::kill(m_pid, SIGCONT);
}

bool RedisServer::kill() {
    if (m_pid <= 0) return true;
    ::kill(m_pid, SIGKILL);
    const auto deadline = Clock::now() + kStopTimeout;
    while (Clock::now() < deadline) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

bool RedisServer::stop() {
    if (m_pid <= 0) return true;
    ::kill(m_pid, SIGTERM);
    ::kill(m_pid, SIGCONT);  // a paused server handles SIGTERM only once it runs again
    const auto deadline = Clock::now() + kStopTimeout;
    int status = 0;
    while (Clock::now() < deadline) {
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
    return true;
}

std::string RedisServer::logTail() const {
    std::ifstream in(logFile());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string out;
    const std::size_t first = lines.size() > 10 ? lines.size() - 10 : 0;
    for (std::size_t i = first; i < lines.size(); ++i) out += lines[i] + "\n";
    return out.empty() ? "(empty)" : out;
}

}  // namespace recdeck::test

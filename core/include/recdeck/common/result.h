#pragma once
// Result<T>: the value of an operation that can fail for an expected reason (bad file,
// bad request, unreachable server). Broken invariants assert instead.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace recdeck {

// What kind of failure an Error is. Callers branch on the kind, never on the message;
// errorHttpStatus() and errorExitCode() are the one table from kinds to the outside.
enum class ErrorKind {
    Invalid,      // the input is wrong (bad file, field, argument): fix it and retry
    NotFound,     // what was named does not exist
    Conflict,     // the request contradicts the current state (an experiment is running)
    Unavailable,  // a dependency is away or overloaded (Redis down, queue full): retry later
    Cancelled,    // the caller cancelled it
    Internal,     // a failure of ours or of the machine (disk, corrupt file)
};

// A failure a user can act on: says what, where (file:line, field) and what was expected.
struct Error {
    std::string message;
    ErrorKind kind = ErrorKind::Invalid;
    // Optional: a finer, stable machine-readable reason within the kind (the traffic
    // simulator counts failures by it: "timeout", "connect", "http_503"). Code branches
    // on kind and reason, never on the message.
    std::string reason{};

    static Error invalid(std::string text) { return {std::move(text), ErrorKind::Invalid}; }
    static Error notFound(std::string text) { return {std::move(text), ErrorKind::NotFound}; }
    static Error conflict(std::string text) { return {std::move(text), ErrorKind::Conflict}; }
    static Error unavailable(std::string text) { return {std::move(text), ErrorKind::Unavailable}; }
    static Error cancelled(std::string text = "cancelled") { return {std::move(text), ErrorKind::Cancelled}; }
    static Error internal(std::string text) { return {std::move(text), ErrorKind::Internal}; }
};

// The HTTP status of a kind: 400, 404, 409, 503, 499 (cancelled), 500.
constexpr int errorHttpStatus(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Invalid:
            return 400;
        case ErrorKind::NotFound:
            return 404;
        case ErrorKind::Conflict:
            return 409;
        case ErrorKind::Unavailable:
            return 503;
        case ErrorKind::Cancelled:
            return 499;
        case ErrorKind::Internal:
            return 500;
    }
    return 500;
}

// The stable machine-readable code of a kind ("invalid", "not_found", ...), used in JSON
// error bodies.
constexpr const char* errorCode(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Invalid:
            return "invalid";
        case ErrorKind::NotFound:
            return "not_found";
        case ErrorKind::Conflict:
            return "conflict";
        case ErrorKind::Unavailable:
            return "unavailable";
        case ErrorKind::Cancelled:
            return "cancelled";
        case ErrorKind::Internal:
            return "internal";
    }
    return "internal";
}

// The exit status of a command that failed with this kind: 2 for input the user must fix
// (invalid, not found, conflict), 1 otherwise.
constexpr int errorExitCode(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Invalid:
        case ErrorKind::NotFound:
        case ErrorKind::Conflict:
            return 2;
        default:
            return 1;
    }
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : m_state(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(m_state);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(m_state);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(m_state));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const {
        assert(!ok());
        return std::get<1>(m_state);
    }
    const std::string& errorMessage() const { return error().message; }
    ErrorKind errorKind() const { return error().kind; }

private:
    std::variant<T, Error> m_state;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}  // NOLINT

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error& error() const {
        assert(m_failed);
        return m_error;
    }
    const std::string& errorMessage() const { return m_error.message; }
    ErrorKind errorKind() const { return m_error.kind; }

private:
    Error m_error;
    bool m_failed = false;
};

using Status = Result<void>;

}  // namespace recdeck

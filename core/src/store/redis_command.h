#pragma once
// Internal helpers of RedisStore around hiredis: owned contexts and replies, and a
// binary-safe argument list that prefixes keys without one allocation per key.

#include <hiredis/hiredis.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace recdeck::store::detail {

struct ContextDeleter {
    void operator()(redisContext* context) const {
        if (context != nullptr) redisFree(context);
    }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
    void operator()(redisReply* reply) const {
        if (reply != nullptr) freeReplyObject(reply);
    }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

inline std::string_view replyText(const redisReply& reply) {
    return {reply.str, reply.len};
}

// One command's arguments. arg() refers to the caller's bytes (they must outlive the
// call); key() and number() copy into an internal buffer, keys with the store's prefix.
class RedisCommand {
public:
    RedisCommand(std::string_view name, std::string_view keyPrefix) : m_prefix(keyPrefix) { arg(name); }

    RedisCommand& arg(std::string_view value) {
        m_parts.push_back(Part{value.data(), 0, value.size()});
        return *this;
    }
    RedisCommand& key(std::string_view logicalKey) {
        const std::size_t offset = m_buffer.size();
        m_buffer.append(m_prefix).append(logicalKey);
        m_parts.push_back(Part{nullptr, offset, m_prefix.size() + logicalKey.size()});
        return *this;
    }
    RedisCommand& number(std::int64_t value) {
        const std::size_t offset = m_buffer.size();
        m_buffer += std::to_string(value);
        m_parts.push_back(Part{nullptr, offset, m_buffer.size() - offset});
        return *this;
    }

    std::string_view name() const { return {m_parts.front().external, m_parts.front().length}; }

    // Pointers for hiredis; valid until the next change to this command.
    int argc() const { return static_cast<int>(m_parts.size()); }
    const char** argv() {
        seal();
        return m_argv.data();
    }
    const std::size_t* lengths() {
        seal();
        return m_lengths.data();
    }

private:
    struct Part {
        const char* external;  // nullptr: the bytes are in m_buffer at offset
        std::size_t offset;
        std::size_t length;
    };
    void seal() {
        if (m_argv.size() == m_parts.size()) return;
        m_argv.clear();
        m_lengths.clear();
        for (const Part& part : m_parts) {
            m_argv.push_back(part.external != nullptr ? part.external : m_buffer.data() + part.offset);
            m_lengths.push_back(part.length);
        }
    }

    std::string_view m_prefix;
    std::string m_buffer;
    std::vector<Part> m_parts;
    std::vector<const char*> m_argv;
    std::vector<std::size_t> m_lengths;
};

}  // namespace recdeck::store::detail

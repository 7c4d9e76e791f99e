#include "recdeck/cache/cache_entry.h"

#include <cstring>

namespace recdeck::cache {

namespace {

constexpr std::uint8_t kFormatVersion = 1;

void putU64(std::string& out, std::uint64_t value) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFFU));
}

void putString(std::string& out, std::string_view text) {
    putU64(out, text.size());
    out.append(text);
}

class Reader {
public:
    explicit Reader(std::string_view bytes) : m_bytes(bytes) {}
    bool u64(std::uint64_t& value) {
        if (m_bytes.size() - m_pos < 8) return false;
        value = 0;
        for (int i = 0; i < 8; ++i) {
            value |= static_cast<std::uint64_t>(static_cast<unsigned char>(m_bytes[m_pos + static_cast<std::size_t>(i)])) << (8 * i);
        }
        m_pos += 8;
        return true;
    }
    bool string(std::string& text) {
        std::uint64_t size = 0;
        if (!u64(size) || size > m_bytes.size() - m_pos) return false;
        text.assign(m_bytes.substr(m_pos, size));
        m_pos += size;
        return true;
    }
    bool byte(std::uint8_t& value) {
        if (m_pos >= m_bytes.size()) return false;
        value = static_cast<std::uint8_t>(m_bytes[m_pos++]);
        return true;
    }
    bool atEnd() const { return m_pos == m_bytes.size(); }

private:
    std::string_view m_bytes;
    std::size_t m_pos = 0;
};

}  // namespace

std::size_t CacheEntry::footprint() const {
    std::size_t bytes = sizeof(CacheEntry) + payload.capacity() + model.capacity();
    for (const auto& item : items) bytes += sizeof(std::string) + item.capacity();
    return bytes;
}

std::string encodeEntry(const CacheEntry& entry) {
    std::string out;
    out.reserve(64 + entry.payload.size() + entry.items.size() * 16);
    out.push_back(static_cast<char>(kFormatVersion));
    putU64(out, static_cast<std::uint64_t>(entry.createdUs));
    putU64(out, static_cast<std::uint64_t>(entry.expiresMs));
    std::uint64_t computeBits = 0;
    static_assert(sizeof(double) == sizeof(std::uint64_t));
    std::memcpy(&computeBits, &entry.computeMs, sizeof computeBits);
    putU64(out, computeBits);
    putU64(out, entry.generation);
    putU64(out, entry.modelGeneration);
    putString(out, entry.model);
    putU64(out, entry.items.size());
    for (const auto& item : entry.items) putString(out, item);
    putString(out, entry.payload);
    return out;
}

Result<CacheEntry> decodeEntry(std::string_view bytes) {
    Reader reader(bytes);
    std::uint8_t version = 0;
    if (!reader.byte(version) || version != kFormatVersion) {
        return Error{"cache entry has unknown format version " + std::to_string(version)};
    }
    CacheEntry entry;
    std::uint64_t created = 0;
    std::uint64_t expires = 0;
    std::uint64_t computeBits = 0;
    std::uint64_t itemCount = 0;
    bool ok = reader.u64(created) && reader.u64(expires) && reader.u64(computeBits) && reader.u64(entry.generation) &&
              reader.u64(entry.modelGeneration) && reader.string(entry.model) && reader.u64(itemCount) &&
              itemCount <= bytes.size();
    if (ok) {
        entry.items.resize(itemCount);
        for (auto& item : entry.items) ok = ok && reader.string(item);
    }
    ok = ok && reader.string(entry.payload) && reader.atEnd();
    if (!ok) return Error{"cache entry is truncated or corrupted"};
    entry.createdUs = static_cast<std::int64_t>(created);
    entry.expiresMs = static_cast<std::int64_t>(expires);
    std::memcpy(&entry.computeMs, &computeBits, sizeof computeBits);
    return entry;
}

const char* tierName(Tier tier) {
    switch (tier) {
        case Tier::L1: return "l1";
        case Tier::L2: return "l2";
        case Tier::Compute: return "compute";
    }
    return "compute";
}

}  // namespace recdeck::cache

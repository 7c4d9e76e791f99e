#include "id_interner.h"

#include <algorithm>
#include <cassert>
#include <functional>

namespace recdeck::data::detail {

namespace {
constexpr std::size_t kInitialSlots = 1024;  // power of two
constexpr std::uint64_t kIndexMask = 0xFFFFFFFFULL;

std::uint64_t hashOf(std::string_view id) {
    // std::hash spreads well in its low bits only on 64-bit size_t; mix so the tag (high
    // bits) and the slot (low bits) are independent.
    std::uint64_t h = std::hash<std::string_view>{}(id);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    return h;
}
}  // namespace

IdInterner::IdInterner() : m_offsets{0}, m_slots(kInitialSlots, 0), m_mask(kInitialSlots - 1) {}

Index IdInterner::intern(std::string_view id) {
    // Canonical integers: 1-7 digits, no leading zero unless the id is "0".
    if (!id.empty() && id.size() <= 7 && (id[0] != '0' || id.size() == 1)) {
        std::uint32_t value = 0;
        bool digits = true;
        for (char c : id) {
            if (c < '0' || c > '9') {
                digits = false;
                break;
            }
            value = value * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (digits && value < kDirectLimit) {
            if (value >= m_direct.size()) {
                m_direct.resize(
                    std::min<std::size_t>(kDirectLimit, std::max<std::size_t>(value + 1, m_direct.size() * 2)),
                    kNoIndex);
            }
            Index& slot = m_direct[value];
            if (slot == kNoIndex) slot = append(id);
            return slot;
        }
    }
    return internHashed(id);
}

Index IdInterner::append(std::string_view id) {
    assert(size() < kNoIndex - 1);
    const auto index = static_cast<Index>(size());
    m_chars.append(id);
    m_offsets.push_back(m_chars.size());
    return index;
}

Index IdInterner::internHashed(std::string_view id) {
    const std::uint64_t h = hashOf(id);
    const std::uint64_t tag = h >> 32;
    std::size_t pos = static_cast<std::size_t>(h) & m_mask;
    for (;;) {
        const std::uint64_t slot = m_slots[pos];
        if (slot == 0) break;
        if ((slot >> 32) == tag) {
            const auto index = static_cast<Index>((slot & kIndexMask) - 1);
            if (this->id(index) == id) return index;
        }
        pos = (pos + 1) & m_mask;
    }
    const Index index = append(id);
    m_slots[pos] = (tag << 32) | (static_cast<std::uint64_t>(index) + 1);
    if (++m_hashed * 2 > m_slots.size()) grow();  // load factor at most 1/2
    return index;
}

void IdInterner::grow() {
    std::vector<std::uint64_t> slots(m_slots.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (const std::uint64_t slot : m_slots) {
        if (slot == 0) continue;
        const std::uint64_t h = hashOf(id(static_cast<Index>((slot & kIndexMask) - 1)));
        std::size_t pos = static_cast<std::size_t>(h) & mask;
        while (slots[pos] != 0) pos = (pos + 1) & mask;
        slots[pos] = slot;
    }
    m_slots = std::move(slots);
    m_mask = mask;
}

}  // namespace recdeck::data::detail

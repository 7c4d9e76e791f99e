#pragma once
// Approximate heap bytes of standard containers, for memory limits that must count what
// they hold (the L1 cache, the embedded store, the impression tracker). The figures
// follow libstdc++ on 64-bit Linux: a string's characters live in the object up to 15
// bytes and in one heap block beyond; every heap block costs ~16 bytes of malloc's
// header and rounding. Other standard libraries differ by a few bytes per object.
//
// Thread safety: pure functions.

#include <cstddef>
#include <string>
#include <vector>

namespace recdeck {

// malloc's header and rounding, per heap block.
inline constexpr std::size_t kAllocationOverhead = 16;
// std::make_shared's control block (use and weak counts, vtable) plus its block overhead.
inline constexpr std::size_t kSharedControlBytes = 2 * sizeof(int) + 2 * sizeof(void*) + kAllocationOverhead;

// The heap block of a string (0 when it fits the object).
inline std::size_t heapBytes(const std::string& text) {
    return text.capacity() > 15 ? text.capacity() + 1 + kAllocationOverhead : 0;
}

// The heap block of a vector's elements (not what the elements own themselves).
template <typename T>
std::size_t heapBytes(const std::vector<T>& values) {
    return values.capacity() > 0 ? values.capacity() * sizeof(T) + kAllocationOverhead : 0;
}

// A vector of strings with every string's own block.
inline std::size_t heapBytes(const std::vector<std::string>& values) {
    std::size_t bytes = values.capacity() > 0 ? values.capacity() * sizeof(std::string) + kAllocationOverhead : 0;
    for (const auto& value : values) bytes += heapBytes(value);
    return bytes;
}

}  // namespace recdeck

#include "recdeck/serving/recommendation.h"

#include "recdeck/common/byte_codec.h"
#include "recdeck/common/heap_size.h"

#include <bit>
#include <cstring>

namespace recdeck::serving {

namespace {

constexpr std::uint8_t kListFormat = 1;

}  // namespace

const std::string& RecommendationList::rendered(
    const std::function<std::string(const RecommendationList&)>& render) const {
    std::call_once(m_renderOnce, [&] {
        m_rendered = render(*this);
        m_renderedBytes.store(heapBytes(m_rendered), std::memory_order_release);
    });
    return m_rendered;
}

std::size_t RecommendationList::footprint() const {
    std::size_t base = m_baseBytes.load(std::memory_order_relaxed);
    if (base == 0) {
        base = sizeof(RecommendationList) + kSharedControlBytes + heapBytes(items) + heapBytes(itemIndices) +
               heapBytes(model) + (fallback ? heapBytes(*fallback) : 0);
        for (const RecommendedItem& item : items) {
            base += heapBytes(item.itemId) + heapBytes(item.title) + heapBytes(item.categories) +
                    heapBytes(item.reason) + heapBytes(item.reasonKind) + heapBytes(item.becauseOf);
        }
        m_baseBytes.store(base, std::memory_order_relaxed);
    }
    return base + m_renderedBytes.load(std::memory_order_acquire);
}

std::string encodeList(const RecommendationList& r) {
    std::string out;
    out.reserve(128 + r.items.size() * 96);
    out.push_back(static_cast<char>(kListFormat));
    appendString(out, r.model);
    appendU64(out, r.modelVersion);
    appendU64(out, static_cast<std::uint64_t>(r.computedAtMs));
    out.push_back(static_cast<char>((r.coldStart ? 1 : 0) | (r.fallback ? 2 : 0)));
    appendString(out, r.fallback.value_or(std::string()));
    out.push_back(static_cast<char>(r.ild ? 1 : 0));
    appendU64(out, std::bit_cast<std::uint64_t>(r.ild.value_or(0.0)));
    appendU64(out, r.items.size());
    for (std::size_t i = 0; i < r.items.size(); ++i) {
        const RecommendedItem& item = r.items[i];
        appendU64(out, i < r.itemIndices.size() ? r.itemIndices[i] : data::kNoIndex);
        appendString(out, item.itemId);
        appendString(out, item.title);
        appendU64(out, item.categories.size());
        for (const auto& category : item.categories) appendString(out, category);
        appendU64(out, std::bit_cast<std::uint32_t>(item.score));
        appendU64(out, item.rankBefore);
        appendU64(out, item.rankAfter);
        appendString(out, item.reason);
        appendString(out, item.reasonKind);
        appendString(out, item.becauseOf);
        out.push_back(static_cast<char>(item.fromPopularity ? 1 : 0));
    }
    return out;
}

Result<std::shared_ptr<RecommendationList>> decodeList(std::string_view bytes) {
    ByteReader in(bytes);
    std::uint8_t format = 0;
    if (!in.byte(format) || format != kListFormat) return Error{"cached list has an unknown format"};
    auto list = std::make_shared<RecommendationList>();
    std::uint64_t version = 0;
    std::uint64_t computedAt = 0;
    std::uint8_t flags = 0;
    std::string fallback;
    std::uint8_t hasIld = 0;
    std::uint64_t ild = 0;
    std::size_t count = 0;
    bool ok = in.string(list->model) && in.u64(version) && in.u64(computedAt) && in.byte(flags) &&
              in.string(fallback) && in.byte(hasIld) && in.u64(ild) && in.count(count);
    if (!ok) return Error{"cached list is truncated"};
    list->modelVersion = version;
    list->computedAtMs = static_cast<std::int64_t>(computedAt);
    list->coldStart = (flags & 1U) != 0;
    if ((flags & 2U) != 0) list->fallback = std::move(fallback);
    if (hasIld != 0) list->ild = std::bit_cast<double>(ild);
    list->items.resize(count);
    list->itemIndices.resize(count);
    for (std::size_t i = 0; i < count && ok; ++i) {
        RecommendedItem& item = list->items[i];
        std::uint64_t index = 0;
        std::size_t categories = 0;
        std::uint64_t score = 0;
        std::uint64_t before = 0;
        std::uint64_t after = 0;
        std::uint8_t popular = 0;
        ok = in.u64(index) && in.string(item.itemId) && in.string(item.title) && in.count(categories);
        if (!ok) break;
        list->itemIndices[i] = static_cast<data::Index>(index);
        item.categories.resize(categories);
        for (auto& category : item.categories) ok = ok && in.string(category);
        ok = ok && in.u64(score) && in.u64(before) && in.u64(after) && in.string(item.reason) &&
             in.string(item.reasonKind) && in.string(item.becauseOf) && in.byte(popular);
        if (!ok) break;
        item.score = std::bit_cast<float>(static_cast<std::uint32_t>(score));
        item.rankBefore = static_cast<std::size_t>(before);
        item.rankAfter = static_cast<std::size_t>(after);
        item.fromPopularity = popular != 0;
    }
    if (!ok || !in.atEnd()) return Error{"cached list is truncated or corrupted"};
    return list;
}

}  // namespace recdeck::serving

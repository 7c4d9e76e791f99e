#include "subscription_hub.h"

#include <utility>

namespace recdeck::store::detail {

SubscriptionHub::SubscriptionHub(std::function<void()> onChannelsChanged)
    : m_onChannelsChanged(std::move(onChannelsChanged)) {}

std::pair<Subscription, bool> SubscriptionHub::add(std::string channel, std::string logicalChannel,
                                                   MessageHandler onMessage, GapHandler onGap) {
    auto entry = std::make_shared<Entry>();
    entry->logicalChannel = std::move(logicalChannel);
    entry->onMessage = std::move(onMessage);
    entry->onGap = std::move(onGap);
    bool newChannel = false;
    {
        const std::lock_guard lock(m_mutex);
        entry->id = m_nextId++;
        auto& list = m_byChannel[channel];
        newChannel = list.empty();
        list.push_back(entry);
        m_channelOf.emplace(entry->id, channel);
    }
    if (newChannel && m_onChannelsChanged) m_onChannelsChanged();
    std::weak_ptr<SubscriptionHub> weak = weak_from_this();
    const std::uint64_t id = entry->id;
    Subscription handle([weak, id] {
        if (auto hub = weak.lock()) hub->remove(id);
    });
    return {std::move(handle), newChannel};
}

void SubscriptionHub::remove(std::uint64_t id) {
    bool channelGone = false;
    {
        const std::lock_guard lock(m_mutex);
        const auto where = m_channelOf.find(id);
        if (where == m_channelOf.end()) return;
        const auto list = m_byChannel.find(where->second);
        if (list != m_byChannel.end()) {
            std::erase_if(list->second, [id](const auto& e) { return e->id == id; });
            if (list->second.empty()) {
                m_byChannel.erase(list);
                channelGone = true;
            }
        }
        m_channelOf.erase(where);
    }
    // A delivery that copied the handler list before the erase above may still be running
    // it: wait for that delivery to end. On the delivery thread itself this would deadlock,
    // and the caller is that delivery, so skipping is correct.
    if (!onDeliveryThread()) {
        const std::lock_guard wait(m_dispatchMutex);
    }
    if (channelGone && m_onChannelsChanged) m_onChannelsChanged();
}

std::set<std::string> SubscriptionHub::channels() const {
    const std::lock_guard lock(m_mutex);
    std::set<std::string> out;
    for (const auto& [channel, list] : m_byChannel) out.insert(channel);
    return out;
}

bool SubscriptionHub::hasSubscribers(std::string_view channel) const {
    const std::lock_guard lock(m_mutex);
    return m_byChannel.find(channel) != m_byChannel.end();
}

void SubscriptionHub::setDeliveryThread(std::thread::id id) {
    m_deliveryThread.store(id);
}

bool SubscriptionHub::onDeliveryThread() const {
    return m_deliveryThread.load() == std::this_thread::get_id();
}

std::vector<std::shared_ptr<const SubscriptionHub::Entry>> SubscriptionHub::entriesOf(std::string_view channel) const {
    const std::lock_guard lock(m_mutex);
    const auto list = m_byChannel.find(channel);
    if (list == m_byChannel.end()) return {};
    return list->second;
}

void SubscriptionHub::dispatch(std::string_view channel, std::string_view message) {
    // Lock order: dispatch mutex, then (briefly) the registry; remove() takes them the
    // other way round but never both at once.
    const std::lock_guard delivering(m_dispatchMutex);
    for (const auto& entry : entriesOf(channel)) {
        try {
            entry->onMessage(entry->logicalChannel, message);
        } catch (...) {  // NOLINT(bugprone-empty-catch): a handler must not stop delivery
        }
    }
}

void SubscriptionHub::dispatchGap(std::string_view channel) {
    const std::lock_guard delivering(m_dispatchMutex);
    for (const auto& entry : entriesOf(channel)) {
        if (!entry->onGap) continue;
        try {
            entry->onGap(entry->logicalChannel);
        } catch (...) {  // NOLINT(bugprone-empty-catch)
        }
    }
}

void SubscriptionHub::setConfirmed(const std::string& channel, bool confirmed) {
    {
        const std::lock_guard lock(m_confirmMutex);
        if (confirmed)
            m_confirmed.insert(channel);
        else
            m_confirmed.erase(channel);
    }
    m_confirmCv.notify_all();
}

void SubscriptionHub::clearConfirmed() {
    const std::lock_guard lock(m_confirmMutex);
    m_confirmed.clear();
}

bool SubscriptionHub::waitConfirmed(const std::string& channel, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(m_confirmMutex);
    return m_confirmCv.wait_until(lock, deadline, [&] { return m_confirmed.contains(channel); });
}

}  // namespace recdeck::store::detail

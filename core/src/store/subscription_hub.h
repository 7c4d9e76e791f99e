#pragma once
// SubscriptionHub (internal): the subscriptions of one store and their delivery rules,
// shared by MemoryStore and RedisStore.
//
// Channels here are the backend's names (RedisStore: prefixed); each subscription keeps
// the logical name its handler is called with. Handles refer to the hub through a
// weak_ptr, so they may outlive the store.
//
// Delivery: dispatch() runs on the store's delivery thread while holding m_dispatchMutex
// (never the registry lock). remove() takes that mutex after unregistering, which is
// what guarantees "the handler is not running and will not be called again" once a
// Subscription is cancelled from another thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "recdeck/store/key_value_store.h"

namespace recdeck::store::detail {

class SubscriptionHub : public std::enable_shared_from_this<SubscriptionHub> {
public:
    // onChannelsChanged runs (without hub locks) after a channel gains its first or loses
    // its last subscription; RedisStore uses it to wake its pub/sub thread.
    explicit SubscriptionHub(std::function<void()> onChannelsChanged = {});

    // Registers a subscription and returns its handle; the second value is true when the
    // channel had no subscription before.
    std::pair<Subscription, bool> add(std::string channel, std::string logicalChannel, MessageHandler onMessage,
                                      GapHandler onGap);
    // Unregisters and waits for an in-flight delivery (unless called on the delivery thread).
    void remove(std::uint64_t id);

    // Channels with at least one subscription.
    std::set<std::string> channels() const;
    bool hasSubscribers(std::string_view channel) const;

    // Delivery thread only.
    void setDeliveryThread(std::thread::id id);
    bool onDeliveryThread() const;
    void dispatch(std::string_view channel, std::string_view message);
    void dispatchGap(std::string_view channel);

    // Confirmation of a channel by the backend (always true for MemoryStore).
    void setConfirmed(const std::string& channel, bool confirmed);
    void clearConfirmed();
    // Waits until channel is confirmed or deadline passes; true if confirmed.
    bool waitConfirmed(const std::string& channel, std::chrono::steady_clock::time_point deadline);

private:
    struct Entry {
        std::uint64_t id = 0;
        std::string logicalChannel;
        MessageHandler onMessage;
        GapHandler onGap;
    };
    std::vector<std::shared_ptr<const Entry>> entriesOf(std::string_view channel) const;

    std::function<void()> m_onChannelsChanged;
    mutable std::mutex m_mutex;
    std::map<std::string, std::vector<std::shared_ptr<const Entry>>, std::less<>> m_byChannel;
    std::map<std::uint64_t, std::string> m_channelOf;
    std::uint64_t m_nextId = 1;

    std::mutex m_dispatchMutex;
    std::atomic<std::thread::id> m_deliveryThread{};

    std::mutex m_confirmMutex;
    std::condition_variable m_confirmCv;
    std::set<std::string> m_confirmed;
};

}  // namespace recdeck::store::detail

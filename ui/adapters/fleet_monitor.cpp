#include "adapters/fleet_monitor.h"

namespace recdeck::ui {

struct FleetMonitor::Impl {
    QList<InstanceState> states;
};

FleetMonitor::FleetMonitor(QObject* parent) : QObject(parent), m_impl(new Impl) {}
FleetMonitor::~FleetMonitor() { delete m_impl; }

bool FleetMonitor::addInstance(const QUrl& url) {
    if (!url.isValid()) return false;
    InstanceState state;
    state.url = url;
    m_impl->states.append(state);
    emit changed();
    return true;
}

void FleetMonitor::removeInstance(const QUrl& url) {
    m_impl->states.removeIf([&](const InstanceState& s) { return s.url == url; });
    emit changed();
}

QList<QUrl> FleetMonitor::instances() const {
    QList<QUrl> urls;
    for (const auto& s : m_impl->states) urls.append(s.url);
    return urls;
}

QList<InstanceState> FleetMonitor::states() const { return m_impl->states; }
void FleetMonitor::setInterval(int) {}
void FleetMonitor::pollNow() {}

}  // namespace recdeck::ui

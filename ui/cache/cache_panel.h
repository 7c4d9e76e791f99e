#pragma once

#include <QWidget>

namespace recdeck::ui {

class EngineHost;
class LiveFeed;

// Cache: Cache tiers, expiry and invalidation.
class CachePanel : public QWidget {
    Q_OBJECT
public:
    explicit CachePanel(EngineHost& host, LiveFeed& feed, QWidget* parent = nullptr);
};

}  // namespace recdeck::ui

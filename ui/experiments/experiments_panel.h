#pragma once

#include <QWidget>

namespace recdeck::ui {

class EngineHost;
class LiveFeed;

// Experiments: A/B experiments: set up, size, run and read.
class ExperimentsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentsPanel(EngineHost& host, LiveFeed& feed, QWidget* parent = nullptr);
};

}  // namespace recdeck::ui

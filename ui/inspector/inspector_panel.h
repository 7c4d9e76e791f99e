#pragma once

#include <QWidget>

namespace recdeck::ui {

class EngineHost;

// User inspector: One user's recommendations, end to end.
class InspectorPanel : public QWidget {
    Q_OBJECT
public:
    explicit InspectorPanel(EngineHost& host, QWidget* parent = nullptr);
};

}  // namespace recdeck::ui

#pragma once

#include <QWidget>

namespace recdeck::ui {

class EngineHost;

// Connection & data: Backend, data folder and datasets.
class ConnectionPanel : public QWidget {
    Q_OBJECT
public:
    explicit ConnectionPanel(EngineHost& host, QWidget* parent = nullptr);
};

}  // namespace recdeck::ui

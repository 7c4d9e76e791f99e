#pragma once

#include <QWidget>

namespace recdeck::ui {

class EngineHost;

// Models: Trained models, their accuracy and diversity.
class ModelsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelsPanel(EngineHost& host, QWidget* parent = nullptr);
};

}  // namespace recdeck::ui

#pragma once
// The dashboard's time window: a segmented control of "1 min", "15 min" and "1 h".

#include <QWidget>

class QButtonGroup;

namespace recdeck::ui {

class WindowSelector : public QWidget {
    Q_OBJECT
public:
    // The choices, in seconds.
    static constexpr int kChoices[] = {60, 900, 3600};

    explicit WindowSelector(QWidget* parent = nullptr);
    // Checks the choice nearest to `seconds` without emitting windowChanged.
    void setWindow(int seconds);
    int window() const;

signals:
    void windowChanged(int seconds);

private:
    QButtonGroup* m_group;
};

}  // namespace recdeck::ui

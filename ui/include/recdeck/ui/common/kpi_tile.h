#pragma once

#include <QFrame>

class QLabel;

namespace recdeck::ui {

// A headline figure on a card: a small title, a big value, a detail line, and a coloured
// edge for its state (normal, good, warning, bad).
class KpiTile : public QFrame {
    Q_OBJECT
public:
    enum class State { Normal, Good, Warning, Bad };

    explicit KpiTile(const QString& title, QWidget* parent = nullptr);
    void setValue(const QString& value, const QString& detail = {}, State state = State::Normal);
    QString value() const;
    QString detail() const;

private:
    QLabel* m_title;
    QLabel* m_value;
    QLabel* m_detail;
};

}  // namespace recdeck::ui

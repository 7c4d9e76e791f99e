#pragma once
// One cache tier on a card: its name, what it is, a headline figure and a few labelled
// rows of detail (hits, misses, size, evictions, errors...).

#include <QFrame>
#include <QList>

class QGridLayout;
class QLabel;

namespace recdeck::ui {

class TierCard : public QFrame {
    Q_OBJECT
public:
    // rowLabels: the detail rows, top to bottom; rowTips: their tool tips (may be shorter).
    TierCard(const QString& title, const QString& subtitle, const QStringList& rowLabels, const QStringList& rowTips,
             QWidget* parent = nullptr);

    void setHeadline(const QString& value, const QString& caption);
    // warning: shows the value in the warning colour (errors, limits reached).
    void setRow(int row, const QString& value, bool warning = false);

    QString headline() const;
    QString rowValue(int row) const;

private:
    QLabel* m_value;
    QLabel* m_caption;
    QList<QLabel*> m_rows;
};

}  // namespace recdeck::ui

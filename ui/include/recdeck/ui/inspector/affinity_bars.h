#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

namespace recdeck::ui {

// Small horizontal bars, one per category: name, a bar proportional to the share, and the
// share as a percentage (a user's category affinities).
class AffinityBars : public QWidget {
    Q_OBJECT
public:
    explicit AffinityBars(QWidget* parent = nullptr);
    // (name, share in [0, 1]), largest first; at most maxRows are drawn.
    void setShares(QList<QPair<QString, double>> shares);
    QList<QPair<QString, double>> shares() const { return m_shares; }
    void setMaxRows(int rows);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<QPair<QString, double>> m_shares;
    int m_maxRows = 6;
};

}  // namespace recdeck::ui

#pragma once
// AdaptiveSplitter: a splitter whose panes sit side by side when the width allows every
// pane its minimum, and stack (top to bottom) when it does not, so a narrow window gets a
// taller page to scroll instead of panes squeezed over each other. Its minimum width is
// the widest pane's, never the sum, so it does not force a horizontal scroll bar; its
// minimum height accounts for panes with wrapped text (QSplitter alone squeezes them).
// The pane sizes of each arrangement are remembered across switches.

#include <QSplitter>

namespace recdeck::ui {

class AdaptiveSplitter : public QSplitter {
    Q_OBJECT
public:
    explicit AdaptiveSplitter(QWidget* parent = nullptr);
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    static int paneMinimumWidth(const QWidget* pane);
    static int paneMinimumHeight(const QWidget* pane, int width);
    // The width the panes need side by side.
    int sideBySideWidth() const;
    // The height the panes need in the current arrangement at `width`.
    int neededHeight(int width) const;

    QList<int> m_sizes[2];  // the last pane sizes side by side [0] and stacked [1]
    int m_lastNeededHeight = -1;
};

}  // namespace recdeck::ui

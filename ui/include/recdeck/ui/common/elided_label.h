#pragma once
// ElidedLabel: one line of text that ends in "…" when it is wider than the label, with
// the whole text as its tool tip; for headers that share a row with other widgets.

#include <QLabel>

namespace recdeck::ui {

class ElidedLabel : public QLabel {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget* parent = nullptr);

    void setFullText(const QString& text);
    const QString& fullText() const { return m_fullText; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void elide();

    QString m_fullText;
};

}  // namespace recdeck::ui

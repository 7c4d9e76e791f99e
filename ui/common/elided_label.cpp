#include "recdeck/ui/common/elided_label.h"

#include <QResizeEvent>
#include <algorithm>

namespace recdeck::ui {

ElidedLabel::ElidedLabel(QWidget* parent) : QLabel(parent) {
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    setTextFormat(Qt::PlainText);
}

void ElidedLabel::setFullText(const QString& text) {
    m_fullText = text;
    elide();
}

void ElidedLabel::resizeEvent(QResizeEvent* event) {
    QLabel::resizeEvent(event);
    elide();
}

void ElidedLabel::elide() {
    const QString shown = fontMetrics().elidedText(m_fullText, Qt::ElideRight, std::max(0, width()));
    if (shown != text()) setText(shown);
    setToolTip(shown == m_fullText ? QString() : m_fullText);
}

}  // namespace recdeck::ui

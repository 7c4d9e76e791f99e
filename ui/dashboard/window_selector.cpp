#include "recdeck/ui/dashboard/window_selector.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QToolButton>

#include <cstdlib>
#include <iterator>

#include "recdeck/ui/dashboard/live_series.h"

namespace recdeck::ui {

WindowSelector::WindowSelector(QWidget* parent) : QWidget(parent), m_group(new QButtonGroup(this)) {
    setObjectName(QStringLiteral("windowSelector"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    const int count = static_cast<int>(std::size(kChoices));
    for (int i = 0; i < count; ++i) {
        const int seconds = kChoices[i];
        auto* button = new QToolButton(this);
        button->setObjectName(QStringLiteral("window%1").arg(seconds));
        button->setText(live::windowLabel(seconds));
        button->setCheckable(true);
        button->setToolTip(tr("Show the last %1 in every chart and tile").arg(live::windowLabel(seconds)));
        button->setCursor(Qt::PointingHandCursor);
        const QString radius = i == 0 ? QStringLiteral("border-top-left-radius:6px; border-bottom-left-radius:6px;")
                               : i == count - 1
                                   ? QStringLiteral("border-top-right-radius:6px; border-bottom-right-radius:6px;")
                                   : QString();
        button->setStyleSheet(
            QStringLiteral("QToolButton { padding:4px 14px; border:1px solid #cfd4dc; background:white; "
                           "color:#374151; %1 %2 }"
                           "QToolButton:hover:!checked { background:#f3f4f6; }"
                           "QToolButton:checked { background:#2563eb; border-color:#2563eb; color:white; "
                           "font-weight:600; }")
                .arg(radius, i > 0 ? QStringLiteral("border-left:none;") : QString()));
        m_group->addButton(button, seconds);
        layout->addWidget(button);
    }
    m_group->setExclusive(true);
    connect(m_group, &QButtonGroup::idClicked, this, &WindowSelector::windowChanged);
}

void WindowSelector::setWindow(int seconds) {
    int best = kChoices[0];
    for (int choice : kChoices) {
        if (std::abs(choice - seconds) < std::abs(best - seconds)) best = choice;
    }
    if (auto* button = m_group->button(best)) button->setChecked(true);
}

int WindowSelector::window() const {
    return m_group->checkedId() > 0 ? m_group->checkedId() : kChoices[0];
}

}  // namespace recdeck::ui

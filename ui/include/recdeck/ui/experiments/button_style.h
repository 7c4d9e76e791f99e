#pragma once
// The theme styles buttons by object name ("primary", "danger"); these buttons need their
// own object names (tests find them), so they take the same look through a local sheet.

#include <QPushButton>
#include <QString>

#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

inline void stylePrimary(QPushButton* button) {
    const QString accent = theme::css(theme::accent());
    button->setStyleSheet(
        QStringLiteral("QPushButton { background:%1; color:white; border-color:%1; }"
                       "QPushButton:hover { background:#1d4ed8; }"
                       "QPushButton:disabled { color:#9ca3af; background:#f3f4f6; border-color:#cfd4dc; }")
            .arg(accent));
}

inline void styleDanger(QPushButton* button) {
    button->setStyleSheet(
        QStringLiteral("QPushButton { color:#b91c1c; border-color:#fca5a5; }"
                       "QPushButton:disabled { color:#9ca3af; background:#f3f4f6; border-color:#cfd4dc; }"));
}

}  // namespace recdeck::ui

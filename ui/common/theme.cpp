#include "recdeck/ui/common/theme.h"

#include <QApplication>
#include <QFont>
#include <QPalette>
#include <QStyleFactory>

#include "recdeck/ui/common/input_guard.h"

// The style sheet's arrow images live in theme.qrc, compiled into this static library:
// referencing the initialiser keeps the linker from dropping them. Q_INIT_RESOURCE has to
// run outside any namespace.
static void initThemeResources() {
    Q_INIT_RESOURCE(theme);
}

namespace recdeck::ui::theme {

QColor accent() {
    return QColor(0x25, 0x63, 0xeb);
}
QColor good() {
    return QColor(0x16, 0xa3, 0x4a);
}
QColor warning() {
    return QColor(0xd9, 0x77, 0x06);
}
QColor bad() {
    return QColor(0xdc, 0x26, 0x26);
}
QColor muted() {
    return QColor(0x6b, 0x72, 0x80);
}
QColor text() {
    return QColor(0x1f, 0x29, 0x33);
}
QColor grid() {
    return QColor(0xe5, 0xe7, 0xeb);
}

QColor series(int index) {
    static const QColor palette[] = {QColor(0x25, 0x63, 0xeb), QColor(0xea, 0x58, 0x0c), QColor(0x16, 0xa3, 0x4a),
                                     QColor(0x93, 0x33, 0xea), QColor(0xdc, 0x26, 0x26), QColor(0x08, 0x91, 0xb2),
                                     QColor(0xdb, 0x27, 0x77), QColor(0x6b, 0x72, 0x80)};
    constexpr int count = static_cast<int>(sizeof palette / sizeof palette[0]);
    return palette[((index % count) + count) % count];
}

QString css(const QColor& colour) {
    return colour.name(QColor::HexRgb);
}

void apply(QApplication& app) {
    initThemeResources();
    if (!app.findChild<InputGuard*>(QString(), Qt::FindDirectChildrenOnly))
        app.installEventFilter(new InputGuard(&app));
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(0xf4, 0xf5, 0xf7));
    palette.setColor(QPalette::WindowText, text());
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::AlternateBase, QColor(0xf8, 0xf9, 0xfb));
    palette.setColor(QPalette::Text, text());
    palette.setColor(QPalette::Button, QColor(0xfa, 0xfa, 0xfb));
    palette.setColor(QPalette::ButtonText, text());
    palette.setColor(QPalette::Highlight, accent());
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::ToolTipBase, QColor(0x1f, 0x29, 0x37));
    palette.setColor(QPalette::ToolTipText, Qt::white);
    palette.setColor(QPalette::PlaceholderText, muted());
    palette.setColor(QPalette::Disabled, QPalette::Text, muted());
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, muted());
    app.setPalette(palette);

    QFont font = app.font();
    if (font.pointSizeF() < 10.0) font.setPointSizeF(10.0);
    app.setFont(font);

    app.setStyleSheet(QStringLiteral(R"(
QMenu::item:selected { background: #dbeafe; color: #111827; }
QListWidget#navigation {
    background: #1f2937; color: #d1d5db; border: none; padding-top: 8px; font-size: 11pt;
}
QListWidget#navigation::item { padding: 10px 16px; border-left: 3px solid transparent; }
QListWidget#navigation::item:selected { background: #111827; color: white; border-left: 3px solid #3b82f6; }
QListWidget#navigation::item:hover:!selected { background: #273244; }
QLabel#brand { background: #1f2937; color: white; font-size: 14pt; font-weight: 600; padding: 14px 16px 6px 16px; }
QLabel#brandSub { background: #1f2937; color: #9ca3af; padding: 0 16px 10px 16px; }
QLabel#panelHeading { font-size: 16pt; font-weight: 600; color: #111827; }
QLabel#panelSubheading { color: #6b7280; }
QLabel#sectionHeading { font-size: 11pt; font-weight: 600; color: #111827; }
QLabel#muted { color: #6b7280; }
QFrame#card, recdeck--ui--ChartCard { background: white; border: 1px solid #e3e6ea; border-radius: 8px; }
QLabel#kpiTitle { color: #6b7280; font-size: 9pt; text-transform: uppercase; }
QLabel#kpiValue { font-size: 19pt; font-weight: 600; color: #111827; }
QLabel#kpiDetail { color: #6b7280; font-size: 9pt; }
QLabel#badge { border-radius: 9px; padding: 2px 9px; color: white; font-weight: 600; }
QTableView, QTreeView, QListView { background: white; border: 1px solid #e3e6ea; border-radius: 6px; gridline-color: #eef0f3; }
QHeaderView::section { background: #f8f9fb; color: #374151; border: none; border-bottom: 1px solid #e3e6ea; padding: 5px 8px; font-weight: 600; }
QPushButton { padding: 5px 14px; border: 1px solid #cfd4dc; border-radius: 6px; background: white; }
QPushButton:hover { background: #f3f4f6; }
QPushButton:default, QPushButton#primary { background: #2563eb; color: white; border-color: #2563eb; }
QPushButton#primary:hover { background: #1d4ed8; }
QPushButton#danger { color: #b91c1c; border-color: #fca5a5; }
QPushButton::menu-indicator { subcontrol-origin: padding; subcontrol-position: center right; right: 8px;
    image: url(:/recdeck/theme/arrow-down.png); width: 9px; height: 5px; }
QPushButton#exportButton { padding-right: 26px; }
QPushButton:disabled { color: #9ca3af; background: #f3f4f6; }
QLineEdit, QAbstractSpinBox, QComboBox { padding: 4px 6px; border: 1px solid #cfd4dc; border-radius: 5px; background: white; }
QLineEdit:focus, QAbstractSpinBox:focus, QComboBox:focus { border-color: #2563eb; }
QLineEdit:disabled, QAbstractSpinBox:disabled, QComboBox:disabled { background: #f8f9fb; color: #9ca3af; }
QAbstractSpinBox { padding-right: 24px; }
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {
    subcontrol-origin: border; width: 20px; border: none; border-left: 1px solid #e3e6ea; background: #f8f9fb;
}
QAbstractSpinBox::up-button { subcontrol-position: top right; border-top-right-radius: 5px; margin: 1px 1px 0 0; }
QAbstractSpinBox::down-button { subcontrol-position: bottom right; border-bottom-right-radius: 5px; margin: 0 1px 1px 0; }
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover { background: #e5e7eb; }
QAbstractSpinBox::up-button:pressed, QAbstractSpinBox::down-button:pressed { background: #d1d5db; }
QAbstractSpinBox::up-arrow { image: url(:/recdeck/theme/arrow-up.png); width: 9px; height: 5px; }
QAbstractSpinBox::down-arrow { image: url(:/recdeck/theme/arrow-down.png); width: 9px; height: 5px; }
QAbstractSpinBox::up-arrow:disabled, QAbstractSpinBox::up-arrow:off { image: url(:/recdeck/theme/arrow-up-disabled.png); }
QAbstractSpinBox::down-arrow:disabled, QAbstractSpinBox::down-arrow:off { image: url(:/recdeck/theme/arrow-down-disabled.png); }
QComboBox { padding-right: 24px; }
QComboBox::drop-down {
    subcontrol-origin: border; subcontrol-position: top right; width: 22px; border: none;
    border-left: 1px solid #e3e6ea; border-top-right-radius: 5px; border-bottom-right-radius: 5px; background: #f8f9fb;
    margin: 1px 1px 1px 0;
}
QComboBox::drop-down:hover { background: #e5e7eb; }
QComboBox::down-arrow { image: url(:/recdeck/theme/arrow-down.png); width: 9px; height: 5px; }
QComboBox::down-arrow:disabled { image: url(:/recdeck/theme/arrow-down-disabled.png); }
QComboBox QAbstractItemView { border: 1px solid #cfd4dc; background: white; color: #1f2933; outline: none;
    selection-background-color: #dbeafe; selection-color: #111827; }
QComboBox QAbstractItemView::item { padding: 4px 8px; min-height: 20px; color: #1f2933; background: white; }
QComboBox QAbstractItemView::item:hover { background: #eff6ff; color: #111827; }
QComboBox QAbstractItemView::item:selected { background: #dbeafe; color: #111827; }
QToolBar { background: white; border-bottom: 1px solid #e3e6ea; spacing: 6px; padding: 4px; }
QStatusBar { background: white; border-top: 1px solid #e3e6ea; }
QStatusBar QLabel { padding: 0 8px; }
QTabWidget::pane { border: 1px solid #e3e6ea; border-radius: 6px; background: white; }
QTabBar::tab { padding: 6px 14px; }
QProgressBar { border: 1px solid #cfd4dc; border-radius: 5px; text-align: center; background: white; }
QProgressBar::chunk { background: #2563eb; border-radius: 4px; }
QGroupBox { font-weight: 600; border: 1px solid #e3e6ea; border-radius: 8px; margin-top: 12px; background: white; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }
)"));
}

}  // namespace recdeck::ui::theme

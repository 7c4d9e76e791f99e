#include "recdeck/ui/inspector/activity_card.h"

#include <QCompleter>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

constexpr int kMaxEntries = 200;

QIcon dotIcon(const QColor& colour) {
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(2, 2, 8, 8));
    return QIcon(pixmap);
}

QColor entryColour(ActivityCard::Entry kind) {
    switch (kind) {
        case ActivityCard::Entry::Info:
            return theme::muted();
        case ActivityCard::Entry::Event:
            return theme::series(3);
        case ActivityCard::Entry::Invalidation:
            return theme::warning();
        case ActivityCard::Entry::Result:
            return theme::good();
        case ActivityCard::Entry::Error:
            return theme::bad();
    }
    return theme::muted();
}

}  // namespace

ActivityCard::ActivityCard(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("card"));
    auto* title = new QLabel(tr("Act as this user"), this);
    title->setObjectName(QStringLiteral("sectionHeading"));
    auto* hint = new QLabel(tr("Record a click or a purchase and watch the service react."), this);
    hint->setObjectName(QStringLiteral("muted"));
    hint->setWordWrap(true);

    m_item = new QLineEdit(this);
    m_item->setObjectName(QStringLiteral("itemSearch"));
    m_item->setPlaceholderText(tr("Item: pick a row of the list, or type a title or id"));
    m_item->setClearButtonEnabled(true);
    m_item->setToolTip(tr("The item the event is about. Selecting a recommendation fills this in."));
    m_completer = new QCompleter(this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setMaxVisibleItems(12);
    m_item->setCompleter(m_completer);
    connect(m_item, &QLineEdit::textChanged, this, &ActivityCard::updateButtons);

    m_click = new QPushButton(tr("Record click"), this);
    m_click->setObjectName(QStringLiteral("recordClickButton"));
    m_click->setToolTip(tr("The user clicks the item. Clicks are learned from, but do not invalidate cached lists."));
    m_purchase = new QPushButton(tr("Record purchase"), this);
    m_purchase->setObjectName(QStringLiteral("primary"));
    m_purchase->setAccessibleName(QStringLiteral("recordPurchaseButton"));
    m_purchase->setToolTip(
        tr("The user buys the item: it is never recommended to them again, their cached lists "
           "are invalidated and their features refreshed."));
    connect(m_click, &QPushButton::clicked, this, [this] { request(store::EventType::Click); });
    connect(m_purchase, &QPushButton::clicked, this, [this] { request(store::EventType::Purchase); });
    auto* buttons = new QHBoxLayout();
    buttons->addWidget(m_click);
    buttons->addWidget(m_purchase);
    buttons->addStretch(1);

    auto* timelineTitle = new QLabel(tr("What happened"), this);
    timelineTitle->setObjectName(QStringLiteral("muted"));
    m_timeline = new QListWidget(this);
    m_timeline->setMinimumHeight(110);
    m_timeline->setObjectName(QStringLiteral("timeline"));
    m_timeline->setWordWrap(true);
    m_timeline->setUniformItemSizes(false);
    m_timeline->setSelectionMode(QAbstractItemView::NoSelection);
    m_timeline->setFocusPolicy(Qt::NoFocus);
    m_timeline->setToolTip(
        tr("Inspections, recorded events, cache invalidations and the lists that followed, oldest first"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(6);
    layout->addWidget(title);
    layout->addWidget(hint);
    layout->addWidget(m_item);
    layout->addLayout(buttons);
    layout->addSpacing(4);
    layout->addWidget(timelineTitle);
    layout->addWidget(m_timeline, 1);
    updateButtons();
}

void ActivityCard::setCatalogModel(QAbstractItemModel* model) {
    m_completer->setModel(model);
}

void ActivityCard::setItem(const QString& text) {
    m_item->setText(text);
}

QString ActivityCard::itemId() const {
    const QString text = m_item->text().trimmed();
    const auto separator = text.lastIndexOf(QStringLiteral(" · "));
    return separator >= 0 ? text.mid(separator + 3).trimmed() : text;
}

void ActivityCard::setBusy(bool busy) {
    m_busy = busy;
    updateButtons();
}

void ActivityCard::setEnabledForUser(bool enabled) {
    m_enabled = enabled;
    updateButtons();
}

void ActivityCard::updateButtons() {
    const bool ready = m_enabled && !m_busy && !itemId().isEmpty();
    m_click->setEnabled(ready);
    m_purchase->setEnabled(ready);
}

void ActivityCard::request(store::EventType type) {
    const QString id = itemId();
    if (id.isEmpty()) return;
    emit recordRequested(type, id);
}

void ActivityCard::log(Entry kind, const QString& text) {
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    auto* item = new QListWidgetItem(dotIcon(entryColour(kind)), time + QStringLiteral("  ") + text);
    item->setToolTip(text);
    if (kind == Entry::Error) item->setForeground(theme::bad());
    m_timeline->addItem(item);
    while (m_timeline->count() > kMaxEntries) delete m_timeline->takeItem(0);
    m_timeline->scrollToBottom();
}

QStringList ActivityCard::entries() const {
    QStringList out;
    for (int i = 0; i < m_timeline->count(); ++i) out << m_timeline->item(i)->text();
    return out;
}

}  // namespace recdeck::ui

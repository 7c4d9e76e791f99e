#include "recdeck/ui/cache/tier_card.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

TierCard::TierCard(const QString& title, const QString& subtitle, const QStringList& rowLabels,
                   const QStringList& rowTips, QWidget* parent)
    : QFrame(parent), m_value(new QLabel(QStringLiteral("–"), this)), m_caption(new QLabel(this)) {
    setObjectName(QStringLiteral("card"));
    auto* heading = new QLabel(title, this);
    heading->setObjectName(QStringLiteral("sectionHeading"));
    auto* sub = new QLabel(subtitle, this);
    sub->setObjectName(QStringLiteral("muted"));
    sub->setWordWrap(true);
    m_value->setObjectName(QStringLiteral("kpiValue"));
    m_caption->setObjectName(QStringLiteral("kpiDetail"));

    auto* headline = new QHBoxLayout();
    headline->setSpacing(8);
    headline->addWidget(m_value, 0, Qt::AlignBaseline);
    headline->addWidget(m_caption, 1, Qt::AlignBaseline);

    auto* grid = new QGridLayout();
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(3);
    for (int i = 0; i < rowLabels.size(); ++i) {
        auto* label = new QLabel(rowLabels[i], this);
        label->setObjectName(QStringLiteral("muted"));
        label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        auto* value = new QLabel(QStringLiteral("–"), this);
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        // Wraps rather than widening the card (a store error can be long).
        value->setWordWrap(true);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        if (i < rowTips.size()) {
            label->setToolTip(rowTips[i]);
            value->setToolTip(rowTips[i]);
        }
        grid->addWidget(label, i, 0);
        grid->addWidget(value, i, 1);
        m_rows.append(value);
    }
    grid->setColumnStretch(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(4);
    layout->addWidget(heading);
    layout->addWidget(sub);
    layout->addLayout(headline);
    layout->addSpacing(4);
    layout->addLayout(grid);
    layout->addStretch(1);
}

void TierCard::setHeadline(const QString& value, const QString& caption) {
    m_value->setText(value);
    m_caption->setText(caption);
}

void TierCard::setRow(int row, const QString& value, bool warning) {
    if (row < 0 || row >= m_rows.size()) return;
    QLabel* label = m_rows[row];
    label->setText(value);
    const QString style =
        warning ? QStringLiteral("color:%1; font-weight:600;").arg(theme::css(theme::warning())) : QString();
    if (label->styleSheet() != style) label->setStyleSheet(style);
}

QString TierCard::headline() const {
    return m_value->text();
}

QString TierCard::rowValue(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows[row]->text() : QString();
}

}  // namespace recdeck::ui

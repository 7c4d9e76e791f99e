#include "recdeck/ui/common/kpi_tile.h"

#include <QLabel>
#include <QVBoxLayout>

#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

KpiTile::KpiTile(const QString& title, QWidget* parent)
    : QFrame(parent),
      m_title(new QLabel(title, this)),
      m_value(new QLabel(QStringLiteral("–"), this)),
      m_detail(new QLabel(this)) {
    setObjectName(QStringLiteral("card"));
    m_title->setObjectName(QStringLiteral("kpiTitle"));
    m_value->setObjectName(QStringLiteral("kpiValue"));
    m_detail->setObjectName(QStringLiteral("kpiDetail"));
    m_detail->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 10);
    layout->setSpacing(2);
    layout->addWidget(m_title);
    layout->addWidget(m_value);
    layout->addWidget(m_detail);
    // Tiles of a row share its height: the spare room goes below, so titles and values
    // line up whether a detail takes one line or two.
    layout->addStretch(1);
    setMinimumWidth(150);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void KpiTile::setValue(const QString& value, const QString& detail, State state) {
    m_value->setText(value);
    // A wrapped detail never leaves a unit on a line of its own ("46" / "%").
    m_detail->setText(QString(detail).replace(QStringLiteral(" %"), QStringLiteral("\u00A0%")));
    QString edge = QStringLiteral("#e3e6ea");
    switch (state) {
        case State::Normal:
            break;
        case State::Good:
            edge = theme::css(theme::good());
            break;
        case State::Warning:
            edge = theme::css(theme::warning());
            break;
        case State::Bad:
            edge = theme::css(theme::bad());
            break;
    }
    setStyleSheet(state == State::Normal ? QString()
                                         : QStringLiteral("QFrame#card { border-left: 4px solid %1; }").arg(edge));
}

QString KpiTile::value() const {
    return m_value->text();
}
QString KpiTile::detail() const {
    return m_detail->text();
}

}  // namespace recdeck::ui

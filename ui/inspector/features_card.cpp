#include "recdeck/ui/inspector/features_card.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "recdeck/common/stopwatch.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/inspector/affinity_bars.h"

namespace recdeck::ui {

FeaturesCard::FeaturesCard(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("card"));
    auto* title = new QLabel(tr("Features"), this);
    title->setObjectName(QStringLiteral("sectionHeading"));
    m_user = new QLabel(this);
    m_user->setObjectName(QStringLiteral("muted"));
    m_user->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* header = new QHBoxLayout();
    header->addWidget(title);
    header->addStretch(1);
    header->addWidget(m_user);

    m_grid = new QGridLayout();
    m_grid->setHorizontalSpacing(12);
    m_grid->setVerticalSpacing(4);
    m_grid->setColumnStretch(1, 1);
    m_interactions = addRow(QStringLiteral("featureInteractions"), tr("Interactions"),
                            tr("Interactions the features count: training data plus events since"), 0);
    m_purchases = addRow(QStringLiteral("featurePurchases"), tr("Purchases"), tr("Purchase events of this user"), 1);
    m_owned =
        addRow(QStringLiteral("featureOwned"), tr("Never shown again"),
               tr("Items the user already has (training items, purchases, ratings, carts): excluded from lists"), 2);
    m_lastActive = addRow(QStringLiteral("featureLastActive"), tr("Last active"), tr("Newest interaction or event"), 3);
    m_training = addRow(QStringLiteral("featureTraining"), tr("Known to the models"),
                        tr("Whether the models were trained with this user's interactions"), 4);

    auto* affinityTitle = new QLabel(tr("Category affinity"), this);
    affinityTitle->setObjectName(QStringLiteral("muted"));
    affinityTitle->setToolTip(tr("Share of the user's categorised interactions in each category (top 6)"));
    m_affinity = new AffinityBars(this);
    m_affinity->setObjectName(QStringLiteral("affinityBars"));
    m_affinityEmpty = new QLabel(tr("No categorised interactions yet"), this);
    m_affinityEmpty->setObjectName(QStringLiteral("muted"));
    m_affinityEmpty->hide();

    m_freshness = new QLabel(this);
    m_freshness->setObjectName(QStringLiteral("featureFreshness"));
    m_freshness->setWordWrap(true);
    m_freshness->setToolTip(
        tr("Features are cached in the store for a few minutes; purchases, ratings and carts "
           "drop them at once so the next request recomputes them."));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(8);
    layout->addLayout(header);
    layout->addLayout(m_grid);
    layout->addWidget(affinityTitle);
    layout->addWidget(m_affinity);
    layout->addWidget(m_affinityEmpty);
    layout->addWidget(m_freshness);
    clear(tr("Pick a user to see their features."));
}

QLabel* FeaturesCard::addRow(const QString& key, const QString& title, const QString& tip, int row) {
    auto* name = new QLabel(title, this);
    name->setObjectName(QStringLiteral("muted"));
    name->setToolTip(tip);
    auto* value = new QLabel(QStringLiteral("–"), this);
    value->setObjectName(key);
    value->setToolTip(tip);
    value->setStyleSheet(QStringLiteral("font-weight:600;"));
    m_grid->addWidget(name, row, 0);
    m_grid->addWidget(value, row, 1);
    return value;
}

void FeaturesCard::setFeatures(const features::UserFeatures& f, std::size_t trainingRows, std::size_t eventRows) {
    m_hasFeatures = true;
    m_user->setText(QString::fromStdString(f.userId));
    m_interactions->setText(format::count(static_cast<double>(f.historyLength)) +
                            tr("  (%1 items)").arg(format::count(static_cast<double>(f.history.size()))));
    m_interactions->setToolTip(
        tr("%1 training rows and %2 logged events shown in the history").arg(trainingRows).arg(eventRows));
    m_purchases->setText(format::count(static_cast<double>(f.purchases)));
    m_owned->setText(tr("%1 items").arg(format::count(static_cast<double>(f.owned.size()))));
    m_training->setText(f.trainedUser ? tr("yes") : tr("no, scored from live events (cold start if none)"));
    m_lastActiveMs = f.lastActiveMs;
    m_computedAtMs = f.computedAtMs;
    m_fromCache = f.fromCache;
    m_degraded = QString::fromStdString(f.degraded);

    QList<QPair<QString, double>> shares;
    for (const auto& share : f.categoryAffinity) shares.append({QString::fromStdString(share.category), share.share});
    m_affinity->setShares(shares);
    m_affinity->setVisible(!shares.isEmpty());
    m_affinityEmpty->setVisible(shares.isEmpty());
    refreshAges();
}

void FeaturesCard::clear(const QString& message) {
    m_hasFeatures = false;
    m_user->clear();
    for (QLabel* label : {m_interactions, m_purchases, m_owned, m_lastActive, m_training})
        label->setText(QStringLiteral("–"));
    m_affinity->setShares({});
    m_affinity->setVisible(false);
    m_affinityEmpty->setVisible(true);
    m_freshness->setText(message);
}

void FeaturesCard::refreshAges() {
    if (!m_hasFeatures) return;
    const std::int64_t now = unixMillis();
    m_lastActive->setText(m_lastActiveMs > 0 ? format::timestamp(m_lastActiveMs) + QStringLiteral("  (") +
                                                   format::ago(now - m_lastActiveMs) + QStringLiteral(")")
                                             : tr("never"));
    const QString age = format::age(now - m_computedAtMs);
    QString text = age == QStringLiteral("just now") ? tr("Computed just now") : tr("Computed %1 ago").arg(age);
    text += m_fromCache ? tr(", read from the feature cache") : tr(", computed for this request");
    if (!m_degraded.isEmpty()) text += tr(" — degraded: %1").arg(m_degraded);
    m_freshness->setText(
        QStringLiteral("<span style=\"color:%1\">&#9679;</span> %2")
            .arg(theme::css(m_degraded.isEmpty() ? theme::good() : theme::warning()), text.toHtmlEscaped()));
}

QString FeaturesCard::freshnessText() const {
    return m_freshness->text();
}

QString FeaturesCard::valueText(const QString& key) const {
    const auto* label = findChild<QLabel*>(key);
    return label ? label->text() : QString();
}

}  // namespace recdeck::ui

#include "recdeck/ui/cache/cache_settings_form.h"

#include <QDoubleSpinBox>
#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

constexpr std::size_t kMegabyte = std::size_t{1} << 20;
constexpr int kMaxTtlSeconds = 7 * 24 * 3600;

QString describe(const cache::CacheConfig& config) {
    return QObject::tr("TTL %1 s ± %2 · β %3 · %4 lists · %5 MB")
        .arg(config.ttl.count() / 1000)
        .arg(format::percent(config.jitter, 0))
        .arg(format::number(config.xfetchBeta, 1))
        .arg(format::count(static_cast<double>(config.l1MaxEntries)))
        .arg(config.l1MaxBytes / kMegabyte);
}

}  // namespace

CacheSettingsForm::CacheSettingsForm(EngineHost& host, QWidget* parent)
    : QFrame(parent),
      m_host(host),
      m_ttl(new QSpinBox(this)),
      m_jitter(new QDoubleSpinBox(this)),
      m_beta(new QDoubleSpinBox(this)),
      m_entries(new QSpinBox(this)),
      m_megabytes(new QSpinBox(this)),
      m_apply(new QPushButton(tr("Apply"), this)),
      m_revert(new QPushButton(tr("Revert"), this)),
      m_current(new QLabel(tr("Waiting for the engine…"), this)),
      m_status(new QLabel(this)) {
    setObjectName(QStringLiteral("card"));
    auto* heading = new QLabel(tr("Expiry and size"), this);
    heading->setObjectName(QStringLiteral("sectionHeading"));
    m_current->setObjectName(QStringLiteral("muted"));
    m_current->setWordWrap(true);

    m_ttl->setObjectName(QStringLiteral("cacheTtl"));
    m_ttl->setRange(1, kMaxTtlSeconds);
    m_ttl->setSuffix(tr(" s"));
    m_ttl->setToolTip(tr("How long a cached list is served before it is computed again (seconds)"));
    m_jitter->setObjectName(QStringLiteral("cacheJitter"));
    m_jitter->setRange(0.0, 50.0);
    m_jitter->setDecimals(0);
    m_jitter->setSuffix(tr(" %"));
    m_jitter->setToolTip(
        tr("Each list lives TTL ± this share of it, so lists cached together do not all expire "
           "together (0–50 %)"));
    m_beta->setObjectName(QStringLiteral("cacheBeta"));
    m_beta->setRange(0.0, 10.0);
    m_beta->setDecimals(1);
    m_beta->setSingleStep(0.5);
    m_beta->setToolTip(
        tr("Early refresh (XFetch): a popular list is recomputed shortly before it expires, by one "
           "request instead of a stampede. Higher refreshes earlier; 0 turns it off (default 1)"));
    m_entries->setObjectName(QStringLiteral("cacheMaxEntries"));
    m_entries->setRange(1, 100'000'000);
    m_entries->setGroupSeparatorShown(true);
    m_entries->setToolTip(
        tr("Most lists kept in this process's memory (L1); the least recently used go first. "
           "Lowering it evicts at once"));
    m_megabytes->setObjectName(QStringLiteral("cacheMaxMemory"));
    m_megabytes->setRange(1, 1 << 20);
    m_megabytes->setGroupSeparatorShown(true);
    m_megabytes->setSuffix(tr(" MB"));
    m_megabytes->setToolTip(tr("Most memory L1 may use (approximate). Lowering it evicts at once"));
    // Wide enough for typical values, not for the largest allowed (the spin boxes' own
    // hint, "100,000,000 lists"), so the card shares a 1,440 px window with the other two.
    const QFontMetrics metrics(font());
    const int chrome = 56;  // padding, frame and the up/down buttons of the console's style
    const std::pair<QAbstractSpinBox*, QString> samples[] = {
        {m_ttl, tr("3,600 s")},           {m_jitter, tr("50 %")},
        {m_beta, QStringLiteral("10.0")}, {m_entries, QStringLiteral("100,000")},
        {m_megabytes, tr("4,096 MB")},
    };
    for (const auto& [field, sample] : samples) {
        field->setEnabled(false);
        field->setMinimumWidth(metrics.horizontalAdvance(sample) + chrome);
    }
    connect(m_ttl, &QSpinBox::valueChanged, this, &CacheSettingsForm::markEdited);
    connect(m_jitter, &QDoubleSpinBox::valueChanged, this, &CacheSettingsForm::markEdited);
    connect(m_beta, &QDoubleSpinBox::valueChanged, this, &CacheSettingsForm::markEdited);
    connect(m_entries, &QSpinBox::valueChanged, this, &CacheSettingsForm::markEdited);
    connect(m_megabytes, &QSpinBox::valueChanged, this, &CacheSettingsForm::markEdited);

    m_apply->setObjectName(QStringLiteral("primary"));
    m_apply->setProperty("action", QStringLiteral("cacheApply"));
    m_apply->setEnabled(false);
    m_apply->setToolTip(tr("Send these settings to the cache now"));
    m_revert->setProperty("action", QStringLiteral("cacheRevert"));
    m_revert->setEnabled(false);
    m_revert->setToolTip(tr("Discard your edits and show the cache's current settings"));
    connect(m_apply, &QPushButton::clicked, this, &CacheSettingsForm::apply);
    connect(m_revert, &QPushButton::clicked, this, &CacheSettingsForm::revert);
    m_status->setObjectName(QStringLiteral("cacheSettingsStatus"));
    m_status->setWordWrap(true);

    auto label = [this](const QString& text) {
        auto* l = new QLabel(text, this);
        return l;
    };
    auto* grid = new QGridLayout();
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(6);
    grid->addWidget(label(tr("Time to live")), 0, 0);
    grid->addWidget(m_ttl, 0, 1);
    grid->addWidget(label(tr("Jitter")), 0, 2);
    grid->addWidget(m_jitter, 0, 3);
    grid->addWidget(label(tr("L1 lists")), 1, 0);
    grid->addWidget(m_entries, 1, 1);
    grid->addWidget(label(tr("L1 memory")), 1, 2);
    grid->addWidget(m_megabytes, 1, 3);
    grid->addWidget(label(tr("Early refresh β")), 2, 0);
    grid->addWidget(m_beta, 2, 1);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);

    auto* buttons = new QHBoxLayout();
    buttons->addWidget(m_status, 1);
    buttons->addWidget(m_revert);
    buttons->addWidget(m_apply);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(8);
    layout->addWidget(heading);
    layout->addWidget(m_current);
    layout->addLayout(grid);
    layout->addStretch(1);
    layout->addLayout(buttons);
}

void CacheSettingsForm::setCurrent(const cache::CacheConfig& config) {
    m_config = config;
    m_current->setText(tr("Now: %1").arg(describe(config)));
    if (!m_editing && !m_applying) fill(config);
}

void CacheSettingsForm::fill(const cache::CacheConfig& config) {
    m_filling = true;
    m_ttl->setValue(static_cast<int>(std::clamp<std::int64_t>(config.ttl.count() / 1000, 1, kMaxTtlSeconds)));
    m_jitter->setValue(config.jitter * 100.0);
    m_beta->setValue(config.xfetchBeta);
    m_entries->setValue(static_cast<int>(std::min<std::size_t>(config.l1MaxEntries, 100'000'000)));
    m_megabytes->setValue(
        static_cast<int>(std::clamp<std::size_t>(config.l1MaxBytes / kMegabyte, 1, std::size_t{1} << 20)));
    for (QWidget* field : {static_cast<QWidget*>(m_ttl), static_cast<QWidget*>(m_jitter), static_cast<QWidget*>(m_beta),
                           static_cast<QWidget*>(m_entries), static_cast<QWidget*>(m_megabytes)}) {
        field->setEnabled(true);
    }
    m_filling = false;
}

void CacheSettingsForm::markEdited() {
    if (m_filling) return;
    m_editing = true;
    m_apply->setEnabled(!m_applying);
    m_revert->setEnabled(true);
    const QString problem = validate(edited());
    showStatus(problem.isEmpty() ? tr("Edited — not applied yet") : problem, !problem.isEmpty());
    if (!problem.isEmpty()) m_apply->setEnabled(false);
}

cache::CacheConfig CacheSettingsForm::edited() const {
    cache::CacheConfig config = m_config.value_or(cache::CacheConfig{});
    config.ttl = std::chrono::milliseconds(std::int64_t{m_ttl->value()} * 1000);
    config.jitter = m_jitter->value() / 100.0;
    config.xfetchBeta = m_beta->value();
    config.l1MaxEntries = static_cast<std::size_t>(m_entries->value());
    config.l1MaxBytes = static_cast<std::size_t>(m_megabytes->value()) * kMegabyte;
    return config;
}

QString CacheSettingsForm::validate(const cache::CacheConfig& config) {
    if (config.ttl.count() < 1000) return tr("Time to live: at least 1 s");
    if (!(config.jitter >= 0.0 && config.jitter <= 0.5)) return tr("Jitter: 0 to 50 % of the time to live");
    if (!std::isfinite(config.xfetchBeta) || config.xfetchBeta < 0.0) return tr("Early refresh β: 0 or more");
    if (config.l1MaxEntries < 1) return tr("L1 size: at least 1 list");
    if (config.l1MaxBytes < kMegabyte) return tr("L1 memory: at least 1 MB");
    return {};
}

void CacheSettingsForm::apply() {
    auto engine = m_host.sharedEngine();
    if (!engine) {
        showStatus(tr("The engine is not open yet."), true);
        return;
    }
    const cache::CacheConfig config = edited();
    const QString problem = validate(config);
    if (!problem.isEmpty()) {
        showStatus(problem, true);
        return;
    }
    m_applying = true;
    m_apply->setEnabled(false);
    showStatus(tr("Applying…"), false);
    runAsync(
        this,
        [engine, config]() {
            engine->cache().setConfig(config);
            return engine->cache().config();
        },
        [this](cache::CacheConfig applied) {
            m_applying = false;
            m_editing = false;
            m_revert->setEnabled(false);
            setCurrent(applied);
            showStatus(tr("Applied. New lists use these settings; shrunk limits evicted at once."), false);
        });
}

void CacheSettingsForm::revert() {
    m_editing = false;
    m_apply->setEnabled(false);
    m_revert->setEnabled(false);
    showStatus({}, false);
    if (m_config) fill(*m_config);
}

void CacheSettingsForm::showStatus(const QString& text, bool error) {
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color:%1;").arg(theme::css(theme::bad()))
                                  : QStringLiteral("color:%1;").arg(theme::css(theme::muted())));
}

}  // namespace recdeck::ui

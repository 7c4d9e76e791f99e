#include "recdeck/ui/cache/warm_up_form.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

#include "recdeck/serving/cache_warm_up.h"
#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {
constexpr const char* kCountKey = "cache/warmUpCount";
}

WarmUpForm::WarmUpForm(EngineHost& host, QWidget* parent)
    : QFrame(parent),
      m_host(host),
      m_count(new QSpinBox(this)),
      m_start(new QPushButton(tr("Warm up"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_bar(new QProgressBar(this)),
      m_summary(new QLabel(this)) {
    setObjectName(QStringLiteral("card"));
    auto* heading = new QLabel(tr("Warm up"), this);
    heading->setObjectName(QStringLiteral("sectionHeading"));
    auto* intro = new QLabel(tr("Compute the lists of the most active users now (by items in the training data), so "
                                "their next visit is a cache hit. Warm-up is not counted as traffic."),
                             this);
    intro->setObjectName(QStringLiteral("muted"));
    intro->setWordWrap(true);

    m_count->setObjectName(QStringLiteral("warmUpCount"));
    m_count->setRange(1, 1'000'000);
    m_count->setGroupSeparatorShown(true);
    m_count->setMinimumWidth(96);  // its hint is sized for 1,000,000; typical counts are short
    m_count->setValue(QSettings().value(QLatin1String(kCountKey), 100).toInt());
    m_count->setToolTip(tr("How many users to warm, most active first"));
    connect(m_count, &QSpinBox::valueChanged, this,
            [](int value) { QSettings().setValue(QLatin1String(kCountKey), value); });
    m_start->setObjectName(QStringLiteral("primary"));
    m_start->setProperty("action", QStringLiteral("warmUpStart"));
    m_start->setToolTip(tr("Request a list of 10 items for each user (the default request)"));
    m_cancel->setProperty("action", QStringLiteral("warmUpCancel"));
    m_cancel->setEnabled(false);
    m_cancel->setToolTip(tr("Stop after the current user; lists already computed stay cached"));
    m_bar->setObjectName(QStringLiteral("warmUpProgress"));
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    m_bar->setFormat(tr("%v of %m users"));
    m_bar->setTextVisible(false);
    m_summary->setObjectName(QStringLiteral("warmUpSummary"));
    m_summary->setWordWrap(true);
    m_summary->setText(tr("Not run yet."));
    m_summary->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::muted())));
    connect(m_start, &QPushButton::clicked, this, &WarmUpForm::start);
    connect(m_cancel, &QPushButton::clicked, this, &WarmUpForm::cancel);
    connect(&m_host, &EngineHost::opened, this, [this] { m_start->setEnabled(!isRunning()); });

    auto* row = new QHBoxLayout();
    row->setSpacing(8);
    row->addWidget(new QLabel(tr("Warm the"), this));
    row->addWidget(m_count);
    row->addWidget(new QLabel(tr("most active users"), this));
    row->addStretch(1);

    // Progress and its buttons share a row, so the card stays narrow enough to sit
    // beside the other two.
    auto* run = new QHBoxLayout();
    run->setSpacing(8);
    run->addWidget(m_bar, 1);
    run->addWidget(m_cancel);
    run->addWidget(m_start);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(8);
    layout->addWidget(heading);
    layout->addWidget(intro);
    layout->addLayout(row);
    layout->addLayout(run);
    layout->addWidget(m_summary);
    layout->addStretch(1);

    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, &WarmUpForm::poll);
    m_start->setEnabled(m_host.isOpen());
}

WarmUpForm::~WarmUpForm() {
    // The worker holds the engine and the progress; ask it to stop. Its result is dropped
    // (runAsync does not call back into a destroyed form).
    m_stop.request_stop();
}

void WarmUpForm::start() {
    auto engine = m_host.sharedEngine();
    if (!engine || isRunning()) return;
    const auto count = static_cast<std::size_t>(m_count->value());
    m_progress = std::make_shared<Progress>();
    m_stop = std::stop_source();
    m_bar->setRange(0, static_cast<int>(std::min<std::size_t>(count, engine->dataInfo().users)));
    m_bar->setValue(0);
    m_bar->setTextVisible(true);
    m_start->setEnabled(false);
    m_cancel->setEnabled(true);
    m_count->setEnabled(false);
    m_summary->setText(tr("Warming…"));
    m_summary->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::muted())));
    m_poll.start();
    TaskControl control;
    control.stop = m_stop.get_token();
    std::shared_ptr<Progress> progress = m_progress;
    control.progress = [progress](double, std::string_view stage) {
        if (stage == "warming") progress->done.fetch_add(1, std::memory_order_relaxed);
    };
    runAsync(
        this, [engine, count, control]() { return serving::warmUpUsers(*engine, count, control); },
        [this](serving::WarmUpSummary summary) { finish(summary); });
}

void WarmUpForm::cancel() {
    if (!isRunning()) return;
    m_stop.request_stop();
    m_cancel->setEnabled(false);
    m_summary->setText(tr("Cancelling after the current user…"));
}

void WarmUpForm::poll() {
    if (m_progress) m_bar->setValue(std::min(m_bar->maximum(), m_progress->done.load(std::memory_order_relaxed)));
}

void WarmUpForm::finish(const serving::WarmUpSummary& summary) {
    poll();
    m_poll.stop();
    m_progress.reset();
    m_bar->setRange(0, std::max<int>(1, static_cast<int>(summary.requested)));
    m_bar->setValue(static_cast<int>(summary.warmed + summary.failed));
    m_start->setEnabled(m_host.isOpen());
    m_cancel->setEnabled(false);
    m_count->setEnabled(true);
    const QString time = format::milliseconds(summary.seconds * 1000.0);
    QString text;
    if (summary.requested == 0) {
        text = tr("No users to warm: the data has no users yet.");
    } else if (summary.cancelled) {
        text = tr("Cancelled after %1 of %2 users (%3).").arg(summary.warmed).arg(summary.requested).arg(time);
    } else {
        text = tr("Warmed %1 users in %2").arg(summary.warmed).arg(time);
        if (summary.alreadyCached > 0) text += tr(" (%1 were already cached)").arg(summary.alreadyCached);
        text += QLatin1Char('.');
    }
    if (summary.failed > 0) {
        text += tr(" %1 requests failed: %2").arg(summary.failed).arg(QString::fromStdString(summary.firstError));
    }
    m_summary->setText(text);
    const QColor colour = summary.failed > 0 ? theme::warning() : summary.cancelled ? theme::muted() : theme::good();
    m_summary->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(colour)));
    emit finished();
}

}  // namespace recdeck::ui

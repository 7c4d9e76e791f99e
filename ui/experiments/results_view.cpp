#include "recdeck/ui/experiments/results_view.h"

#include <QDateTime>
#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/kpi_tile.h"
#include "recdeck/ui/common/responsive_grid.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/experiments/results_table_model.h"

namespace recdeck::ui {

using experiments::Comparison;
using experiments::ExperimentResults;
using experiments::ExperimentState;
using experiments::VerdictKind;

namespace {

QString sentence(const std::string& text) {
    QString s = QString::fromStdString(text);
    if (!s.isEmpty()) s[0] = s[0].toUpper();
    return s;
}

QString pText(double p) {
    if (p < 0.0001) return QStringLiteral("< 0.0001");
    return QLocale().toString(p, 'f', p < 0.01 ? 4 : 3);
}

QString quoted(const std::string& name) {
    return QStringLiteral("“%1”").arg(QString::fromStdString(name));
}

QString duration(std::int64_t ms) {
    const std::int64_t minutes = ms / 60'000;
    if (minutes < 1) return ResultsView::tr("%1 s").arg(std::max<std::int64_t>(0, ms / 1000));
    if (minutes < 120) return ResultsView::tr("%1 min").arg(minutes);
    if (minutes < 48 * 60) return ResultsView::tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
    return ResultsView::tr("%1 days").arg(QLocale().toString(static_cast<double>(minutes) / 1440.0, 'f', 1));
}

}  // namespace

ResultsView::ResultsView(QWidget* parent)
    : QWidget(parent), m_stack(new QStackedWidget(this)), m_model(new ResultsTableModel(this)) {
    // --- message page ---
    auto* messagePage = new QFrame(this);
    messagePage->setObjectName(QStringLiteral("card"));
    m_messageTitle = new QLabel(messagePage);
    m_messageTitle->setObjectName(QStringLiteral("sectionHeading"));
    m_messageTitle->setAlignment(Qt::AlignCenter);
    m_messageText = new QLabel(messagePage);
    m_messageText->setObjectName(QStringLiteral("resultsMessage"));
    m_messageText->setAlignment(Qt::AlignCenter);
    m_messageText->setWordWrap(true);
    m_messageText->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::muted())));
    auto* messageLayout = new QVBoxLayout(messagePage);
    messageLayout->addStretch(1);
    messageLayout->addWidget(m_messageTitle);
    messageLayout->addWidget(m_messageText);
    messageLayout->addStretch(2);

    // --- results page ---
    auto* resultsPage = new QWidget(this);
    m_verdictCard = new QFrame(resultsPage);
    m_verdictCard->setObjectName(QStringLiteral("card"));
    m_verdictHeadline = new QLabel(m_verdictCard);
    m_verdictHeadline->setObjectName(QStringLiteral("verdictHeadline"));
    m_verdictHeadline->setStyleSheet(QStringLiteral("font-size:14pt; font-weight:600;"));
    m_verdictText = new QLabel(m_verdictCard);
    m_verdictText->setObjectName(QStringLiteral("verdictText"));
    m_verdictText->setWordWrap(true);
    m_verdictText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_guardrails = new QLabel(m_verdictCard);
    m_guardrails->setObjectName(QStringLiteral("guardrailsText"));
    m_guardrails->setWordWrap(true);
    m_guardrails->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_frozen = new QLabel(m_verdictCard);
    m_frozen->setObjectName(QStringLiteral("frozenNote"));
    m_frozen->setWordWrap(true);
    m_frozen->setStyleSheet(QStringLiteral("color:%1; font-weight:600;").arg(theme::css(QColor(0x47, 0x55, 0x69))));
    m_notes = new QLabel(m_verdictCard);
    m_notes->setObjectName(QStringLiteral("muted"));
    m_notes->setWordWrap(true);
    for (QLabel* label : {m_verdictHeadline, m_verdictText, m_guardrails, m_frozen, m_notes}) {
        // Wrapped text takes the height it needs at the card's width, never less.
        label->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    }
    m_verdictHeadline->setWordWrap(true);
    auto* verdictLayout = new QVBoxLayout(m_verdictCard);
    verdictLayout->setContentsMargins(16, 10, 16, 10);
    verdictLayout->setSpacing(4);
    verdictLayout->addWidget(m_verdictHeadline);
    verdictLayout->addWidget(m_verdictText);
    verdictLayout->addWidget(m_guardrails);
    verdictLayout->addWidget(m_frozen);
    verdictLayout->addWidget(m_notes);

    m_srm = new KpiTile(tr("Sample ratio"), resultsPage);
    m_srm->setObjectName(QStringLiteral("srmTile"));
    m_srm->setToolTip(tr(
        "Sample-ratio mismatch check: do the variants get the users their weights promise? A mismatch "
        "(χ² test, p < 0.001) means assignment or logging is broken; do not trust the results until it is explained"));
    m_peeking = new KpiTile(tr("Peeking-safe test"), resultsPage);
    m_peeking->setObjectName(QStringLiteral("peekingTile"));
    m_peeking->setToolTip(
        tr("Sequential test (mSPRT) whose always-valid p-value stays correct however often you look at "
           "the results. When it says safe to stop, you can end the experiment now"));
    m_progress = new KpiTile(tr("Planned sample"), resultsPage);
    m_progress->setObjectName(QStringLiteral("progressTile"));
    m_progress->setToolTip(tr("Users per variant so far against the sample the plan needs to detect its effect"));
    m_runtime = new KpiTile(tr("Runtime"), resultsPage);
    m_runtime->setObjectName(QStringLiteral("runtimeTile"));
    // Four across on a wide screen, two by two in a narrow window (never squeezed).
    auto* tiles = new ResponsiveGrid(200, 4, resultsPage);
    tiles->setObjectName(QStringLiteral("indicatorTiles"));
    for (KpiTile* tile : {m_srm, m_peeking, m_progress, m_runtime}) tiles->addWidget(tile);

    m_table = new QTableView(resultsPage);
    m_table->setObjectName(QStringLiteral("resultsTable"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setFocusPolicy(Qt::NoFocus);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(30);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setMinimumSectionSize(40);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_table->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_table->installEventFilter(this);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { m_shrinkColumns = true; });
    connect(m_table->horizontalHeader(), &QHeaderView::sectionResized, this, [this](int column) {
        // The last column stretches with the table: only a drag of another one is the user's.
        if (m_fittingColumns || column == ResultsTableModel::ColumnCount - 1) return;
        m_columnsUserSized = true;
        emit columnsResizedByUser();
    });
    fitColumns(true);

    m_chart = new ChartCard(tr("Primary metric over time"), resultsPage);
    m_chart->setMinimumHeight(220);
    m_chart->setObjectName(QStringLiteral("metricChart"));
    m_chart->setValueFormat(QStringLiteral("%.1f"));
    m_chart->setValueTitle(tr("%"));
    m_chart->setEmptyText(tr("The chart fills in as users arrive"));
    m_chart->setToolTip(tr("The cumulative value of the primary metric per variant since the run started"));

    auto* resultsLayout = new QVBoxLayout(resultsPage);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    resultsLayout->setSpacing(12);
    resultsLayout->addWidget(m_verdictCard);
    resultsLayout->addWidget(tiles);
    resultsLayout->addWidget(m_table);
    resultsLayout->addWidget(m_chart, 1);

    // A short window scrolls the readout instead of squeezing the verdict or the chart.
    auto* resultsScroll = new QScrollArea(this);
    resultsScroll->setObjectName(QStringLiteral("resultsScroll"));
    resultsScroll->setWidget(resultsPage);
    resultsScroll->setWidgetResizable(true);
    resultsScroll->setFrameShape(QFrame::NoFrame);
    resultsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    resultsScroll->setStyleSheet(QStringLiteral(
        "QScrollArea { background: transparent; } QScrollArea > QWidget > QWidget { background: transparent; }"));
    m_stack->addWidget(messagePage);
    m_stack->addWidget(resultsScroll);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 12, 0, 0);
    layout->addWidget(m_stack);
    showMessage(tr("No experiment selected"), tr("Pick an experiment in the list, or create one with New experiment."));
}

QString ResultsView::verdictHeadline() const {
    return m_verdictHeadline->text();
}
QString ResultsView::verdictText() const {
    return m_verdictText->text();
}
QString ResultsView::guardrailText() const {
    return m_guardrails->isHidden() ? QString() : m_guardrails->text();
}
QString ResultsView::frozenText() const {
    return m_frozen->isHidden() ? QString() : m_frozen->text();
}

void ResultsView::showMessage(const QString& title, const QString& text) {
    m_messageTitle->setText(title);
    m_messageText->setText(text);
    m_stack->setCurrentIndex(0);
}

void ResultsView::setScope(const QString& scope) {
    m_scope = scope;
}

void ResultsView::setResults(const ExperimentResults& results, const QList<ChartSeries>& chart) {
    m_model->setResults(results);
    updateVerdict(results);
    updateIndicators(results);
    const QString metric = QString::fromLatin1(experiments::metricLabel(results.primaryMetric).data());
    QString title = metric;
    if (!title.isEmpty()) title[0] = title[0].toUpper();
    m_chart->setTitle(tr("%1 over time, per variant (cumulative)").arg(title));
    m_chart->setValueTitle(tr("%"));  // the metric is in the chart's title; the chart is short
    m_chart->setSeries(chart);
    fitColumns(m_shrinkColumns);
    fitTableHeight();
    m_stack->setCurrentIndex(1);
}

QByteArray ResultsView::columnState() const {
    return m_columnsUserSized ? m_table->horizontalHeader()->saveState() : QByteArray();
}

void ResultsView::restoreColumnState(const QByteArray& state) {
    if (state.isEmpty()) return;
    m_fittingColumns = true;
    const bool restored = m_table->horizontalHeader()->restoreState(state);
    m_fittingColumns = false;
    if (restored) m_columnsUserSized = true;
    fitTableHeight();
}

void ResultsView::fitColumns(bool allowShrink) {
    if (m_columnsUserSized) return;
    m_table->ensurePolished();
    QHeaderView* header = m_table->horizontalHeader();
    constexpr int kRoom = 10;  // between a right-aligned value and the next column's
    if (m_naturalWidths.size() != ResultsTableModel::ColumnCount) {
        m_naturalWidths = QList<int>(ResultsTableModel::ColumnCount, 0);
        allowShrink = true;
    }
    for (int column = 0; column < ResultsTableModel::ColumnCount; ++column) {
        int width = header->sectionSizeHint(column);
        for (int row = 0; row < m_model->rowCount(); ++row) {
            width = std::max(width, m_table->sizeHintForIndex(m_model->index(row, column)).width() + kRoom);
        }
        // Values grow as traffic arrives: widen, never narrow, within one experiment's
        // readout, so the columns do not jitter every refresh.
        m_naturalWidths[column] = allowShrink ? width : std::max(width, m_naturalWidths[column]);
    }
    m_shrinkColumns = false;
    spreadColumns();
}

void ResultsView::spreadColumns() {
    if (m_columnsUserSized || m_naturalWidths.size() != ResultsTableModel::ColumnCount) return;
    // Each column its natural width plus an equal share of the room left, so a wide window
    // spaces the figures evenly instead of leaving it all to the last column.
    int natural = 0;
    for (int width : m_naturalWidths) natural += width;
    const int room = std::max(0, m_table->width() - 2 * m_table->frameWidth() - natural);
    const int share = room / ResultsTableModel::ColumnCount;
    m_fittingColumns = true;
    QHeaderView* header = m_table->horizontalHeader();
    for (int column = 0; column < ResultsTableModel::ColumnCount; ++column) {
        const int width = m_naturalWidths[column] + share;
        if (header->sectionSize(column) != width) header->resizeSection(column, width);
    }
    m_fittingColumns = false;
}

void ResultsView::fitTableHeight() {
    // Every variant row in view without an inner scroll bar (2 to 4 rows, a handful at
    // most); the chart below takes what is left.
    QHeaderView* header = m_table->horizontalHeader();
    int height = header->sizeHint().height() + 2 * m_table->frameWidth();
    const int rows = std::max(1, m_model->rowCount());
    for (int row = 0; row < rows; ++row) {
        height += row < m_model->rowCount() ? m_table->rowHeight(row) : m_table->verticalHeader()->defaultSectionSize();
    }
    int needed = 0;
    if (m_columnsUserSized) {
        for (int column = 0; column < ResultsTableModel::ColumnCount - 1; ++column)
            needed += header->sectionSize(column);
        needed += header->minimumSectionSize();
    } else {
        for (int width : m_naturalWidths) needed += width;
    }
    if (needed > m_table->width() - 2 * m_table->frameWidth())
        height += m_table->horizontalScrollBar()->sizeHint().height();
    if (m_table->minimumHeight() != height || m_table->maximumHeight() != height) m_table->setFixedHeight(height);
}

bool ResultsView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_table && (event->type() == QEvent::Resize || event->type() == QEvent::Show)) {
        // The width decides how the columns share it and whether a horizontal scroll bar
        // needs room.
        QTimer::singleShot(0, this, [this] {
            spreadColumns();
            fitTableHeight();
        });
    }
    return QWidget::eventFilter(watched, event);
}

void ResultsView::updateVerdict(const ExperimentResults& r) {
    QString headline;
    QColor edge = theme::muted();
    const Comparison* best = nullptr;
    for (const auto& c : r.comparisons) {
        if (c.kind == r.kind && (!best || c.primary.diff > best->primary.diff)) best = &c;
    }
    switch (r.kind) {
        case VerdictKind::NotStarted:
            headline = tr("Not started yet");
            break;
        case VerdictKind::SampleRatioMismatch:
            headline = tr("Sample-ratio mismatch: do not trust these results");
            edge = theme::bad();
            break;
        case VerdictKind::Winning:
            headline = best ? tr("%1 is winning").arg(quoted(best->variant)) : tr("A treatment is winning");
            if (best && !best->safeToStop && r.state == ExperimentState::Running)
                headline += tr(" — keep it running to confirm");
            else if (best && best->safeToStop && r.state == ExperimentState::Running)
                headline += tr(" — safe to stop");
            edge = theme::good();
            break;
        case VerdictKind::Losing:
            headline = r.comparisons.size() == 1 && best ? tr("%1 is losing").arg(quoted(best->variant))
                                                         : tr("Every treatment is losing");
            edge = theme::bad();
            break;
        case VerdictKind::NoDifference:
            headline = tr("No significant difference");
            edge = theme::accent();
            break;
        case VerdictKind::NotEnoughData:
            headline = r.state == ExperimentState::Stopped ? tr("Inconclusive") : tr("Not enough data yet");
            edge = theme::warning();
            break;
    }
    if (r.state == ExperimentState::Stopped) headline = tr("Stopped · ") + headline;
    m_verdictHeadline->setText(headline);
    m_verdictHeadline->setStyleSheet(
        QStringLiteral("font-size:14pt; font-weight:600; color:%1;").arg(theme::css(edge)));
    m_verdictCard->setStyleSheet(QStringLiteral("QFrame#card { border-left: 5px solid %1; }").arg(theme::css(edge)));

    QStringList lines;
    if (r.comparisons.size() > 1 && r.kind != VerdictKind::SampleRatioMismatch && r.kind != VerdictKind::NotStarted) {
        for (const auto& c : r.comparisons) lines << QStringLiteral("• ") + sentence(c.verdict);
    } else {
        lines << sentence(r.verdict);
    }
    m_verdictText->setText(lines.join(QLatin1Char('\n')));

    // The guardrails the experiment was given, harmed or not, for every treatment.
    QStringList guards;
    std::vector<experiments::Metric> metrics;
    for (const auto& c : r.comparisons) {
        for (const auto& m : c.guardrails) {
            if (std::find(metrics.begin(), metrics.end(), m.metric) == metrics.end()) metrics.push_back(m.metric);
        }
    }
    for (const experiments::Metric metric : metrics) {
        QStringList parts;
        for (const auto& c : r.comparisons) {
            for (const auto& m : c.guardrails) {
                if (m.metric != metric) continue;
                const bool harmed =
                    std::find(c.harmedGuardrails.begin(), c.harmedGuardrails.end(), metric) != c.harmedGuardrails.end();
                QString effect;
                if (!m.available) {
                    parts << tr("%1 not measurable yet").arg(quoted(c.variant));
                    continue;
                }
                effect = m.relativeLift ? format::signedPercent(*m.relativeLift, 1)
                                        : tr("%1 pp").arg(QLocale().toString(m.diff * 100.0, 'f', 2));
                parts << (harmed ? tr("%1 significantly worse (%2, p = %3) ✗")
                                 : tr("%1 not significantly worse (%2, p = %3) ✓"))
                             .arg(quoted(c.variant), effect, pText(m.pValue));
            }
        }
        QString label = QString::fromLatin1(experiments::metricLabel(metric).data());
        guards << tr("Guardrail %1: %2").arg(label, parts.join(QStringLiteral("; ")));
    }
    m_guardrails->setText(guards.join(QLatin1Char('\n')));
    m_guardrails->setVisible(!guards.isEmpty());

    if (r.state == ExperimentState::Stopped && r.stoppedAtMs > 0) {
        m_frozen->setText(
            m_frozenForGood
                ? tr("Frozen: these are the figures at the stop (%1) and they no longer change; the chart and the "
                     "peeking-safe looks end there too.")
                      .arg(format::timestamp(r.stoppedAtMs))
                : tr("Stopped at %1: clicks and purchases on lists shown before the stop are still being counted "
                     "for a few seconds; then these figures freeze for good.")
                      .arg(format::timestamp(r.stoppedAtMs)));
        m_frozen->setVisible(true);
    } else {
        m_frozen->setVisible(false);
    }
    QStringList notes;
    if (!m_scope.isEmpty()) notes << m_scope;
    for (const auto& note : r.notes) notes << sentence(note);
    m_notes->setText(notes.join(QStringLiteral(". ")));
    m_notes->setVisible(!notes.isEmpty());
}

void ResultsView::updateIndicators(const ExperimentResults& r) {
    // Sample ratio.
    if (!r.srm.applicable) {
        m_srm->setValue(tr("n/a"), sentence(r.srm.note));
    } else if (r.srm.mismatch) {
        m_srm->setValue(tr("Mismatch"), tr("p = %1 · %2").arg(pText(r.srm.pValue), sentence(r.srm.note)),
                        KpiTile::State::Bad);
    } else {
        m_srm->setValue(tr("OK"), tr("p = %1: users split as the weights say").arg(pText(r.srm.pValue)),
                        KpiTile::State::Good);
    }

    // Peeking-safe test (the first treatment's, or the one that decides).
    if (r.comparisons.empty()) {
        m_peeking->setValue(QStringLiteral("–"));
    } else {
        const Comparison* shown = &r.comparisons.front();
        for (const auto& c : r.comparisons) {
            if (c.safeToStop || (c.sequential.available && c.sequential.pValue < shown->sequential.pValue)) shown = &c;
        }
        const auto& s = shown->sequential;
        const QString who = r.comparisons.size() > 1 ? quoted(shown->variant) + QStringLiteral(": ") : QString();
        if (r.primaryMetric == experiments::Metric::Ctr) {
            m_peeking->setValue(tr("n/a"), tr("not defined for CTR; read the fixed-horizon p-value"));
        } else if (!s.available) {
            m_peeking->setValue(tr("Waiting"), tr("starts at %1 users and %2 successes per variant")
                                                   .arg(experiments::kMinUsersPerArm)
                                                   .arg(experiments::kMinSuccessesPerArm));
        } else if (r.state == ExperimentState::Stopped) {
            m_peeking->setValue(
                shown->safeToStop ? tr("Confirmed")
                : s.significant   ? tr("Significant")
                                  : tr("Stopped early"),
                who +
                    tr("always-valid p = %1 after %2, frozen at the stop").arg(pText(s.pValue), format::looks(s.looks)),
                shown->safeToStop || s.significant ? KpiTile::State::Good : KpiTile::State::Normal);
        } else if (shown->safeToStop) {
            m_peeking->setValue(tr("Safe to stop"),
                                who + tr("always-valid p = %1 after %2").arg(pText(s.pValue), format::looks(s.looks)),
                                KpiTile::State::Good);
        } else if (s.significant) {
            m_peeking->setValue(tr("Significant"),
                                who + tr("always-valid p = %1 after %2").arg(pText(s.pValue), format::looks(s.looks)),
                                KpiTile::State::Good);
        } else {
            m_peeking->setValue(tr("Keep running"),
                                who + tr("always-valid p = %1 after %2 (needs ≤ %3)")
                                          .arg(pText(s.pValue), format::looks(s.looks))
                                          .arg(r.alpha),
                                KpiTile::State::Warning);
        }
    }

    // Progress to the planned sample.
    std::uint64_t fewest = 0;
    bool first = true;
    for (const auto& v : r.variants) {
        fewest = first ? v.counts.users : std::min(fewest, v.counts.users);
        first = false;
    }
    std::optional<std::int64_t> planned;
    std::optional<double> daysLeft;
    for (const auto& c : r.comparisons) {
        if (c.plannedUsersPerVariant) planned = std::max(planned.value_or(0), *c.plannedUsersPerVariant);
        if (c.daysRemaining) daysLeft = std::max(daysLeft.value_or(0.0), *c.daysRemaining);
    }
    if (planned && *planned > 0) {
        const double share = std::min(1.0, static_cast<double>(fewest) / static_cast<double>(*planned));
        QString detail =
            tr("%1 of %L2 users per variant").arg(format::percent(share, 0)).arg(static_cast<qlonglong>(*planned));
        if (share >= 1.0)
            detail += tr(" · plan reached");
        else if (daysLeft && r.state == ExperimentState::Running)
            detail +=
                *daysLeft >= 1.0 ? tr(" · ≈ %1 more days at current traffic")
                                       .arg(QLocale().toString(*daysLeft, 'f', *daysLeft < 10 ? 1 : 0))
                : *daysLeft * 24.0 >= 1.0
                    ? tr(" · ≈ %1 more hours at current traffic").arg(static_cast<int>(std::ceil(*daysLeft * 24.0)))
                    : tr(" · under an hour more at current traffic");
        m_progress->setValue(QLocale().toString(static_cast<qulonglong>(fewest)), detail,
                             share >= 1.0 ? KpiTile::State::Good : KpiTile::State::Normal);
    } else {
        m_progress->setValue(QLocale().toString(static_cast<qulonglong>(fewest)),
                             tr("users in the smallest variant; no sample plan for this metric"));
    }

    // Runtime.
    if (r.startedAtMs <= 0) {
        m_runtime->setValue(tr("Not started"));
    } else if (r.state == ExperimentState::Running) {
        const std::int64_t now = r.computedAtMs > 0 ? r.computedAtMs : QDateTime::currentMSecsSinceEpoch();
        m_runtime->setValue(duration(now - r.startedAtMs),
                            tr("running since %1").arg(format::timestamp(r.startedAtMs)));
    } else {
        m_runtime->setValue(duration(r.stoppedAtMs - r.startedAtMs),
                            tr("stopped at %1").arg(format::timestamp(r.stoppedAtMs)));
    }
}

}  // namespace recdeck::ui

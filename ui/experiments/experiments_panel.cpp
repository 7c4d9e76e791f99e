#include "recdeck/ui/experiments/experiments_panel.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QResizeEvent>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/adapters/live_feed.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/elided_label.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/panel_heading.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/experiments/button_style.h"
#include "recdeck/ui/experiments/experiment_editor.h"
#include "recdeck/ui/experiments/experiment_list_model.h"
#include "recdeck/ui/experiments/panel_text.h"
#include "recdeck/ui/experiments/results_view.h"
#include "recdeck/ui/experiments/sample_size_calculator.h"

namespace recdeck::ui {

using experiments::Experiment;
using experiments::ExperimentResults;
using experiments::ExperimentState;
using namespace panel_text;

namespace {

constexpr int kRefreshMs = 2000;
// Versioned: header states saved before the columns were sized to their contents (every
// resize was saved, even the automatic ones) are dropped.
constexpr const char* kResultsColumnsKey = "experiments/resultsColumns2";
constexpr const char* kSplitterKey = "experiments/splitter2";

}  // namespace

ExperimentsPanel::ExperimentsPanel(EngineHost& host, LiveFeed& feed, QWidget* parent)
    : QWidget(parent),
      m_host(host),
      m_feed(feed),
      m_listModel(new ExperimentListModel(this)),
      m_timer(new QTimer(this)) {
    auto* heading = panelHeading(tr("Experiments"), this);
    auto* subheading =
        panelSubheading(tr("A/B tests of models and ranking: design them, size them, run them and read the "
                           "results in plain language."),
                        this);

    // --- message bar (refusals, failures, confirmations of what happened) ---
    m_messageBar = new QFrame(this);
    m_messageBar->setObjectName(QStringLiteral("messageBar"));
    m_message = new QLabel(m_messageBar);
    m_message->setObjectName(QStringLiteral("panelMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* dismiss = new QToolButton(m_messageBar);
    dismiss->setText(QStringLiteral("✕"));
    dismiss->setAutoRaise(true);
    dismiss->setToolTip(tr("Dismiss"));
    connect(dismiss, &QToolButton::clicked, this, &ExperimentsPanel::hideMessage);
    auto* messageLayout = new QHBoxLayout(m_messageBar);
    messageLayout->setContentsMargins(12, 6, 6, 6);
    messageLayout->addWidget(m_message, 1);
    messageLayout->addWidget(dismiss, 0, Qt::AlignTop);
    m_messageBar->setVisible(false);

    // --- list card ---
    auto makeButton = [this](const QString& text, const QString& name, const QString& tip) {
        auto* button = new QPushButton(text, this);
        button->setObjectName(name);
        button->setToolTip(tip);
        return button;
    };
    m_new = makeButton(tr("New experiment"), QStringLiteral("newButton"),
                       tr("Design a new experiment (a draft nobody sees until it starts)"));
    stylePrimary(m_new);
    m_start = makeButton(tr("Start"), QStringLiteral("startButton"), tr("Start assigning users to the variants"));
    m_stop = makeButton(tr("Stop"), QStringLiteral("stopButton"),
                        tr("End the run: users go back to the default experience"));
    m_restart = makeButton(tr("Restart…"), QStringLiteral("restartButton"),
                           tr("Run again with a new salt: users are reshuffled and results start from zero"));
    m_delete =
        makeButton(tr("Delete"), QStringLiteral("deleteButton"), tr("Delete a draft (experiments that ran are kept)"));
    styleDanger(m_stop);
    styleDanger(m_delete);
    // One Export button with a menu: the row of actions fits a 1024-pixel window.
    m_export = makeButton(tr("Export"), QStringLiteral("exportButton"), tr("Save the results or the definition"));
    auto* exportMenu = new QMenu(m_export);
    m_exportResults = exportMenu->addAction(tr("Results as CSV…"));
    m_exportResults->setObjectName(QStringLiteral("exportResultsAction"));
    m_exportResults->setToolTip(tr("Save the per-variant results as CSV"));
    m_exportDefinition = exportMenu->addAction(tr("Definition as JSON…"));
    m_exportDefinition->setObjectName(QStringLiteral("exportDefinitionAction"));
    m_exportDefinition->setToolTip(tr("Save the experiment's definition as JSON (the form the HTTP API accepts)"));
    m_export->setMenu(exportMenu);
    connect(m_new, &QPushButton::clicked, this, &ExperimentsPanel::newExperiment);
    connect(m_start, &QPushButton::clicked, this, &ExperimentsPanel::startSelected);
    connect(m_stop, &QPushButton::clicked, this, &ExperimentsPanel::stopSelected);
    connect(m_restart, &QPushButton::clicked, this, &ExperimentsPanel::restartSelected);
    connect(m_delete, &QPushButton::clicked, this, &ExperimentsPanel::deleteSelected);
    connect(m_exportResults, &QAction::triggered, this, [this] { exportResults(); });
    connect(m_exportDefinition, &QAction::triggered, this, [this] { exportDefinition(); });

    auto* buttons = new QHBoxLayout();
    buttons->setSpacing(8);
    buttons->addWidget(m_new);
    buttons->addSpacing(8);
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_restart);
    buttons->addWidget(m_delete);
    buttons->addStretch(1);
    buttons->addWidget(m_export);

    m_list = new QTableView(this);
    m_list->setObjectName(QStringLiteral("experimentList"));
    m_list->setModel(m_listModel);
    m_list->setItemDelegateForColumn(ExperimentListModel::State, new StateBadgeDelegate(m_list));
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->verticalHeader()->setVisible(false);
    m_list->verticalHeader()->setDefaultSectionSize(30);
    m_list->setShowGrid(false);
    m_list->setWordWrap(false);
    m_list->horizontalHeader()->setStretchLastSection(true);
    m_list->horizontalHeader()->setHighlightSections(false);
    m_list->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_list->setMinimumHeight(96);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ExperimentsPanel::onSelectionChanged);

    auto* listCard = new QFrame(this);
    listCard->setObjectName(QStringLiteral("card"));
    auto* listLayout = new QVBoxLayout(listCard);
    listLayout->setContentsMargins(12, 10, 12, 12);
    listLayout->setSpacing(10);
    listLayout->addLayout(buttons);
    listLayout->addWidget(m_list, 1);

    // --- detail: header + tabs ---
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("sectionHeading"));
    m_title->setStyleSheet(QStringLiteral("font-size:13pt;"));
    m_badge = new QLabel(this);
    m_badge->setObjectName(QStringLiteral("badge"));
    m_description = new ElidedLabel(this);
    m_description->setObjectName(QStringLiteral("muted"));
    m_description->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* header = new QHBoxLayout();
    header->setSpacing(10);
    header->addWidget(m_title);
    header->addWidget(m_badge);
    header->addWidget(m_description, 1);

    m_resultsView = new ResultsView(this);
    m_resultsView->setObjectName(QStringLiteral("resultsView"));
    m_editor = new ExperimentEditor(this);
    m_calculator = new SampleSizeCalculator(this);
    m_calculator->setObjectName(QStringLiteral("sampleSizeCalculator"));
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("experimentTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_resultsView, tr("Results"));
    m_tabs->addTab(m_editor, tr("Design"));
    m_tabs->addTab(m_calculator, tr("Sample size"));
    m_tabs->setTabToolTip(0, tr("How the variants compare, and whether it is time to decide"));
    m_tabs->setTabToolTip(1, tr("Variants, models, traffic and metrics of the experiment (undoable edits)"));
    m_tabs->setTabToolTip(2, tr("How many users an experiment needs and how long that takes at current traffic"));

    auto* detail = new QWidget(this);
    auto* detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 4, 0, 0);
    detailLayout->setSpacing(6);
    detailLayout->addLayout(header);
    detailLayout->addWidget(m_tabs, 1);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("experimentsSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(listCard);
    m_splitter->addWidget(detail);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({150, 700});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(12);
    auto* titles = new QVBoxLayout();
    titles->setSpacing(2);
    titles->addWidget(heading);
    titles->addWidget(subheading);
    layout->addLayout(titles);
    layout->addWidget(m_messageBar);
    layout->addWidget(m_splitter, 1);

    // --- wiring ---
    connect(m_editor, &ExperimentEditor::saveRequested, this, &ExperimentsPanel::onSave);
    connect(m_editor, &ExperimentEditor::dirtyChanged, this, [this] { updateActions(); });
    connect(m_editor, &ExperimentEditor::newDiscarded, this, [this] {
        m_selected.clear();
        reloadList();
        onSelectionChanged();
    });
    connect(m_calculator, &SampleSizeCalculator::inputsEdited, this, [this] { m_calculatorTouched = true; });
    connect(m_calculator, &SampleSizeCalculator::planRequested, this, [this](const experiments::ExperimentPlan& plan) {
        if (m_editor->applyPlan(plan)) {
            m_tabs->setCurrentWidget(m_editor);
            showMessage(tr("The plan of %1 now uses the calculator's figures: review them in Design and press Save.")
                            .arg(quoted(q(m_editor->definition().key))),
                        false);
        }
    });
    connect(&m_host, &EngineHost::opened, this, &ExperimentsPanel::onOpened);
    connect(&m_host, &EngineHost::modelsChanged, this, &ExperimentsPanel::reloadModels);
    connect(&m_host, &EngineHost::experimentsChanged, this, [this](const QString& key) {
        reloadList();
        if (key == m_selected) {
            if (const std::optional<Experiment> e = selectedExperiment()) m_editor->storedChanged(*e);
            updateHeader();
            refreshResults();
        }
        updateActions();
    });
    // The calculator follows the design being edited (variants, coverage, metric) until
    // its own inputs are edited.
    connect(m_editor, &ExperimentEditor::definitionChanged, this, [this] {
        if (m_calculatorTouched || !m_editor->hasDefinition()) return;
        seedCalculator(m_editor->definition());
    });
    m_timer->setInterval(kRefreshMs);
    connect(m_timer, &QTimer::timeout, this, [this] {
        reloadList();  // ages and states; an in-memory read
        refreshResults();
        refreshTraffic();
    });

    QSettings settings;
    // Versioned: states saved before the list grew with the window kept it at two rows.
    m_splitterDragged = m_splitter->restoreState(settings.value(QLatin1String(kSplitterKey)).toByteArray());
    m_resultsView->restoreColumnState(settings.value(QLatin1String(kResultsColumnsKey)).toByteArray());
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] {
        m_splitterDragged = true;
        saveSettings();
    });
    connect(m_resultsView, &ResultsView::columnsResizedByUser, this, [this] { saveSettings(); });

    m_chooser = [this](const QString& title, const QString& text, const QStringList& choices) {
        QMessageBox box(QMessageBox::Question, title, text, QMessageBox::NoButton, this);
        box.setObjectName(QStringLiteral("confirmDialog"));
        QList<QPushButton*> answers;
        for (int i = 0; i < choices.size(); ++i) {
            QPushButton* button = box.addButton(choices[i], QMessageBox::AcceptRole);
            button->setObjectName(i == 0 ? QStringLiteral("confirmAccept") : QStringLiteral("confirmChoice%1").arg(i));
            answers << button;
        }
        QPushButton* no = box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(no);
        box.exec();
        // Only the index leaves the dialog: the caller re-resolves everything else.
        return static_cast<int>(answers.indexOf(qobject_cast<QPushButton*>(box.clickedButton())));
    };
    m_confirmer = [this](const QString& title, const QString& text, const QString& accept) {
        return m_chooser(title, text, {accept}) == 0;
    };

    updateHeader();
    updateActions();
    if (m_host.isOpen())
        onOpened();
    else
        m_resultsView->showMessage(tr("Starting…"),
                                   tr("The recommendation engine is opening; experiments appear here in a moment."));
}

ExperimentsPanel::~ExperimentsPanel() = default;

void ExperimentsPanel::setConfirmer(Confirmer confirmer) {
    m_confirmer = std::move(confirmer);
    m_chooser = [this](const QString& title, const QString& text, const QStringList& choices) {
        return confirm(title, text, choices.value(0)) ? 0 : -1;
    };
}

void ExperimentsPanel::setChooser(Chooser chooser) {
    m_chooser = std::move(chooser);
}

bool ExperimentsPanel::confirm(const QString& title, const QString& text, const QString& accept) {
    return m_confirmer ? m_confirmer(title, text, accept) : true;
}

int ExperimentsPanel::choose(const QString& title, const QString& text, const QStringList& choices) {
    return m_chooser ? m_chooser(title, text, choices) : 0;
}

void ExperimentsPanel::saveSettings() const {
    QSettings settings;
    if (m_splitterDragged) settings.setValue(QLatin1String(kSplitterKey), m_splitter->saveState());
    if (const QByteArray columns = m_resultsView->columnState(); !columns.isEmpty()) {
        settings.setValue(QLatin1String(kResultsColumnsKey), columns);
    } else {
        settings.remove(QLatin1String(kResultsColumnsKey));
    }
    if (!m_selected.isEmpty()) settings.setValue(QStringLiteral("experiments/selected"), m_selected);
}

void ExperimentsPanel::onOpened() {
    m_history.clear();
    reloadModels();
    reloadList();
    // Select the remembered experiment, else the first running one, else the first.
    QString key = QSettings().value(QStringLiteral("experiments/selected")).toString();
    if (m_listModel->rowOf(key) < 0) {
        key.clear();
        for (const auto& e : m_listModel->experiments()) {
            if (e.state == ExperimentState::Running) {
                key = q(e.key);
                break;
            }
        }
        if (key.isEmpty() && !m_listModel->experiments().empty()) key = q(m_listModel->experiments().front().key);
    }
    if (!key.isEmpty())
        selectExperiment(key);
    else {
        m_resultsView->showMessage(
            tr("No experiments yet"),
            tr("Press New experiment to design one: pick the models to compare, how much traffic "
               "to use and the metric that decides."));
    }
    m_timer->start();
    refreshTraffic(true);
}

void ExperimentsPanel::reloadModels() {
    auto* engine = m_host.engine();
    if (!engine) return;
    QStringList names;
    for (const auto& entry : engine->registry().entries()) names << q(entry->name);
    m_editor->setModels(names, q(engine->registry().defaultName()));
}

void ExperimentsPanel::reloadList() {
    auto* engine = m_host.engine();
    if (!engine) return;
    m_changingSelection = true;
    auto all = engine->experiments().list();
    m_editor->setTrafficContext(all);
    m_listModel->setExperiments(std::move(all));
    const int row = m_listModel->rowOf(m_selected);
    if (row >= 0 && m_list->currentIndex().row() != row) m_list->setCurrentIndex(m_listModel->index(row, 0));
    if (row < 0 && !m_selected.isEmpty() && !(m_editor->isNew())) {
        // The selected experiment was removed (here or elsewhere).
        m_selected.clear();
        m_editor->clear();
        m_results.reset();
    }
    m_changingSelection = false;
    updateHeader();
    updateActions();
    fitList();
}

void ExperimentsPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fitList();
}

void ExperimentsPanel::fitList() {
    // Columns: each as wide as its contents; drop the least needed while they do not fit.
    QHeaderView* header = m_list->horizontalHeader();
    const int available = m_list->viewport()->width();
    QList<int> widths;
    for (int c = 0; c < ExperimentListModel::ColumnCount; ++c) {
        int content = header->sectionSizeHint(c);
        for (int row = 0; row < m_listModel->rowCount(); ++row)
            content = std::max(content, m_list->sizeHintForIndex(m_listModel->index(row, c)).width());
        widths << std::min(content + 12, c == ExperimentListModel::Users ? 420 : 260);
    }
    const int order[] = {ExperimentListModel::Updated, ExperimentListModel::Started, ExperimentListModel::Variants,
                         ExperimentListModel::Metric};
    QList<bool> shown(ExperimentListModel::ColumnCount, true);
    auto sumShown = [&] {
        int sum = 0;
        for (int c = 0; c < widths.size(); ++c) sum += shown[c] ? widths[c] : 0;
        return sum;
    };
    for (int column : order) {
        if (sumShown() <= available) break;
        shown[column] = false;
    }
    for (int c = 0; c < ExperimentListModel::ColumnCount; ++c) {
        m_list->setColumnHidden(c, !shown[c]);
        if (shown[c] && header->sectionSize(c) != widths[c]) header->resizeSection(c, widths[c]);
    }
    // Height: every row while there are few, up to a third of the panel; the results get
    // the rest. Only until the user drags the splitter.
    if (m_splitterDragged) return;
    const int height = m_splitter->height();
    if (height <= 0) return;
    const int rows = std::max(3, std::min(m_listModel->rowCount(), 12));
    const int listCard = header->height() + rows * m_list->verticalHeader()->defaultSectionSize() + 72;
    const int wanted = std::clamp(listCard, 170, std::max(170, height / 3));
    const QList<int> sizes = m_splitter->sizes();
    if (sizes.size() == 2 && std::abs(sizes[0] - wanted) > 4)
        m_splitter->setSizes({wanted, std::max(0, height - wanted)});
}

bool ExperimentsPanel::selectExperiment(const QString& key) {
    const int row = m_listModel->rowOf(key);
    if (row < 0) return false;
    m_list->setCurrentIndex(m_listModel->index(row, 0));
    if (m_selected != key) showSelected(key);
    return true;
}

void ExperimentsPanel::onSelectionChanged() {
    if (m_changingSelection) return;
    const QModelIndex current = m_list->currentIndex();
    const QString key = current.isValid() ? current.data(ExperimentListModel::KeyRole).toString() : QString();
    if (key == m_selected && !m_editor->isNew()) return;
    if (m_editor->isDirty() && q(m_editor->definition().key) != key) {
        const QString what = m_editor->isNew() ? tr("the new experiment") : quoted(q(m_editor->definition().key));
        if (!confirm(tr("Discard unsaved changes?"),
                     tr("You have unsaved changes to %1. Switching to another experiment discards them.").arg(what),
                     tr("Discard changes"))) {
            // Stay where the edits are.
            m_changingSelection = true;
            const int row = m_listModel->rowOf(m_selected);
            if (row >= 0)
                m_list->setCurrentIndex(m_listModel->index(row, 0));
            else
                m_list->clearSelection();
            m_changingSelection = false;
            return;
        }
    }
    showSelected(key);
}

void ExperimentsPanel::showSelected(const QString& key) {
    m_selected = key;
    m_results.reset();
    m_calculatorTouched = false;
    const std::optional<Experiment> e = selectedExperiment();
    if (!e) {
        m_editor->clear();
        m_resultsView->showMessage(tr("No experiment selected"),
                                   tr("Pick an experiment in the list, or create one with New experiment."));
    } else {
        // A just-created draft is already in the editor with its history: keep it.
        const bool sameDraft = m_editor->stored() && m_editor->stored()->key == e->key;
        if (sameDraft)
            m_editor->storedChanged(*e);
        else
            m_editor->loadStored(*e);
        seedCalculator(*e);
        if (e->state == ExperimentState::Draft) {
            m_resultsView->showMessage(tr("Not started yet"),
                                       tr("%1 is a draft: nobody sees it. Review its design, then press Start to begin "
                                          "collecting results.")
                                           .arg(quoted(key)));
        } else {
            m_resultsView->showMessage(tr("Reading results…"), tr("The readout appears in a moment."));
        }
        refreshResults();
    }
    saveSettings();
    updateHeader();
    updateActions();
}

std::optional<Experiment> ExperimentsPanel::selectedExperiment() const {
    const int row = m_listModel->rowOf(m_selected);
    if (row < 0) return std::nullopt;
    return *m_listModel->at(row);
}

void ExperimentsPanel::updateHeader() {
    if (m_editor->isNew()) {
        const QString key = q(m_editor->definition().key);
        m_title->setText(key.isEmpty() ? tr("New experiment") : key);
        m_badge->setText(tr("New"));
        m_badge->setStyleSheet(QStringLiteral("background:%1;").arg(theme::css(theme::accent())));
        m_badge->setVisible(true);
        m_description->setFullText(tr("not saved yet"));
        return;
    }
    const std::optional<Experiment> e = selectedExperiment();
    if (!e) {
        m_title->setText(tr("No experiment selected"));
        m_badge->setVisible(false);
        m_description->setFullText({});
        return;
    }
    m_title->setText(q(e->key));
    const QString state = QString::fromLatin1(experiments::stateName(e->state).data());
    m_badge->setText(state.left(1).toUpper() + state.mid(1));
    m_badge->setStyleSheet(QStringLiteral("background:%1;").arg(theme::css(StateBadgeDelegate::colour(e->state))));
    m_badge->setVisible(true);
    QString detail = q(e->description);
    if (e->state == ExperimentState::Running && e->startedAtMs > 0) {
        const QString since =
            tr("running for %1").arg(elapsedText(QDateTime::currentMSecsSinceEpoch() - e->startedAtMs));
        detail = detail.isEmpty() ? since : detail + QStringLiteral("  ·  ") + since;
    }
    m_description->setFullText(detail);
}

void ExperimentsPanel::updateActions() {
    const bool open = m_host.isOpen();
    const std::optional<Experiment> e = m_editor->isNew() ? std::nullopt : selectedExperiment();
    const bool dirty = m_editor->isDirty();
    const bool draft = e && e->state == ExperimentState::Draft;
    const bool running = e && e->state == ExperimentState::Running;
    const bool stopped = e && e->state == ExperimentState::Stopped;
    const bool idle = open && !m_busy;
    m_new->setEnabled(idle);
    m_start->setEnabled(idle && draft && !dirty);
    m_start->setToolTip(dirty && draft ? tr("Save or discard your changes first")
                                       : tr("Start assigning users to the variants"));
    m_stop->setEnabled(idle && running);
    m_restart->setEnabled(idle && (running || stopped));
    m_delete->setEnabled(idle && draft);
    m_exportResults->setEnabled(e.has_value() && m_results.has_value() && m_results->key == e->key &&
                                e->state != ExperimentState::Draft);
    m_exportDefinition->setEnabled(m_editor->hasDefinition());
    m_export->setEnabled(m_exportResults->isEnabled() || m_exportDefinition->isEnabled());
    m_calculator->setPlanTarget(m_editor->hasDefinition() ? q(m_editor->definition().key) : QString(),
                                m_editor->hasDefinition());
}

void ExperimentsPanel::showMessage(const QString& text, bool error) {
    m_message->setText(text);
    m_messageBar->setStyleSheet(
        error ? QStringLiteral("QFrame#messageBar { background:#fef2f2; border:1px solid #fecaca; border-radius:6px; } "
                               "QLabel { color:#991b1b; }")
              : QStringLiteral("QFrame#messageBar { background:#eff6ff; border:1px solid #bfdbfe; border-radius:6px; } "
                               "QLabel { color:#1e3a8a; }"));
    m_messageBar->setProperty("error", error);
    m_messageBar->setVisible(true);
}

void ExperimentsPanel::hideMessage() {
    m_messageBar->setVisible(false);
}

}  // namespace recdeck::ui

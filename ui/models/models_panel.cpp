#include "recdeck/ui/models/models_panel.h"

#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

#include "recdeck/common/stopwatch.h"
#include "recdeck/models/model_factory.h"
#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/adaptive_splitter.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/panel_heading.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/models/model_table_model.h"
#include "recdeck/ui/models/task_progress.h"
#include "recdeck/ui/models/trade_off_chart.h"

namespace recdeck::ui {

namespace {

// Evaluate automatically (on open, after training) only while it takes seconds.
constexpr std::size_t kAutoEvaluateMaxInteractions = 300'000;
// Versioned: widths saved before the columns were sized to their contents are dropped.
constexpr const char* kColumnsKey = "models/columns2";
constexpr int kProgressSteps = 1000;

struct TrainingDone {
    std::string error;
    bool cancelled = false;
    std::string name;
    std::uint64_t version = 0;
    double seconds = 0.0;
    std::uint64_t interactions = 0;
    std::uint64_t eventInteractions = 0;
    bool published = false;  // to the fleet
};

struct EvaluateOutcome {
    std::optional<evaluation::EvaluationRun> run;
    Error error;
    std::map<std::string, std::string> keys;  // registry name -> cache key
};

struct CacheLookup {
    evaluation::EvaluationCache cache;
    std::map<std::string, std::string> keys;  // registry name -> cache key
};

std::filesystem::path cacheFileOf(const serving::Engine& engine) {
    return engine.config().dataDir / "models" / "evaluation-cache.json";
}

QString q(const std::string& text) {
    return QString::fromStdString(text);
}

QString kindDescription(std::string_view kind) {
    if (kind == "popularity") return QObject::tr("popularity — the most popular items");
    if (kind == "itemknn") return QObject::tr("itemknn — items similar to the user's");
    if (kind == "als") return QObject::tr("als — matrix factorisation");
    if (kind == "ease") return QObject::tr("ease — linear item-to-item model");
    if (kind == "blend") return QObject::tr("blend — EASE and ALS combined");
    return QString::fromUtf8(kind.data(), static_cast<qsizetype>(kind.size()));
}

// A card with a heading row (the title, then `extras` right of it) over a body layout.
QFrame* makeCard(QWidget* parent, const QString& title, QVBoxLayout** body, QHBoxLayout** header = nullptr) {
    auto* card = new QFrame(parent);
    card->setObjectName(QStringLiteral("card"));
    auto* layout = new QVBoxLayout(card);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(8);
    auto* heading = new QLabel(title, card);
    heading->setObjectName(QStringLiteral("sectionHeading"));
    auto* row = new QHBoxLayout();
    row->addWidget(heading);
    layout->addLayout(row);
    *body = layout;
    if (header) *header = row;
    return card;
}

QProgressBar* makeProgress(QWidget* parent, const QString& name) {
    auto* bar = new QProgressBar(parent);
    bar->setObjectName(name);
    bar->setRange(0, kProgressSteps);
    bar->setValue(0);
    bar->setTextVisible(true);
    bar->setFormat(QStringLiteral("%p%"));
    bar->setFixedHeight(20);
    return bar;
}

void showProgress(QProgressBar* bar, double fraction, const QString& stage) {
    bar->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kProgressSteps));
    bar->setFormat(stage.isEmpty() ? QStringLiteral("%p%") : QStringLiteral("%p%  ·  ") + stage);
}

void setStatus(QLabel* label, const QString& text, const QColor& colour) {
    label->setText(text);
    label->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(colour)));
}

}  // namespace

ModelsPanel::ModelsPanel(EngineHost& host, QWidget* parent)
    : QWidget(parent),
      m_host(host),
      m_table(new ModelTableModel(this)),
      m_trainTask(new TaskProgress(this)),
      m_evaluateTask(new TaskProgress(this)) {
    m_trainTask->setObjectName(QStringLiteral("trainTask"));
    m_evaluateTask->setObjectName(QStringLiteral("evaluateTask"));
    auto* heading = panelHeading(tr("Models"), this);
    auto* subheading = panelSubheading(tr("Trained models with their versions and offline accuracy: train or retrain, "
                                          "evaluate on held-out data, pick the diversity trade-off and the default."),
                                       this);

    // --- the registry ---
    QVBoxLayout* registryBody = nullptr;
    QHBoxLayout* headerRow = nullptr;
    auto* registryCard = makeCard(this, tr("Registered models"), &registryBody, &headerRow);
    m_view = new QTableView(registryCard);
    m_view->setObjectName(QStringLiteral("modelsTable"));
    m_view->setModel(m_table);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(26);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setMinimumSectionSize(40);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    fitColumns();
    const QByteArray savedColumns = QSettings().value(QLatin1String(kColumnsKey)).toByteArray();
    if (!savedColumns.isEmpty()) {
        m_fittingColumns = true;
        m_columnsUserSized = m_view->horizontalHeader()->restoreState(savedColumns);
        m_fittingColumns = false;
    }
    connect(m_view->horizontalHeader(), &QHeaderView::sectionResized, this, [this](int column) {
        // The last column stretches with the table: only a drag of another one is the user's.
        if (!m_fittingColumns && column != ModelTableModel::ColumnCount - 1) m_columnsUserSized = true;
    });
    // New entries or metrics: size the columns once the view has them.
    auto refit = [this] { QTimer::singleShot(0, this, &ModelsPanel::fitColumns); };
    connect(m_table, &QAbstractItemModel::modelReset, this, refit);
    connect(m_table, &QAbstractItemModel::dataChanged, this, refit);
    m_view->installEventFilter(this);
    m_view->setMinimumHeight(150);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ModelsPanel::updateButtons);
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        // Double-clicking a model draws its trade-off.
        if (const auto entry = m_table->entry(index.row()); entry && m_kept.count(entry->name)) {
            QSettings().setValue(QStringLiteral("models/curveModel"), q(entry->name));
            m_chart->selectModel(q(entry->name));
        }
    });

    m_defaultNote = new QLabel(registryCard);
    m_defaultNote->setObjectName(QStringLiteral("muted"));
    m_defaultNote->setWordWrap(true);
    m_retrain = new QPushButton(tr("Retrain"), registryCard);
    m_retrain->setObjectName(QStringLiteral("retrainButton"));
    m_retrain->setToolTip(tr("Train the selected model again on the current data; it is published as a new version"));
    connect(m_retrain, &QPushButton::clicked, this, [this] { train(selectedName()); });
    m_setDefault = new QPushButton(tr("Make default…"), registryCard);
    m_setDefault->setObjectName(QStringLiteral("setDefaultButton"));
    m_setDefault->setToolTip(tr("Serve every user outside an experiment with the selected model"));
    connect(m_setDefault, &QPushButton::clicked, this, &ModelsPanel::askSetDefault);
    headerRow->addSpacing(10);
    headerRow->addWidget(m_defaultNote, 1);
    headerRow->addWidget(m_retrain);
    headerRow->addWidget(m_setDefault);
    registryBody->addWidget(m_view, 1);

    // --- training ---
    QVBoxLayout* trainBody = nullptr;
    auto* trainCard = makeCard(this, tr("Train a model"), &trainBody);
    auto* trainHint = new QLabel(tr("Trains on the current data and publishes a new version; cached lists of that "
                                    "model are dropped."),
                                 trainCard);
    trainHint->setObjectName(QStringLiteral("muted"));
    trainHint->setWordWrap(true);
    m_trainKind = new QComboBox(trainCard);
    m_trainKind->setObjectName(QStringLiteral("trainKind"));
    m_trainKind->setToolTip(
        tr("The algorithm to train. “default” picks the strongest one that fits this catalog "
           "and makes it the default."));
    m_trainKind->addItem(tr("default — strongest for this data"), QStringLiteral("default"));
    for (std::string_view kind : models::modelKinds()) {
        m_trainKind->addItem(kindDescription(kind),
                             QString::fromUtf8(kind.data(), static_cast<qsizetype>(kind.size())));
    }
    m_trainButton = new QPushButton(tr("Train"), trainCard);
    m_trainButton->setObjectName(QStringLiteral("primary"));
    m_trainButton->setAccessibleName(QStringLiteral("trainButton"));
    connect(m_trainButton, &QPushButton::clicked, this, [this] { train(m_trainKind->currentData().toString()); });
    m_cancelTrain = new QPushButton(tr("Cancel"), trainCard);
    m_cancelTrain->setObjectName(QStringLiteral("cancelTrainButton"));
    m_cancelTrain->setToolTip(tr("Stop the training; the current version keeps serving"));
    connect(m_cancelTrain, &QPushButton::clicked, this, &ModelsPanel::cancelTraining);
    m_trainProgress = makeProgress(trainCard, QStringLiteral("trainProgress"));
    m_trainStatus = new QLabel(trainCard);
    m_trainStatus->setObjectName(QStringLiteral("trainStatus"));
    m_trainStatus->setWordWrap(true);
    // The kind on a row of its own (its descriptions are long for this column), the
    // progress beside the buttons that drive it.
    auto* trainRow = new QHBoxLayout();
    trainRow->addWidget(m_trainProgress, 1);
    trainRow->addWidget(m_trainButton);
    trainRow->addWidget(m_cancelTrain);
    trainBody->addWidget(trainHint);
    trainBody->addWidget(m_trainKind);
    trainBody->addLayout(trainRow);
    trainBody->addWidget(m_trainStatus);
    connect(m_trainTask, &TaskProgress::progressed, this,
            [this](double fraction, const QString& stage) { showProgress(m_trainProgress, fraction, stage); });

    // --- evaluation ---
    QVBoxLayout* evaluateBody = nullptr;
    auto* evaluateCard = makeCard(this, tr("Offline evaluation"), &evaluateBody);
    m_evaluateInfo = new QLabel(evaluateCard);
    m_evaluateInfo->setObjectName(QStringLiteral("muted"));
    m_evaluateInfo->setWordWrap(true);
    m_evaluateInfo->setText(
        tr("Holds out %1 of every user's items (seed %2), retrains each model on the rest and scores its top-%3 "
           "lists for up to %4 test users with the console's ranking — then again at other diversity settings for "
           "the chart.")
            .arg(format::percent(m_settings.testFraction, 0))
            .arg(m_settings.seed)
            .arg(m_settings.k)
            .arg(m_settings.maxUsers));
    m_evaluateButton = new QPushButton(tr("Evaluate all models"), evaluateCard);
    m_evaluateButton->setObjectName(QStringLiteral("evaluateButton"));
    m_evaluateButton->setToolTip(
        tr("Measure nDCG, precision, recall, coverage and diversity of every registered model"));
    connect(m_evaluateButton, &QPushButton::clicked, this, [this] { evaluate(); });
    m_cancelEvaluate = new QPushButton(tr("Cancel"), evaluateCard);
    m_cancelEvaluate->setObjectName(QStringLiteral("cancelEvaluateButton"));
    connect(m_cancelEvaluate, &QPushButton::clicked, this, &ModelsPanel::cancelEvaluation);
    m_evaluateProgress = makeProgress(evaluateCard, QStringLiteral("evaluateProgress"));
    m_evaluateStatus = new QLabel(evaluateCard);
    m_evaluateStatus->setObjectName(QStringLiteral("evaluateStatus"));
    m_evaluateStatus->setWordWrap(true);
    auto* evaluateRow = new QHBoxLayout();
    evaluateRow->addWidget(m_evaluateButton, 1);
    evaluateRow->addWidget(m_cancelEvaluate);
    evaluateBody->addWidget(m_evaluateInfo);
    evaluateBody->addLayout(evaluateRow);
    evaluateBody->addWidget(m_evaluateProgress);
    evaluateBody->addWidget(m_evaluateStatus);
    connect(m_evaluateTask, &TaskProgress::progressed, this,
            [this](double fraction, const QString& stage) { showProgress(m_evaluateProgress, fraction, stage); });

    // --- the trade-off ---
    m_chart = new TradeOffChart(this);
    m_chart->setObjectName(QStringLiteral("tradeOffChart"));
    connect(m_chart, &TradeOffChart::modelChosen, this, [this] {
        QSettings().setValue(QStringLiteral("models/curveModel"), m_chart->currentModel());
        updateChart();
    });

    auto* side = new QVBoxLayout();
    side->setSpacing(12);
    side->addWidget(trainCard);
    side->addWidget(evaluateCard);
    side->addStretch(1);
    auto* sideHost = new QWidget(this);
    sideHost->setLayout(side);
    side->setContentsMargins(0, 0, 0, 0);
    sideHost->setMinimumWidth(320);
    // Side by side when the window is wide enough for both, stacked otherwise.
    auto* bottom = new AdaptiveSplitter(this);
    bottom->setObjectName(QStringLiteral("modelsSplitter"));
    bottom->setHandleWidth(12);
    bottom->addWidget(sideHost);
    bottom->addWidget(m_chart);
    bottom->setStretchFactor(0, 0);
    bottom->setStretchFactor(1, 1);
    bottom->setSizes({380, 800});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(12);
    auto* titles = new QVBoxLayout();
    titles->setSpacing(2);
    titles->addWidget(heading);
    titles->addWidget(subheading);
    layout->addLayout(titles);
    layout->addWidget(registryCard, 2);  // a handful of models; the chart needs the height more
    layout->addWidget(bottom, 5);

    setStatus(m_trainStatus, tr("Pick a kind and press Train."), theme::muted());
    setStatus(m_evaluateStatus, tr("Not evaluated yet."), theme::muted());

    connect(&m_host, &EngineHost::opened, this, &ModelsPanel::onEngineOpened);
    connect(&m_host, &EngineHost::dataChanged, this, &ModelsPanel::onEngineOpened);
    connect(&m_host, &EngineHost::modelsChanged, this, [this] {
        refreshTable();
        updateChart();
    });
    updateButtons();
    if (m_host.isOpen()) QTimer::singleShot(0, this, &ModelsPanel::onEngineOpened);
}

ModelsPanel::~ModelsPanel() {
    if (m_columnsUserSized) {
        QSettings().setValue(QLatin1String(kColumnsKey), m_view->horizontalHeader()->saveState());
    } else {
        QSettings().remove(QLatin1String(kColumnsKey));
    }
    // Work in flight holds the engine; tell it its answer is no longer wanted.
    m_trainTask->cancel();
    m_evaluateTask->cancel();
}

void ModelsPanel::onEngineOpened() {
    m_kept.clear();
    m_lastRun.reset();
    m_autoEvaluated = false;
    m_reused.clear();
    m_startupSettled = false;
    refreshTable();
    updateChart();
    restoreOrEvaluate();
}

void ModelsPanel::restoreOrEvaluate() {
    const auto engine = m_host.sharedEngine();
    if (!engine) return;
    std::vector<evaluation::ModelToEvaluate> specs;
    for (const auto& entry : engine->registry().entries()) {
        if (!entry->model) continue;
        specs.push_back({entry->name, entry->version, std::string(entry->model->kind()), entry->model->params()});
    }
    const evaluation::EvaluationSettings settings = m_settings;
    const ranking::RankingParams ranking = engine->service().defaultRanking();
    const quint64 generation = ++m_openGeneration;
    setStatus(m_evaluateStatus, tr("Looking for earlier evaluations of this data…"), theme::muted());
    // Hashing the data and reading the file: off the GUI thread.
    runAsync(
        this,
        [engine, specs, settings, ranking] {
            CacheLookup lookup;
            const auto snapshot = engine->snapshot();
            if (!snapshot) return lookup;
            const std::string fingerprint = evaluation::dataFingerprint(*snapshot);
            for (const auto& spec : specs)
                lookup.keys[spec.name] = evaluation::evaluationKey(spec, fingerprint, settings, ranking);
            lookup.cache = evaluation::loadEvaluationCache(cacheFileOf(*engine));
            return lookup;
        },
        [this, engine, specs, generation](CacheLookup lookup) {
            if (generation != m_openGeneration || engine != m_host.sharedEngine()) return;
            m_cache = std::move(lookup.cache);
            m_cacheFile = cacheFileOf(*engine);
            QStringList missing;
            std::int64_t savedAt = 0;
            for (const auto& spec : specs) {
                const auto key = lookup.keys.find(spec.name);
                const auto cached = key == lookup.keys.end() ? m_cache.end() : m_cache.find(key->second);
                if (cached == m_cache.end()) {
                    missing << q(spec.name);
                    continue;
                }
                evaluation::ModelEvaluation evaluation = cached->second.evaluation;
                evaluation.name = spec.name;
                evaluation.version = spec.version;
                (void)engine->registry().setOfflineMetrics(spec.name, spec.version,
                                                           evaluation::registryMetrics(evaluation, cached->second.run));
                m_kept[spec.name] = std::move(evaluation);
                m_lastRun = cached->second.run;
                savedAt = std::max(savedAt, cached->second.savedAtMs);
                m_reused << q(spec.name);
            }
            refreshTable();
            updateChart();
            const bool small = engine->dataInfo().interactions <= kAutoEvaluateMaxInteractions;
            if (!missing.isEmpty() && small && !evaluating()) {
                // On small data the evaluation takes seconds: run it now for what the cache
                // lacks, so the metrics and the trade-off are there when the panel opens.
                m_autoEvaluated = true;
                evaluate(missing.size() == static_cast<qsizetype>(specs.size()) ? QStringList() : missing);
            } else if (!missing.isEmpty()) {
                setStatus(m_evaluateStatus, tr("Large data: press Evaluate to measure the models (takes a while)."),
                          theme::muted());
            } else if (!specs.empty()) {
                setStatus(m_evaluateStatus,
                          tr("Figures of the evaluation of %1 (the same data and models): nothing to measure again. "
                             "Press Evaluate to run it anew.")
                              .arg(format::timestamp(savedAt)),
                          theme::muted());
            }
            m_startupSettled = !evaluating();
        });
}

void ModelsPanel::saveCache() {
    if (m_cacheFile.empty()) return;
    evaluation::EvaluationCache cache = m_cache;
    const std::filesystem::path file = m_cacheFile;
    runAsync(
        this, [cache = std::move(cache), file] { return evaluation::saveEvaluationCache(file, cache); }, [](Status) {});
}

QString ModelsPanel::selectedName() const {
    const auto rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty()) return {};
    const auto entry = m_table->entry(rows.first().row());
    return entry ? q(entry->name) : QString();
}

void ModelsPanel::fitColumns() {
    if (m_columnsUserSized) return;
    m_view->ensurePolished();
    QHeaderView* header = m_view->horizontalHeader();
    constexpr int kRoom = 12;  // between a right-aligned value and the next column's
    m_naturalWidths = QList<int>(ModelTableModel::ColumnCount, 0);
    for (int column = 0; column < ModelTableModel::ColumnCount; ++column) {
        int width = header->sectionSizeHint(column);
        for (int row = 0; row < m_table->rowCount(); ++row) {
            width = std::max(width, m_view->sizeHintForIndex(m_table->index(row, column)).width() + kRoom);
        }
        m_naturalWidths[column] = width;
    }
    spreadColumns();
}

void ModelsPanel::spreadColumns() {
    if (m_columnsUserSized || m_naturalWidths.size() != ModelTableModel::ColumnCount) return;
    // Each column its natural width plus an equal share of the room left, so no column
    // hoards the width while another is cut.
    int natural = 0;
    for (int width : m_naturalWidths) natural += width;
    const int room = std::max(0, m_view->viewport()->width() - natural);
    const int share = room / ModelTableModel::ColumnCount;
    m_fittingColumns = true;
    QHeaderView* header = m_view->horizontalHeader();
    for (int column = 0; column < ModelTableModel::ColumnCount; ++column) {
        const int width = m_naturalWidths[column] + share;
        if (header->sectionSize(column) != width) header->resizeSection(column, width);
    }
    m_fittingColumns = false;
}

bool ModelsPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_view && (event->type() == QEvent::Resize || event->type() == QEvent::Show)) {
        QTimer::singleShot(0, this, &ModelsPanel::spreadColumns);
    }
    return QWidget::eventFilter(watched, event);
}

void ModelsPanel::refreshTable() {
    serving::Engine* engine = m_host.engine();
    const QString selected = selectedName();
    if (!engine) {
        m_table->setEntries({}, {});
        m_defaultNote->setText(tr("The backend is not open yet."));
        updateButtons();
        return;
    }
    const QString defaultName = q(engine->registry().defaultName());
    m_table->setEntries(engine->registry().entries(), defaultName);
    const int row = m_table->rowOf(selected.isEmpty() ? defaultName : selected);
    if (row >= 0) m_view->selectRow(row);
    m_defaultNote->setText(
        defaultName.isEmpty()
            ? tr("No default model: train one.")
            : tr("★ %1 is the default: it serves every user outside an experiment.").arg(defaultName));
    updateButtons();
}

void ModelsPanel::updateButtons() {
    const bool open = m_host.isOpen();
    const bool trainingNow = training();
    const bool evaluatingNow = evaluating();
    const QString selected = selectedName();
    m_trainButton->setEnabled(open && !trainingNow);
    m_trainKind->setEnabled(!trainingNow);
    m_cancelTrain->setEnabled(trainingNow);
    m_retrain->setEnabled(open && !trainingNow && !selected.isEmpty());
    m_setDefault->setEnabled(open && !selected.isEmpty() && selected != m_table->defaultName());
    m_evaluateButton->setEnabled(open && !evaluatingNow);
    m_cancelEvaluate->setEnabled(evaluatingNow);
}

bool ModelsPanel::training() const {
    return m_trainTask->running();
}
bool ModelsPanel::evaluating() const {
    return m_evaluateTask->running();
}

bool ModelsPanel::train(const QString& name) {
    const auto engine = m_host.sharedEngine();
    if (name.isEmpty() || training()) return false;
    if (!engine) {
        setStatus(m_trainStatus, tr("The backend is not open yet."), theme::bad());
        return false;
    }
    const TaskControl control = m_trainTask->begin();
    showProgress(m_trainProgress, 0.0, tr("starting"));
    setStatus(m_trainStatus, tr("Training %1… the current version keeps serving meanwhile.").arg(name), theme::muted());
    updateButtons();
    runAsync(
        this,
        [engine, name = name.toStdString(), control] {
            TrainingDone out;
            Stopwatch watch;
            auto trained = engine->train(name, control);
            out.seconds = watch.elapsedSeconds();
            if (!trained) {
                out.error = trained.errorMessage();
                out.cancelled = trained.errorKind() == ErrorKind::Cancelled;
                return out;
            }
            out.name = trained->entry->name;
            out.version = trained->entry->version;
            out.interactions = trained->interactions;
            out.eventInteractions = trained->eventInteractions;
            out.published = trained->published;
            return out;
        },
        [this, name](TrainingDone outcome) {
            const bool cancelled = m_trainTask->cancelRequested();
            m_trainTask->end();
            ++m_trainings;
            if (!outcome.error.empty()) {
                if (cancelled || outcome.cancelled) {
                    showProgress(m_trainProgress, 0.0, tr("cancelled"));
                    setStatus(m_trainStatus, tr("Training of %1 cancelled; nothing changed.").arg(name),
                              theme::warning());
                } else {
                    m_lastError = q(outcome.error);
                    setStatus(m_trainStatus, tr("Training of %1 failed: %2").arg(name, m_lastError), theme::bad());
                }
                updateButtons();
                return;
            }
            showProgress(m_trainProgress, 1.0, tr("done"));
            setStatus(
                m_trainStatus,
                (outcome.published
                     ? tr("Trained %1 v%2 in %3 on %L4 interactions (%L5 from the fleet's events) and published "
                          "it: every instance on this Redis serves it within seconds.")
                     : tr("Trained %1 v%2 in %3 on %L4 interactions (%L5 from recorded events); it serves from the "
                          "next request."))
                    .arg(q(outcome.name))
                    .arg(outcome.version)
                    .arg(format::milliseconds(outcome.seconds * 1000.0))
                    .arg(static_cast<qulonglong>(outcome.interactions))
                    .arg(static_cast<qulonglong>(outcome.eventInteractions)),
                theme::good());
            m_host.notifyModelsChanged();
            updateButtons();
            serving::Engine* current = m_host.engine();
            if (current && current->dataInfo().interactions <= kAutoEvaluateMaxInteractions && !evaluating()) {
                evaluate({q(outcome.name)});
            }
        });
    return true;
}

void ModelsPanel::cancelTraining() {
    if (!training()) return;
    m_trainTask->cancel();
    setStatus(m_trainStatus, tr("Cancelling…"), theme::warning());
    m_cancelTrain->setEnabled(false);
}

bool ModelsPanel::evaluate(const QStringList& names) {
    const auto engine = m_host.sharedEngine();
    if (evaluating()) return false;
    if (!engine) {
        setStatus(m_evaluateStatus, tr("The backend is not open yet."), theme::bad());
        return false;
    }
    std::vector<evaluation::ModelToEvaluate> specs;
    for (const auto& entry : engine->registry().entries()) {
        if (!entry->model) continue;
        if (!names.isEmpty() && !names.contains(q(entry->name))) continue;
        evaluation::ModelToEvaluate spec;
        spec.name = entry->name;
        spec.version = entry->version;
        spec.kind = std::string(entry->model->kind());
        spec.params = entry->model->params();
        specs.push_back(std::move(spec));
    }
    if (specs.empty()) {
        setStatus(m_evaluateStatus, tr("Nothing to evaluate: train a model first."), theme::warning());
        return false;
    }
    const ranking::RankingParams defaultRanking = engine->service().defaultRanking();
    const evaluation::EvaluationSettings settings = m_settings;
    const TaskControl control = m_evaluateTask->begin();
    showProgress(m_evaluateProgress, 0.0, tr("starting"));
    setStatus(m_evaluateStatus,
              tr("Evaluating %n model(s) in the background…", nullptr, static_cast<int>(specs.size())), theme::muted());
    updateButtons();
    runAsync(
        this,
        [engine, specs, defaultRanking, settings, control] {
            EvaluateOutcome out;
            const auto snapshot = engine->snapshot();
            if (!snapshot) {
                out.error = Error::invalid("no data is loaded");
                return out;
            }
            const std::string fingerprint = evaluation::dataFingerprint(*snapshot);
            for (const auto& spec : specs)
                out.keys[spec.name] = evaluation::evaluationKey(spec, fingerprint, settings, defaultRanking);
            auto run = evaluation::evaluateModels(*snapshot, specs, defaultRanking, settings, control);
            if (run) {
                out.run = std::move(*run);
            } else {
                out.error = run.error();
            }
            return out;
        },
        [this, engine](EvaluateOutcome outcome) {
            const bool cancelled = m_evaluateTask->cancelRequested();
            m_evaluateTask->end();
            ++m_evaluations;
            m_startupSettled = true;
            updateButtons();
            if (!outcome.run) {
                if (cancelled || outcome.error.kind == ErrorKind::Cancelled) {
                    showProgress(m_evaluateProgress, 0.0, tr("cancelled"));
                    setStatus(m_evaluateStatus, tr("Evaluation cancelled."), theme::warning());
                } else {
                    m_lastError = q(outcome.error.message);
                    setStatus(m_evaluateStatus, tr("Evaluation failed: %1").arg(m_lastError), theme::bad());
                }
                return;
            }
            evaluation::EvaluationRun& run = *outcome.run;
            QStringList notStored;
            serving::Engine* current = m_host.engine();
            for (auto& evaluation : run.models) {
                if (current) {
                    const auto stored = current->registry().setOfflineMetrics(
                        evaluation.name, evaluation.version, evaluation::registryMetrics(evaluation, run));
                    if (!stored) notStored << q(evaluation.name);
                }
                if (const auto key = outcome.keys.find(evaluation.name); key != outcome.keys.end()) {
                    evaluation::EvaluationRun description = run;
                    description.models.clear();
                    m_cache[key->second] = {evaluation, std::move(description), QDateTime::currentMSecsSinceEpoch()};
                }
                m_kept[evaluation.name] = std::move(evaluation);
            }
            if (engine == m_host.sharedEngine()) {
                m_cacheFile = cacheFileOf(*engine);
                saveCache();
            }
            const std::size_t count = run.models.size();
            run.models.clear();
            const double seconds = run.seconds;
            const std::size_t users = run.sampledUsers;
            m_lastRun = std::move(run);
            showProgress(m_evaluateProgress, 1.0, tr("done"));
            QString text = tr("Evaluated %n model(s) on %1 held-out users in %2.", nullptr, static_cast<int>(count))
                               .arg(format::count(static_cast<double>(users)))
                               .arg(format::milliseconds(seconds * 1000.0));
            if (!notStored.isEmpty()) {
                text += tr(" %1 was retrained meanwhile: evaluate again to store its metrics.")
                            .arg(notStored.join(QStringLiteral(", ")));
            }
            setStatus(m_evaluateStatus, text, notStored.isEmpty() ? theme::good() : theme::warning());
            refreshTable();
            updateChart();
        });
    return true;
}

void ModelsPanel::cancelEvaluation() {
    if (!evaluating()) return;
    m_evaluateTask->cancel();
    setStatus(m_evaluateStatus, tr("Cancelling…"), theme::warning());
    m_cancelEvaluate->setEnabled(false);
}

void ModelsPanel::updateChart() {
    serving::Engine* engine = m_host.engine();
    QStringList names;
    for (const auto& [name, evaluation] : m_kept) {
        if (!evaluation.curve.empty()) names << q(name);
    }
    const QString defaultName = engine ? q(engine->registry().defaultName()) : QString();
    const QString saved = QSettings().value(QStringLiteral("models/curveModel")).toString();
    m_chart->setModelNames(names, names.contains(saved) ? saved : defaultName);
    const auto it = m_kept.find(m_chart->currentModel().toStdString());
    if (it == m_kept.end() || it->second.curve.empty()) {
        m_chart->setEvaluation(nullptr, evaluating() ? tr("Evaluating… the curve appears when it finishes.")
                                                     : tr("Run an evaluation to see how accuracy changes as lists get "
                                                          "more diverse."));
        return;
    }
    const evaluation::ModelEvaluation& evaluation = it->second;
    QString note = tr("%1 v%2 on %3 held-out users")
                       .arg(q(evaluation.name))
                       .arg(evaluation.version)
                       .arg(m_lastRun ? m_lastRun->sampledUsers : 0);
    if (engine) {
        if (const auto entry = engine->registry().find(evaluation.name);
            entry && entry->version != evaluation.version) {
            note += tr(" — v%1 has been trained since: evaluate again to update").arg(entry->version);
        }
    }
    m_chart->setEvaluation(&evaluation, note + QLatin1Char('.'));
}

const evaluation::ModelEvaluation* ModelsPanel::evaluation(const QString& name) const {
    const auto it = m_kept.find(name.toStdString());
    return it == m_kept.end() ? nullptr : &it->second;
}

void ModelsPanel::askSetDefault() {
    const QString name = selectedName();
    if (name.isEmpty() || name == m_table->defaultName()) return;
    if (m_confirm) m_confirm->close();
    m_confirm =
        new QMessageBox(QMessageBox::Question, tr("Change the default model"),
                        tr("Make %1 the default model?").arg(name), QMessageBox::Yes | QMessageBox::Cancel, this);
    m_confirm->setObjectName(QStringLiteral("confirmDefault"));
    m_confirm->setInformativeText(tr("Every user outside an experiment is served by %1 from their next request. "
                                     "Running experiments keep their own models.")
                                      .arg(name));
    m_confirm->setDefaultButton(QMessageBox::Cancel);
    m_confirm->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_confirm, &QMessageBox::finished, this, [this, name](int result) {
        m_confirm = nullptr;
        if (result == QMessageBox::Yes) setDefaultModel(name);
    });
    m_confirm->open();
}

bool ModelsPanel::setDefaultModel(const QString& name) {
    serving::Engine* engine = m_host.engine();
    if (!engine) return false;
    const auto status = engine->setDefaultModel(name.toStdString());
    if (!status) {
        m_lastError = q(status.errorMessage());
        m_defaultNote->setText(
            QStringLiteral("<span style=\"color:%1\">%2</span>")
                .arg(theme::css(theme::bad()), tr("Default not changed: %1").arg(m_lastError).toHtmlEscaped()));
        return false;
    }
    m_host.notifyModelsChanged();
    return true;
}

}  // namespace recdeck::ui

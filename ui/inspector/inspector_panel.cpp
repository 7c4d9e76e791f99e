#include "recdeck/ui/inspector/inspector_panel.h"

#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

#include "recdeck/common/stopwatch.h"
#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/adaptive_splitter.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/panel_heading.h"
#include "recdeck/ui/common/responsive_grid.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/inspector/activity_card.h"
#include "recdeck/ui/inspector/features_card.h"
#include "recdeck/ui/inspector/history_table_model.h"
#include "recdeck/ui/inspector/id_completion_model.h"
#include "recdeck/ui/inspector/model_comparison_view.h"
#include "recdeck/ui/inspector/recommendations_card.h"

namespace recdeck::ui {

namespace {

struct LoadedData {
    std::shared_ptr<const data::Dataset> dataset;
    std::vector<data::Index> users;
    std::vector<data::Index> items;
    std::string firstView;  // see serving::firstViewUser()
    std::size_t firstViewInteractions = 0;
};

struct RecordedEvent {
    std::string error;
    std::int64_t eventId = 0;
    double seconds = 0.0;
    serving::UserInspection inspection;
};

QString servedFrom(cache::Tier tier) {
    switch (tier) {
        case cache::Tier::L1:
            return QObject::tr("an L1 cache hit");
        case cache::Tier::L2:
            return QObject::tr("an L2 cache hit");
        case cache::Tier::Compute:
            return QObject::tr("computed afresh");
    }
    return {};
}

QString q(const std::string& text) {
    return QString::fromStdString(text);
}

// The user the operator last chose (not the automatic first view). A new key: the old one
// also stored the automatic pick, which then stuck as "inspected last time".
const QString kSettingsUser = QStringLiteral("inspector/lastUser");
const QString kSettingsSplitter = QStringLiteral("inspector/splitter");
const QString kSettingsTab = QStringLiteral("inspector/tab");
const QString kSettingsCompareA = QStringLiteral("inspector/compareA");
const QString kSettingsCompareB = QStringLiteral("inspector/compareB");

}  // namespace

InspectorPanel::InspectorPanel(EngineHost& host, QWidget* parent)
    : QWidget(parent),
      m_host(host),
      m_history(new HistoryTableModel(this)),
      m_users(new IdCompletionModel(IdCompletionModel::Kind::Users, this)),
      m_items(new IdCompletionModel(IdCompletionModel::Kind::Items, this)),
      m_clock(new QTimer(this)) {
    auto* heading = panelHeading(tr("User inspector"), this);
    auto* subheading = panelSubheading(tr("One user's recommendations end to end: their features and history, the list "
                                          "served and why, and what changes when they act."),
                                       this);

    // --- the user bar ---
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("userSearch"));
    m_search->setPlaceholderText(tr("User id (type to complete)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(170);
    m_search->setToolTip(tr("Any user id. Users the models never saw get a cold-start list."));
    auto* completer = new QCompleter(m_users, this);
    completer->setModelSorting(QCompleter::CaseSensitivelySortedModel);
    completer->setCaseSensitivity(Qt::CaseSensitive);
    completer->setMaxVisibleItems(12);
    m_search->setCompleter(completer);
    connect(completer, QOverload<const QString&>::of(&QCompleter::activated), this,
            [this](const QString& text) { inspect(text); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { inspect(m_search->text()); });

    m_inspectButton = new QPushButton(tr("Inspect"), this);
    m_inspectButton->setObjectName(QStringLiteral("primary"));
    m_inspectButton->setAccessibleName(QStringLiteral("inspectButton"));
    connect(m_inspectButton, &QPushButton::clicked, this, [this] { inspect(m_search->text()); });

    m_servingModel = new QComboBox(this);
    m_servingModel->setObjectName(QStringLiteral("servingModel"));
    m_servingModel->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_servingModel->setMinimumContentsLength(16);
    m_servingModel->setToolTip(
        tr("Which model serves the inspected list: as live traffic would get it (the user's "
           "experiment variant, else the default model), or one model forced"));
    m_servingModel->addItem(tr("As served (experiment or default)"), QString());
    connect(m_servingModel, &QComboBox::activated, this, [this] {
        if (!m_userId.isEmpty()) inspect(m_userId);
    });

    m_refreshButton = new QPushButton(tr("Refresh"), this);
    m_refreshButton->setObjectName(QStringLiteral("refreshButton"));
    m_refreshButton->setToolTip(tr("Ask again: a cached list is answered from the cache"));
    connect(m_refreshButton, &QPushButton::clicked, this, [this] { inspect(m_userId); });
    m_recomputeButton = new QPushButton(tr("Recompute"), this);
    m_recomputeButton->setObjectName(QStringLiteral("recomputeButton"));
    m_recomputeButton->setToolTip(tr("Compute the list afresh, bypassing the cache (the new list is then cached)"));
    connect(m_recomputeButton, &QPushButton::clicked, this, [this] { inspect(m_userId, true); });

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("inspectorStatus"));
    m_status->setWordWrap(true);

    // Who to inspect, and how they are served: one row on a wide screen, two in a narrow one.
    auto* who = new QWidget(this);
    auto* whoLayout = new QHBoxLayout(who);
    whoLayout->setContentsMargins(0, 0, 0, 0);
    whoLayout->setSpacing(8);
    whoLayout->addWidget(new QLabel(tr("User"), who));
    whoLayout->addWidget(m_search, 1);
    whoLayout->addWidget(m_inspectButton);
    auto* how = new QWidget(this);
    auto* howLayout = new QHBoxLayout(how);
    howLayout->setContentsMargins(0, 0, 0, 0);
    howLayout->setSpacing(8);
    howLayout->addWidget(new QLabel(tr("Served by"), how));
    howLayout->addWidget(m_servingModel, 1);
    howLayout->addWidget(m_refreshButton);
    howLayout->addWidget(m_recomputeButton);
    auto* bar = new ResponsiveGrid(300, 2, this);
    bar->setObjectName(QStringLiteral("inspectorBar"));
    bar->setSpacing(16);
    bar->addWidget(who);
    bar->addWidget(how);

    // --- left: features and acting as the user ---
    m_features = new FeaturesCard(this);
    m_features->setObjectName(QStringLiteral("featuresCard"));
    m_activity = new ActivityCard(this);
    m_activity->setObjectName(QStringLiteral("activityCard"));
    m_activity->setCatalogModel(m_items);
    connect(m_activity, &ActivityCard::recordRequested, this,
            [this](store::EventType type, const QString& itemId) { record(type, itemId); });
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(12);
    leftLayout->addWidget(m_features);
    leftLayout->addWidget(m_activity, 1);

    // --- right: the list, then comparison and history ---
    m_recommendations = new RecommendationsCard(this);
    m_recommendations->setObjectName(QStringLiteral("recommendationsCard"));
    connect(m_recommendations, &RecommendationsCard::itemChosen, this, [this](const QString& itemId) {
        const auto index = m_dataset ? m_dataset->catalog.items().find(itemId.toStdString()) : std::nullopt;
        m_activity->setItem(index ? m_items->itemText(*index) : itemId);
    });

    m_comparison = new ModelComparisonView(this);
    m_comparison->setObjectName(QStringLiteral("modelComparison"));
    connect(m_comparison, &ModelComparisonView::modelsChosen, this, [this] {
        QSettings settings;
        settings.setValue(kSettingsCompareA, m_comparison->modelA());
        settings.setValue(kSettingsCompareB, m_comparison->modelB());
        compare();
    });

    auto* historyPage = new QWidget(this);
    m_historySummary = new QLabel(historyPage);
    m_historySummary->setObjectName(QStringLiteral("muted"));
    m_historyTable = new QTableView(historyPage);
    m_historyTable->setObjectName(QStringLiteral("historyTable"));
    m_historyTable->setModel(m_history);
    m_historyTable->verticalHeader()->hide();
    m_historyTable->verticalHeader()->setDefaultSectionSize(23);
    m_historyTable->setShowGrid(false);
    m_historyTable->setWordWrap(false);
    m_historyTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_historyTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_historyTable->horizontalHeader()->setSectionResizeMode(HistoryTableModel::ItemColumn, QHeaderView::Stretch);
    m_historyTable->setColumnWidth(HistoryTableModel::TimeColumn, 150);
    m_historyTable->setColumnWidth(HistoryTableModel::TypeColumn, 96);
    m_historyTable->setColumnWidth(HistoryTableModel::CategoriesColumn, 200);
    auto* historyLayout = new QVBoxLayout(historyPage);
    historyLayout->setContentsMargins(10, 8, 10, 10);
    historyLayout->setSpacing(6);
    historyLayout->addWidget(m_historySummary);
    historyLayout->addWidget(m_historyTable, 1);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("inspectorTabs"));
    m_tabs->addTab(m_comparison, tr("Compare two models"));
    m_tabs->addTab(historyPage, tr("History"));
    m_tabs->setCurrentIndex(QSettings().value(kSettingsTab, 0).toInt());
    connect(m_tabs, &QTabWidget::currentChanged, this, [](int index) { QSettings().setValue(kSettingsTab, index); });

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(12);
    rightLayout->addWidget(m_recommendations, 11);
    rightLayout->addWidget(m_tabs, 9);

    // Side by side when both halves fit, stacked in a narrow window.
    m_splitter = new AdaptiveSplitter(this);
    m_splitter->setObjectName(QStringLiteral("inspectorSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setHandleWidth(12);
    m_splitter->addWidget(left);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({370, 850});
    m_splitter->restoreState(QSettings().value(kSettingsSplitter).toByteArray());

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(12);
    auto* titles = new QVBoxLayout();
    titles->setSpacing(2);
    titles->addWidget(heading);
    titles->addWidget(subheading);
    layout->addLayout(titles);
    layout->addWidget(bar);
    layout->addWidget(m_status);
    layout->addWidget(m_splitter, 1);

    m_comparison->clear(tr("Pick a user to compare two models on them."));
    m_historySummary->setText(tr("Pick a user to see their history."));

    connect(&m_host, &EngineHost::opened, this, &InspectorPanel::onEngineOpened);
    connect(&m_host, &EngineHost::dataChanged, this, &InspectorPanel::loadData);
    connect(&m_host, &EngineHost::modelsChanged, this, [this] {
        fillModelChoosers();
        if (!m_userId.isEmpty()) inspect(m_userId);
    });
    connect(&m_host, &EngineHost::cacheInvalidated, this, &InspectorPanel::onInvalidated);
    connect(m_clock, &QTimer::timeout, this, &InspectorPanel::tick);
    m_clock->start(1000);
    if (m_host.isOpen()) QTimer::singleShot(0, this, &InspectorPanel::onEngineOpened);
}

InspectorPanel::~InspectorPanel() {
    QSettings().setValue(kSettingsSplitter, m_splitter->saveState());
}

void InspectorPanel::onEngineOpened() {
    m_userId.clear();
    loadData();
}

void InspectorPanel::beginWork() {
    ++m_pending;
    if (m_status->property("error").toBool()) return;
    m_status->setText(tr("Working…"));
    m_status->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::muted())));
}

void InspectorPanel::endWork() {
    m_pending = std::max(0, m_pending - 1);
    if (m_pending == 0 && !m_status->property("error").toBool()) m_status->clear();
}

void InspectorPanel::setError(const QString& message) {
    m_status->setProperty("error", !message.isEmpty());
    m_status->setText(message);
    m_status->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::bad())));
}

void InspectorPanel::loadData() {
    const auto engine = m_host.sharedEngine();
    if (!engine) return;
    beginWork();
    runAsync(
        this,
        [engine] {
            LoadedData loaded;
            const auto snapshot = engine->snapshot();
            if (!snapshot || !snapshot->dataset) return loaded;
            loaded.dataset = snapshot->dataset;
            loaded.users = IdCompletionModel::sortedUsers(*snapshot->dataset);
            loaded.items = IdCompletionModel::allItems(*snapshot->dataset);
            loaded.firstView = serving::firstViewUser(*engine, *snapshot);
            if (const auto index = snapshot->dataset->users.find(loaded.firstView);
                index && snapshot->matrix && *index < snapshot->matrix->userCount()) {
                loaded.firstViewInteractions = snapshot->matrix->itemsOf(*index).size();
            }
            return loaded;
        },
        [this](LoadedData loaded) {
            endWork();
            if (!loaded.dataset) {
                setError(tr("No data is loaded: import a dataset in Connection & data."));
                return;
            }
            if (m_dataset && m_dataset != loaded.dataset) {
                // Another world: the inspected user and the item to act on belong to the old one.
                m_activity->setItem(QString());
                m_userId.clear();
                m_followed.reset();
                m_activity->log(ActivityCard::Entry::Info, tr("The data changed: inspecting a user of the new data"));
            }
            m_dataset = loaded.dataset;
            m_users->setDataset(loaded.dataset, std::move(loaded.users));
            m_items->setDataset(loaded.dataset, std::move(loaded.items));
            fillModelChoosers();
            // The user inspected last time, if this data knows them; else the most active one.
            const QString saved = QSettings().value(kSettingsUser).toString();
            if (!saved.isEmpty() && m_dataset->users.contains(saved.toStdString())) {
                m_activity->log(ActivityCard::Entry::Info, tr("Inspecting %1 (inspected last time)").arg(saved));
                inspect(saved);
            } else if (!loaded.firstView.empty()) {
                m_activity->log(ActivityCard::Entry::Info,
                                tr("Inspecting %1, the most active user served a personalised "
                                   "list (%2 items)")
                                    .arg(q(loaded.firstView))
                                    .arg(loaded.firstViewInteractions));
                m_pickingFirstView = true;  // not the operator's choice: not remembered
                inspect(q(loaded.firstView));
                m_pickingFirstView = false;
            }
        });
}

void InspectorPanel::fillModelChoosers() {
    serving::Engine* engine = m_host.engine();
    if (!engine) return;
    QStringList names;
    for (const auto& entry : engine->registry().entries()) names << q(entry->name);
    const QString defaultName = q(engine->registry().defaultName());

    const QString current = m_servingModel->currentData().toString();
    while (m_servingModel->count() > 1) m_servingModel->removeItem(1);
    for (const QString& name : names) {
        m_servingModel->addItem(name == defaultName ? tr("%1 (default)").arg(name) : name, name);
    }
    const int keep = m_servingModel->findData(current);
    m_servingModel->setCurrentIndex(keep >= 0 ? keep : 0);

    QString otherThanDefault;
    if (names.contains(QStringLiteral("popularity")) && defaultName != QStringLiteral("popularity")) {
        otherThanDefault = QStringLiteral("popularity");
    } else {
        for (const QString& name : names) {
            if (name != defaultName) {
                otherThanDefault = name;
                break;
            }
        }
    }
    QSettings settings;
    const QString savedA = settings.value(kSettingsCompareA).toString();
    const QString savedB = settings.value(kSettingsCompareB).toString();
    m_comparison->setModelNames(names, names.contains(savedA) ? savedA : defaultName,
                                names.contains(savedB) ? savedB : otherThanDefault);
}

QString InspectorPanel::servingModel() const {
    return m_servingModel->currentData().toString();
}

QString InspectorPanel::titleOf(const QString& itemId) const {
    if (!m_dataset) return itemId;
    const auto index = m_dataset->catalog.items().find(itemId.toStdString());
    return index ? QString::fromUtf8(m_dataset->catalog.displayName(*index).data(),
                                     static_cast<qsizetype>(m_dataset->catalog.displayName(*index).size()))
                 : itemId;
}

void InspectorPanel::inspect(const QString& userId, bool bypassCache) {
    const QString user = userId.trimmed().isEmpty() ? m_userId : userId.trimmed();
    if (user.isEmpty()) {
        setError(tr("Type a user id (completion lists the known ones), then press Inspect."));
        return;
    }
    const auto engine = m_host.sharedEngine();
    if (!engine) {
        setError(tr("The backend is not open yet; wait for it to start."));
        return;
    }
    setError({});
    if (user != m_userId && m_dataset && !m_dataset->users.contains(user.toStdString())) {
        m_activity->log(ActivityCard::Entry::Info,
                        tr("%1 is not in the training data: served as a new user").arg(user));
    }
    // Remember a user the operator picked, once (refreshes of the same user do not count).
    if (user != m_userId && !m_pickingFirstView) QSettings().setValue(kSettingsUser, user);
    if (user != m_userId) {
        m_followed.reset();
        // An item picked for the previous user is not this user's: pick again.
        if (!m_userId.isEmpty()) m_activity->setItem(QString());
    }
    m_userId = user;
    if (m_search->text() != user) m_search->setText(user);

    serving::InspectionRequest request;
    request.userId = user.toStdString();
    request.model = servingModel().toStdString();
    request.bypassCache = bypassCache;
    const quint64 generation = ++m_generation;
    beginWork();
    runAsync(
        this, [engine, request] { return serving::inspectUser(*engine, request); },
        [this, generation](serving::UserInspection inspection) {
            endWork();
            if (generation != m_generation) return;  // a newer request for this panel is on its way
            apply(std::move(inspection), false);
        });
    compare();
}

void InspectorPanel::record(store::EventType type, const QString& itemId) {
    const auto engine = m_host.sharedEngine();
    if (!engine || m_userId.isEmpty()) {
        setError(tr("Inspect a user first."));
        return;
    }
    if (m_dataset && !m_dataset->catalog.items().contains(itemId.toStdString())) {
        m_activity->log(ActivityCard::Entry::Error,
                        tr("Unknown item “%1”: pick one from the list or the completion").arg(itemId));
        return;
    }
    setError({});
    const QString typeName = q(std::string(store::eventTypeName(type)));
    Followed followed;
    followed.itemId = itemId;
    followed.type = typeName;
    if (const auto& answer = m_recommendations->answer()) {
        const auto& items = answer->items();
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (q(items[i].itemId) == itemId) followed.previousRank = i;
        }
    }
    if (m_last) followed.previousPurchases = m_last->features.purchases;
    m_followed = followed;
    m_activity->log(ActivityCard::Entry::Event,
                    tr("Recording a %1 of “%2” by %3…").arg(typeName, titleOf(itemId), m_userId));

    serving::InspectionRequest request;
    request.userId = m_userId.toStdString();
    request.model = servingModel().toStdString();
    const std::string item = itemId.toStdString();
    const quint64 generation = ++m_generation;
    m_activity->setBusy(true);
    beginWork();
    runAsync(
        this,
        [engine, request, item, type] {
            RecordedEvent out;
            Stopwatch watch;
            auto id = serving::recordEvent(*engine, request.userId, item, type);
            out.seconds = watch.elapsedSeconds();
            if (!id) {
                out.error = id.errorMessage();
                return out;
            }
            out.eventId = *id;
            out.inspection = serving::inspectUser(*engine, request);
            return out;
        },
        [this, generation](RecordedEvent recorded) {
            endWork();
            m_activity->setBusy(false);
            ++m_recorded;
            if (!recorded.error.empty()) {
                m_activity->log(ActivityCard::Entry::Error, tr("The event was refused: %1").arg(q(recorded.error)));
                m_followed.reset();
                return;
            }
            m_activity->log(ActivityCard::Entry::Event, tr("Event #%1 committed durably in %2")
                                                            .arg(recorded.eventId)
                                                            .arg(format::milliseconds(recorded.seconds * 1000.0)));
            if (generation == m_generation) apply(std::move(recorded.inspection), true);
            m_followed.reset();
            compare();
        });
}

void InspectorPanel::apply(serving::UserInspection inspection, bool afterEvent) {
    ++m_inspections;
    if (!inspection.error.empty()) {
        setError(tr("Could not read %1: %2").arg(q(inspection.userId), q(inspection.error)));
        m_features->clear(tr("No features: %1").arg(q(inspection.error)));
        m_recommendations->setError(q(inspection.answer.error.empty() ? inspection.error : inspection.answer.error));
        m_activity->setEnabledForUser(false);
        return;
    }
    m_features->setFeatures(inspection.features, inspection.trainingRows, inspection.eventRows);
    m_history->setRows(inspection.history);
    m_historySummary->setText(tr("%1 logged events and %2 training interactions, newest first")
                                  .arg(format::count(static_cast<double>(inspection.eventRows)),
                                       format::count(static_cast<double>(inspection.trainingRows))));
    m_tabs->setTabText(1, tr("History (%1)").arg(format::count(static_cast<double>(inspection.history.size()))));
    m_activity->setEnabledForUser(true);

    const auto& answer = inspection.answer;
    if (!answer.recommendation) {
        m_recommendations->setError(q(answer.error));
        m_activity->log(ActivityCard::Entry::Error,
                        tr("No list for %1: %2").arg(q(inspection.userId), q(answer.error)));
        m_last = std::move(inspection);
        return;
    }
    const auto& r = *answer.recommendation;
    m_recommendations->setAnswer(r);
    const QString served = tr("%1 v%2").arg(q(r.model)).arg(r.modelVersion);
    const QString took = format::milliseconds(r.timings.totalUs / 1000.0);
    if (afterEvent && m_followed) {
        const Followed& f = *m_followed;
        const auto& features = inspection.features;
        if (features.purchases != f.previousPurchases) {
            m_activity->log(ActivityCard::Entry::Result,
                            tr("Features refreshed: purchases %1 → %2 (%3)")
                                .arg(f.previousPurchases)
                                .arg(features.purchases)
                                .arg(features.fromCache ? tr("read from the feature cache") : tr("computed now")));
        }
        bool stillListed = false;
        for (const auto& item : r.items()) stillListed = stillListed || q(item.itemId) == f.itemId;
        m_activity->log(ActivityCard::Entry::Result,
                        tr("New list from %1: %2 in %3").arg(served, servedFrom(r.tier), took));
        if (f.type == QStringLiteral("purchase")) {
            if (!stillListed && f.previousRank) {
                m_activity->log(
                    ActivityCard::Entry::Result,
                    tr("“%1” (was #%2) is no longer recommended").arg(titleOf(f.itemId)).arg(*f.previousRank + 1));
            } else if (!stillListed) {
                m_activity->log(ActivityCard::Entry::Result,
                                tr("“%1” will not be recommended to this user").arg(titleOf(f.itemId)));
            } else {
                m_activity->log(
                    ActivityCard::Entry::Error,
                    tr("“%1” is still in the list (answered from %2)").arg(titleOf(f.itemId), servedFrom(r.tier)));
            }
        }
    } else {
        QString who =
            r.experiment.empty() ? tr("default serving") : tr("variant %1 of %2").arg(q(r.variant), q(r.experiment));
        m_activity->log(ActivityCard::Entry::Result,
                        tr("%1: %2 (%3), %4 in %5").arg(q(inspection.userId), served, who, servedFrom(r.tier), took));
    }
    m_last = std::move(inspection);
}

void InspectorPanel::compare() {
    const auto engine = m_host.sharedEngine();
    const QString a = m_comparison->modelA();
    const QString b = m_comparison->modelB();
    if (!engine || m_userId.isEmpty() || a.isEmpty() || b.isEmpty()) return;
    const std::string user = m_userId.toStdString();
    const quint64 generation = ++m_compareGeneration;
    beginWork();
    runAsync(
        this,
        [engine, user, a = a.toStdString(), b = b.toStdString()] {
            return std::make_pair(serving::recommendFor(*engine, user, a), serving::recommendFor(*engine, user, b));
        },
        [this, generation](std::pair<serving::Answer, serving::Answer> answers) {
            endWork();
            if (generation != m_compareGeneration) return;
            ++m_comparisons;
            m_comparison->setAnswers(answers.first, answers.second);
        });
}

void InspectorPanel::onInvalidated(const QString& kind, const QString& id, bool remote) {
    if (m_userId.isEmpty()) return;
    const QString where = remote ? tr("by another instance") : tr("in this process");
    if (kind == QStringLiteral("user") && id == m_userId) {
        m_activity->log(ActivityCard::Entry::Invalidation,
                        tr("Cache: %1's cached lists and features invalidated %2").arg(id, where));
    } else if (kind == QStringLiteral("all")) {
        m_activity->log(ActivityCard::Entry::Invalidation, tr("Cache: every cached list invalidated %1").arg(where));
    } else if (kind == QStringLiteral("model") && m_recommendations->answer() &&
               q(m_recommendations->answer()->model) == id) {
        m_activity->log(ActivityCard::Entry::Invalidation,
                        tr("Cache: lists of model %1 invalidated %2").arg(id, where));
    } else if (kind == QStringLiteral("item") && m_recommendations->answer()) {
        for (const auto& item : m_recommendations->answer()->items()) {
            if (q(item.itemId) == id) {
                m_activity->log(ActivityCard::Entry::Invalidation,
                                tr("Cache: lists holding “%1” invalidated %2").arg(titleOf(id), where));
                break;
            }
        }
    }
}

void InspectorPanel::tick() {
    if (!isVisible()) return;
    m_features->refreshAges();
    m_recommendations->refreshAges();
}

}  // namespace recdeck::ui

#include "recdeck/ui/cache/invalidation_form.h"

#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStringListModel>
#include <QVBoxLayout>

#include <algorithm>
#include <optional>

#include "recdeck/ui/adapters/engine_host.h"
#include "recdeck/ui/common/async.h"
#include "recdeck/ui/common/format.h"
#include "recdeck/ui/common/theme.h"

namespace recdeck::ui {

namespace {

using cache::InvalidationKind;

const QString kSeparator = QStringLiteral(" — ");

struct Outcome {
    bool ok = true;
    QString error;
    std::optional<cache::InvalidationRecord> record;
};

struct Completions {
    QStringList users;
    QStringList items;
};

QString kindTitle(InvalidationKind kind) {
    switch (kind) {
        case InvalidationKind::User:
            return QObject::tr("User");
        case InvalidationKind::Item:
            return QObject::tr("Item");
        case InvalidationKind::Model:
            return QObject::tr("Model");
        case InvalidationKind::All:
            return QObject::tr("Everything");
    }
    return {};
}

}  // namespace

InvalidationForm::InvalidationForm(EngineHost& host, QWidget* parent)
    : QFrame(parent),
      m_host(host),
      m_user(new QLineEdit(this)),
      m_item(new QLineEdit(this)),
      m_model(new QComboBox(this)),
      m_userButton(new QPushButton(tr("Invalidate…"), this)),
      m_itemButton(new QPushButton(tr("Invalidate…"), this)),
      m_modelButton(new QPushButton(tr("Invalidate…"), this)),
      m_allButton(new QPushButton(tr("Invalidate…"), this)),
      m_result(new QLabel(this)),
      m_userCompleter(new QCompleter(this)),
      m_itemCompleter(new QCompleter(this)) {
    setObjectName(QStringLiteral("card"));
    auto* heading = new QLabel(tr("Invalidate"), this);
    heading->setObjectName(QStringLiteral("sectionHeading"));
    auto* intro = new QLabel(tr("Drop cached lists so the next requests are computed afresh — here and on every "
                                "instance sharing the store."),
                             this);
    intro->setObjectName(QStringLiteral("muted"));
    intro->setWordWrap(true);

    m_user->setObjectName(QStringLiteral("invalidateUserEdit"));
    m_user->setPlaceholderText(tr("User id"));
    m_user->setClearButtonEnabled(true);
    m_user->setToolTip(tr("The user whose cached lists to drop (all list lengths, models and variants)"));
    m_userCompleter->setCaseSensitivity(Qt::CaseInsensitive);
    m_userCompleter->setMaxVisibleItems(12);
    m_userCompleter->setModel(new QStringListModel(m_userCompleter));
    m_user->setCompleter(m_userCompleter);

    m_item->setObjectName(QStringLiteral("invalidateItemEdit"));
    m_item->setPlaceholderText(tr("Item id or title"));
    m_item->setClearButtonEnabled(true);
    m_item->setToolTip(tr("Every cached list that contains this item is dropped (type part of a title to find it)"));
    m_itemCompleter->setCaseSensitivity(Qt::CaseInsensitive);
    m_itemCompleter->setFilterMode(Qt::MatchContains);
    m_itemCompleter->setMaxVisibleItems(12);
    m_itemCompleter->setModel(new QStringListModel(m_itemCompleter));
    m_item->setCompleter(m_itemCompleter);

    m_model->setObjectName(QStringLiteral("invalidateModelCombo"));
    m_model->setToolTip(tr("Every cached list computed with this model is dropped"));
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumWidth(120);  // the column stretches; model names are short

    m_userButton->setProperty("action", QStringLiteral("invalidateUser"));
    m_itemButton->setProperty("action", QStringLiteral("invalidateItem"));
    m_modelButton->setProperty("action", QStringLiteral("invalidateModel"));
    m_allButton->setProperty("action", QStringLiteral("invalidateAll"));
    // One short label per row (the row says what): keeps the card narrow enough to share
    // the window with the settings and warm-up cards.
    m_userButton->setToolTip(tr("Drop every cached list of this user (asks first)"));
    m_itemButton->setToolTip(tr("Drop every cached list that contains this item (asks first)"));
    m_modelButton->setToolTip(tr("Drop every cached list computed with this model (asks first)"));
    m_allButton->setObjectName(QStringLiteral("danger"));
    m_allButton->setToolTip(tr("Drop every cached list; every user's next request is computed afresh (asks first)"));
    m_result->setObjectName(QStringLiteral("invalidationResult"));
    m_result->setWordWrap(true);
    m_result->setTextFormat(Qt::PlainText);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    connect(m_userButton, &QPushButton::clicked, this,
            [this] { ask(InvalidationKind::User, m_user->text().trimmed()); });
    connect(m_itemButton, &QPushButton::clicked, this, [this] { ask(InvalidationKind::Item, itemIdFromText()); });
    connect(m_modelButton, &QPushButton::clicked, this,
            [this] { ask(InvalidationKind::Model, m_model->currentData().toString()); });
    connect(m_allButton, &QPushButton::clicked, this, [this] { ask(InvalidationKind::All, {}); });
    connect(m_user, &QLineEdit::returnPressed, m_userButton, &QPushButton::click);
    connect(m_item, &QLineEdit::returnPressed, m_itemButton, &QPushButton::click);
    connect(m_user, &QLineEdit::textChanged, this, &InvalidationForm::updateButtons);
    connect(m_item, &QLineEdit::textChanged, this, &InvalidationForm::updateButtons);

    auto* everything = new QLabel(tr("All cached lists"), this);
    everything->setObjectName(QStringLiteral("muted"));
    auto* grid = new QGridLayout();
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(6);
    grid->addWidget(new QLabel(tr("User"), this), 0, 0);
    grid->addWidget(m_user, 0, 1);
    grid->addWidget(m_userButton, 0, 2);
    grid->addWidget(new QLabel(tr("Item"), this), 1, 0);
    grid->addWidget(m_item, 1, 1);
    grid->addWidget(m_itemButton, 1, 2);
    grid->addWidget(new QLabel(tr("Model"), this), 2, 0);
    grid->addWidget(m_model, 2, 1);
    grid->addWidget(m_modelButton, 2, 2);
    grid->addWidget(new QLabel(tr("Everything"), this), 3, 0);
    grid->addWidget(everything, 3, 1);
    grid->addWidget(m_allButton, 3, 2);
    grid->setColumnStretch(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(8);
    layout->addWidget(heading);
    layout->addWidget(intro);
    layout->addLayout(grid);
    layout->addWidget(m_result);
    layout->addStretch(1);

    connect(&m_host, &EngineHost::opened, this, &InvalidationForm::reload);
    connect(&m_host, &EngineHost::dataChanged, this, &InvalidationForm::reload);
    connect(&m_host, &EngineHost::modelsChanged, this, &InvalidationForm::reload);
    reload();
}

void InvalidationForm::reload() {
    auto engine = m_host.sharedEngine();
    updateButtons();
    if (!engine) return;
    // Registry entries are already in memory: cheap enough for the GUI thread.
    const QString current = m_model->currentData().toString();
    m_model->clear();
    for (const auto& entry : engine->registry().entries()) {
        const QString name = QString::fromStdString(entry->name);
        m_model->addItem(tr("%1 (v%2)").arg(name).arg(entry->version), name);
    }
    if (const auto def = engine->registry().defaultEntry()) {
        const int index = m_model->findData(current.isEmpty() ? QString::fromStdString(def->name) : current);
        if (index >= 0) m_model->setCurrentIndex(index);
    }
    // The id lists can be long (every user and item): build them on a worker.
    runAsync(
        this,
        [engine]() {
            Completions lists;
            const auto snapshot = engine->snapshot();
            if (!snapshot || !snapshot->dataset) return lists;
            const data::Dataset& dataset = *snapshot->dataset;
            lists.users.reserve(static_cast<qsizetype>(dataset.users.size()));
            for (const std::string& id : dataset.users.ids()) lists.users.append(QString::fromStdString(id));
            std::sort(lists.users.begin(), lists.users.end());
            const auto& items = dataset.catalog.items();
            lists.items.reserve(static_cast<qsizetype>(items.size()));
            for (data::Index i = 0; i < items.size(); ++i) {
                const QString id = QString::fromStdString(items.id(i));
                const std::string_view name = dataset.catalog.displayName(i);
                const QString title = QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
                lists.items.append(title == id ? id : id + kSeparator + title);
            }
            return lists;
        },
        [this](Completions lists) {
            m_knownUsers = lists.users;
            static_cast<QStringListModel*>(m_userCompleter->model())->setStringList(lists.users);
            static_cast<QStringListModel*>(m_itemCompleter->model())->setStringList(lists.items);
        });
}

QString InvalidationForm::itemIdFromText() const {
    return m_item->text().section(kSeparator, 0, 0).trimmed();
}

void InvalidationForm::updateButtons() {
    const bool open = m_host.isOpen() && !m_running;
    m_userButton->setEnabled(open && !m_user->text().trimmed().isEmpty());
    m_itemButton->setEnabled(open && !itemIdFromText().isEmpty());
    m_modelButton->setEnabled(open && m_model->count() > 0);
    m_allButton->setEnabled(open);
}

void InvalidationForm::ask(InvalidationKind kind, const QString& id) {
    if (!m_host.isOpen() || m_running) return;
    if (kind != InvalidationKind::All && id.isEmpty()) {
        showResult(tr("Enter a %1 first.").arg(kindTitle(kind).toLower()), theme::css(theme::bad()));
        return;
    }
    QString title;
    QString text;
    QString details;
    switch (kind) {
        case InvalidationKind::User:
            title = tr("Invalidate user %1?").arg(id);
            text = tr("Drop every cached recommendation list of user “%1”?").arg(id);
            details =
                tr("Their next request is computed afresh and their features are refreshed. Instances "
                   "sharing the store drop their copies too.");
            if (!std::binary_search(m_knownUsers.begin(), m_knownUsers.end(), id)) {
                details += tr("\n\n“%1” is not a user of the current data: only lists cached for that exact id "
                              "are affected.")
                               .arg(id);
            }
            break;
        case InvalidationKind::Item:
            title = tr("Invalidate item %1?").arg(id);
            text = tr("Drop every cached list that contains item “%1”?").arg(m_item->text().trimmed());
            details =
                tr("Users who were shown it get a freshly computed list on their next request. Instances "
                   "sharing the store drop their copies too.");
            break;
        case InvalidationKind::Model:
            title = tr("Invalidate model %1?").arg(id);
            text = tr("Drop every cached list computed with model “%1”?").arg(id);
            details =
                tr("Every request it serves is computed afresh until the cache fills again: expect more "
                   "load and higher latency for a while.");
            break;
        case InvalidationKind::All:
            title = tr("Invalidate everything?");
            text = tr("Drop every cached recommendation list?");
            details =
                tr("Every user's next request is computed afresh, here and on every instance sharing the "
                   "store: expect a burst of computation and higher latency until the cache fills again.");
            break;
    }
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("invalidationConfirmation"));
    box->setInformativeText(details);
    QPushButton* confirm = box->addButton(tr("Invalidate"), QMessageBox::AcceptRole);
    confirm->setObjectName(QStringLiteral("danger"));
    confirm->setProperty("action", QStringLiteral("confirmInvalidation"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, confirm, kind, id] {
        if (box->clickedButton() == confirm) run(kind, id);
    });
    box->open();
}

void InvalidationForm::run(InvalidationKind kind, const QString& id) {
    auto engine = m_host.sharedEngine();
    if (!engine) return;
    m_running = true;
    updateButtons();
    showResult(tr("Invalidating…"), theme::css(theme::muted()));
    const std::string target = id.toStdString();
    runAsync(
        this,
        [engine, kind, target]() {
            Outcome outcome;
            const Status status = engine->invalidate(kind, target);
            if (!status) {
                outcome.ok = false;
                outcome.error = QString::fromStdString(status.errorMessage());
            }
            const auto log = engine->cache().invalidationLog();
            for (auto it = log.rbegin(); it != log.rend(); ++it) {
                if (!it->remote && it->kind == kind && it->id == target) {
                    outcome.record = *it;
                    break;
                }
            }
            return outcome;
        },
        [this, kind, id](Outcome outcome) {
            m_running = false;
            updateButtons();
            const QString what =
                kind == InvalidationKind::All ? tr("Everything") : tr("%1 “%2”").arg(kindTitle(kind), id);
            const QString at = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
            const QString dropped = outcome.record ? tr("%n cached list(s) dropped from this process", nullptr,
                                                        static_cast<int>(outcome.record->l1Dropped))
                                                   : tr("applied");
            QString problem = outcome.error;
            if (problem.isEmpty() && outcome.record && !outcome.record->error.empty()) {
                problem = QString::fromStdString(outcome.record->error);
            }
            if (problem.isEmpty()) {
                showResult(tr("✓ %1 invalidated at %2: %3; the shared store and other instances were told.")
                               .arg(what, at, dropped),
                           theme::css(theme::good()));
            } else {
                showResult(tr("⚠ %1 invalidated here at %2 (%3), but the shared tier could not be reached: %4. "
                              "Other instances may serve their copies until their entries expire.")
                               .arg(what, at, dropped, problem),
                           theme::css(theme::warning()));
            }
            if (outcome.record) emit applied(*outcome.record);
        });
}

void InvalidationForm::showResult(const QString& text, const QString& colour) {
    m_result->setText(text);
    m_result->setStyleSheet(QStringLiteral("color:%1;").arg(colour));
}

}  // namespace recdeck::ui

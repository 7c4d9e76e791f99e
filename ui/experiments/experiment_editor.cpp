#include "recdeck/ui/experiments/experiment_editor.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QTableView>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/experiments/button_style.h"
#include "recdeck/ui/experiments/panel_text.h"
#include "recdeck/ui/experiments/variant_table_model.h"

namespace recdeck::ui {

using experiments::AllocationMode;
using experiments::Experiment;
using experiments::ExperimentState;
using experiments::Metric;

namespace {

constexpr Metric kMetrics[] = {Metric::ClickRate, Metric::ConversionRate, Metric::Ctr};

QString metricText(Metric metric) {
    switch (metric) {
        case Metric::ClickRate:
            return ExperimentEditor::tr("Click rate (users who click)");
        case Metric::ConversionRate:
            return ExperimentEditor::tr("Conversion rate (users who add to cart or buy)");
        case Metric::Ctr:
            return ExperimentEditor::tr("CTR (clicks per item shown)");
    }
    return {};
}

QDoubleSpinBox* spin(QWidget* parent, const QString& name, double min, double max, int decimals, double step,
                     const QString& suffix) {
    auto* s = new QDoubleSpinBox(parent);
    s->setObjectName(name);
    s->setRange(min, max);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setSuffix(suffix);
    s->setMinimumWidth(130);
    return s;
}

QFrame* card(QWidget* parent, const QString& title, QLayout* body) {
    auto* frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("card"));
    auto* heading = new QLabel(title, frame);
    heading->setObjectName(QStringLiteral("sectionHeading"));
    auto* layout = new QVBoxLayout(frame);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(10);
    layout->addWidget(heading);
    layout->addLayout(body);
    return frame;
}

void setIfDifferent(QDoubleSpinBox* box, double value) {
    if (std::abs(box->value() - value) > 1e-9) box->setValue(value);
}

std::string uniqueVariantName(const Experiment& e) {
    for (int i = static_cast<int>(e.variants.size());; ++i) {
        const std::string name = "treatment-" + std::to_string(i);
        bool taken = false;
        for (const auto& v : e.variants) taken = taken || v.name == name;
        if (!taken) return name;
    }
}

}  // namespace

Experiment definitionOf(const Experiment& e) {
    Experiment d;
    d.key = e.key;
    d.description = e.description;
    d.salt = e.salt;
    d.variants = e.variants;
    d.coverage = e.coverage;
    d.layer = e.layer;
    d.allocation = e.allocation;
    d.primaryMetric = e.primaryMetric;
    d.guardrails = e.guardrails;
    d.plan = e.plan;
    return d;
}

// The undo stack is a child: QObject's destructor deletes it after this class is gone, and
// clearing it emits signals whose handlers use this editor. Cut them first.
ExperimentEditor::~ExperimentEditor() {
    m_undo->disconnect();
}

ExperimentEditor::ExperimentEditor(QWidget* parent) : QWidget(parent), m_undo(new QUndoStack(this)) {
    setObjectName(QStringLiteral("experimentEditor"));

    // --- actions bar ---
    m_undoButton = new QPushButton(tr("Undo"), this);
    m_undoButton->setObjectName(QStringLiteral("undoButton"));
    m_redoButton = new QPushButton(tr("Redo"), this);
    m_redoButton->setObjectName(QStringLiteral("redoButton"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("editorStatus"));
    m_discardButton = new QPushButton(tr("Discard changes"), this);
    m_discardButton->setObjectName(QStringLiteral("discardButton"));
    m_saveButton = new QPushButton(tr("Save"), this);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    stylePrimary(m_saveButton);
    m_saveButton->setToolTip(tr("Write this definition to the experiment registry (Ctrl+S)"));
    // An action, not the button's shortcut: QAbstractButton::setText() replaces a button's
    // shortcut with its text's mnemonic, and the button is renamed "Create draft" / "Save".
    auto* saveAction = new QAction(tr("Save"), this);
    saveAction->setShortcuts(QKeySequence::Save);
    saveAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(saveAction, &QAction::triggered, this, [this] {
        if (m_saveButton->isEnabled()) m_saveButton->click();
    });
    addAction(saveAction);

    auto* undoAction = new QAction(tr("Undo"), this);
    undoAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Z)});
    undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(undoAction, &QAction::triggered, m_undo, &QUndoStack::undo);
    addAction(undoAction);
    auto* redoAction = new QAction(tr("Redo"), this);
    redoAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(redoAction, &QAction::triggered, m_undo, &QUndoStack::redo);
    addAction(redoAction);

    connect(m_undoButton, &QPushButton::clicked, m_undo, &QUndoStack::undo);
    connect(m_redoButton, &QPushButton::clicked, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canUndoChanged, m_undoButton, &QPushButton::setEnabled);
    connect(m_undo, &QUndoStack::canRedoChanged, m_redoButton, &QPushButton::setEnabled);
    connect(m_undo, &QUndoStack::undoTextChanged, this, [this](const QString& text) {
        m_undoButton->setToolTip(text.isEmpty() ? tr("Nothing to undo") : tr("Undo: %1 (Ctrl+Z)").arg(text));
    });
    connect(m_undo, &QUndoStack::redoTextChanged, this, [this](const QString& text) {
        m_redoButton->setToolTip(text.isEmpty() ? tr("Nothing to redo") : tr("Redo: %1 (Ctrl+Shift+Z)").arg(text));
    });
    m_undoButton->setEnabled(false);
    m_redoButton->setEnabled(false);
    connect(m_saveButton, &QPushButton::clicked, this, [this] {
        if (!m_hasDefinition || !m_validation.isEmpty() || !isDirty()) return;
        emit saveRequested(m_draft, isNew());
    });
    connect(m_discardButton, &QPushButton::clicked, this, [this] {
        if (isNew()) {
            clear();
            emit newDiscarded();
            return;
        }
        if (!m_stored) return;
        const Experiment stored = *m_stored;
        change(tr("Discard changes"), EditField::NoMerge, 0, [stored](Experiment& e) { e = stored; });
    });

    auto* bar = new QHBoxLayout();
    bar->setSpacing(8);
    bar->addWidget(m_undoButton);
    bar->addWidget(m_redoButton);
    bar->addSpacing(8);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_discardButton);
    bar->addWidget(m_saveButton);

    m_stateNote = new QLabel(this);
    m_stateNote->setObjectName(QStringLiteral("editorStateNote"));
    m_stateNote->setWordWrap(true);
    m_stateNote->setStyleSheet(QStringLiteral("color:%1;").arg(theme::css(theme::muted())));
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("validationMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setStyleSheet(
        QStringLiteral("color:%1; background:#fef2f2; border:1px solid #fecaca; border-radius:6px; padding:6px 10px;")
            .arg(theme::css(theme::bad())));
    m_message->setVisible(false);

    // --- form ---
    m_form = new QWidget(this);
    auto* top = new QHBoxLayout();
    top->setSpacing(12);
    top->addWidget(buildDefinitionCard(), 3);
    top->addWidget(buildMetricsCard(), 2);
    auto* formLayout = new QVBoxLayout(m_form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->setSpacing(12);
    formLayout->addLayout(top);
    formLayout->addWidget(buildVariantsCard(), 1);

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setStyleSheet(QStringLiteral(
        "QScrollArea { background: transparent; } QScrollArea > QWidget > QWidget { background: transparent; }"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 12, 0, 0);
    layout->setSpacing(10);
    layout->addLayout(bar);
    layout->addWidget(m_stateNote);
    layout->addWidget(m_message);
    layout->addWidget(scroll, 1);

    // Ctrl+Z in a text field means this editor's undo, not the field's own.
    for (QWidget* child : findChildren<QWidget*>()) child->installEventFilter(this);
    clear();
}

QWidget* ExperimentEditor::buildDefinitionCard() {
    m_key = new QLineEdit(this);
    m_key->setObjectName(QStringLiteral("keyEdit"));
    m_key->setPlaceholderText(tr("e.g. homepage-ranker-2"));
    m_key->setMaxLength(64);
    m_key->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9_.-]{0,64}")), m_key));
    m_key->setToolTip(
        tr("A short unique name: letters, digits, '-', '_' and '.'. It cannot change after the first save"));
    connect(m_key, &QLineEdit::textEdited, this, [this](const QString& text) {
        change(tr("Edit key"), EditField::Key, 0, [&](Experiment& e) { e.key = text.toStdString(); });
    });

    m_description = new QPlainTextEdit(this);
    m_description->setObjectName(QStringLiteral("descriptionEdit"));
    m_description->setUndoRedoEnabled(false);  // the editor's stack undoes it
    m_description->setPlaceholderText(tr("What is tested and why: the hypothesis in one or two sentences"));
    m_description->setFixedHeight(64);
    m_description->setTabChangesFocus(true);
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] {
        const std::string text = m_description->toPlainText().toStdString();
        change(tr("Edit description"), EditField::Description, 0, [&](Experiment& e) { e.description = text; });
    });

    m_layer = new QLineEdit(this);
    m_layer->setObjectName(QStringLiteral("layerEdit"));
    m_layer->setPlaceholderText(tr("none"));
    m_layer->setMaxLength(64);
    m_layer->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[A-Za-z0-9_.-]{0,64}")), m_layer));
    m_layer->setToolTip(
        tr("Experiments in the same layer never share a user (mutually exclusive). Without a layer, "
           "experiments that set the same thing (the model, or the ranking) still never share a user; "
           "those that set different things may"));
    connect(m_layer, &QLineEdit::textEdited, this, [this](const QString& text) {
        change(tr("Edit layer"), EditField::Layer, 0, [&](Experiment& e) { e.layer = text.toStdString(); });
    });

    m_coverage = spin(this, QStringLiteral("coverageSpin"), 0.01, 100.0, 2, 5.0, QStringLiteral(" %"));
    m_coverage->setToolTip(
        tr("Share of all users the experiment asks for; the others get the default experience. "
           "Users already in an experiment that sets the same thing are not available"));
    m_shareNote = new QLabel(this);
    m_shareNote->setObjectName(QStringLiteral("trafficShareNote"));
    m_shareNote->setWordWrap(true);
    m_shareNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_coverage, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        change(tr("Change coverage"), EditField::Coverage, 0, [&](Experiment& e) { e.coverage = value / 100.0; });
    });

    m_salt = new QLineEdit(this);
    m_salt->setObjectName(QStringLiteral("saltEdit"));
    m_salt->setReadOnly(true);
    m_salt->setToolTip(
        tr("The salt seeds the assignment hash: the same salt always puts a user in the same variant. "
           "A new salt reshuffles every user"));
    m_regenerateSalt = new QPushButton(tr("Regenerate"), this);
    m_regenerateSalt->setObjectName(QStringLiteral("regenerateSaltButton"));
    m_regenerateSalt->setToolTip(tr("Draw a new random salt (reshuffles who sees which variant)"));
    connect(m_regenerateSalt, &QPushButton::clicked, this, [this] {
        const std::string salt = experiments::generateSalt();
        change(tr("Regenerate salt"), EditField::NoMerge, 0, [&](Experiment& e) { e.salt = salt; });
    });
    auto* saltRow = new QHBoxLayout();
    saltRow->setSpacing(6);
    saltRow->addWidget(m_salt, 1);
    saltRow->addWidget(m_regenerateSalt);

    m_allocation = new QComboBox(this);
    m_allocation->setObjectName(QStringLiteral("allocationCombo"));
    m_allocation->addItem(tr("Fixed weights"), static_cast<int>(AllocationMode::Fixed));
    m_allocation->addItem(tr("Thompson sampling (bandit)"), static_cast<int>(AllocationMode::Thompson));
    m_allocation->setToolTip(
        tr("Fixed: each variant keeps its share for the whole run (a classic A/B test). Thompson: traffic "
           "moves towards the variant that does best on the primary metric"));
    connect(m_allocation, &QComboBox::currentIndexChanged, this, [this] {
        const auto mode = static_cast<AllocationMode>(m_allocation->currentData().toInt());
        change(tr("Change allocation mode"), EditField::NoMerge, 0, [&](Experiment& e) { e.allocation = mode; });
    });

    auto* form = new QFormLayout();
    form->setLabelAlignment(Qt::AlignRight);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(8);
    form->addRow(tr("Key"), m_key);
    form->addRow(tr("Description"), m_description);
    form->addRow(tr("Coverage"), m_coverage);
    form->addRow(QString(), m_shareNote);
    form->addRow(tr("Layer"), m_layer);
    form->addRow(tr("Salt"), saltRow);
    form->addRow(tr("Allocation"), m_allocation);
    return card(this, tr("Definition"), form);
}

QWidget* ExperimentEditor::buildMetricsCard() {
    m_primary = new QComboBox(this);
    m_primary->setObjectName(QStringLiteral("primaryMetricCombo"));
    for (Metric m : kMetrics) m_primary->addItem(metricText(m), static_cast<int>(m));
    m_primary->setToolTip(tr("The metric that decides the experiment"));
    connect(m_primary, &QComboBox::currentIndexChanged, this, [this] {
        const auto metric = static_cast<Metric>(m_primary->currentData().toInt());
        change(tr("Change primary metric"), EditField::NoMerge, 0, [&](Experiment& e) {
            e.primaryMetric = metric;
            std::erase(e.guardrails, metric);  // a metric cannot guard itself
        });
    });

    auto* guardrails = new QVBoxLayout();
    guardrails->setSpacing(4);
    for (Metric m : kMetrics) {
        auto* box = new QCheckBox(metricText(m), this);
        box->setObjectName(QStringLiteral("guardrail_") + QString::fromLatin1(experiments::metricName(m).data()));
        box->setToolTip(tr("Warn when a treatment makes this metric significantly worse"));
        connect(box, &QCheckBox::toggled, this, [this, m](bool on) {
            change(on ? tr("Add guardrail") : tr("Remove guardrail"), EditField::NoMerge, 0, [&](Experiment& e) {
                std::erase(e.guardrails, m);
                if (on) e.guardrails.push_back(m);
            });
        });
        guardrails->addWidget(box);
        m_guardrails << box;
    }

    m_planBaseline = spin(this, QStringLiteral("planBaselineSpin"), 0.0, 99.99, 2, 0.5, QStringLiteral(" %"));
    m_planBaseline->setSpecialValueText(tr("observed control rate"));
    m_planBaseline->setToolTip(
        tr("The control's expected rate; leave at 0 to take what the control shows once it runs"));
    m_planEffect = spin(this, QStringLiteral("planEffectSpin"), 0.1, 1000.0, 1, 1.0, QStringLiteral(" %"));
    m_planEffect->setToolTip(tr("The smallest relative lift worth detecting (10 % means 5.0 % → 5.5 %)"));
    m_planAlpha = spin(this, QStringLiteral("planAlphaSpin"), 0.1, 50.0, 1, 0.5, QStringLiteral(" %"));
    m_planAlpha->setToolTip(tr("Significance level α (two-sided); 5 % means 95 % confidence"));
    m_planPower = spin(this, QStringLiteral("planPowerSpin"), 50.5, 99.9, 1, 5.0, QStringLiteral(" %"));
    m_planPower->setToolTip(tr("The chance of detecting the effect when it is there"));
    const std::pair<QDoubleSpinBox*, int> planFields[] = {
        {m_planBaseline, 0}, {m_planEffect, 1}, {m_planAlpha, 2}, {m_planPower, 3}};
    for (auto [box, which] : planFields) {
        connect(box, &QDoubleSpinBox::valueChanged, this, [this, which](double value) {
            change(tr("Change plan"), EditField::Plan, which, [&](Experiment& e) {
                const double fraction = value / 100.0;
                switch (which) {
                    case 0:
                        e.plan.baseline = fraction;
                        break;
                    case 1:
                        e.plan.relativeEffect = fraction;
                        break;
                    case 2:
                        e.plan.alpha = fraction;
                        break;
                    default:
                        e.plan.power = fraction;
                        break;
                }
            });
        });
    }

    auto* form = new QFormLayout();
    form->setLabelAlignment(Qt::AlignRight);
    form->setHorizontalSpacing(10);
    form->setVerticalSpacing(8);
    form->addRow(tr("Primary metric"), m_primary);
    form->addRow(tr("Guardrails"), guardrails);
    form->addRow(tr("Planned baseline"), m_planBaseline);
    form->addRow(tr("Minimum effect"), m_planEffect);
    form->addRow(tr("Significance (α)"), m_planAlpha);
    form->addRow(tr("Power"), m_planPower);
    return card(this, tr("Metrics and plan"), form);
}

QWidget* ExperimentEditor::buildVariantsCard() {
    m_variants = new VariantTableModel(this);
    m_variantDelegate = new VariantDelegate(this);
    m_variantTable = new QTableView(this);
    m_variantTable->setObjectName(QStringLiteral("variantsTable"));
    m_variantTable->setModel(m_variants);
    m_variantTable->setItemDelegate(m_variantDelegate);
    m_variantTable->verticalHeader()->setVisible(false);
    m_variantTable->verticalHeader()->setDefaultSectionSize(30);
    m_variantTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_variantTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_variantTable->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                                    QAbstractItemView::EditKeyPressed | QAbstractItemView::AnyKeyPressed);
    m_variantTable->horizontalHeader()->setStretchLastSection(true);
    m_variantTable->setMinimumHeight(140);
    const int widths[] = {190, 80, 100, 210, 130, 80, 100};
    for (int c = 0; c < VariantTableModel::ColumnCount; ++c) m_variantTable->setColumnWidth(c, widths[c]);
    m_variants->setEditHandler([this](int row, VariantTableModel::Column column, const QVariant& value) {
        const QString name = QString::fromStdString(m_draft.variants[static_cast<std::size_t>(row)].name);
        change(tr("Edit variant %1").arg(name), EditField::VariantCell, row * 16 + static_cast<int>(column),
               [&](Experiment& e) { VariantTableModel::applyEdit(e.variants, row, column, value); });
    });

    m_addVariant = new QPushButton(tr("Add variant"), this);
    m_addVariant->setObjectName(QStringLiteral("addVariantButton"));
    m_addVariant->setToolTip(tr("Add a treatment served by the default model"));
    connect(m_addVariant, &QPushButton::clicked, this, [this] {
        change(tr("Add variant"), EditField::NoMerge, 0, [](Experiment& e) {
            double mean = 0.0;
            for (const auto& v : e.variants) mean += v.weight;
            mean = e.variants.empty() ? 1.0 : mean / static_cast<double>(e.variants.size());
            e.variants.push_back({uniqueVariantName(e), mean, "", std::nullopt});
        });
    });
    m_removeVariant = new QPushButton(tr("Remove variant"), this);
    m_removeVariant->setObjectName(QStringLiteral("removeVariantButton"));
    m_removeVariant->setToolTip(tr("Remove the selected variant (an experiment needs at least two)"));
    connect(m_removeVariant, &QPushButton::clicked, this, [this] {
        const int row = m_variantTable->currentIndex().isValid() ? m_variantTable->currentIndex().row()
                                                                 : static_cast<int>(m_draft.variants.size()) - 1;
        if (row < 0 || m_draft.variants.size() <= 2) return;
        const QString name = QString::fromStdString(m_draft.variants[static_cast<std::size_t>(row)].name);
        change(tr("Remove variant %1").arg(name), EditField::NoMerge, 0,
               [row](Experiment& e) { e.variants.erase(e.variants.begin() + row); });
    });
    m_equalWeights = new QPushButton(tr("Equal split"), this);
    m_equalWeights->setObjectName(QStringLiteral("equalWeightsButton"));
    m_equalWeights->setToolTip(tr("Give every variant the same share of the traffic"));
    connect(m_equalWeights, &QPushButton::clicked, this, [this] {
        change(tr("Equal split"), EditField::NoMerge, 0, [](Experiment& e) {
            for (auto& v : e.variants) v.weight = 1.0 / static_cast<double>(e.variants.size());
        });
    });

    auto* hint = new QLabel(tr("The first variant is the control. Double-click a cell to edit it; the weights are "
                               "normalised to traffic shares."),
                            this);
    hint->setObjectName(QStringLiteral("muted"));
    hint->setWordWrap(true);
    auto* buttons = new QHBoxLayout();
    buttons->setSpacing(8);
    buttons->addWidget(hint, 1);
    buttons->addWidget(m_equalWeights);
    buttons->addWidget(m_removeVariant);
    buttons->addWidget(m_addVariant);
    auto* body = new QVBoxLayout();
    body->setSpacing(8);
    body->addWidget(m_variantTable, 1);
    body->addLayout(buttons);
    return card(this, tr("Variants"), body);
}

bool ExperimentEditor::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        const QKeyCombination combo = key->keyCombination();
        if (combo == QKeyCombination(Qt::CTRL, Qt::Key_Z) ||
            combo == QKeyCombination(Qt::CTRL | Qt::SHIFT, Qt::Key_Z) ||
            combo == QKeyCombination(Qt::CTRL, Qt::Key_Y)) {
            // Leave the event unaccepted: the editor's shortcut handles it, not the field.
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ExperimentEditor::loadStored(const Experiment& stored) {
    m_stored = stored;
    m_hasDefinition = true;
    m_saveError.clear();
    m_undo->clear();
    setDraft(stored);
    m_lastDirty = false;
}

void ExperimentEditor::loadNew(const Experiment& draft) {
    m_stored.reset();
    m_hasDefinition = true;
    m_saveError.clear();
    m_undo->clear();
    setDraft(draft);
    m_key->setFocus();
    m_key->selectAll();
}

void ExperimentEditor::clear() {
    m_stored.reset();
    m_hasDefinition = false;
    m_saveError.clear();
    m_undo->clear();
    setDraft(Experiment{});
}

void ExperimentEditor::markSaved(const Experiment& stored) {
    m_stored = stored;
    m_saveError.clear();
    m_undo->setClean();
    if (definitionOf(m_draft) != definitionOf(stored))
        setDraft(stored);
    else {
        m_draft = stored;  // state fields
        updateEnabled();
        updateStatus();
    }
}

void ExperimentEditor::storedChanged(const Experiment& stored) {
    if (!m_stored || m_stored->key != stored.key) return;
    const bool dirty = isDirty();
    const bool stateChanged = m_stored->state != stored.state;
    m_stored = stored;
    if (!dirty) {
        if (stateChanged) m_undo->clear();  // edits of the old state may no longer be allowed
        setDraft(stored);
    } else {
        updateEnabled();
        updateStatus();
    }
}

void ExperimentEditor::showError(const QString& message) {
    m_saveError = message;
    updateStatus();
}

void ExperimentEditor::setTrafficContext(std::vector<Experiment> all) {
    m_context = std::move(all);
    updateShareNote();
}

QString ExperimentEditor::shareNote() const {
    return m_shareNote->text();
}

void ExperimentEditor::updateShareNote() {
    using namespace panel_text;
    QString text;
    bool problem = false;
    if (m_hasDefinition) {
        const ExperimentState state = m_stored ? m_stored->state : ExperimentState::Draft;
        if (state == ExperimentState::Running) {
            for (const auto& share : experiments::trafficShares(m_context)) {
                if (share.key != m_draft.key) continue;
                text = shareSentence(share);
                problem = share.served < share.requested;
            }
        } else if (state == ExperimentState::Draft && m_draft.coverageBuckets() > 0) {
            const auto plan = experiments::planStart(m_context, m_draft);
            const auto& share = plan.share;
            // Who holds what it cannot have, and why it cannot share with them.
            auto named = [&](const std::vector<std::string>& keys) {
                QStringList parts;
                for (const auto& key : keys) {
                    QString part = quoted(q(key));
                    for (const auto& [other, reason] : plan.conflictsWith)
                        if (other == key) part += QStringLiteral(" (%1)").arg(q(reason));
                    parts << part;
                }
                return parts.join(QStringLiteral(", "));
            };
            if (share.served >= share.requested) {
                text = tr("If started now it gets %1 of users.")
                           .arg(format::percent(share.fraction(), share.fraction() < 0.1 ? 1 : 0));
                std::vector<std::string> apart;
                for (const auto& [other, reason] : plan.conflictsWith) apart.push_back(other);
                if (!apart.empty()) text += QLatin1Char(' ') + tr("It never shares users with %1.").arg(named(apart));
            } else if (share.waiting()) {
                text = tr("If started now it waits for users: every user it could have is in %1. Start offers to "
                          "share their traffic instead.")
                           .arg(named(share.heldBy));
                problem = true;
            } else {
                text = tr("If started now it gets %1 of users, not %2: the rest are in %3.")
                           .arg(format::percent(share.fraction(), 0), format::percent(share.requestedFraction(), 0),
                                named(share.heldBy));
                problem = true;
            }
        }
    }
    m_shareNote->setText(text);
    m_shareNote->setVisible(!text.isEmpty());
    m_shareNote->setStyleSheet(
        QStringLiteral("color:%1;").arg(theme::css(problem ? theme::warning() : theme::muted())));
}

void ExperimentEditor::setModels(const QStringList& names, const QString& defaultName) {
    m_models = names;
    m_defaultModel = defaultName;
    m_variantDelegate->setModelNames(names);
    m_variants->setDefaultModelName(defaultName);
}

bool ExperimentEditor::applyPlan(const experiments::ExperimentPlan& plan) {
    if (!m_hasDefinition) return false;
    change(tr("Use the calculator's plan"), EditField::NoMerge, 0, [&](Experiment& e) { e.plan = plan; });
    return true;
}

bool ExperimentEditor::isDirty() const {
    if (!m_hasDefinition) return false;
    if (!m_stored) return true;
    return definitionOf(m_draft) != definitionOf(*m_stored);
}

bool ExperimentEditor::allocationEditable() const {
    return m_hasDefinition && (!m_stored || m_stored->state == ExperimentState::Draft);
}

void ExperimentEditor::change(const QString& text, EditField field, int subKey, const Mutator& mutate) {
    if (m_updating || !m_hasDefinition) return;
    Experiment after = m_draft;
    mutate(after);
    if (after == m_draft) return;
    m_saveError.clear();
    m_undo->push(new EditDefinitionCommand([this](const Experiment& e) { setDraft(e); }, m_draft, std::move(after),
                                           text, field, subKey));
}

void ExperimentEditor::setDraft(const Experiment& draft) {
    m_draft = draft;
    refreshWidgets();
    updateEnabled();
    validate();
    updateStatus();
    updateShareNote();
    emit definitionChanged();
}

void ExperimentEditor::refreshWidgets() {
    m_updating = true;
    const Experiment& e = m_draft;
    const QString key = QString::fromStdString(e.key);
    if (m_key->text() != key) m_key->setText(key);
    const QString description = QString::fromStdString(e.description);
    if (m_description->toPlainText() != description) {
        const QSignalBlocker block(m_description);
        m_description->setPlainText(description);
        m_description->moveCursor(QTextCursor::End);
    }
    const QString layer = QString::fromStdString(e.layer);
    if (m_layer->text() != layer) m_layer->setText(layer);
    setIfDifferent(m_coverage, e.coverage * 100.0);
    m_salt->setText(e.salt.empty() ? tr("generated when saved") : QString::fromStdString(e.salt));
    m_allocation->setCurrentIndex(m_allocation->findData(static_cast<int>(e.allocation)));
    m_primary->setCurrentIndex(m_primary->findData(static_cast<int>(e.primaryMetric)));
    for (int i = 0; i < m_guardrails.size(); ++i) {
        const Metric m = kMetrics[i];
        const bool on = std::find(e.guardrails.begin(), e.guardrails.end(), m) != e.guardrails.end();
        if (m_guardrails[i]->isChecked() != on) m_guardrails[i]->setChecked(on);
    }
    setIfDifferent(m_planBaseline, e.plan.baseline * 100.0);
    setIfDifferent(m_planEffect, e.plan.relativeEffect * 100.0);
    setIfDifferent(m_planAlpha, e.plan.alpha * 100.0);
    setIfDifferent(m_planPower, e.plan.power * 100.0);
    m_variants->setVariants(e.variants);
    m_updating = false;
}

void ExperimentEditor::updateEnabled() {
    const bool any = m_hasDefinition;
    const bool allocation = allocationEditable();
    m_form->setEnabled(any);
    m_key->setReadOnly(!isNew());
    m_key->setEnabled(any);
    m_variants->setEditable(allocation);
    for (QWidget* w : std::initializer_list<QWidget*>{m_coverage, m_layer, m_regenerateSalt, m_allocation, m_addVariant,
                                                      m_equalWeights})
        w->setEnabled(allocation);
    m_removeVariant->setEnabled(allocation && m_draft.variants.size() > 2);
    for (int i = 0; i < m_guardrails.size(); ++i)
        m_guardrails[i]->setEnabled(any && kMetrics[i] != m_draft.primaryMetric);

    QString note;
    if (!any) {
        note = tr("Select an experiment to see its design, or press New experiment.");
    } else if (isNew()) {
        note =
            tr("A new draft: nobody sees it until it is saved and started. Everything can be changed while it is a "
               "draft.");
    } else if (m_stored->state == ExperimentState::Draft) {
        note = tr("Draft: everything but the key can change until it starts.");
    } else {
        note = (m_stored->state == ExperimentState::Running ? tr("Running: ") : tr("Stopped: ")) +
               tr("the variants, their models and ranking, weights, coverage, layer, salt and allocation mode are "
                  "locked so "
                  "every user stays in one treatment. The description, metrics and plan can still change. To change "
                  "the rest, "
                  "use Restart (it reshuffles users with a new salt and counts afresh).");
    }
    m_stateNote->setText(note);
}

void ExperimentEditor::markInvalid(QWidget* widget) {
    if (m_invalidWidget == widget) return;
    if (m_invalidWidget) m_invalidWidget->setStyleSheet(QString());
    m_invalidWidget = widget;
    if (widget) {
        widget->setStyleSheet(QStringLiteral("%1#%2 { border: 1px solid %3; }")
                                  .arg(QString::fromLatin1(widget->metaObject()->className()), widget->objectName(),
                                       theme::css(theme::bad())));
    }
}

void ExperimentEditor::validate() {
    m_validation.clear();
    QWidget* culprit = nullptr;
    if (m_hasDefinition) {
        auto checked = experiments::validated(m_draft);
        if (!checked) {
            m_validation = QString::fromStdString(checked.errorMessage());
            // The core names the field first ("key: ...", "experiment 'k': coverage: ...").
            const QString message = m_validation;
            auto mentions = [&](const char* field) { return message.contains(QLatin1String(field)); };
            if (message.startsWith(QLatin1String("key:")))
                culprit = m_key;
            else if (mentions(": coverage:"))
                culprit = m_coverage;
            else if (mentions(": layer:"))
                culprit = m_layer;
            else if (mentions(": variants"))
                culprit = m_variantTable;
            else if (mentions(": description:"))
                culprit = m_description;
            else if (mentions(": plan.baseline"))
                culprit = m_planBaseline;
            else if (mentions(": plan.relative_effect") || mentions(": plan.relativeEffect"))
                culprit = m_planEffect;
            else if (mentions(": plan.alpha"))
                culprit = m_planAlpha;
            else if (mentions(": plan.power"))
                culprit = m_planPower;
        }
    }
    markInvalid(culprit);
}

void ExperimentEditor::updateStatus() {
    const bool dirty = isDirty();
    QString status;
    if (!m_hasDefinition)
        status.clear();
    else if (isNew())
        status = tr("New experiment — not saved yet");
    else if (dirty)
        status = tr("Unsaved changes");
    else
        status = tr("Saved");
    m_status->setText(status);
    m_status->setStyleSheet(dirty ? QStringLiteral("color:%1; font-weight:600;").arg(theme::css(theme::warning()))
                                  : QStringLiteral("color:%1;").arg(theme::css(theme::muted())));
    const QString message = !m_saveError.isEmpty() ? tr("Not saved: %1").arg(m_saveError) : m_validation;
    m_message->setText(message);
    m_message->setVisible(m_hasDefinition && !message.isEmpty());
    m_saveButton->setEnabled(m_hasDefinition && dirty && m_validation.isEmpty());
    m_saveButton->setText(isNew() ? tr("Create draft") : tr("Save"));
    m_discardButton->setEnabled(m_hasDefinition && dirty);
    m_discardButton->setText(isNew() ? tr("Discard draft") : tr("Discard changes"));
    if (dirty != m_lastDirty) {
        m_lastDirty = dirty;
        emit dirtyChanged(dirty);
    }
}

}  // namespace recdeck::ui

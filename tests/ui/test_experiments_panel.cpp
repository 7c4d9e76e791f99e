// The Experiments panel against a real engine (demo world, offscreen): the list, the
// sample-size calculator against the core's formula, the undoable editor, start / stop /
// restart through the buttons and their confirmations, the locked allocation of a running
// experiment, refusals, and the results table after simulated traffic.

#include <QAbstractItemModel>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <cmath>
#include <functional>
#include <memory>

#include "recdeck/experiments/statistics.h"
#include "recdeck/ui/common/kpi_tile.h"
#include "recdeck/ui/experiments/experiment_editor.h"
#include "recdeck/ui/experiments/experiments_panel.h"
#include "recdeck/ui/experiments/results_table_model.h"
#include "recdeck/ui/experiments/results_view.h"
#include "recdeck/ui/experiments/sample_size_calculator.h"
#include "test_support.h"
#include "ui_fixture.h"
#include "widget_lookup.h"

using namespace recdeck;
using experiments::ExperimentState;
using test::child;

namespace {

const QString kDemo = QStringLiteral("homepage-personalisation");

// Answers the next confirmation dialog the panel shows (the real QMessageBox), once it is
// up; records its text. Polls for a bounded time.
class DialogAnswerer : public QObject {
public:
    explicit DialogAnswerer(bool accept) : m_accept(accept) {
        connect(&m_timer, &QTimer::timeout, this, [this] { poll(); });
        m_timer.start(20);
    }
    bool answered() const { return m_answered; }
    QString text() const { return m_text; }

private:
    void poll() {
        if (++m_ticks > 500) m_timer.stop();
        for (QWidget* w : QApplication::topLevelWidgets()) {
            auto* box = qobject_cast<QMessageBox*>(w);
            if (!box || box->objectName() != QLatin1String("confirmDialog") || !box->isVisible()) continue;
            m_text = box->windowTitle() + QLatin1Char('\n') + box->text();
            m_answered = true;
            m_timer.stop();
            if (m_accept)
                box->findChild<QPushButton*>(QStringLiteral("confirmAccept"))->click();
            else
                box->reject();
            return;
        }
    }
    QTimer m_timer;
    bool m_accept;
    bool m_answered = false;
    int m_ticks = 0;
    QString m_text;
};

// Answers the next confirmation dialog only after the panel's experiment list has been
// replaced underneath it: while the dialog's event loop runs, `churn` changes the registry
// (the panel reloads its list), and the answer waits until the list model has changed.
// The regression of the Start/Stop crash: actions kept a pointer into the list across the
// dialog and read freed memory after it.
class ChurningAnswerer : public QObject {
public:
    ChurningAnswerer(QAbstractItemModel* list, std::function<void()> churn) : m_churn(std::move(churn)) {
        connect(list, &QAbstractItemModel::dataChanged, this, [this] { ++m_changes; });
        connect(list, &QAbstractItemModel::modelReset, this, [this] { ++m_changes; });
        connect(&m_timer, &QTimer::timeout, this, [this] { poll(); });
        m_timer.start(5);
    }
    bool answered() const { return m_answered; }
    bool listChangedWhileOpen() const { return m_changedWhileOpen; }

private:
    void poll() {
        if (++m_ticks > 2000) m_timer.stop();
        QMessageBox* box = nullptr;
        for (QWidget* w : QApplication::topLevelWidgets()) {
            auto* candidate = qobject_cast<QMessageBox*>(w);
            if (candidate && candidate->objectName() == QLatin1String("confirmDialog") && candidate->isVisible())
                box = candidate;
        }
        if (!box) return;
        if (m_changesAtOpen < 0) {
            m_changesAtOpen = m_changes;
            m_churn();
            return;
        }
        // Answer once the list has changed (or after a bounded wait, so a failure is reported
        // by the caller's checks rather than by a hang).
        if (m_changes == m_changesAtOpen && ++m_waited < 400) return;
        m_changedWhileOpen = m_changes != m_changesAtOpen;
        m_answered = true;
        m_timer.stop();
        box->findChild<QPushButton*>(QStringLiteral("confirmAccept"))->click();
    }
    std::function<void()> m_churn;
    QTimer m_timer;
    int m_changes = 0;
    int m_changesAtOpen = -1;
    int m_waited = 0;
    int m_ticks = 0;
    bool m_answered = false;
    bool m_changedWhileOpen = false;
};

std::optional<experiments::Experiment> stored(test::UiFixture& fixture, const QString& key) {
    return fixture.engine().experiments().get(key.toStdString());
}

}  // namespace

class TestExperimentsPanel : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<test::UiFixture> m_fixture;
    std::unique_ptr<ui::ExperimentsPanel> m_early;  // built before the engine opened

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_experiments_panel"));
        QSettings().clear();
        m_fixture = std::make_unique<test::UiFixture>();
        m_early = std::make_unique<ui::ExperimentsPanel>(m_fixture->host(), m_fixture->feed());
        QString error;
        QVERIFY2(m_fixture->open(&error), qPrintable(error));
    }

    void cleanupTestCase() {
        m_fixture->host().stopSimulator();
        m_early.reset();
        m_fixture.reset();
    }

    void listsTheDemoExperimentAsRunning() {
        for (ui::ExperimentsPanel* panel :
             {m_early.get(), new ui::ExperimentsPanel(m_fixture->host(), m_fixture->feed())}) {
            std::unique_ptr<ui::ExperimentsPanel> owned(panel == m_early.get() ? nullptr : panel);
            auto* list = child<QTableView>(panel, "experimentList");
            QVERIFY(list);
            QVERIFY(test::UiFixture::waitFor([&] { return list->model()->rowCount() >= 1; }));
            int row = -1;
            for (int r = 0; r < list->model()->rowCount(); ++r) {
                if (list->model()->index(r, 0).data().toString() == kDemo) row = r;
            }
            QVERIFY2(row >= 0, "the demo experiment is listed");
            QCOMPARE(list->model()->index(row, 1).data().toString(), QStringLiteral("Running"));
            QVERIFY(list->model()->index(row, 4).data().toString().startsWith(QStringLiteral("click rate")));
            QVERIFY(list->model()->index(row, 5).data().toString() != QStringLiteral("not started"));
            // What it really gets: every user, as its coverage asks.
            QCOMPARE(list->model()->index(row, 2).data().toString(), QStringLiteral("100 %"));
            // The running experiment is selected and its readout shown.
            QCOMPARE(panel->selectedKey(), kDemo);
            QCOMPARE(list->currentIndex().row(), row);
            QVERIFY(test::UiFixture::waitFor([&] { return panel->currentResults().has_value(); }));
            QCOMPARE(QString::fromStdString(panel->currentResults()->key), kDemo);
            QCOMPARE(child<QTabWidget>(panel, "experimentTabs")->currentWidget(), panel->resultsView());
            QVERIFY(!child<QPushButton>(panel, "startButton")->isEnabled());
            QVERIFY(child<QPushButton>(panel, "stopButton")->isEnabled());
            QVERIFY(!child<QPushButton>(panel, "deleteButton")->isEnabled());
        }
    }

    void calculatorEqualsTheCoreFormula_data() {
        QTest::addColumn<double>("baseline");
        QTest::addColumn<double>("mde");
        QTest::addColumn<bool>("absolute");
        QTest::addColumn<double>("alpha");
        QTest::addColumn<double>("power");
        QTest::newRow("textbook 5% +10%") << 0.05 << 0.10 << false << 0.05 << 0.80;
        QTest::newRow("20% +5%, 90% power") << 0.20 << 0.05 << false << 0.05 << 0.90;
        QTest::newRow("3% +0.5 points absolute") << 0.03 << 0.005 << true << 0.05 << 0.80;
        QTest::newRow("1% alpha") << 0.10 << 0.15 << false << 0.01 << 0.80;
    }

    void calculatorEqualsTheCoreFormula() {
        QFETCH(double, baseline);
        QFETCH(double, mde);
        QFETCH(bool, absolute);
        QFETCH(double, alpha);
        QFETCH(double, power);
        ui::SampleSizeCalculator calculator;
        // Drive the real inputs: each change recomputes at once, no button.
        auto* scale = child<QComboBox>(&calculator, "calcEffectScale");
        scale->setCurrentIndex(absolute ? 1 : 0);
        child<QDoubleSpinBox>(&calculator, "calcBaseline")->setValue(baseline * 100.0);
        child<QDoubleSpinBox>(&calculator, "calcEffect")->setValue(mde * 100.0);
        child<QDoubleSpinBox>(&calculator, "calcAlpha")->setValue(alpha * 100.0);
        child<QDoubleSpinBox>(&calculator, "calcPower")->setValue(power * 100.0);
        child<QSpinBox>(&calculator, "calcVariants")->setValue(2);
        child<QDoubleSpinBox>(&calculator, "calcCoverage")->setValue(100.0);

        experiments::SampleSizeRequest request;
        request.baseline = baseline;
        request.mde = mde;
        request.scale = absolute ? experiments::EffectScale::Absolute : experiments::EffectScale::Relative;
        request.alpha = alpha;
        request.power = power;
        const auto expected = experiments::sampleSize(request);
        QVERIFY(expected.ok());
        QCOMPARE(calculator.perVariant(), expected->perVariant);
        auto* tile = child<ui::KpiTile>(&calculator, "calcPerVariantTile");
        QCOMPARE(tile->value(), QLocale().toString(static_cast<qlonglong>(expected->perVariant)));
        QCOMPARE(child<ui::KpiTile>(&calculator, "calcTotalTile")->value(),
                 QLocale().toString(static_cast<qlonglong>(expected->perVariant * 2)));
        if (QByteArray(QTest::currentDataTag()) == "textbook 5% +10%")
            QCOMPARE(calculator.perVariant(), std::int64_t{31234});
    }

    void calculatorRecomputesOnEveryInput() {
        ui::SampleSizeCalculator calculator;
        calculator.setInputs({0.05, 0.10, experiments::EffectScale::Relative, 0.05, 0.80, 2, 1.0});
        QCOMPARE(calculator.perVariant(), std::int64_t{31234});
        auto* effect = child<QDoubleSpinBox>(&calculator, "calcEffect");
        auto* tile = child<ui::KpiTile>(&calculator, "calcPerVariantTile");
        // Typing a new effect (keyboard, as a user would) changes the figure at once.
        effect->selectAll();
        effect->clear();
        QTest::keyClicks(effect, QStringLiteral("20"));
        const auto twenty = experiments::sampleSize({0.05, 0.20, experiments::EffectScale::Relative, 0.05, 0.80});
        QCOMPARE(calculator.perVariant(), twenty->perVariant);
        QCOMPARE(tile->value(), QLocale().toString(static_cast<qlonglong>(twenty->perVariant)));
        QVERIFY(calculator.perVariant() < 31234);

        // Three variants: two comparisons with the control under the results' Holm
        // correction, so more users per variant (the core's plannedSampleSize, alpha / 2),
        // three times that in all; the duration at a typed traffic figure is the core's
        // experimentDuration.
        child<QSpinBox>(&calculator, "calcVariants")->setValue(3);
        const auto corrected =
            experiments::plannedSampleSize({0.05, 0.20, experiments::EffectScale::Relative, 0.05, 0.80}, 2);
        QCOMPARE(calculator.perVariant(), corrected->perVariant);
        QVERIFY(corrected->perVariant > twenty->perVariant);
        QVERIFY2(tile->detail().contains(QStringLiteral("Holm")), qPrintable(tile->detail()));
        QCOMPARE(child<ui::KpiTile>(&calculator, "calcTotalTile")->value(),
                 QLocale().toString(static_cast<qlonglong>(corrected->perVariant * 3)));
        child<QCheckBox>(&calculator, "calcUseTraffic")->setChecked(false);
        child<QSpinBox>(&calculator, "calcUsersPerDay")->setValue(5000);
        child<QDoubleSpinBox>(&calculator, "calcCoverage")->setValue(50.0);
        const auto duration =
            experiments::experimentDuration(static_cast<double>(corrected->perVariant), 3, 5000.0, 0.5);
        QVERIFY(calculator.durationDays().has_value());
        QCOMPARE(*calculator.durationDays(), duration->days);
        child<QSpinBox>(&calculator, "calcVariants")->setValue(2);

        // The power curve: power against users per variant, the chosen n marked.
        auto* chart = calculator.findChild<ui::ChartCard*>(QStringLiteral("powerCurve"));
        QVERIFY(chart);
        const auto series = chart->series();
        QCOMPARE(series.size(), 2);
        const double chosen = twenty->perVariantExact;
        QCOMPARE(series[1].points.front().x(), chosen);
        for (const QPointF& p : series[0].points) {
            const auto expected =
                experiments::power({0.05, 0.20, experiments::EffectScale::Relative, 0.05, 0.80}, p.x());
            QVERIFY(std::abs(p.y() - *expected * 100.0) < 1e-9);
        }

        // Out-of-range inputs: an inline error, no number.
        calculator.setInputs({0.95, 0.10, experiments::EffectScale::Relative, 0.05, 0.80, 2, 1.0});
        QCOMPARE(calculator.perVariant(), std::int64_t{0});
        QVERIFY(child<QLabel>(&calculator, "calculatorError")->isVisibleTo(&calculator));
    }

    // The duration counts distinct users, not requests: the users served recently enter as
    // they come back, then new ones at the rate they appear; a closed population of users
    // that keep returning never fills a large plan, and the calculator says so.
    void calculatorDurationCountsDistinctUsers() {
        ui::SampleSizeCalculator calculator;
        calculator.setInputs({0.05, 0.10, experiments::EffectScale::Relative, 0.05, 0.80, 2, 1.0});
        experiments::RecentTraffic traffic;
        traffic.fromMs = 0;
        traffic.toMs = 15 * 60'000;
        traffic.users = 2000;
        traffic.newLaterUsers = 500;  // 500 new users in 7.5 minutes
        calculator.setTraffic(traffic, QStringLiteral("test traffic"));
        const auto expected = traffic.daysToReach(31234.0 * 2.0, 1.0);
        QVERIFY(expected);
        QVERIFY(calculator.durationDays().has_value());
        QCOMPARE(*calculator.durationDays(), *expected);
        // The same 2,000 users returning, nobody new: never.
        traffic.newLaterUsers = 0;
        calculator.setTraffic(traffic, QStringLiteral("closed"));
        QVERIFY(!calculator.durationDays().has_value());
        QVERIFY2(calculator.durationText().contains(QStringLiteral("never")), qPrintable(calculator.durationText()));
        // A plan the present users can fill: a fraction of the span.
        calculator.setInputs({0.30, 0.50, experiments::EffectScale::Relative, 0.05, 0.80, 2, 1.0});
        QVERIFY(calculator.perVariant() * 2 < 2000);
        QVERIFY(calculator.durationDays().has_value());
        QVERIFY(*calculator.durationDays() <= traffic.spanDays());
    }

    void createsADraftWithUndoAndRedo() {
        ui::ExperimentsPanel panel(m_fixture->host(), m_fixture->feed());
        panel.resize(1300, 850);
        panel.show();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        auto* editor = panel.editor();
        QTest::mouseClick(child<QPushButton>(&panel, "newButton"), Qt::LeftButton);
        QVERIFY(editor->isNew());
        QCOMPARE(child<QTabWidget>(&panel, "experimentTabs")->currentWidget(), editor);

        auto* key = child<QLineEdit>(editor, "keyEdit");
        key->selectAll();
        QTest::keyClicks(key, QStringLiteral("ui-test-exp"));
        QCOMPARE(editor->definition().key, std::string("ui-test-exp"));
        child<QDoubleSpinBox>(editor, "coverageSpin")->setValue(50.0);
        QCOMPARE(editor->definition().coverage, 0.5);
        auto* variants = child<QTableView>(editor, "variantsTable")->model();
        QVERIFY(variants->setData(variants->index(1, 3), QStringLiteral("itemknn"), Qt::EditRole));
        QCOMPARE(editor->definition().variants[1].model, std::string("itemknn"));

        // Undo restores the previous edit only; redo re-applies it.
        auto* undo = child<QPushButton>(editor, "undoButton");
        auto* redo = child<QPushButton>(editor, "redoButton");
        QVERIFY(undo->isEnabled());
        QTest::mouseClick(undo, Qt::LeftButton);
        QCOMPARE(editor->definition().variants[1].model, std::string(""));
        QCOMPARE(editor->definition().coverage, 0.5);
        QVERIFY(redo->isEnabled());
        QTest::mouseClick(redo, Qt::LeftButton);
        QCOMPARE(editor->definition().variants[1].model, std::string("itemknn"));
        // The same with the keyboard, focus in a text field: Ctrl+Z / Ctrl+Shift+Z.
        key->setFocus();
        QTest::keyClick(key, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(editor->definition().variants[1].model, std::string(""));
        QCOMPARE(key->text(), QStringLiteral("ui-test-exp"));
        QTest::keyClick(key, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(editor->definition().variants[1].model, std::string("itemknn"));
        // Undo past the coverage and key edits, then redo them all.
        editor->undoStack()->undo();
        editor->undoStack()->undo();
        QCOMPARE(editor->definition().coverage, 1.0);
        QCOMPARE(child<QDoubleSpinBox>(editor, "coverageSpin")->value(), 100.0);
        editor->undoStack()->redo();
        editor->undoStack()->redo();
        QCOMPARE(editor->definition().coverage, 0.5);
        QCOMPARE(editor->definition().variants[1].model, std::string("itemknn"));

        // Inline validation: an invalid weight disables Save and says why.
        auto* save = child<QPushButton>(editor, "saveButton");
        QVERIFY(save->isEnabled());
        child<QDoubleSpinBox>(editor, "coverageSpin")->setValue(0.01);  // 1 bucket for 2 variants
        QVERIFY(!save->isEnabled());
        QVERIFY(child<QLabel>(editor, "validationMessage")->text().contains(QStringLiteral("coverage")));
        editor->undoStack()->undo();
        QVERIFY(save->isEnabled());

        // Ctrl+S creates the draft in the registry, while the button reads "Create draft"
        // (renaming a button used to drop its shortcut).
        QCOMPARE(save->text(), QStringLiteral("Create draft"));
        key->setFocus();
        QTest::keyClick(key, Qt::Key_S, Qt::ControlModifier);
        QVERIFY(
            test::UiFixture::waitFor([&] { return stored(*m_fixture, QStringLiteral("ui-test-exp")).has_value(); }));
        auto record = stored(*m_fixture, QStringLiteral("ui-test-exp"));
        QCOMPARE(record->state, ExperimentState::Draft);
        QCOMPARE(record->coverage, 0.5);
        QCOMPARE(record->variants[1].model, std::string("itemknn"));
        QVERIFY(test::UiFixture::waitFor([&] { return panel.selectedKey() == QStringLiteral("ui-test-exp"); }));
        QVERIFY(!editor->isDirty());

        // Still a draft: the allocation can change, with undo and redo, and be saved.
        child<QDoubleSpinBox>(editor, "coverageSpin")->setValue(40.0);
        QVERIFY(editor->isDirty());
        QTest::mouseClick(undo, Qt::LeftButton);
        QCOMPARE(editor->definition().coverage, 0.5);
        QVERIFY(!editor->isDirty());
        QTest::mouseClick(redo, Qt::LeftButton);
        QCOMPARE(editor->definition().coverage, 0.4);
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor(
            [&] { return stored(*m_fixture, QStringLiteral("ui-test-exp"))->coverage == 0.4; }));
        QVERIFY(test::UiFixture::waitFor([&] { return !editor->isDirty(); }));

        // The definition exports as JSON the core reads back.
        const auto dir = test::makeTempDir("recdeck-exp-export");
        const QString path = QString::fromStdString((dir / "definition.json").string());
        QVERIFY(panel.exportDefinition(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto json = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(json.value(QStringLiteral("key")).toString(), QStringLiteral("ui-test-exp"));
        QCOMPARE(json.value(QStringLiteral("coverage")).toDouble(), 0.4);
        std::filesystem::remove_all(dir);
    }

    void startsStopsAndRestartsThroughTheButtons() {
        QVERIFY(stored(*m_fixture, QStringLiteral("ui-test-exp")).has_value());  // made by the previous test
        ui::ExperimentsPanel panel(m_fixture->host(), m_fixture->feed());
        panel.show();
        QVERIFY(panel.selectExperiment(QStringLiteral("ui-test-exp")));
        auto* start = child<QPushButton>(&panel, "startButton");
        auto* stop = child<QPushButton>(&panel, "stopButton");
        auto* restart = child<QPushButton>(&panel, "restartButton");
        QVERIFY(start->isEnabled());
        QVERIFY(!stop->isEnabled());
        QVERIFY(child<QPushButton>(&panel, "deleteButton")->isEnabled());

        // Start, through the real confirmation dialog, which explains the consequence.
        {
            DialogAnswerer answer(true);
            QTest::mouseClick(start, Qt::LeftButton);
            QVERIFY(answer.answered());
            QVERIFY2(answer.text().contains(QStringLiteral("locked")), qPrintable(answer.text()));
        }
        QVERIFY(test::UiFixture::waitFor(
            [&] { return stored(*m_fixture, QStringLiteral("ui-test-exp"))->state == ExperimentState::Running; }));
        QVERIFY(test::UiFixture::waitFor([&] { return stop->isEnabled(); }));
        QVERIFY(!start->isEnabled());
        auto* list = child<QTableView>(&panel, "experimentList");
        QCOMPARE(list->model()->index(list->currentIndex().row(), 1).data().toString(), QStringLiteral("Running"));

        // Declining changes nothing.
        bool asked = false;
        panel.setConfirmer([&](const QString&, const QString& text, const QString&) {
            asked = true;
            return !text.isEmpty() && false;
        });
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(asked);
        QTest::qWait(200);
        QCOMPARE(stored(*m_fixture, QStringLiteral("ui-test-exp"))->state, ExperimentState::Running);

        // Accepting stops it, then restarts it with a new salt.
        QString stopText;
        panel.setConfirmer([&](const QString&, const QString& text, const QString&) {
            stopText = text;
            return true;
        });
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(stopText.contains(QStringLiteral("default experience")));
        QVERIFY(test::UiFixture::waitFor(
            [&] { return stored(*m_fixture, QStringLiteral("ui-test-exp"))->state == ExperimentState::Stopped; }));
        QVERIFY(test::UiFixture::waitFor([&] { return restart->isEnabled(); }));
        const std::string oldSalt = stored(*m_fixture, QStringLiteral("ui-test-exp"))->salt;
        QTest::mouseClick(restart, Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor(
            [&] { return stored(*m_fixture, QStringLiteral("ui-test-exp"))->state == ExperimentState::Running; }));
        QVERIFY(stored(*m_fixture, QStringLiteral("ui-test-exp"))->salt != oldSalt);
        QVERIFY(test::UiFixture::waitFor([&] { return stop->isEnabled(); }));
        QVERIFY(!child<QPushButton>(&panel, "deleteButton")->isEnabled());  // only drafts

        // Leave it stopped so it does not share the simulated traffic of later tests.
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor(
            [&] { return stored(*m_fixture, QStringLiteral("ui-test-exp"))->state == ExperimentState::Stopped; }));
    }

    // Regression (Start/Stop crash): every confirmation is answered after the list it was
    // opened from has been replaced; the action still applies to the right experiment and
    // never reports a nonsense key. Run under the asan preset, a dangling read fails it.
    void confirmationsSurviveTheListChangingWhileOpen() {
        auto& registry = m_fixture->engine().experiments();
        experiments::Experiment churn;
        churn.key = "ui-churn-other";
        churn.salt = experiments::generateSalt();
        churn.variants = {{"a", 0.5, "", std::nullopt}, {"b", 0.5, "", std::nullopt}};
        QVERIFY(registry.create(churn));
        experiments::Experiment target = churn;
        target.key = "ui-churn-target";
        QVERIFY(registry.create(target));

        ui::ExperimentsPanel panel(m_fixture->host(), m_fixture->feed());
        panel.show();
        QVERIFY(panel.selectExperiment(QStringLiteral("ui-churn-target")));
        auto* listModel = child<QTableView>(&panel, "experimentList")->model();
        int edits = 0;
        auto churnOnce = [&] {
            auto other = registry.get("ui-churn-other");
            QVERIFY(other.has_value());
            other->description = "edited while a dialog is open " + std::to_string(++edits);
            QVERIFY(registry.update(*other));
        };
        QSignalSpy finished(&panel, &ui::ExperimentsPanel::actionFinished);
        auto act = [&](const char* button, ExperimentState expected) {
            auto* b = child<QPushButton>(&panel, button);
            QVERIFY(test::UiFixture::waitFor([&] { return b->isEnabled(); }));
            finished.clear();
            ChurningAnswerer answer(listModel, churnOnce);
            QTest::mouseClick(b, Qt::LeftButton);
            QVERIFY(answer.answered());
            QVERIFY(answer.listChangedWhileOpen());
            QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
            QVERIFY2(finished.front().at(2).toBool(), qPrintable(finished.front().at(3).toString()));
            QCOMPARE(finished.front().at(1).toString(), QStringLiteral("ui-churn-target"));
            QCOMPARE(registry.get("ui-churn-target")->state, expected);
        };
        for (int round = 0; round < 8; ++round) {
            act(round == 0 ? "startButton" : "restartButton", ExperimentState::Running);
            act("stopButton", ExperimentState::Stopped);
        }
        QVERIFY(panel.selectExperiment(QStringLiteral("ui-churn-other")));
        // Deleting: the churn edits the target, which is stopped (its description may change).
        target = *registry.get("ui-churn-target");
        auto deleteChurn = [&] {
            auto t = registry.get("ui-churn-target");
            t->description = "edited while the delete dialog is open";
            QVERIFY(registry.update(*t));
        };
        {
            finished.clear();
            ChurningAnswerer answer(listModel, deleteChurn);
            QTest::mouseClick(child<QPushButton>(&panel, "deleteButton"), Qt::LeftButton);
            QVERIFY(answer.answered());
            QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
            QVERIFY2(finished.front().at(2).toBool(), qPrintable(finished.front().at(3).toString()));
            QCOMPARE(finished.front().at(1).toString(), QStringLiteral("ui-churn-other"));
        }
        QVERIFY(!registry.get("ui-churn-other").has_value());
    }

    // A second experiment that sets the same thing as the running demo (the model) cannot
    // share its users: the editor and the Start dialog say what it will really get, it
    // waits (the list says for whom), or it shares the demo's traffic on purpose; when it
    // stops, the demo gets its users back.
    void conflictingExperimentWaitsOrSharesOnPurpose() {
        auto& registry = m_fixture->engine().experiments();
        auto make = [&](const std::string& key) {
            experiments::Experiment e;
            e.key = key;
            e.salt = experiments::generateSalt();
            e.variants = {{"control", 0.5, "popularity", std::nullopt}, {"knn", 0.5, "itemknn", std::nullopt}};
            QVERIFY(registry.create(e));
        };
        make("ui-waits");
        make("ui-shares");
        ui::ExperimentsPanel panel(m_fixture->host(), m_fixture->feed());
        panel.show();
        QVERIFY(panel.selectExperiment(QStringLiteral("ui-waits")));
        QVERIFY2(panel.editor()->shareNote().contains(QStringLiteral("waits for users")) &&
                     panel.editor()->shareNote().contains(kDemo),
                 qPrintable(panel.editor()->shareNote()));

        QString text;
        QStringList choices;
        panel.setChooser([&](const QString&, const QString& t, const QStringList& c) {
            text = t;
            choices = c;
            return 0;  // start and wait
        });
        QSignalSpy finished(&panel, &ui::ExperimentsPanel::actionFinished);
        QTest::mouseClick(child<QPushButton>(&panel, "startButton"), Qt::LeftButton);
        QVERIFY2(text.contains(kDemo) && text.contains(QStringLiteral("waits for users")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("both set the model")), qPrintable(text));
        QCOMPARE(choices.size(), 2);
        QVERIFY(choices[1].contains(kDemo));  // "Share with ..."
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        QVERIFY(finished.front().at(2).toBool());
        auto* list = child<QTableView>(&panel, "experimentList");
        auto usersOf = [&](const QString& key) {
            for (int r = 0; r < list->model()->rowCount(); ++r) {
                if (list->model()->index(r, 0).data().toString() == key)
                    return list->model()->index(r, 2).data().toString();
            }
            return QString();
        };
        QCOMPARE(usersOf(QStringLiteral("ui-waits")), QStringLiteral("waiting for users: all are in “%1”").arg(kDemo));
        QCOMPARE(usersOf(kDemo), QStringLiteral("100 %"));
        for (int i = 0; i < 200; ++i) QVERIFY(registry.assign("user_" + std::to_string(i))->experiment != "ui-waits");

        // The other one shares on purpose: the demo keeps half.
        QVERIFY(panel.selectExperiment(QStringLiteral("ui-shares")));
        panel.setChooser([&](const QString&, const QString& t, const QStringList& c) {
            text = t;
            choices = c;
            return 1;  // share
        });
        finished.clear();
        QTest::mouseClick(child<QPushButton>(&panel, "startButton"), Qt::LeftButton);
        QVERIFY2(text.contains(QStringLiteral("keeps 50 %")), qPrintable(text));
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        QVERIFY(finished.front().at(2).toBool());
        QVERIFY(test::UiFixture::waitFor([&] { return usersOf(kDemo) == QStringLiteral("50 % of the 100 % asked"); }));
        QCOMPARE(usersOf(QStringLiteral("ui-shares")), QStringLiteral("50 % of the 100 % asked"));
        QCOMPARE(usersOf(QStringLiteral("ui-waits")),
                 QStringLiteral("waiting for users: all are in “%1” and “ui-shares”").arg(kDemo));

        // Stopping both hands every user back to the demo.
        panel.setConfirmer([](const QString&, const QString&, const QString&) { return true; });
        for (const char* key : {"ui-shares", "ui-waits"}) {
            QVERIFY(panel.selectExperiment(QString::fromLatin1(key)));
            finished.clear();
            QVERIFY(test::UiFixture::waitFor([&] { return child<QPushButton>(&panel, "stopButton")->isEnabled(); }));
            QTest::mouseClick(child<QPushButton>(&panel, "stopButton"), Qt::LeftButton);
            QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        }
        QVERIFY(test::UiFixture::waitFor([&] { return usersOf(kDemo) == QStringLiteral("100 %"); }));
        QCOMPARE(registry.get(kDemo.toStdString())->trafficEnd, 10000u);
    }

    // The verdict card names every guardrail the experiment was given, harmed or not; once
    // stopped it says the figures are frozen, and the chart ends at the stop.
    void verdictNamesGuardrailsAndAStoppedRunIsFrozen() {
        auto& registry = m_fixture->engine().experiments();
        experiments::Experiment e;
        e.key = "ui-guarded";
        e.salt = experiments::generateSalt();
        e.variants = {{"control", 0.5, "popularity", std::nullopt}, {"knn", 0.5, "itemknn", std::nullopt}};
        e.guardrails = {experiments::Metric::ConversionRate};
        QVERIFY(registry.create(e));
        QVERIFY(registry.start("ui-guarded", experiments::StartMode::Share));
        ui::ExperimentsPanel panel(m_fixture->host(), m_fixture->feed());
        panel.show();
        QVERIFY(panel.selectExperiment(QStringLiteral("ui-guarded")));
        m_fixture->host().setSimulatorRate(400);
        m_fixture->host().startSimulator();
        QVERIFY(test::UiFixture::waitFor(
            [&] {
                const auto& r = panel.currentResults();
                return r && r->key == "ui-guarded" && r->variants.size() == 2 && r->variants[0].counts.users >= 20 &&
                       r->variants[1].counts.users >= 20;
            },
            60000));
        const QString guard = panel.resultsView()->guardrailText();
        QVERIFY2(guard.contains(QStringLiteral("Guardrail conversion rate")) && guard.contains(QStringLiteral("“knn”")),
                 qPrintable(guard));
        QVERIFY(panel.resultsView()->frozenText().isEmpty());

        QVERIFY(registry.stop("ui-guarded"));
        const std::int64_t stoppedAt = registry.get("ui-guarded")->stoppedAtMs;
        QVERIFY(test::UiFixture::waitFor([&] {
            const auto& r = panel.currentResults();
            return r && r->state == ExperimentState::Stopped && !panel.resultsView()->frozenText().isEmpty();
        }));
        // "Frozen" only once the readout is frozen for good (late events counted first).
        QVERIFY(test::UiFixture::waitFor(
            [&] {
                panel.refreshResults();
                return panel.resultsView()->frozenText().startsWith(QStringLiteral("Frozen:"));
            },
            60000));
        QVERIFY(!registry.get("ui-guarded")->frozenResults.empty());
        // Looks after the stop: the chart still ends at it.
        QTest::qWait(2500);
        panel.refreshResults();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.currentResults()->computedAtMs > stoppedAt; }));
        for (const auto& series : panel.resultsView()->chart()->series())
            for (const QPointF& p : series.points) QVERIFY(p.x() <= static_cast<double>(stoppedAt));
        QVERIFY(panel.resultsView()->verdictHeadline().startsWith(QStringLiteral("Stopped")));
        m_fixture->host().stopSimulator();
    }

    void runningAllocationIsLocked() {
        ui::ExperimentsPanel panel(m_fixture->host(), m_fixture->feed());
        QVERIFY(panel.selectExperiment(kDemo));
        auto* editor = panel.editor();
        QVERIFY(!editor->allocationEditable());
        for (const char* name : {"coverageSpin", "layerEdit", "regenerateSaltButton", "allocationCombo",
                                 "addVariantButton", "removeVariantButton", "equalWeightsButton"}) {
            auto* widget = editor->findChild<QWidget*>(QString::fromLatin1(name));
            QVERIFY2(widget && !widget->isEnabled(), name);
        }
        auto* variants = child<QTableView>(editor, "variantsTable")->model();
        for (int c = 0; c < variants->columnCount(); ++c)
            QVERIFY(!(variants->flags(variants->index(1, c)) & Qt::ItemIsEditable));
        QVERIFY(!variants->setData(variants->index(1, 1), 0.9, Qt::EditRole));
        QVERIFY(child<QLabel>(editor, "editorStateNote")->text().contains(QStringLiteral("locked")));

        // What the registry allows still saves: the description and the plan.
        auto* description = child<QPlainTextEdit>(editor, "descriptionEdit");
        QVERIFY(description->isEnabled());
        description->setPlainText(QStringLiteral("Personalised ranking against popularity (edited in the console)"));
        child<QDoubleSpinBox>(editor, "planEffectSpin")->setValue(15.0);
        QVERIFY(editor->isDirty());
        QTest::mouseClick(child<QPushButton>(editor, "saveButton"), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] {
            const auto record = stored(*m_fixture, kDemo);
            return record->description == "Personalised ranking against popularity (edited in the console)" &&
                   std::abs(record->plan.relativeEffect - 0.15) < 1e-12;
        }));
        QCOMPARE(stored(*m_fixture, kDemo)->state, ExperimentState::Running);
    }

    void refusalsAreShownInThePanel() {
        ui::ExperimentsPanel panel(m_fixture->host(), m_fixture->feed());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.newExperiment();
        auto* editor = panel.editor();
        auto* key = child<QLineEdit>(editor, "keyEdit");
        key->selectAll();
        QTest::keyClicks(key, kDemo);  // taken
        QSignalSpy finished(&panel, &ui::ExperimentsPanel::actionFinished);
        QTest::mouseClick(child<QPushButton>(editor, "saveButton"), Qt::LeftButton);
        QVERIFY(finished.wait(10000 * test::timeScale()));
        QCOMPARE(finished.front().at(2).toBool(), false);
        auto* message = child<QLabel>(&panel, "panelMessage");
        QVERIFY(message->isVisibleTo(&panel));
        QVERIFY2(message->text().contains(QStringLiteral("already exists")), qPrintable(message->text()));
        QVERIFY(child<QLabel>(editor, "validationMessage")->text().contains(QStringLiteral("already exists")));
        QVERIFY(editor->isNew());  // the edits are kept to fix the key
    }

    void showsResultsPerVariantAfterTraffic() {
        ui::ExperimentsPanel panel(m_fixture->host(), m_fixture->feed());
        panel.resize(1440 - 212, 840);  // as in a 1440 x 900 window
        panel.show();
        QVERIFY(panel.selectExperiment(kDemo));
        auto& host = m_fixture->host();
        host.setSimulatorRate(400.0);
        host.startSimulator();
        const bool enough = test::UiFixture::waitFor(
            [&] {
                const auto counts = m_fixture->engine().experimentResults().counts(kDemo.toStdString());
                return counts && counts->size() == 2 && (*counts)[0].users >= 120 && (*counts)[1].users >= 120;
            },
            30000);
        host.stopSimulator();
        QVERIFY2(enough, "the simulator brought users to both variants");
        // Let the last events settle, then read once more.
        std::optional<std::vector<experiments::VariantCounts>> before;
        QVERIFY(test::UiFixture::waitFor(
            [&] {
                auto now = m_fixture->engine().experimentResults().counts(kDemo.toStdString());
                const bool settled = before && now == before;
                before = now;
                if (!settled) QTest::qWait(250);
                return settled;
            },
            10000));
        QSignalSpy updated(&panel, &ui::ExperimentsPanel::resultsUpdated);
        panel.refreshResults();
        QVERIFY(updated.wait(10000 * test::timeScale()));

        auto* view = panel.resultsView();
        auto* model = view->model();
        QCOMPARE(model->rowCount(), 2);
        const auto counts = *m_fixture->engine().experimentResults().counts(kDemo.toStdString());
        using C = ui::ResultsTableModel;
        auto cell = [&](int row, int column) { return model->index(row, column).data(C::ValueRole); };
        QCOMPARE(model->index(0, C::Variant).data().toString(), QStringLiteral("control  (control)"));
        QCOMPARE(model->index(1, C::Variant).data().toString(), QStringLiteral("personalised"));
        for (int row = 0; row < 2; ++row) {
            const auto& c = counts[static_cast<std::size_t>(row)];
            QCOMPARE(cell(row, C::Users).toULongLong(), static_cast<qulonglong>(c.users));
            QCOMPARE(cell(row, C::Impressions).toULongLong(), static_cast<qulonglong>(c.itemsShown));
            QCOMPARE(cell(row, C::Clicks).toULongLong(), static_cast<qulonglong>(c.clicks));
            QCOMPARE(cell(row, C::Ctr).toDouble(), static_cast<double>(c.clicks) / static_cast<double>(c.itemsShown));
            QCOMPARE(cell(row, C::ClickRate).toDouble(),
                     static_cast<double>(c.clickers) / static_cast<double>(c.users));
            QCOMPARE(cell(row, C::ConversionRate).toDouble(),
                     static_cast<double>(c.converters) / static_cast<double>(c.users));
        }
        // The lift and p-value are the core's z-test on the same counts (one treatment:
        // Holm changes nothing).
        const auto z = experiments::zTest({counts[0].users, counts[0].clickers}, {counts[1].users, counts[1].clickers});
        QVERIFY(z.ok());
        QVERIFY(z->relativeLift.has_value());
        QVERIFY(std::abs(cell(1, C::Lift).toDouble() - *z->relativeLift) < 1e-12);
        QVERIFY(std::abs(cell(1, C::PValue).toDouble() - z->pValue) < 1e-12);
        const double chance = cell(1, C::ChanceToBeat).toDouble();
        QVERIFY(chance >= 0.0 && chance <= 1.0);
        QVERIFY(cell(1, C::ExpectedLoss).isValid());
        QVERIFY(!cell(0, C::Lift).isValid());

        // The table shows every variant without an inner scroll bar, and every header in full.
        QTableView* table = view->table();
        QApplication::processEvents();
        QVERIFY(test::UiFixture::waitFor([&] { return table->isVisible() && table->viewport()->height() > 0; }, 5000));
        QTest::qWait(50);  // the deferred fit after the last resize
        QVERIFY(!table->verticalScrollBar()->isVisible());
        int rowsHeight = 0;
        for (int row = 0; row < model->rowCount(); ++row) rowsHeight += table->rowHeight(row);
        QVERIFY2(
            table->viewport()->height() >= rowsHeight,
            qPrintable(
                QStringLiteral("viewport %1 px for %2 px of rows").arg(table->viewport()->height()).arg(rowsHeight)));
        QVERIFY(!table->horizontalScrollBar()->isVisible());
        for (int column = 0; column < C::ColumnCount; ++column) {
            QVERIFY2(
                table->horizontalHeader()->sectionSize(column) >= table->horizontalHeader()->sectionSizeHint(column),
                qPrintable(model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString()));
        }

        qInfo(
            "demo world, %llu/%llu users: control click rate %.3f (CTR %.4f), personalised click rate %.3f (CTR %.4f); "
            "lift %+.1f%% [%+.1f%%, %+.1f%%], p = %.4g, chance to beat control %.3f",
            static_cast<unsigned long long>(counts[0].users), static_cast<unsigned long long>(counts[1].users),
            cell(0, C::ClickRate).toDouble(), cell(0, C::Ctr).toDouble(), cell(1, C::ClickRate).toDouble(),
            cell(1, C::Ctr).toDouble(), *z->relativeLift * 100.0, z->relativeCiLow.value_or(0.0) * 100.0,
            z->relativeCiHigh.value_or(0.0) * 100.0, z->pValue, chance);

        // Indicators and the plain-language verdict.
        const QString srm = child<ui::KpiTile>(view, "srmTile")->value();
        QVERIFY2(srm == QStringLiteral("OK") || srm == QStringLiteral("Mismatch"), qPrintable(srm));
        QVERIFY(!child<ui::KpiTile>(view, "peekingTile")->value().isEmpty());
        QVERIFY(!view->verdictHeadline().isEmpty());
        QCOMPARE(view->verdictText().toLower(), QString::fromStdString(panel.currentResults()->verdict).toLower());
        qInfo("verdict: %s — %s", qPrintable(view->verdictHeadline()), qPrintable(view->verdictText()));

        // The metric over time: one line per variant.
        const auto lines = view->chart()->series();
        QCOMPARE(lines.size(), 2);
        QVERIFY(!lines[0].points.isEmpty() && !lines[1].points.isEmpty());
        QCOMPARE(lines.back().points.back().y(), cell(1, C::ClickRate).toDouble() * 100.0);

        // CSV export: a header and one row per variant with the same figures.
        const auto dir = test::makeTempDir("recdeck-exp-export");
        const QString path = QString::fromStdString((dir / "results.csv").string());
        QVERIFY(panel.exportResults(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList rows = QString::fromUtf8(file.readAll()).trimmed().split(QLatin1Char('\n'));
        QCOMPARE(rows.size(), 3);
        const QStringList header = rows[0].split(QLatin1Char(','));
        const QStringList treatment = rows[2].split(QLatin1Char(','));
        QCOMPARE(treatment[header.indexOf(QStringLiteral("variant"))], QStringLiteral("personalised"));
        QCOMPARE(treatment[header.indexOf(QStringLiteral("users"))].toULongLong(),
                 static_cast<qulonglong>(counts[1].users));
        QVERIFY(std::abs(treatment[header.indexOf(QStringLiteral("p_value"))].toDouble() - z->pValue) < 1e-9);
        std::filesystem::remove_all(dir);
    }
};

QTEST_MAIN(TestExperimentsPanel)
#include "test_experiments_panel.moc"

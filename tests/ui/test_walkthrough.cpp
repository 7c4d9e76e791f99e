// A scripted walkthrough of the real main window, as a product manager and an engineer use
// it, at the smallest supported window (1024×700) and at 1920×1080:
//
//   PM:       a new 3-variant experiment, sized with the calculator (its plan carries the
//             Holm correction), started while the demo experiment holds every user (the
//             Start dialog offers to share its traffic), results watched while simulated
//             traffic runs, stopped (the readout says it is frozen), results and
//             definition exported;
//   engineer: a user inspected, a purchase recorded, two models compared.
//
// At every step the visible panel is checked for widgets laid over each other, and a
// screenshot is saved: to $RECDECK_WALKTHROUGH_DIR when set (docs/screenshots/walkthrough
// for the README), else to a temporary folder that is removed.

#include <QAbstractItemModel>
#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

#include "recdeck/experiments/statistics.h"
#include "recdeck/ui/common/elided_label.h"
#include "recdeck/ui/common/kpi_tile.h"
#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/experiments/experiment_editor.h"
#include "recdeck/ui/experiments/experiments_panel.h"
#include "recdeck/ui/experiments/results_view.h"
#include "recdeck/ui/experiments/sample_size_calculator.h"
#include "recdeck/ui/inspector/activity_card.h"
#include "recdeck/ui/inspector/inspector_panel.h"
#include "recdeck/ui/shell/main_window.h"
#include "test_support.h"
#include "ui_fixture.h"
#include "widget_lookup.h"

using namespace recdeck;
using test::buttonNamed;
using test::child;

namespace {

const QString kDemo = QStringLiteral("homepage-personalisation");

// Clicks a button of the next confirmation dialog (the real QMessageBox) once it is up.
class DialogClicker : public QObject {
public:
    explicit DialogClicker(QString button) : m_button(std::move(button)) {
        connect(&m_timer, &QTimer::timeout, this, [this] { poll(); });
        m_timer.start(20);
    }
    bool clicked() const { return m_clicked; }
    QString text() const { return m_text; }

private:
    void poll() {
        if (++m_ticks > 1000) m_timer.stop();
        for (QWidget* w : QApplication::topLevelWidgets()) {
            auto* box = qobject_cast<QMessageBox*>(w);
            if (!box || box->objectName() != QLatin1String("confirmDialog") || !box->isVisible()) continue;
            m_text = box->text();
            auto* button = box->findChild<QPushButton*>(m_button);
            if (!button) continue;
            m_timer.stop();
            m_clicked = true;
            button->click();
            return;
        }
    }
    QString m_button;
    QTimer m_timer;
    bool m_clicked = false;
    int m_ticks = 0;
    QString m_text;
};

// The first pair of visible sibling widgets, managed by one layout, drawn over each other
// ("" when none): what a window too small for its panels looks like.
QString overlapIn(QWidget* root) {
    for (QWidget* widget : root->findChildren<QWidget*>()) {
        if (!widget->isVisibleTo(root) || !widget->layout()) continue;
        QLayout* layout = widget->layout();
        QList<QWidget*> laid;
        for (int i = 0; i < layout->count(); ++i) {
            QWidget* item = layout->itemAt(i)->widget();
            if (item && item->isVisibleTo(root) && !item->geometry().isEmpty()) laid << item;
        }
        // Nested layouts place their widgets in the same parent: collect those too.
        std::function<void(QLayout*)> nested = [&](QLayout* l) {
            for (int i = 0; i < l->count(); ++i) {
                if (QLayout* inner = l->itemAt(i)->layout()) {
                    for (int j = 0; j < inner->count(); ++j) {
                        QWidget* item = inner->itemAt(j)->widget();
                        if (item && item->isVisibleTo(root) && !item->geometry().isEmpty()) laid << item;
                    }
                    nested(inner);
                }
            }
        };
        nested(layout);
        for (int a = 0; a < laid.size(); ++a) {
            for (int b = a + 1; b < laid.size(); ++b) {
                const QRect shared = laid[a]->geometry().intersected(laid[b]->geometry());
                if (shared.width() > 2 && shared.height() > 2) {
                    return QStringLiteral("%1 (%2) overlaps %3 (%4) in %5")
                        .arg(laid[a]->objectName(), QString::fromLatin1(laid[a]->metaObject()->className()),
                             laid[b]->objectName(), QString::fromLatin1(laid[b]->metaObject()->className()),
                             widget->objectName());
                }
            }
        }
    }
    return {};
}

}  // namespace

class TestWalkthrough : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<test::UiFixture> m_fixture;
    QString m_shots;
    bool m_keepShots = false;
    QSize m_size;

    void settle(int ms = 150) {
        QTest::qWait(ms);
        QApplication::processEvents();
    }

    // Checks the visible panel for overlaps and saves what the user sees.
    void look(ui::MainWindow& window, const QString& step) {
        settle();
        QWidget* panel = window.panel(window.currentPanel());
        QVERIFY(panel);
        // The picture first, so a failure below can be looked at.
        const QString file =
            QDir(m_shots).filePath(QStringLiteral("%1x%2-%3.png").arg(m_size.width()).arg(m_size.height()).arg(step));
        QVERIFY2(window.grab().save(file), qPrintable(file));
        const QString overlap = overlapIn(panel);
        QVERIFY2(overlap.isEmpty(), qPrintable(step + QStringLiteral(": ") + overlap));
        // The panel fits the width the window gives it (it may scroll down, never sideways).
        const int needed = panel->minimumSizeHint().width();
        const int available = panel->parentWidget()->width();  // the scroll area's viewport
        QVERIFY2(needed <= available,
                 qPrintable(QStringLiteral("%1: the panel needs %2 pixels of width, the window gives it %3")
                                .arg(step)
                                .arg(needed)
                                .arg(available)));
        // One-line headers fit or end in "…" with the whole text in the tool tip.
        for (const auto* label : panel->findChildren<ui::ElidedLabel*>()) {
            if (!label->isVisible()) continue;
            QVERIFY2(label->fontMetrics().horizontalAdvance(label->text()) <= label->width(),
                     qPrintable(step + QStringLiteral(": clipped: ") + label->text()));
            if (label->text() != label->fullText()) {
                QVERIFY2(label->text().endsWith(QChar(0x2026)), qPrintable(label->text()));
                QCOMPARE(label->toolTip(), label->fullText());
            }
        }
    }

private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_walkthrough"));
        QSettings().clear();
        m_shots = qEnvironmentVariable("RECDECK_WALKTHROUGH_DIR");
        m_keepShots = !m_shots.isEmpty();
        if (!m_keepShots) m_shots = QString::fromStdString(test::makeTempDir("recdeck-walkthrough").string());
        QVERIFY(QDir().mkpath(m_shots));
        ui::theme::apply(*qApp);  // as the console looks (the screenshots go to the README)
        m_fixture = std::make_unique<test::UiFixture>();
        QString error;
        QVERIFY2(m_fixture->open(&error), qPrintable(error));
    }

    void cleanupTestCase() {
        m_fixture->host().stopSimulator();
        m_fixture.reset();
        if (!m_keepShots) QDir(m_shots).removeRecursively();
    }

    void walkthrough_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1024x700") << QSize(1024, 700);
        QTest::newRow("1920x1080") << QSize(1920, 1080);
    }

    void walkthrough() {
        QFETCH(QSize, size);
        m_size = size;
        auto& host = m_fixture->host();
        auto& registry = m_fixture->engine().experiments();
        ui::MainWindow window(host, m_fixture->feed(), m_fixture->fleet());
        window.resize(size);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.size(), size);
        for (const QString& id : window.panelIds()) {
            window.showPanel(id);
            look(window, QStringLiteral("panel-") + id);
        }

        // --- PM: design a 3-variant experiment ---
        const std::string key = "walkthrough-" + std::to_string(size.width());
        window.showPanel(QStringLiteral("experiments"));
        auto* panel = qobject_cast<ui::ExperimentsPanel*>(window.panel(QStringLiteral("experiments")));
        QVERIFY(panel);
        QTest::mouseClick(child<QPushButton>(panel, "newButton"), Qt::LeftButton);
        auto* editor = panel->editor();
        QVERIFY(editor->isNew());
        auto* keyEdit = child<QLineEdit>(editor, "keyEdit");
        keyEdit->selectAll();
        QTest::keyClicks(keyEdit, QString::fromStdString(key));
        QTest::mouseClick(child<QPushButton>(editor, "addVariantButton"), Qt::LeftButton);
        QCOMPARE(editor->definition().variants.size(), std::size_t{3});
        auto* variants = child<QTableView>(editor, "variantsTable")->model();
        QVERIFY(variants->setData(variants->index(1, 3), QStringLiteral("itemknn"), Qt::EditRole));
        QVERIFY(variants->setData(variants->index(2, 3), QStringLiteral("als"), Qt::EditRole));
        QVERIFY2(editor->shareNote().contains(QStringLiteral("waits for users")), qPrintable(editor->shareNote()));
        look(window, QStringLiteral("pm-1-design"));
        QSignalSpy finished(panel, &ui::ExperimentsPanel::actionFinished);
        QTest::mouseClick(child<QPushButton>(editor, "saveButton"), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        QVERIFY2(finished.front().at(2).toBool(), qPrintable(finished.front().at(3).toString()));

        // --- size it: the calculator follows the design (3 variants, Holm for 2 comparisons) ---
        auto* tabs = child<QTabWidget>(panel, "experimentTabs");
        tabs->setCurrentWidget(panel->calculator());
        auto* calculator = panel->calculator();
        QCOMPARE(child<QSpinBox>(calculator, "calcVariants")->value(), 3);
        QVERIFY(!calculator->baselineSource().isEmpty());
        const auto inputs = calculator->inputs();
        const auto planned =
            experiments::plannedSampleSize({inputs.baseline, inputs.mde, inputs.scale, inputs.alpha, inputs.power}, 2);
        QVERIFY(planned.ok());
        QCOMPARE(calculator->perVariant(), planned->perVariant);
        look(window, QStringLiteral("pm-2-sample-size"));
        // A drop-down list as the user sees it: the current entry highlighted, readable.
        auto* scale = child<QComboBox>(calculator, "calcEffectScale");
        scale->showPopup();
        settle();
        QVERIFY(scale->view()->isVisible());
        QVERIFY(scale->view()->window()->grab().save(
            QDir(m_shots).filePath(QStringLiteral("%1x%2-dropdown.png").arg(m_size.width()).arg(m_size.height()))));
        scale->hidePopup();
        QTest::mouseClick(child<QPushButton>(calculator, "calcUsePlan"), Qt::LeftButton);
        QVERIFY(editor->isDirty());
        finished.clear();
        QTest::mouseClick(child<QPushButton>(editor, "saveButton"), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        QVERIFY(finished.front().at(2).toBool());

        // --- start: the demo holds every user; share its traffic on purpose ---
        finished.clear();
        {
            DialogClicker share(QStringLiteral("confirmChoice1"));
            QTest::mouseClick(child<QPushButton>(panel, "startButton"), Qt::LeftButton);
            QVERIFY(share.clicked());
            QVERIFY2(share.text().contains(kDemo), qPrintable(share.text()));
        }
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        QVERIFY2(finished.front().at(2).toBool(), qPrintable(finished.front().at(3).toString()));
        QCOMPARE(registry.get(key)->state, experiments::ExperimentState::Running);
        QVERIFY(registry.get(key)->trafficEnd > registry.get(key)->trafficBegin);

        // --- watch results while simulated traffic runs ---
        host.setSimulatorRate(400);
        host.startSimulator();
        tabs->setCurrentWidget(panel->resultsView());
        QVERIFY(test::UiFixture::waitFor(
            [&] {
                const auto& r = panel->currentResults();
                if (!r || r->key != key || r->variants.size() != 3) return false;
                for (const auto& v : r->variants)
                    if (v.counts.users < 20) return false;
                return true;
            },
            60000));
        QVERIFY(!panel->resultsView()->verdictHeadline().isEmpty());
        look(window, QStringLiteral("pm-3-results"));

        // --- stop: the readout freezes at the stop and says so ---
        finished.clear();
        {
            DialogClicker stop(QStringLiteral("confirmAccept"));
            QTest::mouseClick(child<QPushButton>(panel, "stopButton"), Qt::LeftButton);
            QVERIFY(stop.clicked());
        }
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        host.stopSimulator();
        QVERIFY(test::UiFixture::waitFor([&] {
            const auto& r = panel->currentResults();
            return r && r->key == key && r->state == experiments::ExperimentState::Stopped;
        }));
        QVERIFY(test::UiFixture::waitFor([&] { return !panel->resultsView()->frozenText().isEmpty(); }));
        QVERIFY(panel->resultsView()->verdictHeadline().startsWith(QStringLiteral("Stopped")));
        // The demo took its users back.
        QVERIFY(test::UiFixture::waitFor([&] { return registry.get(kDemo.toStdString())->trafficEnd == 10000u; }));
        look(window, QStringLiteral("pm-4-stopped"));

        // --- export ---
        const QString results = QDir(m_shots).filePath(QString::fromStdString(key) + QStringLiteral("-results.csv"));
        const QString definition = QDir(m_shots).filePath(QString::fromStdString(key) + QStringLiteral(".json"));
        QVERIFY(panel->exportResults(results));
        QVERIFY(panel->exportDefinition(definition));
        QFile csv(results);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readAll().count('\n') >= 4);  // a header and three variants
        QFile::remove(results);
        QFile::remove(definition);

        // --- engineer: inspect a user, record a purchase, compare two models ---
        window.showPanel(QStringLiteral("inspector"));
        auto* inspector = qobject_cast<ui::InspectorPanel*>(window.panel(QStringLiteral("inspector")));
        QVERIFY(inspector);
        QVERIFY(test::UiFixture::waitFor([&] { return inspector->inspections() >= 1 && !inspector->busy(); }));
        auto* search = child<QLineEdit>(inspector, "userSearch");
        const QString user = QString::fromStdString(m_fixture->engine().snapshot()->dataset->users.id(11));
        const int before = inspector->inspections();
        search->clear();
        QTest::keyClicks(search, user);
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(test::UiFixture::waitFor([&] { return inspector->inspections() > before && !inspector->busy(); }));
        QCOMPARE(inspector->currentUser(), user);
        look(window, QStringLiteral("eng-1-inspect"));
        auto* table = child<QTableView>(inspector, "recommendationsTable");
        QVERIFY(table->model()->rowCount() >= 3);
        table->scrollTo(table->model()->index(1, 1));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(table->model()->index(1, 1)).center());
        auto* activity = child<ui::ActivityCard>(inspector, "activityCard");
        QVERIFY(!activity->itemId().isEmpty());
        QTest::mouseClick(buttonNamed(*inspector, QStringLiteral("recordPurchaseButton")), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return inspector->recordedEvents() >= 1 && !inspector->busy(); }));
        QVERIFY(activity->entries().join(QLatin1Char('\n')).contains(QStringLiteral("committed")));
        QVERIFY(inspector->comparisons() >= 1);
        look(window, QStringLiteral("eng-2-purchase-and-compare"));
        window.close();
    }
};

QTEST_MAIN(TestWalkthrough)
#include "test_walkthrough.moc"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTest>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <fstream>

#include "recdeck/ui/common/theme.h"
#include "recdeck/ui/connection/connection_panel.h"
#include "recdeck/ui/connection/dataset_card.h"
#include "recdeck/ui/inspector/activity_card.h"
#include "recdeck/ui/inspector/inspector_panel.h"
#include "recdeck/ui/shell/help_dialog.h"
#include "recdeck/ui/shell/main_window.h"
#include "recdeck/ui/shell/screenshot.h"
#include "test_support.h"
#include "ui_fixture.h"

using namespace recdeck;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
    }

    void opensWithEveryPanelAndAnEngine() {
        test::UiFixture fixture;
        ui::MainWindow window(fixture.host(), fixture.feed(), fixture.fleet());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QStringList expected = {QStringLiteral("dashboard"), QStringLiteral("experiments"),
                                      QStringLiteral("inspector"), QStringLiteral("cache"),
                                      QStringLiteral("models"),    QStringLiteral("connection"),
                                      QStringLiteral("fleet")};
        QCOMPARE(window.panelIds(), expected);
        for (const auto& id : expected) QVERIFY2(window.panel(id) != nullptr, qPrintable(id));
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        QVERIFY(fixture.host().isOpen());
        QVERIFY(fixture.engine().registry().defaultEntry());
        // The demo starts with a running experiment for the Experiments panel.
        QVERIFY(!fixture.engine().experiments().running().empty());
    }

    void simulatorIsControlledFromTheToolBar() {
        test::UiFixture fixture;
        ui::MainWindow window(fixture.host(), fixture.feed(), fixture.fleet());
        window.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto* action = window.findChild<QAction*>(QStringLiteral("simulatorAction"));
        auto* rate = window.findChild<QSpinBox*>(QStringLiteral("simulatorRate"));
        QVERIFY(action && rate);
        rate->setValue(200);
        QCOMPARE(fixture.host().simulatorRate(), 200.0);
        action->trigger();
        QVERIFY(fixture.host().simulatorRunning());
        QVERIFY(test::UiFixture::waitFor([&] {
            const auto stats = fixture.host().simulatorStats();
            return stats && stats->requests > 20;
        }));
        action->trigger();
        QVERIFY(!fixture.host().simulatorRunning());
    }

    // Menus open by their underlined letters, one letter per entry ("Connection & data" has
    // a literal ampersand, not a mnemonic on the space before "data").
    void menusHaveDistinctMnemonicsAndHelp() {
        test::UiFixture fixture;
        ui::MainWindow window(fixture.host(), fixture.feed(), fixture.fleet());
        QCOMPARE(window.minimumSize(), QSize(1024, 700));
        for (QMenu* menu : window.menuBar()->findChildren<QMenu*>()) {
            QSet<QChar> letters;
            for (QAction* action : menu->actions()) {
                if (action->isSeparator()) continue;
                QString text = action->text();
                text.replace(QStringLiteral("&&"), QString());
                QVERIFY2(text.count(QLatin1Char('&')) == 1, qPrintable(action->text()));
                const qsizetype at = text.indexOf(QLatin1Char('&'));
                QVERIFY2(at + 1 < text.size() && text[at + 1].isLetterOrNumber(), qPrintable(action->text()));
                const QChar letter = text[at + 1].toLower();
                QVERIFY2(!letters.contains(letter), qPrintable(action->text()));
                letters.insert(letter);
            }
        }
        auto* connection = window.findChild<QAction*>(QStringLiteral("connectionAction"));
        QVERIFY(connection);
        QCOMPARE(connection->text(), QStringLiteral("C&onnection && data"));

        // Help: shortcuts, how to read a verdict, the README.
        auto* shortcuts = window.findChild<QAction*>(QStringLiteral("shortcutsAction"));
        QVERIFY(shortcuts);
        QCOMPARE(shortcuts->shortcut(), QKeySequence(Qt::Key_F1));
        shortcuts->trigger();
        QVERIFY(window.helpDialog() && window.helpDialog()->isVisible());
        QVERIFY(window.helpDialog()->pageText().contains(QStringLiteral("Ctrl+1")));
        QVERIFY(window.helpDialog()->pageText().contains(QStringLiteral("F6")));
        window.findChild<QAction*>(QStringLiteral("verdictHelpAction"))->trigger();
        QVERIFY(window.helpDialog()->pageText().contains(QStringLiteral("Holm")));
        QVERIFY(window.helpDialog()->pageText().contains(QStringLiteral("Guardrails")));
        window.findChild<QAction*>(QStringLiteral("readmeAction"))->trigger();
        QVERIFY2(window.helpDialog()->pageText().contains(QStringLiteral("recdeckd serve")),
                 qPrintable(window.helpDialog()->pageText().left(200)));
        QVERIFY(!ui::HelpDialog::readmeMarkdown().contains(QStringLiteral("![")));  // no pictures in a dialog
    }

    // Importing a dataset switches the whole console: the status bar names it, the
    // simulated users are the dataset's, and the inspector leaves the previous world.
    void importSwitchesTheWholeConsole() {
        test::UiFixture fixture;
        ui::MainWindow window(fixture.host(), fixture.feed(), fixture.fleet());
        window.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto* status = window.findChild<QLabel*>(QStringLiteral("statusData"));
        QVERIFY(status->text().contains(QStringLiteral("Demo world")));
        auto* inspector = qobject_cast<ui::InspectorPanel*>(window.panel(QStringLiteral("inspector")));
        QVERIFY(test::UiFixture::waitFor([&] { return inspector->inspections() >= 1 && !inspector->busy(); }));
        inspector->findChild<ui::ActivityCard*>(QStringLiteral("activityCard"))->setItem(QStringLiteral("item_0001"));

        const auto dir = test::makeTempDir("recdeck-import");
        const auto file = dir / "shop.csv";
        {
            std::ofstream out(file);
            out << "user,item,rating,timestamp\n";
            for (int u = 0; u < 40; ++u)
                for (int k = 0; k < 8; ++k)
                    out << "shopper" << u << ",sku" << (u * 7 + k * 3) % 60 << ",1,1600000000\n";
        }
        fixture.host().startSimulator();
        auto* connection = qobject_cast<ui::ConnectionPanel*>(window.panel(QStringLiteral("connection")));
        QSignalSpy finished(connection->datasetCard(), &ui::DatasetCard::importFinished);
        serving::DatasetSource source;
        source.interactions = file;
        connection->datasetCard()->startImport(source);
        QVERIFY(test::waitForCondition([&] { return !finished.isEmpty(); }, 120000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));

        QVERIFY2(status->text().contains(QStringLiteral("shop.csv")), qPrintable(status->text()));
        QVERIFY2(fixture.host().simulatorTruth().contains(QStringLiteral("40 users of shop.csv")),
                 qPrintable(fixture.host().simulatorTruth()));
        QVERIFY(fixture.host().simulatorRunning());  // it kept running, now on the new users
        const auto before = fixture.host().simulatorStats()->requests;
        QVERIFY(test::UiFixture::waitFor([&] { return fixture.host().simulatorStats()->requests > before + 30; }));
        fixture.host().stopSimulator();
        // Every list served since is for a user of the new data.
        const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
        const auto events = fixture.engine().eventLog().range(now - 60'000, now + 1, 100'000);
        QVERIFY(events.ok());
        int newUsers = 0;
        int seen = 0;
        for (auto it = events->rbegin(); it != events->rend() && seen < 25; ++it) {
            if (it->type != store::EventType::Impression) continue;
            ++seen;
            // The dataset's users, or new users the simulator makes up (served cold-start).
            QVERIFY2(it->userId.rfind("shopper", 0) == 0 || it->userId.rfind("newcomer", 0) == 0, it->userId.c_str());
            if (it->userId.rfind("shopper", 0) == 0) ++newUsers;
        }
        QVERIFY(newUsers > 0);
        // The inspector: a user of the new data, and no item of the old world to act on.
        QVERIFY(
            test::UiFixture::waitFor([&] { return inspector->currentUser().startsWith(QStringLiteral("shopper")); }));
        QVERIFY(inspector->findChild<ui::ActivityCard*>(QStringLiteral("activityCard"))->itemId().isEmpty());
        std::filesystem::remove_all(dir);
    }

    // The mouse wheel over a spin box or a drop-down scrolls the page until the field has
    // the focus; drop-down lists use the style sheet's readable highlight.
    void wheelScrollsThePageUntilAFieldHasFocus() {
        ui::theme::apply(*qApp);
        QScrollArea area;
        auto* page = new QWidget;
        auto* layout = new QVBoxLayout(page);
        auto* alpha = new QDoubleSpinBox(page);
        alpha->setRange(0.1, 50.0);
        alpha->setValue(5.0);
        auto* combo = new QComboBox(page);
        combo->addItems({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        layout->addWidget(alpha);
        layout->addWidget(combo);
        layout->addSpacing(2000);
        area.setWidget(page);
        area.resize(300, 200);
        area.show();
        QVERIFY(QTest::qWaitForWindowExposed(&area));
        area.setFocusPolicy(Qt::StrongFocus);
        area.setFocus();  // not the first field, which a shown window focuses by itself
        QVERIFY(test::UiFixture::waitFor([&] { return area.hasFocus(); }, 2000));
        // True when the field took the wheel; an ignored one goes to the parents (a real,
        // spontaneous wheel event is offered to the scroll area next).
        auto wheel = [](QWidget* target) {
            const QPoint at = target->rect().center();
            QWheelEvent event(QPointF(at), QPointF(target->mapToGlobal(at)), QPoint(), QPoint(0, -120), Qt::NoButton,
                              Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(target, &event);
            return event.isAccepted();
        };
        QCOMPARE(alpha->focusPolicy(), Qt::StrongFocus);
        QVERIFY(!wheel(alpha));
        QCOMPARE(alpha->value(), 5.0);
        QVERIFY(!wheel(combo));
        QCOMPARE(combo->currentIndex(), 0);
        alpha->setFocus();
        QVERIFY(test::UiFixture::waitFor([&] { return alpha->hasFocus(); }, 2000));
        QVERIFY(wheel(alpha));
        QVERIFY(alpha->value() < 5.0);  // focused: the wheel edits it
        QVERIFY(qobject_cast<QStyledItemDelegate*>(combo->view()->itemDelegate()));
    }

    void rendersEveryPanelToPng() {
        test::UiFixture fixture;
        ui::MainWindow window(fixture.host(), fixture.feed(), fixture.fleet());
        window.show();
        const auto dir = test::makeTempDir("recdeck-shots");
        QString error;
        const QStringList files = ui::renderPanels(window, QString::fromStdString(dir.string()), &error);
        QVERIFY2(!files.isEmpty(), qPrintable(error));
        QCOMPARE(files.size(), window.panelIds().size());
        for (const auto& file : files) QVERIFY(QImage(file).width() > 100);
        std::filesystem::remove_all(dir);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"

#include <QAction>
#include <QSpinBox>
#include <QTest>

#include "shell/main_window.h"
#include "shell/screenshot.h"
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

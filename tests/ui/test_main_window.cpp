#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <memory>

#include "data/data_panel.h"
#include "recdeck/data/synthetic_world.h"
#include "shell/main_window.h"
#include "shell/screenshot.h"
#include "test_support.h"

using namespace recdeck;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
    }

    void opensWithEveryPanel() {
        ui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QStringList expected = {QStringLiteral("dashboard"), QStringLiteral("experiments"),
                                      QStringLiteral("inspector"), QStringLiteral("cache"),
                                      QStringLiteral("models"),    QStringLiteral("connection"),
                                      QStringLiteral("fleet")};
        QCOMPARE(window.panelIds(), expected);
        for (const auto& id : expected) QVERIFY2(window.panel(id) != nullptr, qPrintable(id));
    }

    void catalogShowsTheDataset() {
        data::WorldConfig config;
        config.users = 50;
        config.items = 40;
        auto world = std::make_shared<data::SyntheticWorld>(config);
        ui::MainWindow window;
        window.setDataset(std::shared_ptr<const data::Dataset>(world, &world->dataset()), QStringLiteral("Test world"));
        window.showPanel(QStringLiteral("connection"));
        window.show();
        auto* view = window.dataPanel()->catalogView();
        QCOMPARE(view->model()->rowCount(), 40);
        // Filtering narrows the rows to matching items.
        window.dataPanel()->filterEdit()->setText(QStringLiteral("item_0007"));
        QCOMPARE(view->model()->rowCount(), 1);
    }

    void rendersEveryPanelToPng() {
        ui::MainWindow window;
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

// Connection & data: the panel on a real engine — the data summary and catalog, the
// Redis connection test against a real redis-server and a closed port, applying a Redis
// backend (the password never reaches QSettings), importing a small CSV through the
// panel's import path (summary updated, warnings reported), an invalid file reported as
// file:line, format detection in the import dialog, and the export of experiment results.

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTest>
#include <QTextStream>
#include <QTreeWidget>

#include <filesystem>
#include <fstream>

#include "recdeck/ui/connection/backend_card.h"
#include "recdeck/ui/connection/connection_panel.h"
#include "recdeck/ui/connection/dataset_card.h"
#include "recdeck/ui/connection/export_card.h"
#include "recdeck/ui/connection/import_dialog.h"
#include "recdeck/ui/connection/import_report_view.h"
#include "recdeck/ui/connection/redis_connection.h"
#include "redis_server.h"
#include "test_support.h"
#include "ui_fixture.h"
#include "widget_lookup.h"

using namespace recdeck;
using test::buttonNamed;
using test::closedPort;

namespace {

// One CSV record (RFC 4180 quoting, no embedded line breaks).
QStringList csvCells(const QString& line) {
    QStringList cells;
    QString cell;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < line.size() && line[i + 1] == QLatin1Char('"')) {
                cell += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            cells << cell;
            cell.clear();
        } else {
            cell += c;
        }
    }
    cells << cell;
    return cells;
}

QString locale(std::size_t value) {
    return QLocale().toString(static_cast<qulonglong>(value));
}

// 30 users x 8 items each over 40 items, then one exact duplicate of the first row.
// Returns the line number of the duplicate.
int writeInteractions(const std::filesystem::path& path) {
    std::ofstream out(path);
    out << "user,item,rating,timestamp\n";
    int line = 1;
    for (int u = 0; u < 30; ++u) {
        for (int k = 0; k < 8; ++k) {
            out << "user" << u << ",item" << (u * 3 + k * 5) % 40 << "," << (1 + (u + k) % 5) << ","
                << 1'600'000'000 + u * 100 + k << "\n";
            ++line;
        }
    }
    out << "user0,item0,1,1600000000\n";
    return line + 1;
}

}  // namespace

class TestConnectionPanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_connection_panel"));
        QSettings().clear();
        m_dir = test::makeTempDir("recdeck-connection");
        qunsetenv("RECDECK_REDIS_PASSWORD");
    }
    void cleanupTestCase() { std::filesystem::remove_all(m_dir); }

    void showsTheDataAndTheCatalog() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::ConnectionPanel panel(fixture.host());
        panel.resize(1300, 850);
        panel.show();
        const auto info = fixture.engine().dataInfo();
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("dataUsers"))->text(), locale(info.users));
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("dataItems"))->text(), locale(info.items));
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("dataCategories"))->text(), locale(info.categories));
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("dataInteractions"))->text(), locale(info.interactions));
        QVERIFY(panel.findChild<QLabel*>(QStringLiteral("dataDescription"))
                    ->text()
                    .contains(QString::fromStdString(info.description)));
        QCOMPARE(panel.visibleCatalogRows(), static_cast<int>(info.items));
        // The catalog's search narrows the table.
        auto* table = panel.findChild<QTableView*>(QStringLiteral("catalogTable"));
        const QString firstId = table->model()->index(0, 0).data().toString();
        QTest::keyClicks(panel.findChild<QLineEdit*>(QStringLiteral("catalogSearch")), firstId);
        QVERIFY(panel.visibleCatalogRows() >= 1);
        QVERIFY(panel.visibleCatalogRows() < static_cast<int>(info.items));
        // Embedded is the current backend and shown healthy; nothing to test there.
        QVERIFY(panel.findChild<QRadioButton*>(QStringLiteral("backendEmbedded"))->isChecked());
        QVERIFY(panel.findChild<QLabel*>(QStringLiteral("backendStatus"))->text().contains(QStringLiteral("Embedded")));
        QVERIFY(!buttonNamed(panel, QStringLiteral("testConnection"))->isEnabled());
    }

    void testConnectionReachesARealRedis() {
        test::RedisServer server;
        RECDECK_REQUIRE_REDIS_SERVER(server);
        test::UiFixture fixture;
        ui::ConnectionPanel panel(fixture.host());
        QString message;
        QVERIFY2(runTest(panel, QString::fromStdString(server.url()), QString(), &message), qPrintable(message));
        const QString shown = panel.findChild<QLabel*>(QStringLiteral("connectionResult"))->text();
        QVERIFY2(shown.contains(QStringLiteral("Connected")), qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("round trip")), qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("127.0.0.1:%1").arg(server.port())), qPrintable(shown));
    }

    void testConnectionWithAPassword() {
        test::RedisServer server(test::RedisServer::Options{"pa:ss@word"});
        RECDECK_REQUIRE_REDIS_SERVER(server);
        test::UiFixture fixture;
        ui::ConnectionPanel panel(fixture.host());
        const QString url = QStringLiteral("redis://127.0.0.1:%1/0").arg(server.port());
        QString message;
        QVERIFY2(runTest(panel, url, QStringLiteral("pa:ss@word"), &message), qPrintable(message));
        QVERIFY(!runTest(panel, url, QStringLiteral("wrong"), &message));
        QVERIFY2(message.contains(QStringLiteral("rejected the credentials")), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("wrong")), qPrintable(message));  // never echoes the password
        QVERIFY(!runTest(panel, url, QString(), &message));
        QVERIFY2(message.contains(QStringLiteral("password")), qPrintable(message));
    }

    void testConnectionToAClosedPortSaysWhy() {
        test::UiFixture fixture;
        ui::ConnectionPanel panel(fixture.host());
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        QString message;
        QVERIFY(!runTest(panel, QStringLiteral("redis://127.0.0.1:%1/0").arg(port), QString(), &message));
        QVERIFY2(message.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("unreachable")), qPrintable(message));
        const QString shown = panel.findChild<QLabel*>(QStringLiteral("connectionResult"))->text();
        QVERIFY2(shown.contains(QStringLiteral("Connection failed")), qPrintable(shown));
        // A malformed URL is refused before any connection, with the expected form.
        QVERIFY(!runTest(panel, QStringLiteral("redis://127.0.0.1:notaport"), QString(), &message));
        QVERIFY2(message.contains(QStringLiteral("port")), qPrintable(message));
    }

    void passwordIsKeptOutOfTheSavedUrl_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("redacted");
        QTest::addColumn<QString>("storedPassword");  // what fromSpec() gives back
        QTest::newRow("no password") << "redis://h:6380/2"
                                     << ""
                                     << "redis://h:6380/2"
                                     << "redis://h:6380/2"
                                     << "";
        QTest::newRow("password field") << "redis://h:6380/0"
                                        << "p@ss:w/rd"
                                        << "redis://:p%40ss%3Aw%2Frd@h:6380/0"
                                        << "redis://h:6380/0"
                                        << "p@ss:w/rd";
        QTest::newRow("password in the URL") << "redis://:secret@h"
                                             << ""
                                             << "redis://:secret@h:6379/0"
                                             << "redis://h:6379/0"
                                             << "secret";
        QTest::newRow("field wins over the URL") << "redis://:old@h"
                                                 << "new"
                                                 << "redis://:new@h:6379/0"
                                                 << "redis://h:6379/0"
                                                 << "new";
        QTest::newRow("scheme added") << "127.0.0.1:7000"
                                      << ""
                                      << "redis://127.0.0.1:7000/0"
                                      << "redis://127.0.0.1:7000/0"
                                      << "";
    }
    void passwordIsKeptOutOfTheSavedUrl() {
        QFETCH(QString, url);
        QFETCH(QString, password);
        QFETCH(QString, spec);
        QFETCH(QString, redacted);
        QFETCH(QString, storedPassword);
        const ui::RedisSettings settings{url, password};
        QString error;
        const auto made = settings.spec(&error);
        QVERIFY2(made.has_value(), qPrintable(error));
        QCOMPARE(QString::fromStdString(*made), spec);
        QCOMPARE(settings.redacted(), redacted);
        const auto back = ui::RedisSettings::fromSpec(*made);
        QCOMPARE(back.url, redacted);
        QCOMPARE(back.password, storedPassword);
    }

    void applyingRedisReopensTheEngineWithoutSavingThePassword() {
        test::RedisServer server(test::RedisServer::Options{"hunter2"});
        RECDECK_REQUIRE_REDIS_SERVER(server);
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::ConnectionPanel panel(fixture.host());
        panel.findChild<QRadioButton*>(QStringLiteral("backendRedis"))->setChecked(true);
        panel.findChild<QLineEdit*>(QStringLiteral("redisUrl"))
            ->setText(QStringLiteral("redis://127.0.0.1:%1/0").arg(server.port()));
        panel.findChild<QLineEdit*>(QStringLiteral("redisPassword"))->setText(QStringLiteral("hunter2"));
        bool opened = false;
        QString failure;
        connect(&fixture.host(), &ui::EngineHost::opened, this, [&] { opened = true; });
        connect(&fixture.host(), &ui::EngineHost::openFailed, this, [&](const QString& m) { failure = m; });
        QVERIFY(panel.backendCard()->apply(false));
        QVERIFY(test::waitForCondition([&] { return opened || !failure.isEmpty(); }, 120000));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        const QString expected = QStringLiteral("redis://127.0.0.1:%1/0").arg(server.port());
        QCOMPARE(fixture.host().backend(), expected);
        QCOMPARE(QSettings().value(QStringLiteral("backend/store")).toString(), expected);
        // Nowhere in the settings file.
        QSettings settings;
        settings.sync();
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("hunter2"));
        QVERIFY(
            panel.findChild<QLabel*>(QStringLiteral("backendStatus"))->text().contains(QStringLiteral("connected")));
        // Applying the same backend again changes nothing.
        QVERIFY(!panel.backendCard()->apply(false));
    }

    void importsACsvAndReportsWarnings() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::ConnectionPanel panel(fixture.host());
        const auto file = m_dir / "interactions.csv";
        const int duplicateLine = writeInteractions(file);
        QSignalSpy dataChanged(&fixture.host(), &ui::EngineHost::dataChanged);
        QSignalSpy finished(panel.datasetCard(), &ui::DatasetCard::importFinished);
        serving::DatasetSource source;
        source.interactions = file;
        panel.datasetCard()->startImport(source);
        QVERIFY(panel.datasetCard()->importing());
        QVERIFY(panel.findChild<QWidget*>(QStringLiteral("importProgress"))->isVisibleTo(&panel));
        QVERIFY(test::waitForCondition([&] { return !finished.isEmpty(); }, 120000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QCOMPARE(dataChanged.size(), 1);
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("dataUsers"))->text(), QStringLiteral("30"));
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("dataItems"))->text(),
                 locale(fixture.engine().dataInfo().items));
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("dataInteractions"))->text(), QStringLiteral("240"));
        QCOMPARE(panel.visibleCatalogRows(), static_cast<int>(fixture.engine().dataInfo().items));
        QVERIFY(!panel.findChild<QWidget*>(QStringLiteral("importProgress"))->isVisibleTo(&panel));

        // The report: one file, 240 rows of 241 lines, the duplicate as a warning with its line.
        auto* tree = panel.findChild<QTreeWidget*>(QStringLiteral("importReport"));
        QVERIFY(tree && !tree->isHidden());
        QCOMPARE(tree->topLevelItemCount(), 1);
        QTreeWidgetItem* fileItem = tree->topLevelItem(0);
        QVERIFY2(fileItem->text(1).contains(QStringLiteral("240 rows imported of 241 lines")),
                 qPrintable(fileItem->text(1)));
        QTreeWidgetItem* duplicates = nullptr;
        for (int i = 0; i < fileItem->childCount(); ++i) {
            if (fileItem->child(i)->data(0, Qt::UserRole).toString() == QStringLiteral("duplicate_row"))
                duplicates = fileItem->child(i);
        }
        QVERIFY(duplicates);
        QCOMPARE(duplicates->text(1), QStringLiteral("1"));
        QVERIFY(duplicates->childCount() >= 1);
        const QString example = duplicates->child(0)->text(1);
        QVERIFY2(example.contains(QStringLiteral("interactions.csv:%1").arg(duplicateLine)), qPrintable(example));
        QVERIFY(panel.datasetCard()->report()->summary().contains(QStringLiteral("1 warnings")) ||
                panel.datasetCard()->report()->summary().contains(QStringLiteral("warning")));
    }

    void invalidFileReportsFileAndLine() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::ConnectionPanel panel(fixture.host());
        const auto before = fixture.engine().dataInfo();
        const auto file = m_dir / "bad.csv";
        {
            std::ofstream out(file);
            out << "user,item,rating\nu1,i1,4\nu2,i2,4\nu3,i3,lots\n";
        }
        QSignalSpy finished(panel.datasetCard(), &ui::DatasetCard::importFinished);
        serving::DatasetSource source;
        source.interactions = file;
        panel.datasetCard()->startImport(source);
        QVERIFY(test::waitForCondition([&] { return !finished.isEmpty(); }, 60000));
        QVERIFY(!finished.first().at(0).toBool());
        const QString message = finished.first().at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("bad.csv:4:")), qPrintable(message));
        auto* errorLabel = panel.findChild<QLabel*>(QStringLiteral("importError"));
        QVERIFY(errorLabel && !errorLabel->isHidden());
        QVERIFY2(errorLabel->text().contains(QStringLiteral("bad.csv:4:")), qPrintable(errorLabel->text()));
        // Nothing changed.
        QCOMPARE(fixture.engine().dataInfo().users, before.users);
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("dataUsers"))->text(), locale(before.users));
    }

    void importDialogShowsTheDetectedFormat() {
        const auto interactions = m_dir / "detect-interactions.csv";
        writeInteractions(interactions);
        const auto items = m_dir / "detect-items.csv";
        {
            std::ofstream out(items);
            out << "movieId,title,genres\n1,Toy Story (1995),Animation|Children\n2,Jumanji (1995),Adventure\n";
        }
        const auto empty = m_dir / "empty.csv";
        { std::ofstream out(empty); }
        ui::ImportDialog dialog;
        QSignalSpy detected(&dialog, &ui::ImportDialog::detected);
        dialog.setInteractionsFile(QString::fromStdString(interactions.string()));
        QVERIFY(test::waitForCondition([&] { return !detected.isEmpty(); }, 10000));
        QVERIFY2(dialog.interactionsDetection().contains(QStringLiteral("generic interactions")),
                 qPrintable(dialog.interactionsDetection()));
        QVERIFY(dialog.source().has_value());
        // An interactions file where the items file goes is refused.
        detected.clear();
        dialog.setItemsFile(QString::fromStdString(interactions.string()));
        QVERIFY(test::waitForCondition([&] { return !detected.isEmpty(); }, 10000));
        QVERIFY2(dialog.itemsDetection().contains(QStringLiteral("not items")), qPrintable(dialog.itemsDetection()));
        QVERIFY(!dialog.source().has_value());
        detected.clear();
        dialog.setItemsFile(QString::fromStdString(items.string()));
        QVERIFY(test::waitForCondition([&] { return !detected.isEmpty(); }, 10000));
        QVERIFY2(dialog.itemsDetection().contains(QStringLiteral("movies.csv")), qPrintable(dialog.itemsDetection()));
        QVERIFY(dialog.source().has_value() && dialog.source()->items.has_value());
        // An empty file: the detector's file:line message.
        detected.clear();
        dialog.setInteractionsFile(QString::fromStdString(empty.string()));
        QVERIFY(test::waitForCondition([&] { return !detected.isEmpty(); }, 10000));
        QVERIFY2(dialog.interactionsDetection().contains(QStringLiteral("empty.csv")),
                 qPrintable(dialog.interactionsDetection()));
        QVERIFY(!dialog.source().has_value());
    }

    // The panel is built before the engine opens (as in the console): once it opens, the
    // export card offers the demo experiment, and it follows the registry's changes.
    void exportCardFollowsTheExperiments() {
        test::UiFixture fixture;
        ui::ConnectionPanel panel(fixture.host());
        panel.resize(1228, 840);
        panel.show();
        auto* combo = panel.findChild<QComboBox*>(QStringLiteral("exportExperiment"));
        QVERIFY(combo);
        QVERIFY(!combo->isEnabled());
        QVERIFY(panel.exportCard()->selectedExperiment().isEmpty());
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        const QString demo = QStringLiteral("homepage-personalisation");
        QVERIFY(test::UiFixture::waitFor([&] { return panel.exportCard()->selectedExperiment() == demo; }, 10000));
        QVERIFY(combo->isEnabled());
        QCOMPARE(combo->currentIndex(), combo->findData(demo));
        QVERIFY2(combo->currentText().startsWith(demo) && combo->currentText().contains(QStringLiteral("running")),
                 qPrintable(combo->currentText()));

        // A new experiment appears, the pick stays, and a state change shows.
        experiments::Experiment experiment;
        experiment.key = "export-follows";
        experiment.layer = "export-follows-layer";
        experiment.variants = {{"control", 1.0, "popularity", std::nullopt}, {"knn", 1.0, "itemknn", std::nullopt}};
        QVERIFY(fixture.engine().experiments().create(experiment).ok());
        QVERIFY(
            test::UiFixture::waitFor([&] { return combo->findData(QStringLiteral("export-follows")) >= 0; }, 10000));
        QCOMPARE(panel.exportCard()->selectedExperiment(), demo);
        QVERIFY(fixture.engine().experiments().stop(demo.toStdString()).ok());
        QVERIFY(
            test::UiFixture::waitFor([&] { return !combo->currentText().contains(QStringLiteral("running")); }, 10000));
        QCOMPARE(panel.exportCard()->selectedExperiment(), demo);
    }

    void exportsResultsAsCsvAndJson() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        experiments::Experiment experiment;
        experiment.key = "export-check";
        experiment.layer = "export-layer";
        experiment.variants = {{"control", 1.0, "popularity", std::nullopt},
                               {"knn", 1.0, "itemknn", std::nullopt},
                               {"als", 1.0, "als", std::nullopt}};
        auto created = fixture.engine().experiments().create(experiment);
        QVERIFY2(created.ok(), created.ok() ? "" : created.errorMessage().c_str());
        // The demo experiment started first and covers every user; the earliest running
        // experiment serves a request, so stop it to let this one assign.
        QVERIFY(fixture.engine().experiments().stop("homepage-personalisation").ok());
        QVERIFY(fixture.engine().experiments().start("export-check").ok());
        for (int u = 0; u < 60; ++u) {
            serving::RecommendationRequest request;
            request.userId = fixture.engine().snapshot()->dataset->users.id(static_cast<data::Index>(u));
            QVERIFY(fixture.engine().recommend(request).ok());
        }
        // The impressions reach the results once committed: 60 distinct users in the arms.
        const auto assignedUsers = [&] {
            const auto results = fixture.engine().experimentResults().results("export-check");
            qulonglong total = 0;
            if (results.ok()) {
                for (const auto& v : results->variants) total += v.counts.users;
            }
            return total;
        };
        QVERIFY2(test::UiFixture::waitFor([&] { return assignedUsers() == 60; }),
                 qPrintable(QString::number(assignedUsers())));
        ui::ConnectionPanel panel(fixture.host());
        QVERIFY(test::UiFixture::waitFor([&] {
            auto* combo = panel.findChild<QWidget*>(QStringLiteral("exportExperiment"));
            return combo && combo->isEnabled();
        }));
        QSignalSpy finished(panel.exportCard(), &ui::ExportCard::exportFinished);
        const QString csvPath = QString::fromStdString((m_dir / "results.csv").string());
        panel.exportCard()->exportResults(QStringLiteral("export-check"), csvPath, ui::ResultsFormat::Csv);
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);  // header + a row per variant
        const QStringList header = lines[0].split(QLatin1Char(','));
        const auto column = [&](const char* name) {
            return static_cast<int>(header.indexOf(QString::fromLatin1(name)));
        };
        QVERIFY(column("variant") >= 0 && column("users") >= 0 && column("control") >= 0 &&
                column("relative_lift") >= 0);
        const QStringList names = {QStringLiteral("control"), QStringLiteral("knn"), QStringLiteral("als")};
        qulonglong users = 0;
        for (int i = 0; i < 3; ++i) {
            const QStringList cells = csvCells(lines[i + 1]);
            QCOMPARE(cells.size(), header.size());
            QCOMPARE(cells[column("experiment")], QStringLiteral("export-check"));
            QCOMPARE(cells[column("variant")], names[i]);
            QCOMPARE(cells[column("control")], i == 0 ? QStringLiteral("true") : QStringLiteral("false"));
            bool ok = false;
            users += cells[column("users")].toULongLong(&ok);
            QVERIFY(ok);
        }
        QCOMPARE(users, qulonglong{60});  // every user asked for a list is in one arm

        finished.clear();
        const QString jsonPath = QString::fromStdString((m_dir / "results.json").string());
        panel.exportCard()->exportResults(QStringLiteral("export-check"), jsonPath, ui::ResultsFormat::Json);
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        QVERIFY(finished.first().at(0).toBool());
        QFile json(jsonPath);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject document = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(document.value(QStringLiteral("key")).toString(), QStringLiteral("export-check"));
        QCOMPARE(document.value(QStringLiteral("variants")).toArray().size(), 3);

        // An unknown experiment is an error in the panel, not a file.
        finished.clear();
        panel.exportCard()->exportResults(QStringLiteral("no-such-experiment"),
                                          QString::fromStdString((m_dir / "none.csv").string()),
                                          ui::ResultsFormat::Csv);
        QVERIFY(test::UiFixture::waitFor([&] { return !finished.isEmpty(); }));
        QVERIFY(!finished.first().at(0).toBool());
        QVERIFY(!QFile::exists(QString::fromStdString((m_dir / "none.csv").string())));
    }

private:
    // Fills the Redis fields, presses Test connection and waits for the answer.
    static bool runTest(ui::ConnectionPanel& panel, const QString& url, const QString& password, QString* message) {
        panel.findChild<QRadioButton*>(QStringLiteral("backendRedis"))->setChecked(true);
        auto* urlField = panel.findChild<QLineEdit*>(QStringLiteral("redisUrl"));
        urlField->clear();
        QTest::keyClicks(urlField, url);
        auto* passwordField = panel.findChild<QLineEdit*>(QStringLiteral("redisPassword"));
        passwordField->clear();
        if (!password.isEmpty()) QTest::keyClicks(passwordField, password);
        QSignalSpy tested(panel.backendCard(), &ui::BackendCard::connectionTested);
        QTest::mouseClick(buttonNamed(panel, QStringLiteral("testConnection")), Qt::LeftButton);
        if (!test::waitForCondition([&] { return !tested.isEmpty(); }, 20000)) {
            *message = QStringLiteral("no answer from the connection test");
            return false;
        }
        *message = tested.first().at(1).toString();
        return tested.first().at(0).toBool();
    }

    std::filesystem::path m_dir;
};

QTEST_MAIN(TestConnectionPanel)
#include "test_connection_panel.moc"

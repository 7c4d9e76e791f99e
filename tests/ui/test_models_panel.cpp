#include <QAbstractButton>
#include <QAbstractItemModel>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "recdeck/ui/models/model_table_model.h"
#include "recdeck/ui/models/models_panel.h"
#include "recdeck/ui/models/task_progress.h"
#include "recdeck/ui/models/trade_off_chart.h"
#include "test_support.h"
#include "ui_fixture.h"
#include "widget_lookup.h"

using namespace recdeck;
using test::buttonNamed;
using test::child;

namespace {

void selectRow(QTableView* table, const QString& name) {
    auto* model = table->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(Qt::UserRole).toString() == name) {
            const QRect rect = table->visualRect(model->index(row, 1));
            QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
            return;
        }
    }
    qWarning("no row %s", qPrintable(name));
}

void chooseKind(QComboBox* box, const QString& kind) {
    box->setCurrentIndex(box->findData(kind));
}

}  // namespace

class TestModelsPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_models_panel"));
    }
    void init() { QSettings().clear(); }

    // A restart on the same data and models does not evaluate again: the figures come from
    // the data folder (each model's kind, parameters, the data and the settings match).
    void reopeningReusesTheEvaluation() {
        test::UiFixture fixture;
        ui::ModelsPanel panel(fixture.host());
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedEvaluations() >= 1 && panel.startupSettled(); },
                                         120000));
        QVERIFY(panel.reusedEvaluations().isEmpty());  // a fresh folder: measured once
        const std::string defaultName = fixture.engine().registry().defaultName();
        const double ndcg = panel.evaluation(QString::fromStdString(defaultName))->served.ndcg;
        const int evaluations = panel.finishedEvaluations();

        QVERIFY2(fixture.open(&error), qPrintable(error));  // the console restarts on the same folder
        QVERIFY(test::UiFixture::waitFor([&] { return panel.startupSettled(); }, 60000));
        QCOMPARE(panel.finishedEvaluations(), evaluations);
        QCOMPARE(static_cast<std::size_t>(panel.reusedEvaluations().size()),
                 fixture.engine().registry().entries().size());
        QCOMPARE(panel.evaluation(QString::fromStdString(defaultName))->served.ndcg, ndcg);
        // The registry carries the figures again, for the table and the HTTP API.
        QCOMPARE(fixture.engine().registry().defaultEntry()->offlineMetrics.at("ndcg").get<double>(), ndcg);
    }

    void listsTheRegistryAndEvaluatesOnOpen() {
        test::UiFixture fixture;
        ui::ModelsPanel panel(fixture.host());
        panel.resize(1200, 800);
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto& registry = fixture.engine().registry();

        auto* table = child<QTableView>(panel, QStringLiteral("modelsTable"));
        QVERIFY(table);
        QCOMPARE(static_cast<std::size_t>(table->model()->rowCount()), registry.entries().size());
        const int defaultRow =
            static_cast<ui::ModelTableModel*>(table->model())->rowOf(QString::fromStdString(registry.defaultName()));
        QVERIFY(defaultRow >= 0);
        QVERIFY(table->model()
                    ->index(defaultRow, ui::ModelTableModel::NameColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("★")));

        // On small data the evaluation runs by itself.
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedEvaluations() >= 1; }, 120000));
        QVERIFY2(panel.lastError().isEmpty(), qPrintable(panel.lastError()));
        for (const auto& entry : registry.entries()) {
            const auto& metrics = entry->offlineMetrics;
            QVERIFY2(metrics.contains("ndcg"), entry->name.c_str());
            for (const char* key : {"ndcg", "precision", "recall", "coverage", "ild"}) {
                const double value = metrics.at(key).get<double>();
                QVERIFY2(value >= 0.0 && value <= 1.0, key);
            }
            // The table shows what the registry stores.
            const int row =
                static_cast<ui::ModelTableModel*>(table->model())->rowOf(QString::fromStdString(entry->name));
            QCOMPARE(table->model()->index(row, ui::ModelTableModel::NdcgColumn).data().toString(),
                     QString::number(metrics.at("ndcg").get<double>(), 'f', 3));
            const auto* evaluation = panel.evaluation(QString::fromStdString(entry->name));
            QVERIFY(evaluation);
            QCOMPARE(evaluation->served.ndcg, metrics.at("ndcg").get<double>());
        }
        // A personalised model beats plain popularity on the demo world's tastes.
        QVERIFY(registry.find("popularity")->offlineMetrics.at("ndcg").get<double>() <
                registry.defaultEntry()->offlineMetrics.at("ndcg").get<double>());

        // The trade-off: every lambda and target drawn, the default marked, and lowering
        // lambda buys diversity.
        auto* chart = child<ui::TradeOffChart>(panel, QStringLiteral("tradeOffChart"));
        QCOMPARE(chart->currentModel(), QString::fromStdString(registry.defaultName()));
        const evaluation::EvaluationSettings settings;
        QCOMPARE(static_cast<std::size_t>(chart->lambdaPoints().size()), settings.lambdas.size());
        QVERIFY(chart->targetPoints().size() >= static_cast<qsizetype>(settings.ildTargets.size()));
        QVERIFY(chart->defaultPoint().has_value());
        const auto lambdas = chart->lambdaPoints();
        QVERIFY2(lambdas.last().x() > lambdas.first().x(), "ILD at lambda 0.3 should exceed ILD at lambda 1");
        QVERIFY(chart->summary().contains(QStringLiteral("Current default")));

        // The point labels do not overlap one another, and the default's setting is named.
        QApplication::processEvents();
        const QList<QRectF> boxes = chart->visibleLabelRects();
        QVERIFY(!boxes.isEmpty());
        for (qsizetype i = 0; i < boxes.size(); ++i) {
            for (qsizetype j = i + 1; j < boxes.size(); ++j) {
                QVERIFY2(!boxes[i].intersects(boxes[j]),
                         qPrintable(chart->visibleLabels()[i] + QStringLiteral(" / ") + chart->visibleLabels()[j]));
            }
        }
        QVERIFY2(chart->visibleLabels().contains(QStringLiteral("λ 1.0")),
                 qPrintable(chart->visibleLabels().join(QStringLiteral(" | "))));

        // Every column is at least as wide as its header.
        QApplication::processEvents();
        for (int column = 0; column < ui::ModelTableModel::ColumnCount; ++column) {
            QVERIFY2(
                table->horizontalHeader()->sectionSize(column) >= table->horizontalHeader()->sectionSizeHint(column),
                qPrintable(table->model()->headerData(column, Qt::Horizontal).toString()));
        }
    }

    void trainingShowsProgressAndPublishesANewVersion() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::ModelsPanel panel(fixture.host());
        panel.show();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedEvaluations() >= 1; }, 120000));
        auto& registry = fixture.engine().registry();
        const auto versionBefore = registry.find("als")->version;

        auto* task = panel.findChild<ui::TaskProgress*>(QStringLiteral("trainTask"));
        QVERIFY(task);
        QSignalSpy progressed(task, &ui::TaskProgress::progressed);
        QSignalSpy modelsChanged(&fixture.host(), &ui::EngineHost::modelsChanged);
        chooseKind(child<QComboBox>(panel, QStringLiteral("trainKind")), QStringLiteral("als"));
        QTest::mouseClick(buttonNamed(panel, QStringLiteral("trainButton")), Qt::LeftButton);
        QVERIFY(panel.training());
        QVERIFY(child<QPushButton>(panel, QStringLiteral("cancelTrainButton"))->isEnabled());
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedTrainings() == 1; }, 60000));

        QCOMPARE(registry.find("als")->version, versionBefore + 1);
        QVERIFY(progressed.count() >= 1);
        QVERIFY(progressed.first().at(1).toString().contains(QStringLiteral("iteration")));
        auto* bar = child<QProgressBar>(panel, QStringLiteral("trainProgress"));
        QCOMPARE(bar->value(), bar->maximum());
        QCOMPARE(modelsChanged.count(), 1);
        auto* table = child<QTableView>(panel, QStringLiteral("modelsTable"));
        const int row = static_cast<ui::ModelTableModel*>(table->model())->rowOf(QStringLiteral("als"));
        QCOMPARE(table->model()->index(row, ui::ModelTableModel::VersionColumn).data().toString(),
                 QStringLiteral("v%1").arg(versionBefore + 1));
        // The new version is evaluated by itself, and its metrics stored with it.
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedEvaluations() >= 2; }, 120000));
        QVERIFY(registry.find("als")->offlineMetrics.contains("ndcg"));
        QCOMPARE(panel.evaluation(QStringLiteral("als"))->version, versionBefore + 1);
    }

    void cancelStopsATraining() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::ModelsPanel panel(fixture.host());
        panel.show();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedEvaluations() >= 1; }, 120000));
        auto& registry = fixture.engine().registry();
        const auto versionBefore = registry.find("als")->version;

        // Another training holds the engine's training lock (paused in its first progress
        // report), so the panel's training is still waiting for the lock when Cancel is
        // pressed: the cancellation is certain to be seen, however fast training is.
        std::promise<void> gate;
        std::shared_future<void> opened = gate.get_future().share();
        std::atomic<bool> holding{false};
        TaskControl control;
        control.progress = [&holding, opened](double, std::string_view) {
            holding = true;
            opened.wait();
        };
        std::thread other([&] { (void)fixture.engine().train("blend", control); });
        QVERIFY(test::UiFixture::waitFor([&] { return holding.load(); }, 30000));
        chooseKind(child<QComboBox>(panel, QStringLiteral("trainKind")), QStringLiteral("als"));
        QTest::mouseClick(buttonNamed(panel, QStringLiteral("trainButton")), Qt::LeftButton);
        QVERIFY(panel.training());
        QTest::mouseClick(child<QPushButton>(panel, QStringLiteral("cancelTrainButton")), Qt::LeftButton);
        gate.set_value();
        other.join();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedTrainings() == 1; }, 60000));
        QCOMPARE(registry.find("als")->version, versionBefore);
        QVERIFY(!panel.training());
        QVERIFY(child<QLabel>(panel, QStringLiteral("trainStatus"))->text().contains(QStringLiteral("cancelled")));
        QVERIFY(child<QPushButton>(panel, QStringLiteral("retrainButton"))->isEnabled());
    }

    void setDefaultAsksThenChangesTheRegistry() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::ModelsPanel panel(fixture.host());
        panel.show();
        auto& registry = fixture.engine().registry();
        QVERIFY(registry.defaultName() != "als");
        auto* table = child<QTableView>(panel, QStringLiteral("modelsTable"));
        QVERIFY(test::UiFixture::waitFor([&] { return table->model()->rowCount() > 0; }));
        selectRow(table, QStringLiteral("als"));
        auto* button = child<QPushButton>(panel, QStringLiteral("setDefaultButton"));
        QVERIFY(button->isEnabled());

        // Cancel leaves everything as it was.
        QTest::mouseClick(button, Qt::LeftButton);
        auto* confirm = panel.findChild<QMessageBox*>(QStringLiteral("confirmDefault"));
        QVERIFY(confirm && confirm->isVisible());
        QTest::mouseClick(confirm->button(QMessageBox::Cancel), Qt::LeftButton);
        QTest::qWait(20);
        QVERIFY(registry.defaultName() != "als");

        QTest::mouseClick(button, Qt::LeftButton);
        confirm = panel.findChild<QMessageBox*>(QStringLiteral("confirmDefault"));
        QVERIFY(confirm);
        QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return registry.defaultName() == "als"; }, 2000));
        const int row = static_cast<ui::ModelTableModel*>(table->model())->rowOf(QStringLiteral("als"));
        QVERIFY(table->model()
                    ->index(row, ui::ModelTableModel::NameColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("★")));
        QVERIFY(!button->isEnabled());  // already the default
    }

    // The GUI thread keeps ticking while a model trains and the models are evaluated.
    void guiStaysResponsiveWhileTraining() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::ModelsPanel panel(fixture.host());
        panel.show();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedEvaluations() >= 1; }, 120000));

        std::vector<qint64> gaps;
        QElapsedTimer clock;
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        probe.setInterval(10);
        connect(&probe, &QTimer::timeout, [&] {
            if (clock.isValid())
                gaps.push_back(clock.restart());
            else
                clock.start();
        });
        probe.start();
        chooseKind(child<QComboBox>(panel, QStringLiteral("trainKind")), QStringLiteral("default"));
        QTest::mouseClick(buttonNamed(panel, QStringLiteral("trainButton")), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedTrainings() == 1; }, 60000));
        // Training is followed by the new version's evaluation; probe through both.
        QVERIFY(test::UiFixture::waitFor([&] { return panel.finishedEvaluations() >= 2; }, 120000));
        probe.stop();
        QVERIFY2(panel.lastError().isEmpty(), qPrintable(panel.lastError()));
        QVERIFY(gaps.size() > 5);
        std::sort(gaps.begin(), gaps.end());
        const qint64 maxGap = gaps.back();
        const qint64 p99 = gaps[std::min(gaps.size() - 1, gaps.size() * 99 / 100)];
        qInfo("GUI timer during training + evaluation: %zu ticks, p50 %lld ms, p99 %lld ms, max gap %lld ms",
              gaps.size(), static_cast<long long>(gaps[gaps.size() / 2]), static_cast<long long>(p99),
              static_cast<long long>(maxGap));
        QVERIFY2(maxGap < 250, qPrintable(QStringLiteral("largest gap %1 ms").arg(maxGap)));
    }
};

QTEST_MAIN(TestModelsPanel)
#include "test_models_panel.moc"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

#include <algorithm>

#include "recdeck/serving/most_active_users.h"
#include "recdeck/ui/cache/cache_panel.h"
#include "recdeck/ui/cache/cache_settings_form.h"
#include "recdeck/ui/cache/invalidation_log_model.h"
#include "recdeck/ui/cache/tier_card.h"
#include "recdeck/ui/common/chart_card.h"
#include "recdeck/ui/common/theme.h"
#include "test_support.h"
#include "ui_fixture.h"
#include "widget_lookup.h"

using namespace recdeck;
using test::findByProperty;

namespace {

QPushButton* button(QWidget* panel, const char* action) {
    return findByProperty<QPushButton>(panel, "action", QString::fromLatin1(action));
}

ui::TierCard* tier(QWidget* panel, const char* id) {
    return findByProperty<ui::TierCard>(panel, "tier", QString::fromLatin1(id));
}

cache::Tier request(serving::Engine& engine, const std::string& user) {
    serving::RecommendationRequest request;
    request.userId = user;
    request.recordImpression = false;
    auto answer = engine.recommend(request);
    if (!answer) qFatal("recommend failed: %s", answer.errorMessage().c_str());
    return answer->tier;
}

// Answers the panel's confirmation dialog (opened window-modal, asynchronously).
bool answerConfirmation(QWidget* panel, bool accept) {
    QMessageBox* box = nullptr;
    if (!test::UiFixture::waitFor(
            [&] {
                return (box = panel->findChild<QMessageBox*>(QStringLiteral("invalidationConfirmation"))) != nullptr &&
                       box->isVisible();
            },
            5000)) {
        return false;
    }
    QAbstractButton* choice = accept ? findByProperty<QPushButton>(box, "action", QStringLiteral("confirmInvalidation"))
                                     : box->button(QMessageBox::Cancel);
    if (!choice) return false;
    QTest::mouseClick(choice, Qt::LeftButton);
    return true;
}

QString cell(const QAbstractItemModel& model, int row, int column) {
    return model.index(row, column).data().toString();
}

}  // namespace

class TestCachePanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_cache_panel"));
        QSettings().clear();
        // Styled like the console, so sizes (padding, fonts) are the ones users see.
        ui::theme::apply(*qApp);
    }

    void showsTierFiguresAfterSimulatedTraffic() {
        test::UiFixture fixture;
        ui::CachePanel panel(fixture.host(), fixture.feed());
        panel.resize(1300, 950);
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        fixture.host().setSimulatorRate(200);
        fixture.host().startSimulator();
        auto* chart = findByProperty<ui::ChartCard>(&panel, "chart", QStringLiteral("cacheHitRate"));
        QVERIFY(chart);
        const bool drawn = test::UiFixture::waitFor(
            [&] {
                return tier(&panel, "l1")->headline().endsWith(QStringLiteral("%")) &&
                       !tier(&panel, "compute")->rowValue(0).startsWith(QStringLiteral("0")) &&
                       !chart->series().isEmpty() && !chart->series().first().points.isEmpty();
            },
            30000);
        fixture.host().stopSimulator();
        QVERIFY2(drawn, "the cache panel did not show traffic within 30 s");
        QCOMPARE(chart->series().size(), 3);
        QVERIFY(tier(&panel, "l1")->rowValue(2).contains(QStringLiteral(" of ")));  // entries of the limit
        QCOMPARE(tier(&panel, "l2")->rowValue(0), QStringLiteral("embedded (in this process)"));
        // The settings show the engine's configuration.
        auto* ttl = panel.findChild<QSpinBox*>(QStringLiteral("cacheTtl"));
        QVERIFY(ttl && ttl->isEnabled());
        QCOMPARE(ttl->value(), static_cast<int>(fixture.engine().cache().config().ttl.count() / 1000));
    }

    // In a 1440 x 900 window (the panel gets 1440 - 212 px of sidebar) nothing is clipped
    // or scrolled sideways, and the log's columns show their headers.
    void fitsA1440PixelWindow() {
        test::UiFixture fixture;
        ui::CachePanel panel(fixture.host(), fixture.feed());
        panel.resize(1440 - 212, 840);
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        QVERIFY(fixture.engine().invalidate(cache::InvalidationKind::All, ""));
        QVERIFY(test::UiFixture::waitFor([&] { return panel.logModel()->rowCount() >= 1; }, 10000));
        QApplication::processEvents();
        auto* scroll = panel.findChild<QScrollArea*>();
        QVERIFY(scroll && scroll->widget());
        QVERIFY2(scroll->widget()->minimumSizeHint().width() <= scroll->viewport()->width(),
                 qPrintable(QStringLiteral("content needs %1 px, has %2")
                                .arg(scroll->widget()->minimumSizeHint().width())
                                .arg(scroll->viewport()->width())));
        QVERIFY(!scroll->horizontalScrollBar()->isVisible());
        for (ui::TierCard* card : panel.findChildren<ui::TierCard*>()) {
            QVERIFY(card->geometry().right() <= scroll->widget()->width());
        }
        auto* view = panel.findChild<QTableView*>(QStringLiteral("invalidationLog"));
        QVERIFY(view);
        QHeaderView* header = view->horizontalHeader();
        for (int column = 0; column < ui::InvalidationLogModel::Problem; ++column) {
            QVERIFY2(header->sectionSize(column) >= header->sectionSizeHint(column),
                     qPrintable(QString::number(column)));
        }
        // Every column but the last fits inside the view.
        QVERIFY(header->sectionViewportPosition(ui::InvalidationLogModel::Problem) < view->viewport()->width());
    }

    void settingsAreValidatedAndApplied() {
        cache::CacheConfig config;
        QVERIFY(ui::CacheSettingsForm::validate(config).isEmpty());
        config.jitter = 0.6;
        QVERIFY(ui::CacheSettingsForm::validate(config).contains(QStringLiteral("Jitter")));
        config = {};
        config.ttl = std::chrono::milliseconds(10);
        QVERIFY(ui::CacheSettingsForm::validate(config).contains(QStringLiteral("Time to live")));

        test::UiFixture fixture;
        ui::CachePanel panel(fixture.host(), fixture.feed());
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto* ttl = panel.findChild<QSpinBox*>(QStringLiteral("cacheTtl"));
        auto* jitter = panel.findChild<QDoubleSpinBox*>(QStringLiteral("cacheJitter"));
        auto* entries = panel.findChild<QSpinBox*>(QStringLiteral("cacheMaxEntries"));
        QVERIFY(ttl && jitter && entries);
        QVERIFY(test::UiFixture::waitFor([&] { return ttl->isEnabled(); }, 10000));  // filled from a snapshot
        ttl->setValue(120);
        jitter->setValue(20);
        entries->setValue(5000);
        QPushButton* apply = button(&panel, "cacheApply");
        QVERIFY(apply && apply->isEnabled());
        QTest::mouseClick(apply, Qt::LeftButton);
        QVERIFY(
            test::UiFixture::waitFor([&] { return fixture.engine().cache().config().ttl.count() == 120'000; }, 10000));
        const auto applied = fixture.engine().cache().config();
        QCOMPARE(applied.jitter, 0.20);
        QCOMPARE(applied.l1MaxEntries, std::size_t{5000});
        QVERIFY(applied.useL2);  // fields the form does not show are kept
    }

    // Invalidating a user from the Cache panel makes that user's next request a miss.
    void invalidatingAUserMakesTheNextRequestAMiss() {
        test::UiFixture fixture;
        ui::CachePanel panel(fixture.host(), fixture.feed());
        panel.resize(1300, 950);
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto& engine = fixture.engine();
        const std::string user = engine.snapshot()->dataset->users.id(7);
        request(engine, user);
        QCOMPARE(request(engine, user), cache::Tier::L1);

        auto* edit = panel.findChild<QLineEdit*>(QStringLiteral("invalidateUserEdit"));
        QPushButton* invalidate = button(&panel, "invalidateUser");
        QVERIFY(edit && invalidate);
        QTest::keyClicks(edit, QString::fromStdString(user));
        QVERIFY(invalidate->isEnabled());

        // Cancelled: nothing happens, the list stays cached.
        QTest::mouseClick(invalidate, Qt::LeftButton);
        QVERIFY(answerConfirmation(&panel, false));
        QTest::qWait(200);
        QCOMPARE(request(engine, user), cache::Tier::L1);

        // Confirmed: the user's lists are dropped and the outcome is shown.
        auto* result = panel.findChild<QLabel*>(QStringLiteral("invalidationResult"));
        QVERIFY(result);
        QTest::mouseClick(invalidate, Qt::LeftButton);
        QVERIFY(answerConfirmation(&panel, true));
        QVERIFY(test::UiFixture::waitFor([&] { return result->text().startsWith(QStringLiteral("✓")); }, 10000));
        QVERIFY2(result->text().contains(QString::fromStdString(user)), qPrintable(result->text()));
        QCOMPARE(request(engine, user), cache::Tier::Compute);

        // The log lists it as this panel's.
        ui::InvalidationLogModel* log = panel.logModel();
        const bool logged = test::UiFixture::waitFor(
            [&] {
                for (int row = 0; row < log->rowCount(); ++row) {
                    if (cell(*log, row, ui::InvalidationLogModel::Target) == QString::fromStdString(user) &&
                        cell(*log, row, ui::InvalidationLogModel::Origin) == QStringLiteral("This panel")) {
                        return true;
                    }
                }
                return false;
            },
            10000);
        QVERIFY(logged);
    }

    void invalidatesAModelAndEverythingWithConfirmation() {
        test::UiFixture fixture;
        ui::CachePanel panel(fixture.host(), fixture.feed());
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto& engine = fixture.engine();
        const std::string user = engine.snapshot()->dataset->users.id(3);
        request(engine, user);
        QCOMPARE(request(engine, user), cache::Tier::L1);

        auto* models = panel.findChild<QComboBox*>(QStringLiteral("invalidateModelCombo"));
        QVERIFY(models && models->count() >= 3);
        QVERIFY(models->findData(QStringLiteral("popularity")) >= 0);

        QTest::mouseClick(button(&panel, "invalidateAll"), Qt::LeftButton);
        QVERIFY(answerConfirmation(&panel, true));
        auto* result = panel.findChild<QLabel*>(QStringLiteral("invalidationResult"));
        QVERIFY(test::UiFixture::waitFor([&] { return result->text().startsWith(QStringLiteral("✓")); }, 10000));
        QCOMPARE(request(engine, user), cache::Tier::Compute);
    }

    void logShowsEarlierAndNewInvalidations() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto& engine = fixture.engine();
        const std::string item = engine.snapshot()->dataset->catalog.items().id(5);
        QVERIFY(engine.invalidate(cache::InvalidationKind::Item, item));

        // Opened after the invalidation: read from the cache's log.
        ui::CachePanel panel(fixture.host(), fixture.feed());
        panel.show();
        ui::InvalidationLogModel* log = panel.logModel();
        QVERIFY(test::UiFixture::waitFor([&] { return log->rowCount() >= 1; }, 10000));
        QCOMPARE(cell(*log, 0, ui::InvalidationLogModel::Kind), QStringLiteral("Item"));
        QCOMPARE(cell(*log, 0, ui::InvalidationLogModel::Target), QString::fromStdString(item));
        QCOMPARE(cell(*log, 0, ui::InvalidationLogModel::Origin), QStringLiteral("This instance"));
        // The time is compact (hh:mm:ss) with the full date in the tooltip.
        const QModelIndex time = log->index(0, ui::InvalidationLogModel::Time);
        QVERIFY(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$")).match(time.data().toString()).hasMatch());
        QVERIFY(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$"))
                    .match(time.data(Qt::ToolTipRole).toString())
                    .hasMatch());

        // Applied elsewhere in the process while the panel is open: follows the signal.
        QVERIFY(engine.invalidate(cache::InvalidationKind::Model, "popularity"));
        QVERIFY(test::UiFixture::waitFor(
            [&] { return cell(*log, 0, ui::InvalidationLogModel::Kind) == QStringLiteral("Model"); }, 10000));
        QCOMPARE(cell(*log, 0, ui::InvalidationLogModel::Target), QStringLiteral("popularity"));

        // The filter narrows the rows.
        auto* filter = panel.findChild<QComboBox*>(QStringLiteral("invalidationLogFilter"));
        filter->setCurrentIndex(filter->findData(static_cast<int>(ui::InvalidationLogModel::Filter::Items)));
        QCOMPARE(log->rowCount(), 1);
        filter->setCurrentIndex(0);
    }

    void warmUpShowsProgressAndFinishes() {
        test::UiFixture fixture;
        ui::CachePanel panel(fixture.host(), fixture.feed());
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto* count = panel.findChild<QSpinBox*>(QStringLiteral("warmUpCount"));
        auto* bar = panel.findChild<QProgressBar*>(QStringLiteral("warmUpProgress"));
        auto* summary = panel.findChild<QLabel*>(QStringLiteral("warmUpSummary"));
        QPushButton* start = button(&panel, "warmUpStart");
        QVERIFY(count && bar && summary && start);
        count->setValue(20);
        const auto computesBefore = fixture.engine().cache().stats().computes;
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(!start->isEnabled());
        QCOMPARE(bar->maximum(), 20);
        QVERIFY(test::UiFixture::waitFor([&] { return summary->text().startsWith(QStringLiteral("Warmed")); }, 60000));
        QVERIFY2(summary->text().startsWith(QStringLiteral("Warmed 20 users")), qPrintable(summary->text()));
        QCOMPARE(bar->value(), 20);
        QCOMPARE(bar->maximum(), 20);
        QVERIFY(start->isEnabled());
        QVERIFY(fixture.engine().cache().stats().computes >= computesBefore + 20);
        // Their lists are cached now; warm-up is not traffic.
        const auto users = serving::mostActiveUsers(*fixture.engine().snapshot(), 20);
        QVERIFY(request(fixture.engine(), users.front()) != cache::Tier::Compute);
        QVERIFY(request(fixture.engine(), users.back()) != cache::Tier::Compute);
        QCOMPARE(fixture.engine().monitor().summary(60).requests, std::uint64_t{0});
    }

    void warmUpCanBeCancelled() {
        test::UiFixture fixture;
        ui::CachePanel panel(fixture.host(), fixture.feed());
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        auto* count = panel.findChild<QSpinBox*>(QStringLiteral("warmUpCount"));
        auto* bar = panel.findChild<QProgressBar*>(QStringLiteral("warmUpProgress"));
        auto* summary = panel.findChild<QLabel*>(QStringLiteral("warmUpSummary"));
        const int users = static_cast<int>(fixture.engine().dataInfo().users);
        count->setValue(users);
        QTest::mouseClick(button(&panel, "warmUpStart"), Qt::LeftButton);
        QPushButton* cancel = button(&panel, "warmUpCancel");
        QVERIFY(cancel->isEnabled());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return button(&panel, "warmUpStart")->isEnabled(); }, 60000));
        QVERIFY2(summary->text().startsWith(QStringLiteral("Cancelled after")), qPrintable(summary->text()));
        QVERIFY2(bar->value() < users, qPrintable(QStringLiteral("%1 of %2").arg(bar->value()).arg(users)));
    }
};

QTEST_MAIN(TestCachePanel)
#include "test_cache_panel.moc"

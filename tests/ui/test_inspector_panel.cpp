#include <QAbstractItemModel>
#include <QComboBox>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <algorithm>
#include <set>
#include <string>

#include "recdeck/ui/inspector/activity_card.h"
#include "recdeck/ui/inspector/features_card.h"
#include "recdeck/ui/inspector/inspector_panel.h"
#include "recdeck/ui/inspector/model_comparison_view.h"
#include "recdeck/ui/inspector/recommendation_table_model.h"
#include "recdeck/ui/inspector/recommendations_card.h"
#include "test_support.h"
#include "ui_fixture.h"
#include "widget_lookup.h"

using namespace recdeck;
using test::buttonNamed;
using test::child;

namespace {

std::set<std::string> itemsOf(const serving::Recommendation& r) {
    std::set<std::string> out;
    for (const auto& item : r.items()) out.insert(item.itemId);
    return out;
}

// The user the panel should show first, found independently of the panel: the most active
// training user (ties: the lower index) whose list a personalised model serves (not the
// demo experiment's popularity control arm).
std::string firstPersonalisedUser(serving::Engine& engine) {
    const auto snapshot = engine.snapshot();
    std::vector<data::Index> users;
    for (data::Index u = 0; u < snapshot->matrix->userCount(); ++u) users.push_back(u);
    std::stable_sort(users.begin(), users.end(), [&](data::Index a, data::Index b) {
        return snapshot->matrix->itemsOf(a).size() > snapshot->matrix->itemsOf(b).size();
    });
    for (data::Index u : users) {
        const std::string id = snapshot->dataset->users.id(u);
        const auto assignment = engine.experiments().assign(id);
        const std::string model =
            assignment && !assignment->model.empty() ? assignment->model : engine.registry().defaultName();
        if (model != "popularity") return id;
    }
    return {};
}

}  // namespace

class TestInspectorPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("RecDeckTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_inspector_panel"));
        QSettings().clear();
    }
    void init() { QSettings().clear(); }

    void inspectsTheMostActiveUserOnOpen() {
        test::UiFixture fixture;
        ui::InspectorPanel panel(fixture.host());  // built before the engine opens, as in the console
        panel.resize(1200, 800);
        panel.show();
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        QVERIFY(test::UiFixture::waitFor(
            [&] { return panel.inspections() >= 1 && panel.comparisons() >= 1 && !panel.busy(); }));

        const std::string first = firstPersonalisedUser(fixture.engine());
        QVERIFY(!first.empty());
        QCOMPARE(panel.currentUser(), QString::fromStdString(first));
        auto* table = child<QTableView>(panel, QStringLiteral("recommendationsTable"));
        QVERIFY(table);
        QCOMPARE(table->model()->rowCount(), 10);
        // A personalised list: a model other than popularity, and reasons that name what the
        // user liked.
        QVERIFY(panel.lastInspection()->answer.recommendation.has_value());
        QVERIFY(panel.lastInspection()->answer.recommendation->model != "popularity");
        int becauseLiked = 0;
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            const QString reason =
                table->model()->index(row, ui::RecommendationTableModel::ReasonColumn).data().toString();
            if (reason.startsWith(QStringLiteral("Because you liked"))) ++becauseLiked;
        }
        QVERIFY2(becauseLiked > 0, "no \"Because you liked …\" reason in the first view");
        // The automatic first view is not remembered as the operator's choice.
        QVERIFY(QSettings().value(QStringLiteral("inspector/lastUser")).toString().isEmpty());
        // Nothing the user already has is recommended.
        const auto& inspection = *panel.lastInspection();
        const auto snapshot = fixture.engine().snapshot();
        std::set<std::string> owned;
        for (auto item : inspection.features.owned) owned.insert(snapshot->dataset->catalog.items().id(item));
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            const QString id = table->model()->index(row, 0).data(Qt::UserRole).toString();
            QVERIFY2(!owned.count(id.toStdString()), qPrintable(id));
            QVERIFY(
                !table->model()->index(row, ui::RecommendationTableModel::ReasonColumn).data().toString().isEmpty());
        }
        // Features: the interactions count matches the engine's own view of the user.
        const auto view = fixture.engine().user(panel.currentUser().toStdString());
        QVERIFY(view);
        auto* interactions = child<QLabel>(panel, QStringLiteral("featureInteractions"));
        QVERIFY(interactions);
        QVERIFY2(interactions->text().startsWith(QString::number(view->features.historyLength)),
                 qPrintable(interactions->text()));
        QVERIFY(child<QLabel>(panel, QStringLiteral("featureFreshness"))->text().contains(QStringLiteral("omputed")));
        // History: training interactions at least.
        auto* history = child<QTableView>(panel, QStringLiteral("historyTable"));
        QVERIFY(history);
        QCOMPARE(
            static_cast<std::size_t>(history->model()->rowCount()),
            std::min<std::size_t>(
                300, view->features.trainedUser ? snapshot->matrix->itemsOf(*view->features.trainedUser).size() : 0) +
                view->history.size());
        // Who served it: a tier badge, the model and its version.
        auto* served = child<QLabel>(panel, QStringLiteral("servedBy"));
        const auto& answer = *inspection.answer.recommendation;
        QVERIFY(served->text().contains(QString::fromStdString(answer.model)));
        QVERIFY(!child<QLabel>(panel, QStringLiteral("tierBadge"))->text().isEmpty());
    }

    void userSearchCompletesAndInspects() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::InspectorPanel panel(fixture.host());
        panel.show();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() >= 1 && !panel.busy(); }));

        auto* search = child<QLineEdit>(panel, QStringLiteral("userSearch"));
        QVERIFY(search && search->completer());
        // Completion knows every user id, sorted, and finds them by prefix.
        QCOMPARE(static_cast<std::size_t>(search->completer()->model()->rowCount()), fixture.engine().dataInfo().users);
        search->completer()->setCompletionPrefix(QStringLiteral("user_001"));
        QVERIFY(search->completer()->completionCount() > 0);
        QVERIFY(search->completer()->currentCompletion().startsWith(QStringLiteral("user_001")));

        const QString target = QString::fromStdString(fixture.engine().snapshot()->dataset->users.id(7));
        const int before = panel.inspections();
        search->clear();
        QTest::keyClicks(search, target);
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() > before && !panel.busy(); }));
        QCOMPARE(panel.currentUser(), target);
        QCOMPARE(QString::fromStdString(panel.lastInspection()->features.userId), target);

        // An unknown user is served as a new user, not an error.
        const int again = panel.inspections();
        search->clear();
        QTest::keyClicks(search, QStringLiteral("someone-new"));
        QTest::mouseClick(buttonNamed(panel, QStringLiteral("inspectButton")), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() > again && !panel.busy(); }));
        QVERIFY(panel.lastInspection()->answer.recommendation.has_value());
        QVERIFY(panel.lastInspection()->answer.recommendation->coldStart());
    }

    void recordingAPurchaseRemovesTheItemAndRecomputes() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::InspectorPanel panel(fixture.host());
        panel.show();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() >= 1 && !panel.busy(); }));
        const auto before = *panel.lastInspection()->answer.recommendation;
        const std::size_t purchasesBefore = panel.lastInspection()->features.purchases;

        // Refresh first, so the list is cached: the purchase must invalidate it.
        QTest::mouseClick(child<QPushButton>(panel, QStringLiteral("refreshButton")), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() >= 2 && !panel.busy(); }));
        QCOMPARE(panel.lastInspection()->answer.recommendation->tier, cache::Tier::L1);

        // Pick the third recommendation from the table: the item picker fills in.
        auto* table = child<QTableView>(panel, QStringLiteral("recommendationsTable"));
        const QRect rowRect = table->visualRect(table->model()->index(2, 1));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rowRect.center());
        const std::string bought = before.items()[2].itemId;
        auto* activity = child<ui::ActivityCard>(panel, QStringLiteral("activityCard"));
        QCOMPARE(activity->itemId().toStdString(), bought);

        const int inspections = panel.inspections();
        QTest::mouseClick(buttonNamed(panel, QStringLiteral("recordPurchaseButton")), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return panel.recordedEvents() == 1 && !panel.busy(); }));
        QVERIFY(panel.inspections() > inspections);

        const auto& after = *panel.lastInspection()->answer.recommendation;
        QVERIFY(!itemsOf(after).count(bought));
        QCOMPARE(after.tier, cache::Tier::Compute);
        QCOMPARE(panel.lastInspection()->features.purchases, purchasesBefore + 1);
        QCOMPARE(child<QLabel>(panel, QStringLiteral("tierBadge"))->text(), QStringLiteral("Computed"));
        // The timeline tells the story: the event, the invalidation, the new list.
        const QString story = activity->entries().join(QLatin1Char('\n'));
        QVERIFY2(story.contains(QStringLiteral("committed")), qPrintable(story));
        QVERIFY2(story.contains(QStringLiteral("invalidated")), qPrintable(story));
        QVERIFY2(story.contains(QStringLiteral("no longer recommended")), qPrintable(story));
        // And the event reached the user's history in the engine.
        const auto view = fixture.engine().user(panel.currentUser().toStdString());
        QVERIFY(std::any_of(view->history.begin(), view->history.end(), [&](const store::Event& e) {
            return e.type == store::EventType::Purchase && e.itemId == bought;
        }));
    }

    void unknownItemIsRefusedInThePanel() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::InspectorPanel panel(fixture.host());
        panel.show();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() >= 1 && !panel.busy(); }));
        auto* item = child<QLineEdit>(panel, QStringLiteral("itemSearch"));
        QTest::keyClicks(item, QStringLiteral("no-such-item"));
        auto* click = child<QPushButton>(panel, QStringLiteral("recordClickButton"));
        QVERIFY(click->isEnabled());
        QTest::mouseClick(click, Qt::LeftButton);
        QTest::qWait(50);
        QCOMPARE(panel.recordedEvents(), 0);
        const auto entries = child<ui::ActivityCard>(panel, QStringLiteral("activityCard"))->entries();
        QVERIFY(entries.last().contains(QStringLiteral("Unknown item")));
    }

    void recomputeBypassesTheCache() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::InspectorPanel panel(fixture.host());
        panel.show();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() >= 1 && !panel.busy(); }));
        QTest::mouseClick(child<QPushButton>(panel, QStringLiteral("recomputeButton")), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() >= 2 && !panel.busy(); }));
        QCOMPARE(panel.lastInspection()->answer.recommendation->tier, cache::Tier::Compute);
        QTest::mouseClick(child<QPushButton>(panel, QStringLiteral("refreshButton")), Qt::LeftButton);
        QVERIFY(test::UiFixture::waitFor([&] { return panel.inspections() >= 3 && !panel.busy(); }));
        QCOMPARE(panel.lastInspection()->answer.recommendation->tier, cache::Tier::L1);
        // Inspection is not traffic: no impression was recorded for the user.
        const auto view = fixture.engine().user(panel.currentUser().toStdString());
        QVERIFY(view->recent.empty());
    }

    void sideBySideShowsTwoModels() {
        test::UiFixture fixture;
        QString error;
        QVERIFY2(fixture.open(&error), qPrintable(error));
        ui::InspectorPanel panel(fixture.host());
        panel.show();
        QVERIFY(test::UiFixture::waitFor([&] { return panel.comparisons() >= 1 && !panel.busy(); }));
        auto* a = child<QComboBox>(panel, QStringLiteral("compareModelA"));
        auto* b = child<QComboBox>(panel, QStringLiteral("compareModelB"));
        QVERIFY(a && b);
        QVERIFY(a->count() >= 4);
        const int done = panel.comparisons();
        a->setCurrentIndex(a->findText(QStringLiteral("popularity")));
        QVERIFY(test::UiFixture::waitFor([&] { return panel.comparisons() > done && !panel.busy(); }));
        const int next = panel.comparisons();
        b->setCurrentIndex(b->findText(QStringLiteral("als")));
        QVERIFY(test::UiFixture::waitFor([&] { return panel.comparisons() > next && !panel.busy(); }));

        auto* view = child<ui::ModelComparisonView>(panel, QStringLiteral("modelComparison"));
        QCOMPARE(view->tableModel(0)->rowCount(), 10);
        QCOMPARE(view->tableModel(1)->rowCount(), 10);
        // The overlap shown is the overlap of the engine's own lists for the two models.
        const std::string user = panel.currentUser().toStdString();
        const auto left = serving::recommendFor(fixture.engine(), user, "popularity");
        const auto right = serving::recommendFor(fixture.engine(), user, "als");
        QVERIFY(left.recommendation && right.recommendation);
        QCOMPARE(left.recommendation->model, std::string("popularity"));
        QCOMPARE(right.recommendation->model, std::string("als"));
        int shared = 0;
        const auto rightItems = itemsOf(*right.recommendation);
        for (const auto& id : itemsOf(*left.recommendation)) shared += rightItems.count(id) ? 1 : 0;
        QCOMPARE(view->overlapCount(), shared);
        QVERIFY(child<QLabel>(panel, QStringLiteral("overlapLabel"))->text().contains(QString::number(shared)));
    }
};

QTEST_MAIN(TestInspectorPanel)
#include "test_inspector_panel.moc"

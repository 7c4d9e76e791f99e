#include <QTest>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>

#include "recdeck/common/stopwatch.h"
#include "recdeck/serving/engine.h"
#include "recdeck/serving/model_choice.h"
#include "recdeck/serving/most_active_users.h"
#include "recdeck/serving/user_inspection.h"
#include "test_support.h"

using namespace recdeck;
using namespace recdeck::serving;

namespace {

EngineConfig smallConfig(const std::filesystem::path& dir) {
    EngineConfig config;
    config.dataDir = dir;
    config.demo.users = 300;
    config.demo.items = 200;
    config.demo.seed = 5;
    config.models = {"popularity", "als", "default"};
    return config;
}

store::Event makeEvent(store::EventType type, std::string user, std::string item) {
    store::Event e;
    e.type = type;
    e.userId = std::move(user);
    e.itemId = std::move(item);
    return e;
}

bool contains(const Recommendation& r, const std::string& item) {
    return std::any_of(r.items().begin(), r.items().end(), [&](const auto& i) { return i.itemId == item; });
}

// A model that throws on scoring, to exercise the popularity fallback.
class BrokenModel final : public models::Model {
public:
    explicit BrokenModel(std::size_t items) : m_items(items) {}
    std::string_view kind() const override { return "broken"; }
    nlohmann::json params() const override { return nlohmann::json::object(); }
    Status train(const data::InteractionMatrix&, const TaskControl&) override { return {}; }
    std::size_t itemCount() const override { return m_items; }
    void scoreAll(const models::UserContext&, std::span<float>) const override { throw std::runtime_error("boom"); }
    void saveParameters(std::ostream&) const override {}
    Status loadParameters(std::istream&) override { return {}; }

private:
    std::size_t m_items;
};

}  // namespace

class TestServing : public QObject {
    Q_OBJECT
    std::filesystem::path m_dir;
    std::unique_ptr<Engine> m_engine;

private slots:
    void initTestCase() {
        m_dir = test::makeTempDir("recdeck-serving");
        auto engine = Engine::open(smallConfig(m_dir));
        QVERIFY2(engine.ok(), engine.ok() ? "" : engine.errorMessage().c_str());
        m_engine = std::move(*engine);
    }
    void cleanupTestCase() {
        m_engine.reset();
        std::filesystem::remove_all(m_dir);
    }

    void servesComputeThenCache() {
        RecommendationRequest request;
        request.userId = "user_001";
        auto first = m_engine->recommend(request);
        QVERIFY2(first.ok(), first.ok() ? "" : first.errorMessage().c_str());
        QCOMPARE(first->items().size(), std::size_t{10});
        QCOMPARE(first->tier, cache::Tier::Compute);
        QVERIFY(!first->cached);
        QVERIFY(first->timings.scoringUs > 0);
        QVERIFY(!first->model.empty());
        QVERIFY(first->modelVersion >= 1);
        for (const auto& item : first->items()) {
            QVERIFY(!item.reason.empty());
            QVERIFY(!item.title.empty());
        }
        auto second = m_engine->recommend(request);
        QCOMPARE(second->tier, cache::Tier::L1);
        QVERIFY(second->cached);
        QCOMPARE(second->items().size(), first->items().size());
        for (std::size_t i = 0; i < first->items().size(); ++i) {
            QCOMPARE(second->items()[i].itemId, first->items()[i].itemId);
            QCOMPARE(second->items()[i].reason, first->items()[i].reason);
        }
        QVERIFY(second->requestId != first->requestId);
    }

    void neverRecommendsWhatTheUserHas() {
        const auto snapshot = m_engine->snapshot();
        for (data::Index u = 0; u < 20; ++u) {
            RecommendationRequest request;
            request.userId = snapshot->dataset->users.id(u);
            auto answer = m_engine->recommend(request);
            QVERIFY(answer.ok());
            for (const auto& item : answer->items()) {
                const auto index = snapshot->dataset->catalog.items().find(item.itemId);
                QVERIFY(!snapshot->matrix->contains(u, *index));
            }
        }
    }

    void purchaseRemovesTheItemAndMissesTheCache() {
        RecommendationRequest request;
        request.userId = "user_002";
        auto before = m_engine->recommend(request);
        QVERIFY(before.ok());
        QVERIFY(m_engine->recommend(request)->cached);
        const std::string bought = before->items().front().itemId;
        auto acked = m_engine->ingestAndWait({makeEvent(store::EventType::Purchase, "user_002", bought)});
        QVERIFY2(acked.ok(), acked.ok() ? "" : acked.errorMessage().c_str());
        auto after = m_engine->recommend(request);
        QCOMPARE(after->tier, cache::Tier::Compute);
        QVERIFY(!contains(*after, bought));
        const auto view = m_engine->user("user_002");
        QVERIFY(view.ok());
        QVERIFY(std::any_of(view->history.begin(), view->history.end(),
                            [&](const auto& e) { return e.type == store::EventType::Purchase && e.itemId == bought; }));
        QCOMPARE(view->features.purchases, std::size_t{1});
        QVERIFY(!view->recent.empty());
    }

    void clickIsAttributedToTheImpression() {
        std::vector<EventOutcome> seen;
        std::mutex mutex;
        m_engine->setEventObserver([&](std::span<const EventOutcome> outcomes) {
            std::lock_guard lock(mutex);
            for (const auto& o : outcomes) {
                if (o.event->type == store::EventType::Click) seen.push_back({nullptr, o.attributedTo});
            }
        });
        RecommendationRequest request;
        request.userId = "user_003";
        auto answer = m_engine->recommend(request);
        QVERIFY(
            m_engine->ingestAndWait({makeEvent(store::EventType::Click, "user_003", answer->items()[2].itemId)}).ok());
        QVERIFY(m_engine->ingestAndWait({makeEvent(store::EventType::Click, "user_003", "not-shown")}).ok());
        m_engine->setEventObserver({});
        std::lock_guard lock(mutex);
        QCOMPARE(seen.size(), std::size_t{2});
        QVERIFY(seen[0].attributedTo);
        QCOMPARE(seen[0].attributedTo->requestId, answer->requestId);
        QVERIFY(!seen[1].attributedTo);
    }

    void badRequestsAreRefused_data() {
        QTest::addColumn<QString>("user");
        QTest::addColumn<int>("n");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("field");
        QTest::newRow("empty user") << "" << 10 << ""
                                    << "user_id";
        QTest::newRow("huge user") << QString(300, QLatin1Char('x')) << 10 << ""
                                   << "user_id";
        QTest::newRow("n zero") << "u" << 0 << ""
                                << "n";
        QTest::newRow("n too big") << "u" << 101 << ""
                                   << "n";
        QTest::newRow("unknown model") << "u" << 10 << "nope"
                                       << "model";
    }
    void badRequestsAreRefused() {
        QFETCH(QString, user);
        QFETCH(int, n);
        QFETCH(QString, model);
        QFETCH(QString, field);
        RecommendationRequest request;
        request.userId = user.toStdString();
        request.n = static_cast<std::size_t>(n);
        request.model = model.toStdString();
        auto answer = m_engine->recommend(request);
        QVERIFY(!answer.ok());
        QVERIFY2(QString::fromStdString(answer.errorMessage()).startsWith(field), answer.errorMessage().c_str());
    }

    void badEventsAreRefused() {
        auto missingItem = m_engine->ingestAndWait({makeEvent(store::EventType::Purchase, "u", "")});
        QVERIFY(!missingItem.ok());
        QVERIFY(QString::fromStdString(missingItem.errorMessage()).contains(QStringLiteral("item_id")));
        auto second = m_engine->ingestAndWait(
            {makeEvent(store::EventType::Click, "u", "i"), makeEvent(store::EventType::Click, "", "i")});
        QVERIFY(!second.ok());
        QVERIFY(QString::fromStdString(second.errorMessage()).startsWith(QStringLiteral("events[1].user_id")));
    }

    void coldStartUsersGetPopularity() {
        RecommendationRequest request;
        request.userId = "someone-new";
        auto answer = m_engine->recommend(request);
        QVERIFY(answer.ok());
        QVERIFY(answer->coldStart());
        QCOMPARE(answer->items().size(), std::size_t{10});
    }

    void modelFailureFallsBackToPopularity() {
        const auto snapshot = m_engine->snapshot();
        m_engine->registry().publish("broken", std::make_shared<BrokenModel>(snapshot->dataset->catalog.size()), 0.0);
        RecommendationRequest request;
        request.userId = "user_004";
        request.model = "broken";
        auto answer = m_engine->recommend(request);
        QVERIFY(answer.ok());
        QVERIFY(answer->fallback());
        QVERIFY(QString::fromStdString(*answer->fallback()).contains(QStringLiteral("boom")));
        QCOMPARE(answer->items().size(), std::size_t{10});
        m_engine->registry().remove("broken");
    }

    void invalidationByOperator() {
        RecommendationRequest request;
        request.userId = "user_005";
        QVERIFY(m_engine->recommend(request).ok());
        QVERIFY(m_engine->recommend(request)->cached);
        QVERIFY(m_engine->invalidate(cache::InvalidationKind::User, "user_005").ok());
        QVERIFY(!m_engine->recommend(request)->cached);
        QVERIFY(m_engine->invalidate(cache::InvalidationKind::All, "").ok());
        QVERIFY(!m_engine->recommend(request)->cached);
    }

    void mostActiveUsersComeFirst() {
        const auto snapshot = m_engine->snapshot();
        const auto users = mostActiveUsers(*snapshot, 20);
        QCOMPARE(users.size(), std::size_t{20});
        const auto& offsets = snapshot->matrix->rowOffsets();
        auto activity = [&](const std::string& id) {
            const auto index = *snapshot->dataset->users.find(id);
            return offsets[index + 1] - offsets[index];
        };
        for (std::size_t i = 1; i < users.size(); ++i) QVERIFY(activity(users[i - 1]) >= activity(users[i]));
        // Nobody left out is more active than the last one chosen.
        std::size_t most = 0;
        for (std::size_t u = 0; u < snapshot->matrix->userCount(); ++u) {
            const auto id = snapshot->dataset->users.id(static_cast<data::Index>(u));
            if (std::find(users.begin(), users.end(), id) == users.end())
                most = std::max(most, offsets[u + 1] - offsets[u]);
        }
        QVERIFY(most <= activity(users.back()));
        // Every user when asked for more than there are, the first 20 first.
        const auto all = mostActiveUsers(*snapshot, SIZE_MAX);
        QCOMPARE(all.size(), snapshot->dataset->users.size());
        QVERIFY(std::equal(users.begin(), users.end(), all.begin()));
        QVERIFY(mostActiveUsers(ServingSnapshot{}, 5).empty());
    }

    void chooseModelFollowsTheRequestThenTheExperiment() {
        const auto defaultEntry = m_engine->registry().defaultEntry();
        const auto asServed = chooseModel(*m_engine, "user_003");
        QVERIFY(asServed.ok());
        QVERIFY(!asServed->assignment);
        QCOMPARE(asServed->model, defaultEntry);
        QCOMPARE(chooseModel(*m_engine, "user_003", "default")->model, defaultEntry);
        QCOMPARE(chooseModel(*m_engine, "user_003", "popularity")->model->name, std::string("popularity"));
        const auto unknown = chooseModel(*m_engine, "user_003", "no-such-model");
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.errorKind(), ErrorKind::Invalid);
        QCOMPARE(servingEntry(m_engine->registry(), ""), defaultEntry);
        QVERIFY(!servingEntry(m_engine->registry(), "no-such-model"));
        QVERIFY(namesDefaultModel("") && namesDefaultModel("default") && !namesDefaultModel("als"));

        // With an experiment, the user's variant decides unless the request names a model;
        // the Inspector's first user is the most active one served a personalised list.
        experiments::Experiment experiment;
        experiment.key = "choose-model";
        experiment.variants = {{"control", 0.5, "popularity", std::nullopt}, {"treatment", 0.5, "", std::nullopt}};
        QVERIFY(m_engine->experiments().create(experiment).ok());
        QVERIFY(m_engine->experiments().start("choose-model").ok());
        const auto snapshot = m_engine->snapshot();
        const auto users = mostActiveUsers(*snapshot, SIZE_MAX);
        std::size_t popular = 0;
        for (const auto& user : users) {
            const auto choice = chooseModel(*m_engine, user);
            QVERIFY(choice.ok() && choice->assignment);
            QCOMPARE(choice->assignment->experiment, std::string("choose-model"));
            const bool control = choice->assignment->variant == "control";
            QCOMPARE(choice->model->name, control ? std::string("popularity") : defaultEntry->name);
            if (!control) break;
            ++popular;
        }
        QVERIFY(popular < users.size());
        QCOMPARE(firstViewUser(*m_engine, *snapshot), users[popular]);
        RecommendationRequest request;
        request.userId = users[popular];
        request.recordImpression = false;
        QCOMPARE(m_engine->recommend(request)->model, defaultEntry->name);
        request.model = "popularity";
        const auto forced = m_engine->recommend(request);
        QCOMPARE(forced->model, std::string("popularity"));
        QVERIFY(forced->variant.empty());
        QVERIFY(m_engine->experiments().stop("choose-model").ok());
        QVERIFY(!chooseModel(*m_engine, users[popular])->assignment);
    }

    void reopeningReusesSavedModels() {
        const auto version = m_engine->registry().defaultEntry()->trainedAtMs;
        QVERIFY(std::filesystem::exists(m_dir / "models"));
        m_engine.reset();
        Stopwatch watch;
        auto engine = Engine::open(smallConfig(m_dir));
        QVERIFY(engine.ok());
        m_engine = std::move(*engine);
        // Loaded, not retrained: the saved training time comes back.
        QCOMPARE(m_engine->registry().defaultEntry()->trainedAtMs, version);
        // Events of the previous run are still the user's history.
        const auto view = m_engine->user("user_002");
        QVERIFY(view.ok());
        QCOMPARE(view->features.purchases, std::size_t{1});
        QVERIFY(m_engine->ready().ready);
    }
};

QTEST_GUILESS_MAIN(TestServing)
#include "test_serving.moc"

#include <QTest>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "recdeck/store/event_log.h"
#include "test_support.h"

using namespace recdeck;
using namespace recdeck::store;

namespace {

Event click(std::string user, std::string item, std::int64_t ts = 1000) {
    Event e;
    e.type = EventType::Click;
    e.userId = std::move(user);
    e.itemId = std::move(item);
    e.timestampMs = ts;
    return e;
}

struct TempDir {
    std::filesystem::path path = test::makeTempDir("recdeck-eventlog");
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

class TestEventLog : public QObject {
    Q_OBJECT
private slots:
    void eventTypesHaveStableNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("invalidates");
        QTest::newRow("impression") << "impression" << false;
        QTest::newRow("click") << "click" << false;
        QTest::newRow("add_to_cart") << "add_to_cart" << true;
        QTest::newRow("purchase") << "purchase" << true;
        QTest::newRow("rating") << "rating" << true;
    }
    void eventTypesHaveStableNames() {
        QFETCH(QString, name);
        QFETCH(bool, invalidates);
        const auto type = parseEventType(name.toStdString());
        QVERIFY(type);
        QCOMPARE(QString::fromLatin1(eventTypeName(*type).data(), static_cast<qsizetype>(eventTypeName(*type).size())),
                 name);
        QCOMPARE(invalidatesUser(*type), invalidates);
        QVERIFY(!parseEventType("Click"));
        QVERIFY(!parseEventType(""));
    }

    void appendsAndReadsBack() {
        TempDir dir;
        auto log = EventLog::open(dir.path / "sub" / "events.db");
        QVERIFY2(log.ok(), log.ok() ? "" : log.errorMessage().c_str());
        Event impression;
        impression.type = EventType::Impression;
        impression.userId = "u1";
        impression.items = {"a", "b|c", "José"};
        impression.requestId = "r1";
        impression.experiment = "exp";
        impression.variant = "treatment";
        impression.model = "als";
        impression.timestampMs = 500;
        Event rating = click("u1", "a", 900);
        rating.type = EventType::Rating;
        rating.value = 4.5;
        auto last = (*log)->append({impression, click("u2", "x"), rating});
        QVERIFY(last.ok());
        QCOMPARE(*last, std::int64_t{3});
        const auto mine = (*log)->userEvents("u1", 10);
        QVERIFY(mine.ok());
        QCOMPARE(mine->size(), std::size_t{2});
        QCOMPARE((*mine)[0].items, impression.items);
        QCOMPARE((*mine)[0].variant, std::string("treatment"));
        QCOMPARE((*mine)[0].id, std::int64_t{1});
        QCOMPARE((*mine)[1].type, EventType::Rating);
        QCOMPARE((*mine)[1].value, 4.5);
        QCOMPARE((*log)->userEvents("u1", 1)->front().id, std::int64_t{3});  // newest one
        QCOMPARE((*log)->readAfter(1, 10)->size(), std::size_t{2});
        QCOMPARE((*log)->range(0, 600, 10)->size(), std::size_t{1});
        QVERIFY((*log)->integrityCheck().ok());
    }

    void concurrentAppendsShareCommits() {
        TempDir dir;
        auto log = EventLog::open(dir.path / "events.db");
        QVERIFY(log.ok());
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 50; ++i) {
                    if (!(*log)->append({click("u" + std::to_string(t), "i" + std::to_string(i))}).ok()) ++failures;
                }
            });
        }
        for (auto& thread : threads) thread.join();
        QCOMPARE(failures.load(), 0);
        const auto stats = (*log)->stats();
        QCOMPARE(stats.appended, std::uint64_t{400});
        QCOMPARE(stats.lastId, std::int64_t{400});
        QVERIFY(stats.transactions <= 400);
        QCOMPARE((*log)->readAfter(0, 1000)->size(), std::size_t{400});
    }

    void listenersRunBeforeTheAcknowledgement() {
        TempDir dir;
        auto log = EventLog::open(dir.path / "events.db");
        QVERIFY(log.ok());
        std::atomic<std::int64_t> seen{0};
        const int handle = (*log)->addListener([&](std::span<const Event> events) {
            for (const auto& e : events) seen = e.id;
        });
        for (int i = 1; i <= 20; ++i) {
            auto id = (*log)->append({click("u", "i")});
            QVERIFY(id.ok());
            QCOMPARE(seen.load(), *id);  // the consequence is visible when the ack arrives
        }
        (*log)->removeListener(handle);
        QVERIFY((*log)->append({click("u", "i")}).ok());
        QCOMPARE(seen.load(), std::int64_t{20});
        // A throwing listener does not cost the acknowledgement.
        (*log)->addListener([](std::span<const Event>) { throw std::runtime_error("consumer bug"); });
        QVERIFY((*log)->append({click("u", "i")}).ok());
    }

    void survivesReopen() {
        TempDir dir;
        {
            auto log = EventLog::open(dir.path / "events.db");
            QVERIFY(log.ok());
            for (int i = 0; i < 10; ++i) (*log)->appendAsync({click("u", std::to_string(i))});
        }  // closing commits what is queued
        auto log = EventLog::open(dir.path / "events.db");
        QVERIFY(log.ok());
        QCOMPARE((*log)->stats().lastId, std::int64_t{10});
        QCOMPARE(*(*log)->append({click("u", "next")}), std::int64_t{11});
    }

    void rejectsAnUnusablePath() {
        TempDir dir;
        std::filesystem::create_directory(dir.path / "a-directory.db");
        auto log = EventLog::open(dir.path / "a-directory.db");
        QVERIFY(!log.ok());
        QVERIFY(log.errorMessage().find("a-directory.db") != std::string::npos);
    }

    // A writer killed with SIGKILL at a random moment loses none of the events it had
    // acknowledged: the child reports each acknowledged id on a pipe before appending
    // the next batch; the parent kills it, reopens the log and checks every id.
    void killedWriterLosesNoAcknowledgedEvent() {
        for (int round = 0; round < 3; ++round) {
            TempDir dir;
            const auto path = dir.path / "events.db";
            int fds[2];
            QVERIFY(pipe(fds) == 0);
            const pid_t child = fork();
            QVERIFY(child >= 0);
            if (child == 0) {
                close(fds[0]);
                auto log = EventLog::open(path);
                if (!log) _exit(3);
                for (int i = 0;; ++i) {
                    std::vector<Event> batch;
                    for (int j = 0; j < 5; ++j) batch.push_back(click("u" + std::to_string(j), std::to_string(i)));
                    auto last = (*log)->append(std::move(batch));
                    if (!last) _exit(4);
                    const std::int64_t id = *last;
                    if (write(fds[1], &id, sizeof id) != static_cast<ssize_t>(sizeof id)) _exit(5);
                }
            }
            close(fds[1]);
            QTest::qWait(150 + 70 * round);
            kill(child, SIGKILL);
            int status = 0;
            waitpid(child, &status, 0);
            QVERIFY(WIFSIGNALED(status));
            std::int64_t acknowledged = 0;
            std::int64_t id = 0;
            while (read(fds[0], &id, sizeof id) == static_cast<ssize_t>(sizeof id))
                acknowledged = std::max(acknowledged, id);
            close(fds[0]);
            QVERIFY2(acknowledged > 0, "the writer acknowledged nothing before it was killed");
            auto log = EventLog::open(path);
            QVERIFY(log.ok());
            QVERIFY((*log)->integrityCheck().ok());
            QVERIFY2((*log)->stats().lastId >= acknowledged,
                     qPrintable(QStringLiteral("acknowledged %1 but only %2 durable")
                                    .arg(acknowledged)
                                    .arg((*log)->stats().lastId)));
            const auto events = (*log)->readAfter(0, 1'000'000);
            QVERIFY(events.ok());
            std::set<std::int64_t> ids;
            for (const auto& e : *events) ids.insert(e.id);
            for (std::int64_t i = 1; i <= acknowledged; ++i) QVERIFY(ids.count(i) == 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestEventLog)
#include "test_event_log.moc"

// recdeckd train / recommend-batch / eval against EVAL.md's command-line contract, run as a
// separate process on small generated files and on the hand-checked golden folder
// tests/data/cli/eval_small. The dataset-sized end-to-end run is test_recdeckd_offline_e2e.

#include <QJsonObject>
#include <QJsonValue>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "recdeck/common/random.h"
#include "recdeckd_process.h"
#include "test_support.h"

namespace fs = std::filesystem;
using recdeck::test::pathArg;
using recdeck::test::ProcessRun;
using recdeck::test::runRecdeckd;

namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();  // "null expected"

void writeFile(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A small world with awkward ids: users "007", "A-12", "zoë", u3..; items with leading
// zeros and dashes. User "0-full" has every item but three, so gets exactly 3 rows at k 5.
struct World {
    std::vector<std::string> userOrder;                  // first appearance in TRAIN
    std::map<std::string, std::set<std::string>> train;  // user -> items
    std::vector<std::string> items;                      // every item id
    std::string trainText;
    std::string testText;
    std::string itemsText;
};

World makeWorld() {
    recdeck::SplitMix64 rng(20240601);
    World w;
    for (int i = 0; i < 60; ++i) {
        char id[16];
        if (i % 7 == 0) {
            std::snprintf(id, sizeof id, "%04d", 40 + i);  // "0040", "0047", ...
        } else {
            std::snprintf(id, sizeof id, "i-%03d", i);
        }
        w.items.push_back(id);
    }
    w.items[5] = "A-12";  // an item id that is also a user id
    const std::vector<std::string> genres = {"Drama", "Comedy", "Action", "Horror", "SciFi", "Romance"};
    w.itemsText = "item,title,genres\n";
    for (std::size_t i = 0; i < w.items.size(); ++i) {
        std::string g = genres[rng.below(genres.size())];
        if (rng.uniform() < 0.4) g += "|" + genres[rng.below(genres.size())];
        w.itemsText += w.items[i] + ",Title " + std::to_string(i) + "," + g + "\n";
    }
    std::vector<std::string> users = {"007", "A-12", "zo\xC3\xAB", "0-full"};
    for (int u = 3; u < 40; ++u) users.push_back("u" + std::to_string(u));
    w.trainText = "user\titem\trating\ttimestamp\n";
    w.testText = "user\titem\trating\ttimestamp\n";
    std::int64_t ts = 1000000;
    for (const std::string& user : users) {
        std::set<std::string> chosen;
        if (user == "0-full") {
            for (std::size_t i = 3; i < w.items.size(); ++i) chosen.insert(w.items[i]);
        } else {
            const std::size_t n = 6 + rng.below(9);
            while (chosen.size() < n) {
                // Popularity skew: low indices far more often.
                const double x = rng.uniform();
                chosen.insert(w.items[static_cast<std::size_t>(x * x * static_cast<double>(w.items.size()))]);
            }
        }
        std::vector<std::string> ordered(chosen.begin(), chosen.end());
        for (std::size_t i = ordered.size() - 1; i > 0; --i) std::swap(ordered[i], ordered[rng.below(i + 1)]);
        const std::size_t testCount = user == "0-full" ? 0 : ordered.size() / 4;
        for (std::size_t i = 0; i < ordered.size(); ++i) {
            const std::string row =
                user + "\t" + ordered[i] + "\t" + std::to_string(1 + rng.below(5)) + "\t" + std::to_string(ts++) + "\n";
            if (i < testCount) {
                w.testText += row;
            } else {
                w.trainText += row;
                if (w.train.find(user) == w.train.end()) w.userOrder.push_back(user);
                w.train[user].insert(ordered[i]);
            }
        }
    }
    return w;
}

}  // namespace

class TestRecdeckdOffline : public QObject {
    Q_OBJECT

    fs::path m_dir;
    World m_world;
    fs::path m_train, m_test, m_items;
    fs::path m_golden;

private slots:
    void initTestCase() {
        m_dir = recdeck::test::makeTempDir("recdeckd-offline");
        m_world = makeWorld();
        m_train = m_dir / "train.tsv";
        m_test = m_dir / "test.tsv";
        m_items = m_dir / "items.csv";
        writeFile(m_train, m_world.trainText);
        writeFile(m_test, m_world.testText);
        writeFile(m_items, m_world.itemsText);
        m_golden = recdeck::test::goldenDataDir() / "cli" / "eval_small";
        QVERIFY(fs::exists(m_golden / "recs.tsv"));
    }
    void cleanupTestCase() {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    // The RECS contract: exactly k rows for every TRAIN user (fewer only when fewer unseen
    // items exist), never a TRAIN item of that user, ids verbatim, users in first-appearance
    // order, best first with a strictly decreasing score.
    void recommendBatchContract_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("diversity");
        QTest::newRow("popularity, diversity off") << "popularity" << false;
        QTest::newRow("popularity, diversity on") << "popularity" << true;
        QTest::newRow("itemknn, diversity on") << "itemknn" << true;
        QTest::newRow("als, diversity on") << "als" << true;
        QTest::newRow("ease, diversity off") << "ease" << false;
        QTest::newRow("default, diversity on") << "default" << true;
        QTest::newRow("default, diversity off") << "default" << false;
    }
    void recommendBatchContract() {
        QFETCH(QString, model);
        QFETCH(bool, diversity);
        const std::size_t k = 5;
        const fs::path out = m_dir / ("recs-" + model.toStdString() + (diversity ? "-on" : "-off") + ".tsv");
        QStringList args = {"recommend-batch", "--train",    pathArg(m_train), "--model",       model, "--k", "5",
                            "--out",           pathArg(out), "--items",        pathArg(m_items)};
        if (!diversity)
            args << "--diversity"
                 << "off";
        const ProcessRun run = runRecdeckd(args);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.isEmpty());

        const auto rows = recdeck::test::readRecsRows(out);
        std::vector<std::string> order;
        std::map<std::string, std::vector<const recdeck::test::RecsRow*>> byUser;
        for (const auto& row : rows) {
            QVERIFY2(!row.item.empty(), ("malformed row: " + row.user).c_str());
            if (byUser.find(row.user) == byUser.end())
                order.push_back(row.user);
            else
                QVERIFY2(order.back() == row.user, ("rows of " + row.user + " are not contiguous").c_str());
            byUser[row.user].push_back(&row);
        }
        QCOMPARE(order, m_world.userOrder);  // every TRAIN user, verbatim, first-appearance order
        const std::set<std::string> itemIds(m_world.items.begin(), m_world.items.end());
        for (const auto& [user, list] : byUser) {
            const auto& seen = m_world.train.at(user);
            const std::size_t unseen = m_world.items.size() - seen.size();
            QCOMPARE(list.size(), std::min(k, unseen));
            std::set<std::string> distinct;
            double previous = std::numeric_limits<double>::infinity();
            for (const auto* row : list) {
                QVERIFY2(seen.count(row->item) == 0, (user + " got train item " + row->item).c_str());
                QVERIFY2(itemIds.count(row->item) == 1, ("unknown item id " + row->item).c_str());
                QVERIFY(distinct.insert(row->item).second);
                const double score = std::stod(row->score);
                QVERIFY2(score < previous, (user + ": scores not strictly decreasing").c_str());
                previous = score;
            }
        }
        QCOMPARE(byUser.at("0-full").size(), std::size_t{3});
    }

    // A saved model gives the same lists as training in place (models are deterministic).
    void modelFileRoundTrip_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("itemknn") << "itemknn";
        QTest::newRow("als") << "als";
    }
    void modelFileRoundTrip() {
        QFETCH(QString, model);
        const fs::path file = m_dir / ("model-" + model.toStdString() + ".bin");
        const ProcessRun trained =
            runRecdeckd({"train", "--train", pathArg(m_train), "--model", model, "--out", pathArg(file)});
        QVERIFY2(trained.exitCode == 0, trained.err.constData());
        QVERIFY2(trained.err.contains("users") && trained.err.contains("interactions"), trained.err.constData());
        const fs::path fromFile = m_dir / "from-file.tsv";
        const fs::path inPlace = m_dir / "in-place.tsv";
        const ProcessRun a = runRecdeckd({"recommend-batch", "--train", pathArg(m_train), "--model-file", pathArg(file),
                                          "--k", "7", "--out", pathArg(fromFile), "--items", pathArg(m_items)});
        QVERIFY2(a.exitCode == 0, a.err.constData());
        const ProcessRun b = runRecdeckd({"recommend-batch", "--train", pathArg(m_train), "--model", model, "--k", "7",
                                          "--out", pathArg(inPlace), "--items", pathArg(m_items)});
        QVERIFY2(b.exitCode == 0, b.err.constData());
        QVERIFY(!readFile(fromFile).empty());
        QCOMPARE(readFile(fromFile), readFile(inPlace));
    }

    void modelFileFromOtherDataIsRefused() {
        const fs::path file = m_dir / "model-pop.bin";
        QCOMPARE(runRecdeckd({"train", "--train", pathArg(m_train), "--model", "popularity", "--out", pathArg(file)})
                     .exitCode,
                 0);
        const ProcessRun run = runRecdeckd({"recommend-batch", "--train", pathArg(m_test), "--model-file",
                                            pathArg(file), "--out", pathArg(m_dir / "never.tsv")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("was not trained on"), run.err.constData());
        QVERIFY(!fs::exists(m_dir / "never.tsv"));
        const ProcessRun wrongName =
            runRecdeckd({"recommend-batch", "--train", pathArg(m_train), "--model", "als", "--model-file",
                         pathArg(file), "--out", pathArg(m_dir / "never.tsv")});
        QCOMPARE(wrongName.exitCode, 2);
        QVERIFY2(wrongName.err.contains("popularity"), wrongName.err.constData());
    }

    // Hand-checked figures on tests/data/cli/eval_small (ln = natural log):
    //   TRAIN items a b c d (4). TEST: 007 {c, d, e}, A-12 {b}, u4 {a} (u4 unknown to TRAIN,
    //   no list). RECS: 007 c x d; A-12 d b e | a (cut at k = 3); u3 a b (no test rows).
    //   Categories: a Drama, b Drama+Comedy, c Comedy, d Action, e Horror, x none.
    // k = 3:
    //   007:  hits c@1, d@3: P 2/3, R 2/3, DCG 1/ln2 + 1/ln4, IDCG 1/ln2 + 1/ln3 + 1/ln4,
    //         AP (1/1 + 2/3) / min(3, 3) = 5/9
    //   hit b@2: P 1/3, R 1/1, nDCG (1/ln3) / (1/ln2) = ln2/ln3, AP (1/2) / 1
    //   u4:   nDCG 0 (counts in ndcg's mean over the 3 test users only)
    //   precision (2/3 + 1/3) / 2 = .5; recall (2/3 + 1) / 2 = 5/6; map (5/9 + 1/2) / 2 = 19/36
    //   coverage: {c, x, d, b, e, a, b} = 6 distinct / 4 train items = 1.5
    //   ILD: 007 all pairs 1 (x has no categories); A-12 d, b, e all 1; u3 a-b:
    //        1 - 1/sqrt(1 * 2) -> (1 + 1 + 1 - 1/sqrt 2) / 3
    // k = 2:
    //   007:  c x: hit c@1: P 1/2, R 1/3, nDCG (1/ln2) / (1/ln2 + 1/ln3), AP 1 / min(3, 2) = 1/2
    //   d b: hit b@2: P 1/2, R 1, nDCG ln2/ln3, AP (1/2) / 1
    //   precision .5; recall (1/3 + 1) / 2 = 2/3; map .5
    //   coverage {c, x, d, b, a} = 5 / 4 = 1.25; ILD (1 + 1 + 1 - 1/sqrt 2) / 3 again
    // Without --train coverage is null; without --items ILD is null.
    void evalScoresAHandMadeFile_data() {
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("withTrain");
        QTest::addColumn<bool>("withItems");
        QTest::addColumn<QString>("key");
        QTest::addColumn<double>("expected");
        const double ln2 = std::log(2.0), ln3 = std::log(3.0), ln4 = std::log(4.0);
        const double ild = (3.0 - 1.0 / std::sqrt(2.0)) / 3.0;
        const double ndcg3 = ((1 / ln2 + 1 / ln4) / (1 / ln2 + 1 / ln3 + 1 / ln4) + ln2 / ln3) / 3.0;
        const double ndcg2 = ((1 / ln2) / (1 / ln2 + 1 / ln3) + ln2 / ln3) / 3.0;
        QTest::newRow("k3 precision") << 3 << true << true << "precision" << 0.5;
        QTest::newRow("k3 recall") << 3 << true << true << "recall" << 5.0 / 6.0;
        QTest::newRow("k3 ndcg") << 3 << true << true << "ndcg" << ndcg3;
        QTest::newRow("k3 map") << 3 << true << true << "map" << 19.0 / 36.0;
        QTest::newRow("k3 coverage") << 3 << true << true << "coverage" << 1.5;
        QTest::newRow("k3 ild") << 3 << true << true << "ild" << ild;
        QTest::newRow("k2 precision") << 2 << true << true << "precision" << 0.5;
        QTest::newRow("k2 recall") << 2 << true << true << "recall" << 2.0 / 3.0;
        QTest::newRow("k2 ndcg") << 2 << true << true << "ndcg" << ndcg2;
        QTest::newRow("k2 map") << 2 << true << true << "map" << 0.5;
        QTest::newRow("k2 coverage") << 2 << true << true << "coverage" << 1.25;
        QTest::newRow("k2 ild") << 2 << true << true << "ild" << ild;
        QTest::newRow("no train: ndcg") << 3 << false << true << "ndcg" << ndcg3;
        QTest::newRow("no train: coverage") << 3 << false << true << "coverage" << kNull;
        QTest::newRow("no items: ild") << 3 << true << false << "ild" << kNull;
        QTest::newRow("no items: map") << 3 << true << false << "map" << 19.0 / 36.0;
    }
    void evalScoresAHandMadeFile() {
        QFETCH(int, k);
        QFETCH(bool, withTrain);
        QFETCH(bool, withItems);
        QFETCH(QString, key);
        QFETCH(double, expected);
        QStringList args = {"eval",
                            "--recs",
                            pathArg(m_golden / "recs.tsv"),
                            "--test",
                            pathArg(m_golden / "test.tsv"),
                            "--k",
                            QString::number(k),
                            "--json"};
        if (withTrain) args << "--train" << pathArg(m_golden / "train.tsv");
        if (withItems) args << "--items" << pathArg(m_golden / "items.csv");
        if (k == 2)
            args << "--diversity"
                 << "off";  // ignored with --recs: the same figures
        const ProcessRun run = runRecdeckd(args);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.out.trimmed().count('\n') == 0, "one JSON object on one line");
        const QJsonObject json = recdeck::test::jsonObject(run);
        QVERIFY2(!json.isEmpty(), run.out.constData());
        for (const char* contractKey : {"precision", "recall", "ndcg", "map", "coverage", "ild", "k", "users",
                                        "train_seconds", "score_seconds"}) {
            QVERIFY2(json.contains(QLatin1String(contractKey)), contractKey);
        }
        QCOMPARE(json.value(QStringLiteral("k")).toInt(), k);
        const QJsonValue value = json.value(key);
        if (std::isnan(expected)) {
            QVERIFY2(value.isNull(), qPrintable(key + QStringLiteral(" should be null")));
            return;
        }
        QVERIFY2(value.isDouble(), qPrintable(key));
        QVERIFY2(std::abs(value.toDouble() - expected) < 1e-12, qPrintable(QStringLiteral("%1 = %2, expected %3")
                                                                               .arg(key)
                                                                               .arg(value.toDouble(), 0, 'g', 17)
                                                                               .arg(expected, 0, 'g', 17)));
        // The counts behind the means: 3 test users, 2 of them with lists, 3 users with lists.
        const QJsonObject users = json.value(QStringLiteral("users")).toObject();
        QCOMPARE(users.value(QStringLiteral("test")).toInt(), 3);
        QCOMPARE(users.value(QStringLiteral("evaluated")).toInt(), 2);
        QCOMPARE(users.value(QStringLiteral("recommended")).toInt(), 3);
    }

    // The independent Python implementation agrees with eval on the golden files, at k 2
    // and 3, and on the generated world's lists.
    void referenceEvaluatorAgrees_data() {
        QTest::addColumn<QString>("which");
        QTest::addColumn<int>("k");
        QTest::newRow("golden k 3") << "golden" << 3;
        QTest::newRow("golden k 2") << "golden" << 2;
        QTest::newRow("generated, default diversity on, k 10") << "generated" << 10;
    }
    void referenceEvaluatorAgrees() {
        QFETCH(QString, which);
        QFETCH(int, k);
        const auto python = recdeck::test::python3();
        if (!python) {
            if (recdeck::test::requirePrerequisites()) QFAIL("python3 not found (required in CI)");
            QSKIP("python3 not found");
        }
        fs::path recs, test, train, items;
        if (which == QLatin1String("golden")) {
            recs = m_golden / "recs.tsv";
            test = m_golden / "test.tsv";
            train = m_golden / "train.tsv";
            items = m_golden / "items.csv";
        } else {
            recs = m_dir / "generated-recs.tsv";
            test = m_test;
            train = m_train;
            items = m_items;
            const ProcessRun made =
                runRecdeckd({"recommend-batch", "--train", pathArg(train), "--model", "default", "--k",
                             QString::number(k), "--out", pathArg(recs), "--items", pathArg(items)});
            QVERIFY2(made.exitCode == 0, made.err.constData());
        }
        const QStringList files = {"--recs",       pathArg(recs), "--test",       pathArg(test), "--train",
                                   pathArg(train), "--items",     pathArg(items), "--k",         QString::number(k)};
        const ProcessRun ours = runRecdeckd(QStringList{"eval", "--json"} + files);
        QVERIFY2(ours.exitCode == 0, ours.err.constData());
        const ProcessRun reference =
            recdeck::test::runProcess(*python, QStringList{QStringLiteral(REFERENCE_EVAL_PY)} + files, 60000);
        QVERIFY2(reference.exitCode == 0, reference.err.constData());
        const QJsonObject a = recdeck::test::jsonObject(ours);
        const QJsonObject b = recdeck::test::jsonObject(reference);
        for (const char* key : {"precision", "recall", "ndcg", "map", "coverage", "ild"}) {
            const QString name = QLatin1String(key);
            QVERIFY2(a.value(name).isDouble() && b.value(name).isDouble(), key);
            QVERIFY2(std::abs(a.value(name).toDouble() - b.value(name).toDouble()) < 1e-9,
                     qPrintable(QStringLiteral("%1: recdeckd %2, reference %3")
                                    .arg(name)
                                    .arg(a.value(name).toDouble(), 0, 'g', 17)
                                    .arg(b.value(name).toDouble(), 0, 'g', 17)));
        }
        QCOMPARE(a.value(QStringLiteral("users")).toObject().value(QStringLiteral("test")).toInt(),
                 b.value(QStringLiteral("test_users")).toInt());
    }

    // eval --model ranks exactly what recommend-batch writes: the same figures either way.
    void evalOfAModelEqualsEvalOfItsFile() {
        const fs::path recs = m_dir / "itemknn-recs.tsv";
        const QStringList common = {"--train", pathArg(m_train), "--items", pathArg(m_items), "--k", "10"};
        QCOMPARE(
            runRecdeckd(QStringList{"recommend-batch", "--model", "itemknn", "--out", pathArg(recs)} + common).exitCode,
            0);
        const ProcessRun direct =
            runRecdeckd(QStringList{"eval", "--model", "itemknn", "--test", pathArg(m_test), "--json"} + common);
        QVERIFY2(direct.exitCode == 0, direct.err.constData());
        const ProcessRun fromFile =
            runRecdeckd(QStringList{"eval", "--recs", pathArg(recs), "--test", pathArg(m_test), "--json"} + common);
        QVERIFY2(fromFile.exitCode == 0, fromFile.err.constData());
        const QJsonObject a = recdeck::test::jsonObject(direct);
        const QJsonObject b = recdeck::test::jsonObject(fromFile);
        for (const char* key : {"precision", "recall", "ndcg", "map", "coverage", "ild"}) {
            QVERIFY2(a.value(QLatin1String(key)).isDouble(), key);
            QCOMPARE(a.value(QLatin1String(key)).toDouble(), b.value(QLatin1String(key)).toDouble());
        }
        QVERIFY(a.value(QStringLiteral("ndcg")).toDouble() > 0.0);
        QCOMPARE(a.value(QStringLiteral("model")).toString(), QStringLiteral("itemknn"));
        // The human-readable table names every figure.
        const ProcessRun table =
            runRecdeckd(QStringList{"eval", "--model", "popularity", "--test", pathArg(m_test)} + common);
        QCOMPARE(table.exitCode, 0);
        for (const char* label :
             {"precision@10", "recall@10", "ndcg@10", "map@10", "coverage", "ild", "train", "score"}) {
            QVERIFY2(table.out.contains(label), label);
        }
    }

    // Every malformed or missing input: exit status 2, "file:line: ..." (or "no such
    // file") on stderr, nothing on stdout, no output file; never a crash.
    void badInputExitsWithStatus2_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        const fs::path golden = recdeck::test::goldenDataDir() / "import";
        const QString train = pathArg(m_train);
        const QString test = pathArg(m_test);
        const QString out = pathArg(m_dir / "bad-out.tsv");
        const QString badRecs2 = pathArg(m_dir / "bad-fields.tsv");
        const QString badRecs3 = pathArg(m_dir / "bad-score.tsv");
        const QString emptyRecs = pathArg(m_dir / "empty.tsv");
        const QString garbageModel = pathArg(m_dir / "garbage.model");
        QTest::newRow("malformed train") << QStringList{"recommend-batch", "--train",
                                                        pathArg(golden / "bad_rating" / "u.data"), "--out", out}
                                         << "u.data:5: rating 'abc' is not a number";
        QTest::newRow("malformed items") << QStringList{"recommend-batch",
                                                        "--train",
                                                        train,
                                                        "--items",
                                                        pathArg(golden / "bad_genre_flag" / "u.item"),
                                                        "--out",
                                                        out}
                                         << "u.item:2:";
        QTest::newRow("malformed test")
            << QStringList{"eval",    "--train",   train, "--test", pathArg(golden / "bad_field_count" / "ratings.csv"),
                           "--model", "popularity"}
            << "ratings.csv:17:";
        QTest::newRow("binary train") << QStringList{"train", "--train",
                                                     pathArg(golden / "binary_garbage" / "data.bin"), "--out", out}
                                      << "data.bin:";
        QTest::newRow("recs line with 2 fields") << QStringList{"eval", "--recs", badRecs2, "--test", test}
                                                 << "bad-fields.tsv:2: expected 3 tab-separated fields";
        QTest::newRow("recs score not a number")
            << QStringList{"eval", "--recs", badRecs3, "--test", test} << "bad-score.tsv:3: expected a finite number";
        QTest::newRow("empty recs") << QStringList{"eval", "--recs", emptyRecs, "--test", test} << "empty.tsv:1:";
        QTest::newRow("missing train") << QStringList{"recommend-batch", "--train", pathArg(m_dir / "nope.csv"),
                                                      "--out", out}
                                       << "nope.csv: no such file";
        QTest::newRow("missing test") << QStringList{"eval", "--train", train, "--test", pathArg(m_dir / "nope.csv")}
                                      << "nope.csv: no such file";
        QTest::newRow("missing recs") << QStringList{"eval", "--recs", pathArg(m_dir / "nope.tsv"), "--test", test}
                                      << "nope.tsv: no such file";
        QTest::newRow("missing items") << QStringList{"train", "--train", train, "--items", pathArg(m_dir / "nope.csv"),
                                                      "--out", out}
                                       << "nope.csv: no such file";
        QTest::newRow("missing model file")
            << QStringList{"recommend-batch", "--train", train, "--model-file", pathArg(m_dir / "nope.model"),
                           "--out",           out}
            << "nope.model: no such file";
        QTest::newRow("corrupt model file")
            << QStringList{"recommend-batch", "--train", train, "--model-file", garbageModel, "--out", out}
            << "garbage.model";
        QTest::newRow("unknown model") << QStringList{"recommend-batch", "--train", train, "--model",
                                                      "magic",           "--out",   out}
                                       << "unknown model 'magic'";
        QTest::newRow("k zero") << QStringList{"recommend-batch", "--train", train, "--k", "0", "--out", out} << "--k";
        QTest::newRow("k not a number") << QStringList{"eval", "--train", train, "--test", test, "--k", "ten"} << "--k";
        QTest::newRow("diversity value") << QStringList{"recommend-batch", "--train", train, "--diversity",
                                                        "maybe",           "--out",   out}
                                         << "--diversity";
        QTest::newRow("no --out") << QStringList{"recommend-batch", "--train", train} << "--out is required";
        QTest::newRow("no --train") << QStringList{"train", "--out", out} << "--train is required";
        QTest::newRow("no --test") << QStringList{"eval", "--train", train, "--model", "popularity"}
                                   << "--test is required";
        QTest::newRow("malformed recs, model ignored")
            << QStringList{"eval", "--recs", badRecs2, "--test", test, "--model", "als"} << "bad-fields.tsv:2:";
        QTest::newRow("out in a missing folder")
            << QStringList{"recommend-batch", "--train", train, "--out", pathArg(m_dir / "no-folder" / "recs.tsv")}
            << "no such folder";
        QTest::newRow("model out is a device")
            << QStringList{"train", "--train", train, "--model", "popularity", "--out", "/dev/null"}
            << "not a regular file";
        QTest::newRow("unknown option") << QStringList{"eval", "--train", train, "--test", test, "--bogus"} << "bogus";
    }
    void badInputExitsWithStatus2() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        writeFile(m_dir / "bad-fields.tsv", "u1\ti1\t3\nu1\ti2\nu1\ti3\t1\n");
        writeFile(m_dir / "bad-score.tsv", "user\titem\tscore\nu1\ti1\t3\nu1\ti2\thigh\n");
        writeFile(m_dir / "empty.tsv", "");
        writeFile(m_dir / "garbage.model", "RECDECKMODEL but not really a model file");
        const ProcessRun run = runRecdeckd(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains("recdeckd: "), run.err.constData());
        QVERIFY2(QString::fromUtf8(run.err).contains(mentions), run.err.constData());
        QVERIFY(!fs::exists(m_dir / "bad-out.tsv"));
    }
};

QTEST_GUILESS_MAIN(TestRecdeckdOffline)
#include "test_recdeckd_offline.moc"

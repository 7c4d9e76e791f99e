// End to end on the development dataset (ml-latest-small, read in place): a per-user
// stratified 75/25 split written to temporary files, then the offline contract exactly as
// an outside checker runs it (recdeckd eval / train / recommend-batch as processes), with
// the figures compared against each other rather than against stored numbers:
//   - item-kNN and ALS beat popularity on ndcg@10 by at least 25% (relative);
//   - the default model is at least as good as ALS (diversity off);
//   - every TRAIN user gets exactly k items, none of them a TRAIN item of theirs;
//   - the default diversity-aware ranking keeps intra-list diversity >= 0.7 while giving up
//     little ndcg;
//   - tests/app/reference_eval.py (independent, Python standard library) computes the same
//     figures from the same files to 1e-9.
// Each model trains once (the default model once, saved and reused for both rankings).

#include <QJsonObject>
#include <QTest>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "recdeck/data/importer.h"
#include "recdeck/data/split.h"
#include "recdeckd_process.h"
#include "test_support.h"

namespace fs = std::filesystem;
using recdeck::test::pathArg;
using recdeck::test::ProcessRun;
using recdeck::test::runRecdeckd;

namespace {

constexpr int kTimeoutMs = 300000;

void writeRows(const fs::path& path, const recdeck::data::Dataset& dataset,
               const std::vector<recdeck::data::Interaction>& rows) {
    std::ofstream out(path, std::ios::binary);
    out << "userId,movieId,rating,timestamp\n";
    char rating[32];
    for (const auto& row : rows) {
        std::snprintf(rating, sizeof rating, "%g", static_cast<double>(row.rating));
        out << dataset.users.id(row.user) << ',' << dataset.catalog.items().id(row.item) << ',' << rating << ','
            << row.timestamp << '\n';
    }
}

double number(const QJsonObject& json, const char* key) {
    const QJsonValue value = json.value(QLatin1String(key));
    return value.isDouble() ? value.toDouble() : std::nan("");
}

}  // namespace

class TestRecdeckdOfflineE2e : public QObject {
    Q_OBJECT
private slots:
    void movieLensSmallEndToEnd() {
        RECDECK_REQUIRE_DATASET(dataset);
        const auto started = std::chrono::steady_clock::now();
        const fs::path dir = recdeck::test::makeTempDir("recdeckd-e2e");
        const fs::path train = dir / "train.csv";
        const fs::path test = dir / "test.csv";
        const fs::path items = dataset / "movies.csv";

        // The split, written like any outside tool would (ratings.csv format, ids verbatim).
        std::map<std::string, std::set<std::string>> trainItems;
        {
            recdeck::data::Dataset data;
            auto report = recdeck::data::importInteractions(dataset / "ratings.csv", data);
            QVERIFY2(report.ok(), report.ok() ? "" : report.errorMessage().c_str());
            const auto split = recdeck::data::stratifiedSplit(data.interactions, 0.25, 2024);
            QVERIFY(split.test.size() > 20000);
            writeRows(train, data, split.train);
            writeRows(test, data, split.test);
            for (const auto& row : split.train) {
                trainItems[data.users.id(row.user)].insert(data.catalog.items().id(row.item));
            }
        }
        const QStringList common = {"--train", pathArg(train), "--items", pathArg(items), "--k", "10"};
        const auto evalModel = [&](const char* model) {
            const ProcessRun run = runRecdeckd(QStringList{"eval", "--model", QLatin1String(model), "--test",
                                                           pathArg(test), "--diversity", "off", "--json"} +
                                                   common,
                                               kTimeoutMs);
            if (run.exitCode != 0) qWarning("%s: %s", model, run.err.constData());
            return recdeck::test::jsonObject(run);
        };
        const QJsonObject popularity = evalModel("popularity");
        const QJsonObject itemknn = evalModel("itemknn");
        const QJsonObject als = evalModel("als");

        // The default model: trained once, ranked both ways from the saved file.
        const fs::path modelFile = dir / "default.model";
        const ProcessRun trained = runRecdeckd({"train", "--train", pathArg(train), "--model", "default", "--out",
                                                pathArg(modelFile), "--items", pathArg(items)},
                                               kTimeoutMs);
        QVERIFY2(trained.exitCode == 0, trained.err.constData());
        std::map<QString, QJsonObject> ranked;
        for (const QString& diversity : {QStringLiteral("off"), QStringLiteral("on")}) {
            const fs::path recs = dir / ("default-" + diversity.toStdString() + ".tsv");
            const ProcessRun made = runRecdeckd(QStringList{"recommend-batch", "--model-file", pathArg(modelFile),
                                                            "--diversity", diversity, "--out", pathArg(recs)} +
                                                    common,
                                                kTimeoutMs);
            QVERIFY2(made.exitCode == 0, made.err.constData());

            // Exactly k rows for every TRAIN user, never one of their TRAIN items.
            std::map<std::string, std::set<std::string>> lists;
            for (const auto& row : recdeck::test::readRecsRows(recs)) {
                QVERIFY2(trainItems[row.user].count(row.item) == 0,
                         (row.user + " was recommended train item " + row.item).c_str());
                QVERIFY2(lists[row.user].insert(row.item).second, (row.user + ": repeated " + row.item).c_str());
            }
            QCOMPARE(lists.size(), trainItems.size());
            for (const auto& [user, list] : lists) QVERIFY2(list.size() == 10, user.c_str());

            const QStringList files = {"--recs",       pathArg(recs), "--test",       pathArg(test), "--train",
                                       pathArg(train), "--items",     pathArg(items), "--k",         "10"};
            const ProcessRun scored = runRecdeckd(QStringList{"eval", "--json"} + files, kTimeoutMs);
            QVERIFY2(scored.exitCode == 0, scored.err.constData());
            ranked[diversity] = recdeck::test::jsonObject(scored);

            // The independent implementation on the same files.
            const auto python = recdeck::test::python3();
            if (!python) {
                if (recdeck::test::requirePrerequisites()) QFAIL("python3 not found (required in CI)");
                qWarning("python3 not found: reference comparison skipped");
                continue;
            }
            const ProcessRun reference =
                recdeck::test::runProcess(*python, QStringList{QStringLiteral(REFERENCE_EVAL_PY)} + files, kTimeoutMs);
            QVERIFY2(reference.exitCode == 0, reference.err.constData());
            const QJsonObject expected = recdeck::test::jsonObject(reference);
            for (const char* key : {"precision", "recall", "ndcg", "map", "coverage", "ild"}) {
                const double ours = number(ranked[diversity], key);
                const double theirs = number(expected, key);
                QVERIFY2(std::abs(ours - theirs) < 1e-9,
                         qPrintable(QStringLiteral("diversity %1, %2: recdeckd %3, reference %4")
                                        .arg(diversity, QLatin1String(key))
                                        .arg(ours, 0, 'g', 17)
                                        .arg(theirs, 0, 'g', 17)));
            }
        }

        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const auto show = [](const char* name, const QJsonObject& m) {
            qInfo("%-22s ndcg@10 %.4f  precision %.4f  recall %.4f  map %.4f  coverage %.4f  ild %.4f  train %.1f s",
                  name, number(m, "ndcg"), number(m, "precision"), number(m, "recall"), number(m, "map"),
                  number(m, "coverage"), number(m, "ild"), number(m, "train_seconds"));
        };
        show("popularity", popularity);
        show("itemknn", itemknn);
        show("als", als);
        show("default, diversity off", ranked[QStringLiteral("off")]);
        show("default, diversity on", ranked[QStringLiteral("on")]);
        qInfo("end to end %.1f s", seconds);

        const double pop = number(popularity, "ndcg");
        QVERIFY2(pop > 0.05, "popularity should find something");
        QVERIFY2(number(itemknn, "ndcg") >= 1.25 * pop, "item-kNN should beat popularity by >= 25%");
        QVERIFY2(number(als, "ndcg") >= 1.25 * pop, "ALS should beat popularity by >= 25%");
        const double off = number(ranked[QStringLiteral("off")], "ndcg");
        QVERIFY2(off >= number(als, "ndcg"), "the default model should be at least as good as ALS");
        const double on = number(ranked[QStringLiteral("on")], "ndcg");
        QVERIFY2(number(ranked[QStringLiteral("on")], "ild") >= 0.7, "the default ranking should keep ILD >= 0.7");
        QVERIFY2(on >= 0.9 * off, "diversity should give up little ndcg (at most 10% here)");
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

QTEST_GUILESS_MAIN(TestRecdeckdOfflineE2e)
#include "test_recdeckd_offline_e2e.moc"

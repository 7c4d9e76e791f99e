// Importers: golden folders (tests/data/import/<case>/ with inputs and expected.json),
// format detection, value parsing, atomicity, cancellation and the real ml-latest-small.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stop_token>
#include <string>
#include <tuple>
#include <vector>

#include "recdeck/common/stopwatch.h"
#include "recdeck/data/importer.h"
#include "test_support.h"

using namespace recdeck::data;
namespace fs = std::filesystem;

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}
std::string ss(const QString& s) {
    return s.toStdString();
}

void writeBytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

// What a Dataset looks like from outside, to prove a failed import changed nothing.
struct Snapshot {
    std::vector<std::string> users;
    std::vector<std::string> items;
    std::vector<std::string> categories;
    std::vector<std::string> titles;
    std::vector<std::tuple<Index, Index, float, std::int64_t>> interactions;

    static Snapshot of(const Dataset& d) {
        Snapshot s;
        s.users = d.users.ids();
        s.items = d.catalog.items().ids();
        s.categories = d.catalog.categories().ids();
        for (Index i = 0; i < d.catalog.size(); ++i) {
            s.titles.push_back(d.catalog.info(i).title + (d.catalog.info(i).described ? "+" : "-"));
        }
        for (const auto& r : d.interactions) s.interactions.emplace_back(r.user, r.item, r.rating, r.timestamp);
        return s;
    }
    bool operator==(const Snapshot&) const = default;
};

std::vector<std::string> categoryNames(const Dataset& d, Index item) {
    std::vector<std::string> names;
    for (Index c : d.catalog.info(item).categories) names.push_back(d.catalog.categories().id(c));
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> stringList(const QJsonValue& value) {
    std::vector<std::string> out;
    for (const auto& v : value.toArray()) out.push_back(ss(v.toString()));
    return out;
}

}  // namespace

class TestDataImport : public QObject {
    Q_OBJECT

private:
    fs::path m_temp;
    int m_counter = 0;

    fs::path tempFile(const std::string& name, const std::string& bytes) {
        const fs::path path = m_temp / name;
        writeBytes(path, bytes);
        return path;
    }

    // A ratings.csv of `rows` rows over 1000 users and 3000 items.
    fs::path bigRatings(const std::string& name, std::size_t rows) {
        std::string text = "userId,movieId,rating,timestamp\n";
        text.reserve(rows * 28);
        for (std::size_t i = 0; i < rows; ++i) {
            text += std::to_string(i % 1000) + "," + std::to_string((i * 7919) % 3000) + "," +
                    std::to_string(1 + i % 5) + ".0," + std::to_string(1000000000 + i) + "\n";
        }
        return tempFile(name, text);
    }

private slots:
    void initTestCase() { m_temp = recdeck::test::makeTempDir("recdeck-data-import"); }
    void cleanupTestCase() {
        std::error_code ec;
        fs::remove_all(m_temp, ec);
    }

    // ---- golden folders --------------------------------------------------------------
    void golden_data() {
        QTest::addColumn<QString>("caseDir");
        const fs::path root = recdeck::test::goldenDataDir() / "import";
        std::vector<fs::path> cases;
        for (const auto& entry : fs::directory_iterator(root)) {
            if (entry.is_directory() && fs::exists(entry.path() / "expected.json")) cases.push_back(entry.path());
        }
        std::sort(cases.begin(), cases.end());
        for (const auto& dir : cases) QTest::newRow(dir.filename().string().c_str()) << qs(dir.string());
    }

    void golden() {
        QFETCH(QString, caseDir);
        const fs::path dir = ss(caseDir);
        QFile file(qs((dir / "expected.json").string()));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonParseError parseError;
        const QJsonObject expected = QJsonDocument::fromJson(file.readAll(), &parseError).object();
        QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
        const std::string prefix = (dir / "").string();  // messages name the path as given
        auto relative = [&prefix](const std::string& message) {
            return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : "(absolute) " + message;
        };

        Dataset dataset;
        const QJsonArray steps = expected["steps"].toArray();
        QVERIFY(!steps.isEmpty());
        for (const auto& stepValue : steps) {
            const QJsonObject step = stepValue.toObject();
            const fs::path input = dir / ss(step["file"].toString());
            const Snapshot before = Snapshot::of(dataset);
            const bool interactions = step["import"].toString() == "interactions";
            QVERIFY(interactions || step["import"].toString() == "items");
            auto result = interactions ? importInteractions(input, dataset) : importItems(input, dataset);

            if (step.contains("error")) {
                QVERIFY2(!result.ok(), "the import should have failed");
                QCOMPARE(qs(relative(result.errorMessage())), step["error"].toString());
                QVERIFY2(Snapshot::of(dataset) == before, "a failed import changed the dataset");
                continue;
            }
            QVERIFY2(result.ok(), qPrintable(qs(result.ok() ? std::string() : result.errorMessage())));
            const ImportReport& report = *result;
            QCOMPARE(QString(formatName(report.format)), step["format"].toString());
            QCOMPARE(isInteractionsFormat(report.format), interactions);
            QCOMPARE(report.linesRead, std::size_t(step["linesRead"].toInt()));
            QCOMPARE(report.rowsImported, std::size_t(step["rowsImported"].toInt()));
            QCOMPARE(report.users, std::size_t(step["users"].toInt()));
            QCOMPARE(report.items, std::size_t(step["items"].toInt()));
            std::map<std::string, std::size_t> warnings;
            const QJsonObject w = step["warnings"].toObject();
            for (auto it = w.begin(); it != w.end(); ++it) warnings[ss(it.key())] = std::size_t(it.value().toInt());
            QCOMPARE(report.warningCounts, warnings);
            std::size_t total = 0;
            for (const auto& [kind, count] : warnings) total += count;
            QCOMPARE(report.warningCount(), total);
            QCOMPARE(report.warnings.size(), std::min(total, ImportReport::kMaxStoredWarnings));
            if (step.contains("warningMessages")) {
                std::vector<std::string> messages;
                for (const auto& warning : report.warnings) messages.push_back(relative(warning.message));
                QCOMPARE(messages, stringList(step["warningMessages"]));
            }
        }

        const QJsonObject ds = expected["dataset"].toObject();
        QCOMPARE(dataset.users.size(), std::size_t(ds["users"].toInt()));
        QCOMPARE(dataset.catalog.size(), std::size_t(ds["items"].toInt()));
        QCOMPARE(dataset.interactions.size(), std::size_t(ds["interactions"].toInt()));
        QCOMPARE(dataset.catalog.describedCount(), std::size_t(ds["described"].toInt()));
        QCOMPARE(dataset.catalog.categories().ids(), stringList(ds["categories"]));

        for (const auto& value : expected["interactions"].toArray()) {
            const QJsonObject row = value.toObject();
            const auto index = std::size_t(row["index"].toInt());
            QVERIFY(index < dataset.interactions.size());
            const Interaction& got = dataset.interactions[index];
            QCOMPARE(qs(dataset.users.id(got.user)), row["user"].toString());
            QCOMPARE(qs(dataset.catalog.items().id(got.item)), row["item"].toString());
            QCOMPARE(got.rating, float(row["rating"].toDouble()));
            QCOMPARE(got.timestamp, std::int64_t(row["timestamp"].toDouble()));
        }
        for (const auto& value : expected["itemsSpot"].toArray()) {
            const QJsonObject spot = value.toObject();
            const auto index = dataset.catalog.items().find(ss(spot["id"].toString()));
            QVERIFY2(index.has_value(), qPrintable(spot["id"].toString()));
            const ItemInfo& info = dataset.catalog.info(*index);
            QCOMPARE(qs(info.title), spot["title"].toString());
            auto names = stringList(spot["categories"]);
            std::sort(names.begin(), names.end());
            QCOMPARE(categoryNames(dataset, *index), names);
            if (spot.contains("releasedAt")) QCOMPARE(info.releasedAt, std::int64_t(spot["releasedAt"].toDouble()));
            QCOMPARE(info.described, spot["described"].toBool(true));
        }
    }

    // ---- detection ---------------------------------------------------------------------
    void detectsFormatFromContent_data() {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");  // a format name, or "error: <part of the message>"
        QTest::newRow("u.data") << "u.data" << QByteArray("196\t242\t3\t881250949\n") << "MovieLens u.data";
        QTest::newRow("u.data named ratings.csv")
            << "ratings.csv" << QByteArray("196\t242\t3\t881250949\n") << "MovieLens u.data";
        QTest::newRow("u.data with ms timestamps")
            << "x" << QByteArray("a\tb\t1\t1577934245123\n") << "MovieLens u.data";
        QTest::newRow("ratings.dat") << "x" << QByteArray("1::1193::5::978300760\n") << "MovieLens ratings.dat";
        QTest::newRow("movies.dat") << "x" << QByteArray("1::Toy Story (1995)::Animation|Children's|Comedy\n")
                                    << "MovieLens movies.dat";
        QTest::newRow("ratings.csv") << "u.data" << QByteArray("userId,movieId,rating,timestamp\n1,1,4.0,9\n")
                                     << "MovieLens ratings.csv";
        QTest::newRow("ratings.csv other case")
            << "x" << QByteArray("UserId,MovieID,Rating,TimeStamp\r\n") << "MovieLens ratings.csv";
        QTest::newRow("ratings.csv after BOM and blank lines")
            << "x" << QByteArray("\xEF\xBB\xBF\n  \nuserId,movieId,rating,timestamp\n") << "MovieLens ratings.csv";
        QTest::newRow("movies.csv") << "ratings.csv" << QByteArray("movieId,title,genres\n") << "MovieLens movies.csv";
        QTest::newRow("u.item")
            << "x" << QByteArray("1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n")
            << "MovieLens u.item";
        QTest::newRow("tsv header") << "x" << QByteArray("user\titem\trating\ttimestamp\n") << "generic interactions";
        QTest::newRow("semicolon header") << "x" << QByteArray("customer_id;product_id\n") << "generic interactions";
        QTest::newRow("pipe header") << "x" << QByteArray("uid|iid|score\n") << "generic interactions";
        QTest::newRow("quoted header") << "x" << QByteArray("\"User ID\",\"Item-ID\"\n") << "generic interactions";
        QTest::newRow("tags.csv") << "x" << QByteArray("userId,movieId,tag,timestamp\n") << "generic interactions";
        QTest::newRow("headerless csv") << "x" << QByteArray("7,42,3.5,1000\n") << "generic interactions";
        QTest::newRow("headerless tsv, 3 fields") << "x" << QByteArray("7\t42\t3.5\n") << "generic interactions";
        QTest::newRow("items header") << "x" << QByteArray("sku,title,category\n") << "generic items";
        QTest::newRow("links.csv") << "x" << QByteArray("movieId,imdbId,tmdbId\n") << "generic items";
        QTest::newRow("user without item")
            << "x" << QByteArray("user_id,thing\n1,2\n") << "error: names a user column but no item column";
        QTest::newRow("empty") << "x" << QByteArray("") << "error: the file is empty";
        QTest::newRow("blank only") << "x" << QByteArray(" \r\n\t\n") << "error: the file is empty";
        QTest::newRow("utf-16") << "x" << QByteArray("\xFF\xFEu\0s\0", 6) << "error: UTF-16 text is not supported";
        QTest::newRow("nul on line 2") << "x" << QByteArray("abc\nd\0e\n", 8) << "error: x:2: binary data (NUL byte)";
        QTest::newRow("prose") << "x" << QByteArray("hello world\n") << "error: x:1: unrecognised format";
    }

    void detectsFormatFromContent() {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        const fs::path dir = m_temp / ("detect-" + std::to_string(++m_counter));
        fs::create_directories(dir);
        const fs::path path = dir / ss(fileName);
        writeBytes(path, content.toStdString());
        const auto format = detectFormat(path);
        if (expected.startsWith("error: ")) {
            QVERIFY2(!format.ok(), "detection should fail");
            std::string want = ss(expected.mid(7));
            if (want.rfind("x:", 0) == 0) want = (dir / "x").string() + want.substr(1);  // "x:2: ..." names the path
            const std::string got = format.errorMessage();
            QVERIFY2(got.find(want) != std::string::npos, got.c_str());
        } else {
            QVERIFY2(format.ok(), format.ok() ? "" : format.errorMessage().c_str());
            QCOMPARE(QString(formatName(*format)), expected);
        }
    }

    // ---- values --------------------------------------------------------------------------
    void parsesTimestamps_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("seconds");  // -1234567 marks "must be rejected"
        const qint64 bad = -1234567;
        QTest::newRow("seconds") << "964982703" << qint64(964982703);
        QTest::newRow("milliseconds") << "964982703123" << qint64(964982703);
        QTest::newRow("microseconds") << "964982703123456" << qint64(964982703);
        QTest::newRow("decimal seconds") << "964982703.75" << qint64(964982703);
        QTest::newRow("before 1970") << "-86400" << qint64(-86400);
        QTest::newRow("date") << "1970-01-02" << qint64(86400);
        QTest::newRow("leap day") << "2024-02-29" << qint64(1709164800);
        QTest::newRow("date-time Z") << "2000-01-01T00:00:00Z" << qint64(946684800);
        QTest::newRow("space separator") << "2000-01-01 00:00:01" << qint64(946684801);
        QTest::newRow("no seconds") << "2000-01-01T00:01" << qint64(946684860);
        QTest::newRow("fraction") << "2000-01-01T00:00:01.999" << qint64(946684801);
        QTest::newRow("offset +02:00") << "2000-01-01T02:00:00+02:00" << qint64(946684800);
        QTest::newRow("offset -0130") << "1999-12-31T22:30:00-0130" << qint64(946684800);
        QTest::newRow("empty means unknown") << "" << qint64(0);
        QTest::newRow("no such day") << "2023-02-29" << bad;
        QTest::newRow("month 13") << "2000-13-01" << bad;
        QTest::newRow("hour 25") << "2000-01-01T25:00" << bad;
        QTest::newRow("time only") << "12:00" << bad;
        QTest::newRow("words") << "last tuesday" << bad;
        QTest::newRow("overflow") << "99999999999999999999999" << bad;
    }

    void parsesTimestamps() {
        QFETCH(QString, text);
        QFETCH(qint64, seconds);
        const auto path = tempFile("ts.csv", "user,item,timestamp\nu,i," + ss(text) + "\n");
        Dataset d;
        const auto result = importInteractions(path, d);
        if (seconds == -1234567) {
            QVERIFY(!result.ok());
            QVERIFY2(result.errorMessage().find(":2: timestamp '") != std::string::npos, result.errorMessage().c_str());
            QVERIFY(d.interactions.empty());
        } else {
            QVERIFY2(result.ok(), result.ok() ? "" : result.errorMessage().c_str());
            QCOMPARE(qint64(d.interactions.at(0).timestamp), seconds);
        }
    }

    void parsesRatings_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("rating");  // NaN: must be rejected
        const double bad = std::numeric_limits<double>::quiet_NaN();
        QTest::newRow("integer") << "4" << 4.0;
        QTest::newRow("half star") << "3.5" << 3.5;
        QTest::newRow("decimal comma") << "3,5" << 3.5;
        QTest::newRow("plus sign") << "+2" << 2.0;
        QTest::newRow("exponent") << "1e1" << 10.0;
        QTest::newRow("negative") << "-1" << -1.0;
        QTest::newRow("padded") << "  5 " << 5.0;
        QTest::newRow("empty means 1") << "" << 1.0;
        QTest::newRow("nan") << "nan" << bad;
        QTest::newRow("infinity") << "inf" << bad;
        QTest::newRow("two commas") << "1,2,3" << bad;
        QTest::newRow("word") << "good" << bad;
    }

    void parsesRatings() {
        QFETCH(QString, text);
        QFETCH(double, rating);
        const auto path = tempFile("rating.csv", "user;item;rating\nu;i;" + ss(text) + "\n");
        Dataset d;
        const auto result = importInteractions(path, d);
        if (std::isnan(rating)) {
            QVERIFY(!result.ok());
            QCOMPARE(qs(result.errorMessage()),
                     qs(path.string() + ":2: rating '" + std::string(ss(text)) + "' is not a number"));
        } else {
            QVERIFY2(result.ok(), result.ok() ? "" : result.errorMessage().c_str());
            QCOMPARE(d.interactions.at(0).rating, float(rating));
        }
    }

    void keepsIdsExactlyAsWritten() {
        // Integer-looking ids take a faster path; their identity must not change.
        const std::vector<std::string> written = {
            "7",  "007", "0007", "0",   "00",      "4194303", "4194304", "12345678901234567890",
            "-5", "+5",  "7.0",  " 7 ", "4194303", "x7"};
        const std::vector<std::string> expected = {
            "7", "007", "0007", "0", "00", "4194303", "4194304", "12345678901234567890", "-5", "+5", "7.0", "x7"};
        std::string text = "user,item\n";
        for (std::size_t i = 0; i < written.size(); ++i)
            text += written[i] + "," + written[written.size() - 1 - i] + "\n";
        Dataset d;
        const auto result = importInteractions(tempFile("ids.csv", text), d);
        QVERIFY(result.ok());
        QCOMPARE(d.users.ids(), expected);
        QCOMPARE(result->users, expected.size());
        for (std::size_t i = 0; i < written.size(); ++i) {
            const auto trimmed = [](std::string s) {
                while (!s.empty() && s.front() == ' ') s.erase(s.begin());
                while (!s.empty() && s.back() == ' ') s.pop_back();
                return s;
            };
            QCOMPARE(d.users.id(d.interactions[i].user), trimmed(written[i]));
            QCOMPARE(d.catalog.items().id(d.interactions[i].item), trimmed(written[written.size() - 1 - i]));
        }
    }

    void internsManyIdsInFileOrder() {
        // Enough distinct string and integer ids to grow the lookup tables several times.
        std::string text = "user,item\n";
        for (int i = 0; i < 60000; ++i) {
            text += "user_" + std::to_string((i * 7) % 25000) + "," + std::to_string((i * 13) % 40000 + 1) + "\n";
        }
        Dataset d;
        const auto result = importInteractions(tempFile("many.csv", text), d);
        QVERIFY(result.ok());
        QCOMPARE(d.users.size(), std::size_t{25000});
        QCOMPARE(d.catalog.size(), std::size_t{40000});
        QCOMPARE(d.users.id(0), std::string("user_0"));
        QCOMPARE(d.users.id(1), std::string("user_7"));
        for (int i = 0; i < 60000; i += 997) {
            const auto& row = d.interactions[static_cast<std::size_t>(i)];
            QCOMPARE(d.users.id(row.user), "user_" + std::to_string((i * 7) % 25000));
            QCOMPARE(d.catalog.items().id(row.item), std::to_string((i * 13) % 40000 + 1));
        }
    }

    void movieLensRatingMustNotBeEmpty() {
        const auto path = tempFile("empty-rating.data", "1\t2\t3\t100\n1\t3\t\t100\n");
        Dataset d;
        const auto result = importInteractions(path, d);
        QVERIFY(!result.ok());
        QCOMPARE(qs(result.errorMessage()),
                 qs(path.string() + ":2: rating is empty; expected a number in field 3 (rating)"));
    }

    // ---- robustness ------------------------------------------------------------------------
    void quotedRecordsAcrossChunkBoundaries() {
        // Over 3 MiB of movies.csv with quoted titles holding commas, doubled quotes and line
        // breaks, CRLF line ends: every record must come back intact, whatever the chunking.
        std::string text = "movieId,title,genres\r\n";
        std::vector<std::string> titles;
        std::size_t line = 2;
        for (int i = 0; i < 90000; ++i) {
            std::string title = "Movie " + std::to_string(i) + ", The";
            if (i % 3 == 0) title += " \"Director's Cut\"";
            if (i % 7 == 0) title += "\nPart " + std::to_string(i % 11);
            titles.push_back(title);
            std::string escaped;
            for (char c : title) escaped += c == '"' ? std::string("\"\"") : std::string(1, c);
            text +=
                std::to_string(i) + ",\"" + escaped + "\"," + (i % 2 ? "Drama|Comedy" : "(no genres listed)") + "\r\n";
            line += 1 + static_cast<std::size_t>(std::count(title.begin(), title.end(), '\n'));
        }
        QVERIFY(text.size() > 3u << 20);
        const auto good = tempFile("big-movies.csv", text);
        Dataset d;
        auto result = importItems(good, d);
        QVERIFY2(result.ok(), result.ok() ? "" : result.errorMessage().c_str());
        QCOMPARE(result->rowsImported, titles.size());
        QCOMPARE(result->format, FileFormat::MovieLensMoviesCsv);
        for (std::size_t i = 0; i < titles.size(); ++i) {
            const auto index = d.catalog.items().find(std::to_string(i));
            QVERIFY(index.has_value());
            if (d.catalog.info(*index).title != titles[i]) {
                QFAIL(qPrintable(
                    QString("title %1: '%2' != '%3'").arg(i).arg(qs(d.catalog.info(*index).title), qs(titles[i]))));
            }
        }
        QCOMPARE(d.catalog.categories().size(), std::size_t{3});

        // The same file with a broken last record reports that record's line.
        const auto bad = tempFile("big-movies-bad.csv", text + "90000,Unquoted, comma,Drama\r\n");
        Dataset untouched;
        result = importItems(bad, untouched);
        QVERIFY(!result.ok());
        QCOMPARE(qs(result.errorMessage()),
                 qs(bad.string() + ":" + std::to_string(line) +
                    ": expected 3 fields (movieId,title,genres), found 4 (a field that contains ',' must be quoted)"));
        QCOMPARE(untouched.catalog.size(), std::size_t{0});
    }

    void invalidUtf8IsReadAsLatin1FieldByField() {
        // One title in Windows-1252 (curly quotes, e acute), one already UTF-8: both end up UTF-8.
        const std::string text =
            "item_id,title\n"
            "a,\x93"
            "Caf\xE9"
            "\x94\n"
            "b,Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
            "e\n";
        Dataset d;
        const auto result = importItems(tempFile("latin1.csv", text), d);
        QVERIFY(result.ok());
        QCOMPARE(qs(d.catalog.info(*d.catalog.items().find("a")).title), QString::fromUtf8("\u201CCaf\u00E9\u201D"));
        QCOMPARE(qs(d.catalog.info(*d.catalog.items().find("b")).title),
                 QString::fromUtf8("Cr\u00E8me br\u00FBl\u00E9e"));
        QCOMPARE(result->warningCounts.at("latin1_text"), std::size_t{1});
    }

    void failedImportLeavesDatasetUntouched() {
        Dataset d;
        QVERIFY(importInteractions(tempFile("first.csv", "user,item,rating\nu1,i1,5\nu2,i2,4\n"), d).ok());
        QVERIFY(importItems(tempFile("first-items.csv", "item,title,genre\ni1,One,A\ni2,Two,B\n"), d).ok());
        const Snapshot before = Snapshot::of(d);

        // Many new users, items and categories before the bad line.
        std::string ratings = "user,item,rating\n";
        std::string items = "item,title,genre\ni1,Changed,Z\n";
        for (int i = 0; i < 5000; ++i) {
            ratings += "nu" + std::to_string(i) + ",ni" + std::to_string(i) + ",3\n";
            items += "ni" + std::to_string(i) + ",T" + std::to_string(i) + ",G" + std::to_string(i % 50) + "\n";
        }
        auto failed = importInteractions(tempFile("bad.csv", ratings + "u9,i9,oops\n"), d);
        QVERIFY(!failed.ok());
        QVERIFY(Snapshot::of(d) == before);
        failed = importItems(tempFile("bad-items.csv", items + "x,\"never closed,G\n"), d);
        QVERIFY(!failed.ok());
        QVERIFY(Snapshot::of(d) == before);

        // A later good import still works and appends in order.
        auto ok = importInteractions(tempFile("second.csv", "user,item\nu2,i1\nu3,i3\n"), d);
        QVERIFY(ok.ok());
        QCOMPARE(d.users.size(), std::size_t{3});
        QCOMPARE(d.interactions.size(), std::size_t{4});
        QCOMPARE(d.interactions[2].user, *d.users.find("u2"));
        QCOMPARE(d.interactions[2].item, *d.catalog.items().find("i1"));
        QCOMPARE(d.catalog.info(*d.catalog.items().find("i1")).title, std::string("One"));
    }

    void genericInteractionsDoNotOverrideItemsFile() {
        Dataset d;
        QVERIFY(importItems(tempFile("catalog.csv", "sku,title,category\nA,Real title,Books\n"), d).ok());
        QVERIFY(importInteractions(tempFile("events.csv", "user,sku,title,category\nu,A,Other,Toys\nu,B,Bee,Toys\n"), d)
                    .ok());
        QCOMPARE(d.catalog.info(*d.catalog.items().find("A")).title, std::string("Real title"));
        QCOMPARE(d.catalog.info(*d.catalog.items().find("B")).title, std::string("Bee"));
    }

    void cancellationLeavesDatasetUntouched() {
        const auto path = bigRatings("cancel.csv", 200000);
        Dataset d;
        QVERIFY(importInteractions(tempFile("seed.csv", "user,item\nu,i\n"), d).ok());
        const Snapshot before = Snapshot::of(d);

        std::stop_source stop;
        int calls = 0;
        recdeck::TaskControl control;
        control.stop = stop.get_token();
        control.progress = [&](double fraction, std::string_view) {
            ++calls;
            if (fraction > 0.0) stop.request_stop();
        };
        auto result = importInteractions(path, d, control);
        QVERIFY(!result.ok());
        QCOMPARE(qs(result.errorMessage()), QString("cancelled"));
        QVERIFY(calls >= 2);
        QVERIFY(Snapshot::of(d) == before);

        result = importItems(tempFile("items.csv", "item,title\ni,x\n"), d, control);  // already stopped
        QVERIFY(!result.ok());
        QCOMPARE(qs(result.errorMessage()), QString("cancelled"));
        QVERIFY(Snapshot::of(d) == before);
    }

    void reportsMonotonicProgress() {
        const auto path = bigRatings("progress.csv", 200000);
        std::vector<double> fractions;
        std::string lastStage;
        recdeck::TaskControl control;
        control.progress = [&](double fraction, std::string_view stage) {
            fractions.push_back(fraction);
            lastStage = std::string(stage);
        };
        Dataset d;
        const auto result = importInteractions(path, d, control);
        QVERIFY(result.ok());
        QCOMPARE(result->rowsImported, std::size_t{200000});
        QVERIFY(fractions.size() >= 5);
        QCOMPARE(fractions.front(), 0.0);
        QCOMPARE(fractions.back(), 1.0);
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE(qs(lastStage), QString("reading progress.csv"));
    }

    void storesOnlyTheFirstWarningsButCountsAll() {
        std::string text = "user,item,timestamp\n";
        for (int i = 0; i < 250; ++i) text += "u,i,5\n";
        Dataset d;
        const auto result = importInteractions(tempFile("dups.csv", text), d);
        QVERIFY(result.ok());
        QCOMPARE(result->rowsImported, std::size_t{1});
        QCOMPARE(result->warningCounts.at("duplicate_row"), std::size_t{249});
        QCOMPARE(result->warnings.size(), ImportReport::kMaxStoredWarnings);
        QCOMPARE(result->warningCount(), std::size_t{249});
    }

    void wrongKindOfFileIsRefused() {
        Dataset d;
        const auto path = tempFile("ratings-as-items.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n");
        const auto result = importItems(path, d);
        QVERIFY(!result.ok());
        QVERIFY2(
            result.errorMessage().find("this is an interactions file (MovieLens ratings.csv)") != std::string::npos,
            result.errorMessage().c_str());
        const auto missing = importInteractions(m_temp / "no-such-file.csv", d);
        QVERIFY(!missing.ok());
        QVERIFY2(missing.errorMessage().find("no-such-file.csv: cannot open") != std::string::npos,
                 missing.errorMessage().c_str());
    }

    // ---- the development dataset -------------------------------------------------------------
    void importsMovieLensLatestSmall() {
        RECDECK_REQUIRE_DATASET(dir);
        // Independent reference counts: ratings.csv has no quoted fields, so a plain split is
        // exact; in movies.csv the id is the first field and the genres the last.
        std::size_t rows = 0;
        std::set<std::string> users;
        std::set<std::string> rated;
        {
            std::ifstream in(dir / "ratings.csv");
            std::string line;
            std::getline(in, line);
            while (std::getline(in, line)) {
                if (line.empty()) continue;
                std::istringstream fields(line);
                std::string user;
                std::string item;
                std::getline(fields, user, ',');
                std::getline(fields, item, ',');
                users.insert(user);
                rated.insert(item);
                ++rows;
            }
        }
        std::set<std::string> movies;
        std::set<std::string> genres;
        {
            std::ifstream in(dir / "movies.csv");
            std::string line;
            std::getline(in, line);
            while (std::getline(in, line)) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                if (line.empty()) continue;
                movies.insert(line.substr(0, line.find(',')));
                std::istringstream names(line.substr(line.rfind(',') + 1));
                for (std::string name; std::getline(names, name, '|');) genres.insert(name);
            }
        }

        Dataset d;
        recdeck::Stopwatch watch;
        const auto ratings = importInteractions(dir / "ratings.csv", d);
        const double ratingsMs = watch.elapsedMs();
        QVERIFY2(ratings.ok(), ratings.ok() ? "" : ratings.errorMessage().c_str());
        watch.restart();
        const auto items = importItems(dir / "movies.csv", d);
        const double itemsMs = watch.elapsedMs();
        QVERIFY2(items.ok(), items.ok() ? "" : items.errorMessage().c_str());

        qDebug(
            "ml-latest-small: ratings.csv %zu rows, %zu users, %zu items in %.1f ms; movies.csv %zu movies, "
            "%zu genres in %.1f ms",
            ratings->rowsImported, d.users.size(), ratings->items, ratingsMs, items->rowsImported,
            d.catalog.categories().size(), itemsMs);
        if (rows != 100836 || users.size() != 610 || rated.size() != 9724) {
            qWarning(
                "this copy of ratings.csv differs from the published ml-latest-small "
                "(100,836 rows, 610 users, 9,724 items): %zu rows, %zu users, %zu items",
                rows, users.size(), rated.size());
        }

        QCOMPARE(ratings->format, FileFormat::MovieLensRatingsCsv);
        QCOMPARE(ratings->rowsImported, rows);
        QCOMPARE(ratings->linesRead, rows);
        QCOMPARE(d.users.size(), users.size());
        QCOMPARE(ratings->items, rated.size());
        QCOMPARE(ratings->warningCount(), std::size_t{0});

        std::size_t unknown = 0;
        for (const auto& movie : movies) unknown += rated.count(movie) == 0 ? 1 : 0;
        std::size_t missing = 0;
        for (const auto& item : rated) missing += movies.count(item) == 0 ? 1 : 0;
        QCOMPARE(items->format, FileFormat::MovieLensMoviesCsv);
        QCOMPARE(items->rowsImported, movies.size());
        QCOMPARE(items->rowsImported, std::size_t{9742});
        QCOMPARE(d.catalog.describedCount(), movies.size());
        QCOMPARE(d.catalog.size(), movies.size() + missing);
        QCOMPARE(items->warningCounts.count("unknown_item") ? items->warningCounts.at("unknown_item") : 0, unknown);
        QCOMPARE(items->warningCounts.count("missing_item") ? items->warningCounts.at("missing_item") : 0, missing);

        std::vector<std::string> names = d.catalog.categories().ids();
        std::sort(names.begin(), names.end());
        QCOMPARE(names, std::vector<std::string>(genres.begin(), genres.end()));
        QCOMPARE(names.size(), std::size_t{20});
        QVERIFY(d.catalog.categories().contains("(no genres listed)"));
        QCOMPARE(d.catalog.info(*d.catalog.items().find("11")).title, std::string("American President, The (1995)"));
        QCOMPARE(d.interactions.front().timestamp, std::int64_t{964982703});
    }
};

QTEST_APPLESS_MAIN(TestDataImport)
#include "test_data_import.moc"

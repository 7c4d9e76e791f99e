#include "test_store.h"

#include <set>

using namespace recdeck::store;
using storetest::bytes;

namespace {

// Ids chosen to break naive key building: separators, globs, whitespace, control bytes,
// percent signs that look like escapes, UTF-8, NUL, the empty string.
std::vector<std::string> hostileIds() {
    return {"u1",
            "u1:10",
            "u1:",
            ":u1",
            ":",
            "::",
            "*",
            "u1*",
            "u?",
            "[u]",
            "u\\1",
            "",
            " ",
            "u 1",
            "u1\n",
            "\r\n",
            "\t",
            "%",
            "%3A",
            "%253A",
            "José",
            "日本",
            "\x7f",
            "\xff",
            std::string("u\0"
                        "1",
                        3),
            std::string(1, '\0'),
            "recs",
            "10"};
}

}  // namespace

void TestStore::keyOfEncodesParts_data() {
    QTest::addColumn<QStringList>("parts");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QStringList{"recs", "u1", "10"} << QByteArray("recs:u1:10");
    QTest::newRow("separator in id") << QStringList{"recs", "u1:10"} << QByteArray("recs:u1%3A10");
    QTest::newRow("glob and empty part") << QStringList{"recs", "a*", ""} << QByteArray("recs:a%2A:");
    QTest::newRow("utf-8") << QStringList{"user", QString::fromUtf8("José")} << QByteArray("user:Jos%C3%A9");
    QTest::newRow("unreserved kept") << QStringList{"a-b_c.d~e"} << QByteArray("a-b_c.d~e");
    QTest::newRow("percent escaped") << QStringList{"100%"} << QByteArray("100%25");
    QTest::newRow("space and newline") << QStringList{"a b\nc"} << QByteArray("a%20b%0Ac");
    QTest::newRow("brackets and backslash") << QStringList{"[x]\\?"} << QByteArray("%5Bx%5D%5C%3F");
    QTest::newRow("single empty part") << QStringList{""} << QByteArray("");
}

void TestStore::keyOfEncodesParts() {
    QFETCH(QStringList, parts);
    QFETCH(QByteArray, expected);
    std::vector<std::string> utf8;
    for (const auto& part : parts) utf8.push_back(part.toStdString());
    const std::string key = keyOf(std::span<const std::string>(utf8));
    QCOMPARE(bytes(key), expected);
    auto decoded = decodeKey(key);
    STORE_OK(decoded);
    QCOMPARE(storetest::bytesList(*decoded), storetest::bytesList(utf8));
}

void TestStore::keyOfIsInjectiveOnHostileIds() {
    const auto ids = hostileIds();
    std::set<std::string> keys;
    for (const auto& id : ids) {
        const std::string key = keyOf({"recs", id, "10"});
        // Printable ASCII without spaces, exactly two separators: the id cannot add parts.
        for (const char c : key) QVERIFY2(c > 0x20 && c < 0x7F, key.c_str());
        QCOMPARE(std::count(key.begin(), key.end(), ':'), std::ptrdiff_t{2});
        QVERIFY2(keys.insert(key).second, ("two ids share the key " + key).c_str());
        auto parts = decodeKey(key);
        STORE_OK(parts);
        QCOMPARE(parts->size(), std::size_t{3});
        QCOMPARE(bytes((*parts)[1]), bytes(id));
        // The per-id prefix covers this key and no other id's keys.
        const std::string prefix = keyPrefixOf({"recs", id});
        QVERIFY(key.starts_with(prefix));
        for (const auto& other : ids)
            if (other != id) QVERIFY2(!keyOf({"recs", other, "10"}).starts_with(prefix), prefix.c_str());
    }
    // Parts never merge: ("u1:10") and ("u1", "10") are different keys.
    QVERIFY(keyOf({"recs", "u1:10"}) != keyOf({"recs", "u1", "10"}));
    QVERIFY(keyOf({"a", ""}) != keyOf({"a"}));
    QVERIFY(keyOf({"", ""}) != keyOf({""}));
    QCOMPARE(encodeKeyPart("a:b"), std::string("a%3Ab"));
}

void TestStore::decodeKeyRejectsMalformedEscapes_data() {
    QTest::addColumn<QByteArray>("key");
    QTest::newRow("truncated escape") << QByteArray("recs:%4");
    QTest::newRow("lone percent") << QByteArray("recs:%");
    QTest::newRow("not hex") << QByteArray("recs:%G1");
}

void TestStore::decodeKeyRejectsMalformedEscapes() {
    QFETCH(QByteArray, key);
    const auto decoded = decodeKey(std::string_view(key.constData(), static_cast<std::size_t>(key.size())));
    QVERIFY(!decoded.ok());
    QVERIFY2(decoded.errorMessage().find("hex digits") != std::string::npos, decoded.errorMessage().c_str());
}

// Engine::validateEvent, the edge check of every event the service keeps: ids, names,
// lists and times are bounded and well-formed, and the message names the field.

#include <QTest>

#include <string>

#include "recdeck/common/stopwatch.h"
#include "recdeck/common/text_checks.h"
#include "recdeck/serving/engine.h"

using namespace recdeck;
using recdeck::serving::Engine;

namespace {

store::Event click() {
    store::Event e;
    e.type = store::EventType::Click;
    e.userId = "user-1";
    e.itemId = "item-1";
    return e;
}

}  // namespace

Q_DECLARE_METATYPE(store::Event)

class TestEventValidation : public QObject {
    Q_OBJECT
private slots:
    void acceptsWellFormedEvents_data() {
        QTest::addColumn<store::Event>("event");
        QTest::newRow("plain click") << click();
        store::Event e = click();
        e.userId = "José 用户";
        QTest::newRow("utf-8 ids") << e;
        e = click();
        e.userId = std::string(kMaxIdBytes, 'u');
        e.itemId = std::string(kMaxIdBytes, 'i');
        QTest::newRow("longest ids") << e;
        e = click();
        e.experiment = "exp.1_a-b";
        e.variant = "Variante B (grün)";
        e.requestId = "0123456789abcdef";
        e.model = "als";
        QTest::newRow("experiment and variant") << e;
        e = click();
        e.timestampMs = unixMillis() - 86'400'000LL * 365;
        QTest::newRow("a year ago") << e;
        e = click();
        e.timestampMs = unixMillis() + 60'000;
        QTest::newRow("a minute ahead (clock skew)") << e;
        e = click();
        e.type = store::EventType::Impression;
        e.itemId.clear();
        e.items.assign(serving::kMaxListLength, "item");
        QTest::newRow("impression of the longest list") << e;
        e = click();
        e.type = store::EventType::Rating;
        e.value = 4.5;
        QTest::newRow("rating") << e;
    }
    void acceptsWellFormedEvents() {
        QFETCH(store::Event, event);
        const auto valid = Engine::validateEvent(event);
        QVERIFY2(valid.ok(), valid.ok() ? "" : valid.errorMessage().c_str());
    }

    void refusesWhatMustNotBeKept_data() {
        QTest::addColumn<store::Event>("event");
        QTest::addColumn<QString>("expected");
        store::Event e = click();
        e.userId.clear();
        QTest::newRow("no user") << e << "user_id: must not be empty";
        e = click();
        e.userId = std::string(kMaxIdBytes + 1, 'u');
        QTest::newRow("user id too long") << e << "user_id: must be at most 256 bytes";
        e = click();
        e.userId = "a\nb";
        QTest::newRow("control character in user id") << e << "user_id: must not contain control characters";
        e = click();
        e.itemId = std::string("\xC3\x28", 2);
        QTest::newRow("invalid utf-8 item") << e << "item_id: must be valid UTF-8";
        e = click();
        e.itemId = "\xED\xA0\x80";  // a UTF-16 surrogate encoded as UTF-8
        QTest::newRow("surrogate in item") << e << "item_id: must be valid UTF-8";
        e = click();
        e.itemId = "\xC0\xAF";  // overlong '/'
        QTest::newRow("overlong utf-8") << e << "item_id: must be valid UTF-8";
        e = click();
        e.type = store::EventType::Impression;
        e.itemId.clear();
        e.items.assign(serving::kMaxListLength + 1, "item");
        QTest::newRow("impression too long") << e << "items: at most 100 items";
        e = click();
        e.type = store::EventType::Impression;
        e.items = {"ok", std::string(300, 'x')};
        QTest::newRow("impression item too long") << e << "items[1]: must be at most 256 bytes";
        e = click();
        e.experiment = "exp:with:colons";
        e.variant = "a";
        QTest::newRow("experiment key characters") << e << "experiment: may contain only";
        e = click();
        e.experiment = std::string(65, 'e');
        e.variant = "a";
        QTest::newRow("experiment key too long") << e << "experiment: must be at most 64";
        e = click();
        e.experiment = "exp";
        e.variant = std::string(65, 'v');
        QTest::newRow("variant too long") << e << "variant: must be at most 64 bytes";
        e = click();
        e.experiment = "exp";
        QTest::newRow("experiment without variant") << e << "variant: must not be empty";
        e = click();
        e.variant = "b";
        QTest::newRow("variant without experiment") << e << "variant: given without an experiment";
        e = click();
        e.requestId = std::string(200, 'r');
        QTest::newRow("request id too long") << e << "request_id: must be at most 128 bytes";
        e = click();
        e.model = "als; DROP";
        QTest::newRow("model name characters") << e << "model: may contain only";
        e = click();
        e.timestampMs = 1'700'000'000;  // seconds, not milliseconds
        QTest::newRow("seconds for milliseconds") << e << "this looks like seconds";
        e = click();
        e.timestampMs = -5;
        QTest::newRow("negative time") << e << "timestamp: must be milliseconds since the Unix epoch";
        e = click();
        e.timestampMs = unixMillis() + 2 * kEventClockSkewMs;
        QTest::newRow("far future") << e << "timestamp: lies more than an hour in the future";
        e = click();
        e.value = std::numeric_limits<double>::quiet_NaN();
        QTest::newRow("not a number") << e << "value: must be a finite number";
        e = click();
        e.type = store::EventType::Rating;
        e.value = 1000;
        QTest::newRow("rating out of range") << e << "value: a rating must be a number between 0 and 100";
        e = click();
        e.itemId.clear();
        QTest::newRow("click without item") << e << "item_id: must not be empty for a click";
    }
    void refusesWhatMustNotBeKept() {
        QFETCH(store::Event, event);
        QFETCH(QString, expected);
        const auto valid = Engine::validateEvent(event);
        QVERIFY(!valid.ok());
        QCOMPARE(valid.errorKind(), ErrorKind::Invalid);
        QVERIFY2(valid.errorMessage().find(expected.toStdString()) != std::string::npos, valid.errorMessage().c_str());
        // The message never echoes a long or binary value.
        QVERIFY(valid.errorMessage().size() < 200);
    }
};

QTEST_GUILESS_MAIN(TestEventValidation)
#include "test_event_validation.moc"

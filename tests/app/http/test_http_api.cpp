// The HTTP layer in process: request parsing and its limits, target decoding, routing,
// the browser-safety and token rules, the JSON body limits and codecs, and the error
// bodies — all without sockets (the same parser and Api the server runs).

#include <QTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "recdeck/http/api.h"
#include "recdeck/http/experiment_routes.h"
#include "recdeck/http/json_body.h"
#include "recdeck/http/json_codec.h"
#include "recdeck/http/request_parser.h"
#include "recdeck/http/request_policy.h"
#include "recdeck/serving/engine.h"
#include "test_support.h"

using namespace recdeck;
using namespace recdeck::http;
using nlohmann::json;

namespace {

constexpr const char* kToken = "0123456789abcdef-test-token";

HttpRequest request(const std::string& method, const std::string& target, std::string body = {},
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest r;
    r.method = method;
    if (auto ok = setTarget(r, target); !ok) qFatal("bad target in test: %s", target.c_str());
    r.headers = std::move(headers);
    if (!body.empty() && r.header("content-type") == nullptr)
        r.headers.emplace_back("content-type", "application/json");
    r.body = std::move(body);
    return r;
}

json bodyOf(const HttpResponse& response) {
    return json::parse(response.body, nullptr, false);
}

}  // namespace

class TestHttpApi : public QObject {
    Q_OBJECT
    std::filesystem::path m_dir;
    std::unique_ptr<serving::Engine> m_engine;
    std::unique_ptr<Api> m_open;    // no token (loopback)
    std::unique_ptr<Api> m_locked;  // with kToken

private slots:
    void initTestCase() {
        m_dir = test::makeTempDir("recdeck-http-api");
        serving::EngineConfig config;
        config.dataDir = m_dir / "data";
        config.demo.users = 120;
        config.demo.items = 80;
        config.demo.seed = 3;
        config.models = {"popularity"};
        auto engine = serving::Engine::open(config);
        QVERIFY2(engine, engine ? "" : engine.errorMessage().c_str());
        m_engine = std::move(*engine);
        m_open = std::make_unique<Api>(*m_engine, ApiOptions{});
        installExperimentRoutes(*m_open, *m_engine);
        ApiOptions locked;
        locked.adminToken = kToken;
        m_locked = std::make_unique<Api>(*m_engine, locked);
        installExperimentRoutes(*m_locked, *m_engine);
    }
    void cleanupTestCase() {
        m_open.reset();
        m_locked.reset();
        m_engine.reset();
        std::filesystem::remove_all(m_dir);
    }

    // --- request targets ---------------------------------------------------------------

    void targetsDecodeSegmentByThenQuery() {
        HttpRequest r;
        QVERIFY(setTarget(r, "/users/u%201/x%2Fy?user_id=a+b&n=%31%30&flag&=v&&"));
        QCOMPARE(r.segments.size(), std::size_t{3});
        QCOMPARE(r.segments[1], std::string("u 1"));
        QCOMPARE(r.segments[2], std::string("x/y"));  // an encoded '/' stays in its segment
        QCOMPARE(r.path, std::string("/users/u 1/x/y"));
        QCOMPARE(*r.queryValue("user_id"), std::string("a b"));
        QCOMPARE(*r.queryValue("n"), std::string("10"));
        QVERIFY(r.queryValue("flag") != nullptr && r.queryValue("flag")->empty());
        QVERIFY(r.queryValue("missing") == nullptr);
    }

    void malformedTargetsAreRefused_data() {
        QTest::addColumn<QString>("target");
        QTest::newRow("no leading slash") << "users/u";
        QTest::newRow("absolute form") << "http://127.0.0.1/health";
        QTest::newRow("truncated escape") << "/users/%4";
        QTest::newRow("bad hex") << "/users/%zz";
        QTest::newRow("bad query escape") << "/recommendations?user_id=%g1";
        QString many = QStringLiteral("/health?");
        for (int i = 0; i < 65; ++i) many += QStringLiteral("p%1=1&").arg(i);
        QTest::newRow("65 query parameters") << many;
    }
    void malformedTargetsAreRefused() {
        QFETCH(QString, target);
        HttpRequest r;
        QVERIFY(!setTarget(r, target.toStdString()));
    }

    // --- the parser: framing, limits, strictness -----------------------------------------

    void parserRefusesWhatCouldBeSmuggledOrTooLarge_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        const QByteArray post = "POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        QTest::newRow("content-length overflow") << post + "Content-Length: 18446744073709551616\r\n\r\n" << 400;
        QTest::newRow("content-length 2^64-1")
            << post + "Content-Length: 18446744073709551615\r\n\r\nGET /x HTTP/1.1\r\n\r\n"
            << 413;
        QTest::newRow("content-length negative") << post + "Content-Length: -5\r\n\r\nhello" << 400;
        QTest::newRow("content-length signed") << post + "Content-Length: +5\r\n\r\nhello" << 400;
        QTest::newRow("content-length list") << post + "Content-Length: 5, 5\r\n\r\nhello" << 400;
        QTest::newRow("content-length twice, same")
            << post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello" << 400;
        QTest::newRow("content-length twice, different")
            << post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" << 400;
        QTest::newRow("content-length and chunked")
            << post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            << 400;
        QTest::newRow("chunked and content-length")
            << post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
            << 400;
        QTest::newRow("transfer-encoding gzip") << post + "Transfer-Encoding: gzip\r\n\r\nhello" << 400;
        QTest::newRow("transfer-encoding twice")
            << post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            << 400;
        QTest::newRow("chunk trailer")
            << post + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nContent-Length: 9\r\n\r\n"
            << 400;
        QTest::newRow("body over 1 MiB declared") << post + "Content-Length: 1048577\r\n\r\n" << 413;
        QByteArray chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 17; ++i) chunked += "10000\r\n" + QByteArray(0x10000, 'x') + "\r\n";
        QTest::newRow("chunked body over 1 MiB") << chunked << 413;
        QTest::newRow("header over 16 KiB")
            << "GET /health HTTP/1.1\r\nX-Pad: " + QByteArray(17 * 1024, 'a') + "\r\n\r\n"
            << 431;
        QByteArray fields = "GET /health HTTP/1.1\r\n";
        for (int i = 0; i < 101; ++i) fields += "X-F" + QByteArray::number(i) + ": 1\r\n";
        QTest::newRow("101 header fields") << fields + "\r\n" << 431;
        QTest::newRow("two hosts") << QByteArray("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400;
        QTest::newRow("two origins") << post + "Origin: http://a\r\nOrigin: http://b\r\nContent-Length: 0\r\n\r\n"
                                     << 400;
        QTest::newRow("http/2.0") << QByteArray("GET /health HTTP/2.0\r\n\r\n") << 505;
        QTest::newRow("absolute-form target") << QByteArray("GET http://evil/health HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("expect other than continue") << post + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx" << 417;
        QTest::newRow("space in header name") << QByteArray("GET /health HTTP/1.1\r\nHost : x\r\n\r\n") << 400;
        QTest::newRow("not http") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15) << 400;
    }
    void parserRefusesWhatCouldBeSmuggledOrTooLarge() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        const auto outcome = parseRequest(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
        QVERIFY(!outcome.complete);
        QCOMPARE(outcome.refusal.status, status);
        QVERIFY(!outcome.refusal.code.empty());
    }

    void parserKeepsOnlyWhatTheApiReads() {
        const std::string bytes =
            "POST /events?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\nCookie: a=b\r\n"
            "Sec-Fetch-Site: same-origin\r\nAuthorization: Bearer t\r\nContent-Length: 2\r\n\r\n{}"
            "GET /health HTTP/1.1\r\n\r\n";
        const auto outcome = parseRequest(bytes);
        QVERIFY(outcome.complete);
        QVERIFY(outcome.keepAlive);
        QCOMPARE(outcome.request.method, std::string("POST"));
        QCOMPARE(outcome.request.body, std::string("{}"));
        QCOMPARE(*outcome.request.header("host"), std::string("127.0.0.1:8000"));
        QCOMPARE(*outcome.request.header("sec-fetch-site"), std::string("same-origin"));
        QVERIFY(outcome.request.header("cookie") == nullptr);
        // A pipelined request after it is left for the next parse.
        QCOMPARE(bytes.substr(outcome.consumed), std::string("GET /health HTTP/1.1\r\n\r\n"));
    }

    void parserReadsChunkedBodiesAndConnectionClose() {
        const auto chunked = parseRequest(
            "POST /events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n");
        QVERIFY(chunked.complete);
        QCOMPARE(chunked.request.body, std::string("abcde"));
        QVERIFY(!parseRequest("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n").keepAlive);
        QVERIFY(!parseRequest("GET /health HTTP/1.0\r\n\r\n").keepAlive);
        QVERIFY(parseRequest("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive);
        // Incomplete: more bytes needed, no refusal.
        const auto partial = parseRequest("POST /events HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        QVERIFY(!partial.complete);
        QCOMPARE(partial.refusal.status, 0);
    }

    void bodiesBeingReadShareOneBudget() {
        BodyBudget budget(100);
        QVERIFY(budget.take(60));
        QVERIFY(!budget.take(41));
        budget.give(60);
        QVERIFY(budget.take(100));
        QCOMPARE(budget.used(), std::size_t{100});
    }

    // --- routing ---------------------------------------------------------------------

    void routesAnswerWithTheRightStatus_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("status");
        QTest::newRow("health") << "GET"
                                << "/health" << 200;
        QTest::newRow("health head") << "HEAD"
                                     << "/health" << 200;
        QTest::newRow("health post") << "POST"
                                     << "/health" << 405;
        QTest::newRow("unknown path") << "GET"
                                      << "/nowhere" << 404;
        QTest::newRow("trailing segment") << "GET"
                                          << "/health/x" << 404;
        QTest::newRow("recommendations get") << "GET"
                                             << "/recommendations?user_id=u" << 405;
        QTest::newRow("recommendations") << "POST"
                                         << "/recommendations?user_id=user_0001&n=3" << 200;
        QTest::newRow("recommendations no user") << "POST"
                                                 << "/recommendations" << 400;
        QTest::newRow("recommendations control char") << "POST"
                                                      << "/recommendations?user_id=a%0Ab" << 400;
        QTest::newRow("recommendations bad utf8") << "POST"
                                                  << "/recommendations?user_id=%FF%FE" << 400;
        QTest::newRow("recommendations n 0") << "POST"
                                             << "/recommendations?user_id=u&n=0" << 400;
        QTest::newRow("recommendations n 101") << "POST"
                                               << "/recommendations?user_id=u&n=101" << 400;
        QTest::newRow("recommendations unknown model") << "POST"
                                                       << "/recommendations?user_id=u&model=nope" << 400;
        QTest::newRow("user") << "GET"
                              << "/users/user_0001" << 200;
        QTest::newRow("user put") << "PUT"
                                  << "/users/user_0001" << 405;
        QTest::newRow("user too long") << "GET"
                                       << "/users/" + QString(300, QLatin1Char('u')) << 400;
        QTest::newRow("experiments") << "GET"
                                     << "/experiments" << 200;
        QTest::newRow("experiments delete") << "DELETE"
                                            << "/experiments" << 405;
        QTest::newRow("unknown experiment") << "GET"
                                            << "/experiments/nope" << 404;
        QTest::newRow("start unknown experiment") << "POST"
                                                  << "/experiments/nope/start" << 404;
        QTest::newRow("results of unknown experiment") << "GET"
                                                       << "/experiments/nope/results" << 404;
        QTest::newRow("invalidate nothing") << "POST"
                                            << "/admin/invalidate" << 400;
        QTest::newRow("invalidate user") << "POST"
                                         << "/admin/invalidate?user_id=user_0001" << 200;
        QTest::newRow("click") << "POST"
                               << "/track/click?user_id=user_0001&item_id=item_0001" << 200;
        QTest::newRow("click without item") << "POST"
                                            << "/track/click?user_id=user_0001" << 400;
        QTest::newRow("ready") << "GET"
                               << "/ready" << 200;
    }
    void routesAnswerWithTheRightStatus() {
        QFETCH(QString, method);
        QFETCH(QString, target);
        QFETCH(int, status);
        const HttpResponse response = m_open->handle(request(method.toStdString(), target.toStdString()));
        QVERIFY2(response.status == status, response.body.c_str());
        if (status >= 400) {
            const json body = bodyOf(response);
            QVERIFY2(body.contains("error") && body.contains("detail"), response.body.c_str());
        }
        if (status == 405) {
            bool allow = false;
            for (const auto& [name, value] : response.headers) allow = allow || name == "Allow";
            QVERIFY(allow);
        }
    }

    void extraRoutesCanBeAddedFromElsewhere() {
        ApiOptions options;
        options.adminToken = kToken;
        Api api(*m_engine, options);
        api.addRoute(
            {"GET", "/things/{name}", Access::Open, Work::Inline, 0, [](const HttpRequest&, const PathParams& params) {
                 return jsonOk({{"name", params[0]}});
             }});
        // Under /admin/ the token is required whatever the route says.
        api.addRoute({"POST", "/admin/things/{name}/train", Access::Open, Work::Blocking, 0,
                      [](const HttpRequest&, const PathParams&) {
                          return jsonOk({{"trained", true}});
                      }});
        const auto thing = api.handle(request("GET", "/things/a%20b"));
        QCOMPARE(bodyOf(thing)["name"].get<std::string>(), std::string("a b"));
        QCOMPARE(api.handle(request("POST", "/admin/things/x/train")).status, 401);
        QCOMPARE(api.handle(request("POST", "/admin/things/x/train", {},
                                    {{"authorization", std::string("Bearer ") + kToken}}))
                     .status,
                 200);
        QCOMPARE(api.match(request("GET", "/things/x")).route->work, Work::Inline);
        QCOMPARE(api.match(request("POST", "/things/x")).allow, std::string("GET, HEAD"));
    }

    // --- browser safety ------------------------------------------------------------------

    void browserRequestsCannotChangeAnything_data() {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("value");
        QTest::addColumn<int>("status");
        QTest::newRow("foreign origin") << "origin"
                                        << "http://evil.example" << 403;
        QTest::newRow("origin on another port") << "origin"
                                                << "http://127.0.0.1:3000" << 403;
        QTest::newRow("null origin") << "origin"
                                     << "null" << 403;
        QTest::newRow("own origin") << "origin"
                                    << "http://127.0.0.1:8000" << 200;
        QTest::newRow("cross-site fetch") << "sec-fetch-site"
                                          << "cross-site" << 403;
        QTest::newRow("same-site fetch") << "sec-fetch-site"
                                         << "same-site" << 403;
        QTest::newRow("same-origin fetch") << "sec-fetch-site"
                                           << "same-origin" << 200;
        QTest::newRow("typed address bar") << "sec-fetch-site"
                                           << "none" << 200;
        QTest::newRow("form content type") << "content-type"
                                           << "application/x-www-form-urlencoded" << 415;
        QTest::newRow("text content type") << "content-type"
                                           << "text/plain;charset=UTF-8" << 415;
        QTest::newRow("multipart content type") << "content-type"
                                                << "multipart/form-data; boundary=x" << 415;
    }
    void browserRequestsCannotChangeAnything() {
        QFETCH(QString, header);
        QFETCH(QString, value);
        QFETCH(int, status);
        HttpRequest r = request("POST", "/admin/invalidate?all=true", {},
                                {{"host", "127.0.0.1:8000"}, {header.toStdString(), value.toStdString()}});
        QCOMPARE(m_open->handle(r).status, status);
        // Reading is not refused for an origin: browsers do not let the page see the answer.
        if (header == QLatin1String("origin")) {
            QCOMPARE(m_open
                         ->handle(request("GET", "/health", {},
                                          {{"host", "127.0.0.1:8000"}, {"origin", value.toStdString()}}))
                         .status,
                     200);
        }
    }

    void hostMustNameTheLoopbackServer_data() {
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("status");
        QTest::newRow("127.0.0.1:port") << "127.0.0.1:8000" << 200;
        QTest::newRow("localhost") << "localhost" << 200;
        QTest::newRow("LOCALHOST:port") << "LOCALHOST:8000" << 200;
        QTest::newRow("127.1.2.3") << "127.1.2.3" << 200;
        QTest::newRow("[::1]:port") << "[::1]:8000" << 200;
        QTest::newRow("app.localhost") << "app.localhost:8000" << 200;
        QTest::newRow("rebound name") << "attacker.example:8000" << 421;
        QTest::newRow("loopback-looking name") << "127.0.0.1.attacker.example" << 421;
        QTest::newRow("public address") << "203.0.113.9:8000" << 421;
        QTest::newRow("bad port") << "127.0.0.1:80a" << 421;
        QTest::newRow("empty") << "" << 421;
    }
    void hostMustNameTheLoopbackServer() {
        QFETCH(QString, host);
        QFETCH(int, status);
        QCOMPARE(m_open->handle(request("GET", "/health", {}, {{"host", host.toStdString()}})).status, status);
        QCOMPARE(m_open->handle(request("GET", "/users/user_0001", {}, {{"host", host.toStdString()}})).status, status);
    }

    void hostIsNotCheckedOffLoopback() {
        ApiOptions options;
        options.adminToken = kToken;
        options.loopbackOnly = false;
        Api api(*m_engine, options);
        QCOMPARE(api.handle(request("GET", "/health", {}, {{"host", "recdeck.internal:8000"}})).status, 200);
    }

    void jsonBodiesNeedAJsonContentType() {
        const std::string body = R"({"user_id":"user_0001","n":2})";
        QCOMPARE(m_open->handle(request("POST", "/recommendations", body)).status, 200);
        QCOMPARE(m_open
                     ->handle(request("POST", "/recommendations", body,
                                      {{"content-type", "application/json; charset=utf-8"}}))
                     .status,
                 200);
        QCOMPARE(m_open->handle(request("POST", "/recommendations", body, {{"content-type", "application/vnd.x+json"}}))
                     .status,
                 200);
        QCOMPARE(
            m_open->handle(request("POST", "/recommendations", body, {{"content-type", "application/xml"}})).status,
            415);
        HttpRequest untyped = request("POST", "/recommendations");
        untyped.body = body;
        QCOMPARE(m_open->handle(untyped).status, 415);
    }

    // --- the admin token -----------------------------------------------------------------

    void tokenRoutesNeedTheToken_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("authorization");
        QTest::addColumn<int>("status");
        const QString good = QStringLiteral("Bearer ") + QLatin1String(kToken);
        QTest::newRow("invalidate, none") << "POST"
                                          << "/admin/invalidate?all=true"
                                          << "" << 401;
        QTest::newRow("invalidate, wrong") << "POST"
                                           << "/admin/invalidate?all=true"
                                           << "Bearer nope" << 401;
        QTest::newRow("invalidate, prefix") << "POST"
                                            << "/admin/invalidate?all=true" << good.left(good.size() - 1) << 401;
        QTest::newRow("invalidate, longer") << "POST"
                                            << "/admin/invalidate?all=true" << good + "x" << 401;
        QTest::newRow("invalidate, basic") << "POST"
                                           << "/admin/invalidate?all=true" << QStringLiteral("Basic ") + kToken << 401;
        QTest::newRow("invalidate, good") << "POST"
                                          << "/admin/invalidate?all=true" << good << 200;
        QTest::newRow("invalidate, lower-case scheme") << "POST"
                                                       << "/admin/invalidate?all=true"
                                                       << "bearer " + QLatin1String(kToken) << 200;
        QTest::newRow("user, none") << "GET"
                                    << "/users/user_0001"
                                    << "" << 401;
        QTest::newRow("user, good") << "GET"
                                    << "/users/user_0001" << good << 200;
        QTest::newRow("create experiment, none") << "POST"
                                                 << "/experiments"
                                                 << "" << 401;
        QTest::newRow("list experiments, none") << "GET"
                                                << "/experiments"
                                                << "" << 200;
        QTest::newRow("recommendations, none") << "POST"
                                               << "/recommendations?user_id=u"
                                               << "" << 200;
    }
    void tokenRoutesNeedTheToken() {
        QFETCH(QString, method);
        QFETCH(QString, target);
        QFETCH(QString, authorization);
        QFETCH(int, status);
        std::vector<std::pair<std::string, std::string>> headers;
        if (!authorization.isEmpty()) headers.emplace_back("authorization", authorization.toStdString());
        QCOMPARE(m_locked->handle(request(method.toStdString(), target.toStdString(), {}, headers)).status, status);
    }

    void tokensCompareInConstantTimeAndExactly() {
        QVERIFY(constantTimeEquals("abcdef", "abcdef"));
        QVERIFY(!constantTimeEquals("abcdef", "abcdeg"));
        QVERIFY(!constantTimeEquals("abcdef", "abcde"));
        QVERIFY(!constantTimeEquals("abcdef", "abcdefg"));
        QVERIFY(!constantTimeEquals("abcdef", ""));
        QVERIFY(!constantTimeEquals("", "x"));
    }

    void tokenFilesMustBeLongAndPrivate() {
        const auto file = m_dir / "token";
        using std::filesystem::perms;
        auto write = [&](const std::string& text, perms mode) {
            std::filesystem::remove(file);
            std::ofstream(file) << text;
            std::filesystem::permissions(file, mode);
        };
        const perms privateMode = perms::owner_read | perms::owner_write;
        write("0123456789abcdef\n", privateMode);
        auto token = loadAdminToken(file);
        QVERIFY2(token, token ? "" : token.errorMessage().c_str());
        QCOMPARE(*token, std::string("0123456789abcdef"));
        write("0123456789abcde\n", privateMode);
        QVERIFY(!loadAdminToken(file));
        write("", privateMode);
        QVERIFY(!loadAdminToken(file));
        write("0123456789abcdef 0123\n", privateMode);
        QVERIFY(!loadAdminToken(file));
        write("0123456789abcdef\n", privateMode | perms::group_read);
        QVERIFY(!loadAdminToken(file));
        write("0123456789abcdef\n", privateMode | perms::others_read);
        QVERIFY(!loadAdminToken(file));
        QVERIFY(!loadAdminToken(m_dir / "missing"));
    }

    // --- JSON bodies ---------------------------------------------------------------------

    void jsonDepthAndSizeAreBoundedWhileParsing() {
        QVERIFY(parseJson(std::string(32, '[') + std::string(32, ']')));
        QVERIFY(!parseJson(std::string(33, '[') + std::string(33, ']')));
        QVERIFY(!parseJson(std::string(800'000, '[')));  // unterminated too; refused at depth 33
        std::string values = "[";
        for (int i = 0; i < 50'000; ++i) values += "0,";
        values += "0]";
        QVERIFY(!parseJson(values));
        QVERIFY(!parseJson("{\"a\":"));
        QVERIFY(!parseJson("[1,]"));
        QVERIFY(parseJson(R"({"a":[1,{"b":null}],"c":"\u00e9"})"));
    }

    void deepJsonToEveryJsonRouteIsA400_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("bytes");
        QTest::newRow("events") << "POST"
                                << "/events" << 800'000;
        QTest::newRow("experiments") << "POST"
                                     << "/experiments" << 60'000;
        QTest::newRow("experiment edit") << "PUT"
                                         << "/experiments/x" << 60'000;
        QTest::newRow("recommendations") << "POST"
                                         << "/recommendations" << 16'000;
        QTest::newRow("click") << "POST"
                               << "/track/click" << 16'000;
        QTest::newRow("invalidate") << "POST"
                                    << "/admin/invalidate" << 16'000;
    }
    void deepJsonToEveryJsonRouteIsA400() {
        QFETCH(QString, method);
        QFETCH(QString, target);
        QFETCH(int, bytes);
        for (const std::string& body : {std::string(static_cast<std::size_t>(bytes), '['),
                                        std::string(static_cast<std::size_t>(bytes / 2), '[') +
                                            std::string(static_cast<std::size_t>(bytes / 2), ']')}) {
            const auto response = m_open->handle(request(method.toStdString(), target.toStdString(), body));
            QCOMPARE(response.status, 400);
            QVERIFY2(response.body.find("nested deeper") != std::string::npos, response.body.c_str());
        }
    }

    void eventsAreCheckedAtTheEdge_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("one click") << QByteArray(R"({"type":"click","user_id":"user_0001","item_id":"item_0001"})")
                                   << 200;
        QTest::newRow("numeric ids") << QByteArray(R"({"type":"click","user_id":17,"item_id":4})") << 200;
        QTest::newRow("a list")
            << QByteArray(
                   R"([{"type":"click","user_id":"u","item_id":"i"},{"type":"purchase","user_id":"u","item_id":"i"}])")
            << 200;
        QTest::newRow("unknown type") << QByteArray(R"({"type":"teleport","user_id":"u","item_id":"i"})") << 400;
        QTest::newRow("control character")
            << QByteArray(R"({"type":"click","user_id":"u\u0000","item_id":"i"})") << 400;
        QTest::newRow("long variant") << QByteArray(
                                             "{\"type\":\"click\",\"user_id\":\"u\",\"item_id\":\"i\",\"variant\":\"") +
                                             QByteArray(200, 'v') + "\"}"
                                      << 400;
        QByteArray items = R"({"type":"impression","user_id":"u","items":[)";
        for (int i = 0; i < 101; ++i) items += (i > 0 ? ",\"i" : "\"i") + QByteArray::number(i) + "\"";
        QTest::newRow("101 items") << items + "]}" << 400;
        QTest::newRow("far future") << QByteArray(R"({"type":"click","user_id":"u","item_id":"i","timestamp":9e13})")
                                    << 400;
        QTest::newRow("empty list") << QByteArray("[]") << 400;
        QTest::newRow("not an object") << QByteArray("[1]") << 400;
        QByteArray many = "[";
        for (int i = 0; i < 1001; ++i)
            many += QByteArray(i > 0 ? "," : "") + R"({"type":"click","user_id":"u","item_id":"i"})";
        QTest::newRow("1001 events") << many + "]" << 413;
    }
    void eventsAreCheckedAtTheEdge() {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        const auto response = m_open->handle(request("POST", "/events", body.toStdString()));
        QVERIFY2(response.status == status, response.body.c_str());
    }

    void recommendationAnswersAreJson() {
        const auto response = m_open->handle(request("POST", "/recommendations?user_id=user_0002&n=4&detail=true"));
        QCOMPARE(response.status, 200);
        const json body = bodyOf(response);
        QVERIFY2(!body.is_discarded(), response.body.c_str());
        QCOMPARE(body["user_id"].get<std::string>(), std::string("user_0002"));
        QCOMPARE(body["items"].size(), std::size_t{4});
        QCOMPARE(body["recommendations"].size(), std::size_t{4});
        QVERIFY(body.contains("cached") && body.contains("tier") && body.contains("timings_us"));
        // The second answer for the same list comes from the cache.
        const json again = bodyOf(m_open->handle(request("POST", "/recommendations?user_id=user_0002&n=4")));
        QVERIFY(again["cached"].get<bool>());
        QVERIFY(again["items"] == body["items"]);
    }

    // --- errors --------------------------------------------------------------------------

    void experimentErrorsFollowTheirKinds() {
        const std::string definition =
            R"({"key":"kinds","variants":[{"name":"control","weight":0.5,"model":"popularity"},
                                         {"name":"treatment","weight":0.5,"model":"popularity"}]})";
        QCOMPARE(m_open->handle(request("POST", "/experiments", definition)).status, 201);
        QCOMPARE(m_open->handle(request("POST", "/experiments", definition)).status, 409);
        QCOMPARE(m_open->handle(request("POST", "/experiments", R"({"key":"bad key!"})")).status, 400);
        QCOMPARE(m_open->handle(request("PUT", "/experiments/other", definition)).status, 400);
        QCOMPARE(m_open->handle(request("POST", "/experiments/kinds/stop")).status, 409);
        QCOMPARE(m_open->handle(request("POST", "/experiments/kinds/start")).status, 200);
        QCOMPARE(m_open->handle(request("POST", "/experiments/kinds/start")).status, 409);
        QCOMPARE(m_open->handle(request("DELETE", "/experiments/kinds")).status, 409);
        QCOMPARE(m_open->handle(request("GET", "/experiments/kinds/results")).status, 200);
        QCOMPARE(m_open->handle(request("POST", "/experiments/kinds/stop")).status, 200);
        QCOMPARE(m_open->handle(request("POST", "/experiments/kinds/stop")).status, 409);
        QCOMPARE(m_open->handle(request("POST", "/experiments/gone/restart")).status, 404);
    }

    void serverSideErrorsCarryNoInternalText_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("status");
        QTest::newRow("unavailable") << static_cast<int>(ErrorKind::Unavailable) << 503;
        QTest::newRow("internal") << static_cast<int>(ErrorKind::Internal) << 500;
    }
    void serverSideErrorsCarryNoInternalText() {
        QFETCH(int, kind);
        QFETCH(int, status);
        const Error error{"redis 127.0.0.1:6379: ERR ... sqlite3: database disk image is malformed",
                          static_cast<ErrorKind>(kind)};
        for (const HttpResponse& response : {errorResponse(error), engineFailure("test", error)}) {
            QCOMPARE(response.status, status);
            QVERIFY(response.body.find("127.0.0.1") == std::string::npos);
            QVERIFY(response.body.find("sqlite") == std::string::npos);
            const json body = bodyOf(response);
            QCOMPARE(body["error"].get<std::string>(), std::string(errorCode(static_cast<ErrorKind>(kind))));
        }
        // An "invalid" from inside the engine, after the edge checked the input, is its failure.
        QCOMPARE(engineFailure("test", Error::invalid("store: connection refused")).status, 503);
        // Client errors keep their message: it is ours and names the field.
        QCOMPARE(bodyOf(errorResponse(Error::invalid("n: must be between 1 and 100")))["detail"].get<std::string>(),
                 std::string("n: must be between 1 and 100"));
        QCOMPARE(errorResponse(Error::notFound("x")).status, 404);
        QCOMPARE(errorResponse(Error::conflict("x")).status, 409);
    }

    void readyNamesThePartNotItsText() {
        const auto response = m_open->handle(request("GET", "/ready"));
        const json body = bodyOf(response);
        QCOMPARE(body["store"].get<std::string>(), std::string("embedded"));
        QVERIFY(body["reasons"].is_array());
    }
};

QTEST_GUILESS_MAIN(TestHttpApi)
#include "test_http_api.moc"

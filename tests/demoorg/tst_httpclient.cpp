#include "DemoOrgTestSupport.h"

#include "org/HttpClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

#include <thread>

using namespace lockstep;
using namespace lockstep::test;

// The libcurl client every org call goes through: typed transport errors, cancel, timeouts,
// gzip both ways, chunked uploads, kept-alive connections — against the demo org over HTTP.
class TestHttpClient : public QObject {
    Q_OBJECT
    test::DemoOrgProcess org;

    HttpRequest holdRequest(double seconds)
    {
        HttpRequest r;
        r.method = "POST";
        r.url = org.url + "/services/apexrest/lockstep/holdLocks";
        r.body = QJsonDocument(QJsonObject{{"ids", QJsonArray{"0018d0000000001AAA"}}, {"seconds", seconds}}).toJson();
        r.header("Content-Type", "application/json").header("Authorization", "Bearer " + org.token.toLatin1());
        return r;
    }

private slots:
    void initTestCase() { QVERIFY2(org.start({"--scale", "0.05"}), qPrintable(org.error())); }
    void cleanupTestCase() { QCOMPARE(org.stop(), 0); }

    void refusedAndBadUrl()
    {
        QTcpServer probe;   // a port nobody listens on once the probe closes
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        HttpClient client;
        HttpRequest r;
        r.url = QStringLiteral("http://127.0.0.1:%1/services/data").arg(port);
        auto result = client.send(r);
        QVERIFY(!result);
        QCOMPARE(result.error().transport, TransportError::Refused);
        QCOMPARE(result.error().error.kind, ErrorKind::Network);
        r.url = QStringLiteral("notascheme://x");
        result = client.send(r);
        QVERIFY(!result);
        QCOMPARE(result.error().transport, TransportError::BadUrl);
    }

    void timeoutAndCancel()
    {
        HttpClient client;
        HttpRequest slow = holdRequest(20);   // 1 s here
        slow.timeout = std::chrono::milliseconds(150);
        auto result = client.send(slow);
        QVERIFY(!result);
        QCOMPARE(result.error().transport, TransportError::Timeout);

        CancelToken token;
        std::thread canceller([token] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            token.cancel();
        });
        result = client.send(holdRequest(20), token);
        canceller.join();
        QVERIFY(!result);
        QCOMPARE(result.error().transport, TransportError::Cancelled);
        QCOMPARE(result.error().error.kind, ErrorKind::Cancelled);
        // A query string can carry secrets: messages leave it out.
        HttpRequest withQuery;
        withQuery.url = QStringLiteral("http://user:secret@127.0.0.1:1/x?access_token=SECRET");
        result = client.send(withQuery);
        QVERIFY(!result);
        QVERIFY(!result.error().error.message.contains("SECRET"));
        QVERIFY(!result.error().error.message.contains("secret"));
    }

    void gzipChunkedAndKeepAlive()
    {
        HttpClient client;
        client.setBearerToken(org.token.toLatin1());
        HttpRequest r;
        r.method = "POST";
        r.url = org.url + "/services/data/v62.0/sobjects/Account";
        r.body = R"({"Name":"Via HttpClient"})";
        r.gzipBody = true;
        r.chunked = true;
        r.header("Content-Type", "application/json");
        auto created = client.send(r);
        QVERIFY(created.has_value());
        QCOMPARE(created->status, 201);
        QVERIFY(created->ok());
        HttpRequest get;
        get.url = org.url + "/services/data/v62.0/sobjects/Account/describe";
        for (int i = 0; i < 3; ++i) {   // on the kept-alive connection
            auto d = client.send(get);
            QVERIFY(d.has_value());
            QCOMPARE(d->status, 200);
            QVERIFY(d->contentType().startsWith("application/json"));
            QVERIFY(QJsonDocument::fromJson(d->body).isObject());   // gzip undone
            QVERIFY(d->seconds >= 0);
        }
        QCOMPARE(gzipDecompress(gzipCompress("hello hello hello"), 1000).value(), QByteArray("hello hello hello"));
        QVERIFY(!gzipDecompress("not gzip at all", 1000).has_value());
        QVERIFY(!gzipDecompress(gzipCompress(QByteArray(5000, 'a')), 100).has_value());   // bombs stop at the limit
        QCOMPARE(formEncode({{"a b", "c&d=é"}}), QByteArray("a%20b=c%26d%3D%C3%A9"));
    }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"

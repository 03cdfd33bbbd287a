#include "DemoOrgTestSupport.h"

#include "org/HttpClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace lockstep;
using namespace lockstep::test;

namespace {

// A server that answers one GET (kept alive), then takes a PUT and drops the connection without
// a word — what an org does when it failed after committing — and answers 201 to any later
// request. It counts the PUTs it read.
class DroppingServer {
public:
    DroppingServer()
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr *>(&a), sizeof a);
        ::listen(m_listen, 4);
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&a), &len);
        port = ntohs(a.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~DroppingServer()
    {
        ::shutdown(m_listen, SHUT_RDWR);
        ::close(m_listen);
        m_thread.join();
    }
    quint16 port = 0;
    std::atomic<int> puts{0};

private:
    // One request: head and a Content-Length body; empty at the connection's end.
    static std::string readRequest(int fd)
    {
        std::string in;
        char buf[4096];
        for (;;) {
            const size_t head = in.find("\r\n\r\n");
            if (head != std::string::npos) {
                size_t length = 0;
                if (const size_t at = in.find("Content-Length: "); at != std::string::npos && at < head)
                    length = std::stoul(in.substr(at + 16));
                if (in.size() >= head + 4 + length)
                    return in;
            }
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                return {};
            in.append(buf, size_t(n));
        }
    }
    void serve()
    {
        for (int connection = 0; connection < 3; ++connection) {
            const int fd = ::accept(m_listen, nullptr, nullptr);
            if (fd < 0)
                return;
            for (;;) {
                const std::string request = readRequest(fd);
                if (request.empty())
                    break;
                const bool put = request.rfind("PUT ", 0) == 0;
                if (put && puts++ == 0)
                    break;   // taken, then dropped without an answer
                const char *answer = put ? "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n" : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
                (void)::send(fd, answer, strlen(answer), MSG_NOSIGNAL);
            }
            ::close(fd);
        }
    }
    int m_listen = -1;
    std::thread m_thread;
};

} // namespace

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

    // libcurl resends a request by itself when a reused connection dies before any answer. A
    // request that is not idempotent (a Bulk API 2.0 upload: each PUT adds its rows) must not go
    // twice: it fails as a lost connection, and the runner looks up what the org did.
    void aRequestThatIsNotIdempotentIsNeverResent()
    {
        for (const bool notIdempotent : {false, true}) {
            DroppingServer server;
            HttpClient client;
            HttpRequest get;
            get.url = QStringLiteral("http://127.0.0.1:%1/warm").arg(server.port);
            QVERIFY(client.send(get).has_value());   // the connection the PUT reuses
            HttpRequest put;
            put.method = "PUT";
            put.url = QStringLiteral("http://127.0.0.1:%1/jobs/ingest/750/batches").arg(server.port);
            put.body = "Name\nAcme\n";
            put.notIdempotent = notIdempotent;
            const auto result = client.send(put);
            if (notIdempotent) {
                QVERIFY(!result);
                QCOMPARE(server.puts.load(), 1);
            } else {
                QVERIFY(result.has_value());   // resent on a new connection, and answered
                QCOMPARE(server.puts.load(), 2);
            }
        }
    }

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

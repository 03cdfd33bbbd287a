// The demo org's HTTP server against clients that do not play fair (issue 14): a request that
// never finishes arriving, and more connections than it keeps — in process, with small limits,
// over real sockets on 127.0.0.1.
#include "demoorg/HttpServer.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>
#include <vector>

using namespace lockstep::demoorg;

namespace {

// Reads what the server sends until it closes the connection (or the deadline).
QByteArray readUntilClosed(QTcpSocket &socket, int timeoutMs)
{
    QByteArray answer;
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (socket.waitForReadyRead(20))
            answer += socket.readAll();
    }
    return answer + socket.readAll();
}

} // namespace

class TestHttpServer : public QObject {
    Q_OBJECT
    std::unique_ptr<HttpServer> server;
    quint16 port = 0;

    std::unique_ptr<QTcpSocket> connectClient()
    {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        return socket->waitForConnected(5000) ? std::move(socket) : nullptr;
    }

private slots:
    void init()
    {
        HttpServer::Limits limits;
        limits.requestTimeoutMs = 400;
        limits.maxConnections = 4;
        server = std::make_unique<HttpServer>([](const ServerRequest &) { return ServerResponse::bytes(200, "ok\n", "text/plain"); }, limits);
        auto listening = server->listen(0);
        QVERIFY(listening.has_value());
        port = *listening;
    }
    void cleanup() { server.reset(); }

    // A body that is promised and never sent, or a header dribbled a byte at a time: 408 and
    // the connection let go, within the request deadline — not held for ever.
    void aRequestThatNeverFinishesArriving()
    {
        auto shortBody = connectClient();
        QVERIFY(shortBody);
        shortBody->write("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly this");
        auto dribble = connectClient();
        QVERIFY(dribble);
        dribble->write("GET /x HTTP/1.1\r\n");
        QElapsedTimer clock;
        clock.start();
        QTimer keepDribbling;
        connect(&keepDribbling, &QTimer::timeout, dribble.get(), [&] { dribble->write("X-A: b\r\n"); });
        keepDribbling.start(100);   // each byte resets an idle timer, never the request's deadline
        const QByteArray first = readUntilClosed(*shortBody, 5000);
        const QByteArray second = readUntilClosed(*dribble, 5000);
        QVERIFY2(first.startsWith("HTTP/1.1 408"), first.constData());
        QVERIFY2(second.startsWith("HTTP/1.1 408"), second.constData());
        QVERIFY2(clock.elapsed() < 3000, "the request deadline did not hold");
        // The server still answers.
        auto fine = connectClient();
        QVERIFY(fine);
        fine->write("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY(readUntilClosed(*fine, 5000).startsWith("HTTP/1.1 200"));
    }

    // More idle connections than it keeps: the longest-idle one is closed for a newcomer, so
    // idle sockets can never lock a client out.
    void idleConnectionsNeverLockClientsOut()
    {
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 12; ++i) {
            idle.push_back(connectClient());
            QVERIFY(idle.back());
            QTest::qWait(10);   // let the server accept it
        }
        QTRY_VERIFY_WITH_TIMEOUT(server->openConnections() <= 4, 5000);
        auto client = connectClient();
        QVERIFY(client);
        client->write("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        const QByteArray answer = readUntilClosed(*client, 5000);
        QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
        QVERIFY(server->openConnections() <= 4);
    }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"

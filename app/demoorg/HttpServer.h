#pragma once

#include "common/Error.h"
#include "demoorg/HttpMessage.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace lockstep::demoorg {

class HttpConnection;

// A small HTTP/1.1 server on 127.0.0.1. Why not QHttpServer: Qt 6.4's parser reads a target of
// "//services/data" as host "services" and path "/data", and the Salesforce CLI sends exactly
// that (salesforce-api.md §9); its asynchronous responses also keep a raw socket pointer that a
// client closing early leaves dangling. Here the event loop only parses and writes; every
// request runs on a worker of a thread pool, because handlers wait on record locks and sleep
// their server time.
class HttpServer : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<ServerResponse(const ServerRequest &)>;

    struct Limits {
        qsizetype maxHeaderBytes = 64 * 1024;
        qsizetype maxBodyBytes = 160 * 1024 * 1024;   // Bulk 2.0 allows 150 MB uploads
        int workerThreads = 64;                        // handlers mostly sleep or wait on locks
        int idleTimeoutMs = 120000;
        // From a request's first byte to its last: a client that sends a header or a body a byte
        // at a time (or promises more body than it sends) is answered 408 and let go.
        int requestTimeoutMs = 60000;
        // Open connections at most; past it the longest-idle one is closed for the newcomer, or
        // the newcomer gets 503 when every connection is busy (1,000 idle sockets locked every
        // client out).
        int maxConnections = 512;
    };

    explicit HttpServer(Handler handler, QObject *parent = nullptr);
    HttpServer(Handler handler, Limits limits, QObject *parent = nullptr);
    ~HttpServer() override;

    // Binds 127.0.0.1 only (never another interface); port 0 picks a free one.
    Result<quint16> listen(quint16 port);
    quint16 port() const;
    // Stops accepting, closes idle connections, and waits for running handlers.
    void close();
    int openConnections() const { return int(m_connections.size()); }

private:
    friend class HttpConnection;
    void onNewConnection();
    void dispatch(HttpConnection *connection, ServerRequest request);
    void forget(HttpConnection *connection);

    Handler m_handler;
    Limits m_limits;
    QTcpServer *m_server = nullptr;
    QThreadPool m_pool;
    QList<HttpConnection *> m_connections;
    std::uint64_t m_sequence = 0;
};

} // namespace lockstep::demoorg

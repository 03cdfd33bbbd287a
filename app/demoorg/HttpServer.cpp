#include "demoorg/HttpServer.h"

#include "org/HttpClient.h"

#include <QDateTime>
#include <QLocale>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

namespace lockstep::demoorg {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 300: return "Multiple Choices";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

QByteArray httpDate()
{
    return QLocale::c().toString(QDateTime::currentDateTimeUtc(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
}

} // namespace

// Turns a request-target into the path the router matches: percent-decoded, runs of "/"
// collapsed, no trailing "/" (Data Loader and the sf CLI send both; salesforce-api.md §0, §9).
QString normalisePath(const QByteArray &target)
{
    QByteArray raw = target;
    if (const auto q = raw.indexOf('?'); q >= 0)
        raw.truncate(q);
    // An absolute-form target ("http://host/path") is legal HTTP/1.1; keep only its path.
    if (raw.startsWith("http://") || raw.startsWith("https://")) {
        const auto slash = raw.indexOf('/', raw.indexOf("//") + 2);
        raw = slash < 0 ? QByteArray("/") : raw.mid(slash);
    }
    const QString decoded = QString::fromUtf8(QByteArray::fromPercentEncoding(raw));
    QString path;
    path.reserve(decoded.size() + 1);
    for (const QChar c : decoded)
        if (!(c == QLatin1Char('/') && path.endsWith(QLatin1Char('/'))))
            path += c;
    if (!path.startsWith(QLatin1Char('/')))
        path.prepend(QLatin1Char('/'));
    while (path.size() > 1 && path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path;
}

QList<QPair<QString, QString>> parseQuery(const QByteArray &target)
{
    QList<QPair<QString, QString>> out;
    const auto q = target.indexOf('?');
    if (q < 0)
        return out;
    for (QByteArray part : target.mid(q + 1).split('&')) {
        if (part.isEmpty())
            continue;
        part.replace('+', ' ');
        const auto eq = part.indexOf('=');
        const QByteArray k = eq < 0 ? part : part.left(eq);
        const QByteArray v = eq < 0 ? QByteArray() : part.mid(eq + 1);
        out.append({QString::fromUtf8(QByteArray::fromPercentEncoding(k)), QString::fromUtf8(QByteArray::fromPercentEncoding(v))});
    }
    return out;
}

// One client connection: parses requests (Content-Length or chunked bodies, Expect:
// 100-continue, gzip), hands each to the server, writes the answer, keeps the connection alive.
// It handles one request at a time, as HTTP/1.1 clients without pipelining send them.
class HttpConnection : public QObject {
public:
    HttpConnection(HttpServer *server, QTcpSocket *socket) : QObject(server), m_server(server), m_socket(socket)
    {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this] { parse(); });
        connect(socket, &QTcpSocket::disconnected, this, [this] { onDisconnected(); });
        m_idle.setSingleShot(true);
        connect(&m_idle, &QTimer::timeout, this, [this] { m_socket->abort(); });
        m_idle.start(server->m_limits.idleTimeoutMs);
        m_requestDeadline.setSingleShot(true);
        connect(&m_requestDeadline, &QTimer::timeout, this, [this] {
            if (!m_busy && !m_broken)
                fail(408, "request timeout: the request did not arrive in time");
        });
    }

    // Nothing read and nothing running: the connection can be closed without losing anything.
    bool isIdle() const { return !m_busy && !m_broken && m_buffer.isEmpty() && m_state == State::Head; }
    void closeIdle() { m_socket->disconnectFromHost(); }

    void finish(ServerResponse response, bool keepAlive, const QByteArray &acceptEncoding)
    {
        m_busy = false;
        if (m_closed) {
            m_server->forget(this);
            deleteLater();
            return;
        }
        if (response.delay.count() > 0) {
            const auto delay = response.delay;
            response.delay = {};
            QTimer::singleShot(delay, this, [this, response = std::move(response), keepAlive, acceptEncoding]() mutable {
                m_busy = true;   // still this request's turn until written
                finish(std::move(response), keepAlive, acceptEncoding);
            });
            m_busy = true;
            return;
        }
        if (response.dropConnection) {
            m_socket->abort();
            return;
        }
        write(response, keepAlive, acceptEncoding);
        if (!keepAlive) {
            m_socket->disconnectFromHost();
            return;
        }
        m_idle.start(m_server->m_limits.idleTimeoutMs);
        if (!m_buffer.isEmpty())
            QTimer::singleShot(0, this, [this] { parse(); });
    }

    void shutdown()
    {
        if (!m_busy)
            m_socket->disconnectFromHost();
        else
            m_closing = true;
    }

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkTrailer };

    void onDisconnected()
    {
        m_closed = true;
        if (m_current)
            m_current->store(true);
        if (!m_busy) {
            m_server->forget(this);
            deleteLater();
        }
    }

    void fail(int status, const QByteArray &message)
    {
        ServerResponse r = ServerResponse::bytes(status, message + "\n", "text/plain;charset=UTF-8");
        write(r, false, {});
        m_socket->disconnectFromHost();
        m_buffer.clear();
        m_broken = true;
    }

    void write(const ServerResponse &response, bool keepAlive, const QByteArray &acceptEncoding)
    {
        QByteArray body = response.body;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
        head += "Date: " + httpDate() + "\r\n";
        bool gzipped = false;
        // Compress what is worth it when the client asks; Salesforce does the same.
        if (body.size() > 4096 && acceptEncoding.contains("gzip")) {
            body = gzipCompress(body, 1);
            gzipped = true;
        }
        for (const auto &[k, v] : response.headers)
            head += k + ": " + v + "\r\n";
        if (gzipped)
            head += "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n";
        if (response.status != 204 && response.status != 304)
            head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
        m_socket->write(head);
        if (m_method != "HEAD" && !body.isEmpty())
            m_socket->write(body);
    }

    void parse()
    {
        if (m_broken)
            return;
        const bool requestStarts = m_buffer.isEmpty() && m_state == State::Head;
        m_buffer += m_socket->readAll();
        m_idle.start(m_server->m_limits.idleTimeoutMs);
        if (requestStarts && !m_buffer.isEmpty())
            m_requestDeadline.start(m_server->m_limits.requestTimeoutMs);
        while (!m_busy && !m_broken) {
            if (m_state == State::Head) {
                const auto end = m_buffer.indexOf("\r\n\r\n");
                if (end < 0) {
                    if (m_buffer.size() > m_server->m_limits.maxHeaderBytes)
                        fail(431, "request header too large");
                    return;
                }
                if (!parseHead(m_buffer.left(end)))
                    return;
                m_buffer.remove(0, end + 4);
                continue;
            }
            if (m_state == State::Body) {
                if (m_buffer.size() < m_remaining)
                    return;
                m_body += m_buffer.left(m_remaining);
                m_buffer.remove(0, m_remaining);
                complete();
                continue;
            }
            if (m_state == State::ChunkSize || m_state == State::ChunkTrailer) {
                const auto eol = m_buffer.indexOf("\r\n");
                if (eol < 0) {
                    if (m_buffer.size() > 4096)
                        fail(400, "bad chunk header");
                    return;
                }
                const QByteArray line = m_buffer.left(eol);
                m_buffer.remove(0, eol + 2);
                if (m_state == State::ChunkTrailer) {
                    if (line.isEmpty())
                        complete();
                    continue;
                }
                bool ok = false;
                const qint64 size = line.split(';').front().trimmed().toLongLong(&ok, 16);
                if (!ok || size < 0) {
                    fail(400, "bad chunk size");
                    return;
                }
                if (size == 0) {
                    m_state = State::ChunkTrailer;
                    continue;
                }
                if (m_body.size() + size > m_server->m_limits.maxBodyBytes) {
                    fail(413, "request body too large");
                    return;
                }
                m_remaining = size;
                m_state = State::ChunkData;
                continue;
            }
            if (m_state == State::ChunkData) {
                if (m_buffer.size() < m_remaining + 2)
                    return;
                m_body += m_buffer.left(m_remaining);
                m_buffer.remove(0, m_remaining + 2);
                m_state = State::ChunkSize;
                continue;
            }
        }
    }

    bool parseHead(const QByteArray &head)
    {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> requestLine = lines.front().trimmed().split(' ');
        if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            fail(400, "malformed request line");
            return false;
        }
        m_request = ServerRequest{};
        m_request.method = requestLine[0].toUpper();
        m_request.target = requestLine[1];
        m_method = m_request.method;
        m_http10 = requestLine[2] == "HTTP/1.0";
        qint64 contentLength = -1;
        bool chunked = false;
        bool transferEncoding = false;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const auto colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            m_request.headers.append({name, value});
            if (name == "content-length") {
                bool ok = false;
                const qint64 length = value.toLongLong(&ok);
                if (!ok || length < 0) {
                    fail(400, "bad Content-Length");
                    return false;
                }
                // Two lengths that differ: which one frames the body is anyone's guess (RFC 9112 §6.3).
                if (contentLength >= 0 && length != contentLength) {
                    fail(400, "conflicting Content-Length headers");
                    return false;
                }
                contentLength = length;
            } else if (name == "transfer-encoding") {
                transferEncoding = true;
                // The body is framed by chunked only when it is the last coding (RFC 9112 §6.1).
                chunked = value.toLower().split(',').last().trimmed() == "chunked";
            }
        }
        // Both framings at once is how a request is smuggled past a proxy that reads the other
        // one: refuse and close the connection (RFC 9112 §6.3), as does any coding but chunked.
        if (transferEncoding && contentLength >= 0) {
            fail(400, "both Content-Length and Transfer-Encoding");
            return false;
        }
        if (transferEncoding && !chunked) {
            fail(400, "unsupported Transfer-Encoding (only chunked)");
            return false;
        }
        if (contentLength > m_server->m_limits.maxBodyBytes) {
            fail(413, "request body too large");
            return false;
        }
        if (m_request.header("expect").toLower() == "100-continue")
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        m_body.clear();
        if (chunked) {
            m_state = State::ChunkSize;
        } else if (contentLength > 0) {
            m_remaining = contentLength;
            m_state = State::Body;
        } else {
            complete();
        }
        return true;
    }

    void complete()
    {
        m_state = State::Head;
        const QByteArray encoding = m_request.header("content-encoding").toLower();
        if (encoding == "gzip" || encoding == "deflate") {
            auto inflated = gzipDecompress(m_body, m_server->m_limits.maxBodyBytes);
            if (!inflated) {
                fail(400, "the request body is not valid " + encoding + " data");
                return;
            }
            m_request.body = std::move(*inflated);
        } else {
            m_request.body = std::move(m_body);
        }
        m_body.clear();
        const QByteArray connection = m_request.header("connection").toLower();
        m_keepAlive = !m_closing && (m_http10 ? connection.contains("keep-alive") : !connection.contains("close"));
        m_current = m_request.clientGone;
        m_busy = true;
        m_idle.stop();
        m_requestDeadline.stop();
        m_server->dispatch(this, std::move(m_request));
    }

public:
    bool keepAlive() const { return m_keepAlive; }

private:
    HttpServer *m_server;
    QTcpSocket *m_socket;
    QTimer m_idle;
    QTimer m_requestDeadline;
    QByteArray m_buffer;
    QByteArray m_body;
    QByteArray m_method;
    qint64 m_remaining = 0;
    State m_state = State::Head;
    ServerRequest m_request;
    std::shared_ptr<std::atomic_bool> m_current;
    bool m_busy = false;
    bool m_closed = false;
    bool m_closing = false;
    bool m_broken = false;
    bool m_http10 = false;
    bool m_keepAlive = true;
};

HttpServer::HttpServer(Handler handler, QObject *parent) : HttpServer(std::move(handler), Limits{}, parent) {}

HttpServer::HttpServer(Handler handler, Limits limits, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_limits(limits)
{
    m_pool.setMaxThreadCount(limits.workerThreads);
    // Workers mostly sleep; 2 MB of (virtual) stack leaves room for parsing nested JSON bodies.
    m_pool.setStackSize(2 * 1024 * 1024);
}

HttpServer::~HttpServer()
{
    close();
}

Result<quint16> HttpServer::listen(quint16 port)
{
    if (!m_server) {
        m_server = new QTcpServer(this);
        m_server->setMaxPendingConnections(256);
        connect(m_server, &QTcpServer::newConnection, this, &HttpServer::onNewConnection);
    }
    if (!m_server->listen(QHostAddress::LocalHost, port))
        return fail(ErrorKind::Io, QStringLiteral("cannot listen on 127.0.0.1:%1: %2").arg(port).arg(m_server->errorString()));
    return m_server->serverPort();
}

quint16 HttpServer::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

void HttpServer::close()
{
    if (m_server)
        m_server->close();
    // A copy: an idle connection disconnects at once, and its handler removes it from the list.
    const QList<HttpConnection *> connections = m_connections;
    for (HttpConnection *c : connections)
        c->shutdown();
    m_pool.waitForDone();
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (m_connections.size() >= m_limits.maxConnections) {
            // The longest-idle connection (the list is in order of arrival) makes room.
            const auto idle = std::find_if(m_connections.begin(), m_connections.end(), [](HttpConnection *c) { return c->isIdle(); });
            if (idle == m_connections.end()) {
                socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 38\r\nConnection: close\r\n\r\n"
                              "too many connections: try again later\n");
                socket->disconnectFromHost();
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                continue;
            }
            HttpConnection *oldest = *idle;
            m_connections.erase(idle);
            oldest->closeIdle();
        }
        m_connections.append(new HttpConnection(this, socket));
    }
}

void HttpServer::forget(HttpConnection *connection)
{
    m_connections.removeOne(connection);
}

void HttpServer::dispatch(HttpConnection *connection, ServerRequest request)
{
    request.path = normalisePath(request.target);
    request.query = parseQuery(request.target);
    request.sequence = ++m_sequence;
    request.received = std::chrono::steady_clock::now();
    const QByteArray acceptEncoding = request.header("accept-encoding").toLower();
    const bool keepAlive = connection->keepAlive();
    // The connection stays alive until finish() runs (it is never deleted while busy), so
    // the queued call below always has a live receiver.
    m_pool.start([this, connection, keepAlive, acceptEncoding, request = std::move(request)]() {
        ServerResponse response;
        try {
            response = m_handler(request);
        } catch (const std::exception &e) {
            response = ServerResponse::bytes(500, QByteArray("internal error: ") + e.what(), "text/plain");
        }
        QMetaObject::invokeMethod(connection, [connection, response = std::move(response), keepAlive, acceptEncoding]() mutable {
            connection->finish(std::move(response), keepAlive, acceptEncoding);
        }, Qt::QueuedConnection);
    });
}

} // namespace lockstep::demoorg

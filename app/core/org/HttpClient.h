#pragma once

#include "common/Error.h"
#include "common/Progress.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <chrono>
#include <memory>

namespace lockstep {

// One HTTP request as a caller states it. Everything an org call needs and nothing more:
// OrgClient builds these, tests send them raw to the demo org.
struct HttpRequest {
    QByteArray method = "GET";          // any verb: GET, POST, PATCH, PUT, DELETE, HEAD
    QString url;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool gzipBody = false;              // compress the body and send Content-Encoding: gzip
    bool chunked = false;               // send the body with Transfer-Encoding: chunked (no length)
    // libcurl sends a request again by itself when a reused connection dies before any answer —
    // also when the server had taken it and then dropped the connection. That is safe for
    // idempotent verbs only; POST and PATCH never go twice. Set this on a request whose verb says
    // idempotent but which is not: a Bulk API 2.0 upload (PUT) adds its rows to the job each time.
    bool notIdempotent = false;
    std::chrono::milliseconds timeout{120000};        // whole transfer
    std::chrono::milliseconds connectTimeout{10000};

    HttpRequest &header(QByteArray name, QByteArray value)
    {
        headers.append({std::move(name), std::move(value)});
        return *this;
    }
};

struct HttpResponse {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;   // as received, names in the server's case
    QByteArray body;                                // decoded (gzip/deflate undone)
    double seconds = 0;                             // total time of the transfer

    QByteArray header(const QByteArray &name) const;   // case-insensitive; first match
    QByteArray contentType() const { return header("Content-Type"); }
    bool ok() const { return status >= 200 && status < 300; }
};

// Why a request got no HTTP answer. A caller retries Timeout and ConnectionLost differently
// (the server may have committed) from Refused (it never saw the request).
enum class TransportError {
    None,
    Refused,          // nothing listens there, or the name does not resolve
    Timeout,          // the connect or transfer timeout passed
    ConnectionLost,   // the server closed the connection or sent nothing back: outcome unknown
    Cancelled,        // the caller's token asked to stop
    BadUrl,
    Tls,              // the certificate or host name could not be verified: never bypassed
    Other,
};

QString transportErrorName(TransportError error);

// An Error (kind Network or Cancelled) plus the transport reason, for callers that act on it.
struct HttpFailure {
    TransportError transport = TransportError::Other;
    Error error;
};

template <class T>
using HttpResult = std::expected<T, HttpFailure>;

// A small libcurl client. One instance keeps one connection alive across requests (so it is
// not thread-safe: one client per thread). Every call can be cancelled through the token.
class HttpClient {
public:
    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;
    HttpClient(HttpClient &&) noexcept;
    HttpClient &operator=(HttpClient &&) noexcept;

    HttpResult<HttpResponse> send(const HttpRequest &request, const CancelToken &cancel = {});

    // Adds "Authorization: Bearer <token>" to every request (never logged).
    void setBearerToken(const QByteArray &token) { m_token = token; }
    void setUserAgent(const QByteArray &agent) { m_userAgent = agent; }

private:
    struct Handle;
    std::unique_ptr<Handle> m_handle;
    QByteArray m_token;
    QByteArray m_userAgent = "lockstep/" LOCKSTEP_VERSION;
};

// URL helpers shared by callers that build query strings and form bodies.
QByteArray formEncode(const QList<QPair<QString, QString>> &fields);
QByteArray gzipCompress(const QByteArray &data, int level = 6);
// gzip or zlib-wrapped deflate data; fails on corrupt input or output beyond `maxBytes`.
Result<QByteArray> gzipDecompress(const QByteArray &data, qsizetype maxBytes);

} // namespace lockstep

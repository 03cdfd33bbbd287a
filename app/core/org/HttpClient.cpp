#include "org/HttpClient.h"

#include <QUrl>

#include <curl/curl.h>
#include <zlib.h>

#include <mutex>

namespace lockstep {

namespace {

void initCurlOnce()
{
    // curl_global_init is not thread-safe; every client goes through here first.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
    HttpResponse *response = nullptr;
    const CancelToken *cancel = nullptr;
    const QByteArray *upload = nullptr;
    qsizetype uploaded = 0;
    bool rewindable = false;
};

size_t onBody(char *data, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    t->response->body.append(data, qsizetype(size * count));
    return size * count;
}

size_t onHeader(char *data, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    const QByteArray line = QByteArray(data, qsizetype(size * count)).trimmed();
    if (line.startsWith("HTTP/")) {
        // A new status line (after a redirect or a 100 Continue): forget earlier headers.
        t->response->headers.clear();
    } else if (const auto colon = line.indexOf(':'); colon > 0) {
        t->response->headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return size * count;
}

size_t onRead(char *buffer, size_t size, size_t count, void *user)
{
    auto *t = static_cast<Transfer *>(user);
    const qsizetype n = std::min<qsizetype>(qsizetype(size * count), t->upload->size() - t->uploaded);
    std::memcpy(buffer, t->upload->constData() + t->uploaded, size_t(n));
    t->uploaded += n;
    return size_t(n);
}

// libcurl rewinds the body to send it again when a reused connection closed without an answer.
// That is safe only for idempotent verbs: the server may have committed a POST or PATCH before
// the connection went away (Salesforce does), and a silent resend would insert twice. Those
// fail instead, as ConnectionLost (outcome unknown), for the caller to reconcile.
int onSeek(void *user, curl_off_t offset, int origin)
{
    auto *t = static_cast<Transfer *>(user);
    if (!t->rewindable)
        return CURL_SEEKFUNC_CANTSEEK;
    if (origin != SEEK_SET || offset < 0 || offset > t->upload->size())
        return CURL_SEEKFUNC_FAIL;
    t->uploaded = qsizetype(offset);
    return CURL_SEEKFUNC_OK;
}

int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    auto *t = static_cast<Transfer *>(user);
    return t->cancel && t->cancel->isCancelled() ? 1 : 0;   // non-zero aborts the transfer
}

TransportError classify(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return TransportError::Refused;
    case CURLE_OPERATION_TIMEDOUT:
        return TransportError::Timeout;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_SEND_FAIL_REWIND:
        return TransportError::ConnectionLost;
    case CURLE_ABORTED_BY_CALLBACK:
        return TransportError::Cancelled;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return TransportError::BadUrl;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
        return TransportError::Tls;
    default:
        return TransportError::Other;
    }
}

} // namespace

QString transportErrorName(TransportError error)
{
    switch (error) {
    case TransportError::None: return QStringLiteral("none");
    case TransportError::Refused: return QStringLiteral("connection refused");
    case TransportError::Timeout: return QStringLiteral("timed out");
    case TransportError::ConnectionLost: return QStringLiteral("connection lost");
    case TransportError::Cancelled: return QStringLiteral("cancelled");
    case TransportError::BadUrl: return QStringLiteral("bad URL");
    case TransportError::Tls: return QStringLiteral("TLS not verified");
    case TransportError::Other: break;
    }
    return QStringLiteral("transfer failed");
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[k, v] : headers)
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    return {};
}

// One easy handle (its connection kept alive between requests) driven by a multi handle: the
// multi loop waits on the socket in short slices, so a cancel token is seen within ~50 ms even
// while the server thinks, where a plain curl_easy_perform would only look at it from the
// progress callback.
struct HttpClient::Handle {
    CURL *curl = nullptr;
    CURLM *multi = nullptr;
    Handle()
    {
        initCurlOnce();
        curl = curl_easy_init();
        multi = curl_multi_init();
    }
    ~Handle()
    {
        if (multi)
            curl_multi_cleanup(multi);
        if (curl)
            curl_easy_cleanup(curl);
    }

    // Runs the transfer set up on `curl` to its end; the easy handle's result code.
    CURLcode perform(const CancelToken &cancel)
    {
        if (!multi)
            return curl_easy_perform(curl);
        if (curl_multi_add_handle(multi, curl) != CURLM_OK)
            return curl_easy_perform(curl);
        CURLcode result = CURLE_OK;
        for (bool done = false; !done;) {
            int running = 0;
            if (curl_multi_perform(multi, &running) != CURLM_OK) {
                result = CURLE_SEND_ERROR;
                break;
            }
            int queued = 0;
            while (CURLMsg *m = curl_multi_info_read(multi, &queued)) {
                if (m->msg == CURLMSG_DONE && m->easy_handle == curl) {
                    result = m->data.result;
                    done = true;
                }
            }
            if (done || running == 0)
                break;
            if (cancel.isCancelled()) {
                result = CURLE_ABORTED_BY_CALLBACK;
                break;
            }
            curl_multi_poll(multi, nullptr, 0, 50, nullptr);
        }
        curl_multi_remove_handle(multi, curl);
        return result;
    }
};

HttpClient::HttpClient() : m_handle(std::make_unique<Handle>()) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient &&) noexcept = default;
HttpClient &HttpClient::operator=(HttpClient &&) noexcept = default;

HttpResult<HttpResponse> HttpClient::send(const HttpRequest &request, const CancelToken &cancel)
{
    auto failure = [&](TransportError t, const QString &detail) {
        const ErrorKind kind = t == TransportError::Cancelled ? ErrorKind::Cancelled : ErrorKind::Network;
        // The URL without its query: a query string may carry a token or a record value.
        const QString where = QUrl(request.url).adjusted(QUrl::RemoveQuery | QUrl::RemoveUserInfo).toString();
        return std::unexpected(HttpFailure{t, Error{kind, QStringLiteral("%1 %2: %3").arg(QString::fromLatin1(request.method), where, detail)}});
    };
    CURL *c = m_handle->curl;
    if (!c)
        return failure(TransportError::Other, QStringLiteral("libcurl could not be initialised"));
    curl_easy_reset(c);   // keeps the connection cache, forgets the previous request's options

    HttpResponse response;
    Transfer transfer{&response, &cancel, nullptr, 0};
    const QByteArray body = request.gzipBody ? gzipCompress(request.body) : request.body;
    transfer.upload = &body;
    const QByteArray url = request.url.toUtf8();

    curl_easy_setopt(c, CURLOPT_URL, url.constData());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(request.timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(request.connectTimeout.count()));
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");   // every encoding libcurl decodes
    // HTTP/2 where the server offers it over TLS (ALPN), HTTP/1.1 otherwise. Certificate and
    // host-name checks stay libcurl's defaults (on): no option here or anywhere turns them off.
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_2TLS));
    char errorText[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorText);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(c, CURLOPT_USERAGENT, m_userAgent.constData());

    const QByteArray method = request.method.toUpper();
    transfer.rewindable = !request.notIdempotent &&
                          (method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS");
    if (method == "HEAD") {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (method != "GET" || !body.isEmpty()) {
        // Every other verb sends the body through the read callback, so a chunked upload and a
        // sized one go the same way.
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, onRead);
        curl_easy_setopt(c, CURLOPT_READDATA, &transfer);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, onSeek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, &transfer);
        if (!request.chunked)
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.size()));
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.constData());
    }

    curl_slist *headers = nullptr;
    bool hasContentType = false;
    for (const auto &[k, v] : request.headers) {
        headers = curl_slist_append(headers, (k + ": " + v).constData());
        hasContentType |= k.compare("Content-Type", Qt::CaseInsensitive) == 0;
    }
    if (!m_token.isEmpty())
        headers = curl_slist_append(headers, ("Authorization: Bearer " + m_token).constData());
    if (request.gzipBody)
        headers = curl_slist_append(headers, "Content-Encoding: gzip");
    if (request.chunked)
        headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
    if (!hasContentType && method != "GET" && method != "HEAD")
        headers = curl_slist_append(headers, "Content-Type:");   // no curl default for uploads
    // libcurl waits up to a second for "100 Continue" before large uploads; orgs answer at
    // once, and the wait would distort every timing measured through this client.
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

    const CURLcode code = m_handle->perform(cancel);
    curl_slist_free_all(headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    if (code != CURLE_OK) {
        if (cancel.isCancelled())
            return failure(TransportError::Cancelled, QStringLiteral("cancelled"));
        const TransportError kind = classify(code);
        const QString detail = errorText[0] ? QString::fromUtf8(errorText).trimmed() : QString::fromUtf8(curl_easy_strerror(code));
        if (kind == TransportError::Tls)
            return failure(kind, QStringLiteral("the server's TLS certificate could not be verified (%1). Lockstep never sends a "
                                                "session over an unverified connection; if your network inspects TLS, add its "
                                                "certificate authority to the system's trusted store")
                                     .arg(detail));
        return failure(kind, detail);
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    double seconds = 0;
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &seconds);
    response.status = int(status);
    response.seconds = seconds;
    return response;
}

QByteArray formEncode(const QList<QPair<QString, QString>> &fields)
{
    QByteArray out;
    for (const auto &[k, v] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v);
    }
    return out;
}

QByteArray gzipCompress(const QByteArray &data, int level)
{
    z_stream s{};
    if (deflateInit2(&s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out;
    out.resize(qsizetype(deflateBound(&s, uLong(data.size()))) + 32);
    s.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    s.avail_in = uInt(data.size());
    s.next_out = reinterpret_cast<Bytef *>(out.data());
    s.avail_out = uInt(out.size());
    deflate(&s, Z_FINISH);
    out.resize(qsizetype(s.total_out));
    deflateEnd(&s);
    return out;
}

Result<QByteArray> gzipDecompress(const QByteArray &data, qsizetype maxBytes)
{
    z_stream s{};
    // 32 + 15: detect gzip or zlib headers automatically.
    if (inflateInit2(&s, 32 + 15) != Z_OK)
        return fail(ErrorKind::Internal, QStringLiteral("zlib could not be initialised"));
    QByteArray out;
    s.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    s.avail_in = uInt(data.size());
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (out.size() >= maxBytes) {
            inflateEnd(&s);
            return fail(ErrorKind::BadData, QStringLiteral("the decompressed body exceeds %1 bytes").arg(maxBytes));
        }
        const qsizetype before = out.size();
        out.resize(std::min(maxBytes + 1, std::max<qsizetype>(before * 2, 64 * 1024)));
        s.next_out = reinterpret_cast<Bytef *>(out.data() + before);
        s.avail_out = uInt(out.size() - before);
        rc = inflate(&s, Z_NO_FLUSH);
        out.resize(out.size() - qsizetype(s.avail_out));
        if (rc == Z_BUF_ERROR && s.avail_in == 0) {
            inflateEnd(&s);
            return fail(ErrorKind::BadData, QStringLiteral("the gzip body is truncated"));
        }
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            inflateEnd(&s);
            return fail(ErrorKind::BadData, QStringLiteral("the body is not valid gzip data"));
        }
    }
    inflateEnd(&s);
    return out;
}

} // namespace lockstep

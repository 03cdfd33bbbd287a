#include "org/OrgClient.h"

#include "load/CsvText.h"
#include "org/CollectionBody.h"
#include "org/CollectionResults.h"
#include "org/JwtBearer.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>
#include <QXmlStreamReader>

#include <chrono>
#include <mutex>
#include <thread>

namespace lockstep {

namespace {

const QByteArray kBulkNamespace = "http://www.force.com/2009/06/asyncapi/dataload";

bool isLoopbackHost(const QString &host)
{
    // 127.0.0.0/8, ::1 and localhost (QUrl gives IPv6 hosts without brackets).
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 || host == QLatin1String("::1"))
        return true;
    const QStringList parts = host.split(QLatin1Char('.'));
    if (parts.size() != 4 || parts.front() != QLatin1String("127"))
        return false;
    for (const QString &p : parts) {
        bool ok = false;
        const int v = p.toInt(&ok);
        if (!ok || v < 0 || v > 255)
            return false;
    }
    return true;
}

QByteArray xmlEscape(const QString &text)
{
    return text.toHtmlEscaped().toUtf8();
}

// The text of the first <tag> element anywhere in an XML document (namespaces ignored).
QString xmlText(const QByteArray &xml, const QString &tag)
{
    QXmlStreamReader reader(xml);
    while (!reader.atEnd()) {
        if (reader.readNext() == QXmlStreamReader::StartElement && reader.name() == tag)
            return reader.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }
    return {};
}

qint64 xmlNumber(const QByteArray &xml, const QString &tag)
{
    return xmlText(xml, tag).toLongLong();
}

BulkJobInfo jobInfoOf(const QByteArray &xml)
{
    BulkJobInfo j;
    j.id = xmlText(xml, QStringLiteral("id"));
    j.state = xmlText(xml, QStringLiteral("state"));
    j.batchesQueued = xmlNumber(xml, QStringLiteral("numberBatchesQueued"));
    j.batchesInProgress = xmlNumber(xml, QStringLiteral("numberBatchesInProgress"));
    j.batchesCompleted = xmlNumber(xml, QStringLiteral("numberBatchesCompleted"));
    j.batchesFailed = xmlNumber(xml, QStringLiteral("numberBatchesFailed"));
    j.batchesTotal = xmlNumber(xml, QStringLiteral("numberBatchesTotal"));
    j.recordsProcessed = xmlNumber(xml, QStringLiteral("numberRecordsProcessed"));
    j.recordsFailed = xmlNumber(xml, QStringLiteral("numberRecordsFailed"));
    return j;
}

} // namespace

qint64 salesforceTimeMs(const QString &text)
{
    // "2026-12-07T12:03:10.000Z" (Bulk 1.0) or "2026-12-07T12:03:10.000+0000" (REST, Bulk 2.0).
    QString t = text.trimmed();
    if (t.size() > 5 && (t[t.size() - 5] == QLatin1Char('+') || t[t.size() - 5] == QLatin1Char('-')) && t[t.size() - 3] != QLatin1Char(':'))
        t.insert(t.size() - 2, QLatin1Char(':'));
    const QDateTime at = QDateTime::fromString(t, Qt::ISODateWithMs);
    return at.isValid() ? at.toMSecsSinceEpoch() : 0;
}

std::vector<BulkBatchInfo> parseBulkBatchInfos(const QByteArray &xml)
{
    std::vector<BulkBatchInfo> out;
    QXmlStreamReader reader(xml);
    BulkBatchInfo *current = nullptr;
    while (!reader.atEnd()) {
        const auto token = reader.readNext();
        if (token == QXmlStreamReader::StartElement) {
            if (reader.name() == QLatin1String("batchInfo")) {
                out.emplace_back();
                current = &out.back();
                continue;
            }
            if (!current)
                continue;
            const QString name = reader.name().toString();
            const QString text = reader.readElementText().trimmed();
            if (name == QLatin1String("id"))
                current->id = text;
            else if (name == QLatin1String("jobId"))
                current->jobId = text;
            else if (name == QLatin1String("state"))
                current->state = text;
            else if (name == QLatin1String("stateMessage"))
                current->stateMessage = text;
            else if (name == QLatin1String("numberRecordsProcessed"))
                current->recordsProcessed = text.toLongLong();
            else if (name == QLatin1String("numberRecordsFailed"))
                current->recordsFailed = text.toLongLong();
            else if (name == QLatin1String("createdDate"))
                current->createdMs = salesforceTimeMs(text);
            else if (name == QLatin1String("systemModstamp"))
                current->modifiedMs = salesforceTimeMs(text);
            else if (name == QLatin1String("totalProcessingTime"))
                current->processingMs = text.toLongLong();
        } else if (token == QXmlStreamReader::EndElement && reader.name() == QLatin1String("batchInfo")) {
            current = nullptr;
        }
    }
    return out;
}

namespace {

std::vector<BulkBatchInfo> batchInfosOf(const QByteArray &xml)
{
    return parseBulkBatchInfos(xml);
}

IngestJobInfo ingestInfoOf(const QJsonObject &o)
{
    IngestJobInfo j;
    j.id = o.value(QStringLiteral("id")).toString();
    j.state = o.value(QStringLiteral("state")).toString();
    j.recordsProcessed = qint64(o.value(QStringLiteral("numberRecordsProcessed")).toDouble());
    j.recordsFailed = qint64(o.value(QStringLiteral("numberRecordsFailed")).toDouble());
    j.errorMessage = o.value(QStringLiteral("errorMessage")).toString();
    j.createdMs = salesforceTimeMs(o.value(QStringLiteral("createdDate")).toString());
    j.modifiedMs = salesforceTimeMs(o.value(QStringLiteral("systemModstamp")).toString());
    j.processingMs = qint64(o.value(QStringLiteral("totalProcessingTime")).toDouble());
    return j;
}

OrgError protocolError(const QString &what, const HttpResponse &response)
{
    OrgError e;
    e.kind = OrgError::Kind::Protocol;
    e.status = response.status;
    e.message = what;
    return e;
}

template <class T>
OrgResult<T> jsonOf(const HttpResponse &response)
{
    QJsonParseError parse{};
    const QJsonDocument doc = QJsonDocument::fromJson(response.body, &parse);
    if (parse.error != QJsonParseError::NoError)
        return std::unexpected(protocolError(QStringLiteral("the org's answer is not JSON (%1)").arg(parse.errorString()), response));
    if constexpr (std::is_same_v<T, QJsonObject>) {
        if (!doc.isObject())
            return std::unexpected(protocolError(QStringLiteral("the org's answer is not a JSON object"), response));
        return doc.object();
    } else {
        if (!doc.isArray())
            return std::unexpected(protocolError(QStringLiteral("the org's answer is not a JSON array"), response));
        return doc.array();
    }
}


QString operationKey(Operation op)
{
    return operationName(op);   // insert, update, upsert, delete
}

} // namespace

Error OrgError::toError() const
{
    QString text;
    switch (kind) {
    case Kind::Transport: text = QStringLiteral("the org did not answer (%1)").arg(transportErrorName(transport)); break;
    case Kind::Session: text = QStringLiteral("the session is not valid and could not be renewed"); break;
    case Kind::Limit: text = QStringLiteral("the org's API limit was reached"); break;
    case Kind::Api: text = QStringLiteral("the org refused the request (HTTP %1)").arg(status); break;
    case Kind::Protocol: text = QStringLiteral("the org's answer could not be read (HTTP %1)").arg(status); break;
    }
    if (!code.isEmpty())
        text += QStringLiteral(": ") + code;
    if (!message.isEmpty())
        text += QStringLiteral(": ") + message;
    return Error{kind == Kind::Transport ? ErrorKind::Network : ErrorKind::Server, text};
}

Result<void> checkOrgUrl(const QString &url)
{
    const QUrl u(url);
    if (!u.isValid() || u.host().isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("'%1' is not an org URL (expected https://…my.salesforce.com)").arg(url));
    const QString scheme = u.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return {};
    if (scheme == QLatin1String("http") && isLoopbackHost(u.host()))
        return {};
    if (scheme == QLatin1String("http"))
        return fail(ErrorKind::Usage, QStringLiteral("refusing plain http:// to %1: a session token would cross the network "
                                                     "unencrypted. Use https:// (only 127.0.0.1, ::1 and localhost may use http).")
                                          .arg(u.host()));
    return fail(ErrorKind::Usage, QStringLiteral("'%1' is not an http(s) URL").arg(url));
}

// The session the clients of one org share, and its renewal: one at a time, and not again for
// a session that another client has already replaced.
class OrgClient::SharedRenewal {
public:
    SharedRenewal(OrgSession session, Renewer renew) : m_current(std::move(session)), m_renew(std::move(renew)) {}

    OrgSession current() const
    {
        std::lock_guard lock(m_mutex);
        return m_current;
    }
    // A session to use instead of `refused`: the one another client renewed to since, or a new
    // one (`renewed` says which).
    Result<OrgSession> renewAfter(const QByteArray &refused, bool &renewed)
    {
        std::lock_guard lock(m_mutex);
        renewed = false;
        if (m_current.accessToken != refused)
            return m_current;
        renewed = true;
        auto fresh = m_renew();
        if (fresh) {
            m_current.accessToken = fresh->accessToken;
            if (!fresh->instanceUrl.isEmpty())
                m_current.instanceUrl = fresh->instanceUrl;
        }
        return fresh ? Result<OrgSession>(m_current) : fresh;
    }

private:
    mutable std::mutex m_mutex;
    OrgSession m_current;
    Renewer m_renew;
};

Result<OrgClient> OrgClient::create(OrgSession session, Renewer renew)
{
    if (auto ok = checkOrgUrl(session.instanceUrl); !ok)
        return std::unexpected(ok.error());
    while (session.instanceUrl.endsWith(QLatin1Char('/')))
        session.instanceUrl.chop(1);
    OrgClient client;
    if (renew)
        client.m_renew = std::make_shared<SharedRenewal>(session, std::move(renew));
    client.m_session = std::move(session);
    return client;
}

std::function<Result<OrgClient>()> OrgClient::sharingRenewals(OrgSession session, Renewer renew)
{
    auto shared = renew ? std::make_shared<SharedRenewal>(session, std::move(renew)) : nullptr;
    return [session, shared]() -> Result<OrgClient> {
        // A client made after a renewal starts on the renewed session.
        auto client = create(shared ? shared->current() : session);
        if (client)
            client->m_renew = shared;
        return client;
    };
}

namespace {

// A form POST to {login}/services/oauth2/{endpoint}, once the login URL is one Lockstep sends to.
Result<HttpRequest> oauthPost(const QString &loginUrl, const QString &endpoint)
{
    if (auto ok = checkOrgUrl(loginUrl); !ok)
        return std::unexpected(ok.error());
    QString base = loginUrl;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    HttpRequest request;
    request.method = "POST";
    request.url = base + QStringLiteral("/services/oauth2/") + endpoint;
    request.header("Content-Type", "application/x-www-form-urlencoded");
    return request;
}

// What to do about a refused login, in the words of the fix (Salesforce's own descriptions).
QString loginAdvice(const QString &error, const QString &description)
{
    const QString d = description.toLower();
    if (error == QLatin1String("invalid_client_id"))
        return QStringLiteral("check the connected app's consumer key (client id), and that the app exists in this org");
    if (error == QLatin1String("invalid_client"))
        return QStringLiteral("check the connected app's consumer secret");
    if (d.contains(QLatin1String("expired access/refresh token")) || d.contains(QLatin1String("token")))
        return QStringLiteral("the saved session was revoked or has expired: log in again ('lockstep-cli org login')");
    if (d.contains(QLatin1String("authentication failure")))
        return QStringLiteral("check the username and the password (with the security token appended where the org asks for one)");
    if (d.contains(QLatin1String("audience")))
        return QStringLiteral("log in at https://login.salesforce.com, https://test.salesforce.com (sandboxes) or the org's My Domain");
    if (d.contains(QLatin1String("expired authorization code")))
        return QStringLiteral("the machine's clock may be wrong, or the assertion expired on its way: try again");
    if (d.contains(QLatin1String("invalid assertion")))
        return QStringLiteral("the key does not match the certificate the connected app holds: upload the certificate of this key to the app");
    if (d.contains(QLatin1String("approved")))
        return QStringLiteral("the user is not allowed to use the connected app: pre-authorize the user's profile or permission set");
    if (error == QLatin1String("unsupported_grant_type"))
        return QStringLiteral("the connected app does not allow this flow: enable it in the app's OAuth settings");
    return {};
}

// POST {login}/services/oauth2/token with `form`: the session, or the org's refusal in words
// (`who` names the login in the message: "login as admin@acme.com").
Result<OrgSession> requestToken(const QString &loginUrl, const QList<QPair<QString, QString>> &form, const QString &who,
                                const QByteArray &basicAuth = {})
{
    auto posted = oauthPost(loginUrl, QStringLiteral("token"));
    if (!posted)
        return std::unexpected(posted.error());
    HttpRequest &request = *posted;
    request.header("Accept", "application/json");
    if (!basicAuth.isEmpty())
        request.header("Authorization", "Basic " + basicAuth.toBase64());
    request.body = formEncode(form);
    HttpClient http;
    auto response = http.send(request);
    if (!response) {
        Error e = response.error().error;
        if (response.error().transport == TransportError::Refused || response.error().transport == TransportError::Timeout)
            e.message += QStringLiteral(" — the login host cannot be reached: check its URL (--instance, LOCKSTEP_LOGIN_URL) and the network");
        return std::unexpected(e);
    }
    const QJsonObject o = QJsonDocument::fromJson(response->body).object();
    if (!response->ok() || o.value(QStringLiteral("access_token")).toString().isEmpty()) {
        const QString error = o.value(QStringLiteral("error")).toString(QStringLiteral("HTTP %1").arg(response->status));
        const QString description = o.value(QStringLiteral("error_description")).toString();
        const QString advice = loginAdvice(error, description);
        return fail(ErrorKind::Server, QStringLiteral("%1 failed: %2 (%3)%4")
                                           .arg(who, error, description, advice.isEmpty() ? QString() : QStringLiteral(": ") + advice));
    }
    OrgSession session;
    session.instanceUrl = o.value(QStringLiteral("instance_url")).toString();
    session.accessToken = o.value(QStringLiteral("access_token")).toString().toUtf8();
    session.refreshToken = o.value(QStringLiteral("refresh_token")).toString().toUtf8();
    if (auto ok = checkOrgUrl(session.instanceUrl); !ok)
        return std::unexpected(ok.error());
    return session;
}

} // namespace

Result<OrgSession> OrgClient::loginWithClientCredentials(const QString &loginUrl, const QString &clientId, const QByteArray &clientSecret)
{
    // Salesforce reads the pair from HTTP Basic, each part form-encoded.
    const QByteArray pair = QUrl::toPercentEncoding(clientId) + ':' + QUrl::toPercentEncoding(QString::fromUtf8(clientSecret));
    return requestToken(loginUrl, {{QStringLiteral("grant_type"), QStringLiteral("client_credentials")}},
                        QStringLiteral("client credentials login of %1").arg(clientId), pair);
}

Result<OrgSession> OrgClient::refresh(const QString &loginUrl, const QString &clientId, const QByteArray &refreshToken)
{
    auto session = requestToken(loginUrl,
                                {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                 {QStringLiteral("client_id"), clientId},
                                 {QStringLiteral("refresh_token"), QString::fromLatin1(refreshToken)}},
                                QStringLiteral("renewing the session"));
    if (session && session->refreshToken.isEmpty())
        session->refreshToken = refreshToken;
    return session;
}

Result<void> OrgClient::revoke(const QString &loginUrl, const QByteArray &token)
{
    auto posted = oauthPost(loginUrl, QStringLiteral("revoke"));
    if (!posted)
        return std::unexpected(posted.error());
    HttpRequest &request = *posted;
    request.body = formEncode({{QStringLiteral("token"), QString::fromLatin1(token)}});
    HttpClient http;
    auto response = http.send(request);
    if (!response)
        return std::unexpected(response.error().error);
    const QJsonObject o = QJsonDocument::fromJson(response->body).object();
    if (response->ok() || o.value(QStringLiteral("error")).toString() == QLatin1String("invalid_token"))
        return {};
    return fail(ErrorKind::Server, QStringLiteral("the org did not revoke the token: %1 (%2)")
                                       .arg(o.value(QStringLiteral("error")).toString(QStringLiteral("HTTP %1").arg(response->status)),
                                            o.value(QStringLiteral("error_description")).toString()));
}

Result<OrgSession> OrgClient::exchangeCode(const QString &loginUrl, const QString &clientId, const QByteArray &clientSecret,
                                           const QString &code, const QString &redirectUri, const QByteArray &codeVerifier)
{
    QList<QPair<QString, QString>> form{{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                                        {QStringLiteral("code"), code},
                                        {QStringLiteral("client_id"), clientId},
                                        {QStringLiteral("redirect_uri"), redirectUri},
                                        {QStringLiteral("code_verifier"), QString::fromLatin1(codeVerifier)}};
    if (!clientSecret.isEmpty())
        form.append({QStringLiteral("client_secret"), QString::fromUtf8(clientSecret)});
    return requestToken(loginUrl, form, QStringLiteral("browser login"));
}

Result<OrgSession> OrgClient::loginWithPassword(const QString &loginUrl, const QString &clientId, const QByteArray &clientSecret,
                                                const QString &username, const QByteArray &password)
{
    return requestToken(loginUrl,
                        {{QStringLiteral("grant_type"), QStringLiteral("password")},
                         {QStringLiteral("client_id"), clientId},
                         {QStringLiteral("client_secret"), QString::fromUtf8(clientSecret)},
                         {QStringLiteral("username"), username},
                         {QStringLiteral("password"), QString::fromUtf8(password)}},
                        QStringLiteral("login as %1").arg(username));
}

Result<OrgSession> OrgClient::loginWithJwt(const QString &loginUrl, const QString &clientId, const QString &username,
                                           const QByteArray &privateKeyPem, const QString &audience)
{
    JwtClaims claims;
    claims.issuer = clientId;
    claims.subject = username;
    claims.audience = audience.isEmpty() ? audienceFor(loginUrl) : audience;
    // Three minutes, as Salesforce allows: a fresh assertion is signed for every login.
    claims.expires = QDateTime::currentSecsSinceEpoch() + 180;
    auto assertion = JwtBearer::sign(claims, privateKeyPem);
    if (!assertion)
        return std::unexpected(assertion.error());
    return requestToken(loginUrl,
                        {{QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:jwt-bearer")},
                         {QStringLiteral("assertion"), QString::fromLatin1(*assertion)}},
                        QStringLiteral("JWT login as %1").arg(username));
}

Result<OrgSession> OrgClient::loginWithJwtKeyFile(const QString &loginUrl, const QString &clientId, const QString &username,
                                                  const QString &keyFile)
{
    QFile key(keyFile);
    if (!key.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound, QStringLiteral("cannot read the JWT key: %1").arg(key.errorString()), keyFile);
    return loginWithJwt(loginUrl, clientId, username, key.readAll());
}

QString OrgClient::audienceFor(const QString &loginUrl)
{
    // Salesforce accepts its two login hosts as the audience (and a My Domain login URL where the
    // org allows it); a sandbox's My Domain (…sandbox.my.salesforce.com) logs in through test.
    const QString host = QUrl(loginUrl).host().toLower();
    if (host == QLatin1String("test.salesforce.com") || host.endsWith(QLatin1String(".sandbox.my.salesforce.com")))
        return QStringLiteral("https://test.salesforce.com");
    if (host == QLatin1String("login.salesforce.com") || host.endsWith(QLatin1String(".my.salesforce.com")))
        return QStringLiteral("https://login.salesforce.com");
    QString base = loginUrl;   // anything else (the demo org, a proxy): the login URL itself
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base;
}

QString OrgClient::restBase() const
{
    return m_session.instanceUrl + QStringLiteral("/services/data/v") + m_session.apiVersion;
}

QString OrgClient::bulkBase() const
{
    return m_session.instanceUrl + QStringLiteral("/services/async/") + m_session.apiVersion;
}

OrgError OrgClient::errorOf(const HttpResponse &response)
{
    OrgError e;
    e.kind = OrgError::Kind::Api;
    e.status = response.status;
    const QByteArray type = response.contentType();
    if (type.contains("json")) {
        const QJsonDocument doc = QJsonDocument::fromJson(response.body);
        const QJsonObject first = doc.isArray() ? doc.array().at(0).toObject() : doc.object();
        e.code = first.value(QStringLiteral("errorCode")).toString(first.value(QStringLiteral("error")).toString());
        e.message = first.value(QStringLiteral("message")).toString(first.value(QStringLiteral("error_description")).toString());
    } else if (type.contains("xml")) {
        e.code = xmlText(response.body, QStringLiteral("exceptionCode"));
        e.message = xmlText(response.body, QStringLiteral("exceptionMessage"));
        if (e.code.isEmpty()) {   // a SOAP fault: sf:INVALID_SESSION_ID
            e.code = xmlText(response.body, QStringLiteral("faultcode")).section(QLatin1Char(':'), -1);
            e.message = xmlText(response.body, QStringLiteral("faultstring"));
        }
    }
    if (e.message.isEmpty())
        e.message = QString::fromUtf8(response.body.left(300));
    if (e.code == QLatin1String("REQUEST_LIMIT_EXCEEDED") || e.code == QLatin1String("ExceededQuota"))
        e.kind = OrgError::Kind::Limit;
    return e;
}

OrgResult<HttpResponse> OrgClient::call(HttpRequest request, Auth auth)
{
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    // A fresh session can be refused too (sessions revoked under a long run, an org that caps
    // them): a few renewals, each a new session, before the call gives up. A session another
    // lane renewed to does not count — when the org ends the lanes' shared session often, a
    // lane may be handed several — but the refusals a call takes are bounded all the same.
    constexpr int kMaxRenewals = 3;
    constexpr int kMaxRefusals = 12;
    int renewals = 0;
    int refusals = 0;
    for (;;) {
        HttpRequest r = request;
        r.timeout = m_requestTimeout;
        switch (auth) {
        case Auth::Bearer: r.header("Authorization", "Bearer " + m_session.accessToken); break;
        case Auth::BulkSession: r.header("X-SFDC-Session", m_session.accessToken); break;
        case Auth::SoapSession: break;   // the token travels in the envelope (built by the caller)
        case Auth::None: break;
        }
        auto response = m_http->send(r, m_cancel);
        if (!response) {
            OrgError e;
            e.kind = OrgError::Kind::Transport;
            e.transport = response.error().transport;
            e.message = response.error().error.message;
            return std::unexpected(e);
        }
        if (response->ok())
            return std::move(*response);
        OrgError e = errorOf(*response);
        const bool sessionGone = e.code == QLatin1String("INVALID_SESSION_ID") || e.code == QLatin1String("InvalidSessionId");
        if (sessionGone) {
            // Refused, so nothing was done: renew and send the same request again.
            if (renewals >= kMaxRenewals || ++refusals > kMaxRefusals || !m_renew) {
                e.kind = OrgError::Kind::Session;
                return std::unexpected(e);
            }
            bool renewed = false;
            auto fresh = m_renew->renewAfter(m_session.accessToken, renewed);
            if (!fresh) {
                e.kind = OrgError::Kind::Session;
                e.message = fresh.error().message;
                return std::unexpected(e);
            }
            m_session.accessToken = fresh->accessToken;
            if (!fresh->instanceUrl.isEmpty() && fresh->instanceUrl != m_session.instanceUrl) {
                const QString old = m_session.instanceUrl;
                m_session.instanceUrl = fresh->instanceUrl;
                while (m_session.instanceUrl.endsWith(QLatin1Char('/')))
                    m_session.instanceUrl.chop(1);
                request.url.replace(0, old.size(), m_session.instanceUrl);
            }
            renewals += renewed ? 1 : 0;
            if (auth == Auth::SoapSession)   // the old token is inside the body: the caller rebuilds it
                return std::unexpected(e);
            continue;
        }
        if (response->status == 429 || response->status == 503) {
            // Busy: wait as long as the org asks (or a second), within the call's budget.
            bool ok = false;
            double wait = response->header("Retry-After").toDouble(&ok);
            if (!ok || wait <= 0)
                wait = 1;
            const double spent = std::chrono::duration<double>(Clock::now() - started).count();
            if (spent + wait > m_busyBudget) {
                e.kind = OrgError::Kind::Limit;
                return std::unexpected(e);
            }
            const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait));
            while (Clock::now() < until) {
                if (m_cancel.isCancelled()) {
                    OrgError c;
                    c.kind = OrgError::Kind::Transport;
                    c.transport = TransportError::Cancelled;
                    c.message = QStringLiteral("cancelled");
                    return std::unexpected(c);
                }
                std::this_thread::sleep_for(std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(50)));
            }
            continue;
        }
        return std::unexpected(e);
    }
}

OrgResult<HttpResponse> OrgClient::send(QByteArray method, const QString &path, const QByteArray &body, const QByteArray &contentType,
                                        QList<QPair<QByteArray, QByteArray>> headers)
{
    HttpRequest r;
    r.method = std::move(method);
    r.url = path.startsWith(QLatin1String("http")) ? path : m_session.instanceUrl + path;
    r.body = body;
    if (!body.isEmpty())
        r.header("Content-Type", contentType);
    for (auto &h : headers)
        r.headers.append(std::move(h));
    return call(std::move(r), Auth::Bearer);
}

OrgResult<QJsonObject> OrgClient::jsonCall(QByteArray method, const QString &url, const QJsonObject &body)
{
    HttpRequest r;
    r.method = std::move(method);
    r.url = url;
    if (!body.isEmpty()) {
        r.header("Content-Type", "application/json");
        r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    auto response = call(std::move(r), Auth::Bearer);
    if (!response)
        return std::unexpected(response.error());
    return jsonOf<QJsonObject>(*response);
}

OrgResult<QJsonObject> OrgClient::describe(const QString &object)
{
    return jsonCall("GET", restBase() + QStringLiteral("/sobjects/%1/describe").arg(object));
}

OrgResult<QJsonObject> OrgClient::userinfo()
{
    return jsonCall("GET", m_session.instanceUrl + QStringLiteral("/services/oauth2/userinfo"));
}

OrgResult<std::vector<QJsonObject>> OrgClient::query(const QString &soql, bool all)
{
    std::vector<QJsonObject> records;
    QUrl url(restBase() + (all ? QStringLiteral("/queryAll") : QStringLiteral("/query")));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("q"), soql);
    url.setQuery(q);
    QString next = url.toString(QUrl::FullyEncoded);
    while (!next.isEmpty()) {
        HttpRequest r;
        r.url = next;
        auto response = call(std::move(r), Auth::Bearer);
        if (!response)
            return std::unexpected(response.error());
        auto page = jsonOf<QJsonObject>(*response);
        if (!page)
            return std::unexpected(page.error());
        for (const auto &v : page->value(QStringLiteral("records")).toArray())
            records.push_back(v.toObject());
        if (page->value(QStringLiteral("done")).toBool(true))
            break;
        // Keep only the locator, as jsforce does (salesforce-api.md §2).
        const QString locator = page->value(QStringLiteral("nextRecordsUrl")).toString().section(QLatin1Char('/'), -1);
        if (locator.isEmpty())
            return std::unexpected(protocolError(QStringLiteral("a query page says it is not done but gives no next page"), *response));
        next = restBase() + QStringLiteral("/query/") + locator;
    }
    return records;
}

OrgResult<std::vector<RecordResult>> OrgClient::collections(Operation operation, const QString &object, const QJsonArray &records,
                                                             bool allOrNone, const QString &externalIdField)
{
    CollectionBody body(operation, object, allOrNone);
    auto utf8 = [](const QString &s) { return s.toUtf8(); };
    for (const auto &v : records) {
        if (operation == Operation::Delete) {
            const QByteArray id = utf8(v.isString() ? v.toString() : v.toObject().value(QStringLiteral("Id")).toString());
            body.addId(std::string_view(id.constData(), size_t(id.size())));
            continue;
        }
        body.beginRecord();
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QByteArray name = utf8(it.key());
            if (it->isString()) {
                const QByteArray value = utf8(it->toString());
                body.field(std::string_view(name.constData(), size_t(name.size())), std::string_view(value.constData(), size_t(value.size())));
            } else {
                QByteArray json = QJsonDocument(QJsonArray{*it}).toJson(QJsonDocument::Compact);
                json = json.mid(1, json.size() - 2);   // the value without the array around it
                body.rawField(std::string_view(name.constData(), size_t(name.size())), std::string_view(json.constData(), size_t(json.size())));
            }
        }
        body.endRecord();
    }
    return collections(object, body, externalIdField);
}

OrgResult<std::vector<RecordResult>> OrgClient::collections(const QString &object, const CollectionBody &records, const QString &externalIdField)
{
    const Operation operation = records.operation();
    const bool allOrNone = records.allOrNone();
    HttpRequest r;
    if (operation == Operation::Delete) {
        r.method = "DELETE";
        r.url = restBase() + QStringLiteral("/composite/sobjects?ids=%1&allOrNone=%2")
                                 .arg(QString::fromLatin1(records.ids()), allOrNone ? QStringLiteral("true") : QStringLiteral("false"));
    } else {
        r.method = operation == Operation::Insert ? "POST" : "PATCH";
        r.url = restBase() + QStringLiteral("/composite/sobjects");
        if (operation == Operation::Upsert)
            r.url += QStringLiteral("/%1/%2").arg(object, externalIdField.isEmpty() ? QStringLiteral("Id") : externalIdField);
        r.body = records.json();
        r.header("Content-Type", "application/json");
    }
    auto response = call(std::move(r), Auth::Bearer);
    if (!response)
        return std::unexpected(response.error());
    if (auto read = parseCollectionResults(std::string_view(response->body.constData(), size_t(response->body.size())), operation);
        response->ok() && read && qsizetype(read->size()) == records.size())
        return std::move(*read);
    auto array = jsonOf<QJsonArray>(*response);
    if (!array)
        return std::unexpected(array.error());
    if (array->size() != records.size())
        return std::unexpected(protocolError(QStringLiteral("the org answered %1 results for %2 records").arg(array->size()).arg(records.size()),
                                             *response));
    std::vector<RecordResult> out;
    out.reserve(size_t(array->size()));
    for (const auto &v : *array) {
        const QJsonObject o = v.toObject();
        RecordResult result;
        result.success = o.value(QStringLiteral("success")).toBool();
        result.id = o.value(QStringLiteral("id")).toString();
        result.created = o.value(QStringLiteral("created")).toBool(operation == Operation::Insert && result.success);
        for (const auto &e : o.value(QStringLiteral("errors")).toArray()) {
            const QJsonObject eo = e.toObject();
            RecordError error{eo.value(QStringLiteral("statusCode")).toString(), eo.value(QStringLiteral("message")).toString(), {}};
            for (const auto &f : eo.value(QStringLiteral("fields")).toArray())
                error.fields << f.toString();
            result.errors.push_back(std::move(error));
        }
        out.push_back(std::move(result));
    }
    return out;
}

OrgResult<BulkJobInfo> OrgClient::createBulkJob(const QString &object, Operation operation, bool serial, const QString &externalIdField)
{
    HttpRequest r;
    r.method = "POST";
    r.url = bulkBase() + QStringLiteral("/job");
    r.header("Content-Type", "application/xml; charset=UTF-8");
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"" + kBulkNamespace + "\"><operation>" +
             xmlEscape(operationKey(operation)) + "</operation><object>" + xmlEscape(object) + "</object>" +
             (operation == Operation::Upsert ? "<externalIdFieldName>" + xmlEscape(externalIdField) + "</externalIdFieldName>" : QByteArray()) +
             "<concurrencyMode>" + (serial ? "Serial" : "Parallel") + "</concurrencyMode><contentType>CSV</contentType></jobInfo>";
    auto response = call(std::move(r), Auth::BulkSession);
    if (!response)
        return std::unexpected(response.error());
    BulkJobInfo info = jobInfoOf(response->body);
    if (info.id.isEmpty())
        return std::unexpected(protocolError(QStringLiteral("the job the org created has no id"), *response));
    return info;
}

OrgResult<BulkBatchInfo> OrgClient::addBulkBatch(const QString &jobId, const QByteArray &csv, bool disableBatchRetry)
{
    HttpRequest r;
    r.method = "POST";
    r.url = bulkBase() + QStringLiteral("/job/%1/batch").arg(jobId);
    r.header("Content-Type", "text/csv; charset=UTF-8");
    if (disableBatchRetry)
        r.header("Sforce-Disable-Batch-Retry", "TRUE");
    r.body = csv;
    auto response = call(std::move(r), Auth::BulkSession);
    if (!response)
        return std::unexpected(response.error());
    auto infos = batchInfosOf(response->body);
    if (infos.empty() || infos.front().id.isEmpty())
        return std::unexpected(protocolError(QStringLiteral("the batch the org created has no id"), *response));
    return infos.front();
}

OrgResult<BulkJobInfo> OrgClient::bulkJob(const QString &jobId)
{
    HttpRequest r;
    r.url = bulkBase() + QStringLiteral("/job/%1").arg(jobId);
    auto response = call(std::move(r), Auth::BulkSession);
    if (!response)
        return std::unexpected(response.error());
    return jobInfoOf(response->body);
}

OrgResult<std::vector<BulkBatchInfo>> OrgClient::bulkBatches(const QString &jobId)
{
    HttpRequest r;
    r.url = bulkBase() + QStringLiteral("/job/%1/batch").arg(jobId);
    auto response = call(std::move(r), Auth::BulkSession);
    if (!response)
        return std::unexpected(response.error());
    return batchInfosOf(response->body);
}

RecordError OrgClient::parseBulkError(const QString &cell)
{
    // "UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 001…:--"
    // The message itself may hold colons: the code is the first part, the fields the last.
    RecordError e;
    const qsizetype first = cell.indexOf(QLatin1Char(':'));
    if (first < 0) {
        e.message = cell;
        return e;
    }
    e.statusCode = cell.left(first);
    QString rest = cell.mid(first + 1);
    const qsizetype last = rest.lastIndexOf(QLatin1Char(':'));
    if (last >= 0) {
        QString fields = rest.mid(last + 1).trimmed();
        rest = rest.left(last);
        if (fields.endsWith(QLatin1String("--")))   // "Name,StageName --", or "--" alone
            fields.chop(2);
        for (const QString &f : fields.split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!f.trimmed().isEmpty())
                e.fields << f.trimmed();
    }
    e.message = rest;
    return e;
}

OrgResult<std::vector<RecordResult>> OrgClient::bulkBatchResult(const QString &jobId, const QString &batchId)
{
    HttpRequest r;
    r.url = bulkBase() + QStringLiteral("/job/%1/batch/%2/result").arg(jobId, batchId);
    auto response = call(std::move(r), Auth::BulkSession);
    if (!response)
        return std::unexpected(response.error());
    const auto rows = parseCsvText(response->body);
    if (rows.empty())
        return std::unexpected(protocolError(QStringLiteral("the batch result has no header"), *response));
    const QStringList &header = rows.front();
    const int idColumn = int(header.indexOf(QStringLiteral("Id")));
    const int successColumn = int(header.indexOf(QStringLiteral("Success")));
    const int createdColumn = int(header.indexOf(QStringLiteral("Created")));
    const int errorColumn = int(header.indexOf(QStringLiteral("Error")));
    if (successColumn < 0 || errorColumn < 0)
        return std::unexpected(protocolError(QStringLiteral("the batch result lacks the Success or Error column"), *response));
    std::vector<RecordResult> out;
    out.reserve(rows.size() - 1);
    for (size_t i = 1; i < rows.size(); ++i) {
        const QStringList &row = rows[i];
        auto cell = [&](int c) { return c >= 0 && c < row.size() ? row[c] : QString(); };
        RecordResult result;
        result.success = cell(successColumn).compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
        result.created = cell(createdColumn).compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
        result.id = cell(idColumn);
        if (!result.success)
            result.errors.push_back(parseBulkError(cell(errorColumn)));
        out.push_back(std::move(result));
    }
    return out;
}

OrgResult<BulkJobInfo> OrgClient::closeBulkJob(const QString &jobId, bool abort)
{
    HttpRequest r;
    r.method = "POST";
    r.url = bulkBase() + QStringLiteral("/job/%1").arg(jobId);
    r.header("Content-Type", "application/xml; charset=UTF-8");
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"" + kBulkNamespace + "\"><state>" +
             (abort ? "Aborted" : "Closed") + "</state></jobInfo>";
    auto response = call(std::move(r), Auth::BulkSession);
    if (!response)
        return std::unexpected(response.error());
    return jobInfoOf(response->body);
}

OrgResult<IngestJobInfo> OrgClient::createIngestJob(const QString &object, Operation operation, const QString &externalIdField)
{
    QJsonObject body{{QStringLiteral("object"), object},
                     {QStringLiteral("operation"), operationKey(operation)},
                     {QStringLiteral("contentType"), QStringLiteral("CSV")},
                     {QStringLiteral("lineEnding"), QStringLiteral("LF")},
                     {QStringLiteral("columnDelimiter"), QStringLiteral("COMMA")}};
    if (operation == Operation::Upsert)
        body.insert(QStringLiteral("externalIdFieldName"), externalIdField);
    auto o = jsonCall("POST", restBase() + QStringLiteral("/jobs/ingest"), body);
    if (!o)
        return std::unexpected(o.error());
    return ingestInfoOf(*o);
}

OrgResult<void> OrgClient::uploadIngestData(const QString &jobId, const QByteArray &csv)
{
    HttpRequest r;
    r.method = "PUT";
    r.url = restBase() + QStringLiteral("/jobs/ingest/%1/batches").arg(jobId);
    r.header("Content-Type", "text/csv");
    r.body = csv;
    r.notIdempotent = true;   // a second upload adds the rows again: a lost answer is looked up, never resent
    auto response = call(std::move(r), Auth::Bearer);
    if (!response)
        return std::unexpected(response.error());
    return {};
}

OrgResult<IngestJobInfo> OrgClient::setIngestState(const QString &jobId, const QString &state)
{
    auto o = jsonCall("PATCH", restBase() + QStringLiteral("/jobs/ingest/%1").arg(jobId), QJsonObject{{QStringLiteral("state"), state}});
    if (!o)
        return std::unexpected(o.error());
    return ingestInfoOf(*o);
}

OrgResult<IngestJobInfo> OrgClient::ingestJob(const QString &jobId)
{
    auto o = jsonCall("GET", restBase() + QStringLiteral("/jobs/ingest/%1").arg(jobId));
    if (!o)
        return std::unexpected(o.error());
    return ingestInfoOf(*o);
}

OrgResult<QByteArray> OrgClient::ingestResults(const QString &jobId, const QString &which)
{
    HttpRequest r;
    r.url = restBase() + QStringLiteral("/jobs/ingest/%1/%2").arg(jobId, which);
    auto response = call(std::move(r), Auth::Bearer);
    if (!response)
        return std::unexpected(response.error());
    return response->body;
}

OrgResult<QByteArray> OrgClient::bulkDocument(const QString &path)
{
    HttpRequest r;
    r.url = bulkBase() + path;
    auto response = call(std::move(r), Auth::BulkSession);
    if (!response)
        return std::unexpected(response.error());
    return response->body;
}

OrgResult<QByteArray> OrgClient::restDocument(const QString &path)
{
    HttpRequest r;
    r.url = restBase() + path;
    auto response = call(std::move(r), Auth::Bearer);
    if (!response)
        return std::unexpected(response.error());
    return response->body;
}

OrgResult<std::vector<DuplicateRuleState>> OrgClient::duplicateRules(const QString &object)
{
    auto records = query(QStringLiteral("SELECT Id, DeveloperName, SobjectType, IsActive FROM DuplicateRule WHERE SobjectType = '%1'")
                             .arg(QString(object).remove(QLatin1Char('\''))));
    if (!records)
        return std::unexpected(records.error());
    std::vector<DuplicateRuleState> rules;
    for (const auto &r : *records)
        rules.push_back({r.value(QStringLiteral("DeveloperName")).toString(), r.value(QStringLiteral("SobjectType")).toString(object),
                         r.value(QStringLiteral("IsActive")).toBool()});
    return rules;
}

OrgResult<void> OrgClient::setDuplicateRuleActive(const DuplicateRuleState &rule, bool active)
{
    // The Metadata API (salesforce-api.md §6): read the rule, send every field back with
    // isActive changed. The session travels in the envelope's SessionHeader.
    auto envelope = [&](const QByteArray &body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
               "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
               "<soapenv:Header xmlns=\"http://soap.sforce.com/2006/04/metadata\"><SessionHeader><sessionId>" +
               m_session.accessToken + "</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns=\"http://soap.sforce.com/2006/04/metadata\">" +
               body + "</soapenv:Body></soapenv:Envelope>";
    };
    auto soap = [&](const QByteArray &body) -> OrgResult<HttpResponse> {
        for (int attempt = 0; attempt < 4; ++attempt) {   // call() renews; up to three fresh sessions
            HttpRequest r;
            r.method = "POST";
            r.url = m_session.instanceUrl + QStringLiteral("/services/Soap/m/") + m_session.apiVersion;
            r.header("Content-Type", "text/xml; charset=UTF-8").header("SOAPAction", "\"\"");
            r.body = envelope(body);   // rebuilt with the renewed token on each attempt
            auto response = call(std::move(r), Auth::SoapSession);
            if (response || response.error().kind != OrgError::Kind::Api ||
                response.error().code != QLatin1String("INVALID_SESSION_ID"))
                return response;
        }
        OrgError e;
        e.kind = OrgError::Kind::Session;
        return std::unexpected(e);
    };
    auto read = soap("<readMetadata><type>DuplicateRule</type><fullNames>" + xmlEscape(rule.fullName()) + "</fullNames></readMetadata>");
    if (!read)
        return std::unexpected(read.error());
    static const QRegularExpression records(QStringLiteral("<records[^>]*>(.*)</records>"), QRegularExpression::DotMatchesEverythingOption);
    const auto match = records.match(QString::fromUtf8(read->body));
    if (!match.hasMatch())
        return std::unexpected(protocolError(QStringLiteral("no duplicate rule named %1").arg(rule.fullName()), *read));
    QString fields = match.captured(1);
    static const QRegularExpression isActive(QStringLiteral("<isActive>\\s*(true|false)\\s*</isActive>"));
    if (!fields.contains(isActive))
        return std::unexpected(protocolError(QStringLiteral("the rule %1 has no isActive field").arg(rule.fullName()), *read));
    fields.replace(isActive, active ? QStringLiteral("<isActive>true</isActive>") : QStringLiteral("<isActive>false</isActive>"));
    auto update = soap("<updateMetadata><metadata xsi:type=\"DuplicateRule\">" + fields.toUtf8() + "</metadata></updateMetadata>");
    if (!update)
        return std::unexpected(update.error());
    if (xmlText(update->body, QStringLiteral("success")) != QLatin1String("true")) {
        OrgError e;
        e.kind = OrgError::Kind::Api;
        e.status = update->status;
        e.code = xmlText(update->body, QStringLiteral("statusCode"));
        e.message = xmlText(update->body, QStringLiteral("message"));
        return std::unexpected(e);
    }
    return {};
}

} // namespace lockstep

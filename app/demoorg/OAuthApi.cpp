#include "demoorg/OAuthApi.h"

#include "demoorg/ApiErrors.h"
#include "demoorg/SessionStore.h"
#include "org/JwtBearer.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QUrl>
#include <QUrlQuery>

namespace lockstep::demoorg {

QString apiVersionFromSegment(const QString &segment)
{
    if (!segment.startsWith(QLatin1Char('v')))
        return {};
    bool ok = false;
    const double v = segment.mid(1).toDouble(&ok);
    if (!ok || v < kMinApiVersion || v > kMaxApiVersion || !segment.contains(QLatin1Char('.')))
        return {};
    return segment.mid(1);
}

QHash<QString, QString> parseForm(const QByteArray &body)
{
    QHash<QString, QString> out;
    for (QByteArray part : body.split('&')) {
        if (part.isEmpty())
            continue;
        part.replace('+', ' ');
        const auto eq = part.indexOf('=');
        out.insert(QString::fromUtf8(QByteArray::fromPercentEncoding(eq < 0 ? part : part.left(eq))),
                   eq < 0 ? QString() : QString::fromUtf8(QByteArray::fromPercentEncoding(part.mid(eq + 1))));
    }
    return out;
}

namespace {

// The demo org's connected app lists the callbacks a desktop client uses: a loopback address on
// any port (the Salesforce CLI's http://localhost:1717/OauthRedirect, jsforce's and Lockstep's own
// browser logins) and Salesforce's success page. A code is never sent anywhere else — an
// authorization code handed to an arbitrary site is a stolen session (RFC 6749 §10.6).
bool isRegisteredCallback(const QUrl &url)
{
    if (!url.isValid() || url.scheme().isEmpty())
        return false;
    const QString host = url.host().toLower();
    if (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))
        if (host == QLatin1String("localhost") || host == QLatin1String("127.0.0.1") || host == QLatin1String("::1"))
            return true;
    return url.scheme() == QLatin1String("https") && host == QLatin1String("login.salesforce.com") &&
           url.path() == QLatin1String("/services/oauth2/success");
}


QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Compares secrets without an early exit, so timing does not reveal a prefix.
bool sameSecret(const QString &a, const QString &b)
{
    const QByteArray x = a.toUtf8(), y = b.toUtf8();
    if (x.size() != y.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < x.size(); ++i)
        diff |= static_cast<unsigned char>(x[i] ^ y[i]);
    return diff == 0;
}

} // namespace

void OAuthApi::registerRoutes(Router &router)
{
    router.add("POST", QStringLiteral("/services/oauth2/token"), Access::Public, [this](const ServerRequest &r, const RouteParams &) { return token(r); });
    router.add("GET", QStringLiteral("/services/oauth2/authorize"), Access::Public, [this](const ServerRequest &r, const RouteParams &) { return authorizePage(r); });
    router.add("POST", QStringLiteral("/services/oauth2/authorize"), Access::Public, [this](const ServerRequest &r, const RouteParams &) { return authorizeSubmit(r); });
    for (const QByteArray &method : {QByteArray("GET"), QByteArray("POST")}) {
        router.add(method, QStringLiteral("/services/oauth2/userinfo"), Access::Session, [this](const ServerRequest &r, const RouteParams &) { return userinfo(r); });
        router.add(method, QStringLiteral("/id/{org}/{user}"), Access::Session, [this](const ServerRequest &, const RouteParams &) {
            // The identity service answers in its own shape (jsforce's identity() reads it).
            const Credentials &c = m_org.sessions->credentials();
            QJsonObject o = identity();
            o.insert(QStringLiteral("id"), QStringLiteral("%1/id/%2/%3").arg(m_org.instanceUrl, c.orgId, c.userId));
            o.insert(QStringLiteral("asserted_user"), true);
            o.insert(QStringLiteral("username"), c.username);
            o.insert(QStringLiteral("display_name"), QStringLiteral("Demo Integration User"));
            o.insert(QStringLiteral("nick_name"), QStringLiteral("demo"));
            o.insert(QStringLiteral("first_name"), QStringLiteral("Demo"));
            o.insert(QStringLiteral("last_name"), QStringLiteral("Integration User"));
            return ServerResponse::json(200, QJsonDocument(o));
        });
    }
    router.add("POST", QStringLiteral("/services/oauth2/revoke"), Access::Public, [this](const ServerRequest &r, const RouteParams &) { return revoke(r); });
    router.add("GET", QStringLiteral("/services/oauth2/revoke"), Access::Public, [this](const ServerRequest &r, const RouteParams &) { return revoke(r); });
}

QJsonObject OAuthApi::identity() const
{
    const Credentials &c = m_org.sessions->credentials();
    return QJsonObject{
        {QStringLiteral("sub"), QStringLiteral("%1/id/%2/%3").arg(m_org.instanceUrl, c.orgId, c.userId)},
        {QStringLiteral("user_id"), c.userId},
        {QStringLiteral("organization_id"), c.orgId},
        {QStringLiteral("preferred_username"), c.username},
        {QStringLiteral("nickname"), QStringLiteral("demo")},
        {QStringLiteral("name"), QStringLiteral("Demo Integration User")},
        {QStringLiteral("email"), c.username},
        {QStringLiteral("email_verified"), true},
        {QStringLiteral("given_name"), QStringLiteral("Demo")},
        {QStringLiteral("family_name"), QStringLiteral("Integration User")},
        {QStringLiteral("zoneinfo"), QStringLiteral("GMT")},
        {QStringLiteral("active"), true},
        {QStringLiteral("user_type"), QStringLiteral("STANDARD")},
        {QStringLiteral("language"), QStringLiteral("en_US")},
        {QStringLiteral("locale"), QStringLiteral("en_US")},
        {QStringLiteral("utcOffset"), 0},
        {QStringLiteral("is_app_installed"), true},
        {QStringLiteral("urls"), QJsonObject{{QStringLiteral("rest"), m_org.instanceUrl + QStringLiteral("/services/data/v{version}/")},
                                             {QStringLiteral("query"), m_org.instanceUrl + QStringLiteral("/services/data/v{version}/query/")},
                                             {QStringLiteral("sobjects"), m_org.instanceUrl + QStringLiteral("/services/data/v{version}/sobjects/")}}},
    };
}

ServerResponse OAuthApi::tokenResponse(bool withRefreshToken, const QString &refreshToken)
{
    const Credentials &c = m_org.sessions->credentials();
    const QString access = m_org.sessions->issueAccessToken();
    const QString issuedAt = QString::number(QDateTime::currentMSecsSinceEpoch());
    const QString id = QStringLiteral("%1/id/%2/%3").arg(m_org.instanceUrl, c.orgId, c.userId);
    // Salesforce signs id + issued_at with the client secret (HMAC-SHA256, base64).
    const QByteArray signature = QMessageAuthenticationCode::hash((id + issuedAt).toUtf8(), c.clientSecret.toUtf8(), QCryptographicHash::Sha256).toBase64();
    QJsonObject o{{QStringLiteral("access_token"), access},
                  {QStringLiteral("instance_url"), m_org.instanceUrl},
                  {QStringLiteral("id"), id},
                  {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                  {QStringLiteral("issued_at"), issuedAt},
                  {QStringLiteral("signature"), QString::fromLatin1(signature)},
                  {QStringLiteral("scope"), QStringLiteral("api refresh_token")}};
    if (withRefreshToken)
        o.insert(QStringLiteral("refresh_token"), refreshToken.isEmpty() ? m_org.sessions->issueRefreshToken() : refreshToken);
    return ServerResponse::json(200, QJsonDocument(o));
}

ServerResponse OAuthApi::token(const ServerRequest &request)
{
    const QHash<QString, QString> form = parseForm(request.body);
    const Credentials &c = m_org.sessions->credentials();
    const QString grant = form.value(QStringLiteral("grant_type"));
    QString clientId = form.value(QStringLiteral("client_id"));
    QString clientSecret = form.value(QStringLiteral("client_secret"));
    // client_credentials (and any grant) may authenticate the client with HTTP Basic.
    const QByteArray authorization = request.header("authorization");
    if (authorization.startsWith("Basic ")) {
        const QString pair = QString::fromUtf8(QByteArray::fromBase64(authorization.mid(6)));
        const auto colon = pair.indexOf(QLatin1Char(':'));
        clientId = QUrl::fromPercentEncoding(pair.left(colon).toUtf8());
        clientSecret = QUrl::fromPercentEncoding(pair.mid(colon + 1).toUtf8());
    }
    if (grant.isEmpty())
        return ApiErrors::oauth(400, QStringLiteral("unsupported_grant_type"), QStringLiteral("grant type not supported"));
    if (grant == QLatin1String("urn:ietf:params:oauth:grant-type:jwt-bearer"))
        return jwtBearer(form.value(QStringLiteral("assertion")).toLatin1());
    if (!sameSecret(clientId, c.clientId))
        return ApiErrors::oauth(400, QStringLiteral("invalid_client_id"), QStringLiteral("client identifier invalid"));
    if (grant == QLatin1String("password")) {
        if (!sameSecret(clientSecret, c.clientSecret))
            return ApiErrors::oauth(400, QStringLiteral("invalid_client"), QStringLiteral("invalid client credentials"));
        if (form.value(QStringLiteral("username")).compare(c.username, Qt::CaseInsensitive) != 0 ||
            !sameSecret(form.value(QStringLiteral("password")), c.password))
            return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("authentication failure"));
        return tokenResponse(false);
    }
    if (grant == QLatin1String("client_credentials")) {
        if (!sameSecret(clientSecret, c.clientSecret))
            return ApiErrors::oauth(400, QStringLiteral("invalid_client"), QStringLiteral("invalid client credentials"));
        return tokenResponse(false);
    }
    if (grant == QLatin1String("refresh_token")) {
        const QString refresh = form.value(QStringLiteral("refresh_token"));
        if (!clientSecret.isEmpty() && !sameSecret(clientSecret, c.clientSecret))
            return ApiErrors::oauth(400, QStringLiteral("invalid_client"), QStringLiteral("invalid client credentials"));
        if (!m_org.sessions->refreshTokenValid(refresh))
            return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("expired access/refresh token"));
        // Salesforce returns no new refresh token on a refresh.
        return tokenResponse(false);
    }
    if (grant == QLatin1String("authorization_code")) {
        const auto code = m_org.sessions->takeCode(form.value(QStringLiteral("code")));
        if (!code || code->clientId != clientId)
            return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("invalid authorization code"));
        if (!code->redirectUri.isEmpty() && code->redirectUri != form.value(QStringLiteral("redirect_uri")))
            return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("redirect_uri must match configuration"));
        if (!code->codeChallenge.isEmpty()) {
            const QString verifier = form.value(QStringLiteral("code_verifier"));
            const QString expected = code->challengeMethod == QLatin1String("plain")
                                         ? verifier
                                         : QString::fromLatin1(base64Url(QCryptographicHash::hash(verifier.toUtf8(), QCryptographicHash::Sha256)));
            if (verifier.isEmpty() || !sameSecret(expected, code->codeChallenge))
                return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("invalid code verifier"));
        } else if (!sameSecret(clientSecret, c.clientSecret)) {
            return ApiErrors::oauth(400, QStringLiteral("invalid_client"), QStringLiteral("invalid client credentials"));
        }
        return tokenResponse(true);
    }
    return ApiErrors::oauth(400, QStringLiteral("unsupported_grant_type"), QStringLiteral("grant type not supported"));
}

// The JWT bearer flow: the assertion's signature checked against the connected app's
// certificate, then its issuer, audience, expiry and user — with Salesforce's own answers.
ServerResponse OAuthApi::jwtBearer(const QByteArray &assertion)
{
    const Credentials &c = m_org.sessions->credentials();
    if (c.jwtCertificate.isEmpty())
        return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("invalid assertion"));
    const auto claims = JwtBearer::verify(assertion, c.jwtCertificate);
    if (!claims)
        return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("invalid assertion"));
    if (!sameSecret(claims->issuer, c.clientId))
        return ApiErrors::oauth(400, QStringLiteral("invalid_client_id"), QStringLiteral("client identifier invalid"));
    QString audience = claims->audience;
    while (audience.endsWith(QLatin1Char('/')))
        audience.chop(1);
    if (audience != QLatin1String("https://login.salesforce.com") && audience != QLatin1String("https://test.salesforce.com") &&
        audience != m_org.instanceUrl)
        return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("audience is invalid"));
    // Seconds since 1970, as Salesforce reads it: sfdx-core's milliseconds are far ahead, and pass.
    if (claims->expires <= QDateTime::currentSecsSinceEpoch())
        return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("expired authorization code"));
    if (claims->subject.compare(c.username, Qt::CaseInsensitive) != 0)
        return ApiErrors::oauth(400, QStringLiteral("invalid_grant"), QStringLiteral("user hasn't approved this consumer"));
    return tokenResponse(false);
}

ServerResponse OAuthApi::authorizePage(const ServerRequest &request, const QString &error)
{
    const QHash<QString, QString> q = request.method == "POST" ? parseForm(request.body) : [&] {
        QHash<QString, QString> h;
        for (const auto &[k, v] : request.query)
            h.insert(k, v);
        return h;
    }();
    if (q.value(QStringLiteral("response_type")) != QLatin1String("code"))
        return ApiErrors::oauth(400, QStringLiteral("unsupported_response_type"), QStringLiteral("response type not supported"));
    if (q.value(QStringLiteral("client_id")) != m_org.sessions->credentials().clientId)
        return ApiErrors::oauth(400, QStringLiteral("invalid_client_id"), QStringLiteral("client identifier invalid"));
    if (!isRegisteredCallback(QUrl(q.value(QStringLiteral("redirect_uri")))))
        return ApiErrors::oauth(400, QStringLiteral("redirect_uri_mismatch"), QStringLiteral("redirect_uri must match configuration"));
    QString hidden;
    for (const char *key : {"response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method"})
        hidden += QStringLiteral("<input type=\"hidden\" name=\"%1\" value=\"%2\">").arg(QLatin1String(key), q.value(QLatin1String(key)).toHtmlEscaped());
    const QString page = QStringLiteral(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Login | Lockstep demo org</title></head><body>"
        "<h1>Lockstep demo org</h1><p>Log in to allow the application to use this org.</p>%1"
        "<form method=\"post\" action=\"/services/oauth2/authorize\">%2"
        "<label>Username <input name=\"username\" autocomplete=\"username\"></label><br>"
        "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label><br>"
        "<button type=\"submit\" name=\"login\" value=\"1\">Log In</button></form></body></html>")
                             .arg(error.isEmpty() ? QString() : QStringLiteral("<p role=\"alert\">%1</p>").arg(error.toHtmlEscaped()), hidden);
    return ServerResponse::bytes(error.isEmpty() ? 200 : 401, page.toUtf8(), "text/html;charset=UTF-8");
}

ServerResponse OAuthApi::authorizeSubmit(const ServerRequest &request)
{
    const QHash<QString, QString> form = parseForm(request.body);
    const Credentials &c = m_org.sessions->credentials();
    if (form.value(QStringLiteral("username")).compare(c.username, Qt::CaseInsensitive) != 0 ||
        !sameSecret(form.value(QStringLiteral("password")), c.password))
        return authorizePage(request, QStringLiteral("Please check your username and password. If you still can't log in, contact your Salesforce administrator."));
    if (form.value(QStringLiteral("client_id")) != c.clientId)
        return ApiErrors::oauth(400, QStringLiteral("invalid_client_id"), QStringLiteral("client identifier invalid"));
    const QString redirect = form.value(QStringLiteral("redirect_uri"));
    const QUrl target(redirect);
    if (!isRegisteredCallback(target))
        return ApiErrors::oauth(400, QStringLiteral("redirect_uri_mismatch"), QStringLiteral("redirect_uri must match configuration"));
    AuthorizationCode code;
    code.clientId = c.clientId;
    code.redirectUri = redirect;
    code.codeChallenge = form.value(QStringLiteral("code_challenge"));
    code.challengeMethod = form.value(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    code.expires = QDateTime::currentDateTimeUtc().addSecs(900);
    QUrl location = target;
    QUrlQuery query(location);
    query.addQueryItem(QStringLiteral("code"), m_org.sessions->issueCode(code));
    if (form.contains(QStringLiteral("state")))
        query.addQueryItem(QStringLiteral("state"), form.value(QStringLiteral("state")));
    location.setQuery(query);
    ServerResponse r = ServerResponse::empty(302);
    r.header("Location", location.toEncoded());
    return r;
}

ServerResponse OAuthApi::userinfo(const ServerRequest &)
{
    return ServerResponse::json(200, QJsonDocument(identity()));
}

ServerResponse OAuthApi::revoke(const ServerRequest &request)
{
    QString token = parseForm(request.body).value(QStringLiteral("token"));
    if (token.isEmpty())
        token = request.queryValue(QStringLiteral("token"));
    if (token.isEmpty() || !m_org.sessions->revoke(token))
        return ApiErrors::oauth(400, QStringLiteral("invalid_token"), QStringLiteral("invalid token"));
    return ServerResponse::empty(200);
}

} // namespace lockstep::demoorg

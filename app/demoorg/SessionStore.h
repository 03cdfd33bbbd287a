#pragma once

#include "common/Error.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QMutex>
#include <QString>

#include <memory>
#include <optional>

namespace lockstep::demoorg {

// The org's one integration user and its connected app, as the JSON line on stdout hands
// them to a client.
struct Credentials {
    QString orgId;
    QString userId;
    QString username;
    QString password;
    QString clientId;
    QString clientSecret;
    // The connected app's certificate (PEM) for JWT bearer logins, as an admin uploads it; not
    // stored with the org (given to each start). Empty: JWT logins are refused.
    QByteArray jwtCertificate;
};

struct Session {
    QString userId;
    QDateTime expires;
    QString scope;
};

struct AuthorizationCode {
    QString clientId;
    QString redirectUri;
    QString codeChallenge;        // b64url(sha256(verifier)) or the verifier itself ("plain")
    QString challengeMethod;      // "S256" or "plain"
    QDateTime expires;
};

// Access tokens, refresh tokens and authorization codes, in memory (a restart logs every
// client out; they log in again or refresh, as after a real org's session reset). Tokens have
// Salesforce's shape "00D…!AR…", which the Salesforce CLI checks.
class SessionStore {
public:
    SessionStore(Credentials credentials, int sessionSeconds, std::uint64_t seed);
    // Every token and code this store issues from now on is appended to `path`, one per line,
    // flushed at once: an audit's list of what a client must keep out of its own files.
    Result<void> recordIssuedSecretsTo(const QString &path);

    const Credentials &credentials() const { return m_credentials; }

    QString issueAccessToken(const QString &scope = QStringLiteral("api refresh_token"));
    QString issueRefreshToken();
    QString issueCode(const AuthorizationCode &code);

    std::optional<Session> validate(const QString &accessToken);
    bool refreshTokenValid(const QString &refreshToken) const;
    std::optional<AuthorizationCode> takeCode(const QString &code);   // single use
    // Revokes an access or refresh token (a refresh token takes its access tokens with it, as
    // far as this org can tell: all of them). False when unknown.
    bool revoke(const QString &token);
    // Fault injection: the session ends now, as when an admin logs a user out.
    void expire(const QString &accessToken);

private:
    QString randomToken(int length);
    QString issued(QString secret);   // records it when asked to; returns it

    Credentials m_credentials;
    int m_sessionSeconds;
    mutable QMutex m_mutex;
    std::uint64_t m_state;
    QHash<QString, Session> m_access;
    QHash<QString, QDateTime> m_refresh;
    QHash<QString, AuthorizationCode> m_codes;
    std::unique_ptr<QFile> m_issuedLog;
};

} // namespace lockstep::demoorg

#include "demoorg/SessionStore.h"

#include "common/Random.h"

#include <QRandomGenerator>

namespace lockstep::demoorg {

namespace {
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
}

SessionStore::SessionStore(Credentials credentials, int sessionSeconds, std::uint64_t seed)
    : m_credentials(std::move(credentials)), m_sessionSeconds(sessionSeconds),
      // Tokens are secrets: mix the seed with real entropy so two orgs never share them.
      m_state(seed ^ QRandomGenerator::system()->generate64())
{
}

QString SessionStore::randomToken(int length)
{
    QString t;
    t.reserve(length);
    Random r(m_state);
    m_state = r.next();
    for (int i = 0; i < length; ++i)
        t += QLatin1Char(kBase62[r.below(62)]);
    return t;
}

Result<void> SessionStore::recordIssuedSecretsTo(const QString &path)
{
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Append))
        return fail(ErrorKind::Io, QStringLiteral("cannot write the issued-secrets file: %1").arg(file->errorString()), path);
    QMutexLocker lock(&m_mutex);
    m_issuedLog = std::move(file);
    return {};
}

QString SessionStore::issued(QString secret)
{
    if (m_issuedLog) {
        m_issuedLog->write(secret.toLatin1() + '\n');
        m_issuedLog->flush();
    }
    return secret;
}

QString SessionStore::issueAccessToken(const QString &scope)
{
    QMutexLocker lock(&m_mutex);
    const QString token = m_credentials.orgId.left(15) + QStringLiteral("!AR") + randomToken(96);
    m_access.insert(token, Session{m_credentials.userId, QDateTime::currentDateTimeUtc().addSecs(m_sessionSeconds), scope});
    return issued(token);
}

QString SessionStore::issueRefreshToken()
{
    QMutexLocker lock(&m_mutex);
    const QString token = QStringLiteral("5Aep") + randomToken(83);
    m_refresh.insert(token, QDateTime::currentDateTimeUtc().addDays(90));
    return issued(token);
}

QString SessionStore::issueCode(const AuthorizationCode &code)
{
    QMutexLocker lock(&m_mutex);
    const QString token = QStringLiteral("aPrx") + randomToken(60);
    m_codes.insert(token, code);
    return issued(token);
}

std::optional<Session> SessionStore::validate(const QString &accessToken)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_access.constFind(accessToken);
    if (it == m_access.cend())
        return std::nullopt;
    if (it->expires < QDateTime::currentDateTimeUtc()) {
        m_access.erase(it);
        return std::nullopt;
    }
    return *it;
}

bool SessionStore::refreshTokenValid(const QString &refreshToken) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_refresh.constFind(refreshToken);
    return it != m_refresh.cend() && *it > QDateTime::currentDateTimeUtc();
}

std::optional<AuthorizationCode> SessionStore::takeCode(const QString &code)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_codes.find(code);
    if (it == m_codes.end())
        return std::nullopt;
    AuthorizationCode c = *it;
    m_codes.erase(it);
    if (c.expires < QDateTime::currentDateTimeUtc())
        return std::nullopt;
    return c;
}

bool SessionStore::revoke(const QString &token)
{
    QMutexLocker lock(&m_mutex);
    if (m_access.remove(token))
        return true;
    if (m_refresh.remove(token)) {
        m_access.clear();
        return true;
    }
    return false;
}

void SessionStore::expire(const QString &accessToken)
{
    QMutexLocker lock(&m_mutex);
    m_access.remove(accessToken);
}

} // namespace lockstep::demoorg

#include "org/OrgLogin.h"

#include "org/SavedOrgSession.h"
#include "org/SecretStore.h"

#include <QDateTime>
#include <QFileInfo>

namespace lockstep {

Result<std::pair<QString, QString>> whoAmI(const OrgSession &session, const QString &loginUrl, const QString &clientId)
{
    OrgClient::Renewer renew;
    if (!session.refreshToken.isEmpty())
        renew = [=] { return OrgClient::refresh(loginUrl, clientId, session.refreshToken); };
    auto client = OrgClient::create(session, renew);
    if (!client)
        return std::unexpected(client.error());
    auto info = client->userinfo();
    if (!info)
        return std::unexpected(info.error().toError());
    return std::pair{info->value(QStringLiteral("preferred_username")).toString(), info->value(QStringLiteral("organization_id")).toString()};
}

Result<void> checkOrgLogin(const OrgLoginRequest &request)
{
    if (!request.alias.isEmpty() && !OrgRegistry::validAlias(request.alias))
        return fail(ErrorKind::Usage, QStringLiteral("an alias is letters, digits, '.', '-' and '_' (up to 64), got '%1'").arg(request.alias));
    if (request.method != SavedOrg::Method::SalesforceCli && request.clientId.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("the connected app's consumer key (client id) is required"));
    if (request.method == SavedOrg::Method::Jwt && request.username.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("a JWT login needs the username the assertion names"));
    if (request.method == SavedOrg::Method::Jwt && !QFileInfo(request.jwtKeyFile).isFile())
        return fail(ErrorKind::NotFound, QStringLiteral("no such key file"), request.jwtKeyFile);
    if (request.method == SavedOrg::Method::ClientCredentials && request.clientSecret.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("the client credentials flow needs the connected app's consumer secret"));
    if (request.method == SavedOrg::Method::SalesforceCli && request.sfOrg.isEmpty())
        return fail(ErrorKind::Usage, QStringLiteral("name the Salesforce CLI login (its alias or username)"));
    return {};
}

Result<OrgLoginResult> loginAndSaveOrg(const OrgLoginRequest &request, SecretStore &secrets, const QString &registryPath)
{
    if (auto ok = checkOrgLogin(request); !ok)
        return std::unexpected(ok.error());
    SavedOrg org;
    org.method = request.method;
    org.loginUrl = request.loginUrl;
    org.clientId = request.clientId;
    QList<QPair<QString, QByteArray>> keep;
    Result<OrgSession> session = std::unexpected(Error{});
    switch (request.method) {
    case SavedOrg::Method::Jwt:
        org.username = request.username;
        org.jwtKeyFile = QFileInfo(request.jwtKeyFile).absoluteFilePath();
        session = OrgClient::loginWithJwtKeyFile(request.loginUrl, request.clientId, org.username, org.jwtKeyFile);
        break;
    case SavedOrg::Method::ClientCredentials:
        session = OrgClient::loginWithClientCredentials(request.loginUrl, request.clientId, request.clientSecret);
        if (session)
            keep.append({QStringLiteral("client-secret"), request.clientSecret});
        break;
    case SavedOrg::Method::SalesforceCli: {
        org.sfOrg = request.sfOrg;
        auto sf = SavedOrgSession::fromSalesforceCli(org.sfOrg);
        if (!sf)
            return std::unexpected(sf.error());
        session = sf->session;
        org.username = sf->username;
        if (!sf->apiVersion.isEmpty())
            org.apiVersion = sf->apiVersion;
        org.loginUrl = sf->session.instanceUrl;
        break;
    }
    case SavedOrg::Method::Browser:
        return fail(ErrorKind::Usage, QStringLiteral("the browser login is interactive: start a WebLogin and save its session"));
    }
    if (!session)
        return std::unexpected(session.error());
    return saveOrgLogin(request, org, *session, keep, secrets, registryPath);
}

Result<OrgLoginResult> saveOrgLogin(const OrgLoginRequest &request, SavedOrg org, const OrgSession &session,
                                    const QList<QPair<QString, QByteArray>> &keep, SecretStore &secrets, const QString &registryPath)
{
    auto who = whoAmI(session, request.loginUrl, request.clientId);
    if (!who)
        return std::unexpected(who.error());
    org.instanceUrl = session.instanceUrl;
    org.savedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    if (org.username.isEmpty())
        org.username = who->first;
    org.alias = !request.alias.isEmpty() ? request.alias : OrgRegistry::validAlias(org.username) ? org.username : org.sfOrg;
    if (!OrgRegistry::validAlias(org.alias))
        return fail(ErrorKind::Usage, QStringLiteral("give the org an alias (its username '%1' cannot be one)").arg(org.username));
    for (const auto &[what, value] : keep)
        if (auto kept = secrets.write(org.secretKey(what), value); !kept)
            return std::unexpected(kept.error());
    auto registry = OrgRegistry::load(registryPath.isEmpty() ? OrgRegistry::defaultPath() : registryPath);
    if (!registry)
        return std::unexpected(registry.error());
    registry->put(org);
    if (auto saved = registry->save(); !saved)
        return std::unexpected(saved.error());
    OrgLoginResult result;
    result.org = org;
    result.organizationId = who->second;
    result.secretsKept = secrets.persistent() || keep.isEmpty();
    if (!result.secretsKept)
        result.warning = secrets.limitation();
    return result;
}

} // namespace lockstep

#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "org/OrgClient.h"
#include "org/OrgRegistry.h"

#include <QList>
#include <QPair>

namespace lockstep {

class SecretStore;

// How to connect an org that is then saved by alias — what `lockstep-cli org login` and the
// window's Connect Org dialog both ask for. The browser way (OAuth with PKCE) is interactive:
// its caller starts a WebLogin, shows its page and hands the session over (saveOrgLogin).
struct OrgLoginRequest {
    SavedOrg::Method method = SavedOrg::Method::Jwt;
    QString loginUrl = QStringLiteral("https://login.salesforce.com");
    QString clientId;
    QString alias;              // "" = the username
    QString username;           // Jwt: the user the assertion names
    QString jwtKeyFile;         // Jwt: the private key of the connected app's certificate
    QString sfOrg;              // SalesforceCli: its alias or username
    QByteArray clientSecret;    // ClientCredentials (never from a command line)
};

struct OrgLoginResult {
    SavedOrg org;
    QString organizationId;
    bool secretsKept = true;    // false: no keychain service; secrets lived for this session only
    QString warning;            // why they were not kept
};

// Who a session is, asked of the org (userinfo): its username and the org's id. A session that
// came with a refresh token is renewed with it if the org says it expired.
Result<std::pair<QString, QString>> whoAmI(const OrgSession &session, const QString &loginUrl = {}, const QString &clientId = {});

// Checks the request (which way, the alias, a client id) before anything is sent.
Result<void> checkOrgLogin(const OrgLoginRequest &request);

// Logs in the non-interactive ways (JWT, client credentials, a Salesforce CLI login), then saves
// the org (saveOrgLogin).
Result<OrgLoginResult> loginAndSaveOrg(const OrgLoginRequest &request, SecretStore &secrets, const QString &registryPath = {});

// A session obtained `request`'s way (the browser's, or any other): asks the org who it is,
// names the org (the alias, else the username), keeps `secrets` (name → value: a refresh token, a
// client secret) in the keychain and saves the org in the registry (OrgRegistry::defaultPath()
// when `registryPath` is empty).
Result<OrgLoginResult> saveOrgLogin(const OrgLoginRequest &request, SavedOrg org, const OrgSession &session,
                                    const QList<QPair<QString, QByteArray>> &keep, SecretStore &secrets, const QString &registryPath = {});

} // namespace lockstep

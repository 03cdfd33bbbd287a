#pragma once

#include "demoorg/OrgServices.h"
#include "demoorg/Router.h"

namespace lockstep::demoorg {

// OAuth 2.0 as Salesforce serves it: the token endpoint (password, client_credentials,
// refresh_token, authorization_code with PKCE, JWT bearer), a login page for the web flow, userinfo, the
// identity URL and revoke.
class OAuthApi {
public:
    explicit OAuthApi(OrgServices &org) : m_org(org) {}
    void registerRoutes(Router &router);

private:
    ServerResponse token(const ServerRequest &request);
    ServerResponse jwtBearer(const QByteArray &assertion);
    ServerResponse authorizePage(const ServerRequest &request, const QString &error = {});
    ServerResponse authorizeSubmit(const ServerRequest &request);
    ServerResponse userinfo(const ServerRequest &request);
    ServerResponse revoke(const ServerRequest &request);
    ServerResponse tokenResponse(bool withRefreshToken, const QString &refreshToken = {});
    QJsonObject identity() const;

    OrgServices &m_org;
};

// Form fields of an application/x-www-form-urlencoded body, or of the query string.
QHash<QString, QString> parseForm(const QByteArray &body);

} // namespace lockstep::demoorg

#pragma once

#include "common/Error.h"
#include "common/Progress.h"
#include "org/OrgClient.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <memory>

namespace lockstep {

struct WebLoginOptions {
    QString loginUrl = QStringLiteral("https://login.salesforce.com");   // or test., or a My Domain
    QString clientId;                  // the connected app's consumer key
    QByteArray clientSecret;           // only for apps that require one with PKCE
    // Where the browser comes back: the connected app's callback URL must be exactly
    // http://localhost:PORT/PATH (the Salesforce CLI's is localhost:1717/OauthRedirect).
    quint16 port = 1717;               // 0: any free port (the demo org takes any callback)
    QString callbackPath = QStringLiteral("/OauthRedirect");
    QString scope = QStringLiteral("api refresh_token");
    std::chrono::seconds timeout{300};
};

// The OAuth 2.0 authorization code flow with PKCE on a loopback redirect (salesforce-api.md §1):
// listen on 127.0.0.1, send the user's browser to the org's authorize page with a fresh
// verifier's S256 challenge and a random state, catch the redirect, exchange the code. The
// listener answers one page ("you can close this window") and nothing but its callback path.
class WebLogin {
public:
    static Result<std::unique_ptr<WebLogin>> start(const WebLoginOptions &options);
    ~WebLogin();
    WebLogin(const WebLogin &) = delete;
    WebLogin &operator=(const WebLogin &) = delete;

    // The page to open in the browser.
    QString authorizeUrl() const;
    QString redirectUri() const;
    // Waits for the browser's redirect (until the timeout or a cancel), then exchanges its code:
    // a session with a refresh token, or what went wrong in words (refused, state mismatch, …).
    Result<OrgSession> finish(const CancelToken &cancel = {});

private:
    WebLogin() = default;
    struct Redirect {
        QString code, state, error, errorDescription;
    };
    Result<Redirect> awaitRedirect(const CancelToken &cancel);

    WebLoginOptions m_options;
    int m_listener = -1;
    quint16 m_port = 0;
    QByteArray m_verifier;
    QString m_state;
};

} // namespace lockstep

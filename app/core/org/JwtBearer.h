#pragma once

#include "common/Error.h"

#include <QByteArray>
#include <QString>

namespace lockstep {

// The claims of an OAuth 2.0 JWT bearer assertion as Salesforce reads them (salesforce-api.md
// §1): the connected app's consumer key, the user, the login host, and when it stops being good.
struct JwtClaims {
    QString issuer;     // iss: the connected app's consumer key (client id)
    QString subject;    // sub: the username
    QString audience;   // aud: https://login.salesforce.com, https://test.salesforce.com or the My Domain login URL
    qint64 expires = 0; // exp: seconds since 1970 (sfdx-core sends milliseconds, which Salesforce reads as seconds: far ahead)
};

// JWT bearer assertions, signed with RS256 (RSA PKCS #1 v1.5 over SHA-256) through OpenSSL: the
// CI way to log in — a key file and a connected app's consumer key, no password, no browser.
// The demo org verifies them against the certificate the connected app was given.
class JwtBearer {
public:
    // header.claims.signature, each base64url without padding.
    static Result<QByteArray> sign(const JwtClaims &claims, const QByteArray &privateKeyPem);
    // The claims of `assertion` when its signature verifies against the certificate's public
    // key (PEM, X.509); an error naming what is wrong otherwise. Checks nothing else.
    static Result<JwtClaims> verify(const QByteArray &assertion, const QByteArray &certificatePem);
};

} // namespace lockstep

#pragma once

#include "org/DemoOrgProcess.h"
#include "org/HttpClient.h"
#include "org/OrgClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace lockstep::test {

// A demo org in a child process, started as the window starts it (core's DemoOrgProcess, with
// the CLI from $LOCKSTEP_CLI): tests read its connection line and talk to it over real HTTP only.
class DemoOrgProcess {
public:
    // Starts the server and waits for its JSON line; false (with `error()`) when it does not come.
    bool start(const QStringList &extraArguments = {});
    // SIGTERM, then waits; returns the exit code (-1 when it had to be killed or crashed).
    int stop() { return m_process.stop(); }
    bool running() const { return m_process.isRunning(); }
    QString error() const { return m_error; }
    QByteArray stderrText() { return m_process.stderrText(); }
    const DemoOrgConnection &connection() const { return m_process.connection(); }
    // Core's client of this org (what a load uses), on this org's first session.
    OrgClient client() const;
    // The environment lockstep-cli signs in to this org from: a username-password login (which
    // also renews a session the org expires), no secret on the command line.
    QProcessEnvironment cliEnvironment() const;

    QString url;            // instance_url
    QString token;          // access_token
    QString clientId, clientSecret, username, password;

private:
    lockstep::DemoOrgProcess m_process;
    QString m_error;
};

// Raw requests to one server, for tests of what it answers — status codes, error bodies,
// headers, odd paths — where core's OrgClient would retry, renew or turn the answer into an
// error. Everything else a test asks of an org goes through OrgClient. No retries, no renewal,
// no parsing: one HttpClient (one kept-alive connection), the base URL and the bearer token.
class RawHttp {
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;
    RawHttp(QString baseUrl, QString token) : m_base(std::move(baseUrl)), m_token(std::move(token)) {}

    // A transport failure comes back as status 0 with the reason as the body.
    HttpResponse send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                      const QByteArray &contentType = "application/json", const Headers &headers = {}, bool auth = true);
    HttpResponse get(const QString &path, const Headers &headers = {}) { return send("GET", path, {}, {}, headers); }
    HttpResponse postJson(const QString &path, const QJsonDocument &doc) { return send("POST", path, doc.toJson(QJsonDocument::Compact)); }
    HttpResponse patchJson(const QString &path, const QJsonDocument &doc) { return send("PATCH", path, doc.toJson(QJsonDocument::Compact)); }

    HttpClient &http() { return m_http; }
    void setToken(const QString &token) { m_token = token; }

private:
    QString m_base;
    QString m_token;
    HttpClient m_http;
};

// The records of a SOQL query through core's OrgClient (every page); empty when it fails, with
// a warning naming the failure.
QJsonArray queryRecords(OrgClient &client, const QString &soql);
// The demo org's GET /lockstep/status through core's OrgClient; empty when it fails.
QJsonObject lockstepStatus(OrgClient &client);

QJsonDocument jsonOf(const HttpResponse &response);
// The first error object of a REST error array.
QJsonObject firstError(const HttpResponse &response);
// Text between <tag> and </tag> (first occurrence), for XML answers.
QString xmlValue(const QByteArray &xml, const QString &tag);

// The test as a person's browser: a GET or a form POST to the org, redirects not followed.
HttpResponse browse(const QByteArray &method, const QString &url, const QByteArray &form = {});
// Opens the org's authorize page, fills in its login form (its hidden fields as the page has
// them) and submits it: where the org sends the browser next (its Location), or "" when it
// does not redirect.
QString logInThroughThePage(const QString &authorizeUrl, const QString &username, const QString &password);
// The page `lockstep-cli org login --browser` (running as `login`) prints on stderr for the user
// to open, read within 30 s; what it printed is kept in `stderrSoFar`.
QString authorizeUrlFrom(QProcess &login, QByteArray &stderrSoFar);

// A connected app's JWT signing pair: a 2048-bit RSA key and a self-signed certificate for it,
// as `openssl req -x509 -newkey rsa:2048 -nodes` makes them. Empty when OpenSSL fails.
struct KeyAndCertificate {
    QByteArray keyPem, certificatePem;
};
KeyAndCertificate makeKeyAndCertificate(const QString &commonName);

} // namespace lockstep::test

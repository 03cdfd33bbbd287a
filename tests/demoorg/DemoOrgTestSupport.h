#pragma once

#include "org/HttpClient.h"

#include <QJsonDocument>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <memory>

namespace lockstep::test {

// A demo org in a child process (`lockstep-cli demo-org serve --port 0 …`), as a user or the
// GUI starts it: the test reads its JSON line and talks to it over real HTTP only.
class DemoOrgProcess {
public:
    ~DemoOrgProcess();
    // Starts the server and waits for its JSON line; false (with `error()`) when it does not come.
    bool start(const QStringList &extraArguments = {});
    // SIGTERM, then waits; returns the exit code (-1 when it had to be killed or crashed).
    int stop();
    bool running() const;
    QString error() const { return m_error; }
    QByteArray stderrText();

    QString url;            // instance_url
    QString token;          // access_token
    QString clientId, clientSecret, username, password;

private:
    std::unique_ptr<QProcess> m_process;
    QString m_error;
    QByteArray m_stderr;
};

// Requests against one org with one kept-alive connection.
class OrgClient {
public:
    OrgClient(QString baseUrl, QString token) : m_base(std::move(baseUrl)), m_token(std::move(token)) {}

    HttpResponse send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                      const QByteArray &contentType = "application/json",
                      const QList<QPair<QByteArray, QByteArray>> &headers = {}, bool auth = true);
    HttpResponse get(const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers = {}) { return send("GET", path, {}, {}, headers); }
    HttpResponse postJson(const QString &path, const QJsonDocument &doc) { return send("POST", path, doc.toJson(QJsonDocument::Compact)); }
    HttpResponse patchJson(const QString &path, const QJsonDocument &doc) { return send("PATCH", path, doc.toJson(QJsonDocument::Compact)); }
    // SOQL through /query, following nextRecordsUrl; returns every record.
    QJsonArray queryAll(const QString &soql, int *pages = nullptr);

    HttpClient &http() { return m_http; }
    QString base() const { return m_base; }
    void setToken(const QString &token) { m_token = token; }

private:
    QString m_base;
    QString m_token;
    HttpClient m_http;
};

QJsonDocument jsonOf(const HttpResponse &response);
// The first error object of a REST error array.
QJsonObject firstError(const HttpResponse &response);
// Text between <tag> and </tag> (first occurrence), for XML answers.
QString xmlValue(const QByteArray &xml, const QString &tag);

} // namespace lockstep::test

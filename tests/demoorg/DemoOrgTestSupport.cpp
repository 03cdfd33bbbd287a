#include "DemoOrgTestSupport.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QUrl>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include <QDebug>

namespace lockstep::test {

bool DemoOrgProcess::start(const QStringList &extraArguments)
{
    const QString cli = qEnvironmentVariable("LOCKSTEP_CLI");
    if (cli.isEmpty()) {
        m_error = QStringLiteral("LOCKSTEP_CLI is not set (run the tests through ctest)");
        return false;
    }
    const auto connection = m_process.startAndWait(cli, extraArguments);
    if (!connection) {
        m_error = connection.error().message;
        return false;
    }
    url = connection->instanceUrl;
    token = connection->accessToken;
    clientId = connection->clientId;
    clientSecret = connection->clientSecret;
    username = connection->username;
    password = connection->password;
    return true;
}

QProcessEnvironment DemoOrgProcess::cliEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LOCKSTEP_USERNAME"), username);
    env.insert(QStringLiteral("LOCKSTEP_PASSWORD"), password);
    env.insert(QStringLiteral("LOCKSTEP_CLIENT_ID"), clientId);
    env.insert(QStringLiteral("LOCKSTEP_CLIENT_SECRET"), clientSecret);
    env.insert(QStringLiteral("LOCKSTEP_LOGIN_URL"), url);
    return env;
}

OrgClient DemoOrgProcess::client() const
{
    auto client = connection().client();
    Q_ASSERT(client.has_value());   // an http://127.0.0.1 URL always passes OrgClient's check
    return std::move(*client);
}

HttpResponse RawHttp::send(const QByteArray &method, const QString &path, const QByteArray &body, const QByteArray &contentType,
                           const Headers &headers, bool auth)
{
    HttpRequest request;
    request.method = method;
    request.url = path.startsWith(QLatin1String("http")) ? path : m_base + path;
    request.body = body;
    request.headers = headers;
    if (!contentType.isEmpty() && !body.isEmpty())
        request.header("Content-Type", contentType);
    if (auth && !m_token.isEmpty())
        request.header("Authorization", "Bearer " + m_token.toLatin1());
    auto response = m_http.send(request);
    if (!response) {
        HttpResponse failed;
        failed.status = 0;
        failed.body = response.error().error.message.toUtf8();
        return failed;
    }
    return *response;
}

QJsonArray queryRecords(OrgClient &client, const QString &soql)
{
    auto records = client.query(soql);
    if (!records) {
        qWarning("query failed: %s", qPrintable(records.error().toError().toString()));
        return {};
    }
    QJsonArray array;
    for (const QJsonObject &record : *records)
        array.append(record);
    return array;
}

QJsonObject lockstepStatus(OrgClient &client)
{
    const auto response = client.send("GET", QStringLiteral("/lockstep/status"));
    if (!response) {
        qWarning("/lockstep/status failed: %s", qPrintable(response.error().toError().toString()));
        return {};
    }
    return jsonOf(*response).object();
}

QJsonDocument jsonOf(const HttpResponse &response)
{
    return QJsonDocument::fromJson(response.body);
}

QJsonObject firstError(const HttpResponse &response)
{
    return jsonOf(response).array().at(0).toObject();
}

QString xmlValue(const QByteArray &xml, const QString &tag)
{
    const QByteArray open = '<' + tag.toUtf8() + '>';
    const auto a = xml.indexOf(open);
    if (a < 0)
        return {};
    const auto b = xml.indexOf("</" + tag.toUtf8() + '>', a);
    return QString::fromUtf8(xml.mid(a + open.size(), b - a - open.size()));
}

HttpResponse browse(const QByteArray &method, const QString &url, const QByteArray &form)
{
    HttpRequest request;
    request.method = method;
    request.url = url;
    if (!form.isEmpty()) {
        request.header("Content-Type", "application/x-www-form-urlencoded");
        request.body = form;
    }
    HttpClient http;
    auto response = http.send(request);
    return response ? *response : HttpResponse{};
}

// What a person does in the browser: open the page, fill in the form (its hidden fields as the
// page has them), submit. Returns where the org sends the browser next.
QString logInThroughThePage(const QString &authorizeUrl, const QString &username, const QString &password)
{
    const HttpResponse page = browse("GET", authorizeUrl);
    if (page.status != 200)
        return {};
    QList<QPair<QString, QString>> form;
    static const QRegularExpression hidden(QStringLiteral("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">"));
    for (auto it = hidden.globalMatch(QString::fromUtf8(page.body)); it.hasNext();) {
        const auto m = it.next();
        QString value = m.captured(2);
        value.replace(QStringLiteral("&amp;"), QStringLiteral("&")).replace(QStringLiteral("&quot;"), QStringLiteral("\""));
        form.append({m.captured(1), value});
    }
    form.append({QStringLiteral("username"), username});
    form.append({QStringLiteral("password"), password});
    const QUrl url(authorizeUrl);
    const HttpResponse submitted = browse("POST", url.scheme() + QStringLiteral("://") + url.authority() + url.path(), formEncode(form));
    return submitted.status == 302 ? QString::fromUtf8(submitted.header("Location")) : QString();
}

QString authorizeUrlFrom(QProcess &login, QByteArray &stderrSoFar)
{
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 30000 && login.state() != QProcess::NotRunning) {
        login.waitForReadyRead(200);
        stderrSoFar += login.readAllStandardError();
        for (const QByteArray &line : stderrSoFar.split('\n'))
            if (line.startsWith("http") && line.contains("/services/oauth2/authorize"))
                return QString::fromUtf8(line.trimmed());
    }
    return {};
}

KeyAndCertificate makeKeyAndCertificate(const QString &commonName)
{
    KeyAndCertificate out;
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!key || !cert)
        return out;
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24 * 365);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME *name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(commonName.toUtf8().constData()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return out;
    auto pem = [](auto write) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
        write(bio.get());
        char *data = nullptr;
        const long n = BIO_get_mem_data(bio.get(), &data);
        return QByteArray(data, int(n));
    };
    out.keyPem = pem([&](BIO *b) { PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    out.certificatePem = pem([&](BIO *b) { PEM_write_bio_X509(b, cert.get()); });
    return out;
}

} // namespace lockstep::test

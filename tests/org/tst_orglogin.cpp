// Logging in to an org the ways admins and CI do (issue 11), against the demo org over real HTTP.
// The browser flow (authorization code with PKCE on a loopback redirect): the test is the
// browser — it opens the authorize page, posts the login form, and follows the redirect to
// Lockstep's listener, which exchanges the code for a session and a refresh token.
// JWT bearer: the test makes an RSA key and a self-signed certificate (OpenSSL), gives the
// certificate to the demo org as its connected app's, and logs in with the key — through
// OrgClient, and through `lockstep-cli run` with the key file in the environment. Each refusal
// is Salesforce's own answer (bad signature, wrong consumer key, wrong audience, expired, a user
// who is not the app's) and the CLI says what went wrong.
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "org/HttpClient.h"
#include "org/JwtBearer.h"
#include "org/OrgClient.h"
#include "org/WebLogin.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <future>
#include <memory>
#include <tuple>

using namespace lockstep;
using lockstep::test::KeyAndCertificate;
using lockstep::test::makeKeyAndCertificate;

namespace {

// POST /services/oauth2/token with a ready assertion: the org's status and JSON answer.
std::pair<int, QJsonObject> postAssertion(const QString &url, const QByteArray &assertion)
{
    HttpRequest request;
    request.method = "POST";
    request.url = url + QStringLiteral("/services/oauth2/token");
    request.header("Content-Type", "application/x-www-form-urlencoded");
    request.body = formEncode({{QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:jwt-bearer")},
                               {QStringLiteral("assertion"), QString::fromLatin1(assertion)}});
    HttpClient http;
    auto response = http.send(request);
    if (!response)
        return {-1, {}};
    return {response->status, QJsonDocument::fromJson(response->body).object()};
}

} // namespace

using test::browse;
using test::logInThroughThePage;

class TestOrgLogin : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    test::DemoOrgProcess org;
    KeyAndCertificate app;      // the connected app's certificate and its key
    KeyAndCertificate other;    // a key the app does not know
    QString keyFile, file;

    JwtClaims claims(qint64 expires = 0) const
    {
        JwtClaims c;
        c.issuer = org.clientId;
        c.subject = org.username;
        c.audience = QStringLiteral("https://login.salesforce.com");
        c.expires = expires ? expires : QDateTime::currentSecsSinceEpoch() + 180;
        return c;
    }

private slots:
    void initTestCase()
    {
        app = makeKeyAndCertificate(QStringLiteral("Lockstep CI"));
        other = makeKeyAndCertificate(QStringLiteral("Someone else"));
        QVERIFY(!app.keyPem.isEmpty() && app.certificatePem.contains("BEGIN CERTIFICATE"));
        keyFile = scratch.write(QStringLiteral("server.key"), app.keyPem);
        const QString certificate = scratch.write(QStringLiteral("server.crt"), app.certificatePem);
        SampleOptions sample;
        sample.rows = 600;
        sample.parents = 60;
        sample.seed = 3;
        file = scratch.sample(QStringLiteral("opps.csv"), sample);
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--seed-from"), file, QStringLiteral("--jwt-cert"),
                            certificate}),
                 qPrintable(org.error()));
    }

    void jwtLoginOpensASession()
    {
        auto session = OrgClient::loginWithJwt(org.url, org.clientId, org.username, app.keyPem);
        QVERIFY2(session.has_value(), qPrintable(session ? QString() : session.error().message));
        QCOMPARE(session->instanceUrl, org.url);
        auto client = OrgClient::create(*session);
        QVERIFY(client.has_value());
        const auto found = client->query(QStringLiteral("SELECT Id FROM Account LIMIT 5"));
        QVERIFY2(found.has_value(), qPrintable(found ? QString() : found.error().message));
        QCOMPARE(found->size(), size_t(5));
    }

    // sfdx-core writes exp in milliseconds (Date.now() + 300): Salesforce reads it as seconds, far
    // ahead, and takes it; so does the demo org.
    void expiryInMillisecondsIsAccepted()
    {
        auto assertion = JwtBearer::sign(claims(QDateTime::currentMSecsSinceEpoch() + 300), app.keyPem);
        QVERIFY(assertion.has_value());
        const auto [status, answer] = postAssertion(org.url, *assertion);
        QCOMPARE(status, 200);
        QVERIFY(!answer.value(QStringLiteral("access_token")).toString().isEmpty());
        QVERIFY(!answer.contains(QStringLiteral("refresh_token")));   // the JWT flow issues none
    }

    void refusalsAreSalesforces_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("description");
        QTest::newRow("signed with another key") << "key" << "invalid_grant" << "invalid assertion";
        QTest::newRow("another consumer key") << "iss" << "invalid_client_id" << "client identifier invalid";
        QTest::newRow("another audience") << "aud" << "invalid_grant" << "audience is invalid";
        QTest::newRow("expired") << "exp" << "invalid_grant" << "expired authorization code";
        QTest::newRow("another user") << "sub" << "invalid_grant" << "user hasn't approved this consumer";
        QTest::newRow("not a JWT") << "junk" << "invalid_grant" << "invalid assertion";
    }
    void refusalsAreSalesforces()
    {
        QFETCH(QString, what);
        QFETCH(QString, error);
        QFETCH(QString, description);
        JwtClaims c = claims();
        QByteArray key = app.keyPem;
        if (what == QLatin1String("key"))
            key = other.keyPem;
        else if (what == QLatin1String("iss"))
            c.issuer = QStringLiteral("3MVG9notTheAppsConsumerKey");
        else if (what == QLatin1String("aud"))
            c.audience = QStringLiteral("https://login.example.com");
        else if (what == QLatin1String("exp"))
            c.expires = QDateTime::currentSecsSinceEpoch() - 60;
        else if (what == QLatin1String("sub"))
            c.subject = QStringLiteral("someone.else@example.com");
        auto assertion = what == QLatin1String("junk") ? Result<QByteArray>(QByteArray("not.a.jwt")) : JwtBearer::sign(c, key);
        QVERIFY(assertion.has_value());
        const auto [status, answer] = postAssertion(org.url, *assertion);
        QCOMPARE(status, 400);
        QCOMPARE(answer.value(QStringLiteral("error")).toString(), error);
        QCOMPARE(answer.value(QStringLiteral("error_description")).toString(), description);
    }

    // The audience a client puts in: Salesforce's two login hosts, else the login URL.
    void audienceFollowsTheLoginHost()
    {
        QCOMPARE(OrgClient::audienceFor(QStringLiteral("https://login.salesforce.com")), QStringLiteral("https://login.salesforce.com"));
        QCOMPARE(OrgClient::audienceFor(QStringLiteral("https://acme.my.salesforce.com/")), QStringLiteral("https://login.salesforce.com"));
        QCOMPARE(OrgClient::audienceFor(QStringLiteral("https://test.salesforce.com")), QStringLiteral("https://test.salesforce.com"));
        QCOMPARE(OrgClient::audienceFor(QStringLiteral("https://acme--uat.sandbox.my.salesforce.com")), QStringLiteral("https://test.salesforce.com"));
        QCOMPARE(OrgClient::audienceFor(org.url + QLatin1Char('/')), org.url);
    }

    void aKeyThatIsNotAKeyIsSaidSo()
    {
        auto session = OrgClient::loginWithJwt(org.url, org.clientId, org.username, app.certificatePem);
        QVERIFY(!session);
        QVERIFY2(session.error().message.contains(QStringLiteral("not a PEM private key")), qPrintable(session.error().message));
    }

    // The CI way end to end: `lockstep-cli run` with the key file, consumer key and user in the
    // environment; the job runs, and neither the key nor a token is written to the job store.
    void runLogsInWithTheKeyFile()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"LOCKSTEP_ACCESS_TOKEN", "LOCKSTEP_PASSWORD", "LOCKSTEP_CLIENT_SECRET"})
            env.remove(QLatin1String(name));
        env.insert(QStringLiteral("LOCKSTEP_USERNAME"), org.username);
        env.insert(QStringLiteral("LOCKSTEP_CLIENT_ID"), org.clientId);
        env.insert(QStringLiteral("LOCKSTEP_JWT_KEY_FILE"), keyFile);
        const QString store = scratch.path(QStringLiteral("jobs.sqlite"));
        const QStringList args{QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.001"),
                               QStringLiteral("--operation"), QStringLiteral("update"), QStringLiteral("-m"), QStringLiteral("lanes"),
                               QStringLiteral("--api"), QStringLiteral("rest"), QStringLiteral("--store"), store, QStringLiteral("--json"),
                               QStringLiteral("-q")};
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"), args);
        QVERIFY(p.waitForFinished(120000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        const QJsonObject report = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(report.value(QStringLiteral("succeeded")).toInteger(), qint64(600));
        // Nothing secret in the store: not the key, not an assertion, not a session.
        for (QDirIterator it(QFileInfo(store).absolutePath(), {QStringLiteral("jobs.sqlite*")}, QDir::Files); it.hasNext();) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            QVERIFY2(!bytes.contains(app.keyPem.mid(40, 40)), qPrintable(f.fileName()));
            QVERIFY2(!bytes.contains("eyJhbGciOiJSUzI1NiJ9"), qPrintable(f.fileName()));   // base64url of {"alg":"RS256"}
            QVERIFY2(!bytes.contains("00D8d0000000001!"), qPrintable(f.fileName()));
        }

        // A key file that is not there: said, with the file, before anything is recorded.
        env.insert(QStringLiteral("LOCKSTEP_JWT_KEY_FILE"), scratch.path(QStringLiteral("missing.key")));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"), args);
        QVERIFY(p.waitForFinished(60000));
        const QByteArray missing = p.readAllStandardError();
        QVERIFY2(p.exitCode() != 0 && missing.contains("missing.key") && missing.contains("JWT key"), missing.constData());

        // The wrong consumer key: the org's refusal, named.
        env.insert(QStringLiteral("LOCKSTEP_JWT_KEY_FILE"), keyFile);
        env.insert(QStringLiteral("LOCKSTEP_CLIENT_ID"), QStringLiteral("3MVG9notTheAppsConsumerKey"));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"), args);
        QVERIFY(p.waitForFinished(60000));
        const QByteArray refused = p.readAllStandardError();
        QVERIFY2(p.exitCode() != 0 && refused.contains("invalid_client_id"), refused.constData());
    }

    void browserLoginWithPkce()
    {
        WebLoginOptions options;
        options.loginUrl = org.url;
        options.clientId = org.clientId;
        options.port = 0;   // the demo org takes any callback; a real connected app names its port
        auto login = WebLogin::start(options);
        QVERIFY2(login.has_value(), qPrintable(login ? QString() : login.error().message));
        const QString authorize = (*login)->authorizeUrl();
        QVERIFY(authorize.contains(QStringLiteral("code_challenge_method=S256")));
        QVERIFY(authorize.contains(QStringLiteral("scope=api%20refresh_token")));
        auto finished = std::async(std::launch::async, [&] { return (*login)->finish(); });

        const QString redirect = logInThroughThePage(authorize, org.username, org.password);
        QVERIFY2(redirect.startsWith((*login)->redirectUri() + QLatin1Char('?')), qPrintable(redirect));
        const HttpResponse landed = browse("GET", redirect);   // the browser follows the redirect
        QCOMPARE(landed.status, 200);
        QVERIFY(landed.body.contains("You can close this window"));

        QCOMPARE(finished.wait_for(std::chrono::seconds(30)), std::future_status::ready);
        auto session = finished.get();
        QVERIFY2(session.has_value(), qPrintable(session ? QString() : session.error().message));
        QVERIFY(!session->refreshToken.isEmpty());
        auto client = OrgClient::create(*session);
        QVERIFY(client.has_value());
        QVERIFY(client->query(QStringLiteral("SELECT Id FROM Account LIMIT 1")).has_value());
    }

    // An answer that is not this login's (another state), and a refusal in the browser: said,
    // and the browser gets a page that says so too.
    void browserAnswersThatAreNotTheLogins()
    {
        WebLoginOptions options;
        options.loginUrl = org.url;
        options.clientId = org.clientId;
        options.port = 0;
        for (const QString &query : {QStringLiteral("code=abc&state=not-ours"), QStringLiteral("error=access_denied&error_description=end-user+denied+authorization")}) {
            auto login = WebLogin::start(options);
            QVERIFY(login.has_value());
            auto finished = std::async(std::launch::async, [&] { return (*login)->finish(); });
            const HttpResponse stray = browse("GET", QStringLiteral("http://127.0.0.1:%1/favicon.ico").arg(QUrl((*login)->redirectUri()).port()));
            QCOMPARE(stray.status, 404);   // not the callback: ignored, still waiting
            const HttpResponse landed = browse("GET", (*login)->redirectUri() + QLatin1Char('?') + query);
            QCOMPARE(landed.status, 400);
            QCOMPARE(finished.wait_for(std::chrono::seconds(30)), std::future_status::ready);
            auto session = finished.get();
            QVERIFY(!session);
            QVERIFY2(session.error().message.contains(query.startsWith(QLatin1String("error")) ? QStringLiteral("end-user denied authorization")
                                                                                                : QStringLiteral("does not belong to this login")),
                     qPrintable(session.error().message));
        }
        // Nobody comes back: a deadline, and the page to open in the message.
        options.timeout = std::chrono::seconds(1);
        auto login = WebLogin::start(options);
        QVERIFY(login.has_value());
        auto session = (*login)->finish();
        QVERIFY(!session);
        QCOMPARE(session.error().kind, ErrorKind::Network);
        QVERIFY(session.error().message.contains(QStringLiteral("/services/oauth2/authorize")));
    }

    void clientCredentialsLogin()
    {
        auto session = OrgClient::loginWithClientCredentials(org.url, org.clientId, org.clientSecret.toUtf8());
        QVERIFY2(session.has_value(), qPrintable(session ? QString() : session.error().message));
        auto client = OrgClient::create(*session);
        QVERIFY(client.has_value());
        QVERIFY(client->query(QStringLiteral("SELECT Id FROM Account LIMIT 1")).has_value());
        auto refused = OrgClient::loginWithClientCredentials(org.url, org.clientId, "wrong-secret");
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QStringLiteral("invalid_client")), qPrintable(refused.error().message));

        // lockstep-cli with only the consumer key and secret in the environment: client credentials.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"LOCKSTEP_ACCESS_TOKEN", "LOCKSTEP_PASSWORD", "LOCKSTEP_USERNAME", "LOCKSTEP_JWT_KEY_FILE"})
            env.remove(QLatin1String(name));
        env.insert(QStringLiteral("LOCKSTEP_CLIENT_ID"), org.clientId);
        env.insert(QStringLiteral("LOCKSTEP_CLIENT_SECRET"), org.clientSecret);
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"),
                {QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.001"),
                 QStringLiteral("--operation"), QStringLiteral("update"), QStringLiteral("-m"), QStringLiteral("lanes"), QStringLiteral("--api"),
                 QStringLiteral("rest"), QStringLiteral("--store"), scratch.path(QStringLiteral("cc.sqlite")), QStringLiteral("--json"),
                 QStringLiteral("-q")});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QStringLiteral("succeeded")).toInteger(), qint64(600));
    }

    // `org login` saves an org by alias (no secret in its file), `--org ALIAS` opens its session
    // the way it was saved, `org display` connects, `org logout` forgets it. Here with no keychain
    // service (no D-Bus session): a JWT org needs none; a client-credentials org is told that its
    // secret is kept for that command only, and the next command says what to do.
    void orgCommandSavesByAlias()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"LOCKSTEP_ACCESS_TOKEN", "LOCKSTEP_PASSWORD", "LOCKSTEP_USERNAME", "LOCKSTEP_JWT_KEY_FILE", "LOCKSTEP_CLIENT_ID",
                                 "LOCKSTEP_CLIENT_SECRET", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"})
            env.remove(QLatin1String(name));
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=") + scratch.path(QStringLiteral("no-bus")));
        const QString config = scratch.path(QStringLiteral("config"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), config);
        auto cli = [&](const QStringList &args, const QProcessEnvironment &e) {
            QProcess p;
            p.setProcessEnvironment(e);
            p.start(qEnvironmentVariable("LOCKSTEP_CLI"), args);
            p.waitForFinished(120000);
            return std::tuple{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
        };
        auto [code, out, err] = cli({QStringLiteral("org"), QStringLiteral("login"), QStringLiteral("--jwt"), keyFile, QStringLiteral("--client-id"),
                                     org.clientId, QStringLiteral("--username"), org.username, QStringLiteral("--instance"), org.url,
                                     QStringLiteral("--alias"), QStringLiteral("ci"), QStringLiteral("--json")},
                                    env);
        QVERIFY2(code == 0, err.constData());
        QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("method")).toString(), QStringLiteral("jwt"));

        std::tie(code, out, err) = cli({QStringLiteral("org"), QStringLiteral("list"), QStringLiteral("--json")}, env);
        QCOMPARE(code, 0);
        QVERIFY(out.contains("\"alias\": \"ci\""));

        const QString store = scratch.path(QStringLiteral("alias.sqlite"));
        std::tie(code, out, err) = cli({QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("ci"), QStringLiteral("--scale"), QStringLiteral("0.001"),
                                        QStringLiteral("--operation"), QStringLiteral("update"), QStringLiteral("-m"), QStringLiteral("lanes"),
                                        QStringLiteral("--api"), QStringLiteral("rest"), QStringLiteral("--store"), store, QStringLiteral("--json"),
                                        QStringLiteral("-q")},
                                       env);
        QVERIFY2(code == 0, err.constData());
        QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("succeeded")).toInteger(), qint64(600));

        // The job remembers the org by its alias: `show` names it, `resume` reconnects through it.
        std::tie(code, out, err) = cli({QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--store"), store, QStringLiteral("--json")}, env);
        QVERIFY2(code == 0, err.constData());
        QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("org")).toString(), QStringLiteral("ci"));
        std::tie(code, out, err) = cli({QStringLiteral("resume"), QStringLiteral("1"), QStringLiteral("--store"), store, QStringLiteral("--json"),
                                        QStringLiteral("-q")},
                                       env);
        QVERIFY2(code == 0, err.constData());
        QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("succeeded")).toInteger(), qint64(600));

        std::tie(code, out, err) = cli({QStringLiteral("org"), QStringLiteral("display"), QStringLiteral("ci"), QStringLiteral("--json")}, env);
        QVERIFY2(code == 0, err.constData());
        QCOMPARE(QJsonDocument::fromJson(out).object().value(QStringLiteral("status")).toString(), QStringLiteral("connected"));

        // Client credentials with no keychain: said at login; the next command cannot log in, and says why.
        QProcessEnvironment withSecret = env;
        withSecret.insert(QStringLiteral("LOCKSTEP_CLIENT_SECRET"), org.clientSecret);
        std::tie(code, out, err) = cli({QStringLiteral("org"), QStringLiteral("login"), QStringLiteral("--client-credentials"), QStringLiteral("--client-id"),
                                        org.clientId, QStringLiteral("--instance"), org.url, QStringLiteral("--alias"), QStringLiteral("cc")},
                                       withSecret);
        QVERIFY2(code == 0, err.constData());
        QVERIFY2(err.contains("no keychain service"), err.constData());
        std::tie(code, out, err) = cli({QStringLiteral("org"), QStringLiteral("display"), QStringLiteral("cc")}, env);
        QVERIFY(code != 0);
        QVERIFY2(err.contains("no saved client secret") && err.contains("no keychain"), err.constData());

        // The browser way, with the test as the browser: the page is printed on stderr.
        QProcess web;
        web.setProcessEnvironment(env);
        web.start(qEnvironmentVariable("LOCKSTEP_CLI"), {QStringLiteral("org"), QStringLiteral("login"), QStringLiteral("--browser"), QStringLiteral("--port"),
                                                         QStringLiteral("0"), QStringLiteral("--client-id"), org.clientId, QStringLiteral("--instance"),
                                                         org.url, QStringLiteral("--alias"), QStringLiteral("web"), QStringLiteral("--json")});
        QByteArray webErr;
        const QString authorize = test::authorizeUrlFrom(web, webErr);
        QVERIFY2(!authorize.isEmpty(), webErr.constData());
        const QString redirect = logInThroughThePage(authorize, org.username, org.password);
        QVERIFY2(!redirect.isEmpty(), qPrintable(authorize));
        QCOMPARE(browse("GET", redirect).status, 200);
        QVERIFY(web.waitForFinished(60000));
        webErr += web.readAllStandardError();
        QVERIFY2(web.exitCode() == 0, webErr.constData());
        QCOMPARE(QJsonDocument::fromJson(web.readAllStandardOutput()).object().value(QStringLiteral("username")).toString(), org.username);

        // Nothing secret in the saved orgs.
        QFile saved(config + QStringLiteral("/lockstep/orgs.json"));
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray orgs = saved.readAll();
        QVERIFY(!orgs.contains(org.clientSecret.toUtf8()));
        QVERIFY(!orgs.contains("BEGIN PRIVATE KEY"));
        QVERIFY(!orgs.contains("00D8d0000000001!"));

        std::tie(code, out, err) = cli({QStringLiteral("org"), QStringLiteral("logout"), QStringLiteral("ci")}, env);
        QVERIFY2(code == 0, err.constData());
        std::tie(code, out, err) = cli({QStringLiteral("org"), QStringLiteral("list"), QStringLiteral("--json")}, env);
        QVERIFY(!out.contains("\"alias\": \"ci\""));
        std::tie(code, out, err) = cli({QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("ci"), QStringLiteral("--store"), store}, env);
        QCOMPARE(code, 64);
        QVERIFY2(err.contains("no saved org 'ci'"), err.constData());
    }

    // Every refused login says what to do: a wrong consumer key, a wrong password, a host that
    // does not answer, and a refresh token that was revoked (logout elsewhere) or has expired.
    void loginFailuresSayWhatToDo()
    {
        auto wrongApp = OrgClient::loginWithPassword(org.url, QStringLiteral("3MVG9notTheApp"), org.clientSecret.toUtf8(), org.username,
                                                     org.password.toUtf8());
        QVERIFY(!wrongApp);
        QVERIFY2(wrongApp.error().message.contains(QStringLiteral("check the connected app's consumer key")), qPrintable(wrongApp.error().message));
        auto wrongPassword = OrgClient::loginWithPassword(org.url, org.clientId, org.clientSecret.toUtf8(), org.username, "not-it");
        QVERIFY(!wrongPassword);
        QVERIFY2(wrongPassword.error().message.contains(QStringLiteral("check the username and the password")), qPrintable(wrongPassword.error().message));
        auto nobody = OrgClient::loginWithPassword(QStringLiteral("http://127.0.0.1:1"), org.clientId, org.clientSecret.toUtf8(), org.username,
                                                   org.password.toUtf8());
        QVERIFY(!nobody);
        QVERIFY2(nobody.error().message.contains(QStringLiteral("cannot be reached")), qPrintable(nobody.error().message));

        // A browser login's refresh token, revoked: renewing says to log in again.
        WebLoginOptions options;
        options.loginUrl = org.url;
        options.clientId = org.clientId;
        options.port = 0;
        auto login = WebLogin::start(options);
        QVERIFY(login.has_value());
        auto finished = std::async(std::launch::async, [&] { return (*login)->finish(); });
        const QString redirect = logInThroughThePage((*login)->authorizeUrl(), org.username, org.password);
        QCOMPARE(browse("GET", redirect).status, 200);
        auto session = finished.get();
        QVERIFY(session.has_value());
        QVERIFY(OrgClient::refresh(org.url, org.clientId, session->refreshToken).has_value());   // good until revoked
        QVERIFY(OrgClient::revoke(org.url, session->refreshToken).has_value());
        auto renewed = OrgClient::refresh(org.url, org.clientId, session->refreshToken);
        QVERIFY(!renewed);
        QVERIFY2(renewed.error().message.contains(QStringLiteral("log in again")), qPrintable(renewed.error().message));
    }

    void cleanupTestCase() { org.stop(); }
};

QTEST_GUILESS_MAIN(TestOrgLogin)
#include "tst_orglogin.moc"

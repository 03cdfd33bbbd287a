// Every secret of every login flow, looked for everywhere Lockstep writes (issue 11): full runs
// through lockstep-cli — a username-password login, a bare access token, a JWT key file saved by
// `org login --jwt`, client credentials, and a browser login with PKCE — each with result files
// in every format, `export`, `jobs` and `show`, in a home of their own with no keychain service.
// The demo orgs write down every token and code they issue (`--issued-secrets`), renewals
// included (one org expires sessions under the runs); none of them, nor the password, the
// client secret or the private key, may appear in what the CLI printed, its job store, its
// settings and saved orgs, or any file it exported.
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <algorithm>

using namespace lockstep;

namespace {

struct CliRun {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

} // namespace

class TestSecretSweep : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    test::DemoOrgProcess org;      // expires one session in twenty: clients renew under the runs
    test::DemoOrgProcess steady;   // for the bare access token, which cannot be renewed
    test::KeyAndCertificate app;
    QString file, keyFile, issuedFile, home;
    QProcessEnvironment env;       // no org secrets: each flow adds its own
    QByteArray printed;            // everything every command printed
    QList<qint64> jobs;

    CliRun cli(const QStringList &arguments, const QProcessEnvironment &withSecrets)
    {
        QProcess p;
        p.setProcessEnvironment(withSecrets);
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"), arguments);
        CliRun r;
        if (!p.waitForFinished(240000)) {
            p.kill();
            p.waitForFinished();
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        printed += r.out + r.err;
        return r;
    }

    // A full run of the sample (update, lanes, sObject Collections in 20-row calls so sessions
    // expire under it), its result files, every export format, `jobs` and `show`.
    void fullRun(const QString &flow, const QString &orgArgument, const QProcessEnvironment &withSecrets)
    {
        const QString results = scratch.path(QStringLiteral("results/") + flow);
        const CliRun run = cli({QStringLiteral("run"), file, QStringLiteral("--org"), orgArgument, QStringLiteral("--operation"), QStringLiteral("update"),
                                QStringLiteral("-m"), QStringLiteral("lanes"), QStringLiteral("--api"), QStringLiteral("rest"), QStringLiteral("--batch-size"),
                                QStringLiteral("20"), QStringLiteral("--scale"), QStringLiteral("0.001"), QStringLiteral("--results"), results,
                                QStringLiteral("--json")},
                               withSecrets);
        QVERIFY2(run.exitCode == 0, run.err.right(800).constData());
        QCOMPARE(run.json().value(QStringLiteral("succeeded")).toInteger(), qint64(600));
        const qint64 job = run.json().value(QStringLiteral("job")).toInteger();
        QVERIFY(job > 0);
        jobs << job;
        for (const QString &format : {QStringLiteral("dataloader"), QStringLiteral("dataloader-bulkv2"), QStringLiteral("bulkv2"), QStringLiteral("full")}) {
            const CliRun e = cli({QStringLiteral("export"), QString::number(job), QStringLiteral("--format"), format, QStringLiteral("--results"),
                                  results + QStringLiteral("/") + format},
                                 withSecrets);
            QVERIFY2(e.exitCode == 0, e.err.constData());
        }
        QCOMPARE(cli({QStringLiteral("show"), QString::number(job), QStringLiteral("--json")}, withSecrets).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("show"), QString::number(job)}, withSecrets).exitCode, 0);
    }

private slots:
    void initTestCase()
    {
        app = test::makeKeyAndCertificate(QStringLiteral("Lockstep sweep"));
        QVERIFY(!app.keyPem.isEmpty());
        keyFile = scratch.write(QStringLiteral("server.key"), app.keyPem);
        const QString certificate = scratch.write(QStringLiteral("server.crt"), app.certificatePem);
        SampleOptions sample;
        sample.rows = 600;
        sample.parents = 60;
        sample.seed = 5;
        file = scratch.sample(QStringLiteral("opps.csv"), sample);
        issuedFile = scratch.path(QStringLiteral("issued-secrets.txt"));
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--seed-from"), file, QStringLiteral("--jwt-cert"), certificate,
                            QStringLiteral("--faults"), QStringLiteral("expire=0.05"), QStringLiteral("--issued-secrets"), issuedFile}),
                 qPrintable(org.error()));
        QVERIFY2(steady.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--seed-from"), file, QStringLiteral("--issued-secrets"),
                               issuedFile}),
                 qPrintable(steady.error()));

        // A home of its own: settings, saved orgs and the job store land under it, where the sweep
        // reads them. No keychain service, so secrets that would go there stay in memory.
        home = scratch.path(QStringLiteral("home"));
        env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"LOCKSTEP_ACCESS_TOKEN", "LOCKSTEP_PASSWORD", "LOCKSTEP_USERNAME", "LOCKSTEP_JWT_KEY_FILE", "LOCKSTEP_CLIENT_ID",
                                 "LOCKSTEP_CLIENT_SECRET", "LOCKSTEP_LOGIN_URL", "DISPLAY", "WAYLAND_DISPLAY"})
            env.remove(QLatin1String(name));
        env.insert(QStringLiteral("HOME"), home);
        for (const char *xdg : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"}) {
            const QString dir = home + QLatin1Char('/') + QString::fromLatin1(xdg).toLower();
            QVERIFY(QDir().mkpath(dir));
            env.insert(QLatin1String(xdg), dir);
        }
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=") + scratch.path(QStringLiteral("no-bus")));
    }

    void usernameAndPassword()
    {
        QProcessEnvironment e = env;
        e.insert(QStringLiteral("LOCKSTEP_USERNAME"), org.username);
        e.insert(QStringLiteral("LOCKSTEP_PASSWORD"), org.password);
        e.insert(QStringLiteral("LOCKSTEP_CLIENT_ID"), org.clientId);
        e.insert(QStringLiteral("LOCKSTEP_CLIENT_SECRET"), org.clientSecret);
        e.insert(QStringLiteral("LOCKSTEP_LOGIN_URL"), org.url);
        fullRun(QStringLiteral("password"), org.url, e);
    }

    void accessToken()
    {
        QProcessEnvironment e = env;
        e.insert(QStringLiteral("LOCKSTEP_ACCESS_TOKEN"), steady.token);
        fullRun(QStringLiteral("token"), steady.url, e);
    }

    void jwtKeySavedByAlias()
    {
        const CliRun login = cli({QStringLiteral("org"), QStringLiteral("login"), QStringLiteral("--jwt"), keyFile, QStringLiteral("--client-id"), org.clientId,
                                  QStringLiteral("--username"), org.username, QStringLiteral("--instance"), org.url, QStringLiteral("--alias"),
                                  QStringLiteral("ci")},
                                 env);
        QVERIFY2(login.exitCode == 0, login.err.constData());
        fullRun(QStringLiteral("jwt"), QStringLiteral("ci"), env);
        QCOMPARE(cli({QStringLiteral("org"), QStringLiteral("display"), QStringLiteral("ci"), QStringLiteral("--json")}, env).exitCode, 0);
    }

    void clientCredentials()
    {
        QProcessEnvironment e = env;
        e.insert(QStringLiteral("LOCKSTEP_CLIENT_ID"), org.clientId);
        e.insert(QStringLiteral("LOCKSTEP_CLIENT_SECRET"), org.clientSecret);
        fullRun(QStringLiteral("client-credentials"), org.url, e);
        // Saved by alias with no keychain: the secret is used for the login and not kept.
        const CliRun login = cli({QStringLiteral("org"), QStringLiteral("login"), QStringLiteral("--client-credentials"), QStringLiteral("--client-id"),
                                  org.clientId, QStringLiteral("--instance"), org.url, QStringLiteral("--alias"), QStringLiteral("cc")},
                                 e);
        QVERIFY2(login.exitCode == 0, login.err.constData());
        QVERIFY2(login.err.contains("no keychain service"), login.err.constData());
    }

    // The test is the browser: it reads the page the CLI prints, logs in, and follows the
    // redirect with the code to the CLI's listener. The code and the tokens it buys are issued
    // secrets like any other.
    void browserLogin()
    {
        QProcess web;
        web.setProcessEnvironment(env);
        web.start(qEnvironmentVariable("LOCKSTEP_CLI"), {QStringLiteral("org"), QStringLiteral("login"), QStringLiteral("--browser"), QStringLiteral("--port"),
                                                         QStringLiteral("0"), QStringLiteral("--client-id"), org.clientId, QStringLiteral("--instance"), org.url,
                                                         QStringLiteral("--alias"), QStringLiteral("web"), QStringLiteral("--json")});
        QByteArray webErr;
        const QString authorize = test::authorizeUrlFrom(web, webErr);
        QVERIFY2(!authorize.isEmpty(), webErr.constData());
        const QString redirect = test::logInThroughThePage(authorize, org.username, org.password);
        QVERIFY2(redirect.contains(QLatin1String("code=")), qPrintable(redirect));
        QCOMPARE(test::browse("GET", redirect).status, 200);
        QVERIFY(web.waitForFinished(60000));
        webErr += web.readAllStandardError();
        printed += web.readAllStandardOutput() + webErr;
        QVERIFY2(web.exitCode() == 0, webErr.constData());
        QCOMPARE(cli({QStringLiteral("org"), QStringLiteral("list"), QStringLiteral("--json")}, env).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("jobs"), QStringLiteral("--json")}, env).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("jobs")}, env).exitCode, 0);
    }

    // Runs last (Qt Test keeps declaration order).
    void noSecretIsWrittenAnywhere()
    {
        QFile issuedList(issuedFile);
        QVERIFY(issuedList.open(QIODevice::ReadOnly));
        QList<QByteArray> secrets = issuedList.readAll().split('\n');
        secrets.removeAll(QByteArray());
        // Two printed tokens, a login for each flow, the browser's code and refresh token, and
        // the sessions renewed when the org expired one.
        const auto refreshTokens = std::count_if(secrets.cbegin(), secrets.cend(), [](const QByteArray &s) { return s.startsWith("5Aep"); });
        const auto codes = std::count_if(secrets.cbegin(), secrets.cend(), [](const QByteArray &s) { return s.startsWith("aPrx"); });
        qInfo("issued: %lld secrets (%lld refresh tokens, %lld codes)", qint64(secrets.size()), qint64(refreshTokens), qint64(codes));
        QVERIFY2(secrets.size() >= 12, "fewer sessions issued than the flows need: the runs did not renew");
        QVERIFY(refreshTokens >= 1 && codes >= 1);
        // An access token is also looked for without its org-id prefix (00D…!).
        const qsizetype issuedCount = secrets.size();
        for (qsizetype i = 0; i < issuedCount; ++i)
            if (const auto bang = secrets[i].indexOf('!'); bang > 0)
                secrets << secrets[i].mid(bang + 1);
        for (const test::DemoOrgProcess *o : {&org, &steady})
            secrets << o->password.toUtf8() << o->clientSecret.toUtf8();
        // The private key by its body: each full base64 line of the PEM.
        for (const QByteArray &line : app.keyPem.split('\n'))
            if (line.size() == 64)
                secrets << line;

        QByteArray everything = printed;
        QStringList read;
        for (const QString &root : {home, scratch.path(QStringLiteral("results"))}) {
            QDirIterator files(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (files.hasNext()) {
                QFile f(files.next());
                if (f.open(QIODevice::ReadOnly)) {
                    everything += f.readAll();
                    read << f.fileName().mid(scratch.path(QString()).size());
                }
            }
        }
        qInfo("swept %lld bytes: %lld printed, %lld files (%s)", qint64(everything.size()), qint64(printed.size()), qint64(read.size()),
              qPrintable(read.filter(QRegularExpression(QStringLiteral("sqlite|json|conf"))).join(QStringLiteral(", "))));
        QVERIFY2(read.filter(QRegularExpression(QStringLiteral("\\.sqlite$"))).size() == 1, "the job store was not found under the home");
        QVERIFY2(read.filter(QStringLiteral("orgs.json")).size() == 1, "the saved orgs were not found under the home");
        QVERIFY2(read.filter(QStringLiteral(".csv")).size() >= 4 * 5, "the result files were not found");
        for (const QByteArray &secret : secrets)
            QVERIFY2(!everything.contains(secret), qPrintable(QStringLiteral("a secret (%1…) was written").arg(QString::fromLatin1(secret.left(6)))));
    }

    void cleanupTestCase()
    {
        QCOMPARE(org.stop(), 0);
        QCOMPARE(steady.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSecretSweep)
#include "tst_secretsweep.moc"

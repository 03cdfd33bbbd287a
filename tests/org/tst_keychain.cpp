// Secrets in the system keychain, for real (issue 11): the test starts a private D-Bus session
// with Debian's gnome-keyring (its login keyring unlocked with a password it chooses), saves a
// client-credentials org with `lockstep-cli org login`, and checks that
// - a later command, without the secret in its environment, logs in with the one the keychain kept;
// - the secret is in the keychain (secret-tool, where installed) and nowhere else: not in the
//   saved orgs, the job store of a run, what the commands printed, or any other file under the
//   test's HOME (the keyring file is encrypted);
// - `org logout` takes it out of the keychain;
// - a browser login's refresh token, kept there, renews the sessions an org expires under a run.
// Without dbus-daemon or gnome-keyring-daemon (scripts/setup installs both): skipped (exit 77).
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <csignal>
#include <cstdio>
#include <tuple>

using namespace lockstep;

namespace {

constexpr int kSkipped = 77;

struct Cli {
    int code = -1;
    QByteArray out, err;
};

} // namespace

class TestKeychain : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    test::DemoOrgProcess org;
    QProcessEnvironment env;   // the private session: HOME, XDG dirs, D-Bus
    qint64 busPid = 0;
    QString file;
    QByteArray printed;        // everything the commands wrote

    Cli cli(const QStringList &arguments, const QProcessEnvironment &e)
    {
        QProcess p;
        p.setProcessEnvironment(e);
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"), arguments);
        p.waitForFinished(120000);
        Cli r{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
        printed += r.out + r.err;
        return r;
    }
    Cli cli(const QStringList &arguments) { return cli(arguments, env); }

    QByteArray secretTool(const QStringList &arguments)
    {
        const QString tool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
        if (tool.isEmpty())
            return {};
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(tool, arguments);
        p.waitForFinished(30000);
        return p.readAllStandardOutput() + p.readAllStandardError();
    }

private slots:
    void initTestCase()
    {
        env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"LOCKSTEP_ACCESS_TOKEN", "LOCKSTEP_PASSWORD", "LOCKSTEP_USERNAME", "LOCKSTEP_JWT_KEY_FILE", "LOCKSTEP_CLIENT_ID",
                                 "LOCKSTEP_CLIENT_SECRET", "DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL"})
            env.remove(QLatin1String(name));
        for (const char *dir : {"home", "config", "data", "run"})
            QVERIFY(QDir().mkpath(scratch.path(QLatin1String(dir))));
        QFile::setPermissions(scratch.path(QStringLiteral("run")), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        env.insert(QStringLiteral("HOME"), scratch.path(QStringLiteral("home")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), scratch.path(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), scratch.path(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), scratch.path(QStringLiteral("run")));

        // A session bus of our own, then gnome-keyring on it with a login keyring unlocked.
        QProcess bus;
        bus.setProcessEnvironment(env);
        bus.start(QStringLiteral("dbus-daemon"), {QStringLiteral("--session"), QStringLiteral("--fork"), QStringLiteral("--print-address=1"),
                                                   QStringLiteral("--print-pid=1")});
        QVERIFY(bus.waitForFinished(30000));
        const QList<QByteArray> lines = bus.readAllStandardOutput().trimmed().split('\n');
        QVERIFY2(lines.size() == 2, "dbus-daemon printed no address");
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QString::fromUtf8(lines[0].trimmed()));
        busPid = lines[1].trimmed().toLongLong();
        QProcess keyring;
        keyring.setProcessEnvironment(env);
        keyring.start(QStringLiteral("gnome-keyring-daemon"), {QStringLiteral("--daemonize"), QStringLiteral("--login"), QStringLiteral("--components=secrets")});
        QVERIFY(keyring.waitForStarted(10000));
        keyring.write("lockstep-test-keyring-password");
        keyring.closeWriteChannel();
        QVERIFY(keyring.waitForFinished(30000));
        QCOMPARE(keyring.exitCode(), 0);

        SampleOptions sample;
        sample.rows = 400;
        sample.parents = 40;
        sample.seed = 5;
        file = scratch.sample(QStringLiteral("opps.csv"), sample);
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--seed-from"), file}), qPrintable(org.error()));
    }

    void secretLivesInTheKeychainAndNowhereElse()
    {
        QProcessEnvironment withSecret = env;
        withSecret.insert(QStringLiteral("LOCKSTEP_CLIENT_SECRET"), org.clientSecret);
        const Cli login = cli({QStringLiteral("org"), QStringLiteral("login"), QStringLiteral("--client-credentials"), QStringLiteral("--client-id"),
                               org.clientId, QStringLiteral("--instance"), org.url, QStringLiteral("--alias"), QStringLiteral("etl"),
                               QStringLiteral("--json")},
                              withSecret);
        QVERIFY2(login.code == 0, login.err.constData());
        QVERIFY2(!login.err.contains("no keychain"), login.err.constData());
        QVERIFY(QJsonDocument::fromJson(login.out).object().value(QStringLiteral("secretsKept")).toBool());

        // Another process, no secret in its environment: the keychain's opens the session.
        const Cli display = cli({QStringLiteral("org"), QStringLiteral("display"), QStringLiteral("etl"), QStringLiteral("--json")});
        QVERIFY2(display.code == 0, display.err.constData());
        QCOMPARE(QJsonDocument::fromJson(display.out).object().value(QStringLiteral("status")).toString(), QStringLiteral("connected"));
        const QString store = scratch.path(QStringLiteral("home/jobs.sqlite"));
        const Cli run = cli({QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("etl"), QStringLiteral("--scale"), QStringLiteral("0.001"),
                             QStringLiteral("--operation"), QStringLiteral("update"), QStringLiteral("-m"), QStringLiteral("lanes"), QStringLiteral("--api"),
                             QStringLiteral("rest"), QStringLiteral("--store"), store, QStringLiteral("--json")});
        QVERIFY2(run.code == 0, run.err.constData());

        // In the keychain (where secret-tool can look) ...
        const QByteArray found = secretTool({QStringLiteral("search"), QStringLiteral("--all"), QStringLiteral("server"), QStringLiteral("Lockstep")});
        if (!found.isEmpty())
            QVERIFY2(found.contains("lockstep/etl/client-secret"), found.constData());
        // ... and nowhere else: not printed, not in any file under the session's HOME and XDG dirs.
        const QByteArray secret = org.clientSecret.toUtf8();
        QVERIFY(!printed.contains(secret));
        for (const char *dir : {"home", "config", "data"})
            for (QDirIterator it(scratch.path(QLatin1String(dir)), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories); it.hasNext();) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                const QByteArray bytes = f.readAll();
                QVERIFY2(!bytes.contains(secret) && !bytes.contains(secret.toBase64()), qPrintable(f.fileName()));
            }

        const Cli logout = cli({QStringLiteral("org"), QStringLiteral("logout"), QStringLiteral("etl")});
        QVERIFY2(logout.code == 0, logout.err.constData());
        if (!found.isEmpty())
            QVERIFY(!secretTool({QStringLiteral("search"), QStringLiteral("--all"), QStringLiteral("server"), QStringLiteral("Lockstep")})
                         .contains("lockstep/etl/client-secret"));
    }

    // The browser way (the test is the browser), against an org that expires sessions under
    // load: the refresh token the keychain kept renews them, and every row is written.
    void browserLoginRenewsExpiredSessions()
    {
        test::DemoOrgProcess expiring;
        QVERIFY2(expiring.start({QStringLiteral("--scale"), QStringLiteral("0"), QStringLiteral("--seed-from"), file, QStringLiteral("--faults"),
                                 QStringLiteral("expire=0.1"), QStringLiteral("--seed"), QStringLiteral("9")}),
                 qPrintable(expiring.error()));
        QProcess web;
        web.setProcessEnvironment(env);
        web.start(qEnvironmentVariable("LOCKSTEP_CLI"), {QStringLiteral("org"), QStringLiteral("login"), QStringLiteral("--browser"), QStringLiteral("--port"),
                                                         QStringLiteral("0"), QStringLiteral("--no-open"), QStringLiteral("--client-id"), expiring.clientId,
                                                         QStringLiteral("--instance"), expiring.url, QStringLiteral("--alias"), QStringLiteral("web")});
        QByteArray webErr;
        const QString authorize = test::authorizeUrlFrom(web, webErr);
        QVERIFY2(!authorize.isEmpty(), webErr.constData());
        const QString redirect = test::logInThroughThePage(authorize, expiring.username, expiring.password);
        QVERIFY2(!redirect.isEmpty(), qPrintable(authorize));
        QCOMPARE(test::browse("GET", redirect).status, 200);
        QVERIFY(web.waitForFinished(60000));
        webErr += web.readAllStandardError();
        QVERIFY2(web.exitCode() == 0, webErr.constData());
        QVERIFY2(!webErr.contains("no keychain"), webErr.constData());

        // 400 rows in 10-row calls: ~40 calls, one in ten finding its session expired (the client
        // renews up to three times a call: a rate much higher would expire the renewed ones too).
        const Cli run = cli({QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("web"), QStringLiteral("--scale"), QStringLiteral("0.001"),
                             QStringLiteral("--operation"), QStringLiteral("update"), QStringLiteral("-m"), QStringLiteral("lanes"), QStringLiteral("--api"),
                             QStringLiteral("rest"), QStringLiteral("--batch-size"), QStringLiteral("10"), QStringLiteral("--store"),
                             scratch.path(QStringLiteral("home/web.sqlite")), QStringLiteral("--json"), QStringLiteral("-q")});
        QVERIFY2(run.code == 0, run.err.constData());
        QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QStringLiteral("succeeded")).toInteger(), qint64(400));
        QVERIFY(cli({QStringLiteral("org"), QStringLiteral("logout"), QStringLiteral("web")}).code == 0);
        expiring.stop();
    }

    void cleanupTestCase()
    {
        org.stop();
        if (busPid > 0)
            ::kill(pid_t(busPid), SIGTERM);   // gnome-keyring-daemon leaves with its bus
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    for (const char *tool : {"dbus-daemon", "gnome-keyring-daemon"})
        if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty()) {
            std::fprintf(stderr, "SKIP: %s is not installed (Debian: dbus, gnome-keyring; ./scripts/setup installs them)\n", tool);
            return kSkipped;
        }
    TestKeychain test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychain.moc"

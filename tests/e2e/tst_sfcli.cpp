#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "org/HttpClient.h"
#include "sim/OrgProfile.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <cstdio>

using namespace lockstep;
using namespace lockstep::test;
// Unambiguous whether or not core has a DemoOrgProcess of its own.
using TestOrg = lockstep::test::DemoOrgProcess;

namespace {

// ctest reads this exit code as "skipped" (SKIP_RETURN_CODE in CMakeLists.txt).
constexpr int kSkipped = 77;

// The Salesforce CLI: $LOCKSTEP_SF, else the one scripts/setup installs from the npm registry
// into tests/node (pinned in its package.json), else `sf` on the PATH.
QString sfExecutable()
{
    const QString configured = qEnvironmentVariable("LOCKSTEP_SF");
    if (!configured.isEmpty())
        return QFileInfo(configured).isExecutable() ? configured : QString();
    const QString installed = QStringLiteral(LOCKSTEP_NODE_TESTS "/node_modules/.bin/sf");
    if (QFileInfo(installed).isExecutable())
        return installed;
    return QStandardPaths::findExecutable(QStringLiteral("sf"));
}

struct SfResult {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

} // namespace

// The real Salesforce CLI, unchanged, against a demo org: log in with an access token, then
// `sf data export bulk` (Bulk API 2.0 query: create, poll, CSV pages joined by Sforce-Locator)
// waiting for the job, as JSON, and in its asynchronous form finished by `sf data export resume`.
// Then the CI way: `sf org login jwt` with a key whose certificate the demo org's connected app
// holds, and Lockstep reusing that login (`lockstep-cli org login --sf`, `run --org ALIAS`)
// without keeping its token; `org logout` leaves the CLI's login alone, and a login the CLI no
// longer has is said with what to do.
class TestSfCli : public QObject {
    Q_OBJECT
    TestOrg org;
    Scratch scratch;
    QString sf;
    QProcessEnvironment env;
    KeyAndCertificate app;
    QString keyFile;

    SfResult runProgram(const QString &program, const QStringList &arguments, const QProcessEnvironment &environment, int timeoutMs = 180000)
    {
        QProcess p;
        p.setProcessEnvironment(environment);
        p.setWorkingDirectory(scratch.path(QString()));
        p.start(program, arguments);
        SfResult r;
        if (!p.waitForStarted(20000))
            return r;
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    // The Salesforce CLI.
    SfResult run(const QStringList &arguments) { return runProgram(sf, arguments, env); }

    // lockstep-cli with the CLI's environment (its HOME, so its logins) and a config and data
    // home of its own, no keychain service: `--sf` logins keep nothing of their own anyway.
    SfResult lockstepCli(const QStringList &arguments)
    {
        QProcessEnvironment e = env;
        e.insert("LOCKSTEP_SF", sf);
        e.insert("XDG_CONFIG_HOME", scratch.path("lockstep-config"));
        e.insert("XDG_DATA_HOME", scratch.path("lockstep-data"));
        e.insert("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + scratch.path("no-bus"));
        return runProgram(qEnvironmentVariable("LOCKSTEP_CLI"), arguments, e);
    }

    QString insertAccounts(const QJsonArray &records)
    {
        QJsonArray typed;
        for (const auto &r : records) {
            QJsonObject o = r.toObject();
            o.insert("attributes", QJsonObject{{"type", "Account"}});
            typed.append(o);
        }
        HttpClient http;
        HttpRequest request;
        request.method = "POST";
        request.url = org.url + "/services/data/v62.0/composite/sobjects";
        request.body = QJsonDocument(QJsonObject{{"allOrNone", true}, {"records", typed}}).toJson();
        request.header("Content-Type", "application/json").header("Authorization", "Bearer " + org.token.toLatin1());
        auto response = http.send(request);
        return response && response->status == 200 ? QString() : QStringLiteral("insert failed");
    }

private slots:
    void initTestCase()
    {
        sf = sfExecutable();
        QVERIFY(!sf.isEmpty());
        // Result pages of 2 records, so the CLI follows Sforce-Locator and drops repeated headers.
        QJsonObject profile{{"orgProfile", OrgProfile{}.toJson()}, {"demoOrg", QJsonObject{{"bulkQueryPageRows", 2}, {"bulkQueryStartSeconds", 1}}}};
        QFile file(scratch.path("profile.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(profile).toJson());
        file.close();
        app = makeKeyAndCertificate("Lockstep CI");
        QVERIFY(!app.keyPem.isEmpty());
        keyFile = scratch.write("server.key", app.keyPem);
        const QString certificate = scratch.write("server.crt", app.certificatePem);
        QVERIFY2(org.start({"--scale", "0.5", "--profile", file.fileName(), "--jwt-cert", certificate}), qPrintable(org.error()));
        QCOMPARE(insertAccounts({QJsonObject{{"Name", "Acme"}}, QJsonObject{{"Name", "Globex, \"Intl\""}}, QJsonObject{{"Name", "Initech"}},
                                 QJsonObject{{"Name", "Umbrella\nCorp"}}, QJsonObject{{"Name", "Hooli"}}}),
                 QString());

        // A CLI of its own: a scratch HOME, no telemetry, no update checks, a file keychain.
        env = QProcessEnvironment::systemEnvironment();
        env.insert("HOME", scratch.path("home"));
        QDir().mkpath(scratch.path("home"));
        for (const char *flag : {"SF_DISABLE_TELEMETRY", "SF_SKIP_NEW_VERSION_CHECK", "SF_DISABLE_AUTOUPDATE", "SF_USE_GENERIC_UNIX_KEYCHAIN",
                                 "SF_AUTOUPDATE_DISABLE", "SFDX_DISABLE_DNS_CHECK"})
            env.insert(QString::fromLatin1(flag), "true");
        // The npm package's launcher runs the `node` found first on the PATH: the one beside it
        // when there is one (a Node.js 22 from npm), else the system's.
        env.insert("PATH", QFileInfo(sf).absolutePath() + ':' + env.value("PATH"));
        env.insert("SF_ACCESS_TOKEN", org.token);
        const SfResult login = run({"org", "login", "access-token", "--instance-url", org.url, "--alias", "demo", "--no-prompt", "--json"});
        QVERIFY2(login.exitCode == 0, login.out + login.err);
        // The CLI keeps the URL with a trailing slash (salesforce-api.md §9).
        QVERIFY(login.json().value("result").toObject().value("instanceUrl").toString().startsWith(org.url));
    }
    void cleanupTestCase() { QCOMPARE(org.stop(), 0); }

    void exportBulkWaitingForTheJob()
    {
        const QString out = scratch.path("accounts.csv");
        const SfResult r = run({"data", "export", "bulk", "--query", "SELECT Id, Name FROM Account ORDER BY Name", "--output-file", out, "--target-org", "demo",
                                "--wait", "2", "--json"});
        QVERIFY2(r.exitCode == 0, r.out + r.err);
        QCOMPARE(r.json().value("result").toObject().value("totalSize").toInt(), 5);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray csv = file.readAll();
        // Three pages of two records joined into one file with one header.
        QVERIFY2(csv.startsWith("\"Id\",\"Name\"\n\"001"), csv.constData());
        QCOMPARE(csv.count("\"Id\",\"Name\""), 1);
        for (const char *name : {"\"Acme\"", "\"Globex, \"\"Intl\"\"\"", "\"Hooli\"", "\"Initech\"", "\"Umbrella\nCorp\""})
            QVERIFY2(csv.contains(name), name);
        QVERIFY(csv.indexOf("Acme") < csv.indexOf("Globex") && csv.indexOf("Initech") < csv.indexOf("Umbrella"));
    }

    void exportBulkAsJson()
    {
        const QString out = scratch.path("accounts.json");
        const SfResult r = run({"data", "export", "bulk", "--query", "SELECT Id, Name, Owner.Name FROM Account", "--output-file", out, "--result-format", "json",
                                "--target-org", "demo", "--wait", "2", "--json"});
        QVERIFY2(r.exitCode == 0, r.out + r.err);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray records = QJsonDocument::fromJson(file.readAll()).array();
        QCOMPARE(records.size(), 5);
        QCOMPARE(records[0].toObject().value("Owner.Name").toString(), QStringLiteral("Demo Integration User"));
    }

    void exportBulkAsyncThenResume()
    {
        const QString out = scratch.path("later.csv");
        const SfResult started = run({"data", "export", "bulk", "--query", "SELECT Name FROM Account", "--output-file", out, "--target-org", "demo", "--json"});
        QVERIFY2(started.exitCode == 0, started.out + started.err);
        const QString jobId = started.json().value("result").toObject().value("jobId").toString();
        QVERIFY2(jobId.startsWith("750"), started.out.constData());
        const SfResult resumed = run({"data", "export", "resume", "--job-id", jobId, "--json"});
        QVERIFY2(resumed.exitCode == 0, resumed.out + resumed.err);
        QCOMPARE(resumed.json().value("result").toObject().value("totalSize").toInt(), 5);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count('\n'), 7);   // header, 5 records, one of them on two lines
    }

    // The CI way, in the CLI: a JWT assertion signed with the key, checked by the demo org
    // against the connected app's certificate.
    void cliLogsInWithJwt()
    {
        const SfResult r = run({"org", "login", "jwt", "--client-id", org.clientId, "--jwt-key-file", keyFile, "--username", org.username,
                                "--instance-url", org.url, "--alias", "ci", "--json"});
        QVERIFY2(r.exitCode == 0, r.out + r.err);
        const QJsonObject result = r.json().value("result").toObject();
        QCOMPARE(result.value("username").toString(), org.username);
        QVERIFY(result.value("orgId").toString().startsWith("00D"));
    }

    // Lockstep reuses the CLI's login by alias and by username, runs a load through it, and
    // keeps no token of its own: not in its saved orgs, its job store, its result files or
    // anything it printed.
    void lockstepReusesTheCliLogin()
    {
        SfResult r = lockstepCli({"org", "login", "--sf", "ci", "--alias", "fromsf", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value("method").toString(), QStringLiteral("sf"));
        QCOMPARE(r.json().value("username").toString(), org.username);
        QByteArray printed = r.out + r.err;
        r = lockstepCli({"org", "login", "--sf", org.username, "--alias", "byuser"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        printed += r.out + r.err;

        const QString accounts = scratch.write("new-accounts.csv", "Name,Industry\nStark,Energy\nWayne,Retail\nTyrell,Technology\n");
        const QString results = scratch.path("results");
        r = lockstepCli({"run", accounts, "--org", "fromsf", "--object", "Account", "--operation", "insert", "-m", "serial", "--api", "rest",
                      "--results", results, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value("succeeded").toInteger(), qint64(3));
        printed += r.out + r.err;
        // The records are in the org, as the CLI itself sees them.
        const SfResult query = run({"data", "query", "--query", "SELECT Name FROM Account WHERE Industry = 'Energy'", "--target-org", "ci", "--json"});
        QVERIFY2(query.exitCode == 0, query.out + query.err);
        QVERIFY2(query.out.contains("\"Stark\""), query.out.constData());
        r = lockstepCli({"org", "display", "byuser", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value("status").toString(), QStringLiteral("connected"));
        printed += r.out + r.err;

        const SfResult token = run({"org", "auth", "show-access-token", "--target-org", "ci", "--json"});
        QVERIFY2(token.exitCode == 0, token.out + token.err);
        const QByteArray accessToken = token.json().value("result").toObject().value("accessToken").toString().toUtf8();
        QVERIFY(accessToken.startsWith("00D"));
        QByteArray written = printed;
        for (const QString &root : {scratch.path("lockstep-config"), scratch.path("lockstep-data"), results}) {
            QDirIterator files(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (files.hasNext()) {
                QFile f(files.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                written += f.readAll();
            }
        }
        QVERIFY(written.contains("fromsf") && written.contains("Stark"));   // the saved org and the results were read
        QVERIFY2(!written.contains(accessToken) && !written.contains(accessToken.mid(accessToken.indexOf('!') + 1)), "the CLI's token was written");
    }

    // Triage of the files a real client saves: a parallel Bulk API 2.0 load of a file with a
    // house account on a demo org of its own, its job's results saved by `sf data bulk results`,
    // then `lockstep-cli triage` on what the CLI wrote.
    void triageOfTheResultsTheCliSaves()
    {
        SampleOptions sample;
        sample.rows = 6000;
        sample.parents = 300;
        sample.houseAccountRows = 1200;
        sample.seed = 4;
        const QString load = scratch.sample("house.csv", sample);
        // Internal batches of 500 rows (the platform's are 10,000): twelve side by side collide on
        // the house account on any machine.
        OrgProfile profile;
        profile.bulk2BatchRows = 500;
        const QString profileFile = scratch.write("bulk2-profile.json", QJsonDocument(QJsonObject{{"orgProfile", profile.toJson()}}).toJson());
        TestOrg loads;
        QVERIFY2(loads.start({"--scale", "0.05", "--seed-from", load, "--profile", profileFile}), qPrintable(loads.error()));
        QProcess run;
        run.setProcessEnvironment(loads.cliEnvironment());
        run.start(qEnvironmentVariable("LOCKSTEP_CLI"), {"run", load, "--org", loads.url, "--scale", "0.05", "-m", "parallel", "--api", "bulk2", "--store",
                                                         scratch.path("bulk2.sqlite"), "--json", "-q"});
        QVERIFY(run.waitForFinished(300000));
        const QJsonObject report = QJsonDocument::fromJson(run.readAllStandardOutput()).object();
        QVERIFY2(run.exitCode() == 3 && report.value("lockErrors").toInteger() > 0, run.readAllStandardError().right(400).constData());

        RawHttp http(loads.url, loads.token);
        const QJsonArray jobs = jsonOf(http.get("/services/data/v62.0/jobs/ingest")).object().value("records").toArray();
        QCOMPARE(jobs.size(), 1);
        const QString jobId = jobs.first().toObject().value("id").toString();
        QProcessEnvironment withToken = env;
        withToken.insert("SF_ACCESS_TOKEN", loads.token);
        QVERIFY(runProgram(sf, {"org", "login", "access-token", "--instance-url", loads.url, "--alias", "loads", "--no-prompt", "--json"}, withToken)
                    .exitCode == 0);
        const QString saved = scratch.path("sf-results");
        QDir().mkpath(saved);
        QProcess results;
        results.setProcessEnvironment(env);
        results.setWorkingDirectory(saved);
        results.start(sf, {"data", "bulk", "results", "--job-id", jobId, "--target-org", "loads", "--json"});
        QVERIFY(results.waitForFinished(180000));
        QVERIFY2(results.exitCode() == 0, results.readAllStandardOutput() + results.readAllStandardError());
        QStringList files;
        for (const QString &name : QDir(saved).entryList({"*.csv"}, QDir::Files))
            files << QDir(saved).filePath(name);
        qInfo("sf data bulk results saved: %s", qPrintable(QDir(saved).entryList({"*.csv"}, QDir::Files).join(", ")));
        QVERIFY2(files.size() >= 2, "the CLI saved fewer than two result files");

        const SfResult triage = runProgram(qEnvironmentVariable("LOCKSTEP_CLI"), QStringList{"triage", "--json", "-q"} + files, env);
        QVERIFY2(triage.exitCode == 3, triage.err.constData());
        const QJsonObject t = triage.json();
        QCOMPARE(t.value("rows").toInteger(), qint64(6000));
        QCOMPARE(t.value("failed").toInteger(), report.value("failed").toInteger());
        QCOMPARE(t.value("errorsByCode").toObject().value("UNABLE_TO_LOCK_ROW").toInteger(), report.value("lockErrors").toInteger());
        QCOMPARE(t.value("lockedParents").toArray().first().toObject().value("children").toInteger(), qint64(1200));
        QCOMPARE(t.value("recommended").toObject().value("lockErrorRows").toDouble(), 0.0);
        QCOMPARE(loads.stop(), 0);
    }

    // `org logout` forgets Lockstep's alias, not the CLI's login; once the CLI has no login by
    // that name, Lockstep says so and what to do.
    void logoutLeavesTheCliLoginAlone()
    {
        SfResult r = lockstepCli({"org", "logout", "fromsf"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("left as it is"), r.out.constData());
        QCOMPARE(run({"org", "display", "--target-org", "ci", "--json"}).exitCode, 0);

        const SfResult logout = run({"org", "logout", "--target-org", "ci", "--no-prompt", "--json"});
        QVERIFY2(logout.exitCode == 0, logout.out + logout.err);
        r = lockstepCli({"org", "display", "byuser"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("No authorization information found") && r.err.contains("sf org login"), r.err.constData());
        QVERIFY2(!r.err.contains("See more help"), r.err.constData());
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (sfExecutable().isEmpty()) {
        std::fprintf(stderr, "SKIP: the Salesforce CLI is not installed (npm install @salesforce/cli; set LOCKSTEP_SF or put sf on the PATH)\n");
        return kSkipped;
    }
    TestSfCli test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_sfcli.moc"

#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "org/HttpClient.h"
#include "sim/OrgProfile.h"

#include <QDir>
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

// The Salesforce CLI: $LOCKSTEP_SF, else `sf` on the PATH. Not installed by scripts/setup; a
// developer installs it (npm install @salesforce/cli, with a Node.js of 22 or later).
QString sfExecutable()
{
    const QString configured = qEnvironmentVariable("LOCKSTEP_SF");
    if (!configured.isEmpty())
        return QFileInfo(configured).isExecutable() ? configured : QString();
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
class TestSfCli : public QObject {
    Q_OBJECT
    TestOrg org;
    Scratch scratch;
    QString sf;
    QProcessEnvironment env;

    SfResult run(const QStringList &arguments, int timeoutMs = 180000)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(scratch.path(QString()));
        p.start(sf, arguments);
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
        QVERIFY2(org.start({"--scale", "0.5", "--profile", file.fileName()}), qPrintable(org.error()));
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

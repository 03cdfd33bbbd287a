#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace lockstep;
using namespace lockstep::test;
// Unambiguous whether or not core has a DemoOrgProcess of its own.
using TestOrg = lockstep::test::DemoOrgProcess;

// Bulk queries from a real client, unchanged: jsforce (npm, installed by scripts/setup into
// tests/node) reads 3,000 Opportunities through Bulk API 2.0 query and queryAll (with
// Account.Name) and Bulk API 1.0 query, against a demo org seeded from a `lockstep-cli sample`
// file and run at scale 0.05, so each job waits and runs in the org's time.
class TestJsforceBulkQuery : public QObject {
    Q_OBJECT
private slots:
    void jsforceBulkQueries()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (node.isEmpty())
            skipWholeTest("Node.js is not installed (scripts/setup installs it): the jsforce end-to-end test needs it");
        const QDir nodeDir(QStringLiteral(LOCKSTEP_NODE_TESTS));
        QVERIFY2(QFileInfo::exists(nodeDir.filePath("node_modules/jsforce/package.json")),
                 "jsforce is not installed in tests/node: run scripts/setup (it runs npm ci there)");

        Scratch scratch;
        const QString file = scratch.path("opportunities.csv");
        const ProcessResult sample = runCli({"sample", "--object", "Opportunity", "--rows", "3000", "--parents", "100", "--seed", "5", "-o", file, "-q"});
        QVERIFY2(sample.exitCode == 0, sample.err.constData());

        TestOrg org;
        QVERIFY2(org.start({"--scale", "0.05", "--seed-from", file}), qPrintable(org.error()));

        QProcess script;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("LOCKSTEP_ORG_URL", org.url);
        env.insert("LOCKSTEP_CLIENT_ID", org.clientId);
        env.insert("LOCKSTEP_CLIENT_SECRET", org.clientSecret);
        env.insert("LOCKSTEP_USERNAME", org.username);
        env.insert("LOCKSTEP_PASSWORD", org.password);
        env.insert("LOCKSTEP_EXPECT_RECORDS", "3000");
        script.setProcessEnvironment(env);
        script.setWorkingDirectory(nodeDir.path());
        script.start(node, {nodeDir.filePath("jsforce_bulkquery.mjs")});
        QVERIFY(script.waitForStarted(10000));
        const bool finished = script.waitForFinished(300000);
        const QByteArray out = script.readAllStandardOutput();
        const QByteArray err = script.readAllStandardError();
        qInfo("jsforce: %s", out.trimmed().constData());
        QVERIFY2(finished, "jsforce did not finish in 5 minutes");
        QVERIFY2(script.exitCode() == 0, err.constData());
        QVERIFY(out.contains("\"ok\":true"));
        QCOMPARE(org.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestJsforceBulkQuery)
#include "tst_jsforce_bulkquery.moc"

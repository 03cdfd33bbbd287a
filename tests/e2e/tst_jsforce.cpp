#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace lockstep;
using namespace lockstep::test;

// A real client, unchanged: jsforce (npm, installed by scripts/setup into tests/node) logs in,
// describes, queries and updates 10,000 Opportunities through sObject Collections, Bulk API 1.0
// and Bulk API 2.0 against a demo org seeded from a `lockstep-cli sample` file.
class TestJsforce : public QObject {
    Q_OBJECT
private slots:
    void jsforceUnchanged()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (node.isEmpty())
            skipWholeTest("Node.js is not installed (scripts/setup installs it): the jsforce end-to-end test needs it");
        const QDir nodeDir(QStringLiteral(LOCKSTEP_NODE_TESTS));
        QVERIFY2(QFileInfo::exists(nodeDir.filePath("node_modules/jsforce/package.json")),
                 "jsforce is not installed in tests/node: run scripts/setup (it runs npm ci there)");

        Scratch scratch;
        const QString file = scratch.path("opportunities.csv");
        const ProcessResult sample = runCli({"sample", "--object", "Opportunity", "--rows", "10000", "--parents", "500", "--seed", "5", "-o", file, "-q"});
        QVERIFY2(sample.exitCode == 0, sample.err.constData());

        test::DemoOrgProcess org;
        QVERIFY2(org.start({"--scale", "0", "--seed-from", file}), qPrintable(org.error()));
        QVERIFY(org.stderrText().contains("seeded 10,500 records"));

        QProcess script;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("LOCKSTEP_ORG_URL", org.url);
        env.insert("LOCKSTEP_CLIENT_ID", org.clientId);
        env.insert("LOCKSTEP_CLIENT_SECRET", org.clientSecret);
        env.insert("LOCKSTEP_USERNAME", org.username);
        env.insert("LOCKSTEP_PASSWORD", org.password);
        env.insert("LOCKSTEP_EXPECT_RECORDS", "10000");
        script.setProcessEnvironment(env);
        script.setWorkingDirectory(nodeDir.path());
        script.start(node, {nodeDir.filePath("jsforce_e2e.mjs")});
        QVERIFY(script.waitForStarted(10000));
        const bool finished = script.waitForFinished(600000);
        const QByteArray out = script.readAllStandardOutput();
        const QByteArray err = script.readAllStandardError();
        qInfo("jsforce: %s", out.trimmed().constData());
        QVERIFY2(finished, "jsforce did not finish in 10 minutes");
        QVERIFY2(script.exitCode() == 0, err.constData());
        QVERIFY(out.contains("\"ok\":true"));
        QCOMPARE(org.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestJsforce)
#include "tst_jsforce.moc"

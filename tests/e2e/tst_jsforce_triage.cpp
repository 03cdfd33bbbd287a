#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

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

using namespace lockstep;
using namespace lockstep::test;
// Unambiguous whether or not core has a DemoOrgProcess of its own.
using TestOrg = lockstep::test::DemoOrgProcess;

namespace {

QJsonObject objectOf(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

// Data rows of a CSV file (its header not counted), by the independent reference parser: names
// in the sample carry commas and quotes, so lines are not rows.
qsizetype dataRows(const QByteArray &csv)
{
    const QList<QStringList> rows = parseCsvReference(csv);
    return rows.isEmpty() ? 0 : rows.size() - 1;
}

} // namespace

// Triage of Bulk API 2.0 result files saved by a real client, unchanged: jsforce (npm, installed
// by scripts/setup into tests/node) updates 20,000 Opportunities, 3,000 of them on one house
// account, through one Bulk API 2.0 ingest job on a demo org whose internal batches are 1,000
// rows, fetches the job's three result sets as raw CSV (getSuccessfulResults(true) and its
// siblings) and saves them; `lockstep-cli triage` reads those files and tells the lock story —
// every failure UNABLE_TO_LOCK_ROW, the house account first among the parents waited on, lanes
// recommended with no lock error predicted.
class TestJsforceTriage : public QObject {
    Q_OBJECT
private slots:
    void jsforceSavedResultsTriage()
    {
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (node.isEmpty())
            skipWholeTest("Node.js is not installed (scripts/setup installs it): the jsforce end-to-end test needs it");
        const QDir nodeDir(QStringLiteral(LOCKSTEP_NODE_TESTS));
        QVERIFY2(QFileInfo::exists(nodeDir.filePath("node_modules/jsforce/package.json")),
                 "jsforce is not installed in tests/node: run scripts/setup (it runs npm ci there)");

        // tst_triage's file: 20,000 rows over 1,000 accounts, 3,000 of them on the house account.
        Scratch scratch;
        SampleOptions sample;
        sample.rows = 20000;
        sample.parents = 1000;
        sample.houseAccountRows = 3000;
        sample.seed = 1;
        const QString file = scratch.sample(QStringLiteral("opps.csv"), sample);
        const ProcessResult analyze = runCli({QStringLiteral("analyze"), file, QStringLiteral("--json")});
        QVERIFY2(analyze.exitCode == 0, analyze.err.constData());
        const QString house = objectOf(analyze.out).value(QStringLiteral("topParents")).toArray().first().toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(house.size(), 18);

        // Internal batches of 1,000 rows (the platform's are 10,000): twenty of them side by side
        // collide on the house account on any machine, however busy.
        OrgProfile profile;
        profile.bulk2BatchRows = 1000;
        const QString profileFile =
            scratch.write(QStringLiteral("bulk2-profile.json"), QJsonDocument(QJsonObject{{QStringLiteral("orgProfile"), profile.toJson()}}).toJson());
        TestOrg org;
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0.05"), QStringLiteral("--seed-from"), file, QStringLiteral("--profile"), profileFile}),
                 qPrintable(org.error()));

        const QString saved = scratch.path(QStringLiteral("jsforce"));
        QVERIFY(QDir().mkpath(saved));
        QProcess script;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("LOCKSTEP_ORG_URL", org.url);
        env.insert("LOCKSTEP_CLIENT_ID", org.clientId);
        env.insert("LOCKSTEP_CLIENT_SECRET", org.clientSecret);
        env.insert("LOCKSTEP_USERNAME", org.username);
        env.insert("LOCKSTEP_PASSWORD", org.password);
        env.insert("LOCKSTEP_LOAD_FILE", file);
        env.insert("LOCKSTEP_OUT_DIR", saved);
        script.setProcessEnvironment(env);
        script.setWorkingDirectory(nodeDir.path());
        script.start(node, {nodeDir.filePath("jsforce_bulkresults.mjs")});
        QVERIFY(script.waitForStarted(10000));
        // The script's own poll gives up at 270 s, before this deadline and Qt's per-function one.
        const bool finished = script.waitForFinished(285000);
        const QByteArray out = script.readAllStandardOutput();
        const QByteArray err = script.readAllStandardError();
        qInfo("jsforce: %s", out.trimmed().constData());
        QVERIFY2(finished, "jsforce did not finish in 285 s");
        QVERIFY2(script.exitCode() == 0, err.constData());
        const QJsonObject job = objectOf(out.trimmed());
        const QString jobId = job.value(QStringLiteral("jobId")).toString();
        const qint64 failed = job.value(QStringLiteral("numberRecordsFailed")).toInteger(-1);
        QVERIFY2(jobId.startsWith(QLatin1String("750")), out.constData());
        QCOMPARE(job.value(QStringLiteral("numberRecordsProcessed")).toInteger(), qint64(20000));
        // The profile exists to make batches collide: a job without failures tests nothing here.
        QVERIFY2(failed > 0, qPrintable(QStringLiteral("job %1 had %2 failed rows: the bulk2BatchRows=1000 profile should have made its "
                                                       "batches collide on the house account")
                                            .arg(jobId)
                                            .arg(failed)));

        const QStringList files{QDir(saved).filePath(QStringLiteral("successfulResults.csv")), QDir(saved).filePath(QStringLiteral("failedResults.csv")),
                                QDir(saved).filePath(QStringLiteral("unprocessedrecords.csv"))};
        const ProcessResult t = runCli(QStringList{QStringLiteral("triage"), QStringLiteral("--json"), QStringLiteral("-q")} + files);
        QVERIFY2(t.exitCode == 3, t.err.constData());   // rows failed
        const QJsonObject o = objectOf(t.out);
        QCOMPARE(o.value(QStringLiteral("rows")).toInteger(), qint64(20000));
        QCOMPARE(o.value(QStringLiteral("failed")).toInteger(), failed);
        // Every failure is a lock error: nothing else in the file can fail.
        QCOMPARE(o.value(QStringLiteral("errorsByCode")).toObject().value(QStringLiteral("UNABLE_TO_LOCK_ROW")).toInteger(), failed);
        QCOMPARE(o.value(QStringLiteral("lockedParents")).toArray().first().toObject().value(QStringLiteral("id")).toString(), house);
        const QJsonObject recommended = o.value(QStringLiteral("recommended")).toObject();
        QCOMPARE(recommended.value(QStringLiteral("lockErrorRows")).toDouble(), 0.0);
        QCOMPARE(recommended.value(QStringLiteral("mitigation")).toString(), QStringLiteral("lanes"));

        // What jsforce saved is what the org's endpoint hands out: the same failed rows.
        RawHttp http(org.url, org.token);
        const HttpResponse direct = http.get(QStringLiteral("/services/data/v62.0/jobs/ingest/%1/failedResults").arg(jobId));
        QCOMPARE(direct.status, 200);
        QFile savedFailed(files.at(1));
        QVERIFY(savedFailed.open(QIODevice::ReadOnly));
        const qsizetype savedRows = dataRows(savedFailed.readAll());
        QCOMPARE(savedRows, dataRows(direct.body));
        QCOMPARE(qint64(savedRows), failed);
        QCOMPARE(org.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestJsforceTriage)
#include "tst_jsforce_triage.moc"

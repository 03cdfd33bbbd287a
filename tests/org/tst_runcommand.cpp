// lockstep-cli run / jobs / show / export as a user runs them: the demo org in-process, the job
// store on disk, JSON and exit codes that scripts rely on, and no secret in what they print.
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace lockstep;

class TestRunCommand : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    QString file;
    QString store;

    QJsonObject runJson(const QStringList &extra, int expectedExit)
    {
        const auto r = test::runCli(QStringList{QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("demo"),
                                                QStringLiteral("--store"), store, QStringLiteral("--json"), QStringLiteral("-q")} + extra);
        if (r.exitCode != expectedExit)
            qWarning("exit %d: %s", r.exitCode, r.err.constData());
        [&] { QCOMPARE(r.exitCode, expectedExit); }();
        return QJsonDocument::fromJson(r.out).object();
    }

private slots:
    void initTestCase()
    {
        // 30,000 rows over 200 Accounts: parallel is predicted 3,880 ± 415 lock errors, so a
        // run without any is not a matter of luck.
        SampleOptions o;
        o.rows = 30000;
        o.parents = 200;
        o.seed = 9;
        file = scratch.sample(QStringLiteral("opps.csv"), o);
        store = scratch.path(QStringLiteral("jobs.sqlite"));
    }

    void lanesLoadEveryRowAndExitZero()
    {
        const QJsonObject o = runJson({QStringLiteral("-m"), QStringLiteral("lanes"), QStringLiteral("--scale"), QStringLiteral("0.01")}, 0);
        QCOMPARE(o.value(QStringLiteral("succeeded")).toInt(), 30000);
        QCOMPARE(o.value(QStringLiteral("lockErrors")).toInt(), 0);
        QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
        QVERIFY(o.value(QStringLiteral("predicted")).toObject().value(QStringLiteral("runs")).toInt() >= 5);
        QVERIFY(o.value(QStringLiteral("observedSeconds")).toDouble() > 0);
    }

    void parallelFailsRowsAndSaysWhich()
    {
        // Random order at scale 0.02: batches in flight share Accounts and deadlock.
        const QJsonObject o = runJson({QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--scale"), QStringLiteral("0.02"),
                                       QStringLiteral("--results"), scratch.path(QString()), QStringLiteral("--format"), QStringLiteral("bulkv2")},
                                      3);
        QVERIFY(o.value(QStringLiteral("lockErrors")).toInt() > 0);
        QVERIFY(o.value(QStringLiteral("errorsByCode")).toObject().contains(QStringLiteral("UNABLE_TO_LOCK_ROW")));
        QCOMPARE(o.value(QStringLiteral("succeeded")).toInt() + o.value(QStringLiteral("failed")).toInt(), 30000);
        const QJsonArray files = o.value(QStringLiteral("resultFiles")).toArray();
        QCOMPARE(files.size(), qsizetype(3));
        QVERIFY(files[1].toString().endsWith(QStringLiteral("-failed-records.csv")));
    }

    void jobsShowAndExport()
    {
        const auto jobs = test::runCli({QStringLiteral("jobs"), QStringLiteral("--store"), store, QStringLiteral("--json")});
        QCOMPARE(jobs.exitCode, 0);
        const QJsonArray list = QJsonDocument::fromJson(jobs.out).array();
        QVERIFY(list.size() >= 2);
        const int last = list.last().toObject().value(QStringLiteral("job")).toInt();
        const auto show = test::runCli({QStringLiteral("show"), QString::number(last), QStringLiteral("--store"), store});
        QCOMPARE(show.exitCode, 0);
        QVERIFY2(show.out.contains("UNABLE_TO_LOCK_ROW"), show.out.constData());
        const auto exported = test::runCli({QStringLiteral("export"), QString::number(last), QStringLiteral("--store"), store,
                                            QStringLiteral("--results"), scratch.path(QString()), QStringLiteral("--format"), QStringLiteral("full")});
        QCOMPARE(exported.exitCode, 0);
        QVERIFY(exported.out.contains("-report.csv"));
        const auto missing = test::runCli({QStringLiteral("show"), QStringLiteral("999"), QStringLiteral("--store"), store});
        QCOMPARE(missing.exitCode, 66);
        // No session token in the store: Salesforce's (and the demo org's) look like 00D…!….
        QFile db(store);
        QVERIFY(db.open(QIODevice::ReadOnly));
        static const QRegularExpression token(QStringLiteral("00D[0-9A-Za-z]{12,15}!"));
        QVERIFY(!token.match(QString::fromLatin1(db.readAll())).hasMatch());
    }

    void badUsage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no org") << QStringList{"run", "FILE"} << 64 << "--org is required";
        QTest::newRow("plain http") << QStringList{"run", "FILE", "--org", "http://acme.my.salesforce.com"} << 64 << "refusing plain http://";
        QTest::newRow("no session") << QStringList{"run", "FILE", "--org", "https://acme.my.salesforce.com"} << 64 << "LOCKSTEP_ACCESS_TOKEN";
        QTest::newRow("bad format") << QStringList{"run", "FILE", "--org", "demo", "--format", "xml"} << 64 << "unknown result format";
        QTest::newRow("bad scale") << QStringList{"run", "FILE", "--org", "demo", "--scale", "5"} << 64 << "--scale";
        QTest::newRow("bad job") << QStringList{"show", "abc"} << 64 << "expected one JOB number";
    }
    void badUsage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, expected);
        arguments.replaceInStrings(QStringLiteral("FILE"), file);
        arguments << QStringLiteral("--store") << store;
        qunsetenv("LOCKSTEP_ACCESS_TOKEN");
        qunsetenv("LOCKSTEP_USERNAME");
        const auto r = test::runCli(arguments);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(r.err).contains(expected), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestRunCommand)
#include "tst_runcommand.moc"

// Triage of a failed job from its result files (issue 12): a parallel load of a file with a
// 3,000-row house account on the demo org fails thousands of rows on locks; its result files in
// every format Lockstep writes (Data Loader's, Data Loader's Bulk v2 flavour, Bulk API 2.0's)
// each triage to the same story — the rows by outcome, UNABLE_TO_LOCK_ROW, the house account
// first among the parents waited on, lanes recommended with no lock error predicted. Files in
// Data Loader's documented shapes written by hand, Bulk API 1.0 results (no data columns), an
// empty file, a load file and a truncated file are each read or refused with file and line.
// And the files the demo org's own Bulk API 2.0 endpoints hand out (failedResults,
// successfulResults, unprocessedrecords), saved as a client saves them.
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "sim/OrgProfile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using namespace lockstep;

namespace {

QJsonObject jsonOf(const test::ProcessResult &r)
{
    return QJsonDocument::fromJson(r.out).object();
}

} // namespace

class TestTriage : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    QString file, store, results, house;
    qint64 lockErrors = 0;

    test::ProcessResult triage(const QStringList &files) { return test::runCli(QStringList{QStringLiteral("triage"), QStringLiteral("--json"), QStringLiteral("-q")} + files); }

private slots:
    void initTestCase()
    {
        SampleOptions sample;
        sample.rows = 20000;
        sample.parents = 1000;
        sample.houseAccountRows = 3000;
        sample.seed = 1;
        file = scratch.sample(QStringLiteral("opps.csv"), sample);
        store = scratch.path(QStringLiteral("jobs.sqlite"));
        results = scratch.path(QStringLiteral("results"));
        const auto analyze = test::runCli({QStringLiteral("analyze"), file, QStringLiteral("--json")});
        house = jsonOf(analyze).value(QStringLiteral("topParents")).toArray().first().toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(house.size(), 18);
        const auto run = test::runCli({QStringLiteral("run"), file, QStringLiteral("--org"), QStringLiteral("demo"), QStringLiteral("-m"),
                                       QStringLiteral("parallel"), QStringLiteral("--store"), store, QStringLiteral("--demo-data"),
                                       scratch.path(QStringLiteral("org")), QStringLiteral("--results"), results + QStringLiteral("/dataloader"),
                                       QStringLiteral("--json"), QStringLiteral("-q")},
                                      600000);
        QCOMPARE(run.exitCode, 3);
        lockErrors = jsonOf(run).value(QStringLiteral("lockErrors")).toInteger();
        QVERIFY2(lockErrors >= 200, run.out.left(300).constData());
        for (const char *format : {"dataloader-bulkv2", "bulkv2"}) {
            const auto e = test::runCli({QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--store"), store, QStringLiteral("--format"),
                                         QLatin1String(format), QStringLiteral("--results"), results + QLatin1Char('/') + QLatin1String(format)});
            QVERIFY2(e.exitCode == 0, e.err.constData());
        }
    }

    void everyFormatTellsTheSameStory_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("Data Loader") << "dataloader";
        QTest::newRow("Data Loader, Bulk v2") << "dataloader-bulkv2";
        QTest::newRow("Bulk API 2.0 / sf") << "bulkv2";
    }
    void everyFormatTellsTheSameStory()
    {
        QFETCH(QString, format);
        QStringList files;
        for (const QString &name : QDir(results + QLatin1Char('/') + format).entryList(QDir::Files))
            files << results + QLatin1Char('/') + format + QLatin1Char('/') + name;
        QVERIFY(files.size() >= 2);
        const auto r = triage(files);
        QVERIFY2(r.exitCode == 3, r.err.constData());   // rows failed
        const QJsonObject t = jsonOf(r);
        QCOMPARE(t.value(QStringLiteral("rows")).toInteger(), qint64(20000));
        QCOMPARE(t.value(QStringLiteral("failed")).toInteger(), lockErrors);
        QCOMPARE(t.value(QStringLiteral("succeeded")).toInteger(), 20000 - lockErrors);
        QCOMPARE(t.value(QStringLiteral("errorsByCode")).toObject().value(QStringLiteral("UNABLE_TO_LOCK_ROW")).toInteger(), lockErrors);
        QCOMPARE(t.value(QStringLiteral("object")).toString(), QStringLiteral("Opportunity"));
        const QJsonObject first = t.value(QStringLiteral("lockedParents")).toArray().first().toObject();
        QCOMPARE(first.value(QStringLiteral("id")).toString(), house);
        QCOMPARE(first.value(QStringLiteral("children")).toInteger(), qint64(3000));
        const QJsonObject recommended = t.value(QStringLiteral("recommended")).toObject();
        QCOMPARE(recommended.value(QStringLiteral("rows")).toInteger(), lockErrors);
        QCOMPARE(recommended.value(QStringLiteral("mitigation")).toString(), QStringLiteral("lanes"));
        QCOMPARE(recommended.value(QStringLiteral("lockErrorRows")).toDouble(), 0.0);
    }

    // Data Loader's documented shapes, by hand: the error file is the original columns and ERROR
    // ("CODE:message:fields"), the success file ID, the original columns and STATUS.
    void dataLoaderFilesByHand()
    {
        const QString error = scratch.write(
            QStringLiteral("error080.csv"),
            "\"Id\",\"AccountId\",\"StageName\",\"ERROR\"\n"
            "\"006000000000001AAA\",\"001000000000001AAA\",\"Closed Won\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 001000000000001AAA:--\"\n"
            "\"006000000000002AAA\",\"001000000000001AAA\",\"Closed Won\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 001000000000001AAA:--\"\n"
            "\"006000000000003AAA\",\"001000000000002AAA\",\"Nope\",\"FIELD_CUSTOM_VALIDATION_EXCEPTION:Stage is not valid:StageName --\"\n");
        const QString success = scratch.write(QStringLiteral("success080.csv"),
                                              "\"ID\",\"Id\",\"AccountId\",\"StageName\",\"STATUS\"\n"
                                              "\"006000000000004AAA\",\"006000000000004AAA\",\"001000000000001AAA\",\"Closed Won\",\"Item Updated\"\n");
        const auto r = triage({error, success});
        QVERIFY2(r.exitCode == 3, r.err.constData());
        const QJsonObject t = jsonOf(r);
        QCOMPARE(t.value(QStringLiteral("rows")).toInteger(), qint64(4));
        QCOMPARE(t.value(QStringLiteral("errorsByCode")).toObject().value(QStringLiteral("UNABLE_TO_LOCK_ROW")).toInteger(), qint64(2));
        QCOMPARE(t.value(QStringLiteral("errorsByCode")).toObject().value(QStringLiteral("FIELD_CUSTOM_VALIDATION_EXCEPTION")).toInteger(), qint64(1));
        const QJsonObject parent = t.value(QStringLiteral("lockedParents")).toArray().first().toObject();
        QCOMPARE(parent.value(QStringLiteral("id")).toString(), QStringLiteral("001000000000001AAA"));
        QCOMPARE(parent.value(QStringLiteral("lockedRows")).toInteger(), qint64(2));
        QCOMPARE(parent.value(QStringLiteral("children")).toInteger(), qint64(3));   // two failed, one succeeded
    }

    // Bulk API 1.0 batch results have no data columns: the lock errors are counted, their
    // parents said to be unknown.
    void bulk1ResultsWithoutDataColumns()
    {
        const QString results1 = scratch.write(QStringLiteral("batch-result.csv"),
                                               "\"Id\",\"Success\",\"Created\",\"Error\"\n"
                                               "\"006000000000001AAA\",\"true\",\"false\",\"\"\n"
                                               "\"\",\"false\",\"false\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--\"\n");
        const auto r = triage({results1});
        QVERIFY2(r.exitCode == 3, r.err.constData());
        const QJsonObject t = jsonOf(r);
        QCOMPARE(t.value(QStringLiteral("succeeded")).toInteger(), qint64(1));
        QCOMPARE(t.value(QStringLiteral("lockErrorsWithoutParent")).toInteger(), qint64(1));
    }

    // A parallel Bulk API 2.0 load against a served demo org; its job's three result files
    // downloaded from the org's endpoints as `sf data bulk results` does, then triaged.
    void filesFromTheDemoOrgsBulk2Endpoints()
    {
        // Internal batches of 1,000 rows (the platform's are 10,000): twenty of them side by side
        // collide on the house account on any machine, however busy.
        OrgProfile profile;
        profile.bulk2BatchRows = 1000;
        const QString profileFile =
            scratch.write(QStringLiteral("bulk2-profile.json"), QJsonDocument(QJsonObject{{QStringLiteral("orgProfile"), profile.toJson()}}).toJson());
        test::DemoOrgProcess org;
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0.05"), QStringLiteral("--seed-from"), file, QStringLiteral("--profile"), profileFile}),
                 qPrintable(org.error()));
        QProcess run;
        run.setProcessEnvironment(org.cliEnvironment());
        run.start(qEnvironmentVariable("LOCKSTEP_CLI"),
                  {QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.05"), QStringLiteral("-m"),
                   QStringLiteral("parallel"), QStringLiteral("--api"), QStringLiteral("bulk2"), QStringLiteral("--store"),
                   scratch.path(QStringLiteral("bulk2.sqlite")), QStringLiteral("--json"), QStringLiteral("-q")});
        QVERIFY(run.waitForFinished(600000));
        const QJsonObject report = QJsonDocument::fromJson(run.readAllStandardOutput()).object();
        const qint64 failed = report.value(QStringLiteral("failed")).toInteger();
        QVERIFY2(run.exitCode() == 3 && failed > 0, run.readAllStandardError().right(400).constData());

        test::RawHttp http(org.url, org.token);
        const QJsonArray jobs = test::jsonOf(http.get(QStringLiteral("/services/data/v62.0/jobs/ingest"))).object().value(QStringLiteral("records")).toArray();
        QCOMPARE(jobs.size(), 1);
        const QString id = jobs.first().toObject().value(QStringLiteral("id")).toString();
        QStringList files;
        for (const char *kind : {"failedResults", "successfulResults", "unprocessedrecords"}) {
            const HttpResponse r = http.get(QStringLiteral("/services/data/v62.0/jobs/ingest/%1/%2").arg(id, QLatin1String(kind)));
            QCOMPARE(r.status, 200);
            files << scratch.write(QStringLiteral("%1-%2.csv").arg(id, QLatin1String(kind)), r.body);
        }
        const auto t = triage(files);
        QVERIFY2(t.exitCode == 3, t.err.constData());
        const QJsonObject o = jsonOf(t);
        QCOMPARE(o.value(QStringLiteral("rows")).toInteger(), qint64(20000));
        QCOMPARE(o.value(QStringLiteral("failed")).toInteger(), failed);
        QCOMPARE(o.value(QStringLiteral("errorsByCode")).toObject().value(QStringLiteral("UNABLE_TO_LOCK_ROW")).toInteger(), report.value(QStringLiteral("lockErrors")).toInteger());
        QCOMPARE(o.value(QStringLiteral("lockedParents")).toArray().first().toObject().value(QStringLiteral("id")).toString(), house);
        QCOMPARE(o.value(QStringLiteral("recommended")).toObject().value(QStringLiteral("lockErrorRows")).toDouble(), 0.0);
        QCOMPARE(org.stop(), 0);
    }

    // With the job's source, Bulk API 1.0 results take their parents from it by order; results
    // that do not fit the source (more rows, or a record it does not have) are refused by line.
    void resultsMatchedToTheirSource()
    {
        const QString source = scratch.write(QStringLiteral("small-source.csv"),
                                             "Id,AccountId,StageName\n"
                                             "006000000000001AAA,001000000000001AAA,Closed Won\n"
                                             "006000000000002AAA,001000000000002AAA,Closed Won\n"
                                             "006000000000003AAA,001000000000002AAA,Closed Won\n");
        const QString results1 = scratch.write(QStringLiteral("small-batch-result.csv"),
                                               "\"Id\",\"Success\",\"Created\",\"Error\"\n"
                                               "\"006000000000001AAA\",\"true\",\"false\",\"\"\n"
                                               "\"\",\"false\",\"false\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--\"\n"
                                               "\"\",\"false\",\"false\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--\"\n");
        auto r = triage({QStringLiteral("--source"), source, results1});
        QVERIFY2(r.exitCode == 3, r.err.constData());
        QJsonObject t = jsonOf(r);
        QCOMPARE(t.value(QStringLiteral("lockErrorsWithoutParent")).toInteger(), qint64(0));
        const QJsonObject parent = t.value(QStringLiteral("lockedParents")).toArray().first().toObject();
        QCOMPARE(parent.value(QStringLiteral("id")).toString(), QStringLiteral("001000000000002AAA"));
        QCOMPARE(parent.value(QStringLiteral("lockedRows")).toInteger(), qint64(2));
        QCOMPARE(t.value(QStringLiteral("recommended")).toObject().value(QStringLiteral("rows")).toInteger(), qint64(2));

        // One result row too many: its line.
        const QString tooMany = scratch.write(QStringLiteral("too-many-result.csv"),
                                              "\"Id\",\"Success\",\"Created\",\"Error\"\n"
                                              "\"006000000000001AAA\",\"true\",\"false\",\"\"\n"
                                              "\"006000000000002AAA\",\"true\",\"false\",\"\"\n"
                                              "\"006000000000003AAA\",\"true\",\"false\",\"\"\n"
                                              "\"\",\"false\",\"false\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--\"\n");
        r = triage({QStringLiteral("--source"), source, tooMany});
        QCOMPARE(r.exitCode, 65);
        QVERIFY2(r.err.contains("too-many-result.csv:5:") && r.err.contains("by order"), r.err.constData());

        // A Data Loader error row for a record the source does not have.
        const QString foreign = scratch.write(QStringLiteral("foreign-error.csv"),
                                              "\"Id\",\"AccountId\",\"StageName\",\"ERROR\"\n"
                                              "\"006000000000002AAA\",\"001000000000002AAA\",\"Closed Won\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access:--\"\n"
                                              "\"006000000000009AAA\",\"001000000000002AAA\",\"Closed Won\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access:--\"\n");
        r = triage({QStringLiteral("--source"), source, foreign});
        QCOMPARE(r.exitCode, 65);
        QVERIFY2(r.err.contains("foreign-error.csv:3:") && r.err.contains("006000000000009"), r.err.constData());
    }

    void filesThatAreNotWhatTheySeemAreNamed()
    {
        // A load file is not a result file.
        auto r = triage({file});
        QCOMPARE(r.exitCode, 65);
        QVERIFY2(r.err.contains("opps.csv:1:") && r.err.contains("not a result file"), r.err.constData());
        // A truncated error file: its broken row by file and line.
        QFile whole(results + QStringLiteral("/dataloader/job-1-error.csv"));
        QVERIFY(whole.open(QIODevice::ReadOnly));
        QByteArray cut = whole.read(5000);
        cut.truncate(cut.lastIndexOf('\n') + 1);
        const int lines = int(cut.count('\n'));
        cut += "\"0065Q0fUbJn5z2wQUA\",\"0015Q0f";
        const QString truncated = scratch.write(QStringLiteral("truncated-error.csv"), cut);
        r = triage({truncated});
        QCOMPARE(r.exitCode, 65);
        QVERIFY2(r.err.contains(QStringLiteral("truncated-error.csv:%1:").arg(lines + 1).toUtf8()), r.err.constData());
        // Nothing but an empty file: said.
        const QString empty = scratch.write(QStringLiteral("empty-failed-records.csv"), "\"sf__Id\",\"sf__Error\",\"Name\"\n");
        r = triage({empty});
        QVERIFY(r.exitCode != 0 && r.exitCode != 3);
        QVERIFY2(!r.err.isEmpty(), "no message");
        // Missing file.
        QCOMPARE(triage({scratch.path(QStringLiteral("nope.csv"))}).exitCode, 66);
    }
};

QTEST_GUILESS_MAIN(TestTriage)
#include "tst_triage.moc"

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
#include "store/JobStore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QXmlStreamReader>
#include <QtTest>

#include <map>

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

        // An insert's failures carry no record Id: matched to the source by the values of the
        // columns they share with it (Data Loader's error file, Bulk API 2.0's failedResults).
        const QString inserts = scratch.write(QStringLiteral("insert-source.csv"),
                                              "AccountId,Name,StageName\n"
                                              "001000000000001AAA,Deal one,Prospecting\n"
                                              "001000000000001AAA,Deal two,Prospecting\n"
                                              "001000000000002AAA,\"Deal, three\",Prospecting\n");
        const QString insertErrors = scratch.write(
            QStringLiteral("insert-error.csv"),
            "\"AccountId\",\"Name\",\"StageName\",\"ERROR\"\n"
            "\"001000000000001AAA\",\"Deal two\",\"Prospecting\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 001000000000001AAA:--\"\n");
        const QString insertFailed = scratch.write(
            QStringLiteral("insert-failedResults.csv"),
            "\"sf__Id\",\"sf__Error\",\"AccountId\",\"Name\",\"StageName\"\n"
            "\"\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 001000000000002AAA:--\",\"001000000000002AAA\",\"Deal, three\",\"Prospecting\"\n");
        for (const QString &f : {insertErrors, insertFailed}) {
            r = triage({QStringLiteral("--source"), inserts, f});
            QVERIFY2(r.exitCode == 3, r.err.constData());
            QCOMPARE(jsonOf(r).value(QStringLiteral("lockErrors")).toInteger(), qint64(1));
        }
        // A failed insert the source never had: its line.
        const QString strangerInsert = scratch.write(
            QStringLiteral("stranger-insert-error.csv"),
            "\"AccountId\",\"Name\",\"StageName\",\"ERROR\"\n"
            "\"001000000000001AAA\",\"Deal one\",\"Prospecting\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access:--\"\n"
            "\"001000000000001AAA\",\"Deal four\",\"Prospecting\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access:--\"\n");
        r = triage({QStringLiteral("--source"), inserts, strangerInsert});
        QCOMPARE(r.exitCode, 65);
        QVERIFY2(r.err.contains("stranger-insert-error.csv:3:") && r.err.contains("no row of the source"), r.err.constData());
    }

    // A Bulk API 1.0 job read from its org by id (as support reads a customer's failed job): its
    // documents saved, its rows matched to their results batch by batch, failures grouped by
    // batch, and every lock error explained by another batch of the job that carried the parent
    // in an overlapping window — checked against the saved batchInfos and requests themselves.
    // The saved folder triages offline to the same report.
    void liveBulk1JobByItsId()
    {
        test::DemoOrgProcess org;
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0.05"), QStringLiteral("--seed-from"), file}), qPrintable(org.error()));
        const QString jobStore = scratch.path(QStringLiteral("live-bulk1.sqlite"));
        const auto withOrg = [&](const QStringList &arguments) {
            QProcess p;
            p.setProcessEnvironment(org.cliEnvironment());
            p.start(qEnvironmentVariable("LOCKSTEP_CLI"), arguments);
            test::ProcessResult r;
            r.timedOut = !p.waitForFinished(600000);
            r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
            r.out = p.readAllStandardOutput();
            r.err = p.readAllStandardError();
            return r;
        };
        const auto run = withOrg({QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.05"),
                                  QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--api"), QStringLiteral("bulk1"), QStringLiteral("--store"),
                                  jobStore, QStringLiteral("--json"), QStringLiteral("-q")});
        QVERIFY2(run.exitCode == 3, run.err.constData());
        const QJsonObject ran = jsonOf(run);
        const qint64 failed = ran.value(QStringLiteral("failed")).toInteger();
        QVERIFY(failed > 0);
        QString jobId;
        {
            auto s = JobStore::open(jobStore);
            QVERIFY(s.has_value());
            auto batches = (*s)->batches(1);
            QVERIFY(batches.has_value() && !batches->empty());
            jobId = batches->front().remoteJob;
        }
        QVERIFY(jobId.startsWith(QLatin1String("750")));

        const QString saved = scratch.path(QStringLiteral("saved-bulk1"));
        const auto live = withOrg({QStringLiteral("triage"), QStringLiteral("--org"), org.url, QStringLiteral("--job"), jobId, QStringLiteral("--save"), saved,
                                   QStringLiteral("--json"), QStringLiteral("-q")});
        QVERIFY2(live.exitCode == 3, live.err.constData());
        const QJsonObject t = jsonOf(live);
        QCOMPARE(t.value(QStringLiteral("job")).toString(), jobId);
        QCOMPARE(t.value(QStringLiteral("rows")).toInteger(), qint64(20000));
        QCOMPARE(t.value(QStringLiteral("failed")).toInteger(), failed);
        QCOMPARE(t.value(QStringLiteral("lockErrors")).toInteger(), ran.value(QStringLiteral("lockErrors")).toInteger());
        QCOMPARE(t.value(QStringLiteral("lockedParents")).toArray().first().toObject().value(QStringLiteral("id")).toString(), house);

        // The saved batch infos, read here on their own: each batch's processing window.
        QFile list(saved + QStringLiteral("/batches.xml"));
        QVERIFY(list.open(QIODevice::ReadOnly));
        std::map<QString, std::pair<qint64, qint64>> windowOf;
        {
            QXmlStreamReader xml(list.readAll());
            QString id;
            qint64 modified = 0, processing = 0;
            while (!xml.atEnd()) {
                xml.readNext();
                if (xml.isStartElement() && xml.name() == QLatin1String("batchInfo")) {
                    id.clear();
                    modified = processing = 0;
                } else if (xml.isStartElement() && xml.name() == QLatin1String("id")) {
                    id = xml.readElementText();
                } else if (xml.isStartElement() && xml.name() == QLatin1String("systemModstamp")) {
                    modified = QDateTime::fromString(xml.readElementText(), Qt::ISODateWithMs).toMSecsSinceEpoch();
                } else if (xml.isStartElement() && xml.name() == QLatin1String("totalProcessingTime")) {
                    processing = xml.readElementText().toLongLong();
                } else if (xml.isEndElement() && xml.name() == QLatin1String("batchInfo")) {
                    windowOf[id] = {modified - processing, modified};
                }
            }
        }
        const QJsonArray byBatch = t.value(QStringLiteral("byBatch")).toArray();
        QCOMPARE(qsizetype(byBatch.size()), qsizetype(windowOf.size()));
        qint64 failedInBatches = 0;
        for (const QJsonValue &b : byBatch)
            failedInBatches += b.toObject().value(QStringLiteral("failed")).toInteger();
        QCOMPARE(failedInBatches, failed);

        const QJsonArray explanations = t.value(QStringLiteral("explanations")).toArray();
        QCOMPARE(qint64(explanations.size()), t.value(QStringLiteral("lockErrors")).toInteger());
        std::map<QString, QByteArray> requests;
        for (const QJsonValue &v : explanations) {
            const QJsonObject e = v.toObject();
            const QString what = e.value(QStringLiteral("text")).toString();
            QVERIFY2(e.value(QStringLiteral("verdict")).toString() == QLatin1String("held"), qPrintable(what));
            const QString mine = e.value(QStringLiteral("batchRemote")).toString();
            const QJsonObject h = e.value(QStringLiteral("holder")).toObject();
            const QString theirs = h.value(QStringLiteral("remote")).toString();
            QVERIFY2(windowOf.count(mine) && windowOf.count(theirs) && mine != theirs, qPrintable(what));
            const QJsonObject w = e.value(QStringLiteral("window")).toObject();
            QCOMPARE(w.value(QStringLiteral("startMs")).toInteger(), windowOf[mine].first);
            QCOMPARE(w.value(QStringLiteral("endMs")).toInteger(), windowOf[mine].second);
            QCOMPARE(h.value(QStringLiteral("startMs")).toInteger(), windowOf[theirs].first);
            QCOMPARE(h.value(QStringLiteral("endMs")).toInteger(), windowOf[theirs].second);
            QVERIFY2(std::max(windowOf[mine].first, windowOf[theirs].first) < std::min(windowOf[mine].second, windowOf[theirs].second), qPrintable(what));
            // The holder's own request carried the parent.
            if (!requests.count(theirs)) {
                QFile request(saved + QLatin1Char('/') + theirs + QStringLiteral("-request.csv"));
                QVERIFY(request.open(QIODevice::ReadOnly));
                requests[theirs] = request.readAll();
            }
            QVERIFY2(requests[theirs].contains(e.value(QStringLiteral("parent")).toString().toLatin1()), qPrintable(what));
        }

        // The saved folder, offline: the same report.
        const auto offline = triage({saved});
        QVERIFY2(offline.exitCode == 3, offline.err.constData());
        QJsonObject o = jsonOf(offline), l = t;
        o.remove(QStringLiteral("seconds"));
        l.remove(QStringLiteral("seconds"));
        o.remove(QStringLiteral("files"));
        l.remove(QStringLiteral("files"));
        QVERIFY(o == l);

        // The text: batches and the explanations, one line per transaction's rows.
        const auto text = test::runCli({QStringLiteral("triage"), saved, QStringLiteral("-q"), QStringLiteral("--limit"), QStringLiteral("2")});
        QCOMPARE(text.exitCode, 3);
        QVERIFY2(text.out.contains("Bulk job " + jobId.toLatin1()) && text.out.contains("batches:") && text.out.contains("held by batch ") &&
                     text.out.contains("more lines: --limit 0"),
                 text.out.constData());

        // A Bulk API 2.0 job by id: its three result files, and why it cannot be explained by batch.
        const auto run2 = withOrg({QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.05"),
                                   QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--api"), QStringLiteral("bulk2"), QStringLiteral("--store"),
                                   jobStore, QStringLiteral("--json"), QStringLiteral("-q")});
        QVERIFY2(run2.exitCode == 0 || run2.exitCode == 3, run2.err.constData());
        QString ingestId;
        {
            auto s = JobStore::open(jobStore);
            QVERIFY(s.has_value());
            auto batches = (*s)->batches(2);
            QVERIFY(batches.has_value() && !batches->empty());
            ingestId = batches->front().remoteJob;
        }
        const auto live2 = withOrg({QStringLiteral("triage"), QStringLiteral("--org"), org.url, QStringLiteral("--job"), ingestId, QStringLiteral("--json"),
                                    QStringLiteral("-q")});
        QVERIFY2(live2.exitCode == run2.exitCode, live2.err.constData());
        const QJsonObject t2 = jsonOf(live2);
        QCOMPARE(t2.value(QStringLiteral("rows")).toInteger(), qint64(20000));
        QCOMPARE(t2.value(QStringLiteral("failed")).toInteger(), jsonOf(run2).value(QStringLiteral("failed")).toInteger());
        QVERIFY2(t2.value(QStringLiteral("notes")).toArray().first().toString().contains(QLatin1String("does not report the times")),
                 live2.out.left(2000).constData());

        // No such job; --org without --job.
        const auto none = withOrg({QStringLiteral("triage"), QStringLiteral("--org"), org.url, QStringLiteral("--job"), QStringLiteral("750000000000000AAA"), QStringLiteral("-q")});
        QCOMPARE(none.exitCode, 66);
        QVERIFY2(none.err.contains("750000000000000AAA"), none.err.constData());
        QCOMPARE(withOrg({QStringLiteral("triage"), QStringLiteral("--org"), org.url}).exitCode, 64);
        // An id that is not one never reaches a URL.
        const auto odd = withOrg({QStringLiteral("triage"), QStringLiteral("--org"), org.url, QStringLiteral("--job"), QStringLiteral("../../services/x"),
                                  QStringLiteral("-q")});
        QCOMPARE(odd.exitCode, 64);
        QVERIFY2(odd.err.contains("not a Bulk job id"), odd.err.constData());
        QCOMPARE(org.stop(), 0);
    }

    // A Bulk API 1.0 XML job's documents as Salesforce documents them (jobInfo, batchInfoList,
    // sObjects requests, results), written by hand: rows matched by order, the lock error of
    // the second batch explained by the first, which carried the same Account while it ran.
    // A result file with a row missing, and a folder without its batch list, are named.
    void bulk1XmlFolderByHand()
    {
        const QString dir = scratch.path(QStringLiteral("xml-job"));
        QVERIFY(QDir().mkpath(dir));
        scratch.write(QStringLiteral("xml-job/job.xml"),
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">"
                      "<id>750x0000000005LAAQ</id><operation>update</operation><object>Opportunity</object><state>Closed</state>"
                      "<concurrencyMode>Parallel</concurrencyMode><contentType>XML</contentType></jobInfo>");
        scratch.write(QStringLiteral("xml-job/batches.xml"),
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><batchInfoList xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">"
                      "<batchInfo><id>751x00000000079AAA</id><jobId>750x0000000005LAAQ</jobId><state>Completed</state>"
                      "<createdDate>2026-12-07T12:03:00.000Z</createdDate><systemModstamp>2026-12-07T12:03:21.000Z</systemModstamp>"
                      "<numberRecordsProcessed>2</numberRecordsProcessed><numberRecordsFailed>0</numberRecordsFailed>"
                      "<totalProcessingTime>11000</totalProcessingTime><apiActiveProcessingTime>10900</apiActiveProcessingTime>"
                      "<apexProcessingTime>0</apexProcessingTime></batchInfo>"
                      "<batchInfo><id>751x0000000007AAAQ</id><jobId>750x0000000005LAAQ</jobId><state>Completed</state>"
                      "<createdDate>2026-12-07T12:03:01.000Z</createdDate><systemModstamp>2026-12-07T12:03:23.000Z</systemModstamp>"
                      "<numberRecordsProcessed>2</numberRecordsProcessed><numberRecordsFailed>1</numberRecordsFailed>"
                      "<totalProcessingTime>10500</totalProcessingTime><apiActiveProcessingTime>10400</apiActiveProcessingTime>"
                      "<apexProcessingTime>0</apexProcessingTime></batchInfo></batchInfoList>");
        const auto request = [](const char *a, const char *b) {
            return QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sObjects xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">") +
                   "<sObject><Id>" + a + "</Id><AccountId>0015Q0fVgKiHvQ4QUK</AccountId><StageName>Closed Won</StageName></sObject>"
                   "<sObject><Id>" + b + "</Id><StageName>Prospecting</StageName><AccountId>0015Q0fX4slPztwQEC</AccountId></sObject></sObjects>";
        };
        scratch.write(QStringLiteral("xml-job/751x00000000079AAA-request.xml"), request("0065M0ITqWFV1J8QWL", "0065M0ITqZ98lJ9QWI"));
        scratch.write(QStringLiteral("xml-job/751x0000000007AAAQ-request.xml"), request("0065M0ITqc2mVJAQG2", "0065M0ITqewQFJBQG4"));
        scratch.write(QStringLiteral("xml-job/751x00000000079AAA-result.xml"),
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><results xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">"
                      "<result><id>0065M0ITqWFV1J8QWL</id><success>true</success><created>false</created></result>"
                      "<result><id>0065M0ITqZ98lJ9QWI</id><success>true</success><created>false</created></result></results>");
        const QString result2 = scratch.write(
            QStringLiteral("xml-job/751x0000000007AAAQ-result.xml"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><results xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">"
            "<result><errors><message>unable to obtain exclusive access to this record or 1 records: 0015Q0fVgKiHvQ4QUK</message>"
            "<statusCode>UNABLE_TO_LOCK_ROW</statusCode></errors><id></id><success>false</success><created>false</created></result>"
            "<result><id>0065M0ITqewQFJBQG4</id><success>true</success><created>false</created></result></results>");
        auto r = triage({dir});
        QVERIFY2(r.exitCode == 3, r.err.constData());
        QJsonObject t = jsonOf(r);
        QCOMPARE(t.value(QStringLiteral("object")).toString(), QStringLiteral("Opportunity"));
        QCOMPARE(t.value(QStringLiteral("rows")).toInteger(), qint64(4));
        QCOMPARE(t.value(QStringLiteral("failed")).toInteger(), qint64(1));
        QCOMPARE(t.value(QStringLiteral("lockedParents")).toArray().first().toObject().value(QStringLiteral("id")).toString(), QStringLiteral("0015Q0fVgKiHvQ4QUK"));
        const QJsonArray byBatch = t.value(QStringLiteral("byBatch")).toArray();
        QCOMPARE(byBatch.size(), 2);
        QCOMPARE(byBatch[1].toObject().value(QStringLiteral("lockErrors")).toInteger(), qint64(1));
        QCOMPARE(byBatch[1].toObject().value(QStringLiteral("firstRow")).toInteger(), qint64(3));
        const QJsonObject e = t.value(QStringLiteral("explanations")).toArray().first().toObject();
        QCOMPARE(e.value(QStringLiteral("row")).toInteger(), qint64(3));
        QCOMPARE(e.value(QStringLiteral("verdict")).toString(), QStringLiteral("held"));
        QCOMPARE(e.value(QStringLiteral("parent")).toString(), QStringLiteral("0015Q0fVgKiHvQ4QUK"));
        QCOMPARE(e.value(QStringLiteral("holder")).toObject().value(QStringLiteral("remote")).toString(), QStringLiteral("751x00000000079AAA"));
        QCOMPARE(e.value(QStringLiteral("holder")).toObject().value(QStringLiteral("start")).toString(), QStringLiteral("2026-12-07T12:03:10.000Z"));
        QCOMPARE(e.value(QStringLiteral("window")).toObject().value(QStringLiteral("start")).toString(), QStringLiteral("2026-12-07T12:03:12.500Z"));

        // The second batch's result with a row missing: its file named, and why.
        QFile cut(result2);
        QVERIFY(cut.open(QIODevice::WriteOnly | QIODevice::Truncate));
        cut.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><results xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">"
                  "<result><id>0065M0ITqewQFJBQG4</id><success>true</success><created>false</created></result></results>");
        cut.close();
        r = triage({dir});
        QCOMPARE(r.exitCode, 65);
        QVERIFY2(r.err.contains("751x0000000007AAAQ-result.xml") && r.err.contains("1 results for 2 rows"), r.err.constData());
        // Without its batch list.
        QVERIFY(QFile::remove(dir + QStringLiteral("/batches.xml")));
        r = triage({dir});
        QCOMPARE(r.exitCode, 66);
        QVERIFY2(r.err.contains("batches.xml"), r.err.constData());
        // A folder that is not a job's.
        r = triage({scratch.path(QStringLiteral("results"))});
        QCOMPARE(r.exitCode, 66);
        QVERIFY2(r.err.contains("not a Bulk job's documents"), r.err.constData());
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

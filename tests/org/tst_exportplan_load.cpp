// The files of `lockstep-cli export-plan -m lanes` loaded the way its manifest says — each file
// its own Bulk API 1.0 job in the mode it names, the files of a step at the same time — by a
// plain client (cut every batch-size rows, as Data Loader does) against the demo org in a child
// process: no row fails on a lock, and every row is written. The same rows sent as one parallel
// job, as they are, do fail on locks: the export is what makes the difference.
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "load/LoadFile.h"
#include "org/OrgClient.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <chrono>
#include <thread>

using namespace lockstep;

namespace {

// What one Bulk job did: its rows' outcomes, or why it could not run.
struct JobOutcome {
    QString file;
    qint64 rows = 0;
    qint64 succeeded = 0;
    qint64 lockErrors = 0;
    QStringList otherErrors;
    QString failure;
};

// Loads one CSV file as one Bulk API 1.0 insert job: batches of `batchRows` rows in file order
// (the header on each), every batch uploaded at once, then polled until the job has no work.
// Sforce-Disable-Batch-Retry is sent, so a lock the platform would quietly re-queue is seen.
JobOutcome loadFile(const QString &url, const QByteArray &token, const QString &path, bool serial, int batchRows)
{
    JobOutcome out;
    out.file = QFileInfo(path).fileName();
    auto file = LoadFile::open(path);
    if (!file || !file->scan({}).has_value()) {
        out.failure = QStringLiteral("cannot read ") + path;
        return out;
    }
    out.rows = file->rowCount();
    auto client = OrgClient::create({url, token});
    if (!client) {
        out.failure = client.error().message;
        return out;
    }
    const auto job = client->createBulkJob(QStringLiteral("Opportunity"), Operation::Insert, serial);
    if (!job) {
        out.failure = job.error().message;
        return out;
    }
    const std::string_view header = file->rawHeader();
    qint64 batches = 0;
    for (qint64 first = 0; first < file->rowCount(); first += batchRows, ++batches) {
        QByteArray csv(header.data(), qsizetype(header.size()));
        csv += '\n';
        for (qint64 r = first; r < std::min(file->rowCount(), first + batchRows); ++r) {
            const std::string_view raw = file->rawRecord(r);
            csv.append(raw.data(), qsizetype(raw.size()));
            csv += '\n';
        }
        if (const auto b = client->addBulkBatch(job->id, csv, true); !b) {
            out.failure = b.error().message;
            return out;
        }
    }
    if (const auto closed = client->closeBulkJob(job->id); !closed) {
        out.failure = closed.error().message;
        return out;
    }
    const QDeadlineTimer deadline(std::chrono::seconds(120));
    for (;;) {
        const auto info = client->bulkJob(job->id);
        if (!info) {
            out.failure = info.error().message;
            return out;
        }
        if (!info->hasWork() && info->batchesTotal == batches)
            break;
        if (deadline.hasExpired()) {
            out.failure = QStringLiteral("job %1 still has work after 120 s").arg(job->id);
            return out;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));   // the poll's pace, not a wait for an outcome
    }
    const auto list = client->bulkBatches(job->id);
    if (!list) {
        out.failure = list.error().message;
        return out;
    }
    for (const auto &b : *list) {
        const auto results = client->bulkBatchResult(job->id, b.id);
        if (!results) {
            out.failure = results.error().message;
            return out;
        }
        for (const auto &r : *results) {
            if (r.success) {
                ++out.succeeded;
                continue;
            }
            const QString code = r.errors.empty() ? QStringLiteral("?") : r.errors.front().statusCode;
            if (code == QLatin1String("UNABLE_TO_LOCK_ROW"))
                ++out.lockErrors;
            else if (out.otherErrors.size() < 5)
                out.otherErrors << code;
        }
    }
    return out;
}

// Runs the files of one step side by side, one thread (and one client) each.
std::vector<JobOutcome> loadTogether(const QString &url, const QByteArray &token, const QStringList &paths,
                                     const QList<bool> &serial, int batchRows)
{
    std::vector<JobOutcome> outcomes(size_t(paths.size()));
    {
        std::vector<std::jthread> threads;
        for (qsizetype i = 0; i < paths.size(); ++i)
            threads.emplace_back([&, i] { outcomes[size_t(i)] = loadFile(url, token, paths[i], serial[i], batchRows); });
    }
    return outcomes;
}

} // namespace

class TestExportPlanLoad : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    QString file;
    static constexpr qint64 kRows = 12000;

    qint64 opportunities(test::DemoOrgProcess &org)
    {
        auto client = OrgClient::create({org.url, org.token.toLatin1()});
        const auto rows = client->query(QStringLiteral("SELECT Id FROM Opportunity"));
        return rows ? qint64(rows->size()) : -1;
    }

private slots:
    void initTestCase()
    {
        // Inserts of 12,000 Opportunities over 150 Accounts, one of them holding 3,000, in
        // random order: parallel batches meet on Accounts all the time.
        SampleOptions o;
        o.operation = Operation::Insert;
        o.rows = kRows;
        o.parents = 150;
        o.houseAccountRows = 3000;
        o.seed = 21;
        file = scratch.sample(QStringLiteral("opps.csv"), o);
    }

    void lanesFilesLoadWithoutLockErrors()
    {
        const QString dir = scratch.path(QStringLiteral("export"));
        const auto exported = test::runCli({QStringLiteral("export-plan"), file, QStringLiteral("-m"), QStringLiteral("lanes"),
                                            QStringLiteral("--object"), QStringLiteral("Opportunity"), QStringLiteral("-o"), dir,
                                            QStringLiteral("--json"), QStringLiteral("-q")});
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        const QJsonObject manifest = QJsonDocument::fromJson(exported.out).object();
        QCOMPARE(manifest.value(QStringLiteral("rows")).toInteger(), kRows);
        const int batchRows = manifest.value(QStringLiteral("batchSize")).toInt();
        QMap<QString, bool> serialOf;
        for (const auto &v : manifest.value(QStringLiteral("files")).toArray()) {
            const QJsonObject f = v.toObject();
            serialOf.insert(f.value(QStringLiteral("file")).toString(), f.value(QStringLiteral("concurrencyMode")).toString() == QLatin1String("Serial"));
        }
        QVERIFY(serialOf.size() > 1);

        test::DemoOrgProcess org;
        QVERIFY2(org.start({"--scale", "0.02", "--seed-from", file}), qPrintable(org.error()));
        const qint64 before = opportunities(org);
        qint64 succeeded = 0, files = 0;
        for (const auto &s : manifest.value(QStringLiteral("steps")).toArray()) {
            QStringList paths;
            QList<bool> serial;
            for (const auto &name : s.toObject().value(QStringLiteral("files")).toArray()) {
                paths << QDir(dir).filePath(name.toString());
                serial << serialOf.value(name.toString());
            }
            for (const JobOutcome &o : loadTogether(org.url, org.token.toLatin1(), paths, serial, batchRows)) {
                QVERIFY2(o.failure.isEmpty(), qPrintable(o.file + QStringLiteral(": ") + o.failure));
                QVERIFY2(o.lockErrors == 0, qPrintable(QStringLiteral("%1: %2 rows failed on a lock").arg(o.file).arg(o.lockErrors)));
                QVERIFY2(o.otherErrors.isEmpty(), qPrintable(o.file + QStringLiteral(": ") + o.otherErrors.join(u',')));
                QCOMPARE(o.succeeded, o.rows);
                succeeded += o.succeeded;
                ++files;
            }
        }
        QCOMPARE(files, qint64(serialOf.size()));
        QCOMPARE(succeeded, kRows);
        QCOMPARE(opportunities(org), before + kRows);   // every row written, once
        QCOMPARE(org.stop(), 0);
    }

    void theSameRowsAsOneParallelJobCollide()
    {
        // The control: the source file as it is, one parallel job, the same client and org.
        test::DemoOrgProcess org;
        QVERIFY2(org.start({"--scale", "0.02", "--seed-from", file}), qPrintable(org.error()));
        // Batches of 200 rows: 60 of them in the job's queue, many in flight at once.
        const auto outcomes = loadTogether(org.url, org.token.toLatin1(), {file}, {false}, 200);
        QVERIFY2(outcomes.front().failure.isEmpty(), qPrintable(outcomes.front().failure));
        qInfo("one parallel job: %lld of %lld rows failed on a lock", outcomes.front().lockErrors, outcomes.front().rows);
        QVERIFY2(outcomes.front().lockErrors > 0, "a parallel job of these rows should have failed some on locks");
        QCOMPARE(org.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestExportPlanLoad)
#include "tst_exportplan_load.moc"

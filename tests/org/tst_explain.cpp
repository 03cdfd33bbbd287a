// `lockstep-cli explain JOB` (issue 12): parallel runs of the 90,000-row calibration file against
// a served demo org, through sObject Collections, Bulk API 1.0 and Bulk API 2.0, end with
// thousands of UNABLE_TO_LOCK_ROW. For every one of them the explanation is checked against
// what the job store recorded, read back independently of the explainer:
//  - REST and Bulk 1.0: it names a holding batch that is another batch of the same job, that
//    carried a row locking the parent the org's message names, whose recorded window is the one
//    shown and overlaps the failed row's batch's recorded window;
//  - Bulk 2.0 (one ingest job): it says the holder was another part of the same job, untimed.
// Then a retry's lock errors are explained from the retry's run, and the usage errors.
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "common/Format.h"
#include "store/JobStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QtTest>

#include <map>

using namespace lockstep;

namespace {

struct Cli {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

struct Window {
    qint64 start = 0, end = 0;
};

// What the store says about a job, read through its public interface: each batch's window (the
// org's processing times where recorded, else the request's), the parents each batch carried,
// each row's batch, and the Bulk job each batch went in.
struct Recorded {
    std::map<int, Window> windows;
    std::map<int, QSet<QString>> parentsOfBatch;   // 15-character Ids
    std::map<qint64, int> batchOfRow;               // 1-based row
    std::map<qint64, QString> messageOfRow;
    std::map<int, QString> remoteJob;
    qint64 lockErrors = 0;
};

QString id15(const QString &id)
{
    return id.size() == 18 ? id.left(15) : id;
}

} // namespace

class TestExplain : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    test::DemoOrgProcess org;
    QString file, store;
    int jobs = 0;

    Cli cli(const QStringList &arguments)
    {
        QProcess p;
        p.setProcessEnvironment(org.cliEnvironment());
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"), arguments + QStringList{QStringLiteral("--store"), store});
        Cli r;
        if (!p.waitForFinished(600000)) {
            p.kill();
            p.waitForFinished();
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    qint64 runParallel(const QString &api)
    {
        const Cli run = cli({QStringLiteral("run"), file, QStringLiteral("--org"), org.url, QStringLiteral("--scale"), QStringLiteral("0.05"),
                             QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--api"), api, QStringLiteral("--json"), QStringLiteral("-q")});
        if (run.exitCode != 3) {
            qWarning("run %s: exit %d: %s", qPrintable(api), run.exitCode, run.err.constData());
            return 0;
        }
        qInfo("%s parallel: %lld lock errors", qPrintable(api), run.json().value(QStringLiteral("lockErrors")).toInteger());
        return run.json().value(QStringLiteral("job")).toInteger();
    }

    static Recorded recorded(qint64 job, const QString &storePath)
    {
        Recorded r;
        auto s = JobStore::open(storePath);
        if (!s)
            return r;
        auto windows = (*s)->batchWindows(job);
        if (windows)
            for (const BatchWindow &w : *windows) {
                const bool org = w.orgStartedMs > 0 && w.orgEndedMs > 0;
                r.windows[w.batch] = org ? Window{w.orgStartedMs, w.orgEndedMs}
                                         : Window{w.sentMs, w.orgEndedMs > 0 ? std::min(w.orgEndedMs, w.answeredMs) : w.answeredMs};
            }
        if (auto batches = (*s)->batches(job); batches)
            for (const JobBatchSpec &b : *batches)
                r.remoteJob[b.number] = b.remoteJob;
        (void)(*s)->scanRows(job, [&](const JobStore::RowScan &row) {
            r.batchOfRow[row.row + 1] = row.batch;
            for (const QString &p : row.lockKeys.split(QLatin1Char(';'), Qt::SkipEmptyParts))
                r.parentsOfBatch[row.batch].insert(id15(p));
            if (row.status == RowStatus::Failed && row.code == QLatin1String("UNABLE_TO_LOCK_ROW")) {
                ++r.lockErrors;
                r.messageOfRow[row.row + 1] = row.message;
            }
        });
        return r;
    }

    // Every row's explanation against the store's record of `job` (whose run the rows failed in).
    // `severalHolders`: thousands of lock errors of a parallel run are not all one batch's doing
    // (a retry's few may be).
    static void checkHeld(const QJsonObject &explained, const Recorded &rec, qint64 job, qint64 expectedRows, bool severalHolders)
    {
        const QJsonArray rows = explained.value(QStringLiteral("rows")).toArray();
        QCOMPARE(qint64(rows.size()), expectedRows);
        QSet<int> holders;
        for (const QJsonValue &v : rows) {
            const QJsonObject e = v.toObject();
            if (e.value(QStringLiteral("job")).toInteger() != job)
                continue;
            const qint64 row = e.value(QStringLiteral("row")).toInteger();
            const QString what = QStringLiteral("row %1: %2").arg(row).arg(e.value(QStringLiteral("text")).toString());
            QVERIFY2(e.value(QStringLiteral("verdict")).toString() == QLatin1String("held"), qPrintable(what));
            const int batch = e.value(QStringLiteral("batch")).toInt();
            QVERIFY2(rec.batchOfRow.count(row) && rec.batchOfRow.at(row) == batch, qPrintable(what + QStringLiteral(" — not the row's batch")));
            // The parent is the one the org's message named.
            const QString parent = e.value(QStringLiteral("parent")).toString();
            QVERIFY2(e.value(QStringLiteral("parentFromMessage")).toBool() && rec.messageOfRow.at(row).contains(id15(parent)),
                     qPrintable(what + QStringLiteral(" — the message says ") + rec.messageOfRow.at(row)));
            // The row's window is its batch's recorded one.
            QVERIFY2(rec.windows.count(batch), qPrintable(what + QStringLiteral(" — its batch has no recorded window")));
            const Window mine = rec.windows.at(batch);
            const QJsonObject w = e.value(QStringLiteral("window")).toObject();
            QVERIFY2(w.value(QStringLiteral("startMs")).toInteger() == mine.start && w.value(QStringLiteral("endMs")).toInteger() == mine.end,
                     qPrintable(what + QStringLiteral(" — window differs from the store's")));
            // The holder: another batch of the job, which carried the parent, in a recorded window
            // that is the one shown and overlaps the row's.
            const QJsonObject h = e.value(QStringLiteral("holder")).toObject();
            const int holder = h.value(QStringLiteral("batch")).toInt(-1);
            QVERIFY2(holder >= 0 && holder != batch, qPrintable(what));
            QVERIFY2(rec.parentsOfBatch.count(holder) && rec.parentsOfBatch.at(holder).contains(id15(parent)),
                     qPrintable(what + QStringLiteral(" — the holder never carried that parent")));
            QVERIFY2(rec.windows.count(holder), qPrintable(what + QStringLiteral(" — the holder has no recorded window")));
            const Window theirs = rec.windows.at(holder);
            QVERIFY2(h.value(QStringLiteral("startMs")).toInteger() == theirs.start && h.value(QStringLiteral("endMs")).toInteger() == theirs.end,
                     qPrintable(what + QStringLiteral(" — holder's window differs from the store's")));
            QVERIFY2(std::max(mine.start, theirs.start) < std::min(mine.end, theirs.end), qPrintable(what + QStringLiteral(" — the windows do not overlap")));
            QVERIFY2(e.value(QStringLiteral("text")).toString().contains(QStringLiteral("held by batch %1 ").arg(holder)), qPrintable(what));
            holders.insert(holder);
        }
        if (severalHolders)
            QVERIFY2(holders.size() > 1, "every lock error blamed on one batch");
    }

private slots:
    void initTestCase()
    {
        file = scratch.sample(QStringLiteral("case-a.csv"), test::caseA());
        store = scratch.path(QStringLiteral("jobs.sqlite"));
        QVERIFY2(org.start({QStringLiteral("--scale"), QStringLiteral("0.05"), QStringLiteral("--seed-from"), file}), qPrintable(org.error()));
    }

    void parallelRunsEveryLockErrorHasAHolder_data()
    {
        QTest::addColumn<QString>("api");
        QTest::newRow("sObject Collections") << QStringLiteral("rest");
        QTest::newRow("Bulk API 1.0") << QStringLiteral("bulk1");
    }

    void parallelRunsEveryLockErrorHasAHolder()
    {
        QFETCH(QString, api);
        const qint64 job = runParallel(api);
        QVERIFY(job > 0);
        const Recorded rec = recorded(job, store);
        QVERIFY2(rec.lockErrors > 1000, "the parallel run should have thousands of lock errors");
        const Cli explained = cli({QStringLiteral("explain"), QString::number(job), QStringLiteral("--json")});
        QCOMPARE(explained.exitCode, 0);
        const QJsonObject j = explained.json();
        QCOMPARE(j.value(QStringLiteral("lockErrors")).toInteger(), rec.lockErrors);
        QCOMPARE(j.value(QStringLiteral("verdicts")).toObject().value(QStringLiteral("held")).toInteger(), rec.lockErrors);
        checkHeld(j, rec, job, rec.lockErrors, true);
        if (QTest::currentTestFailed())
            return;

        // The text: counts, the batches that held most, and the first rows.
        const Cli text = cli({QStringLiteral("explain"), QString::number(job), QStringLiteral("--limit"), QStringLiteral("3")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("held by another batch of the job: " + grouped(rec.lockErrors).toUtf8()), text.out.constData());
        QVERIFY2(text.out.contains("batches that held the most: batch "), text.out.constData());
        QCOMPARE(text.out.count("held by batch "), 3);
        QVERIFY2(text.out.contains(" more lines: --limit 0 for all"), text.out.constData());

        // Rows named: those rows only (a lock error and a row that succeeded, which has nothing to explain).
        const qint64 failedRow = rec.messageOfRow.begin()->first;
        qint64 okRow = 1;
        while (rec.messageOfRow.count(okRow))
            ++okRow;
        const Cli some = cli({QStringLiteral("explain"), QString::number(job), QString::number(failedRow), QString::number(okRow), QStringLiteral("--json")});
        QCOMPARE(some.exitCode, 0);
        const QJsonArray rows = some.json().value(QStringLiteral("rows")).toArray();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].toObject().value(QStringLiteral("row")).toInteger(), failedRow);
        ++jobs;
    }

    void bulk2OneJobSaysTheHolderIsUntimed()
    {
        const qint64 job = runParallel(QStringLiteral("bulk2"));
        QVERIFY(job > 0);
        const Recorded rec = recorded(job, store);
        QVERIFY(rec.lockErrors > 0);
        const Cli explained = cli({QStringLiteral("explain"), QString::number(job), QStringLiteral("--json")});
        QCOMPARE(explained.exitCode, 0);
        const QJsonArray rows = explained.json().value(QStringLiteral("rows")).toArray();
        QCOMPARE(qint64(rows.size()), rec.lockErrors);
        for (const QJsonValue &v : rows) {
            const QJsonObject e = v.toObject();
            const QString what = e.value(QStringLiteral("text")).toString();
            QVERIFY2(e.value(QStringLiteral("verdict")).toString() == QLatin1String("sameIngestJob"), qPrintable(what));
            const int batch = e.value(QStringLiteral("batch")).toInt();
            QCOMPARE(e.value(QStringLiteral("ingestJob")).toString(), rec.remoteJob.at(batch));
            QVERIFY2(what.contains(QLatin1String("does not time them")), qPrintable(what));
        }
    }

    void retriedRowsAreExplainedFromTheRetry()
    {
        // Bulk 1.0 parallel, then its lock errors again in parallel through REST: those still
        // failing are explained from the retry's batches and windows.
        const qint64 job = runParallel(QStringLiteral("bulk1"));
        QVERIFY(job > 0);
        const Cli retry = cli({QStringLiteral("retry"), QString::number(job), QStringLiteral("--only"), QStringLiteral("UNABLE_TO_LOCK_ROW"),
                               QStringLiteral("-m"), QStringLiteral("parallel"), QStringLiteral("--api"), QStringLiteral("rest"), QStringLiteral("--json"),
                               QStringLiteral("-q")});
        QVERIFY2(retry.exitCode == 0 || retry.exitCode == 3, retry.err.constData());
        const QJsonArray passes = retry.json().value(QStringLiteral("passes")).toArray();
        QCOMPARE(passes.size(), 1);
        const qint64 child = passes[0].toObject().value(QStringLiteral("job")).toInteger();
        QVERIFY(child > job);
        const Recorded parent = recorded(job, store);
        const Recorded fromRetry = recorded(child, store);
        QCOMPARE(parent.lockErrors, fromRetry.lockErrors);   // folded: the parent's failures are the retry's
        const Cli explained = cli({QStringLiteral("explain"), QString::number(job), QStringLiteral("--json")});
        QCOMPARE(explained.exitCode, 0);
        const QJsonArray rows = explained.json().value(QStringLiteral("rows")).toArray();
        QCOMPARE(qint64(rows.size()), parent.lockErrors);
        for (const QJsonValue &v : rows)
            QCOMPARE(v.toObject().value(QStringLiteral("job")).toInteger(), child);
        if (fromRetry.lockErrors > 0) {
            checkHeld(explained.json(), fromRetry, child, fromRetry.lockErrors, false);
            QVERIFY(rows[0].toObject().value(QStringLiteral("text")).toString().contains(QStringLiteral("in retry job %1").arg(child)));
        } else {
            qInfo("the parallel retry left no lock error: nothing to explain from it");
        }
    }

    void usage()
    {
        QCOMPARE(cli({QStringLiteral("explain")}).exitCode, 64);
        QCOMPARE(cli({QStringLiteral("explain"), QStringLiteral("x")}).exitCode, 64);
        QCOMPARE(cli({QStringLiteral("explain"), QStringLiteral("1"), QStringLiteral("7-3")}).exitCode, 64);
        QCOMPARE(cli({QStringLiteral("explain"), QStringLiteral("1"), QStringLiteral("--limit"), QStringLiteral("-2")}).exitCode, 64);
        const Cli beyond = cli({QStringLiteral("explain"), QStringLiteral("1"), QStringLiteral("90001")});
        QCOMPARE(beyond.exitCode, 64);
        QVERIFY2(beyond.err.contains("rows 1 to 90000"), beyond.err.constData());
        const Cli none = cli({QStringLiteral("explain"), QStringLiteral("999")});
        QCOMPARE(none.exitCode, 66);
        QVERIFY2(none.err.contains("999"), none.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestExplain)
#include "tst_explain.moc"

// The run, end to end, as a user meets it: `lockstep-cli run` sends the 90,000-row calibration
// file (case A: 90,000 Opportunities over 5,000 Accounts, Zipf 0.6) to a demo org in its own
// process over HTTP, through each API with each mitigation. For every run:
//  - the job store accounts for every row (succeeded or failed, none unknown or unsent);
//  - row by row, the store, the demo org's write log and the result files agree: a succeeded row
//    has exactly one committed write of its record and is in the success file; a failed row has
//    none and is in the error file with its UNABLE_TO_LOCK_ROW message;
//  - the run's report puts the prediction for the same plan beside what happened, and the two
//    agree within calibration.md's tolerance (means over several runs where errors vary);
//  - parallel ends non-zero naming UNABLE_TO_LOCK_ROW; lanes end 0 with no lock error in at most
//    1.05× the parallel run's wall time.
// One table per API is printed (and saved beside the test's output for the README).
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QtTest>

#include <cmath>
#include <map>
#include <memory>

using namespace lockstep;

namespace {

// Serial runs take ~2,440 platform seconds: at 0.024 about a minute here, as in
// tst_calibration_demoorg. Everything else at the demo org's default, 0.05.
constexpr double kSerialScale = 0.024;
constexpr double kScale = 0.05;
// One run's lock errors vary about ±12 % on their own (calibration.md), and some plans spread
// wider: REST parallel 8,400–14,800 a run, Bulk 1.0 small batches 9,600–15,000, Bulk 2.0 small
// batches (180 jobs of 500 rows) 6,800–13,300. Plans with errors are compared as means, in two
// looks: after kFirstLook runs (calibration.md's "≥ 5") a mean within kFirstLookTolerance of the
// prediction agrees; one that is not — a five-run mean's standard error is 6–8 % of it — runs on
// to the case's full count (a standard error near 3–4 %), whose mean is held to the ±15 %. The
// first look is tighter than the tolerance, so stopping early passes no mean the full count would
// have failed often: it saves about twenty 10-s runs when the org and the predictor agree.
constexpr int kFirstLook = 5;
constexpr double kFirstLookTolerance = 0.10;
constexpr int kRestParallelRuns = 10;
constexpr int kBulk1SmallRuns = 10;
constexpr int kBulk2SmallRuns = 15;
constexpr int kRunsWithErrors = 10;  // Bulk parallel: 10,400–14,000 a run (Bulk 1.0)
// Lanes have no lock errors to average, but one run's duration is one run's: a 543-call REST run
// took 186 s once beside its 168 s prediction while another process was busy on the same two
// cores. The ≤ 1.05× parallel check compares means of three (about 9 s each).
constexpr int kLanesRuns = 3;

struct Case {
    QString mitigation;   // as `-m` takes it
    int runs = 1;         // plans with errors: the full count, after a first look at kFirstLook
    double scale = 0;     // 0: kScale (serial: kSerialScale)
};

// A REST call's own time on either side of the org — the runner's request, the loopback transport
// and the demo org's answer, 1–2 ms of CPU a call here — is real and not scaled: at 0.05 it counts
// twenty times over against 0.14 s round trips, and plans of thousands of small calls ran 8–18 %
// long on slower machines. Small batches (9,000 calls of 10 rows) run at 0.1, where it counts half.
// The per-parent queue's 5,032 calls, 335 in a row on each of 15 workers, ran 3 % long here at 0.1
// and 18 % long on CI (2026-12-08): it runs at 0.2. (REST parallel stays at 0.05: at 0.1 its
// 200-row calls collided ~10 % more than the predictor says, at 0.05 within 3 % — docs/runner.md.)
constexpr double kRestScale = 0.1;
constexpr double kQueueScale = 0.2;

// Bulk API 2.0 parallel is one job whose 90,000 results the runner downloads and matches back to
// rows after it is done: about a second of real work, which at 0.05 counts as 20 platform seconds
// (7 % of the run). At 0.1 it counts half as much.
constexpr double kOneJobScale = 0.1;

struct RunOutcome {
    int exitCode = -1;
    QJsonObject report;   // run --json
    double lockErrors = 0;
    double observedSeconds = 0;
    double wallSeconds = 0;
    QString orgTiming;    // how well the demo org kept the model's time during the run
    double processSeconds = 0;   // `lockstep-cli run` from start to exit, as the test saw it
    double checkSeconds = 0;     // the row-by-row checks after it
};

// One row of `export --format full`: its status and the Id the source row carries.
struct ReportRow {
    QString status;
    QString key;
    QString code;
};

QList<QStringList> readCsv(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return test::parseCsvReference(f.readAll());
}

} // namespace

class TestRunCalibration : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    QString m_file;
    std::map<double, std::unique_ptr<test::DemoOrgProcess>> m_orgs;   // by scale, seeded once
    QStringList m_tables;
    int m_runNumber = 0;

    test::DemoOrgProcess *org(double scale)
    {
        auto &o = m_orgs[scale];
        if (!o) {
            o = std::make_unique<test::DemoOrgProcess>();
            if (!o->start({QStringLiteral("--scale"), QString::number(scale), QStringLiteral("--seed"), QStringLiteral("11"),
                           QStringLiteral("--seed-from"), m_file})) {
                qWarning("demo org: %s", qPrintable(o->error()));
                o.reset();
                return nullptr;
            }
        }
        return o.get();
    }

    static test::ProcessResult cli(const test::DemoOrgProcess &o, const QStringList &arguments, int timeoutMs = 600000)
    {
        QProcess p;
        p.setProcessEnvironment(o.cliEnvironment());   // username-password: the runner renews, no secret on the command line
        p.start(qEnvironmentVariable("LOCKSTEP_CLI"), arguments);
        test::ProcessResult r;
        r.timedOut = !p.waitForFinished(timeoutMs);
        if (r.timedOut)
            p.kill();
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    // Committed writes per Opportunity Id since the last reset.
    static QHash<QString, qint64> writeLog(const test::DemoOrgProcess &o)
    {
        test::RawHttp http(o.url, o.token);
        const QJsonObject log = test::jsonOf(http.get(QStringLiteral("/lockstep/writes?sobject=Opportunity"))).object();
        QHash<QString, qint64> out;
        const QJsonObject writes = log.value(QStringLiteral("writes")).toObject();
        for (auto it = writes.begin(); it != writes.end(); ++it)
            out.insert(it.key(), qint64(it.value().toDouble()));
        return out;
    }

    static bool resetWriteLog(const test::DemoOrgProcess &o)
    {
        test::RawHttp http(o.url, o.token);
        return http.send("DELETE", QStringLiteral("/lockstep/writes?sobject=Opportunity")).status == 204;
    }

    static QJsonObject orgStatus(const test::DemoOrgProcess &o)
    {
        test::RawHttp http(o.url, o.token);
        return test::jsonOf(http.get(QStringLiteral("/lockstep/status"))).object();
    }

    // The demo org's own account of a run (GET /lockstep/status before and after): when a run
    // disagrees with the predictor on one machine and not another, this says whether the org's
    // threads kept the model's schedule there (late: uncontended commits after their due time;
    // lock walk late: the furthest a walk fell behind; overrun: real work beyond the model's time
    // before the first lock).
    static QString timingDuring(const QJsonObject &before, const QJsonObject &after)
    {
        const auto delta = [&](const QString &group, const QString &key) {
            return after.value(group).toObject().value(key).toDouble() - before.value(group).toObject().value(key).toDouble();
        };
        const double transactions = after.value(QStringLiteral("committedTransactions")).toDouble() -
                                    before.value(QStringLiteral("committedTransactions")).toDouble();
        const double per = transactions > 0 ? transactions : 1;
        const auto perCommit = [&](const QString &key) { return delta(QStringLiteral("transactionMs"), key) / per; };
        return QStringLiteral("org: %1 commits, late %2 ms, lock walk late %3 ms, overrun %4 ms, commit wait %5 ms a commit; %6 waits, %7 deadlocks")
            .arg(transactions)
            .arg(perCommit(QStringLiteral("late")), 0, 'f', 3)
            .arg(perCommit(QStringLiteral("walkLate")), 0, 'f', 3)
            .arg(perCommit(QStringLiteral("overrun")), 0, 'f', 3)
            .arg(perCommit(QStringLiteral("commitWait")), 0, 'f', 3)
            .arg(delta(QStringLiteral("lockRequests"), QStringLiteral("waited")))
            .arg(delta(QStringLiteral("lockRequests"), QStringLiteral("deadlocks")));
    }

    // Every row of the job as `export --format full` reports it, in file order.
    std::vector<ReportRow> fullReport(const test::DemoOrgProcess &o, const QString &store)
    {
        const QString dir = scratch.path(QStringLiteral("report-%1").arg(m_runNumber));
        QDir().mkpath(dir);
        const auto r = cli(o, {QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--store"), store, QStringLiteral("--results"), dir,
                               QStringLiteral("--format"), QStringLiteral("full")});
        if (r.exitCode != 0) {
            qWarning("export: %s", r.err.constData());
            return {};
        }
        const QStringList files = QDir(dir).entryList({QStringLiteral("*-report.csv")});
        if (files.size() != 1)
            return {};
        const QList<QStringList> table = readCsv(QDir(dir).filePath(files.first()));
        if (table.isEmpty())
            return {};
        const QStringList &header = table.first();
        const int status = int(header.indexOf(QStringLiteral("STATUS")));
        const int key = int(header.indexOf(QStringLiteral("Id")));
        const int code = int(header.indexOf(QStringLiteral("STATUS_CODE")));
        std::vector<ReportRow> rows;
        for (qsizetype i = 1; i < table.size(); ++i)
            if (table[i].size() == header.size())
                rows.push_back({table[i][status], table[i][key], code >= 0 ? table[i][code] : QString()});
        return rows;
    }

    // The success and error files the run wrote: the Ids each holds, and the error texts.
    struct ResultFileRows {
        QSet<QString> succeeded, failed;
        QStringList errors;
        qint64 successRows = 0, errorRows = 0;
    };
    static ResultFileRows resultFiles(const QJsonObject &report)
    {
        ResultFileRows out;
        for (const QJsonValue &v : report.value(QStringLiteral("resultFiles")).toArray()) {
            const QString path = v.toString();
            const QList<QStringList> table = readCsv(path);
            if (table.isEmpty())
                continue;
            const QStringList &header = table.first();
            const bool success = path.endsWith(QLatin1String("-success.csv")) || path.endsWith(QLatin1String("-success-records.csv"));
            const int key = int(header.indexOf(QStringLiteral("Id")));
            int error = int(header.indexOf(QStringLiteral("ERROR")));
            if (error < 0)
                error = int(header.indexOf(QStringLiteral("sf__Error")));
            for (qsizetype i = 1; i < table.size(); ++i) {
                const QStringList &row = table[i];
                if (key < 0 || row.size() != header.size())
                    continue;
                (success ? out.succeeded : out.failed).insert(row[key]);
                ++(success ? out.successRows : out.errorRows);
                if (!success && error >= 0)
                    out.errors << row[error];
            }
        }
        return out;
    }

    // One run of `mitigation` through `api`, checked row by row.
    RunOutcome runOnce(const QString &api, const QString &mitigation, double scale, const QString &format)
    {
        RunOutcome out;
        test::DemoOrgProcess *o = org(scale);
        if (!o)
            return out;
        ++m_runNumber;
        const QString store = scratch.path(QStringLiteral("run-%1.sqlite").arg(m_runNumber));
        const QString results = scratch.path(QStringLiteral("results-%1").arg(m_runNumber));
        QDir().mkpath(results);
        if (!resetWriteLog(*o)) {
            qWarning("the write log could not be reset");
            return out;
        }
        const QJsonObject statusBefore = orgStatus(*o);
        QElapsedTimer clock;
        clock.start();
        const auto r = cli(*o, {QStringLiteral("run"), m_file, QStringLiteral("--org"), o->url, QStringLiteral("--scale"), QString::number(scale),
                                QStringLiteral("--object"), QStringLiteral("Opportunity"), QStringLiteral("--operation"), QStringLiteral("update"),
                                QStringLiteral("--api"), api, QStringLiteral("-m"), mitigation, QStringLiteral("--store"), store,
                                QStringLiteral("--results"), results, QStringLiteral("--format"), format, QStringLiteral("--json"),
                                QStringLiteral("-q")});
        out.processSeconds = double(clock.restart()) / 1000;
        out.exitCode = r.exitCode;
        out.report = QJsonDocument::fromJson(r.out).object();
        if (out.report.isEmpty()) {
            qWarning("%s %s: exit %d, no report: %s", qPrintable(api), qPrintable(mitigation), r.exitCode, r.err.right(800).constData());
            return out;
        }
        out.orgTiming = timingDuring(statusBefore, orgStatus(*o));
        const QJsonObject &j = out.report;
        out.lockErrors = j.value(QStringLiteral("lockErrors")).toDouble();
        out.observedSeconds = j.value(QStringLiteral("observedSeconds")).toDouble();
        out.wallSeconds = j.value(QStringLiteral("wallSeconds")).toDouble();
        const QString what = QStringLiteral("%1 %2 run %3").arg(api, mitigation).arg(m_runNumber);

        // The store accounts for every row: succeeded or failed on a lock, nothing else.
        const qint64 rows = qint64(j.value(QStringLiteral("rows")).toDouble());
        const qint64 succeeded = qint64(j.value(QStringLiteral("succeeded")).toDouble());
        const qint64 failed = qint64(j.value(QStringLiteral("failed")).toDouble());
        [&] {
            QCOMPARE(rows, qint64(90000));
            QCOMPARE(qint64(j.value(QStringLiteral("unknown")).toDouble()), qint64(0));
            QCOMPARE(qint64(j.value(QStringLiteral("pending")).toDouble()), qint64(0));
            QCOMPARE(succeeded + failed, rows);
            const QJsonObject byCode = j.value(QStringLiteral("errorsByCode")).toObject();
            for (auto it = byCode.begin(); it != byCode.end(); ++it)
                QVERIFY2(it.key() == QLatin1String("UNABLE_TO_LOCK_ROW"),
                         qPrintable(QStringLiteral("%1: %2 rows failed with %3").arg(what, QString::number(it.value().toDouble()), it.key())));
            QCOMPARE(qint64(out.lockErrors), failed);
            // Exit code: non-zero whenever a row failed.
            QCOMPARE(r.exitCode, failed > 0 ? 3 : 0);
        }();
        if (QTest::currentTestFailed())
            return out;

        // Row by row: the store (its full report), the org's write log, the result files.
        const std::vector<ReportRow> report = fullReport(*o, store);
        const QHash<QString, qint64> writes = writeLog(*o);
        const ResultFileRows files = resultFiles(j);
        [&] {
            QCOMPARE(qint64(report.size()), rows);
            qint64 written = 0;
            for (const qint64 w : writes)
                written += w;
            QCOMPARE(written, succeeded);   // the org committed exactly the succeeded rows, once each
            QCOMPARE(files.successRows, succeeded);
            QCOMPARE(files.errorRows, failed);
            for (const ReportRow &row : report) {
                const qint64 w = writes.value(row.key, writes.value(row.key.left(15), 0));
                if (row.status == QLatin1String("succeeded")) {
                    QVERIFY2(w == 1, qPrintable(QStringLiteral("%1: succeeded record %2 has %3 committed writes").arg(what, row.key).arg(w)));
                    QVERIFY2(files.succeeded.contains(row.key), qPrintable(QStringLiteral("%1: %2 missing from the success file").arg(what, row.key)));
                } else {
                    QCOMPARE(row.status, QStringLiteral("failed"));
                    QCOMPARE(row.code, QStringLiteral("UNABLE_TO_LOCK_ROW"));
                    QVERIFY2(w == 0, qPrintable(QStringLiteral("%1: failed record %2 has %3 committed writes").arg(what, row.key).arg(w)));
                    QVERIFY2(files.failed.contains(row.key), qPrintable(QStringLiteral("%1: %2 missing from the error file").arg(what, row.key)));
                }
            }
            for (const QString &e : files.errors)
                QVERIFY2(e.contains(QLatin1String("UNABLE_TO_LOCK_ROW")), qPrintable(what + QStringLiteral(": error file says ") + e));
            // The demo org let go of every lock it took.
            QCOMPARE(orgStatus(*o).value(QStringLiteral("lockedKeys")).toInt(-1), 0);
        }();
        out.checkSeconds = double(clock.elapsed()) / 1000;
        return out;
    }

    // After kFirstLook runs of a plan with errors: does the mean agree closely enough to stop?
    static bool firstLookAgrees(const QJsonObject &predicted, double errors, double seconds)
    {
        const double pErrors = predicted.value(QStringLiteral("lockErrorRows")).toDouble();
        const double pSeconds = predicted.value(QStringLiteral("durationSeconds")).toDouble();
        const double errorTolerance = pErrors < 350 ? 50 : kFirstLookTolerance * pErrors;
        return std::abs(errors - pErrors) <= errorTolerance && std::abs(seconds - pSeconds) <= kFirstLookTolerance * pSeconds;
    }

    // Every case of one API; one table; calibration.md's tolerances; parallel vs lanes.
    void runApi(const QString &api, const QString &format, const std::vector<Case> &cases)
    {
        QStringList table{QStringLiteral("\n`lockstep-cli run` of calibration case A (90,000 Opportunity updates over 5,000 Accounts) through %1 "
                                         "against the demo org over HTTP (scale %2, serial %3%4); durations in platform seconds, means of the runs")
                              .arg(api)
                              .arg(kScale)
                              .arg(kSerialScale)
                              .arg(api == QLatin1String("bulk2")  ? QStringLiteral(", parallel %1").arg(kOneJobScale)
                                   : api == QLatin1String("rest") ? QStringLiteral(", small %1, queue %2").arg(kRestScale).arg(kQueueScale)
                                                                  : QString()),
                          QStringLiteral("| mitigation | predicted errors | observed errors | predicted duration | observed duration | API calls "
                                         "(predicted / observed) | runs | agree |"),
                          QStringLiteral("|---|---|---|---|---|---|---|---|")};
        QStringList failures;
        std::map<QString, double> duration, errorsOf;
        for (const Case &c : cases) {
            const double scale = c.scale > 0 ? c.scale : c.mitigation.startsWith(QLatin1String("serial")) ? kSerialScale : kScale;
            double errorSum = 0, secondSum = 0, callSum = 0;
            int runs = 0;
            QJsonObject predicted;
            for (; runs < c.runs; ++runs) {
                if (runs == kFirstLook && firstLookAgrees(predicted, errorSum / runs, secondSum / runs))
                    break;
                const RunOutcome r = runOnce(api, c.mitigation, scale, format);
                if (QTest::currentTestFailed())
                    return;
                QVERIFY2(!r.report.isEmpty(), qPrintable(QStringLiteral("%1 %2: no report").arg(api, c.mitigation)));
                predicted = r.report.value(QStringLiteral("predicted")).toObject();
                QVERIFY2(!predicted.isEmpty(), "the run's report has no prediction beside it");
                errorSum += r.lockErrors;
                secondSum += r.observedSeconds;
                callSum += r.report.value(QStringLiteral("apiCalls")).toDouble();
                qInfo("%s %s: %.0f lock errors in %.0f s (wall %.1f s, process %.1f s, checks %.1f s; %s)", qPrintable(api),
                      qPrintable(c.mitigation), r.lockErrors, r.observedSeconds, r.wallSeconds, r.processSeconds, r.checkSeconds,
                      qPrintable(r.orgTiming));
            }
            const double errors = errorSum / runs, seconds = secondSum / runs, calls = callSum / runs;
            const double pErrors = predicted.value(QStringLiteral("lockErrorRows")).toDouble();
            const double pSeconds = predicted.value(QStringLiteral("durationSeconds")).toDouble();
            const double pCalls = predicted.value(QStringLiteral("apiCalls")).toDouble();
            const double errorTolerance = pErrors < 350 ? 50 : 0.15 * pErrors;
            // API calls too: the predictor plays the runner's polling over its predicted batch
            // times, so they agree as closely as the durations do (±15 %, or ±10 calls).
            const bool agree = std::abs(errors - pErrors) <= errorTolerance && std::abs(seconds - pSeconds) <= 0.15 * pSeconds &&
                               std::abs(calls - pCalls) <= std::max(10.0, 0.15 * pCalls);
            table << QStringLiteral("| %1 | %2 | %3 | %4 s | %5 s | %6 / %7 | %8 | %9 |")
                         .arg(c.mitigation)
                         .arg(qRound64(pErrors))
                         .arg(qRound64(errors))
                         .arg(pSeconds, 0, 'f', 0)
                         .arg(seconds, 0, 'f', 0)
                         .arg(qRound64(pCalls))
                         .arg(qRound64(calls))
                         .arg(runs)
                         .arg(agree ? QStringLiteral("yes") : QStringLiteral("NO"));
            if (!agree)
                failures << c.mitigation;
            duration[c.mitigation] = seconds;   // platform seconds: cases may run at different scales
            errorsOf[c.mitigation] = errors;
        }
        for (const QString &l : std::as_const(table))
            std::printf("%s\n", qPrintable(l));
        std::fflush(stdout);
        m_tables << table;
        // Parallel fails rows on locks; lanes none, in at most 1.05× parallel's wall time.
        QVERIFY2(errorsOf[QStringLiteral("parallel")] > 0, "parallel had no lock error: the demo org did not contend");
        QCOMPARE(errorsOf[QStringLiteral("lanes")], 0.0);
        QVERIFY2(duration[QStringLiteral("lanes")] <= 1.05 * duration[QStringLiteral("parallel")],
                 qPrintable(QStringLiteral("lanes took %1 s, parallel %2 s").arg(duration[QStringLiteral("lanes")]).arg(duration[QStringLiteral("parallel")])));
        QVERIFY2(failures.isEmpty(), qPrintable(QStringLiteral("%1: outside calibration.md's tolerances: %2").arg(api, failures.join(QStringLiteral(", ")))));
    }

private slots:
    void initTestCase()
    {
        m_file = scratch.sample(QStringLiteral("case-a.csv"), test::caseA());
        QVERIFY(!m_file.isEmpty());
    }

    void restCollections()
    {
        runApi(QStringLiteral("rest"), QStringLiteral("dataloader"),
               {{QStringLiteral("parallel"), kRestParallelRuns},
                {QStringLiteral("lanes"), kLanesRuns},
                {QStringLiteral("sort"), 1},
                {QStringLiteral("small"), 1, kRestScale},
                {QStringLiteral("queue"), 1, kQueueScale},
                {QStringLiteral("serial"), 1}});
    }

    void bulk1()
    {
        runApi(QStringLiteral("bulk1"), QStringLiteral("dataloader"),
               {{QStringLiteral("parallel"), kRunsWithErrors},
                {QStringLiteral("lanes"), kLanesRuns},
                {QStringLiteral("sort"), 1},
                {QStringLiteral("small:500"), kBulk1SmallRuns},
                {QStringLiteral("serial"), 1}});
    }

    void bulk2()
    {
        runApi(QStringLiteral("bulk2"), QStringLiteral("bulkv2"),
               {{QStringLiteral("parallel"), kRunsWithErrors, kOneJobScale},
                {QStringLiteral("lanes"), kLanesRuns},
                {QStringLiteral("sort"), 1},
                {QStringLiteral("small:500"), kBulk2SmallRuns},
                {QStringLiteral("serial"), 1}});
    }

    void cleanupTestCase()
    {
        for (auto &[scale, o] : m_orgs)
            if (o)
                QCOMPARE(o->stop(), 0);
        QFile tables(QDir(test::outputDir()).filePath(QStringLiteral("run-calibration.md")));
        if (tables.open(QIODevice::WriteOnly | QIODevice::Truncate))
            tables.write(m_tables.join(QLatin1Char('\n')).toUtf8() + '\n');
    }
};

QTEST_GUILESS_MAIN(TestRunCalibration)
#include "tst_runcalibration.moc"

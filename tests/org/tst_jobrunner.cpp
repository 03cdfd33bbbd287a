// JobRunner (app/core/job/) over real HTTP against the demo org: each API runs a plan to the
// end with every row's outcome in the job store and the records in the org; Cancel leaves no
// row "sent"; a lost answer is "unknown", never resent.
#include "DemoOrgTestSupport.h"
#include "TestSupport.h"

#include "analysis/FileAnalysis.h"
#include "job/JobRunner.h"
#include "job/ResultFiles.h"
#include "plan/Planner.h"

#include <QtTest>

using namespace lockstep;

namespace {

struct Loaded {
    std::shared_ptr<FileAnalysis> analysis;
    Plan plan;
};

} // namespace

class TestJobRunner : public QObject {
    Q_OBJECT
    test::Scratch scratch;
    test::DemoOrgProcess org;
    QString updates, inserts;
    std::unique_ptr<JobStore> store;

    Loaded load(const QString &path, Operation op, const Mitigation &m, std::optional<Api> api = {}, double gap = 0.02,
                std::optional<int> batchSize = {})
    {
        AnalyzeOptions o;
        o.object = QStringLiteral("Opportunity");
        o.operation = op;
        auto a = analyzeFile(path, o);
        if (!a)
            qFatal("%s", qPrintable(a.error().toString()));
        PlanOptions po;
        po.object = QStringLiteral("Opportunity");
        po.operation = op;
        po.api = api;
        po.uploadGapSeconds = gap;
        po.batchSize = batchSize;
        auto plan = Planner::plan((*a)->keys, m, po);
        if (!plan)
            qFatal("%s", qPrintable(plan.error().message));
        return {*a, std::move(*plan)};
    }

    Result<RunReport> run(const Loaded &l, qint64 *jobOut = nullptr, const CancelToken &cancel = {}, const QString &url = {},
                          const QString &token = {})
    {
        JobSpec spec;
        spec.object = l.plan.object;
        spec.operation = l.plan.operation;
        spec.api = apiName(l.plan.api);
        spec.mitigation = l.plan.mitigation.key();
        spec.orgUrl = url.isEmpty() ? org.url : url;
        const auto job = store->createJob(spec, JobRunner::batchesOf(l.plan));
        if (!job)
            return std::unexpected(job.error());
        if (jobOut)
            *jobOut = *job;
        const QString u = url.isEmpty() ? org.url : url;
        const QByteArray t = (token.isEmpty() ? org.token : token).toLatin1();
        JobRunner runner(*store, l.analysis->file, l.plan, *job, [u, t] { return OrgClient::create({u, t}); });
        return runner.run(cancel);
    }

private slots:
    void initTestCase()
    {
        SampleOptions u;
        u.rows = 3000;
        u.parents = 300;
        u.seed = 3;
        updates = scratch.sample(QStringLiteral("updates.csv"), u);
        SampleOptions i = u;
        i.operation = Operation::Insert;
        i.seed = 4;
        inserts = scratch.sample(QStringLiteral("inserts.csv"), i);
        // The insert file's Accounts must exist too: seeded as well (its rows have no Id to seed).
        QVERIFY2(org.start({"--scale", "0", "--seed-from", updates, "--seed-from", inserts}), qPrintable(org.error()));
        auto s = JobStore::open(scratch.path(QStringLiteral("jobs.sqlite")));
        QVERIFY(s.has_value());
        store = std::move(*s);
    }

    void everyApiRunsToTheEnd_data()
    {
        QTest::addColumn<int>("api");
        QTest::addColumn<int>("scheduling");
        QTest::addColumn<bool>("insert");
        QTest::newRow("REST, parallel, update") << int(Api::RestCollections) << int(Scheduling::Parallel) << false;
        QTest::newRow("Bulk 1.0, parallel, update") << int(Api::Bulk1Parallel) << int(Scheduling::Parallel) << false;
        QTest::newRow("Bulk 1.0, lanes, update") << int(Api::Bulk1Parallel) << int(Scheduling::Lanes) << false;
        QTest::newRow("Bulk 1.0, serial, update") << int(Api::Bulk1Parallel) << int(Scheduling::Serial) << false;
        QTest::newRow("Bulk 2.0, update") << int(Api::Bulk2) << int(Scheduling::Parallel) << false;
        QTest::newRow("REST, insert") << int(Api::RestCollections) << int(Scheduling::Parallel) << true;
        QTest::newRow("Bulk 1.0, insert") << int(Api::Bulk1Parallel) << int(Scheduling::Parallel) << true;
    }
    void everyApiRunsToTheEnd()
    {
        QFETCH(int, api);
        QFETCH(int, scheduling);
        QFETCH(bool, insert);
        OrgClient check = *OrgClient::create({org.url, org.token.toLatin1()});
        const qint64 before = check.query(QStringLiteral("SELECT Id FROM Opportunity"))->size();
        const Loaded l = load(insert ? inserts : updates, insert ? Operation::Insert : Operation::Update, {Scheduling(scheduling)}, Api(api));
        qint64 job = 0;
        const auto report = run(l, &job);
        QVERIFY2(report.has_value(), qPrintable(report ? QString() : report.error().message));
        // Parallel plans can collide even at scale 0 (threads interleave): whatever failed, failed
        // on a lock and was recorded; plans that cannot collide load every row.
        const bool canCollide = Scheduling(scheduling) == Scheduling::Parallel && Api(api) != Api::Bulk2;
        if (report->succeeded + report->lockErrors() != 3000)
            for (const auto &[code, n] : report->errorsByCode)
                qWarning("%s: %lld (unknown %lld, passes %d)", qPrintable(code), n, report->unknown, report->passes);
        QCOMPARE(report->succeeded + report->lockErrors(), qint64(3000));
        QCOMPARE(report->unknown, qint64(0));
        if (!canCollide)
            QCOMPARE(report->succeeded, qint64(3000));
        QVERIFY(report->apiCalls > 0);
        const auto summary = store->job(job);
        QCOMPARE(summary->state, JobState::Finished);
        QCOMPARE(summary->succeeded, report->succeeded);
        QCOMPARE(summary->lockErrors, report->lockErrors());
        QCOMPARE(summary->pending + summary->sent, qint64(0));
        // The org holds what the store says: inserts created 3,000 records with the Ids the
        // store kept; updates created none.
        const auto after = check.query(QStringLiteral("SELECT Id FROM Opportunity"));
        QCOMPARE(qint64(after->size()), before + (insert ? report->succeeded : 0));
        if (insert) {
            QSet<QString> ids;
            for (const auto &r : *after)
                ids.insert(r.value(QStringLiteral("Id")).toString());
            const auto rows = store->rows(job);
            for (const auto &r : *rows) {
                if (r.status != RowStatus::Succeeded)
                    continue;
                QVERIFY(r.created);
                QVERIFY(ids.contains(r.recordId));
            }
        }
    }

    void resultFilesFromTheStore()
    {
        const Loaded l = load(updates, Operation::Update, {Scheduling::Parallel}, Api::Bulk1Parallel);
        qint64 job = 0;
        QVERIFY(run(l, &job).has_value());
        const auto rows = store->rows(job);
        ResultFilesOptions o;
        o.directory = scratch.path(QString());
        o.baseName = QStringLiteral("run");
        const auto files = writeResultFiles(l.analysis->file, [&](qint64 r) { return (*rows)[size_t(r)]; }, o);
        QVERIFY(files.has_value());
        QCOMPARE(files->succeeded + files->failed, qint64(3000));
        QCOMPARE(test::parseCsvReference([&] { QFile f(files->paths[0]); f.open(QIODevice::ReadOnly); return f.readAll(); }()).size(),
                 qsizetype(files->succeeded + 1));
    }

    void cancelLeavesNothingSent()
    {
        // A slow org (scale 0.05: a 200-row chunk takes 0.27 s), 15 batches uploaded 0.3 s
        // apart, and a cancel after half a second: batches not uploaded stay pending, the
        // job's queued ones never run, the running one is drained and recorded.
        test::DemoOrgProcess slow;
        QVERIFY2(slow.start({"--scale", "0.05", "--seed-from", updates}), qPrintable(slow.error()));
        const Loaded l = load(updates, Operation::Update, {Scheduling::Serial}, Api::Bulk1Parallel, 0.3, 200);
        CancelToken cancel;
        std::jthread canceller([&] {
            QThread::msleep(500);
            cancel.cancel();
        });
        qint64 job = 0;
        const auto report = run(l, &job, cancel, slow.url, slow.token);
        QVERIFY2(report.has_value(), qPrintable(report ? QString() : report.error().message));
        QVERIFY(report->cancelled);
        const auto summary = store->job(job);
        QCOMPARE(summary->state, JobState::Cancelled);
        QCOMPARE(summary->sent, qint64(0));
        QVERIFY(summary->pending > 0);
        QCOMPARE(summary->pending + summary->succeeded + summary->failed + summary->unknown, qint64(3000));
        QCOMPARE(slow.stop(), 0);
    }

    void lostAnswersAreUnknown()
    {
        // Every answer is lost after the org committed: the runner records "unknown", never
        // resends, and finishes.
        test::DemoOrgProcess dropping;
        QVERIFY2(dropping.start({"--scale", "0", "--faults", "drop=1", "--seed-from", updates}), qPrintable(dropping.error()));
        const Loaded l = load(updates, Operation::Update, {Scheduling::Parallel}, Api::RestCollections);
        qint64 job = 0;
        const auto report = run(l, &job, {}, dropping.url, dropping.token);
        QVERIFY(report.has_value());
        QCOMPARE(report->unknown, qint64(3000));
        QCOMPARE(report->apiCalls, qint64(l.plan.batches.size()));   // one call each: none resent
        QCOMPARE(store->rowsWithStatus(job, RowStatus::Unknown)->size(), size_t(3000));
        QCOMPARE(dropping.stop(), 0);
    }

    void cleanupTestCase()
    {
        store.reset();
        QCOMPARE(org.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestJobRunner)
#include "tst_jobrunner.moc"

// The discrete-event predictor: determinism, accounting of every row, the platform rules it
// plays (timeouts, deadlocks, partial save, Bulk re-queues, REST round trips), cancel and
// progress, and clear errors for inputs that do not fit.
#include "EngineFixtures.h"

#include "plan/Planner.h"
#include "plan/PollSchedule.h"
#include "predict/AutoPlanner.h"
#include "predict/Comparison.h"
#include "predict/Predictor.h"

#include <QtTest>

#include <atomic>
#include <numeric>

using namespace lockstep;

namespace {

test::Scratch *g_scratch = nullptr;
std::shared_ptr<FileAnalysis> g_caseA;

Prediction run(const Plan &plan, const LockKeys &keys, std::uint64_t seed = 1, const OrgProfile &profile = {})
{
    PredictOptions o;
    o.seed = seed;
    o.profile = profile;
    auto p = Predictor::predict(plan, keys, o);
    if (!p)
        qFatal("prediction failed: %s", qPrintable(p.error().toString()));
    return std::move(*p);
}

Plan planFor(const LockKeys &keys, const Mitigation &m, PlanOptions options = {})
{
    auto p = Planner::plan(keys, m, options);
    if (!p)
        qFatal("plan failed: %s", qPrintable(p.error().toString()));
    return std::move(*p);
}

// Every row on one parent: the worst contention there is.
LockKeys oneParent(int rows)
{
    std::vector<std::vector<std::string>> r(size_t(rows), std::vector<std::string>{"001HOT"});
    return LockKeys::fromTexts(r);
}

} // namespace

class TestPredictor : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void deterministicForASeed();
    void everyRowIsAccountedFor();
    void lockErrorsComeInChunkLumps();
    void perParentCountsAddUp();
    void serialTakesTheWholeWork();
    void waitsTimeOutAfterTheLockTimeout();
    void partialSaveRetriesTheRest();
    void bulkRequeuesUntilUsedUp();
    void batchRetryHeaderStopsRequeues();
    void restCallsPayTheRoundTrip();
    void bulk1StatusCallsFollowTheRunnersPolling();
    void duplicateRulesLengthenTheWindow();
    void cancelStops();
    void progressIsReported();
    void rejectsWhatDoesNotFit_data();
    void rejectsWhatDoesNotFit();
    void autoPicksLanesWithinBudget();
    void autoSaysWhenNothingFitsTheBudget();
    void autoNamesTheSkewedParentItChoseFor();
    void stablePredictionIsTheComparisonsFigure();
};

void TestPredictor::initTestCase()
{
    g_scratch = new test::Scratch;
    g_caseA = test::analyzedSample(*g_scratch, QStringLiteral("a.csv"), test::caseA());
}

void TestPredictor::cleanupTestCase()
{
    g_caseA.reset();
    delete g_scratch;
}

void TestPredictor::deterministicForASeed()
{
    const Plan plan = planFor(g_caseA->keys, {});
    const Prediction a = run(plan, g_caseA->keys, 7);
    const Prediction b = run(plan, g_caseA->keys, 7);
    QCOMPARE(a.lockErrorRows, b.lockErrorRows);
    QCOMPARE(a.durationSeconds, b.durationSeconds);
    QCOMPARE(a.deadlocks, b.deadlocks);
    QVERIFY(a.rowOutcome == b.rowOutcome);
    QVERIFY(a.rowWaits == b.rowWaits);
    const Prediction c = run(plan, g_caseA->keys, 8);
    QVERIFY(c.durationSeconds != a.durationSeconds || c.rowOutcome != a.rowOutcome);
}

void TestPredictor::everyRowIsAccountedFor()
{
    const Plan plan = planFor(g_caseA->keys, {});
    const Prediction p = run(plan, g_caseA->keys);
    QCOMPARE(p.rows, qint64(90000));
    QCOMPARE(p.okRows + p.lockErrorRows + p.notProcessedRows, p.rows);
    qint64 ok = 0, failed = 0, later = 0;
    for (const auto o : p.rowOutcome) {
        ok += o == RowOutcome::Ok;
        failed += o == RowOutcome::LockError;
        later += o == RowOutcome::NotProcessed;
    }
    QCOMPARE(ok, p.okRows);
    QCOMPARE(failed, p.lockErrorRows);
    QCOMPARE(later, p.notProcessedRows);
    // Batches: all ran, and their lock errors add up.
    qint64 batchErrors = 0;
    for (const auto &b : p.batches) {
        QVERIFY(b.start >= b.uploaded);
        QVERIFY(b.end > b.start);
        QVERIFY(b.passes >= 1);
        batchErrors += b.lockErrors;
    }
    QCOMPARE(batchErrors, p.lockErrorRows);
    QCOMPARE(p.durationSeconds, std::max_element(p.batches.begin(), p.batches.end(), [](const BatchRun &x, const BatchRun &y) {
                                    return x.end < y.end;
                                })->end);
    QVERIFY(p.ratioToBound > 1.0);
}

void TestPredictor::lockErrorsComeInChunkLumps()
{
    // The fitted model fails the whole 200-row statement: errors are multiples of 200.
    const Prediction p = run(planFor(g_caseA->keys, {}), g_caseA->keys);
    QVERIFY(p.lockErrorRows > 0);
    QCOMPARE(p.lockErrorRows % 200, qint64(0));
    QCOMPARE(p.lockErrorRows, p.deadlocks * 200);
    QCOMPARE(p.timeouts, qint64(0));   // case A never waits 10 s
    QVERIFY(p.requeues > 0);           // every lump is > 100 rows: the batch's rest goes back
    qint64 marked = 0;
    for (const auto &e : p.timeline)
        marked += e.kind == TimelineEvent::Kind::Deadlock;
    QCOMPARE(marked, p.deadlocks);
}

void TestPredictor::perParentCountsAddUp()
{
    const Prediction p = run(planFor(g_caseA->keys, {}), g_caseA->keys);
    QCOMPARE(qint64(std::accumulate(p.keyFailures.begin(), p.keyFailures.end(), qint64(0))), p.deadlocks + p.timeouts);
    QCOMPARE(qint64(std::accumulate(p.keyWaits.begin(), p.keyWaits.end(), qint64(0))), p.lockWaits);
    const auto top = p.mostContended(5);
    QCOMPARE(top.size(), size_t(5));
    QVERIFY(p.keyFailures[top[0]] >= p.keyFailures[top[4]]);
    QVERIFY(!p.toJson(&g_caseA->keys).value(QStringLiteral("mostContendedParents")).toArray().isEmpty());
}

void TestPredictor::serialTakesTheWholeWork()
{
    const Plan plan = planFor(g_caseA->keys, {Scheduling::Serial});
    const Prediction p = run(plan, g_caseA->keys);
    QCOMPARE(p.lockErrorRows, qint64(0));
    QCOMPARE(p.lockWaits, qint64(0));
    // 2,430 s of work ± the variation of 450 transactions (CV 0.2 → about 1 %).
    QVERIFY2(qAbs(p.durationSeconds / plan.totalWorkSeconds - 1) < 0.04, qPrintable(QString::number(p.durationSeconds)));
    for (const auto &b : p.batches)
        QCOMPARE(b.worker, 0);
}

void TestPredictor::waitsTimeOutAfterTheLockTimeout()
{
    // Every row on one parent and the lock taken at once (window = the whole transaction): the
    // k-th chunk in line waits k × 5.4 s, so from the third on they time out after 10 s.
    OrgProfile p;
    p.lockWindowShare = 1.0;
    p.workCv = 0;
    const LockKeys keys = oneParent(6000);
    PlanOptions options;
    options.profile = p;
    options.batchSize = 200;
    const Plan plan = planFor(keys, {}, options);
    const Prediction r = run(plan, keys, 1, p);
    QVERIFY(r.timeouts > 0);
    QCOMPARE(r.deadlocks, qint64(0));   // one key cannot deadlock
    bool sawTimeout = false;
    for (const auto &e : r.timeline) {
        if (e.kind == TimelineEvent::Kind::Timeout) {
            QCOMPARE(e.seconds, 10.0);
            sawTimeout = true;
        }
        if (e.kind == TimelineEvent::Kind::Wait)
            QVERIFY(e.seconds < 10.0 + 1e-9);
    }
    QVERIFY(sawTimeout);
    QCOMPARE(r.lockErrorRows, r.timeouts * 200);
}

void TestPredictor::partialSaveRetriesTheRest()
{
    // With lockFailureFailsChunk off only the rows of the failed parent fail and
    // the rest are retried (partial save), so errors are no longer 200-row lumps.
    OrgProfile whole;
    OrgProfile partial;
    partial.lockFailureFailsChunk = false;
    PlanOptions a, b;
    a.profile = whole;
    b.profile = partial;
    const Prediction w = run(planFor(g_caseA->keys, {}, a), g_caseA->keys, 1, whole);
    const Prediction p = run(planFor(g_caseA->keys, {}, b), g_caseA->keys, 1, partial);
    QVERIFY(p.lockErrorRows > 0);
    QVERIFY(p.lockErrorRows < w.lockErrorRows / 5);
    QVERIFY(p.lockErrorRows < p.deadlocks * 200);   // not whole chunks any more
    QVERIFY(p.transactions > qint64(450));   // retries are extra transactions
}

void TestPredictor::bulkRequeuesUntilUsedUp()
{
    OrgProfile noRequeues;
    noRequeues.bulkMaxRequeues = 0;   // the first > 100-row failure marks the batch failed
    PlanOptions options;
    options.profile = noRequeues;
    const Prediction p = run(planFor(g_caseA->keys, {}, options), g_caseA->keys, 1, noRequeues);
    QCOMPARE(p.requeues, qint64(0));
    QVERIFY(p.notProcessedRows > 0);
    QCOMPARE(p.okRows + p.lockErrorRows + p.notProcessedRows, qint64(90000));
}

void TestPredictor::batchRetryHeaderStopsRequeues()
{
    PlanOptions options;
    options.disableBatchRetry = true;
    const Plan plan = planFor(g_caseA->keys, {}, options);
    QVERIFY(plan.disableBatchRetry);
    const Prediction p = run(plan, g_caseA->keys);
    QCOMPARE(p.requeues, qint64(0));
    QCOMPARE(p.notProcessedRows, qint64(0));
    QVERIFY(p.lockErrorRows > 0);
    for (const auto &b : p.batches)
        QCOMPARE(b.passes, 1);
}

void TestPredictor::restCallsPayTheRoundTrip()
{
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < 2000; ++i)
        rows.push_back({"P" + std::to_string(i)});
    const LockKeys keys = LockKeys::fromTexts(rows);
    OrgProfile p;
    p.workCv = 0;
    PlanOptions options;
    options.profile = p;
    options.api = Api::RestCollections;
    const Plan serial = planFor(keys, {Scheduling::Serial}, options);
    const Prediction r = run(serial, keys, 1, p);
    // 10 calls of 200 rows, one after another: work plus a full round trip each.
    QVERIFY(qAbs(r.durationSeconds - (2000 * 0.027 + 10 * p.restRoundTripSeconds)) < 1e-6);
    QCOMPARE(r.apiCalls, qint64(10));
}

void TestPredictor::duplicateRulesLengthenTheWindow()
{
    PlanOptions on, off;
    on.object = off.object = QStringLiteral("Contact");   // active duplicate rules in the default profile
    const Prediction a = run(planFor(g_caseA->keys, {}, on), g_caseA->keys);
    const Prediction b = run(planFor(g_caseA->keys, {Scheduling::Parallel, false, 0, true}, off), g_caseA->keys);
    QVERIFY2(a.lockErrorRows > b.lockErrorRows, qPrintable(QStringLiteral("%1 vs %2").arg(a.lockErrorRows).arg(b.lockErrorRows)));
}

void TestPredictor::cancelStops()
{
    const Plan plan = planFor(g_caseA->keys, {Scheduling::Parallel, false, 10});   // 9,000 calls: long enough to cancel
    Progress progress;
    progress.cancel.cancel();
    PredictOptions o;
    const auto p = Predictor::predict(plan, g_caseA->keys, o, progress);
    QVERIFY(!p.has_value());
    QCOMPARE(p.error().kind, ErrorKind::Cancelled);
}

void TestPredictor::progressIsReported()
{
    const Plan plan = planFor(g_caseA->keys, {});
    std::atomic<qint64> last{-1}, total{0};
    std::atomic<int> calls{0};
    bool monotone = true;
    Progress progress;
    progress.report = [&](qint64 done, qint64 all, const QString &) {
        monotone &= done >= last;
        last = done;
        total = all;
        ++calls;
    };
    PredictOptions o;
    QVERIFY(Predictor::predict(plan, g_caseA->keys, o, progress).has_value());
    QVERIFY(calls > 0);
    QVERIFY(monotone);
    QCOMPARE(last.load(), qint64(90000));
    QCOMPARE(total.load(), qint64(90000));
}

void TestPredictor::rejectsWhatDoesNotFit_data()
{
    QTest::addColumn<int>("what");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plan of another file") << 0 << "plan this file first";
    QTest::newRow("negative profile value") << 1 << "\"rowSeconds\" must not be negative";
    QTest::newRow("concurrency 0") << 2 << "concurrency must be at least 1";
}

void TestPredictor::rejectsWhatDoesNotFit()
{
    QFETCH(int, what);
    QFETCH(QString, expected);
    Plan plan = planFor(g_caseA->keys, {});
    const LockKeys other = oneParent(10);
    PredictOptions o;
    const LockKeys *keys = &g_caseA->keys;
    if (what == 0)
        keys = &other;
    if (what == 1)
        o.profile.rowSeconds = -1;
    if (what == 2)
        plan.concurrency = 0;
    const auto p = Predictor::predict(plan, *keys, o);
    QVERIFY(!p.has_value());
    QVERIFY2(p.error().message.contains(expected), qPrintable(p.error().message));
}

void TestPredictor::autoPicksLanesWithinBudget()
{
    AutoOptions options;
    options.compare.seeds = SeedPolicy::fixed(3);
    const auto choice = AutoPlanner::choose(g_caseA->keys, options);
    QVERIFY2(choice.has_value(), qPrintable(choice ? QString() : choice.error().message));
    QCOMPARE(choice->plan.mitigation.scheduling, Scheduling::Lanes);
    QCOMPARE(choice->chosen.lockErrorRows, 0.0);
    QVERIFY(choice->candidates.size() >= 6);
    QVERIFY(choice->reason.startsWith(QStringLiteral("Auto chose Parent-aware lanes")));
    // With a budget lanes cannot meet, auto takes the best plan that fits it.
    options.apiCallBudget = qint64(choice->chosen.apiCalls) - 1;
    const auto cheaper = AutoPlanner::choose(g_caseA->keys, options);
    QVERIFY(cheaper.has_value());
    QVERIFY(cheaper->chosen.apiCalls <= double(options.apiCallBudget));
    QVERIFY(cheaper->plan.mitigation.scheduling != Scheduling::Lanes);
}

void TestPredictor::autoSaysWhenNothingFitsTheBudget()
{
    AutoOptions options;
    options.compare.seeds = SeedPolicy::fixed(1);
    options.apiCallBudget = 5;
    const auto choice = AutoPlanner::choose(g_caseA->keys, options);
    QVERIFY(!choice.has_value());
    QCOMPARE(choice.error().kind, ErrorKind::Usage);
    QVERIFY2(choice.error().message.contains(QStringLiteral("no mitigation fits in 5 API calls")), qPrintable(choice.error().message));
}

void TestPredictor::autoNamesTheSkewedParentItChoseFor()
{
    // Case D: the house account decides. Auto picks lanes (no lock error, the shortest) and its
    // words name the parent, its children, its extra hold and what the other plans would cost.
    test::Scratch scratch;
    const auto house = test::analyzedSample(scratch, QStringLiteral("h.csv"), test::caseA(12000));
    const auto choice = AutoPlanner::choose(house->keys, AutoOptions{});
    QVERIFY(choice.has_value());
    QCOMPARE(choice->plan.mitigation.scheduling, Scheduling::Lanes);
    QCOMPARE(choice->chosen.lockErrorRows, 0.0);
    const QString words = choice->plan.notes.join(QLatin1Char(' '));
    const QString parent = house->keys.keyLabel(house->distribution.topParents().front().key);
    QVERIFY2(words.contains(QStringLiteral("The choice is forced by Account ") + parent + QStringLiteral(": 12,000 children")),
             qPrintable(words));
    QVERIFY(words.contains(QStringLiteral("an assumption")));
    QVERIFY(words.contains(QStringLiteral("Loaded as is, ")));
    QVERIFY(words.contains(QStringLiteral("sorted by parent, no lock error")));
    QVERIFY(words.contains(QStringLiteral("× the lower bound")));
    // Every alternative with no lock error is slower than the choice.
    for (const auto &c : choice->candidates)
        if (c.planned && std::round(c.lockErrorRows) == 0)
            QVERIFY(c.durationSeconds >= choice->chosen.durationSeconds);
}

void TestPredictor::stablePredictionIsTheComparisonsFigure()
{
    // One number per plan: the prediction of one plan and its row in a comparison are the same
    // seeds and the same means; the representative run is one of those seeds, near the mean.
    test::Scratch scratch;
    const auto house = test::analyzedSample(scratch, QStringLiteral("h.csv"), test::caseA(12000));
    const Planner planner(house->keys, {});
    const auto plan = planner.plan({});
    QVERIFY(plan.has_value());
    const auto stable = Comparison::predict(*plan, house->keys, OrgProfile{}, SeedPolicy{});
    QVERIFY(stable.has_value());
    CompareOptions compare;
    compare.mitigations = {Mitigation{}};
    const auto rows = Comparison::run(planner, compare);
    QVERIFY(rows.has_value());
    const PredictionSummary &a = stable->summary, &b = rows->front();
    QCOMPARE(a.runs, b.runs);
    QCOMPARE(a.lockErrorRows, b.lockErrorRows);
    QCOMPARE(a.durationSeconds, b.durationSeconds);
    QVERIFY(a.runs >= 5);
    QVERIFY(a.stable);
    QVERIFY(a.lockErrorRowsSe <= 0.05 * a.lockErrorRows);
    QVERIFY(stable->representative.seed >= 1 && stable->representative.seed <= std::uint64_t(a.runs));
    QVERIFY(std::abs(double(stable->representative.lockErrorRows) - a.lockErrorRows) <= 2 * a.lockErrorRowsSd + 1);
    QVERIFY(!stable->representative.timeline.empty());
    QCOMPARE(qint64(stable->representative.rowOutcome.size()), house->keys.rowCount());
    // A noisy plan takes more seeds than a quiet one, never more than the limit.
    SeedPolicy tight;
    tight.targetRelativeError = 0.001;
    tight.maxSeeds = 12;
    const auto more = Comparison::predict(*plan, house->keys, OrgProfile{}, tight);
    QVERIFY(more.has_value());
    QCOMPARE(more->summary.runs, 12);
    QVERIFY(!more->summary.stable);
}

// The runner polls every job with batches out: 0.5 s after an upload or a poll that saw a batch
// finish, else each wait 1.5x the last, up to 5 s; nothing while no batch is out.
void TestPredictor::bulk1StatusCallsFollowTheRunnersPolling()
{
    const PollSchedule poll{0.5, 5.0};
    QCOMPARE(poll.bulk1StatusCalls({}), qint64(0));
    // One batch out at 0, done at 1.0: polls at 0.5 (not yet), 1.25 (done) — two calls.
    QCOMPARE(poll.bulk1StatusCalls({{0, 0.0, 1.0}}), qint64(2));
    // Two jobs out together: each poll asks both while both have batches out.
    QCOMPARE(poll.bulk1StatusCalls({{0, 0.0, 1.0}, {1, 0.0, 1.0}}), qint64(4));
    // Backing off: done at 20 s: polls at 0.5, 1.25, 2.375, 4.0625, 6.59, 10.39, 15.39, 20.39.
    QCOMPARE(poll.bulk1StatusCalls({{0, 0.0, 20.0}}), qint64(8));
    // A poll that sees a batch finish starts over at 0.5 s: the second batch (done at 2.0) is
    // seen at 1.25 + 0.5 = 1.75 (no), 2.5 (yes): four polls in all.
    QCOMPARE(poll.bulk1StatusCalls({{0, 0.0, 1.0}, {0, 0.0, 2.0}}), qint64(4));
    // Nothing out between 1.25 and the next upload at 30: no calls in between. The last poll is
    // then long past, so the batch is polled as soon as it is out (30: not yet) and 0.75 s later
    // (done at 30.4): four calls in all.
    QCOMPARE(poll.bulk1StatusCalls({{0, 0.0, 1.0}, {0, 30.0, 30.4}}), qint64(4));
}

QTEST_GUILESS_MAIN(TestPredictor)
#include "tst_predictor.moc"

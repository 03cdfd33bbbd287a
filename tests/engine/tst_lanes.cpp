// Parent-aware lanes (lock-model.md §5) on generated files of every shape: no lock errors, no
// two batches in flight sharing a key, and a duration close to the lower bound.
#include "EngineFixtures.h"

#include "plan/Planner.h"
#include "predict/Predictor.h"

#include <QtTest>

using namespace lockstep;

namespace {

struct LaneRun {
    Plan plan;
    std::vector<Prediction> runs;
    double meanRatio = 0;
    qint64 errors = 0;
};

LaneRun runLanes(const LockKeys &keys, const PlanOptions &options, int seeds)
{
    LaneRun r;
    auto plan = Planner::plan(keys, {Scheduling::Lanes}, options);
    if (!plan)
        qFatal("lanes plan failed: %s", qPrintable(plan.error().toString()));
    r.plan = std::move(*plan);
    for (int s = 1; s <= seeds; ++s) {
        PredictOptions po;
        po.profile = options.profile;
        po.seed = std::uint64_t(s);
        auto p = Predictor::predict(r.plan, keys, po);
        if (!p)
            qFatal("prediction failed: %s", qPrintable(p.error().toString()));
        r.meanRatio += p->ratioToBound / seeds;
        r.errors += p->lockErrorRows + p->notProcessedRows;
        r.runs.push_back(std::move(*p));
    }
    return r;
}

} // namespace

class TestLanes : public QObject {
    Q_OBJECT

private slots:
    void generatedFiles_data();
    void generatedFiles();
    void checkerSeesSharedKeysInAParallelPlan();
    void houseAccountRunsOnSeveralLanesNearTheBound();
    void sharingGroupRunsSerially();
    void restLanes();
};

void TestLanes::generatedFiles_data()
{
    QTest::addColumn<QString>("object");
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<qint64>("parents");
    QTest::addColumn<double>("zipf");
    QTest::addColumn<qint64>("house");
    QTest::addColumn<int>("concurrency");
    // A fuzz over skew, size, object (lock rules: Opportunity → Account, Case → Account +
    // Contact, Task → WhoId + WhatId, Contact → Account + itself, a master-detail child),
    // house accounts and W.
    struct Shape {
        const char *object;
        qint64 rows, parents;
        double zipf;
        qint64 house;
        int w;
    };
    const Shape shapes[] = {
        {"Opportunity", 90000, 5000, 0.6, 0, 15},   // calibration case A
        {"Opportunity", 40000, 4000, 0.0, 0, 15},
        {"Opportunity", 30000, 600, 1.0, 0, 10},
        {"Opportunity", 50000, 6000, 1.3, 0, 15},   // heavy skew: many serial lanes
        {"Case", 45000, 900, 0.6, 0, 15},            // Case → Account + Contact
        {"Case", 30000, 2000, 0.8, 4000, 12},
        {"Contact", 35000, 3000, 0.6, 5000, 15},
        {"Task", 40000, 2500, 0.6, 0, 8},
        {"Child__c", 60000, 250, 0.0, 0, 15},        // few, even parents: components of ~240 rows
        {"Child__c", 25000, 5000, 1.0, 0, 25},
        {"Opportunity", 8000, 3000, 0.6, 0, 15},     // small: fixed costs weigh
        {"Opportunity", 20000, 20, 0.0, 0, 15},      // 20 parents of 1,000 rows: a lane each
        {"Opportunity", 60000, 20, 0.0, 0, 15},      // 20 parents of 3,000 rows over 15 workers
    };
    for (const auto &s : shapes)
        QTest::addRow("%s %lld rows %lld parents zipf %.1f house %lld W %d", s.object, s.rows, s.parents, s.zipf, s.house, s.w)
            << QString::fromLatin1(s.object) << s.rows << s.parents << s.zipf << s.house << s.w;
}

void TestLanes::generatedFiles()
{
    QFETCH(QString, object);
    QFETCH(qint64, rows);
    QFETCH(qint64, parents);
    QFETCH(double, zipf);
    QFETCH(qint64, house);
    QFETCH(int, concurrency);
    SampleOptions sample;
    sample.object = object;
    sample.operation = object.endsWith(QLatin1String("__c")) ? Operation::Upsert : Operation::Update;
    sample.rows = rows;
    sample.parents = parents;
    sample.skew = {SkewSpec::Kind::Zipf, zipf};
    sample.houseAccountRows = house;
    sample.seed = std::uint64_t(rows + parents);
    test::Scratch scratch;
    const auto a = test::analyzedSample(scratch, QStringLiteral("f.csv"), sample);
    QVERIFY(!a->rules.isEmpty());
    PlanOptions options;
    options.object = a->roles.object;
    options.operation = a->operation;
    options.concurrency = concurrency;
    const LaneRun r = runLanes(a->keys, options, 3);

    const QString coverage = test::planCoversEveryRowOnce(r.plan, rows);
    QVERIFY2(coverage.isEmpty(), qPrintable(coverage));
    QCOMPARE(r.errors, qint64(0));
    bool sideBySide = false;
    for (const auto &l : r.plan.lanes)
        sideBySide |= l.group >= 0;
    for (const auto &p : r.runs) {
        QCOMPARE(p.deadlocks, qint64(0));
        if (!sideBySide)
            QCOMPARE(p.lockWaits, qint64(0));   // key-disjoint: nobody ever waits
        const QString shared = test::sharedKeyInFlight(r.plan, p, a->keys);
        QVERIFY2(shared.isEmpty(), qPrintable(shared));
    }
    // ≤ 1.05 × the bound where every lane fits in the W-way share (a component that shares
    // several parents runs on one lane, since two of its pieces side by side could deadlock; a
    // one-parent component on at most as many lanes as keep its waits far under the timeout),
    // and the bound is a minute or more: below that the fixed costs alone (the first W uploads
    // 0.3 s apart, a transaction as the smallest unit of work) exceed 5 % of it. Elsewhere:
    // reported.
    bool fits = true;
    for (const auto &l : r.plan.lanes)
        fits &= l.expectedSeconds <= r.plan.totalWorkSeconds / concurrency;
    const bool promised = fits && r.plan.lowerBoundSeconds >= 60;
    qInfo("components %lld, largest %lld rows, %zu serial lanes, %zu batches; bound %.1f s; ratio %.3f (mean of 3)%s",
          r.plan.componentCount, r.plan.largestComponentRows, r.plan.lanes.size(), r.plan.batches.size(),
          r.plan.lowerBoundSeconds, r.meanRatio, promised ? "" : " — not promised");
    QVERIFY2(r.meanRatio >= 1.0, qPrintable(QString::number(r.meanRatio)));   // a true bound
    if (promised)
        QVERIFY2(r.meanRatio <= 1.05, qPrintable(QString::number(r.meanRatio)));
    else
        QVERIFY(r.meanRatio < 2.0);
}

void TestLanes::checkerSeesSharedKeysInAParallelPlan()
{
    // The in-flight check must be able to fail: a parallel plan shares parents all the time.
    test::Scratch scratch;
    const auto a = test::analyzedSample(scratch, QStringLiteral("a.csv"), test::caseA());
    const auto plan = Planner::plan(a->keys, {}, {});
    PredictOptions po;
    const auto p = Predictor::predict(*plan, a->keys, po);
    QVERIFY(p.has_value());
    QVERIFY(!test::sharedKeyInFlight(*plan, *p, a->keys).isEmpty());
}

void TestLanes::houseAccountRunsOnSeveralLanesNearTheBound()
{
    // Case D: a 12,000-child house account. One lane would take ~390 s (its transactions hold it
    // ~1.1 s each); k lanes side by side only queue for it, far under the timeout, and the run
    // ends near total work / W — the honest bound — instead of at the serial lane.
    test::Scratch scratch;
    const auto a = test::analyzedSample(scratch, QStringLiteral("h.csv"), test::caseA(12000));
    const LaneRun r = runLanes(a->keys, {}, 3);
    QCOMPARE(r.errors, qint64(0));
    QVERIFY(!r.plan.boundIsHotParent());
    qint64 houseRows = 0;
    int houseLanes = 0;
    for (const auto &l : r.plan.lanes)
        if (l.group == 0) {
            houseRows += l.rows;
            ++houseLanes;
            QCOMPARE(a->keys.keyLabel(l.mainKey), a->keys.keyLabel(a->distribution.topParents().front().key));
        }
    QCOMPARE(houseRows, qint64(12000));
    QVERIFY2(houseLanes >= 2 && houseLanes <= 4, qPrintable(QString::number(houseLanes)));
    QVERIFY2(r.meanRatio >= 1.0 && r.meanRatio <= 1.05, qPrintable(QString::number(r.meanRatio)));
    for (const auto &p : r.runs) {
        QCOMPARE(p.deadlocks, qint64(0));
        QCOMPARE(p.timeouts, qint64(0));
        QVERIFY(test::sharedKeyInFlight(r.plan, p, a->keys).isEmpty());
    }
    QVERIFY(r.plan.notes.join(QLatin1Char(' ')).contains(QStringLiteral("side by side")));
}

void TestLanes::sharingGroupRunsSerially()
{
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < 6000; ++i) {
        if (i % 3 == 0)
            rows.push_back({"001A" + std::to_string(i % 700), LockKeyCollector::kSharingGroupKey});
        else
            rows.push_back({"001A" + std::to_string(i % 700)});
    }
    const LockKeys keys = LockKeys::fromTexts(rows);
    const LaneRun r = runLanes(keys, {}, 1);
    QCOMPARE(r.errors, qint64(0));
    QCOMPARE(r.plan.componentCount, qint64(1));   // the owner changes tie every parent together
    const auto &p = r.runs.front();
    QVERIFY(p.durationSeconds >= r.plan.totalWorkSeconds * 0.9);   // serial: no parallelism left
    QVERIFY(r.plan.notes.join(QLatin1Char(' ')).contains(QStringLiteral("sharing-group")));
}

void TestLanes::restLanes()
{
    test::Scratch scratch;
    const auto a = test::analyzedSample(scratch, QStringLiteral("a.csv"), test::caseA(12000));
    PlanOptions options;
    options.api = Api::RestCollections;
    const LaneRun r = runLanes(a->keys, options, 2);
    QCOMPARE(r.errors, qint64(0));
    for (const auto &b : r.plan.batches)
        QVERIFY(b.rows <= 200);
    for (const auto &p : r.runs)
        QVERIFY(test::sharedKeyInFlight(r.plan, p, a->keys).isEmpty());
}

QTEST_GUILESS_MAIN(TestLanes)
#include "tst_lanes.moc"

// The instant estimate of lock-model.md §3: close to the predictor where the model says it
// should be, zero where no deadlock is possible, monotone in what a slider moves, and fast.
#include "EngineFixtures.h"

#include "predict/Comparison.h"
#include "predict/InstantEstimate.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace lockstep;

namespace {

test::Scratch *g_scratch = nullptr;
std::shared_ptr<FileAnalysis> g_caseA;
std::shared_ptr<FileAnalysis> g_children;

double predictedErrors(const LockKeys &keys, const Mitigation &m, const PlanOptions &options)
{
    CompareOptions c;
    c.plan = options;
    c.mitigations = {m};
    c.seeds = SeedPolicy::fixed(6);
    auto rows = Comparison::run(keys, c);
    if (!rows || !rows->front().planned)
        qFatal("comparison failed");
    return rows->front().lockErrorRows;
}

PlanOptions rest(int threads)
{
    PlanOptions o;
    o.object = QStringLiteral("Child__c");
    o.operation = Operation::Upsert;
    o.api = Api::RestCollections;
    o.concurrency = threads;
    return o;
}

} // namespace

class TestEstimate : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void agreesWithThePredictor_data();
    void agreesWithThePredictor();
    void zeroWhereNoDeadlockIsPossible_data();
    void zeroWhereNoDeadlockIsPossible();
    void monotoneInConcurrencyAndWindow();
    void sameErrorsAsPlannerForBadInput();
    void instant();
};

void TestEstimate::initTestCase()
{
    g_scratch = new test::Scratch;
    g_caseA = test::analyzedSample(*g_scratch, QStringLiteral("a.csv"), test::caseA());
    SampleOptions b;
    b.object = QStringLiteral("Child__c");
    b.operation = Operation::Upsert;
    b.rows = 20000;
    b.parents = 2000;
    b.skew = {SkewSpec::Kind::Uniform, 0};
    g_children = test::analyzedSample(*g_scratch, QStringLiteral("children.csv"), b);
}

void TestEstimate::cleanupTestCase()
{
    g_caseA.reset();
    g_children.reset();
    delete g_scratch;
}

void TestEstimate::agreesWithThePredictor_data()
{
    QTest::addColumn<bool>("children");
    QTest::addColumn<int>("threads");
    QTest::addColumn<double>("tolerance");
    QTest::newRow("case A, Bulk, W 15") << false << 15 << 0.25;
    QTest::newRow("case A, Bulk, W 10") << false << 10 << 0.30;
    QTest::newRow("case B, REST, 8 threads") << true << 8 << 0.30;
    QTest::newRow("case B, REST, 4 threads") << true << 4 << 0.40;
}

void TestEstimate::agreesWithThePredictor()
{
    QFETCH(bool, children);
    QFETCH(int, threads);
    QFETCH(double, tolerance);
    const LockKeys &keys = children ? g_children->keys : g_caseA->keys;
    PlanOptions options = children ? rest(threads) : PlanOptions{};
    if (!children)
        options.concurrency = threads;
    const Components components = Components::compute(keys);
    const InstantEstimator estimator(keys, components);
    const auto e = estimator.estimate({}, options);
    QVERIFY(e.has_value());
    const double predicted = predictedErrors(keys, {}, options);
    qInfo("estimate %.0f, predictor %.0f (κ %.3f, w %.4f, λ %.1f)", e->lockErrorRows, predicted, e->kappa, e->windowShare,
          e->sharedKeys);
    QVERIFY2(qAbs(e->lockErrorRows / predicted - 1) <= tolerance, qPrintable(QString::number(e->lockErrorRows)));
    QVERIFY(e->collisionProbability > 0.99);   // 200-row transactions over these files always meet
}

void TestEstimate::zeroWhereNoDeadlockIsPossible_data()
{
    QTest::addColumn<QString>("mitigation");
    QTest::newRow("sorted") << "sort";
    QTest::newRow("lanes") << "lanes";
    QTest::newRow("serial") << "serial";
    QTest::newRow("auto (lanes)") << "auto";
}

void TestEstimate::zeroWhereNoDeadlockIsPossible()
{
    QFETCH(QString, mitigation);
    const Components components = Components::compute(g_caseA->keys);
    const InstantEstimator estimator(g_caseA->keys, components);
    const auto e = estimator.estimate(*Mitigation::parse(mitigation), {});
    QVERIFY(e.has_value());
    QCOMPARE(e->lockErrorRows, 0.0);
}

void TestEstimate::monotoneInConcurrencyAndWindow()
{
    const Components components = Components::compute(g_children->keys);
    const InstantEstimator estimator(g_children->keys, components);
    double previous = -1;
    for (int w = 1; w <= 25; ++w) {
        const auto e = estimator.estimate({}, rest(w));
        QVERIFY(e->lockErrorRows > previous || (w == 1 && e->lockErrorRows == 0));
        previous = e->lockErrorRows;
    }
    // Smaller calls: far fewer errors, more calls.
    const auto big = estimator.estimate({}, rest(8));
    const auto small = estimator.estimate({Scheduling::Parallel, false, 10}, rest(8));
    QVERIFY(small->lockErrorRows < 0.01 * big->lockErrorRows);
    QCOMPARE(small->apiCalls, qint64(2000));
    QCOMPARE(big->apiCalls, qint64(100));
    // Duplicate rules in the window: more errors; switched off: as without.
    PlanOptions dup = rest(8);
    dup.profile.duplicateRuleObjects = {QStringLiteral("Child__c")};
    const auto on = estimator.estimate({}, dup);
    const auto off = estimator.estimate({Scheduling::Parallel, false, 0, true}, dup);
    QVERIFY(on->lockErrorRows > 1.5 * big->lockErrorRows);
    QCOMPARE(off->lockErrorRows, big->lockErrorRows);
}

void TestEstimate::sameErrorsAsPlannerForBadInput()
{
    const Components components = Components::compute(g_caseA->keys);
    const InstantEstimator estimator(g_caseA->keys, components);
    PlanOptions o;
    o.batchSize = 0;
    QVERIFY(!estimator.estimate({}, o).has_value());
    o.batchSize.reset();
    o.concurrency = 0;
    const auto e = estimator.estimate({}, o);
    QVERIFY(!e.has_value());
    QVERIFY(e.error().message.contains(QStringLiteral("concurrency must be at least 1")));
    const LockKeys none = LockKeys::fromTexts({});
    const Components c0 = Components::compute(none);
    QVERIFY(!InstantEstimator(none, c0).estimate({}, {}).has_value());
}

void TestEstimate::instant()
{
    const Components components = Components::compute(g_caseA->keys);
    const InstantEstimator estimator(g_caseA->keys, components);
    QElapsedTimer timer;
    timer.start();
    double sink = 0;
    for (int i = 0; i < 10000; ++i) {
        PlanOptions o;
        o.concurrency = 1 + i % 25;
        o.batchSize = 10 + i % 1990;
        sink += estimator.estimate({}, o)->lockErrorRows;
    }
    QVERIFY(sink > 0);
    qInfo("10,000 estimates in %lld ms", timer.elapsed());
    QVERIFY(timer.elapsed() < 500);   // a slider redraws at once
}

QTEST_GUILESS_MAIN(TestEstimate)
#include "tst_estimate.moc"

// The Planner: what each mitigation lays out, the defaults per API, the lower bound, the JSON
// form, and clear errors for what cannot be planned.
#include "EngineFixtures.h"

#include "plan/Planner.h"

#include <QJsonArray>
#include <QtTest>

using namespace lockstep;

Q_DECLARE_METATYPE(std::optional<int>)

namespace {

std::shared_ptr<FileAnalysis> g_caseA;   // 90,000 rows, shared by the cases that only read it
test::Scratch *g_scratch = nullptr;

LockKeys tinyKeys()
{
    return LockKeys::fromTexts({{"A"}, {"B"}, {"A"}, {"C"}, {}, {"B"}});
}

} // namespace

class TestPlanner : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void refusesWhatCannotBePlanned_data();
    void refusesWhatCannotBePlanned();
    void everyMitigationCoversEveryRowOnce_data();
    void everyMitigationCoversEveryRowOnce();
    void defaultsFollowTheApi_data();
    void defaultsFollowTheApi();
    void serialIsOneLane();
    void sortOrdersRowsByParentText();
    void lowerBoundIsWorkOverWOrTheHottestParent();
    void lanesPutSkewedParentsOnTheirOwnLanes();
    void sharingGroupKeyIsSaidPlainly();
    void duplicateRulesFollowTheProfile();
    void apiCallsPerApi();
    void jsonCarriesTheBatches();
};

void TestPlanner::initTestCase()
{
    g_scratch = new test::Scratch;
    g_caseA = test::analyzedSample(*g_scratch, QStringLiteral("a.csv"), test::caseA());
}

void TestPlanner::cleanupTestCase()
{
    g_caseA.reset();
    delete g_scratch;
}

void TestPlanner::refusesWhatCannotBePlanned_data()
{
    QTest::addColumn<bool>("empty");
    QTest::addColumn<QString>("mitigation");
    QTest::addColumn<QString>("api");
    QTest::addColumn<std::optional<int>>("batch");
    QTest::addColumn<std::optional<int>>("concurrency");
    QTest::addColumn<QString>("expected");
    const std::optional<int> none;
    QTest::newRow("empty file") << true << "parallel" << "" << none << none << "no data rows";
    QTest::newRow("empty file, lanes") << true << "lanes" << "" << none << none << "no data rows";
    QTest::newRow("batch size 0") << false << "parallel" << "" << std::optional<int>(0) << none << "at least 1 row (got 0)";
    QTest::newRow("negative batch") << false << "lanes" << "" << std::optional<int>(-5) << none << "at least 1 row (got -5)";
    QTest::newRow("bulk over 10,000") << false << "parallel" << "bulk1" << std::optional<int>(10001) << none
                                      << "over the Bulk API 1.0 (parallel) limit of 10,000";
    QTest::newRow("rest over 200") << false << "parallel" << "rest" << std::optional<int>(201) << none
                                   << "over the REST sObject Collections limit of 200 rows a call";
    QTest::newRow("small over rest") << false << "small:500" << "rest" << none << none << "limit of 200";
    QTest::newRow("concurrency 0") << false << "parallel" << "" << none << std::optional<int>(0) << "at least 1 (got 0)";
    QTest::newRow("concurrency 0 lanes") << false << "lanes" << "" << none << std::optional<int>(0) << "at least 1 (got 0)";
    QTest::newRow("concurrency over limit") << false << "parallel" << "" << none << std::optional<int>(26) << "over the limit of 25";
    QTest::newRow("rest threads over limit") << false << "parallel" << "rest" << none << std::optional<int>(30) << "over the limit of 25";
    // Bulk 2.0 orders batches by sending each as a job of its own: a job over one internal
    // batch would run its batches side by side again.
    QTest::newRow("bulk2 serial job over one batch") << false << "serial" << "bulk2" << std::optional<int>(20000) << none << "limit of 10,000 rows a batch";
    QTest::newRow("bulk2 lanes job over one batch") << false << "lanes" << "bulk2" << std::optional<int>(10001) << none << "limit of 10,000 rows a batch";
    QTest::newRow("bulk1-serial parallel") << false << "parallel" << "bulk1-serial" << none << none << "that is the 'serial'";
    QTest::newRow("queue over bulk") << false << "queue" << "bulk1" << none << none << "one parent's rows per REST call";
    QTest::newRow("auto") << false << "auto" << "" << none << none << "AutoPlanner";
}

void TestPlanner::refusesWhatCannotBePlanned()
{
    QFETCH(bool, empty);
    QFETCH(QString, mitigation);
    QFETCH(QString, api);
    QFETCH(std::optional<int>, batch);
    QFETCH(std::optional<int>, concurrency);
    QFETCH(QString, expected);
    const LockKeys emptyKeys = LockKeys::fromTexts({});
    const LockKeys &keys = empty ? emptyKeys : g_caseA->keys;
    PlanOptions options;
    if (!api.isEmpty())
        options.api = parseApi(api);
    options.batchSize = batch;
    options.concurrency = concurrency;
    const auto plan = Planner::plan(keys, *Mitigation::parse(mitigation), options);
    QVERIFY(!plan.has_value());
    QCOMPARE(plan.error().kind, ErrorKind::Usage);
    QVERIFY2(plan.error().message.contains(expected), qPrintable(plan.error().message));
}

void TestPlanner::everyMitigationCoversEveryRowOnce_data()
{
    QTest::addColumn<QString>("mitigation");
    QTest::addColumn<QString>("api");
    for (const char *m : {"parallel", "serial", "sort", "small", "sort+small:25", "lanes", "lanes+no-dup-rules", "serial+sort",
                          "queue"})
        QTest::newRow(m) << m << "";
    QTest::newRow("rest parallel") << "parallel" << "rest";
    QTest::newRow("rest lanes") << "lanes" << "rest";
    QTest::newRow("bulk2") << "parallel" << "bulk2";
    QTest::newRow("bulk2 sorted") << "sort" << "bulk2";
}

void TestPlanner::everyMitigationCoversEveryRowOnce()
{
    QFETCH(QString, mitigation);
    QFETCH(QString, api);
    PlanOptions options;
    if (!api.isEmpty())
        options.api = parseApi(api);
    const auto plan = Planner::plan(g_caseA->keys, *Mitigation::parse(mitigation), options);
    QVERIFY2(plan.has_value(), qPrintable(plan ? QString() : plan.error().message));
    const QString coverage = test::planCoversEveryRowOnce(*plan, g_caseA->keys.rowCount());
    QVERIFY2(coverage.isEmpty(), qPrintable(coverage));
    for (const auto &b : plan->batches) {
        QVERIFY(b.rows <= std::uint32_t(plan->batchSize));
        QVERIFY(b.lane == PlanBatch::kSharedQueue || size_t(b.lane) < plan->lanes.size());
        QVERIFY(b.expectedSeconds > 0);
    }
    QVERIFY(!plan->notes.isEmpty());
}

void TestPlanner::defaultsFollowTheApi_data()
{
    QTest::addColumn<QString>("mitigation");
    QTest::addColumn<QString>("api");
    QTest::addColumn<int>("expectedApi");
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<int>("concurrency");
    QTest::newRow("bulk default") << "parallel" << "" << int(Api::Bulk1Parallel) << 2000 << 15;
    QTest::newRow("serial is bulk serial") << "serial" << "" << int(Api::Bulk1Serial) << 2000 << 1;
    QTest::newRow("small goes REST") << "small" << "" << int(Api::RestCollections) << 10 << 15;
    QTest::newRow("small on bulk if asked") << "small:50" << "bulk1" << int(Api::Bulk1Parallel) << 50 << 15;
    QTest::newRow("rest default call") << "parallel" << "rest" << int(Api::RestCollections) << 200 << 15;
    QTest::newRow("bulk2 cuts 10,000") << "parallel" << "bulk2" << int(Api::Bulk2) << 10000 << 15;
    // Ordered plans on Bulk 2.0: a job per batch, Bulk 1.0's batch size by default.
    QTest::newRow("bulk2 serial: a job per batch") << "serial" << "bulk2" << int(Api::Bulk2) << 2000 << 1;
    QTest::newRow("bulk2 sort: a job per batch") << "sort" << "bulk2" << int(Api::Bulk2) << 2000 << 15;
    QTest::newRow("bulk2 small batches") << "small:500" << "bulk2" << int(Api::Bulk2) << 500 << 15;
}

void TestPlanner::defaultsFollowTheApi()
{
    QFETCH(QString, mitigation);
    QFETCH(QString, api);
    QFETCH(int, expectedApi);
    QFETCH(int, batchSize);
    QFETCH(int, concurrency);
    PlanOptions options;
    if (!api.isEmpty())
        options.api = parseApi(api);
    const auto plan = Planner::plan(g_caseA->keys, *Mitigation::parse(mitigation), options);
    QVERIFY(plan.has_value());
    QCOMPARE(int(plan->api), expectedApi);
    QCOMPARE(plan->batchSize, batchSize);
    QCOMPARE(plan->concurrency, concurrency);
    QCOMPARE(qint64(plan->batches.size()), (qint64(90000) + batchSize - 1) / batchSize);
    // Bulk 2.0 runs one job for parallel, a job per batch for every plan that orders batches.
    if (plan->api == Api::Bulk2) {
        QCOMPARE(plan->jobPerBatch, mitigation != QLatin1String("parallel"));
        QCOMPARE(qint64(plan->jobCount()), plan->jobPerBatch ? qint64(plan->batches.size()) : qint64(1));
    }
}

void TestPlanner::serialIsOneLane()
{
    const auto plan = Planner::plan(g_caseA->keys, {Scheduling::Serial}, {});
    QVERIFY(plan.has_value());
    QCOMPARE(plan->concurrency, 1);
    QCOMPARE(plan->availableConcurrency, 15);   // the bound still divides by what the org offers
    QCOMPARE(plan->lanes.size(), size_t(1));
    QCOMPARE(plan->jobCount(), 1);
    for (const auto &b : plan->batches)
        QCOMPARE(b.lane, 0);
}

void TestPlanner::sortOrdersRowsByParentText()
{
    const auto plan = Planner::plan(g_caseA->keys, {Scheduling::Parallel, true}, {});
    QVERIFY(plan.has_value());
    const LockKeys &keys = g_caseA->keys;
    for (size_t i = 1; i < plan->rows.size(); ++i) {
        const auto a = keys.firstKey(plan->rows[i - 1]);
        const auto b = keys.firstKey(plan->rows[i]);
        QVERIFY(keys.keyText(a) <= keys.keyText(b));
        if (a == b)
            QVERIFY(plan->rows[i - 1] < plan->rows[i]);   // file order within a parent
    }
    // Rows that lock nothing come last.
    const LockKeys small = tinyKeys();
    const auto p = Planner::plan(small, {Scheduling::Parallel, true}, {});
    QCOMPARE(p->rows, (std::vector<std::uint32_t>{0, 2, 1, 5, 3, 4}));
}

void TestPlanner::lowerBoundIsWorkOverWOrTheHottestParent()
{
    const auto plan = Planner::plan(g_caseA->keys, {}, {});
    QVERIFY(plan.has_value());
    QVERIFY(qAbs(plan->totalWorkSeconds - 90000 * 0.027) < 1e-6);   // no parent past 2,000 children
    QVERIFY(qAbs(plan->lowerBoundSeconds - 90000 * 0.027 / 15) < 1e-6);   // 162 s
    QVERIFY(!plan->boundIsHotParent());
    QCOMPARE(plan->componentCount, qint64(g_caseA->distribution.parents()));

    // The house account: its 60 transactions hold it 1 s longer each (10,000 children past the
    // threshold × 0.1 ms): 60 s more work; its holds add up to 12,000 window slices + 60 s.
    test::Scratch scratch;
    const auto house = test::analyzedSample(scratch, QStringLiteral("h.csv"), test::caseA(12000));
    const auto h = Planner::plan(house->keys, {}, {});
    QCOMPARE(h->largestComponentRows, qint64(12000));
    QVERIFY(qAbs(h->totalWorkSeconds - (90000 * 0.027 + 60)) < 1e-6);
    QVERIFY(qAbs(h->lowerBoundSeconds - (90000 * 0.027 + 60) / 15) < 1e-6);   // 166 s
    QVERIFY(qAbs(h->hottestKeyHoldSeconds - (12000 * 0.027 * 0.023 + 60)) < 1e-6);
    QVERIFY(!h->boundIsHotParent());
    QCOMPARE(house->keys.keyLabel(h->hottestKey), house->keys.keyLabel(house->distribution.topParents().front().key));

    // A parent with 20,000 of 30,000 rows: 100 transactions holding it 1.8 s longer each set the bound.
    SampleOptions o = test::caseA(20000);
    o.rows = 30000;
    const auto hot = test::analyzedSample(scratch, QStringLiteral("hot.csv"), o);
    const auto p = Planner::plan(hot->keys, {}, {});
    QVERIFY(p->boundIsHotParent());
    QVERIFY(qAbs(p->lowerBoundSeconds - (20000 * 0.027 * 0.023 + 100 * 1.8)) < 1e-6);
    QVERIFY(p->notes.join(QLatin1Char(' ')).contains(QStringLiteral("No plan without lock errors can finish before")));

    // Children in the org count, not only the file's: a count query raising the house account
    // to 22,000 children doubles its extra hold.
    PlanOptions withOrg;
    auto org = std::make_shared<std::vector<std::uint32_t>>(house->keys.keyCount(), 0u);
    (*org)[h->hottestKey] = 22000;
    withOrg.orgChildren = org;
    const auto o2 = Planner::plan(house->keys, {}, withOrg);
    QVERIFY(qAbs(o2->totalWorkSeconds - (90000 * 0.027 + 120)) < 1e-6);
}

void TestPlanner::lanesPutSkewedParentsOnTheirOwnLanes()
{
    test::Scratch scratch;
    const auto house = test::analyzedSample(scratch, QStringLiteral("h.csv"), test::caseA(12000));
    const auto plan = Planner::plan(house->keys, {Scheduling::Lanes}, {});
    QVERIFY(plan.has_value());
    // The house account alone would take ~390 s on one lane, more than the bound of 166 s: it
    // runs on a few lanes of one group, side by side.
    QVERIFY(plan->lanes.size() >= 2);
    qint64 laneRows = 0;
    for (const auto &l : plan->lanes) {
        QCOMPARE(l.group, 0);
        QCOMPARE(l.mainKey, plan->largestComponentKey);
        laneRows += l.rows;
    }
    QCOMPARE(laneRows, qint64(12000));
    int laneBatches = 0;
    for (const auto &b : plan->batches) {
        if (b.lane >= 0) {
            ++laneBatches;
            QVERIFY(b.rows <= 2000);
            QCOMPARE(b.api, Api::Bulk1Serial);
            for (const auto r : plan->rowsOf(b))
                QCOMPARE(house->keys.firstKey(r), plan->lanes[0].mainKey);
        } else {
            QCOMPARE(b.lane, PlanBatch::kSharedQueue);
            QCOMPARE(b.api, Api::Bulk1Parallel);
        }
    }
    QVERIFY(laneBatches >= 6);   // 12,000 rows in pieces of at most 2,000
    QCOMPARE(plan->jobCount(), int(plan->lanes.size()) + 1);
    QVERIFY(plan->notes.join(QLatin1Char(' ')).contains(QStringLiteral("side by side")));
    QVERIFY(plan->notes.join(QLatin1Char(' ')).contains(QStringLiteral("roll-ups work over them")));

    // A component is never split across shared batches; shared batches shrink toward the end.
    const Components &components = Components::compute(house->keys);
    std::vector<int> batchOfComponent(components.count(), -1);
    for (size_t i = 0; i < plan->batches.size(); ++i)
        for (const auto r : plan->rowsOf(plan->batches[i])) {
            int &b = batchOfComponent[components.componentOfRow(r)];
            QVERIFY(b == -1 || b == int(i) || plan->batches[i].lane >= 0);
            b = int(i);
        }
    QVERIFY(plan->batches.back().rows < plan->batches[size_t(laneBatches) + 2].rows);

    // A skewed component over several parents (Case → Account + Contact) stays on one lane.
    SampleOptions cases = test::caseA(12000);
    cases.object = QStringLiteral("Case");
    const auto c = test::analyzedSample(scratch, QStringLiteral("c.csv"), cases);
    PlanOptions caseOptions;
    caseOptions.object = QStringLiteral("Case");
    const auto cp = Planner::plan(c->keys, {Scheduling::Lanes}, caseOptions);
    QVERIFY(cp.has_value());
    for (const auto &l : cp->lanes)
        QCOMPARE(l.group, -1);
}

void TestPlanner::sharingGroupKeyIsSaidPlainly()
{
    // Owner changes: every row also takes the org-wide sharing-group key.
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < 5000; ++i)
        rows.push_back({"001A" + std::to_string(i % 500), LockKeyCollector::kSharingGroupKey});
    const LockKeys keys = LockKeys::fromTexts(rows);
    const auto plan = Planner::plan(keys, {Scheduling::Lanes}, {});
    QVERIFY(plan.has_value());
    QCOMPARE(plan->componentCount, qint64(1));
    QCOMPARE(plan->lanes.size(), size_t(1));
    QCOMPARE(plan->lanes[0].rows, qint64(5000));
    const QString notes = plan->notes.join(QLatin1Char(' '));
    QVERIFY2(notes.contains(QStringLiteral("sharing-group lock")), qPrintable(notes));
    QVERIFY(notes.contains(QStringLiteral("one component of 5,000 rows")));
}

void TestPlanner::duplicateRulesFollowTheProfile()
{
    PlanOptions options;
    options.object = QStringLiteral("Contact");
    auto on = Planner::plan(g_caseA->keys, {}, options);
    auto off = Planner::plan(g_caseA->keys, {Scheduling::Parallel, false, 0, true}, options);
    QVERIFY(on->duplicateRulesActive);
    QVERIFY(!off->duplicateRulesActive);
    QVERIFY(off->duplicateRulesOff);
    QVERIFY(off->rowSeconds < on->rowSeconds);   // the rule's time in the window is gone
    options.object = QStringLiteral("Opportunity");
    auto opp = Planner::plan(g_caseA->keys, {Scheduling::Parallel, false, 0, true}, options);
    QVERIFY(!opp->duplicateRulesActive);
    QVERIFY(opp->notes.join(QLatin1Char(' ')).contains(QStringLiteral("no active duplicate rules")));
}

void TestPlanner::apiCallsPerApi()
{
    const OrgProfile profile;
    PlanOptions rest;
    rest.api = Api::RestCollections;
    const auto r = Planner::plan(g_caseA->keys, {}, rest);
    QCOMPARE(r->apiCalls(100, profile), qint64(450));   // one call per 200 rows
    const auto b = Planner::plan(g_caseA->keys, {}, {});
    // One job: create + close + 20 polls (100 s / 5 s); 45 batches: upload + result each.
    QCOMPARE(b->apiCalls(100, profile), qint64(2 + 20 + 90));
    PlanOptions bulk2;
    bulk2.api = Api::Bulk2;
    const auto b2 = Planner::plan(g_caseA->keys, {}, bulk2);
    // One ingest job: create, upload, close, successful and failed results + 20 polls.
    QCOMPARE(b2->apiCalls(100, profile), qint64(5 + 20));
}

void TestPlanner::jsonCarriesTheBatches()
{
    const LockKeys keys = tinyKeys();
    PlanOptions options;
    options.batchSize = 2;
    const auto plan = Planner::plan(keys, {Scheduling::Lanes}, options);
    QVERIFY(plan.has_value());
    const QJsonObject json = plan->toJson(&keys, true);
    QCOMPARE(json.value(QStringLiteral("mitigation")).toString(), QStringLiteral("lanes"));
    QCOMPARE(json.value(QStringLiteral("rows")).toInt(), 6);
    const QJsonArray batches = json.value(QStringLiteral("batchList")).toArray();
    QCOMPARE(batches.size(), qsizetype(plan->batches.size()));
    QList<int> fileRows;
    for (const auto &b : batches)
        for (const auto &r : b.toObject().value(QStringLiteral("fileRows")).toArray())
            fileRows << r.toInt();
    std::sort(fileRows.begin(), fileRows.end());
    QCOMPARE(fileRows, (QList<int>{1, 2, 3, 4, 5, 6}));   // 1-based, each once
    QVERIFY(!plan->toJson(&keys, false).value(QStringLiteral("batchList")).toArray().first().toObject().contains(QStringLiteral("fileRows")));
}

QTEST_GUILESS_MAIN(TestPlanner)
#include "tst_planner.moc"

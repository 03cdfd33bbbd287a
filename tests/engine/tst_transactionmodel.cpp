// The transaction model: where in a chunk the locks are taken, in what order, for how long.
#include "sim/SavePolicy.h"
#include "sim/TransactionModel.h"

#include <QtTest>

using namespace lockstep;

namespace {

std::vector<std::span<const LockKey>> spans(const std::vector<std::vector<LockKey>> &rows)
{
    std::vector<std::span<const LockKey>> out;
    for (const auto &r : rows)
        out.emplace_back(r);
    return out;
}

OrgProfile steadyProfile()
{
    OrgProfile p;
    p.workCv = 0;   // no variation: exact times
    return p;
}

} // namespace

class TestTransactionModel : public QObject {
    Q_OBJECT

private slots:
    void locksComeLateInRowOrder();
    void eachKeyIsRequestedOnce();
    void multiKeyRowsRequestEveryKey();
    void duplicateRulesLengthenTheWindowOnly();
    void factorsScaleTheirPart();
    void variationHasMeanOneAndTheProfileCv();
    void savePolicy_data();
    void savePolicy();
    void bulkRequeueDecision_data();
    void bulkRequeueDecision();
};

void TestTransactionModel::locksComeLateInRowOrder()
{
    const OrgProfile p = steadyProfile();
    const TransactionModel model(p, {});
    std::vector<std::vector<LockKey>> rows;
    for (LockKey k = 0; k < 200; ++k)
        rows.push_back({k});
    Random random(1);
    const auto script = model.script(spans(rows), random);
    QCOMPARE(script.rows, 200u);
    QCOMPARE(script.locks.size(), size_t(200));
    const double total = 200 * 0.027;
    QVERIFY(qAbs(script.seconds() - total) < 1e-9);
    // The first lock comes after 97.7 % of the transaction; the rest follow in row order.
    QVERIFY(qAbs(script.locks[0].workBefore - total * (1 - 0.023)) < 1e-9);
    double at = 0;
    for (size_t i = 0; i < script.locks.size(); ++i) {
        at += script.locks[i].workBefore;
        QCOMPARE(script.locks[i].key, LockKey(i));
        QCOMPARE(script.locks[i].row, std::uint32_t(i));
        QVERIFY(at >= total * (1 - 0.023) - 1e-9);
    }
    // The window is 2.3 % of the chunk: ≈ 0.124 s.
    QVERIFY(qAbs(script.workAfterLocks - total * 0.023 / 200) < 1e-9);
}

void TestTransactionModel::eachKeyIsRequestedOnce()
{
    const TransactionModel model(steadyProfile(), {});
    const std::vector<std::vector<LockKey>> rows{{5}, {3}, {5}, {}, {3}, {9}};
    Random random(1);
    const auto script = model.script(spans(rows), random);
    QCOMPARE(script.locks.size(), size_t(3));
    QCOMPARE(script.locks[0].key, LockKey(5));
    QCOMPARE(script.locks[1].key, LockKey(3));
    QCOMPARE(script.locks[2].key, LockKey(9));
    QCOMPARE(script.locks[2].row, 5u);
    QVERIFY(qAbs(script.seconds() - 6 * 0.027) < 1e-9);
}

void TestTransactionModel::multiKeyRowsRequestEveryKey()
{
    // A Case locks its Account and its Contact: both requested when its row comes up.
    const TransactionModel model(steadyProfile(), {});
    std::vector<std::vector<LockKey>> rows;
    for (LockKey k = 0; k < 300; ++k)
        rows.push_back({1000 + k % 7, k});   // many keys: the de-duplication set must grow
    Random random(1);
    const auto script = model.script(spans(rows), random);
    QCOMPARE(script.locks.size(), size_t(307));
    QCOMPARE(script.locks[0].key, LockKey(1000));
    QCOMPARE(script.locks[1].key, LockKey(0));
    QCOMPARE(script.locks[1].workBefore, 0.0);
}

void TestTransactionModel::duplicateRulesLengthenTheWindowOnly()
{
    const OrgProfile p = steadyProfile();
    const TransactionModel off(p, {QStringLiteral("Child__c"), Operation::Upsert, false});
    const TransactionModel on(p, {QStringLiteral("Child__c"), Operation::Upsert, true});
    std::vector<std::vector<LockKey>> rows;
    for (LockKey k = 0; k < 200; ++k)
        rows.push_back({k});
    Random r1(1), r2(1);
    const auto a = off.script(spans(rows), r1);
    const auto b = on.script(spans(rows), r2);
    QCOMPARE(a.locks[0].workBefore, b.locks[0].workBefore);   // same time before the window
    const double added = b.seconds() - a.seconds();
    QVERIFY(qAbs(added - 200 * p.duplicateRuleRowSeconds) < 1e-9);
    QVERIFY(qAbs(b.seconds() / a.seconds() - 1.02) < 1e-9);   // the study's ×1.02
}

void TestTransactionModel::factorsScaleTheirPart()
{
    OrgProfile p = steadyProfile();
    p.triggerFactor = 2;
    p.rollUpFactor = 3;
    const TransactionModel model(p, {});
    std::vector<std::vector<LockKey>> rows{{1}, {2}};
    Random random(1);
    const auto s = model.script(spans(rows), random);
    QVERIFY(qAbs(s.locks[0].workBefore - 2 * 0.027 * 0.977 * 2) < 1e-12);
    QVERIFY(qAbs(s.seconds() - 2 * 0.027 * (0.977 * 2 + 0.023 * 3)) < 1e-12);
    QVERIFY(qAbs(model.expectedSeconds(2) - s.seconds()) < 1e-12);
}

void TestTransactionModel::variationHasMeanOneAndTheProfileCv()
{
    const TransactionModel model(OrgProfile{}, {});
    Random random(7);
    double sum = 0, sum2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double f = model.variation(random);
        QVERIFY(f > 0);
        sum += f;
        sum2 += f * f;
    }
    const double mean = sum / n;
    const double cv = std::sqrt(sum2 / n - mean * mean) / mean;
    QVERIFY2(qAbs(mean - 1) < 0.005, qPrintable(QString::number(mean)));
    QVERIFY2(qAbs(cv - 0.2) < 0.005, qPrintable(QString::number(cv)));
}

void TestTransactionModel::savePolicy_data()
{
    QTest::addColumn<bool>("wholeChunk");
    QTest::addColumn<int>("failedCount");
    QTest::newRow("statement fails as a whole") << true << 4;
    QTest::newRow("only the key's rows") << false << 2;
}

void TestTransactionModel::savePolicy()
{
    QFETCH(bool, wholeChunk);
    QFETCH(int, failedCount);
    OrgProfile p;
    p.lockFailureFailsChunk = wholeChunk;
    const SavePolicy policy(p);
    const std::vector<std::vector<LockKey>> rows{{1}, {2}, {1}, {3}};
    std::vector<bool> failed;
    const auto n = policy.failedRows(4, [&](std::uint32_t i) { return std::span<const LockKey>(rows[i]); }, 1, failed);
    QCOMPARE(int(n), failedCount);
    QVERIFY(failed[0] && failed[2]);
    QCOMPARE(bool(failed[1]), wholeChunk);
    QVERIFY(policy.retryRest(1, 2));
    QVERIFY(policy.retryRest(2, 2));
    QVERIFY(!policy.retryRest(3, 2));   // 3 attempts in total
    QVERIFY(!policy.retryRest(1, 0));
}

void TestTransactionModel::bulkRequeueDecision_data()
{
    QTest::addColumn<int>("failed");
    QTest::addColumn<int>("requeues");
    QTest::addColumn<bool>("disabled");
    QTest::addColumn<int>("expected");
    using N = SavePolicy::BulkNext;
    QTest::newRow("under threshold") << 100 << 0 << false << int(N::Continue);
    QTest::newRow("over threshold") << 101 << 0 << false << int(N::Requeue);
    QTest::newRow("ninth requeue") << 200 << 9 << false << int(N::Requeue);
    QTest::newRow("requeues used up") << 200 << 10 << false << int(N::FailRest);
    QTest::newRow("retry disabled") << 5000 << 0 << true << int(N::Continue);
}

void TestTransactionModel::bulkRequeueDecision()
{
    QFETCH(int, failed);
    QFETCH(int, requeues);
    QFETCH(bool, disabled);
    QFETCH(int, expected);
    const OrgProfile p;
    QCOMPARE(int(SavePolicy(p).afterBulkChunk(failed, requeues, disabled)), expected);
}

QTEST_GUILESS_MAIN(TestTransactionModel)
#include "tst_transactionmodel.moc"

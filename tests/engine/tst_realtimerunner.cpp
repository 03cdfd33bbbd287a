// Transactions on real threads, in scaled time: the path the demo org takes through the engine.
#include "sim/RealTimeRunner.h"
#include "sim/TransactionModel.h"

#include <QtTest>

#include <thread>

using namespace lockstep;

namespace {

TransactionScript twoLocks(LockKey first, LockKey second, double before, double between, double after)
{
    TransactionScript s;
    s.rows = 2;
    s.locks = {{before, first, 0}, {between, second, 1}};
    s.workAfterLocks = after;
    return s;
}

} // namespace

class TestRealTimeRunner : public QObject {
    Q_OBJECT

private slots:
    void uncontendedChunkTakesItsScaledTime();
    void oppositeOrderDeadlocksOneSide();
    void waitTimesOutAfterTheScaledTimeout();
    void cancelStopsAndReleases();
    void modelScriptRunsEndToEnd();
};

void TestRealTimeRunner::uncontendedChunkTakesItsScaledTime()
{
    BlockingLockTable table;
    const RealTimeRunner runner(table, 10.0, 0.01);
    QElapsedTimer timer;
    timer.start();
    bool committed = false;
    const auto outcome = runner.run(twoLocks(1, 2, 3.0, 1.0, 1.0), {}, [&] {
        committed = true;
        QCOMPARE(table.lockedKeyCount(), size_t(2));   // still held while writing
    });
    QCOMPARE(outcome.failure, LockFailure::None);
    QVERIFY(committed);
    QCOMPARE(outcome.waits, 0);
    QVERIFY2(timer.elapsed() >= 48 && timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(outcome.seconds >= 4.8 && outcome.seconds < 100);   // model seconds
    QCOMPARE(table.lockedKeyCount(), size_t(0));
}

void TestRealTimeRunner::oppositeOrderDeadlocksOneSide()
{
    // A takes 1 then 2; B takes 2 then 1, half-way: exactly one of them is refused at once.
    BlockingLockTable table;
    const RealTimeRunner runner(table, 10.0, 0.01);
    TransactionOutcome a, b;
    std::thread ta([&] { a = runner.run(twoLocks(1, 2, 0.0, 5.0, 1.0)); });
    std::thread tb([&] { b = runner.run(twoLocks(2, 1, 2.0, 5.0, 1.0)); });
    ta.join();
    tb.join();
    const int deadlocks = int(a.failure == LockFailure::Deadlock) + int(b.failure == LockFailure::Deadlock);
    QCOMPARE(deadlocks, 1);
    QVERIFY(a.failure == LockFailure::None || b.failure == LockFailure::None);
    QCOMPARE(table.lockedKeyCount(), size_t(0));
}

void TestRealTimeRunner::waitTimesOutAfterTheScaledTimeout()
{
    BlockingLockTable table;
    const RealTimeRunner runner(table, 10.0, 0.01);   // 10 s → 100 ms
    TransactionOutcome holder, waiter;
    std::thread th([&] { holder = runner.run(twoLocks(1, 2, 0.0, 0.0, 30.0)); });   // holds 300 ms
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    QElapsedTimer timer;
    timer.start();
    waiter = runner.run(twoLocks(1, 3, 0.0, 0.0, 0.0));
    const qint64 waited = timer.elapsed();
    th.join();
    QCOMPARE(waiter.failure, LockFailure::Timeout);
    QCOMPARE(waiter.key, LockKey(1));
    QCOMPARE(waiter.waits, 1);
    // Never before the scaled timeout; the upper bound leaves room for a loaded machine.
    QVERIFY2(waited >= 95 && waited <= 400, qPrintable(QString::number(waited)));
    QCOMPARE(holder.failure, LockFailure::None);
    QCOMPARE(table.lockedKeyCount(), size_t(0));
}

void TestRealTimeRunner::cancelStopsAndReleases()
{
    BlockingLockTable table;
    const RealTimeRunner runner(table, 10.0, 1.0);
    CancelToken token;
    TransactionOutcome outcome;
    std::thread th([&] { outcome = runner.run(twoLocks(1, 2, 0.0, 60.0, 0.0), token); });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    token.cancel();
    th.join();
    QCOMPARE(outcome.failure, LockFailure::Cancelled);
    QCOMPARE(table.lockedKeyCount(), size_t(0));
}

void TestRealTimeRunner::modelScriptRunsEndToEnd()
{
    // A 200-row chunk of the calibrated model at scale 0.01: 5.4 s → ~54 ms.
    OrgProfile p;
    p.workCv = 0;
    const TransactionModel model(p, {});
    std::vector<std::vector<LockKey>> keys;
    for (LockKey k = 0; k < 200; ++k)
        keys.push_back({k % 40});
    std::vector<std::span<const LockKey>> rows(keys.begin(), keys.end());
    Random random(3);
    const auto script = model.script(rows, random);
    BlockingLockTable table;
    const RealTimeRunner runner(table, p.lockTimeoutSeconds, 0.01);
    QElapsedTimer timer;
    timer.start();
    const auto outcome = runner.run(script);
    QCOMPARE(outcome.failure, LockFailure::None);
    QVERIFY2(timer.elapsed() >= 50 && timer.elapsed() < 1500, qPrintable(QString::number(timer.elapsed())));
}

QTEST_GUILESS_MAIN(TestRealTimeRunner)
#include "tst_realtimerunner.moc"

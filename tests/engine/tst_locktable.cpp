// The lock table's state machine: FIFO hand-over, deadlock refusal, abandoned waits, no leaks —
// and the blocking wrapper on real threads.
#include "common/Random.h"
#include "sim/BlockingLockTable.h"
#include "sim/LockTable.h"

#include <QtTest>

#include <atomic>
#include <thread>

using namespace lockstep;
using namespace std::chrono_literals;

class TestLockTable : public QObject {
    Q_OBJECT

private slots:
    void freeKeyIsGranted();
    void reRequestOfHeldKeyIsGranted();
    void waitersAreServedFirstComeFirstServed();
    void twoWayDeadlockIsRefusedAtOnce();
    void threeWayDeadlockIsRefusedAtOnce();
    void waitingBehindAWaiterIsNotADeadlock();
    void abandonedWaitLeavesTheQueue();
    void endWhileWaitingLeavesTheQueue();
    void transactionIdsAreReused();
    void randomWorkloadNeverLeaksOrDoubleGrants();
    void blockingAcquireTimesOut();
    void blockingAcquireIsGrantedOnRelease();
    void scheduledReleaseHandsOnAtItsTimeNotAtEnd();
    void rollbackBeforeScheduledReleaseFreesAtOnce();
    void blockingDeadlockIsRefused();
    void blockingAcquireCanBeCancelled();
    void guardReleasesOnScopeExit();
};

void TestLockTable::freeKeyIsGranted()
{
    LockTable t;
    const TxId a = t.begin();
    QCOMPARE(t.request(a, 7), LockTable::Request::Granted);
    QCOMPARE(t.holder(7), a);
    QCOMPARE(t.lockedKeyCount(), size_t(1));
    t.end(a);
    QCOMPARE(t.holder(7), LockTable::noTx);
    QCOMPARE(t.lockedKeyCount(), size_t(0));
    QCOMPARE(t.activeTransactions(), size_t(0));
}

void TestLockTable::reRequestOfHeldKeyIsGranted()
{
    LockTable t;
    const TxId a = t.begin();
    QCOMPARE(t.request(a, 1), LockTable::Request::Granted);
    QCOMPARE(t.request(a, 1), LockTable::Request::Granted);
    QCOMPARE(t.heldBy(a).size(), size_t(1));
}

void TestLockTable::waitersAreServedFirstComeFirstServed()
{
    LockTable t;
    const TxId a = t.begin(), b = t.begin(), c = t.begin();
    QCOMPARE(t.request(a, 1), LockTable::Request::Granted);
    QCOMPARE(t.request(b, 1), LockTable::Request::Queued);
    QCOMPARE(t.request(c, 1), LockTable::Request::Queued);
    QCOMPARE(t.waiterCount(1), size_t(2));
    std::vector<LockTable::Grant> grants;
    t.end(a, &grants);
    QCOMPARE(grants.size(), size_t(1));
    QCOMPARE(grants[0].tx, b);
    QCOMPARE(t.holder(1), b);
    QCOMPARE(t.waitingFor(b), LockTable::noKey);
    QCOMPARE(t.waitingFor(c), LockKey(1));
    grants.clear();
    t.end(b, &grants);
    QCOMPARE(grants.size(), size_t(1));
    QCOMPARE(grants[0].tx, c);
}

void TestLockTable::twoWayDeadlockIsRefusedAtOnce()
{
    LockTable t;
    const TxId a = t.begin(), b = t.begin();
    QCOMPARE(t.request(a, 1), LockTable::Request::Granted);
    QCOMPARE(t.request(b, 2), LockTable::Request::Granted);
    QCOMPARE(t.request(a, 2), LockTable::Request::Queued);
    // b → 1 would wait for a, which waits for b.
    QCOMPARE(t.request(b, 1), LockTable::Request::Deadlock);
    QCOMPARE(t.waitingFor(b), LockTable::noKey);   // refused, not queued
    std::vector<LockTable::Grant> grants;
    t.end(b, &grants);   // rollback hands key 2 to a
    QCOMPARE(grants.size(), size_t(1));
    QCOMPARE(grants[0].tx, a);
    QCOMPARE(grants[0].key, LockKey(2));
}

void TestLockTable::threeWayDeadlockIsRefusedAtOnce()
{
    LockTable t;
    const TxId a = t.begin(), b = t.begin(), c = t.begin();
    QCOMPARE(t.request(a, 1), LockTable::Request::Granted);
    QCOMPARE(t.request(b, 2), LockTable::Request::Granted);
    QCOMPARE(t.request(c, 3), LockTable::Request::Granted);
    QCOMPARE(t.request(a, 2), LockTable::Request::Queued);
    QCOMPARE(t.request(b, 3), LockTable::Request::Queued);
    QCOMPARE(t.request(c, 1), LockTable::Request::Deadlock);
}

void TestLockTable::waitingBehindAWaiterIsNotADeadlock()
{
    LockTable t;
    const TxId a = t.begin(), b = t.begin(), c = t.begin();
    QCOMPARE(t.request(a, 1), LockTable::Request::Granted);
    QCOMPARE(t.request(c, 2), LockTable::Request::Granted);
    QCOMPARE(t.request(b, 1), LockTable::Request::Queued);
    QCOMPARE(t.request(c, 1), LockTable::Request::Queued);   // behind b, for a: no cycle
    std::vector<LockTable::Grant> grants;
    t.end(a, &grants);
    QCOMPARE(grants[0].tx, b);
    // b now needs 2, held by c, which waits for 1 held by b: that closes a cycle.
    QCOMPARE(t.request(b, 2), LockTable::Request::Deadlock);
}

void TestLockTable::abandonedWaitLeavesTheQueue()
{
    LockTable t;
    const TxId a = t.begin(), b = t.begin(), c = t.begin();
    t.request(a, 1);
    t.request(b, 1);
    t.request(c, 1);
    t.abandonWait(b);   // b timed out
    QCOMPARE(t.waiterCount(1), size_t(1));
    std::vector<LockTable::Grant> grants;
    t.end(a, &grants);
    QCOMPARE(grants.size(), size_t(1));
    QCOMPARE(grants[0].tx, c);
    t.end(b);
    t.end(c);
    QCOMPARE(t.lockedKeyCount(), size_t(0));
}

void TestLockTable::endWhileWaitingLeavesTheQueue()
{
    LockTable t;
    const TxId a = t.begin(), b = t.begin();
    t.request(a, 1);
    t.request(b, 2);
    t.request(b, 1);
    t.end(b);   // rolled back while waiting: releases 2, leaves the queue of 1
    QCOMPARE(t.waiterCount(1), size_t(0));
    QCOMPARE(t.holder(2), LockTable::noTx);
    t.end(a);
    QCOMPARE(t.holder(1), LockTable::noTx);
}

void TestLockTable::transactionIdsAreReused()
{
    LockTable t;
    const TxId a = t.begin();
    t.end(a);
    QCOMPARE(t.begin(), a);
}

void TestLockTable::randomWorkloadNeverLeaksOrDoubleGrants()
{
    // Random requests, abandons and ends; invariants after every operation: a key has at most
    // one holder, a granted key is in its holder's list, nothing is held after all end.
    Random random(42);
    LockTable t;
    std::vector<TxId> live;
    for (int op = 0; op < 20000; ++op) {
        const auto choice = random.below(10);
        if (live.size() < 8 && choice < 3) {
            live.push_back(t.begin());
        } else if (!live.empty() && choice < 8) {
            const TxId tx = live[random.below(live.size())];
            if (t.waitingFor(tx) != LockTable::noKey)
                continue;
            const auto r = t.request(tx, LockKey(random.below(12)));
            if (r == LockTable::Request::Deadlock) {
                t.end(tx);
                std::erase(live, tx);
            }
        } else if (!live.empty()) {
            const TxId tx = live[random.below(live.size())];
            if (choice == 8) {
                t.abandonWait(tx);
            } else {
                t.end(tx);
                std::erase(live, tx);
            }
        }
        for (LockKey k = 0; k < 12; ++k) {
            const TxId h = t.holder(k);
            if (h != LockTable::noTx) {
                const auto &held = t.heldBy(h);
                QVERIFY(std::count(held.begin(), held.end(), k) == 1);
            }
        }
    }
    for (TxId tx : live)
        t.end(tx);
    QCOMPARE(t.lockedKeyCount(), size_t(0));
    QCOMPARE(t.activeTransactions(), size_t(0));
}

void TestLockTable::blockingAcquireTimesOut()
{
    BlockingLockTable table;
    LockTableTransaction holder(table);
    QCOMPARE(holder.acquire(1, BlockingLockTable::Clock::now() + 1s), BlockingLockTable::Acquire::Granted);
    LockTableTransaction waiter(table);
    QElapsedTimer timer;
    timer.start();
    bool queued = false;
    QCOMPARE(waiter.acquire(1, BlockingLockTable::Clock::now() + 80ms, {}, &queued), BlockingLockTable::Acquire::Timeout);
    QVERIFY(queued);
    QVERIFY2(timer.elapsed() >= 79 && timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(table.holder(1), holder.id());
}

void TestLockTable::blockingAcquireIsGrantedOnRelease()
{
    BlockingLockTable table;
    auto holder = std::make_unique<LockTableTransaction>(table);
    QCOMPARE(holder->acquire(5, BlockingLockTable::Clock::now() + 1s), BlockingLockTable::Acquire::Granted);
    std::atomic<int> result{-1};
    std::thread waiter([&] {
        LockTableTransaction tx(table);
        result = int(tx.acquire(5, BlockingLockTable::Clock::now() + 5s));
    });
    std::this_thread::sleep_for(30ms);
    holder.reset();   // commit
    waiter.join();
    QCOMPARE(result.load(), int(BlockingLockTable::Acquire::Granted));
    QCOMPARE(table.lockedKeyCount(), size_t(0));
}

void TestLockTable::scheduledReleaseHandsOnAtItsTimeNotAtEnd()
{
    // The holder says it commits in 40 ms and then oversleeps (its thread wakes up late): the
    // waiter gets the lock at the commit's due time, as of that time, and so does a newcomer
    // asking for another of its keys afterwards — without waiting for the holder's end().
    BlockingLockTable table;
    LockTableTransaction holder(table);
    QCOMPARE(holder.acquire(5, BlockingLockTable::Clock::now() + 1s), BlockingLockTable::Acquire::Granted);
    QCOMPARE(holder.acquire(6, BlockingLockTable::Clock::now() + 1s), BlockingLockTable::Acquire::Granted);
    const auto commitDue = BlockingLockTable::Clock::now() + 40ms;
    holder.releaseAt(commitDue);
    bool queued = false;
    BlockingLockTable::Clock::time_point grantedAt;
    LockTableTransaction waiter(table);
    waiter.releaseAt(BlockingLockTable::Clock::now());   // its schedule before the wait: stale once it waits
    QCOMPARE(waiter.acquire(5, BlockingLockTable::Clock::now() + 5s, {}, &queued, &grantedAt), BlockingLockTable::Acquire::Granted);
    const auto returned = BlockingLockTable::Clock::now();
    QVERIFY(queued);
    QVERIFY(grantedAt == commitDue);   // the model's clock resumes the waiter at the commit
    QVERIFY(returned >= commitDue);     // never before it
    QCOMPARE(table.holder(5), waiter.id());
    QCOMPARE(table.holder(6), LockTable::noTx);
    // The wait moved the waiter's commit: its old schedule does not take the key it just got.
    LockTableTransaction other(table);
    QCOMPARE(other.acquire(5, BlockingLockTable::Clock::now() + 30ms), BlockingLockTable::Acquire::Timeout);
    QCOMPARE(table.holder(5), waiter.id());
    other.end();
    LockTableTransaction newcomer(table);
    QCOMPARE(newcomer.acquire(6, BlockingLockTable::Clock::now() + 1s, {}, &queued), BlockingLockTable::Acquire::Granted);
    QVERIFY(!queued);
    QCOMPARE(table.activeTransactions(), size_t(3));   // the holder's id stays its own until end()
    holder.end();
    QCOMPARE(table.holder(5), waiter.id());
    QCOMPARE(table.holder(6), newcomer.id());
}

void TestLockTable::rollbackBeforeScheduledReleaseFreesAtOnce()
{
    BlockingLockTable table;
    LockTableTransaction holder(table);
    QCOMPARE(holder.acquire(5, BlockingLockTable::Clock::now() + 1s), BlockingLockTable::Acquire::Granted);
    holder.releaseAt(BlockingLockTable::Clock::now() + 10s);
    std::atomic<int> result{-1};
    std::thread waiter([&] {
        LockTableTransaction tx(table);
        result = int(tx.acquire(5, BlockingLockTable::Clock::now() + 5s));
    });
    std::this_thread::sleep_for(30ms);
    QElapsedTimer timer;
    timer.start();
    holder.end();   // cancelled: rolled back long before its commit was due
    waiter.join();
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(result.load(), int(BlockingLockTable::Acquire::Granted));
}

void TestLockTable::blockingDeadlockIsRefused()
{
    BlockingLockTable table;
    LockTableTransaction a(table);
    QCOMPARE(a.acquire(1, BlockingLockTable::Clock::now() + 1s), BlockingLockTable::Acquire::Granted);
    std::atomic<int> result{-1};
    std::atomic<bool> bHolds2{false};
    std::thread b([&] {
        LockTableTransaction tx(table);
        tx.acquire(2, BlockingLockTable::Clock::now() + 1s);
        bHolds2 = true;
        result = int(tx.acquire(1, BlockingLockTable::Clock::now() + 5s));   // waits for a
    });
    while (!bHolds2)
        std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(20ms);   // b is queued on 1 now
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(a.acquire(2, BlockingLockTable::Clock::now() + 5s), BlockingLockTable::Acquire::Deadlock);
    QVERIFY(timer.elapsed() < 1000);   // at once, not after the 5 s timeout
    a.end();
    b.join();
    QCOMPARE(result.load(), int(BlockingLockTable::Acquire::Granted));
    QCOMPARE(table.lockedKeyCount(), size_t(0));
}

void TestLockTable::blockingAcquireCanBeCancelled()
{
    BlockingLockTable table;
    LockTableTransaction holder(table);
    holder.acquire(1, BlockingLockTable::Clock::now() + 1s);
    CancelToken token;
    std::atomic<int> result{-1};
    std::thread waiter([&] {
        LockTableTransaction tx(table);
        result = int(tx.acquire(1, BlockingLockTable::Clock::now() + 10s, token));
    });
    std::this_thread::sleep_for(30ms);
    QElapsedTimer timer;
    timer.start();
    token.cancel();
    waiter.join();
    QVERIFY(timer.elapsed() < 2000);   // well before the 10 s deadline
    QCOMPARE(result.load(), int(BlockingLockTable::Acquire::Cancelled));
}

void TestLockTable::guardReleasesOnScopeExit()
{
    BlockingLockTable table;
    {
        LockTableTransaction tx(table);
        tx.acquire(1, BlockingLockTable::Clock::now() + 1s);
        tx.acquire(2, BlockingLockTable::Clock::now() + 1s);
        QCOMPARE(table.lockedKeyCount(), size_t(2));
    }
    QCOMPARE(table.lockedKeyCount(), size_t(0));
    QCOMPARE(table.activeTransactions(), size_t(0));
}

QTEST_GUILESS_MAIN(TestLockTable)
#include "tst_locktable.moc"

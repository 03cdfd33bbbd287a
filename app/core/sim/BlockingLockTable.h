#pragma once

#include "common/Progress.h"
#include "sim/LockTable.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace lockstep {

// LockTable for real threads (the demo org): acquire() blocks until the lock is granted, the
// deadline passes, a deadlock is detected or the token is cancelled. Thread-safe.
class BlockingLockTable {
public:
    using Clock = std::chrono::steady_clock;
    enum class Acquire { Granted, Deadlock, Timeout, Cancelled };

    TxId begin();
    // Waits at most until `deadline`. On anything but Granted the transaction still holds its
    // earlier locks: the caller rolls back with end() (LockTableTransaction does it for you).
    // `queued` (optional) tells whether the request had to wait behind another holder;
    // `grantedAt` (optional) when the lock was handed over — the holder's release, which is when
    // the model's clock resumes the waiter, however late its thread wakes up.
    Acquire acquire(TxId tx, LockKey key, Clock::time_point deadline, const CancelToken &cancel = {},
                    bool *queued = nullptr, Clock::time_point *grantedAt = nullptr);
    // Commit or rollback: releases every lock of `tx` and wakes the next waiters.
    void end(TxId tx);
    // `tx`'s schedule says it commits at `when` (it says so again when a wait moves its
    // schedule). Once `when` has passed while `tx` is not waiting, its locks count as released,
    // handed to their waiters as of `when`, however late its thread is: starved of CPU, a lock
    // walk falls milliseconds behind its schedule (3–13 ms under a 0.6-CPU quota here, against a
    // 6 ms window at scale 0.05), and holding its locks until it caught up lengthened them past
    // the model's commit. Keys it asks for after that are taken as usual, for the moment until
    // its end(). A rollback before `when` still releases at once through end().
    void releaseAt(TxId tx, Clock::time_point when);

    std::size_t lockedKeyCount() const;
    std::size_t activeTransactions() const;
    TxId holder(LockKey key) const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    LockTable m_table;
    std::vector<LockTable::Grant> m_grants;                       // scratch for end() and releaseIfDue()
    std::unordered_map<TxId, Clock::time_point> m_grantedAt;      // waiters granted, not yet awake
    std::unordered_map<TxId, Clock::time_point> m_releaseAt;      // holders committing on a schedule

    // With m_mutex held: releases `holder`'s locks when its scheduled commit has come; true if so.
    bool releaseIfDue(TxId holder, Clock::time_point now);
    // With m_mutex held: `waiter` was handed a key as of `when`.
    void granted(TxId waiter, Clock::time_point when);
};

// One transaction on a BlockingLockTable; ends it (releasing every lock) when destroyed, so
// no exception or early return leaks a lock.
class LockTableTransaction {
public:
    explicit LockTableTransaction(BlockingLockTable &table) : m_table(&table), m_tx(table.begin()) {}
    ~LockTableTransaction() { end(); }
    LockTableTransaction(const LockTableTransaction &) = delete;
    LockTableTransaction &operator=(const LockTableTransaction &) = delete;

    BlockingLockTable::Acquire acquire(LockKey key, BlockingLockTable::Clock::time_point deadline,
                                       const CancelToken &cancel = {}, bool *queued = nullptr,
                                       BlockingLockTable::Clock::time_point *grantedAt = nullptr)
    {
        return m_table->acquire(m_tx, key, deadline, cancel, queued, grantedAt);
    }
    void releaseAt(BlockingLockTable::Clock::time_point when)
    {
        if (m_tx != LockTable::noTx)
            m_table->releaseAt(m_tx, when);
    }
    void end()
    {
        if (m_tx != LockTable::noTx)
            m_table->end(m_tx);
        m_tx = LockTable::noTx;
    }
    TxId id() const { return m_tx; }

private:
    BlockingLockTable *m_table;
    TxId m_tx;
};

} // namespace lockstep

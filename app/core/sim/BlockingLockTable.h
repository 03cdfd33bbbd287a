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

    std::size_t lockedKeyCount() const;
    std::size_t activeTransactions() const;
    TxId holder(LockKey key) const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    LockTable m_table;
    std::vector<LockTable::Grant> m_grants;                       // scratch for end()
    std::unordered_map<TxId, Clock::time_point> m_grantedAt;      // waiters granted, not yet awake
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

#pragma once

#include "common/Progress.h"
#include "sim/BlockingLockTable.h"
#include "sim/TransactionScript.h"

#include <functional>

namespace lockstep {

// How one transaction ended on a real thread.
struct TransactionOutcome {
    LockFailure failure = LockFailure::None;
    LockKey key = LockTable::noKey;   // the request that failed
    std::uint32_t row = 0;            // its row within the attempt
    int waits = 0;                    // requests that had to queue
    double seconds = 0;               // wall time, unscaled back to model seconds
};

// Runs TransactionScripts on the calling thread against a BlockingLockTable, sleeping the
// server work (the demo org sleeps rather than burns CPU, so 15 transactions fit two cores).
// `timeScale` maps model seconds to wall seconds: 0.01 turns the 10 s lock timeout into 100 ms.
class RealTimeRunner {
public:
    RealTimeRunner(BlockingLockTable &table, double lockTimeoutSeconds, double timeScale)
        : m_table(table), m_lockTimeout(lockTimeoutSeconds), m_scale(timeScale)
    {
    }

    // `beforeCommit` runs while every lock is still held (write the records there); it is not
    // called when the transaction fails. Locks are always released before run() returns.
    TransactionOutcome run(const TransactionScript &script, const CancelToken &cancel = {},
                           const std::function<void()> &beforeCommit = {}) const;

private:
    // Sleeps `modelSeconds` × scale; false when cancelled meanwhile.
    bool work(double modelSeconds, const CancelToken &cancel) const;

    BlockingLockTable &m_table;
    double m_lockTimeout;
    double m_scale;
};

} // namespace lockstep

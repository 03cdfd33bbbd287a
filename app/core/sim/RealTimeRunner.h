#pragma once

#include "common/Progress.h"
#include "sim/BlockingLockTable.h"
#include "sim/TransactionScript.h"

#include <functional>
#include <optional>

namespace lockstep {

// How one transaction ended on a real thread.
struct TransactionOutcome {
    LockFailure failure = LockFailure::None;
    LockKey key = LockTable::noKey;   // the request that failed
    std::uint32_t row = 0;            // its row within the attempt
    int waits = 0;                    // requests that had to queue
    double walkLateSeconds = 0;       // real time the lock walk fell behind its schedule, at most
    double seconds = 0;               // wall time, unscaled back to model seconds
};

// Runs TransactionScripts on the calling thread against a BlockingLockTable, sleeping the
// server work (the demo org sleeps rather than burns CPU, so 15 transactions fit two cores).
// `timeScale` maps model seconds to wall seconds: 0.01 turns the 10 s lock timeout into 100 ms.
//
// Time is kept against a schedule, not slept step by step: a 200-row chunk has ~200 lock
// steps a few microseconds apart at small scales, and a relative sleep per step overshoots
// each by the kernel's timer slack (~60 µs) — that stretched a 2.5 ms lock window five-fold and
// multiplied the lock errors. Each step is due at (end of the previous wait) + its work, so
// overshoots never add up, and steps due within a few microseconds go ahead without sleeping.
class RealTimeRunner {
public:
    RealTimeRunner(BlockingLockTable &table, double lockTimeoutSeconds, double timeScale)
        : m_table(table), m_lockTimeout(lockTimeoutSeconds), m_scale(timeScale)
    {
    }

    // `beforeCommit` runs once every lock is held, before the work after the last lock: from
    // there only a cancel can fail the transaction (take the commit's place in line there; the
    // locks may be handed on at the commit's due time, before this thread wakes up). It is not
    // called when a lock fails. Locks are always released before run() returns.
    // `serverTimeBegan`: when the transaction's server time started; real work already spent on
    // it (the demo org's checks, its database write charged ahead) counts against the script's
    // work before the first lock. Defaults to now.
    TransactionOutcome run(const TransactionScript &script, const CancelToken &cancel = {},
                           const std::function<void()> &beforeCommit = {},
                           std::optional<BlockingLockTable::Clock::time_point> serverTimeBegan = std::nullopt) const;

    // Lowers this thread's timer slack (Linux) so a sleep ends within microseconds of its deadline.
    static void preciseSleepsOnThisThread();

private:
    BlockingLockTable &m_table;
    double m_lockTimeout;
    double m_scale;
};

} // namespace lockstep

#pragma once

#include "common/Progress.h"
#include "sim/BlockingLockTable.h"
#include "sim/RealTimeRunner.h"
#include "sim/TransactionScript.h"

#include <functional>
#include <optional>

namespace lockstep::demoorg {

// Runs a TransactionScript exactly as sim/RealTimeRunner does — same steps, same table, same
// scaled lock timeout, same outcome — but keeps time against a schedule instead of sleeping
// each step's work separately. A 200-row chunk has ~200 lock steps a few microseconds apart at
// scale 0.02; a relative sleep per step overshoots each by the kernel's timer slack (~60 µs),
// which stretched the 2.5 ms lock window five-fold and multiplied the lock errors. Here each
// step is due at (end of the previous wait) + its work, so overshoots never add up.
// (Reported for RealTimeRunner itself; this adapter goes once it keeps a schedule.)
class ScheduledRunner {
public:
    ScheduledRunner(BlockingLockTable &table, double lockTimeoutSeconds, double timeScale)
        : m_table(table), m_lockTimeout(lockTimeoutSeconds), m_scale(timeScale)
    {
    }

    // `serverTimeBegan`: when the transaction's server time started; work already spent on it
    // (the demo org's own checks and, charged ahead, its database write) counts against the
    // script's work before the first lock. Defaults to now.
    TransactionOutcome run(const TransactionScript &script, const CancelToken &cancel = {},
                           const std::function<void()> &beforeCommit = {},
                           std::optional<BlockingLockTable::Clock::time_point> serverTimeBegan = std::nullopt) const;

    // Lowers this thread's timer slack so a sleep ends within microseconds of its deadline.
    static void preciseSleepsOnThisThread();

private:
    BlockingLockTable &m_table;
    double m_lockTimeout;
    double m_scale;
};

} // namespace lockstep::demoorg

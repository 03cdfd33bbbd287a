#include "sim/RealTimeRunner.h"

#include <thread>

namespace lockstep {

namespace {
using Clock = BlockingLockTable::Clock;

Clock::duration toDuration(double seconds)
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, seconds)));
}
} // namespace

bool RealTimeRunner::work(double modelSeconds, const CancelToken &cancel) const
{
    const auto until = Clock::now() + toDuration(modelSeconds * m_scale);
    // Sleep in slices so a cancel is honoured within ~20 ms.
    for (;;) {
        if (cancel.isCancelled())
            return false;
        const auto now = Clock::now();
        if (now >= until)
            return true;
        std::this_thread::sleep_for(std::min<Clock::duration>(until - now, std::chrono::milliseconds(20)));
    }
}

TransactionOutcome RealTimeRunner::run(const TransactionScript &script, const CancelToken &cancel,
                                       const std::function<void()> &beforeCommit) const
{
    TransactionOutcome outcome;
    const auto started = Clock::now();
    auto finish = [&](LockFailure failure) {
        outcome.failure = failure;
        outcome.seconds = std::chrono::duration<double>(Clock::now() - started).count() / (m_scale > 0 ? m_scale : 1.0);
        return outcome;
    };
    LockTableTransaction tx(m_table);
    for (const LockStep &step : script.locks) {
        if (!work(step.workBefore, cancel))
            return finish(LockFailure::Cancelled);
        const auto deadline = Clock::now() + toDuration(m_lockTimeout * m_scale);
        bool queued = false;
        const auto result = tx.acquire(step.key, deadline, cancel, &queued);
        outcome.waits += queued ? 1 : 0;
        if (result != BlockingLockTable::Acquire::Granted) {
            outcome.key = step.key;
            outcome.row = step.row;
        }
        switch (result) {
        case BlockingLockTable::Acquire::Granted: break;
        case BlockingLockTable::Acquire::Deadlock: return finish(LockFailure::Deadlock);
        case BlockingLockTable::Acquire::Timeout: return finish(LockFailure::Timeout);
        case BlockingLockTable::Acquire::Cancelled: return finish(LockFailure::Cancelled);
        }
    }
    if (!work(script.workAfterLocks, cancel))
        return finish(LockFailure::Cancelled);
    if (beforeCommit)
        beforeCommit();
    tx.end();
    return finish(LockFailure::None);
}

} // namespace lockstep

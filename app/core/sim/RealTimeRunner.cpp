#include "sim/RealTimeRunner.h"

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <thread>

namespace lockstep {

namespace {
using Clock = BlockingLockTable::Clock;

Clock::duration toDuration(double seconds)
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, seconds)));
}

// A sleep costs a system call and a wake-up, tens of microseconds on a busy machine; a step due
// sooner than this goes ahead at once. Being early by this much never adds up (the next step is
// still due on the schedule), while paying it on each of a window's ~200 steps would lengthen a
// 2.5 ms window by as much as it lasts.
constexpr auto kNotWorthSleeping = std::chrono::microseconds(40);

// Sleeps until `until` in slices, so a cancel is honoured within ~20 ms; false when cancelled.
bool sleepUntil(Clock::time_point until, const CancelToken &cancel)
{
    for (;;) {
        if (cancel.isCancelled())
            return false;
        const auto now = Clock::now();
        if (now + kNotWorthSleeping >= until)
            return true;
        std::this_thread::sleep_for(std::min<Clock::duration>(until - now, std::chrono::milliseconds(20)));
    }
}
} // namespace

void RealTimeRunner::preciseSleepsOnThisThread()
{
#if defined(__linux__)
    thread_local bool done = false;
    if (!done) {
        ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
        done = true;
    }
#endif
}

TransactionOutcome RealTimeRunner::run(const TransactionScript &script, const CancelToken &cancel,
                                       const std::function<void()> &beforeCommit,
                                       std::optional<Clock::time_point> serverTimeBegan) const
{
    preciseSleepsOnThisThread();
    TransactionOutcome outcome;
    const auto started = Clock::now();
    auto finish = [&](LockFailure failure) {
        outcome.failure = failure;
        outcome.seconds = std::chrono::duration<double>(Clock::now() - started).count() / (m_scale > 0 ? m_scale : 1.0);
        return outcome;
    };
    LockTableTransaction tx(m_table);
    auto due = serverTimeBegan.value_or(started);
    // The commit's due time, told to the table up front and again whenever a wait moves it: a
    // thread that falls behind its schedule must not hold its locks past the model's commit.
    double workLeft = script.seconds();
    tx.releaseAt(due + toDuration(workLeft * m_scale));
    for (const LockStep &step : script.locks) {
        due += toDuration(step.workBefore * m_scale);
        workLeft -= step.workBefore;
        if (!sleepUntil(due, cancel))
            return finish(LockFailure::Cancelled);
        const auto stepStart = Clock::now();
        if (stepStart > due)
            outcome.walkLateSeconds = std::max(outcome.walkLateSeconds, std::chrono::duration<double>(stepStart - due).count());
        const auto deadline = stepStart + toDuration(m_lockTimeout * m_scale);
        bool queued = false;
        Clock::time_point granted;
        const auto result = tx.acquire(step.key, deadline, cancel, &queued, &granted);
        if (queued) {
            ++outcome.waits;
            // The work after a wait starts when the lock was handed over (as in the model), not
            // when this thread woke up: a wake-up's latency must not lengthen the locks it holds.
            due = std::max(due, result == BlockingLockTable::Acquire::Granted ? granted : Clock::now());
            if (result == BlockingLockTable::Acquire::Granted)
                tx.releaseAt(due + toDuration(workLeft * m_scale));
        }
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
    // Every lock is held: nothing but a cancel can fail the transaction now. The table hands
    // its locks on at the commit's due time even if this thread wakes up late to end it.
    due += toDuration(script.workAfterLocks * m_scale);
    if (beforeCommit)
        beforeCommit();
    tx.releaseAt(due);
    if (!sleepUntil(due, cancel))
        return finish(LockFailure::Cancelled);
    tx.end();
    return finish(LockFailure::None);
}

} // namespace lockstep
